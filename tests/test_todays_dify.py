"""Today's Dify (1.14-1.17, dify-sandbox 0.2.13+): pauses, another kind's stream, UUID conversation
ids, run statuses, 403 codes and reasoning text, each against the emulator. .ci/run runs this file
again with the generated code under Python 3.12 and 3.13 (every run under -W error); the slow
tier plays the same behaviours on every variant of the covering array (tests/scenarios.py)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from support.snippets import add_app, render_code, run_snippet

from generator.dify import FORBIDDEN_HINTS
from generator.emulator.server import CONVERSATION_PREFIX
from generator.emulator.streams import PAUSE_FORM, as_mode, paused_stream, standard_stream
from generator.emulator.wire import Event

KINDS = ("agent", "chat", "chatflow", "completion", "workflow")
STREAMS = ("agent", "agent-1.16", "chat", "chatflow", "completion", "workflow")


@pytest.mark.parametrize("app", KINDS)
def test_no_node_answers_another_kinds_stream_with_nothing(dify, app: str) -> None:
    """Every node kind x every kind of stream: the stream's answer, or one line naming the kind."""
    code = render_code(template="single", app=app)
    for stream in STREAMS:
        callee = add_app(dify, app, answer="Answer ✓", scenario=as_mode(stream))
        run = run_snippet(dify, callee, code)
        assert "Traceback" not in run.stderr, run.stderr
        if run.ok:
            text = run.outputs["response_text"]
            assert text == (
                "Answer ✓"
                if app != "workflow"
                else json.dumps({"answer" if stream == "chatflow" else "text": "Answer ✓"}, ensure_ascii=False)
            ), (app, stream, text)
        else:
            shown = "agent" if stream.startswith("agent") else stream if stream == "workflow" else "chat"
            assert f'set app = "{shown}"' in run.error and run.error.count("\n") == 1, (app, stream, run.error)
            assert (app, stream) in {
                ("completion", "agent"),
                ("workflow", "agent"),
                ("workflow", "agent-1.16"),
                ("workflow", "chat"),
                ("workflow", "completion"),
            } or stream == "workflow"


@pytest.mark.parametrize("app", ["chatflow", "workflow"])
@pytest.mark.parametrize("errors,on_timeout", [("raise", "fail"), ("output", "fail"), ("raise", "partial")])
def test_a_pause_for_human_input_is_said_or_returned(dify, app: str, errors: str, on_timeout: str) -> None:
    code = render_code(template="single", app=app, errors=errors, on_timeout=on_timeout)
    for bare in (False, True):
        callee = add_app(dify, app, scenario=lambda request, bare=bare: paused_stream(request, bare=bare))
        run = run_snippet(dify, callee, code)
        assert "Traceback" not in run.stderr and "connection was cut" not in run.error + json.dumps(run.outputs)
        if errors == "raise" and on_timeout == "fail":
            assert not run.ok and "paused for human input" in run.error
            if not bare:
                assert "'Approve the draft' (form_token tok-7Hq2, workflow_run_id run-1)" in run.error
            continue
        assert run.ok, run.error
        form = run.outputs["human_input"]
        assert form["form_token"] == ("" if bare else PAUSE_FORM["form_token"]) and form["workflow_run_id"] in (
            "run-1",
            "",
        )
        assert run.outputs.get("status", "paused") == "paused"
        assert run.outputs["response_text"] == ("so far" if app == "chatflow" else "")
        assert "paused for human input" in run.outputs.get("error", "paused for human input")


@pytest.mark.parametrize("app", ["agent", "chat"])
def test_a_chat_nodes_pause_is_one_line(dify, app: str) -> None:
    """A chat node called on a paused Chatflow: the line, with the token; no human_input output."""
    run = run_snippet(
        dify,
        add_app(dify, "chatflow", scenario=paused_stream),
        render_code(template="single", app=app, errors="output"),
    )
    assert run.ok and "human_input" not in run.outputs
    assert "paused for human input at node 'Approve the draft' (form_token tok-7Hq2" in run.outputs["error"]


@pytest.mark.parametrize("restart", [True, False])
@pytest.mark.parametrize("route", ["code", "http-node"])
def test_a_conversation_id_that_is_no_uuid_never_reaches_dify(dify, restart: bool, route: str) -> None:
    from support.code_node import run_code_node
    from support.snippets import snippet_of

    from generator.rendering.pipeline import snippet_files

    callee = add_app(dify, "chat", conversation_ids="pings")  # the old Dify that only pings for it
    made = snippet_of(template="conversation", app="chat", route=route, restart_stale_conversation=restart)
    files = snippet_files([made], "test")
    if route == "code":
        run = run_snippet(dify, callee, files["test.py"], conversation_id="42")
    else:  # the request-body node decides
        run = run_code_node(
            files["test_request.py"], {"query": "q", "user": "u", "conversation_id": "42"}, {"body": "string"}
        )
    sent = [r["body"].get("conversation_id") for r in dify.requests if r["key"] == callee.key]
    if restart and route == "code":
        assert run.ok and run.outputs["conversation_id"].startswith(CONVERSATION_PREFIX) and sent == [""]
    elif restart:
        assert run.ok and json.loads(run.outputs["body"])["conversation_id"] == ""
    else:
        assert not run.ok and "conversation_id '42' is not a conversation id" in run.error and sent == []


def test_the_emulator_plays_both_difys_for_conversation_ids(dify) -> None:
    """Newer Dify: a non-UUID id is 400 invalid_param; older: an unknown id gets pings only."""
    import http.client

    def post(app, conversation_id: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", int(dify.base_url.split(":")[2].split("/")[0]), timeout=3)
        body = {
            "query": "q",
            "user": "u",
            "inputs": {},
            "response_mode": "streaming",
            "conversation_id": conversation_id,
        }
        connection.request(
            "POST",
            "/v1/chat-messages",
            json.dumps(body),
            {"Authorization": f"Bearer {app.key}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        data = (
            response.read(200)
            if response.status != 200
            else response.fp.readline() + response.fp.readline() + response.fp.readline()
        )
        connection.close()
        return response.status, data

    status, data = post(add_app(dify, "chat"), "not-a-uuid")
    assert status == 400 and json.loads(data)["message"] == "conversation_id must be a valid UUID"
    status, data = post(add_app(dify, "chat", conversation_ids="pings"), "a1ce0000-0000-4000-8000-000000000000")
    assert status == 200 and b"event: ping" in data


@pytest.mark.parametrize("app", ["chatflow", "workflow"])
def test_run_statuses(dify, app: str) -> None:
    code = render_code(template="single", app=app, extra_outputs=["status"])

    def with_status(status: str):
        def stream(request):
            return [
                Event(dict(e.payload, data=dict(e.payload["data"], status=status)))
                if e.payload.get("event") == "workflow_finished"
                else e
                for e in standard_stream(request)
            ]

        return stream

    partly = run_snippet(dify, add_app(dify, app, scenario=with_status("partial-succeeded")), code)
    assert partly.ok, partly.error
    stopped = run_snippet(dify, add_app(dify, app, scenario=with_status("stopped")), code)
    assert not stopped.ok and "run ended with status 'stopped'" in stopped.error


@pytest.mark.parametrize("code_name,hint", sorted(FORBIDDEN_HINTS.items()))
def test_each_403_code_has_its_own_hint(dify, code_name: str, hint: str) -> None:
    body = json.dumps({"code": code_name, "message": "Forbidden.", "status": 403}).encode()
    run = run_snippet(dify, add_app(dify, "agent", status=403, error_body=body), render_code(template="single"))
    assert run.error == f"HTTP 403 {code_name}: Forbidden.. Hint: {hint}\n"


@pytest.mark.parametrize("reasoning", ["keep", "strip", "output"])
def test_reasoning_split_across_chunks(dify, reasoning: str) -> None:
    code = render_code(template="single", app="chat", reasoning=reasoning)
    pieces = ["<th", "ink>step 1\nstep 2</th", "ink>\n\n", "Final ✓"]
    stream = [Event({"event": "message", "answer": piece}) for piece in pieces] + [
        Event({"event": "message_end", "metadata": {}})
    ]
    run = run_snippet(dify, add_app(dify, "chat", scenario=lambda request: stream), code)
    assert run.ok, run.error
    raw = "".join(pieces)
    assert run.outputs["response_text"] == (raw if reasoning == "keep" else "Final ✓")
    assert run.outputs.get("reasoning") == ("step 1\nstep 2" if reasoning == "output" else None)


def test_the_default_reasoning_keeps_todays_bytes() -> None:
    assert render_code(template="single") == render_code(template="single", reasoning="keep")
    assert "_split_reasoning" not in render_code(template="single") and "import re" not in render_code(
        template="single"
    )


@pytest.mark.parametrize(
    "args,warned",
    [
        (["single", "--app", "workflow", "--reasoning", "strip"], "--reasoning: does nothing here"),
        (["single", "--retries", "2"], "--retries: does nothing here"),
        (["single", "--app", "chat", "--reasoning", "output", "--dsl", "--retries", "2"], None),
    ],
)
def test_the_new_options_say_when_they_do_nothing(args: list[str], warned: str | None) -> None:
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(cli, ["render", *args], prog_name="dify-codenode")
    assert result.exit_code == 0
    assert (warned in result.stderr) if warned else "warning" not in result.stderr, result.stderr


def test_run_prefers_a_python_like_the_newest_sandbox(monkeypatch) -> None:
    """Of the sandbox-like Pythons found, `run` takes the newest sandbox's (3.14, then 3.13, 3.12, 3.10)."""
    from generator.codenode import interpreter
    from generator.codenode.interpreter import Interpreter

    found = {
        "/p/3.10": Interpreter("/p/3.10", (3, 10, 13), ()),
        "/p/3.13": Interpreter("/p/3.13", (3, 13, 0), ()),
        "/p/3.14-bare": Interpreter("/p/3.14-bare", (3, 14, 0), ("httpx",)),  # not sandbox-like: no httpx
        "/p/3.12": Interpreter("/p/3.12", (3, 12, 1), ()),
    }
    monkeypatch.delenv("DIFY_SANDBOX_PYTHON", raising=False)
    monkeypatch.setattr(interpreter, "_this_python", lambda: Interpreter("/here", (3, 11, 7), ()))
    monkeypatch.setattr(interpreter, "_candidates", lambda: list(found))
    monkeypatch.setattr(interpreter, "_probe_all", lambda paths: [found.get(path) for path in paths])
    assert interpreter.choose(None).path == "/p/3.13"
    found["/p/3.14"] = Interpreter("/p/3.14", (3, 14, 2), ())
    assert interpreter.choose(None).path == "/p/3.14"


def test_run_looks_past_pyenv_shims_to_the_pythons_behind_them(tmp_path: Path, monkeypatch) -> None:
    """A shim hands over to a version pyenv keeps under versions/ or to the same name further along
    PATH: both are candidates, the shim is not."""
    from generator.codenode import interpreter

    root, system = tmp_path / "pyenv", tmp_path / "usr" / "bin"
    shim, kept, further = (
        root / "shims" / "python3.13",
        root / "versions" / "3.13.0" / "bin" / "python",
        system / "python3.13",
    )
    for path in (shim, kept, further):
        path.parent.mkdir(parents=True)
        path.write_text("#!/bin/sh\n")
        path.chmod(0o755)
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.setenv("PATH", os.pathsep.join([str(root / "shims"), str(system)]))
    monkeypatch.chdir(tmp_path)
    assert interpreter._candidates() == [str(further), str(kept)]


def test_run_asks_every_candidate_python_at_once(tmp_path: Path) -> None:
    """Each fake Python answers only once it has seen the other one start: asked one by one, the first gives up."""
    from generator.codenode import interpreter

    answer = "[[3, 13, 0], []]"
    paths = []
    for name, other in (("first", "second"), ("second", "first")):
        path = tmp_path / name
        path.write_text(
            f"#!/bin/sh\ntouch {tmp_path / name}.started\n"
            f"for i in $(seq 100); do [ -e {tmp_path / other}.started ] && echo '{answer}' && exit 0; sleep 0.1; done\n"
            "exit 1\n"
        )
        path.chmod(0o755)
        paths.append(str(path))
    found = interpreter._probe_all(paths)
    assert [probed and probed.version for probed in found] == [(3, 13, 0), (3, 13, 0)]
    assert interpreter._probe_all([str(tmp_path), str(tmp_path / "missing")]) == [None, None]
