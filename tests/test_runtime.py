"""The runtime contract: generated snippets run as Dify runs them, against a Dify API emulator."""

from __future__ import annotations

import json

import pytest
from support.snippets import add_app, render_code, run_snippet

from generator.emulator.server import CONVERSATION_PREFIX, SOMEONE_ELSES
from generator.emulator.streams import standard_stream
from generator.emulator.wire import Drop, Event, Ping, Raw, Sleep, Style

ANSWER = 'Hello 世界! Ünïcödé ✓ 🌍 — «quotes» "and" \\backslashes\\ \n new line {{inputs}} <<RESULT>>'
CHAT_KINDS = [("agent", "agent"), ("agent", "agent-1.16"), ("chat", "chat"), ("chatflow", "chatflow")]
ALL_KINDS = CHAT_KINDS + [("completion", "completion")]


# --- every template x every app kind ----------------------------------------------------


# Every template with every app kind it can call (completion and workflow apps have no conversations).
COMBINATIONS = [
    (template, app, mode)
    for template in ("single", "variables", "conversation")
    for app, mode in ALL_KINDS + [("workflow", "workflow")]
    if not (template == "conversation" and app in ("completion", "workflow"))
]


@pytest.mark.parametrize("template,app,mode", COMBINATIONS)
def test_every_template_and_app_kind_returns_the_answer(dify, template: str, app: str, mode: str) -> None:
    options = {"template": template, "app": app}
    if template != "single":
        options["inputs"] = {"topic": "topic"}
    callee = add_app(dify, mode, answer=ANSWER, required_inputs=("topic",) if template != "single" else ())
    extra = {"topic": "birds"} if template != "single" else {}
    run = run_snippet(dify, callee, render_code(**options), **extra)
    assert run.ok, run.error
    expected = json.dumps({"text": ANSWER}, ensure_ascii=False) if app == "workflow" else ANSWER
    assert run.outputs["response_text"] == expected
    if template == "conversation":
        assert run.outputs["conversation_id"].startswith(CONVERSATION_PREFIX)
    request = [r for r in dify.requests if r["key"] == callee.key][-1]
    assert request["body"]["user"] == "workflow-user-1"
    assert request["body"]["response_mode"] == "streaming"
    if template != "single":
        assert request["body"]["inputs"]["topic"] == "birds"


@pytest.mark.parametrize(
    "style",
    [
        Style(compact=False),
        Style(data_prefix="data:"),
        Style(newline="\r\n"),
        Style(split_every=1),
        Style(split_every=5, compact=False, newline="\r\n", data_prefix="data:"),
    ],
    ids=["spaced-escaped", "no-space", "crlf", "one-byte-reads", "all-at-once"],
)
@pytest.mark.parametrize("app,mode", CHAT_KINDS)
def test_framing_variants_and_split_utf8(dify, style: Style, app: str, mode: str) -> None:
    callee = add_app(dify, mode, answer=ANSWER * 3, style=style)
    run = run_snippet(dify, callee, render_code(template="single", app=app))
    assert run.ok, run.error
    assert run.outputs["response_text"] == ANSWER * 3


def test_agent_116_final_message_does_not_double_the_text(dify) -> None:
    callee = add_app(dify, "agent-1.16", answer="Only once.")
    run = run_snippet(dify, callee, render_code(template="single"))
    assert run.outputs["response_text"] == "Only once."


def test_pings_and_unknown_events_are_skipped(dify) -> None:
    def scenario(request):
        return [
            Ping(),
            Event({"event": "tts_message", "audio": "AAAA"}),
            Event({"event": "brand_new_event", "answer": "NO"}),
            Event({"event": "agent_message", "answer": "A"}),
            Ping(),
            Event({"event": "agent_log", "data": {}}),
            Event({"event": "message_file", "url": "x"}),
            Event({"event": "agent_message", "answer": "B"}),
            Event({"event": "message_end", "metadata": {}}),
        ]

    run = run_snippet(dify, add_app(dify, "agent", scenario=scenario), render_code(template="single"))
    assert run.outputs == {"response_text": "AB"}


def test_message_replace_replaces_the_answer_so_far(dify) -> None:
    def scenario(request):
        return [
            Event({"event": "message", "answer": "bad words "}),
            Event({"event": "message_replace", "answer": "[moderated]"}),
            Event({"event": "message_end", "metadata": {}}),
        ]

    run = run_snippet(dify, add_app(dify, "chat", scenario=scenario), render_code(template="single", app="chat"))
    assert run.outputs == {"response_text": "[moderated]"}


def test_null_and_missing_fields_are_tolerated(dify) -> None:
    def scenario(request):
        return [
            Event({"event": "agent_message", "answer": None}),
            Event({"event": "agent_message"}),
            Event({"event": None}),
            Event({"event": "agent_message", "answer": "ok"}),
            Event({"event": "message_end", "metadata": None}),
        ]

    run = run_snippet(
        dify, add_app(dify, "agent", scenario=scenario), render_code(template="single", extra_outputs=["usage"])
    )
    assert run.outputs == {"response_text": "ok", "usage": {}}


# --- failures are failures, never partial text as success --------------------------------


def _error_event(request):
    return [
        Event({"event": "agent_message", "answer": "partial "}),
        Event(
            {
                "event": "error",
                "status": 400,
                "code": "completion_request_error",
                "message": "[openai] Rate limit\nreached",
            }
        ),
    ]


def test_error_event_fails_the_node_with_one_line(dify) -> None:
    run = run_snippet(dify, add_app(dify, "agent", scenario=_error_event), render_code(template="single"))
    assert not run.ok
    assert (
        run.error
        == "the called app failed mid-stream: HTTP 400 completion_request_error: [openai] Rate limit reached\n"
    )
    assert "Traceback" not in run.stderr


def test_error_event_with_error_output_strategy(dify) -> None:
    code = render_code(template="conversation", errors="output", extra_outputs=["status"])
    run = run_snippet(dify, add_app(dify, "agent", scenario=_error_event), code, conversation_id="")
    assert run.ok, run.error
    assert run.outputs["response_text"] == "" and run.outputs["status"] == "failed"
    assert "completion_request_error" in run.outputs["error"] and "\n" not in run.outputs["error"]
    assert run.outputs["conversation_id"] == ""


def test_success_with_error_output_strategy_has_empty_error(dify) -> None:
    run = run_snippet(dify, add_app(dify, "chat"), render_code(template="single", app="chat", errors="output"))
    assert run.outputs == {"response_text": "Hello from the emulator.", "error": ""}


def test_chatflow_failed_run_is_a_failure(dify) -> None:
    def scenario(request):
        return [
            Event({"event": "message", "answer": "half an ans"}),
            Event(
                {
                    "event": "workflow_finished",
                    "data": {"status": "failed", "error": "Node LLM run failed: quota", "outputs": None},
                }
            ),
            Event({"event": "error", "status": 500, "code": "internal_server_error", "message": "quota"}),
        ]

    run = run_snippet(
        dify, add_app(dify, "chatflow", scenario=scenario), render_code(template="single", app="chatflow")
    )
    assert not run.ok and "status 'failed': Node LLM run failed: quota" in run.error


@pytest.mark.parametrize("app,mode", ALL_KINDS + [("workflow", "workflow")])
def test_cut_connection_is_a_failure(dify, app: str, mode: str) -> None:
    def scenario(request):
        return standard_stream(request)[:-1] + [Drop()]

    run = run_snippet(dify, add_app(dify, mode, scenario=scenario), render_code(template="single", app=app))
    assert not run.ok
    assert "mid-stream" in run.error or "stream ended before" in run.error


@pytest.mark.parametrize("app,mode", ALL_KINDS + [("workflow", "workflow")])
def test_stream_ending_without_terminal_event_is_a_failure(dify, app: str, mode: str) -> None:
    def scenario(request):
        return standard_stream(request)[:-1]

    run = run_snippet(dify, add_app(dify, mode, scenario=scenario), render_code(template="single", app=app))
    assert not run.ok and "stream ended before" in run.error and run.error.count("\n") == 1


@pytest.mark.parametrize(
    "lines,expected",
    [
        (b"data: {not json}\n\n", "not a JSON event"),
        (b"data: [1, 2]\n\n", "not a JSON object"),
        (
            b'data: {"event": "agent_message", "answer": 42}\n\n',
            "the stream's agent_message event has an answer that is not text",
        ),
        (b'data: {"event": "agent_message", "answer": "\xff\xfe"}\n\n', "not a JSON event"),
    ],
    ids=["not-json", "not-object", "answer-not-text", "not-utf8"],
)
def test_malformed_streams_fail_cleanly(dify, lines: bytes, expected: str) -> None:
    def scenario(request):
        return [Event({"event": "agent_message", "answer": "x"}), Raw(lines), Event({"event": "message_end"})]

    run = run_snippet(dify, add_app(dify, "agent", scenario=scenario), render_code(template="single"))
    assert not run.ok and expected in run.error and "Traceback" not in run.error


def test_gigantic_single_line_is_read_whole(dify) -> None:
    huge = "界" * 300_000

    def scenario(request):
        return [
            Event({"event": "message", "answer": "x"}),
            Event({"event": "message_replace", "answer": huge}),
            Event({"event": "message_end"}),
        ]

    run = run_snippet(
        dify,
        add_app(dify, "chat", scenario=scenario, style=Style(compact=False)),
        render_code(template="single", app="chat"),
    )
    assert run.ok, run.error
    assert run.outputs["response_text"] == huge


# --- HTTP errors ---------------------------------------------------------------------


def test_wrong_key_is_401_with_a_hint(dify) -> None:
    callee = add_app(dify, "agent")
    run = run_snippet(dify, callee, render_code(template="single"), api_key="app-not-a-real-key")
    assert run.error.startswith(
        "HTTP 401 unauthorized: Access token is invalid. Hint: use the API key of the app you are calling"
    )


@pytest.mark.parametrize(
    "status,content_type,body,expected",
    [
        (
            403,
            "text/html",
            b"<html><body>ERROR: The requested URL could not be retrieved</body></html>",
            "SSRF_PROXY_ALLOW_PRIVATE_IPS",
        ),
        (
            429,
            "application/json",
            b'{"code": "too_many_requests", "message": "Too many requests.", "status": 429}',
            "retry later",
        ),
        (
            400,
            "application/json",
            b'{"code": "app_unavailable", "message": "App unavailable", "status": 400}',
            "publish the called app",
        ),
        (
            500,
            "application/json",
            b'{"code": "internal_server_error", "message": "boom", "status": 500}',
            "HTTP 500 internal_server_error: boom",
        ),
        (502, "text/plain", b"Bad Gateway", "HTTP 502: Bad Gateway"),
    ],
)
def test_http_errors_become_one_clear_line(dify, status, content_type, body, expected) -> None:
    callee = add_app(dify, "agent", status=status, error_body=body, error_content_type=content_type)
    run = run_snippet(dify, callee, render_code(template="single"))
    assert not run.ok and expected in run.error and run.error.count("\n") == 1 and f"HTTP {status}" in run.error


def test_missing_required_input_hint(dify) -> None:
    callee = add_app(dify, "chat", required_inputs=("language",))
    run = run_snippet(dify, callee, render_code(template="single", app="chat"))
    assert "language is required in input form" in run.error and "add it to the snippet's inputs" in run.error


def test_app_kind_mismatch_hint(dify) -> None:
    callee = add_app(dify, "workflow")
    run = run_snippet(dify, callee, render_code(template="single", app="agent"))
    assert "not_chat_app" in run.error and "set app" in run.error


def test_unreachable_api_fails_cleanly_with_localhost_hint(dify) -> None:
    code = render_code(template="single", base_url="http://localhost:9/v1")
    run = run_snippet(dify, add_app(dify, "agent"), code)
    assert (
        not run.ok
        and "could not reach http://localhost:9/v1/chat-messages" in run.error
        and "localhost is the sandbox itself" in run.error
    )


def test_empty_api_key_is_explained(dify) -> None:
    run = run_snippet(dify, add_app(dify, "agent"), render_code(template="single"), api_key="  ")
    assert run.error.startswith("api_key is empty: map the node's api_key input to the Secret")


# --- time ---------------------------------------------------------------------------------


@pytest.mark.slow  # six seconds of silence: long for what it adds beside the time-budget tests below
def test_quiet_agent_longer_than_httpx_default_timeout_succeeds(dify) -> None:
    def scenario(request):
        return [Sleep(6.0)] + standard_stream(request)

    run = run_snippet(dify, add_app(dify, "agent", scenario=scenario), render_code(template="single"))
    assert run.ok, run.error
    assert run.seconds > 6


@pytest.mark.parametrize("kind", ["silence", "ping-trickle", "slow-start"])
def test_time_budget_holds(dify, kind: str) -> None:
    def scenario(request):
        start = [Event({"event": "agent_message", "answer": "so far"})]
        if kind == "silence":
            return start + [Sleep(20)]
        if kind == "ping-trickle":
            return start + [item for _ in range(60) for item in (Sleep(0.3), Ping())]
        return [Sleep(20)]

    callee = add_app(dify, "agent", scenario=scenario)
    run = run_snippet(dify, callee, render_code(template="single", time_budget=2.0))
    assert not run.ok and "within the 2 s time budget" in run.error
    # The message is the snippet's own decision at its deadline (waiting out the callee's 20 s
    # would end otherwise); the bound leaves a loaded machine room and still excludes the wait.
    assert run.seconds < 12, "the snippet must end by itself, long before the callee's 20 s"
    stops = [path for path, auth in dify.hits if auth == f"Bearer {callee.key}" and path.endswith("/stop")]
    if kind != "slow-start":  # a task id arrives with the first event
        assert len(stops) == 1 and stops[0].startswith("/v1/chat-messages/task-")
        stop_body = [r["body"] for r in dify.requests if r["key"] == callee.key and r["path"].endswith("/stop")]
        assert stop_body == [{"user": "workflow-user-1"}]


def test_workflow_task_is_stopped_at_the_budget(dify) -> None:
    def scenario(request):
        return [Event({"event": "workflow_started", "data": {}}), Sleep(20)]

    callee = add_app(dify, "workflow", scenario=scenario)
    run = run_snippet(dify, callee, render_code(template="single", app="workflow", time_budget=1.5))
    assert not run.ok and "time budget" in run.error and run.seconds < 12
    assert [p for p, a in dify.hits if a == f"Bearer {callee.key}" and p.endswith("/stop")][0].startswith(
        "/v1/workflows/tasks/task-"
    )


def test_partial_answer_at_the_budget(dify) -> None:
    def scenario(request):
        return [Event({"event": "agent_message", "answer": "so far"})] + [
            item for _ in range(30) for item in (Sleep(0.3), Ping())
        ]

    code = render_code(template="single", time_budget=1.5, on_timeout="partial")
    run = run_snippet(dify, add_app(dify, "agent", scenario=scenario), code)
    assert run.outputs == {"response_text": "so far", "status": "timeout"}  # it decided at its budget
    assert run.seconds < 8  # the callee pings for 9 s: a loaded machine's margin, not the wait


@pytest.mark.parametrize("errors", ["output", "raise"])
def test_typed_workflow_outputs_time_out_into_empty_values(dify, errors: str) -> None:
    """The issue's crash: typed workflow outputs, on_timeout partial, a silent callee (KeyError before)."""
    callee = add_app(
        dify, "workflow", scenario=lambda request: [Event({"event": "workflow_started", "data": {}}), Sleep(20)]
    )
    code = render_code(
        template="single",
        app="workflow",
        workflow_outputs={"summary": "string", "n": "number"},
        on_timeout="partial",
        errors=errors,
        time_budget=2.0,
    )
    run = run_snippet(dify, callee, code)
    assert run.ok and "Traceback" not in run.stderr, run.error
    # human_input: a workflow node that returns instead of failing reports pauses as outputs too.
    assert run.outputs == {
        "summary": "",
        "n": 0,
        "status": "timeout",
        "human_input": {},
        **({"error": ""} if errors == "output" else {}),
    }


@pytest.mark.slow
def test_default_budget_ends_before_the_sandbox_kill(dify) -> None:
    def scenario(request):
        return [Sleep(30)]

    run = run_snippet(dify, add_app(dify, "agent", scenario=scenario), render_code(template="single"))
    assert run.error.startswith("the called app sent no complete answer within the 13.5 s")
    assert run.seconds < 15  # the harness kills at 15 s, as the sandbox does: this message came first


# --- answer size ----------------------------------------------------------------------------


def test_oversize_answer_is_truncated_with_a_marker(dify) -> None:
    callee = add_app(dify, "agent", answer="x" * 1500)
    run = run_snippet(dify, callee, render_code(template="single", max_answer_chars=1000, extra_outputs=["status"]))
    text = run.outputs["response_text"]
    assert len(text) == 1000 and text.startswith("xxx") and text.endswith("longer than 1000 characters]")
    assert run.outputs["status"] == "truncated"


def test_oversize_answer_can_fail_instead(dify) -> None:
    run = run_snippet(
        dify,
        add_app(dify, "agent", answer="x" * 1500),
        render_code(template="single", max_answer_chars=1000, on_oversize="fail"),
    )
    assert not run.ok and "longer than 1000 characters" in run.error


def test_default_limit_keeps_huge_answers_acceptable_to_dify(dify) -> None:
    callee = add_app(dify, "chat", answer="语" * 450_000)
    run = run_snippet(dify, callee, render_code(template="single", app="chat"))
    assert run.ok, run.error[:300]
    assert len(run.outputs["response_text"]) == 400_000


# --- conversations ------------------------------------------------------------------------


@pytest.mark.parametrize("app,mode", CHAT_KINDS)
def test_conversation_continues_with_the_same_user(dify, app: str, mode: str) -> None:
    callee = add_app(dify, mode)
    code = render_code(template="conversation", app=app)
    first = run_snippet(dify, callee, code, conversation_id="")
    assert first.ok, first.error
    conversation = first.outputs["conversation_id"]
    second = run_snippet(dify, callee, code, conversation_id=conversation)
    assert second.ok and second.outputs["conversation_id"] == conversation
    bodies = [r["body"] for r in dify.requests if r["key"] == callee.key]
    assert bodies[-2]["conversation_id"] == "" and bodies[-1]["conversation_id"] == conversation
    assert bodies[-1]["user"] == bodies[-2]["user"] == "workflow-user-1"
    assert bodies[-1]["auto_generate_name"] is False


def test_stale_conversation_heals_itself(dify) -> None:
    callee = add_app(dify, "agent")
    code = render_code(template="conversation")
    first = run_snippet(dify, callee, code, conversation_id="", user="alice")
    healed = run_snippet(dify, callee, code, conversation_id=first.outputs["conversation_id"], user="bob")
    assert healed.ok, healed.error
    assert healed.outputs["conversation_id"] not in ("", first.outputs["conversation_id"])


def test_stale_conversation_without_healing_explains_the_user_rule(dify) -> None:
    callee = add_app(dify, "agent")
    code = render_code(template="conversation", restart_stale_conversation=False)
    first = run_snippet(dify, callee, code, conversation_id="", user="alice")
    run = run_snippet(dify, callee, code, conversation_id=first.outputs["conversation_id"], user="bob")
    assert (
        run.error.startswith(
            "HTTP 404 not_found: Conversation Not Exists.. Hint: the conversation belongs to another user"
        )
        or "`user` must be the same on every turn" in run.error
    )


# --- inputs, workflow outputs, extras ------------------------------------------------------------


def test_fixed_and_dynamic_inputs_reach_the_callee_exactly(dify) -> None:
    callee = add_app(dify, "chat")
    code = render_code(
        template="variables",
        app="chat",
        inputs={"客户 名称": "customer", '{{braces}} it\'s "q"\\': "braces"},
        dynamic=2,
    )
    run = run_snippet(
        dify,
        callee,
        code,
        customer="Zoë",
        braces="{}",
        var_name_1="dyn",
        var_input_1="v1",
        var_name_2="",
        var_input_2="skipped",
    )
    assert run.ok, run.error
    body = [r for r in dify.requests if r["key"] == callee.key][-1]["body"]
    assert body["inputs"] == {"客户 名称": "Zoë", '{{braces}} it\'s "q"\\': "{}", "dyn": "v1"}


def test_a_dynamic_pair_named_query_cannot_replace_the_query_of_a_completion_app(dify) -> None:
    callee = add_app(dify, "completion")
    code = render_code(template="variables", app="completion", dynamic=1)
    run = run_snippet(dify, callee, code, var_name_1="query", var_input_1="hijacked", query="the real question")
    assert run.ok, run.error
    body = [r for r in dify.requests if r["key"] == callee.key][-1]["body"]
    assert body["inputs"] == {"query": "the real question"}


def test_workflow_typed_outputs(dify) -> None:
    outputs = {"summary": "short", "score": 0.5, "tags": ["a", "b"], "extra": 1}
    callee = add_app(dify, "workflow", outputs=outputs)
    code = render_code(
        template="single",
        app="workflow",
        workflow_outputs={"summary": "string", "score": "number", "tags": "array[string]"},
        extra_outputs=["usage", "status"],
    )
    run = run_snippet(dify, callee, code)
    assert run.ok, run.error
    assert run.outputs == {
        "summary": "short",
        "score": 0.5,
        "tags": ["a", "b"],
        "usage": {"elapsed_time": 2.5, "total_steps": 3, "total_tokens": 46},
        "status": "succeeded",
    }
    body = [r for r in dify.requests if r["key"] == callee.key][-1]["body"]
    assert body["inputs"] == {"query": "What is up?"} and "query" not in body


@pytest.mark.parametrize(
    "outputs,expected",
    [
        ({"summary": 3}, "is int, not the declared string"),
        ({"other": "x"}, "has no output 'summary' (it returned: other)"),
    ],
)
def test_workflow_output_mismatch_is_explained(dify, outputs, expected) -> None:
    callee = add_app(dify, "workflow", outputs=outputs)
    run = run_snippet(
        dify, callee, render_code(template="single", app="workflow", workflow_outputs={"summary": "string"})
    )
    assert not run.ok and expected in run.error


def test_workflow_failure_is_a_failure(dify) -> None:
    def scenario(request):
        return [
            Event({"event": "workflow_started", "data": {}}),
            Event(
                {"event": "workflow_finished", "data": {"status": "stopped", "error": "stopped by user", "outputs": {}}}
            ),
        ]

    run = run_snippet(
        dify, add_app(dify, "workflow", scenario=scenario), render_code(template="single", app="workflow")
    )
    assert not run.ok and "status 'stopped': stopped by user" in run.error


def test_message_id_and_usage_outputs(dify) -> None:
    code = render_code(template="single", app="chat", extra_outputs=["message_id", "usage"])
    run = run_snippet(dify, add_app(dify, "chat"), code)
    assert run.outputs["message_id"].startswith("msg-")
    assert run.outputs["usage"]["total_tokens"] == 46 and run.outputs["usage"]["total_price"] == "0.000123"


def test_completion_sends_the_query_in_inputs(dify) -> None:
    callee = add_app(dify, "completion")
    run = run_snippet(dify, callee, render_code(template="single", app="completion"))
    assert run.ok, run.error
    request = [r for r in dify.requests if r["key"] == callee.key][-1]
    assert request["path"] == "/v1/completion-messages" and request["body"]["inputs"] == {"query": "What is up?"}


# --- the sandbox's SSRF proxy ------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_requests_go_through_the_sandbox_proxy(dify, scheme: str) -> None:
    from support.forward_proxy import ForwardProxy

    callee = add_app(dify, "agent")
    code = render_code(template="single", base_url=f"{scheme}://api.example/v1")
    with ForwardProxy() as proxy:
        run = run_snippet(dify, callee, code, env={"HTTP_PROXY": proxy.url, "HTTPS_PROXY": proxy.url})
    assert run.ok, run.error
    assert run.outputs["response_text"] == "Hello from the emulator."
    if scheme == "http":  # forwarded in absolute form
        assert proxy.seen == [f"POST {dify.base_url}/chat-messages"]
    else:  # tunnelled: the proxy sees only where to, TLS end to end
        assert proxy.seen == [f"CONNECT {dify.tls_url.removeprefix('https://')}"]


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_no_proxy_bypasses_the_proxy(dify, scheme: str) -> None:
    from support.forward_proxy import ForwardProxy

    callee = add_app(dify, "agent")
    code = render_code(template="single", base_url=f"{scheme}://api.example/v1")
    with ForwardProxy(refuse=True) as proxy:
        run = run_snippet(dify, callee, code, env={f"{scheme}_proxy": proxy.url, "no_proxy": "127.0.0.1"})
    assert run.ok, run.error
    assert proxy.seen == []


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_proxy_refusal_explains_the_ssrf_rules(dify, scheme: str) -> None:
    from support.forward_proxy import ForwardProxy

    callee = add_app(dify, "agent")
    code = render_code(template="single", base_url=f"{scheme}://api.example/v1")
    with ForwardProxy(refuse=True) as proxy:
        run = run_snippet(dify, callee, code, env={f"{scheme.upper()}_PROXY": proxy.url})
    assert not run.ok
    if scheme == "http":  # squid's 403 page
        assert run.error.startswith("HTTP 403. Hint: the sandbox's SSRF proxy refused")
    else:  # squid refuses the CONNECT
        assert run.error.startswith(
            f"the proxy refused the connection to {dify.tls_base_url}/chat-messages (Tunnel connection failed: 403"
        )
    assert "SSRF_PROXY_ALLOW_PRIVATE_IPS" in run.error and "port 443" in run.error


def test_a_wrong_base_url_is_not_taken_for_a_stale_conversation(dify) -> None:
    callee = add_app(dify, "agent")
    code = render_code(template="conversation", base_url=dify.base_url[: -len("/v1")] + "/v2")
    run = run_snippet(dify, callee, code, conversation_id=SOMEONE_ELSES)
    assert run.error.startswith(
        "HTTP 404 not_found: The requested URL was not found on the server.. Hint: check base_url"
    )
    assert [path for path, auth in dify.hits if auth == f"Bearer {callee.key}"] == ["/v2/chat-messages"], "no retry"
