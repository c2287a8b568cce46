"""Unit tests of the call to the called app: ask.py, send*.py, post.py, timeout_*.py, transport_*.py, buffered.py.

Each version of a function is tested as its own module holds it; `_post` talks to the Dify
emulator on 127.0.0.1. The generated files that combine them run in tests/test_runtime.py.
"""

from __future__ import annotations

import ssl
import time
import uuid

import pytest

from generator.emulator.apps import App
from generator.emulator.server import DifyEmulator
from generator.runtime import (
    ask,
    buffered,
    connection,
    ended,
    post,
    reply_outputs,
    send,
    send_conversation,
    send_restart,
    timeout_fails,
    timeout_partial,
    transport_plain,
    transport_tls,
)
from generator.runtime.errors import _DifyCallError, _OutOfTime, _StaleConversation
from generator.runtime.snippet import _Reply

GOOD_ID = str(uuid.UUID(int=7))


class _Posts:
    """Records each _post call's body; raises what it is given, one per call."""

    def __init__(self, *raises: Exception | None) -> None:
        self.bodies: list[dict] = []
        self.raises = list(raises)

    def __call__(self, api_key: str, body: dict, deadline: float, reply: _Reply) -> None:
        self.bodies.append(body)
        error = self.raises.pop(0) if self.raises else None
        if error is not None:
            raise error


# --- ask.py: the key, and the time budget ---


@pytest.mark.parametrize(
    ("key", "says"), [("", "api_key is empty"), (None, "api_key is empty"), ("app-ké", "not an API key")]
)
def test_a_missing_or_malformed_key_fails_before_anything_is_sent(monkeypatch, key, says: str) -> None:
    posts = _Posts()
    monkeypatch.setattr(ask, "_send", posts)
    with pytest.raises(_DifyCallError, match=says):
        ask._ask_dify_app(key, {"user": "u"})
    assert posts.bodies == []


def test_a_key_is_sent_without_the_spaces_around_it(monkeypatch) -> None:
    keys = []
    monkeypatch.setattr(ask, "_send", lambda api_key, body, deadline, reply: keys.append(api_key))
    reply = ask._ask_dify_app("  app-123\n", {"user": "u"})
    assert keys == ["app-123"] and isinstance(reply, _Reply)


@pytest.mark.parametrize("partial", [False, True])
def test_at_the_time_budget_the_task_is_stopped_then_the_timeout_decides(monkeypatch, partial: bool) -> None:
    def runs_out(api_key: str, body: dict, deadline: float, reply: _Reply) -> None:
        reply.task_id = "task-3"
        reply.length = 5
        raise _OutOfTime()

    stopped = []
    monkeypatch.setattr(ask, "_send", runs_out)
    monkeypatch.setattr(ask, "_stop_task", lambda *args: stopped.append(args[:3]))
    monkeypatch.setattr(ask, "_timed_out", timeout_partial._timed_out if partial else timeout_fails._timed_out)
    if partial:
        assert ask._ask_dify_app("app-1", {"user": "u-1"}).status == "timeout"
    else:
        with pytest.raises(_DifyCallError, match="and the 5 characters received were discarded"):
            ask._ask_dify_app("app-1", {"user": "u-1"})
    assert stopped == [("app-1", "u-1", "task-3")]


def test_a_failed_timeout_names_the_budget_what_was_lost_and_both_ways_out(monkeypatch) -> None:
    monkeypatch.setattr(timeout_fails, "_TIME_BUDGET_SECONDS", 13.5)
    reply = _Reply()
    reply.length = 12
    with pytest.raises(_DifyCallError) as failed:
        timeout_fails._timed_out(reply)
    assert str(failed.value) == (
        "the called app sent no complete answer within the 13.5 s time budget (self-hosted Dify "
        "kills code nodes at 15 s), and the 12 characters received were discarded. Raise "
        "time_budget if your sandbox allows more, or set on_timeout = 'partial'"
    )
    assert failed.value.__suppress_context__
    monkeypatch.setattr(timeout_fails, "_what_was_lost", reply_outputs._what_was_lost)
    with pytest.raises(_DifyCallError, match=r"at 15 s\), and the run's outputs never arrived\. Raise"):
        timeout_fails._timed_out(reply)


# --- send*.py: what a conversation's id does before the request ---


def test_an_app_without_conversations_sends_the_body_as_it_is(monkeypatch) -> None:
    posts = _Posts()
    monkeypatch.setattr(send, "_post", posts)
    body = {"user": "u", "query": "hi"}
    send._send("app-1", body, 0.0, _Reply())
    assert posts.bodies == [body]


@pytest.mark.parametrize("conversation_id", ["", GOOD_ID])
def test_a_conversation_id_that_dify_takes_is_sent_by_either_version(monkeypatch, conversation_id: str) -> None:
    for module in (send_conversation, send_restart):
        posts = _Posts()
        monkeypatch.setattr(module, "_post", posts)
        module._send("app-1", {"user": "u", "conversation_id": conversation_id}, 0.0, _Reply())
        assert posts.bodies == [{"user": "u", "conversation_id": conversation_id}]


def test_a_malformed_conversation_id_fails_or_starts_a_new_conversation(monkeypatch) -> None:
    posts = _Posts()
    monkeypatch.setattr(send_conversation, "_post", posts)
    with pytest.raises(_DifyCallError, match="conversation_id 'conv-1' is not a conversation id"):
        send_conversation._send("app-1", {"user": "u", "conversation_id": "conv-1"}, 0.0, _Reply())
    assert posts.bodies == []
    monkeypatch.setattr(send_restart, "_post", posts)
    send_restart._send("app-1", {"user": "u", "conversation_id": "conv-1"}, 0.0, _Reply())
    assert posts.bodies == [{"user": "u", "conversation_id": ""}]


def test_a_stale_conversation_is_retried_once_as_a_new_one_into_the_same_reply(monkeypatch) -> None:
    replies = []
    posts = _Posts(_StaleConversation(), None)
    monkeypatch.setattr(
        send_restart,
        "_post",
        lambda key, body, deadline, reply: (replies.append(reply), posts(key, body, deadline, reply)),
    )
    reply = _Reply()
    send_restart._send("app-1", {"user": "u", "conversation_id": GOOD_ID}, 0.0, reply)
    assert posts.bodies == [{"user": "u", "conversation_id": GOOD_ID}, {"user": "u", "conversation_id": ""}]
    assert replies == [reply, reply]
    other = _Posts(_DifyCallError("HTTP 401"))
    monkeypatch.setattr(send_restart, "_post", other)
    with pytest.raises(_DifyCallError, match="HTTP 401"):  # any other failure is not retried
        send_restart._send("app-1", {"user": "u", "conversation_id": GOOD_ID}, 0.0, _Reply())
    assert len(other.bodies) == 1


@pytest.mark.parametrize(
    ("status", "message", "conversation_id", "stale"),
    [
        (404, "Conversation Not Exists.", GOOD_ID, True),
        (404, "Conversation Not Exists.", "", False),  # a new conversation can't be stale
        (404, "The requested URL was not found on the server.", GOOD_ID, False),  # a wrong base_url
        (400, "conversation_id is invalid", GOOD_ID, False),
    ],
)
def test_only_a_404_for_the_conversation_heals(status: int, message: str, conversation_id: str, stale: bool) -> None:
    body = {"conversation_id": conversation_id}
    healing = send_restart._refusal(status, "not_found", message, False, body)
    assert isinstance(healing, _StaleConversation) is stale
    failing = post._refusal(status, "not_found", message, False, body)
    assert type(failing) is _DifyCallError and str(failing).startswith(f"HTTP {status} not_found: {message}")
    if not stale:
        assert str(healing) == str(failing)


# --- post.py: one request to the emulator ---


@pytest.fixture(scope="module")
def emulator():
    with DifyEmulator() as running:  # one per module: stopping one takes half a second
        yield running


@pytest.fixture
def dify(monkeypatch, emulator: DifyEmulator) -> DifyEmulator:
    for name in ("HTTP_PROXY", "http_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(post, "_URL", emulator.base_url + "/chat-messages")
    emulator.apps.clear()
    emulator.hits.clear()
    return emulator


def _soon() -> float:
    """A deadline no test reaches."""
    return time.monotonic() + 30


def _body(**more: object) -> dict:
    return {"inputs": {}, "query": "hi", "response_mode": "streaming", "user": "u-1", **more}


def test_a_request_streams_its_events_into_the_reply_until_the_last(monkeypatch, dify: DifyEmulator) -> None:
    dify.add(App(key="app-agent", mode="agent", answer="Hello there"))
    seen = []

    def apply(event: dict, reply: _Reply) -> bool:
        seen.append(event["event"])
        return event["event"] == "message_end"

    monkeypatch.setattr(post, "_apply_event", apply)
    post._post("app-agent", _body(), _soon(), _Reply())
    assert seen[-1] == "message_end" and "agent_message" in seen
    assert dify.hits == [("/v1/chat-messages", "Bearer app-agent")]


def test_a_stream_without_its_last_event_ended_early(monkeypatch, dify: DifyEmulator) -> None:
    dify.add(App(key="app-agent", mode="agent"))
    monkeypatch.setattr(post, "_apply_event", lambda event, reply: False)  # message_end never counts
    monkeypatch.setattr(ended, "_TERMINAL_EVENT", "message_end")
    with pytest.raises(_DifyCallError, match="no message_end event"):
        post._post("app-agent", _body(), _soon(), _Reply())


def test_a_refused_request_raises_what_its_refusal_says(monkeypatch, dify: DifyEmulator) -> None:
    dify.add(App(key="app-chat", mode="chat"))
    with pytest.raises(_DifyCallError, match="HTTP 401"):
        post._post("app-other", _body(), _soon(), _Reply())
    unknown = _body(conversation_id=GOOD_ID)
    with pytest.raises(_DifyCallError, match="HTTP 404 not_found: Conversation Not Exists"):
        post._post("app-chat", unknown, _soon(), _Reply())
    monkeypatch.setattr(post, "_refusal", send_restart._refusal)
    with pytest.raises(_StaleConversation):
        post._post("app-chat", unknown, _soon(), _Reply())


def test_a_body_that_utf8_cannot_encode_is_never_sent(dify: DifyEmulator) -> None:
    with pytest.raises(_DifyCallError, match="half of a UTF-16 surrogate pair"):
        post._post("app-agent", _body(query="caf\udce9"), _soon(), _Reply())
    assert dify.hits == []


def test_a_request_past_its_deadline_is_out_of_time(dify: DifyEmulator) -> None:
    dify.add(App(key="app-agent", mode="agent"))
    with pytest.raises(_OutOfTime):
        post._post("app-agent", _body(), 0.0, _Reply())  # the deadline passed long ago


# --- transport_*.py: a network failure as one line ---


@pytest.mark.parametrize("module", [transport_plain, transport_tls])
def test_a_network_failure_is_mid_stream_or_an_unreachable_app(monkeypatch, module) -> None:
    monkeypatch.setattr(connection, "_URL", "http://api.example/v1/chat-messages")
    reply = _Reply()
    reply.length = 9
    reset = ConnectionResetError(104, "Connection reset by peer")
    assert module._describe_transport_error(reset, True, reply) == (
        "the connection broke mid-stream (ConnectionResetError: [Errno 104] Connection reset by peer); "
        "the 9 characters received were discarded"
    )
    assert module._describe_transport_error(reset, False, reply) == connection._unreachable(reset)
    assert ended._broke_mid_stream(reset, reply) == module._describe_transport_error(reset, True, reply)


def test_https_names_an_unverified_certificate_and_a_refusing_proxy(monkeypatch) -> None:
    monkeypatch.setattr(transport_tls, "_URL", "https://api.example/v1/chat-messages")
    unverified = ssl.SSLCertVerificationError(1, "certificate verify failed")
    unverified.verify_message = "self-signed certificate"
    assert transport_tls._describe_transport_error(unverified, False, _Reply()) == (
        "the TLS certificate of https://api.example/v1/chat-messages could not be verified (self-signed certificate)"
    )
    refused = OSError("Tunnel connection failed: 403 Forbidden")
    line = transport_tls._describe_transport_error(refused, False, _Reply())
    assert line.startswith("the proxy refused the connection to https://api.example/v1/chat-messages (")
    assert "Hint: the sandbox's SSRF proxy refused" in line
    assert transport_plain._describe_transport_error(refused, False, _Reply()).startswith("could not reach")


# --- buffered.py: the HTTP-node route reads what the HTTP Request node buffered ---


def _applied(monkeypatch) -> list:
    """Patch buffered._apply_event to record each event; message_end completes the answer."""
    seen: list = []

    def apply(event: dict, reply: _Reply) -> bool:
        seen.append(event)
        return event.get("event") == "message_end"

    monkeypatch.setattr(buffered, "_apply_event", apply)
    return seen


def test_a_buffered_stream_is_read_to_its_last_event_and_a_cut_tail_is_ignored(monkeypatch) -> None:
    seen = _applied(monkeypatch)
    body = 'event: ping\n\ndata: {"event": "agent_message"}\n\ndata:{"event": "message_end"}\r\n\ndata: {"eve'
    assert isinstance(buffered._parse_buffered_stream(body, 200), _Reply)
    assert [event["event"] for event in seen] == ["agent_message", "message_end"]


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (
            '{"code": "unauthorized", "message": "Access token is invalid", "status": 401}',
            "HTTP 401 unauthorized: Access",
        ),
        ("<html><body>Forbidden</body></html>", "HTTP 401. Hint: "),
        ("upstream went away", "HTTP 401: upstream went away"),
    ],
)
def test_a_buffered_refusal_is_one_line_from_its_envelope_html_or_text(body: str, says: str) -> None:
    with pytest.raises(_DifyCallError) as refused:
        buffered._parse_buffered_stream(body, 401)
    assert str(refused.value).startswith(says)


def test_a_buffered_line_that_is_not_json_is_named(monkeypatch) -> None:
    _applied(monkeypatch)
    with pytest.raises(_DifyCallError, match="the stream sent a line that is not a JSON event: 'data: {oops'"):
        buffered._parse_buffered_stream("data: {oops\n\n", 200)


def test_a_buffered_stream_without_its_last_event_was_cut_by_the_limit_or_ended_early(monkeypatch) -> None:
    _applied(monkeypatch)
    monkeypatch.setattr(buffered, "_HTTP_NODE_MAX_BYTES", 8192)
    monkeypatch.setattr(ended, "_TERMINAL_EVENT", "message_end")
    near_the_limit = 'data: {"event": "agent_message"}\n\n' * 130  # 4,420 bytes: within 4 KiB of 8 KiB
    with pytest.raises(_DifyCallError, match="the HTTP Request node's 1 MiB limit cut the stream"):
        buffered._parse_buffered_stream(near_the_limit, 200)
    with pytest.raises(_DifyCallError, match="no message_end event"):
        buffered._parse_buffered_stream('data: {"event": "agent_message"}\n\n', 200)
