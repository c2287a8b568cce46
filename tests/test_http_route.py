"""The HTTP-node route: the parse-only snippet reads what the HTTP Request node buffered; the builder keeps text."""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest
from support.code_node import run_code_node
from support.snippets import add_app, render_code

from generator.codenode.run import declared_outputs
from generator.emulator.server import CONVERSATION_PREFIX, SOMEONE_ELSES
from generator.emulator.streams import standard_stream
from generator.emulator.wire import Drop, Event
from generator.errors import UserError
from generator.rendering.formatting import format_source
from generator.rendering.templating import render_request_builder
from generator.rendering.variant import variant_of
from generator.spec.load import build_snippet

HOSTILE = 'He said "hi" \\o/ {"a": 1}\nnew line\ttab {{#sys.query#}} {{inputs}} ü 中文 \x00'


def buffered(dify, key: str, path: str, body: dict) -> tuple[int, str]:
    """What Dify's HTTP Request node hands on: the status and the whole body as text."""
    url = urllib.parse.urlsplit(dify.base_url + path)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(
            "POST", url.path, json.dumps(body), {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
        )
        response = connection.getresponse()
        try:
            raw = response.read()
        except http.client.IncompleteRead as cut:
            raw = cut.partial
        return response.status, raw.decode("utf-8", "replace")
    finally:
        connection.close()


def parse(code: str, status: int, text: str, **extra) -> object:
    return run_code_node(code, {"body": text, "status_code": status, **extra}, declared_outputs(code))


CHAT_BODY = {"inputs": {}, "query": "hi", "response_mode": "streaming", "user": "u", "conversation_id": ""}


@pytest.mark.parametrize(
    "app,mode",
    [
        ("agent", "agent"),
        ("agent", "agent-1.16"),
        ("chat", "chat"),
        ("chatflow", "chatflow"),
        ("completion", "completion"),
        ("workflow", "workflow"),
    ],
)
def test_parse_node_reads_every_app_kind(dify, app: str, mode: str) -> None:
    callee = add_app(dify, mode, answer="Buffered ✓ 答")
    path = {"completion": "/completion-messages", "workflow": "/workflows/run"}.get(app, "/chat-messages")
    status, text = buffered(dify, callee.key, path, CHAT_BODY)
    run = parse(render_code(template="single", app=app, route="http-node"), status, text)
    assert run.ok, run.error
    expected = json.dumps({"text": "Buffered ✓ 答"}, ensure_ascii=False) if app == "workflow" else "Buffered ✓ 答"
    assert run.outputs == {"response_text": expected}


def test_parse_node_conversation_keeps_the_id_on_failure(dify) -> None:
    code = render_code(template="conversation", route="http-node", errors="output")
    callee = add_app(dify, "chat")
    status, text = buffered(dify, callee.key, "/chat-messages", CHAT_BODY)
    ok = parse(code, status, text, conversation_id="")
    assert ok.outputs["conversation_id"].startswith(CONVERSATION_PREFIX) and ok.outputs["error"] == ""
    failed = parse(
        code,
        404,
        '{"code": "not_found", "message": "Conversation Not Exists.", "status": 404}',
        conversation_id=SOMEONE_ELSES,
    )
    assert failed.outputs["conversation_id"] == SOMEONE_ELSES and failed.outputs["response_text"] == ""
    assert "`user` must be the same on every turn" in failed.outputs["error"]


@pytest.mark.parametrize(
    "scenario,expected",
    [
        (lambda r: standard_stream(r)[:-1] + [Drop()], "stream ended before"),
        (
            lambda r: [
                Event({"event": "agent_message", "answer": "x"}),
                Event({"event": "error", "status": 400, "code": "invalid_param", "message": "bad"}),
            ],
            "HTTP 400 invalid_param: bad",
        ),
    ],
    ids=["cut", "error-event"],
)
def test_parse_node_fails_instead_of_returning_partial_text(dify, scenario, expected: str) -> None:
    callee = add_app(dify, "agent", scenario=scenario)
    status, text = buffered(dify, callee.key, "/chat-messages", CHAT_BODY)
    run = parse(render_code(template="single", route="http-node"), status, text)
    assert not run.ok and expected in run.error


def test_parse_node_names_the_1_mib_limit_when_the_body_was_cut() -> None:
    event = 'data: {"event": "agent_message", "answer": "' + "x" * 1000 + '"}\n\n'
    text = (event * 1100)[: 1024 * 1024]  # what a cut at the HTTP node's limit leaves
    run = parse(render_code(template="single", route="http-node"), 200, text)
    assert not run.ok and "1 MiB limit cut the stream" in run.error


@pytest.mark.parametrize(
    "status,text,expected",
    [
        (
            401,
            '{"code": "unauthorized", "message": "Access token is invalid", "status": 401}',
            "HTTP 401 unauthorized: Access token is invalid. Hint: use the API key",
        ),
        (403, "<html><body>Access Denied.</body></html>", "HTTP 403. Hint: the sandbox's SSRF proxy refused"),
        (502, "Bad Gateway", "HTTP 502: Bad Gateway"),
        (0, "", "HTTP 0"),
    ],
)
def test_parse_node_explains_http_errors(status: int, text: str, expected: str) -> None:
    run = parse(render_code(template="single", route="http-node"), status, text)
    assert not run.ok and run.error.startswith(expected) and run.error.count("\n") == 1


def _builder(**options) -> str:
    snippet = build_snippet(
        {"name": "b", "route": "http-node", **options}, lambda w, p: UserError(f"{w}: {p}"), lambda k: k
    )
    return format_source(render_request_builder(variant_of(snippet), "test"), "b")


def test_builder_keeps_user_text_byte_for_byte() -> None:
    code = _builder(template="variables", inputs={"客户": "customer"}, dynamic=1)
    inputs = {"query": HOSTILE, "user": "u1", "customer": HOSTILE, "var_name_1": "k", "var_input_1": HOSTILE}
    run = run_code_node(code, inputs, {"body": "string"})
    assert run.ok, run.error
    body = json.loads(run.outputs["body"])
    assert body == {
        "inputs": {"客户": HOSTILE, "k": HOSTILE},
        "query": HOSTILE,
        "response_mode": "streaming",
        "conversation_id": "",
        "auto_generate_name": False,
        "user": "workflow-u1",
    }


def test_http_route_files_are_black_clean_and_lint_clean() -> None:
    import black

    from generator.codenode.lint import lint_source
    from generator.rendering.formatting import black_mode

    for options in (
        {"template": "single"},
        {"template": "conversation", "dynamic": 2},
        {"template": "variables", "app": "workflow", "inputs": {"a": "b"}},
    ):
        builder = _builder(**options)
        assert lint_source(builder, ["body"]) == []
        snippet = build_snippet({"name": "b", "route": "http-node", **options}, lambda w, p: UserError(p), lambda k: k)
        from generator.rendering.templating import render_request_builder as rrb

        rendered = rrb(variant_of(snippet), "test")
        assert black.format_str(rendered, mode=black_mode()) == rendered
