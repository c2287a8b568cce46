"""The shared runtime's checks and readers, tested as Python: typed inputs, limits, events, reasoning, ids, transport.

Generated files hold this very code (the templates emit it by name from generator/runtime/);
tests/test_runtime.py runs it inside whole Code nodes, these tests pin each part's decisions.
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import uuid

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from generator.runtime import (
    answer,
    answer_cut,
    answer_reasoned,
    answer_reasoned_cut,
    connection,
    connection_local,
    conversation,
    ended,
    events,
    events_chat,
    events_completion,
    events_workflow,
    hints,
    hints_completion,
    http_node,
    inputs,
    limits,
    pause_fails,
    pause_returns,
    pieces,
    reasoning,
    reasoning_only,
    reply_outputs,
    reply_text,
    request,
    run_finished_chatflow,
    stop,
    text,
    text_capped,
    text_cut,
    transport_plain,
    transport_tls,
    usage,
)
from generator.runtime.errors import _DifyCallError
from generator.runtime.snippet import _Reply

# --- typed inputs (Dify's _validate_inputs, before the call) ---


@pytest.mark.parametrize(
    ("value", "expected"),
    [(3, 3), (2.5, 2.5), ("7", 7), ("7.5", 7.5), ("-2", -2)],
)
def test_a_number_input_takes_numbers_and_their_text(value: object, expected: object) -> None:
    assert inputs._number("n", value) == expected
    assert type(inputs._number("n", value)) is type(expected)


@pytest.mark.parametrize("value", [True, None, "seven", "", [1], {"a": 1}])
def test_a_number_input_refuses_anything_else_naming_it(value: object) -> None:
    with pytest.raises(inputs._InputError, match=r"^input n must be a number, not "):
        inputs._number("n", value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(True, True), (False, False), (" Yes ", True), ("off", False), ("1", True), (0, False), (1.0, True)],
)
def test_a_checkbox_takes_what_dify_reads_as_a_boolean(value: object, expected: bool) -> None:
    assert inputs._checkbox("ok", value) is expected


@pytest.mark.parametrize("value", ["maybe", 2, None, [True]])
def test_a_checkbox_refuses_anything_else(value: object) -> None:
    with pytest.raises(inputs._InputError, match="^input ok must be true or false"):
        inputs._checkbox("ok", value)


def test_text_inputs_check_type_length_and_options() -> None:
    assert inputs._text("t", "hi") == "hi"
    assert inputs._limited_text("t", "12345", 5) == "12345"
    assert inputs._select("lang", "de", ("en", "de")) == "de"
    with pytest.raises(inputs._InputError, match="^input t must be text, not int$"):
        inputs._text("t", 3)
    with pytest.raises(inputs._InputError, match="^input t is 6 characters; the called app takes 5 at most$"):
        inputs._limited_text("t", "123456", 5)
    with pytest.raises(inputs._InputError, match="^input lang is 'fr'; the called app takes one of: en, de$"):
        inputs._select("lang", "fr", ("en", "de"))
    with pytest.raises(inputs._InputError, match="^input t is required by the called app"):
        inputs._required("t", "")
    assert inputs._required("t", 0) == 0  # only None and "" are missing


def test_a_json_object_input_takes_an_object_or_its_text() -> None:
    assert inputs._json_object("o", {"a": 1}) == {"a": 1}
    assert inputs._json_object("o", '{"a": [1]}') == {"a": [1]}
    with pytest.raises(inputs._InputError, match="^input o must be a JSON object; its text isn't JSON$"):
        inputs._json_object("o", "{")
    with pytest.raises(inputs._InputError, match="^input o must be an object, not list$"):
        inputs._json_object("o", "[1]")
    with pytest.raises(inputs._InputError, match="^input o is JSON nested too deeply to read$"):
        inputs._json_object("o", "[" * 100_000 + "]" * 100_000)


@pytest.mark.parametrize(
    ("file", "expected"),
    [
        (
            {"type": "image", "transfer_method": "local_file", "related_id": "u1"},
            {"type": "image", "transfer_method": "local_file", "upload_file_id": "u1"},
        ),
        (
            {"type": "document", "transfer_method": "tool_file", "related_id": "t1"},
            {"type": "document", "transfer_method": "tool_file", "tool_file_id": "t1"},
        ),
        (
            {"transfer_method": "remote_url", "remote_url": "https://x.example/a.png"},
            {"type": "custom", "transfer_method": "remote_url", "url": "https://x.example/a.png"},
        ),
        (
            {"type": "image", "transfer_method": "local_file", "url": "http://files/a.png"},
            {"type": "image", "transfer_method": "remote_url", "url": "http://files/a.png"},
        ),
    ],
)
def test_a_file_is_passed_on_by_its_id_or_its_url(file: dict, expected: dict) -> None:
    assert inputs._file("f", file) == expected


def test_files_are_checked_one_by_one_naming_the_item() -> None:
    good = {"transfer_method": "local_file", "related_id": "u1"}
    assert len(inputs._files("fs", [good, good])) == 2
    with pytest.raises(inputs._InputError, match=r"^input fs\[1\] must be a file"):
        inputs._files("fs", [good, "x"])
    with pytest.raises(inputs._InputError, match="^input fs has 3 files; the called app takes 2 at most$"):
        inputs._limited_files("fs", [good] * 3, 2)
    with pytest.raises(inputs._InputError, match="^input f: a local_file file without an id or URL"):
        inputs._file("f", {"transfer_method": "local_file"})


# --- the answer's limits ---


@pytest.fixture
def limit(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(limits, "_MAX_ANSWER_CHARS", 40)
    monkeypatch.setattr(limits, "_TRUNCATION_MARKER", "[cut]")
    return 40


@given(text=st.text(max_size=30) | st.text(min_size=38, max_size=120))
@example(text="x" * 40)
@example(text="x" * 41)
def test_fit_keeps_what_fits_and_cuts_the_rest_to_the_limit_with_its_marker(text: str) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(limits, "_MAX_ANSWER_CHARS", 40)
        patch.setattr(limits, "_TRUNCATION_MARKER", "[cut]")
        fitted = limits._fit(text)
    if len(text) <= 40:
        assert fitted == text
    else:
        assert len(fitted) == 40 and fitted == text[:35] + "[cut]"


def test_too_long_says_what_and_how_to_raise_the_limit(limit: int) -> None:
    error = limits._too_long("the answer")
    assert isinstance(error, _DifyCallError)
    assert str(error).startswith("the answer is longer than 40 characters")
    assert "max_answer_chars" in str(error) and "on_oversize = 'truncate'" in str(error)
    assert limits._within_limit("x" * 40, "summary") == "x" * 40
    with pytest.raises(_DifyCallError, match="^the called workflow's output 'summary' is longer than 40"):
        limits._within_limit("x" * 41, "summary")


# --- a streamed answer: its pieces, adding, replacing, and the answer main() returns ---


def _reply_of(*texts: str) -> _Reply:
    reply = _Reply()
    for piece in texts:
        pieces._keep(reply, piece)
        reply.length += len(piece)
    return reply


def test_pieces_are_kept_in_order_and_joined_a_hundred_at_a_time() -> None:
    reply = _reply_of(*(str(index % 10) for index in range(2500)))
    assert len(reply.blocks) == 24 and all(len(block) == 101 for block in reply.blocks) and len(reply.pieces) == 76
    assert pieces._joined(reply) == "".join(str(index % 10) for index in range(2500))


@pytest.mark.usefixtures("limit")
def test_an_answer_that_must_fit_fails_one_character_past_the_limit(monkeypatch) -> None:
    monkeypatch.setattr(text_capped, "_MAX_ANSWER_CHARS", 40)
    reply = _Reply()
    text_capped._add(reply, "x" * 30)
    text_capped._add(reply, "y" * 10)
    assert pieces._joined(reply) == "x" * 30 + "y" * 10 and reply.length == 40
    with pytest.raises(_DifyCallError, match="^the answer is longer than 40 characters"):
        text_capped._add(reply, "z")


def test_an_answer_that_is_cut_stops_keeping_pieces_past_the_limit_but_counts_them(monkeypatch) -> None:
    monkeypatch.setattr(text_cut, "_MAX_ANSWER_CHARS", 40)
    reply = _Reply()
    for piece in ("x" * 30, "y" * 20, "z" * 5):
        text_cut._add(reply, piece)
    assert pieces._joined(reply) == "x" * 30 + "y" * 20  # the piece that crossed the limit is kept, later ones not
    assert reply.length == 55


def test_moderation_replaces_the_answer_and_its_length() -> None:
    reply = _reply_of(*(["bad "] * 1500))
    text._replace(reply, "[removed]")
    assert pieces._joined(reply) == "[removed]" and reply.length == 9 and reply.blocks == []


@pytest.mark.parametrize(
    ("agent_text_seen", "message", "expected"),
    [
        (True, "Hello world", "Hello world"),  # a New Agent's closing message: the whole answer, taken once
        (True, "Bye", "Hello wBye"),  # not a repeat of the answer: appended
        (False, "Hello world", "Hello wHello world"),  # a chat app's message pieces: appended
    ],
)
def test_a_message_after_agent_text_replaces_it_only_when_it_repeats_it(
    agent_text_seen: bool, message: str, expected: str
) -> None:
    reply = _reply_of("Hello", " w")
    reply.agent_text_seen = agent_text_seen
    text._add_message(reply, message)
    assert pieces._joined(reply) == expected and reply.length == len(expected)


def test_the_answer_readers_return_the_text_whole_cut_or_without_think_blocks(monkeypatch) -> None:
    monkeypatch.setattr(limits, "_MAX_ANSWER_CHARS", 20)
    monkeypatch.setattr(limits, "_TRUNCATION_MARKER", "[cut]")
    reply = _reply_of("<think>plan ", "it all out</think>", "The answer is forty-two.")
    whole = "<think>plan it all out</think>The answer is forty-two."
    assert answer._answer(reply) == whole
    assert answer_cut._answer(reply) == whole[:15] + "[cut]"
    assert (answer_reasoned._answer(reply), answer_reasoned._reasoning(reply)) == (
        "The answer is forty-two.",
        "plan it all out",
    )
    assert (answer_reasoned_cut._answer(reply), answer_reasoned_cut._reasoning(reply)) == (
        "The answer is f[cut]",
        "plan it all out",
    )


# --- usage, and an answer that was all reasoning ---


def test_a_messages_usage_keeps_its_numbers_and_texts_sorted_and_nothing_else() -> None:
    event = {
        "event": "message_end",
        "metadata": {"usage": {"total_tokens": 30, "currency": "USD", "latency": 1.5, "flag": True, "nested": {}}},
    }
    assert usage._message_usage(event) == {"currency": "USD", "latency": 1.5, "total_tokens": 30}
    assert list(usage._message_usage(event)) == ["currency", "latency", "total_tokens"]
    for broken in ({}, {"metadata": None}, {"metadata": {"usage": "lots"}}, {"metadata": []}):
        assert usage._message_usage(broken) == {}


def test_a_runs_usage_keeps_its_three_totals_where_they_are_numbers() -> None:
    data = {"elapsed_time": 0.5, "total_steps": 3, "total_tokens": True, "status": "succeeded", "outputs": {}}
    assert usage._run_usage(data) == {"elapsed_time": 0.5, "total_steps": 3}
    assert usage._run_usage({"total_tokens": "12"}) == {}


def test_an_answer_of_reasoning_alone_fails_and_one_with_an_answer_or_nothing_does_not() -> None:
    reply = _reply_of("<think>all plan, no answer</think>")
    reply.answer = answer_reasoned._answer(reply)
    with pytest.raises(_DifyCallError, match=r"^the called app's answer was all reasoning .*reasoning = 'keep'"):
        reasoning_only._refuse_all_reasoning(reply)
    for answered in (_reply_of("<think>plan</think>Yes."), _reply_of()):
        answered.answer = answer_reasoned._answer(answered)
        reasoning_only._refuse_all_reasoning(answered)  # an answer, or an empty stream: not this error


# --- the events of each kind of app's stream besides its end ---


def _taken(take, events: list[dict]) -> _Reply:
    reply = _Reply()
    for event in events:
        take(event.get("event"), event, reply)
    return reply


def test_the_chat_route_takes_agent_and_chat_text_and_a_new_agents_closing_message_once() -> None:
    reply = _taken(
        events_chat._take,
        [
            {"event": "agent_message", "answer": "Hel"},
            {"event": "agent_message", "answer": "lo"},
            {"event": "ping"},
            {"event": "message", "answer": "Hello"},
        ],
    )
    assert pieces._joined(reply) == "Hello" and reply.agent_text_seen and reply.foreign == ""
    moderated = _taken(
        events_chat._take, [{"event": "message", "answer": "bad"}, {"event": "message_replace", "answer": "ok"}]
    )
    assert pieces._joined(moderated) == "ok"


@pytest.mark.parametrize("take", [events_chat._take, events_completion._take], ids=["chat", "completion"])
def test_a_text_app_takes_a_workflows_events_as_a_workflow_keys_and_a_failed_run_as_a_failure(take) -> None:
    assert _taken(take, [{"event": "text_chunk", "data": {"text": "x"}}]).foreign == "workflow"
    finished = {"event": "workflow_finished", "data": {"status": "succeeded", "outputs": {}}}
    assert _taken(take, [finished]).foreign == "workflow"
    with pytest.raises(_DifyCallError, match="^the called app's run ended with status 'failed': boom"):
        _taken(take, [{"event": "workflow_finished", "data": {"status": "failed", "error": "boom"}}])


def test_a_chatflows_own_run_ending_is_not_another_kind_of_app_unless_it_failed() -> None:
    reply = _Reply()
    run_finished_chatflow._run_finished({"event": "workflow_finished", "data": {"status": "succeeded"}}, reply)
    assert reply.foreign == ""
    with pytest.raises(_DifyCallError, match="status 'stopped'"):
        run_finished_chatflow._run_finished({"data": {"status": "stopped"}}, reply)


def test_a_completion_app_notes_an_agents_text_as_foreign_and_keeps_its_own() -> None:
    reply = _taken(
        events_completion._take, [{"event": "agent_message", "answer": "x"}, {"event": "message", "answer": "y"}]
    )
    assert reply.foreign == "agent" and pieces._joined(reply) == "y"


def test_a_workflow_app_notes_which_text_app_answered_instead() -> None:
    assert _taken(events_workflow._take, [{"event": "message"}, {"event": "message_end"}]).foreign == "chat"
    assert _taken(events_workflow._take, [{"event": "message"}, {"event": "agent_message"}]).foreign == "agent"
    assert _taken(events_workflow._take, [{"event": "agent_message"}, {"event": "message"}]).foreign == "agent"
    assert _taken(events_workflow._take, [{"event": "node_started"}, {"event": "text_chunk"}]).foreign == ""


def test_an_error_event_is_one_line_with_its_status_code_and_hint() -> None:
    error = events._failed_mid_stream(
        {"event": "error", "status": 500, "code": "completion_request_error", "message": "quota\nexceeded"}
    )
    assert isinstance(error, _DifyCallError)
    assert str(error).startswith("the called app failed mid-stream: HTTP 500 completion_request_error: quota")
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    ("event", "says"),
    [
        (
            {"code": "rate_limit_error", "message": "quota"},
            "rate_limit_error: quota. Hint: the called app's quota is used up; retrying won't help until it resets",
        ),
        ({"message": "the model went away"}, "the model went away"),
        ({"status": "", "code": "internal_error"}, "internal_error"),
        ({}, "no details given"),
    ],
)
def test_an_error_event_without_a_status_says_what_it_has(event: dict, says: str) -> None:
    assert str(events._failed_mid_stream({"event": "error", **event})) == f"the called app failed mid-stream: {says}"


# --- what events carry ---


@pytest.mark.parametrize("status", ["succeeded", "partial-succeeded"])
def test_a_run_that_succeeded_even_partly_is_a_success(status: str) -> None:
    events._check_run_status({"status": status})


@pytest.mark.parametrize(("status", "says"), [("failed", "'failed': boom"), ("stopped", "'stopped': no error message")])
def test_a_run_that_failed_or_stopped_fails_naming_its_status(status: str, says: str) -> None:
    data = {"status": status, "error": "boom" if status == "failed" else None}
    with pytest.raises(_DifyCallError, match=f"^the called app's run ended with status {says}$"):
        events._check_run_status(data)


def test_a_pause_is_read_from_data_its_first_reason_or_the_event_and_the_first_value_stays() -> None:
    first = events._pause_of(
        {"event": "human_input_required", "data": {"node_title": "Approve", "form_token": "tok-1"}}, {}
    )
    later = events._pause_of(
        {"event": "workflow_paused", "data": {"reasons": [{"form_token": "tok-2", "workflow_run_id": "run-9"}]}},
        first,
    )
    assert later == {"node_title": "Approve", "node_id": "", "form_token": "tok-1", "workflow_run_id": "run-9"}
    assert events._pause_of({"data": None, "node_id": "n1", "reasons": "x"}, {})["node_id"] == "n1"
    line = events._pause_line(later)
    assert line.startswith("the called app paused for human input at node 'Approve' (form_token tok-1, ")
    assert "workflow_run_id run-9" in line and "POST /v1/form/human_input/<form_token>" in line
    emailed = events._pause_line({"node_title": "", "node_id": "", "form_token": "", "workflow_run_id": ""})
    assert "'(unnamed)'" in emailed and "form_token none: the form went out by email" in emailed


@pytest.mark.parametrize(("answer", "expected"), [("hi", "hi"), ("", ""), (None, "")])
def test_an_events_answer_is_its_text(answer: object, expected: str) -> None:
    assert events._answer_of({"event": "message", "answer": answer}) == expected


def test_an_answer_that_is_not_text_is_named_by_its_event() -> None:
    with pytest.raises(_DifyCallError, match="^the stream's agent_message event has an answer that is not text$"):
        events._answer_of({"event": "agent_message", "answer": 3})
    assert events._object(None) == {} and events._object([1]) == {} and events._object({"a": 1}) == {"a": 1}


def test_a_declared_workflow_output_is_checked_for_presence_and_type() -> None:
    is_number = lambda value: isinstance(value, (int, float)) and not isinstance(value, bool)  # noqa: E731
    assert events._declared_output({"n": 2}, "n", "number", is_number, 0) == 2
    assert events._declared_output({"n": None}, "n", "number", is_number, 0) == 0
    with pytest.raises(_DifyCallError, match=r"^the called workflow has no output 'n' \(it returned: a, b\)"):
        events._declared_output({"b": 1, "a": 2}, "n", "number", is_number, 0)
    with pytest.raises(_DifyCallError, match="^the called workflow's output 'n' is str, not the declared number"):
        events._declared_output({"n": "2"}, "n", "number", is_number, 0)


# --- reasoning ---


@pytest.mark.parametrize(
    ("text", "answer", "thoughts"),
    [
        ("plain", "plain", ""),
        ("<think>why</think>\nBecause.", "Because.", "why"),
        ("<THINK a='1'>x</Think>a<think>y</think>b", "ab", "x\ny"),
        ("Answer<think>still thinking", "Answer", "still thinking"),
        ("<think>all of it</think>", "", "all of it"),
    ],
)
def test_reasoning_is_split_as_difys_llm_node_splits_it(text: str, answer: str, thoughts: str) -> None:
    assert reasoning._split_reasoning(text) == (answer, thoughts)


@given(text=st.text().filter(lambda text: "<think" not in text.lower()))
def test_a_text_without_think_blocks_is_the_answer_as_it_is(text: str) -> None:
    assert reasoning._split_reasoning(text) == (text, "")


# --- conversation ids and request text ---


@given(value=st.uuids().map(str) | st.text(max_size=40))
def test_a_conversation_id_is_what_uuid_takes(value: str) -> None:
    try:
        uuid.UUID(value)
        takes = True
    except ValueError:
        takes = False
    assert conversation._is_uuid(value) is takes


def test_an_id_that_is_no_uuid_is_named_with_what_to_do() -> None:
    line = conversation._not_a_conversation_id("abc")
    assert line.startswith("conversation_id 'abc' is not a conversation id")
    assert "restart_stale_conversation = true" in line


@pytest.mark.parametrize("user", [None, "", 7, ["u"]])
def test_a_user_that_is_no_id_fails_on_either_route_naming_the_input(user: object) -> None:
    line = f"input user is {user!r:.40}, not an end user's id: map it to sys.user_id"
    with pytest.raises(_DifyCallError) as code_route:
        request._user(user)
    with pytest.raises(SystemExit) as http_route:
        http_node._user(user)
    assert str(code_route.value) == str(http_route.value) == line
    assert request._user("workflow-u1") == http_node._user("workflow-u1") == "workflow-u1"


def test_a_lone_surrogate_is_shown_where_it_sits() -> None:
    text = '{"query": "caf\udce9 au lait"}'
    try:
        text.encode()
    except UnicodeEncodeError as error:
        line = request._not_unicode(text, error)
    assert line.startswith("the request can't be sent: '\\udce9' after '{\"query\": \"caf' is half of a UTF-16")


# --- transport ---


@pytest.mark.parametrize(("module", "scheme"), [(transport_plain, "http"), (transport_tls, "https")])
def test_the_proxy_comes_from_the_schemes_variable_unless_no_proxy_skips_it(
    monkeypatch: pytest.MonkeyPatch, module, scheme: str
) -> None:
    for name in ("http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    url = module.urllib.parse.urlsplit(f"{scheme}://api.example/v1/chat-messages")
    assert module._proxy_for(url) is None
    other = "https" if scheme == "http" else "http"
    monkeypatch.setenv(f"{other.upper()}_PROXY", "http://wrong:1")
    assert module._proxy_for(url) is None
    monkeypatch.setenv(f"{scheme.upper()}_PROXY", "ssrf_proxy:3128")  # no scheme: http:// is meant
    proxy = module._proxy_for(url)
    assert (proxy.scheme, proxy.hostname, proxy.port) == ("http", "ssrf_proxy", 3128)
    monkeypatch.setenv("NO_PROXY", "api.example")
    assert module._proxy_for(url) is None


def test_plain_http_through_a_proxy_sends_the_whole_address(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "no_proxy", "HTTP_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    deadline = 1e12
    direct, target = transport_plain._connect("http://api:5001/v1/chat-messages", deadline)
    assert (direct.host, direct.port, target) == ("api", 5001, "/v1/chat-messages")
    monkeypatch.setenv("HTTP_PROXY", "http://ssrf_proxy:3128")
    proxied, target = transport_plain._connect("http://api:5001/v1/chat-messages", deadline)
    assert (proxied.host, proxied.port, target) == ("ssrf_proxy", 3128, "http://api:5001/v1/chat-messages")


def test_https_through_a_proxy_tunnels_to_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("https_proxy", "no_proxy", "HTTPS_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "http://ssrf_proxy:3128")
    connection, target = transport_tls._connect("https://api.dify.ai/v1/chat-messages", 1e12)
    assert (connection.host, connection.port, target) == ("ssrf_proxy", 3128, "/v1/chat-messages")
    assert (connection._tunnel_host, connection._tunnel_port) == ("api.dify.ai", 443)
    assert transport_tls._tls_context().verify_mode == transport_tls.ssl.CERT_REQUIRED


# --- another kind of app, and stopping a task ---


@pytest.mark.parametrize(("kind", "article"), [("agent", "an"), ("workflow", "a"), ("chat", "a")])
def test_the_wrong_kind_names_both_kinds(monkeypatch: pytest.MonkeyPatch, kind: str, article: str) -> None:
    monkeypatch.setattr(events, "_APP", "completion")
    message = str(events._wrong_kind(kind))
    assert message.startswith(f"the called app streamed as {article} {kind} app, not as the completion app")
    assert f'set app = "{kind}" in the spec' in message


class _StopRecorder(http.server.BaseHTTPRequestHandler):
    seen: list = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.path, self.headers["Authorization"], json.loads(body)))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def stop_server(monkeypatch: pytest.MonkeyPatch):
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    server = http.server.HTTPServer(("127.0.0.1", 0), _StopRecorder)
    _StopRecorder.seen = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_timed_out_task_is_stopped_at_the_stop_url(monkeypatch: pytest.MonkeyPatch, stop_server: str) -> None:
    monkeypatch.setattr(stop, "_STOP_URL", f"{stop_server}/v1/workflows/tasks/")
    stop._stop_task("app-key", "user-1", "task-9", time.monotonic() + 5)
    stop._stop_task("app-key", "user-1", "", time.monotonic() + 5)  # no task yet: nothing to stop
    assert _StopRecorder.seen == [("/v1/workflows/tasks/task-9/stop", "Bearer app-key", {"user": "user-1"})]


def test_stopping_is_best_effort(monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    monkeypatch.setattr(stop, "_STOP_URL", f"http://127.0.0.1:{port}/v1/chat-messages/")
    stop._stop_task("app-key", "user-1", "task-9", time.monotonic() + 5)  # refused: no exception
    stop._stop_task("app-key", "user-1", "task-9", time.monotonic() - 1)  # out of time: no exception


# --- what an HTTP error's hint says (hints.py, hints_completion.py, conversation.py) ---


@pytest.fixture
def hinted(monkeypatch: pytest.MonkeyPatch):
    """hints._hint_for with a file's constants: the callee's URL and the 403 codes known."""
    monkeypatch.setattr(hints, "_URL", "https://api.example/v1/chat-messages")
    monkeypatch.setattr(hints, "_FORBIDDEN_HINTS", {"app_api_disabled": "turn API access on"})
    monkeypatch.setattr(hints, "_REQUIRED_INPUT_HINT", "add the input")
    return hints._hint_for


@pytest.mark.parametrize(
    ("status", "code", "message", "html", "expected"),
    [
        (403, "", "", True, "the sandbox's SSRF proxy refused https://api.example/v1/chat-messages"),
        (403, "app_api_disabled", "", False, "turn API access on"),
        (401, "unauthorized", "", False, "use the API key of the app you are calling"),
        (404, "not_found", "Conversation Not Exists.", False, "check base_url (https://api.example/v1/chat-messages"),
        (429, "too_many_requests", "", False, "retry later"),
        (429, "rate_limit_error", "", False, "quota is used up"),
        (400, "not_chat_app", "", False, "the key belongs to an app of another kind"),
        (400, "app_unavailable", "", False, "publish the called app"),
        (400, "invalid_param", "topic is required in input form", False, "add the input"),
        (400, "provider_not_initialize", "", False, "model provider's credentials"),
        (502, "", "", False, "the Dify API failed"),
        (400, "invalid_param", "something else", False, ""),
        ("?", "", "", False, ""),
    ],
)
def test_each_known_error_gets_its_hint(hinted, status, code: str, message: str, html: bool, expected: str) -> None:
    hint = hinted(status, code, message, html)
    assert expected in hint if expected else hint == ""


def test_a_completion_app_says_both_causes_of_app_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hints_completion, "_WRONG_KIND_CODE", "app_unavailable")
    assert hints_completion._kind_hint("app_unavailable").startswith("check that the key is a completion app's")
    assert hints_completion._kind_hint("not_chat_app") == ""
    assert hints._kind_hint("app_unavailable") == "publish the called app and check its model settings"


def test_a_conversation_that_does_not_heal_names_a_lost_conversation_on_404(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hints, "_URL", "https://api.example/v1/chat-messages")
    assert conversation._not_found_hint("Conversation Not Exists.").startswith(
        "the conversation belongs to another user"
    )
    assert conversation._not_found_hint("Not Found").startswith("check base_url (https://api.example/v1/chat-messages")
    assert hints._not_found_hint("Conversation Not Exists.").startswith("check base_url")


def test_one_line_joins_status_code_message_and_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hints, "_FORBIDDEN_HINTS", {})
    line = hints._one_line(401, "unauthorized", "Access  token\n is invalid", False)
    assert line.startswith("HTTP 401 unauthorized: Access token is invalid. Hint: use the API key")
    assert hints._one_line(418, "", "", False) == "HTTP 418"


# --- what a cut or failed connection says (connection.py, connection_local.py, reply_*.py) ---


def test_an_unreachable_app_is_named_and_localhost_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(connection, "_URL", "https://api.example/v1/chat-messages")
    monkeypatch.setattr(connection_local, "_URL", "http://localhost/v1/chat-messages")
    refused = ConnectionRefusedError(111, "Connection refused")
    assert connection._unreachable(refused) == (
        "could not reach https://api.example/v1/chat-messages (ConnectionRefusedError: [Errno 111] Connection refused)"
    )
    local = connection_local._unreachable(refused)
    assert local.startswith("could not reach http://localhost/v1/chat-messages (ConnectionRefusedError")
    assert "localhost is the sandbox itself" in local


def test_what_an_early_end_loses_depends_on_the_reply() -> None:
    class Received:
        length = 12

    assert reply_text._what_was_lost(Received()) == "the 12 characters received were discarded"
    assert reply_outputs._what_was_lost(object()) == "the run's outputs never arrived"  # a workflow's has no length


# --- a stream that ends early (ended.py, pause_fails.py, pause_returns.py) ---


class _EarlyReply:
    length = 7
    foreign = ""
    human_input = None


PAUSE = {"node_title": "Approve", "node_id": "n1", "form_token": "tok", "workflow_run_id": "run-1"}


def test_a_cut_stream_names_its_last_event_and_what_was_lost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ended, "_TERMINAL_EVENT", "workflow_finished")
    error = ended._ended_early(_EarlyReply())
    assert str(error) == (
        "the stream ended before the called app said it was done (no workflow_finished event): "
        "the connection was cut, and the 7 characters received were discarded"
    )


def test_an_early_end_after_another_kind_of_stream_names_that_kind() -> None:
    reply = _EarlyReply()
    reply.foreign = "agent"
    assert str(ended._ended_early(reply)).startswith("the called app streamed as an agent app")


def test_a_pause_fails_the_node_or_is_returned() -> None:
    reply = _EarlyReply()
    reply.human_input = PAUSE
    error = ended._ended_early(reply)  # ended.py's lint-time choice: the pause fails the node
    assert type(error) is _DifyCallError and "paused for human input at node 'Approve'" in str(error)
    returned = pause_returns._pause_error(reply)
    assert isinstance(returned, pause_returns._Paused) and returned.reply is reply
    assert str(returned) == str(pause_fails._pause_error(reply))
