"""Reply building and error wording, tested directly: a variant's rendered runtime run as a module, its parts called.

_Reply and _apply_event are still written in templates/ (their branches follow the snippet's
options), so each test renders the variant it is about and calls the definitions in it, the
runtime functions they call included; tests/test_runtime.py runs the same code as whole Code nodes.
"""

from __future__ import annotations

from functools import cache
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.option_space import snippet

from generator.dify import FORBIDDEN_HINTS
from generator.rendering.templating import render_snippet
from generator.rendering.variant import variant_of


@cache
def _module(**options: object) -> SimpleNamespace:
    """The rendered file of a snippet with these options, run as a module (main() not called)."""
    namespace: dict = {"__name__": "variant"}
    exec(compile(render_snippet(variant_of(snippet(**options)), "snippets.toml"), "<variant>", "exec"), namespace)
    return SimpleNamespace(**namespace)


def _play(module: SimpleNamespace, events: list[dict]):
    reply = module._Reply()
    for event in events:
        if module._apply_event(event, reply):
            return reply, True
    return reply, False


texts = st.lists(st.text(max_size=20), max_size=12)


@settings(max_examples=60, deadline=None)
@given(chunks=texts, kind=st.sampled_from(["agent_message", "message"]))
def test_an_answer_is_its_chunks_joined_whatever_their_number_and_kind(chunks: list[str], kind: str) -> None:
    module = _module(app="agent", template="single")
    reply, done = _play(module, [{"event": kind, "answer": chunk} for chunk in chunks] + [{"event": "message_end"}])
    assert done and reply.answer == "".join(chunks) and reply.length == len("".join(chunks))


@settings(max_examples=60, deadline=None)
@given(chunks=st.lists(st.text(min_size=1, max_size=20), min_size=1, max_size=12))
def test_a_new_agents_closing_message_repeats_the_answer_and_is_not_added_twice(chunks: list[str]) -> None:
    module = _module(app="agent", template="single")
    whole = "".join(chunks)
    events = [{"event": "agent_message", "answer": chunk} for chunk in chunks]
    reply, done = _play(module, [*events, {"event": "message", "answer": whole}, {"event": "message_end"}])
    assert done and reply.answer == whole


def test_more_than_a_hundred_pieces_are_joined_in_blocks_and_lose_nothing() -> None:
    module = _module(app="chat", template="single")
    events = [{"event": "message", "answer": str(index % 10)} for index in range(2500)]
    reply, done = _play(module, [*events, {"event": "message_end"}])
    assert done and reply.answer == "".join(str(index % 10) for index in range(2500))
    assert len(reply.blocks) == 24 and len(reply.pieces) <= 100


def test_moderation_replaces_the_answer_so_far() -> None:
    module = _module(app="chat", template="single")
    events = [{"event": "message", "answer": "bad words"}, {"event": "message_replace", "answer": "[removed]"}]
    reply, done = _play(module, [*events, {"event": "message", "answer": "!"}, {"event": "message_end"}])
    assert done and reply.answer == "[removed]!"


def test_an_answer_over_the_limit_is_cut_with_the_marker_or_refused() -> None:
    cut = _module(app="chat", template="single", max_answer_chars=1000, on_oversize="truncate")
    reply, _ = _play(cut, [{"event": "message", "answer": "x" * 1500}, {"event": "message_end"}])
    assert len(reply.answer) == 1000 and reply.answer.endswith("longer than 1000 characters]")
    refused = _module(app="chat", template="single", max_answer_chars=1000, on_oversize="fail")
    reply, _ = _play(refused, [{"event": "message", "answer": "x" * 1000}, {"event": "message_end"}])
    assert reply.answer == "x" * 1000
    with pytest.raises(refused._DifyCallError, match="^the answer is longer than 1000 characters"):
        _play(refused, [{"event": "message", "answer": "x" * 1001}])


def test_the_ids_come_from_the_first_event_and_the_usage_from_message_end() -> None:
    module = _module(app="agent", template="conversation", extra_outputs=("message_id", "usage"))
    first = {"event": "agent_message", "answer": "a", "conversation_id": "c-1", "message_id": "m-1", "task_id": "t-1"}
    usage = {"total_tokens": 7, "currency": "USD", "flag": True, "nested": {}}
    end = {"event": "message_end", "metadata": {"usage": usage}, "conversation_id": "c-2"}
    reply, done = _play(module, [first, {"event": "agent_message", "answer": "b", "message_id": "m-2"}, end])
    assert done and (reply.conversation_id, reply.message_id, reply.task_id) == ("c-1", "m-1", "t-1")
    assert reply.usage == {"currency": "USD", "total_tokens": 7}  # no booleans, no objects


@pytest.mark.parametrize("app", ["chat", "agent", "chatflow"])
def test_a_stream_that_stops_early_says_why(app: str) -> None:
    module = _module(app=app, template="single")
    reply, done = _play(module, [{"event": "message", "answer": "half"}])
    assert not done
    assert str(module._ended_early(reply)) == (
        "the stream ended before the called app said it was done (no message_end event): the "
        "connection was cut, and the 4 characters received were discarded"
    )
    paused, _ = _play(module, [{"event": "human_input_required", "data": {"node_title": "OK?", "form_token": "t"}}])
    assert str(module._ended_early(paused)).startswith("the called app paused for human input at node 'OK?'")


def test_a_completion_node_fed_an_agents_stream_names_the_kind_it_saw() -> None:
    module = _module(app="completion", template="single")
    with pytest.raises(
        module._DifyCallError, match='streamed as an agent app, not as the completion app.*app = "agent"'
    ):
        _play(module, [{"event": "agent_message", "answer": "hi"}, {"event": "message_end"}])
    reply, done = _play(module, [{"event": "text_chunk", "data": {"text": "hi"}}])
    assert not done
    assert str(module._ended_early(reply)).startswith(
        "the called app streamed as a workflow app, not as the completion"
    )


def test_a_workflows_outputs_come_from_workflow_finished_and_a_failed_run_fails() -> None:
    module = _module(app="workflow", template="single", workflow_outputs=(("score", "number"),))
    finished = {"event": "workflow_finished", "data": {"status": "succeeded", "outputs": {"score": 0.5}}}
    reply, done = _play(module, [{"event": "workflow_started", "data": {}}, finished])
    assert done and reply.outputs == {"score": 0.5}
    failed = {"event": "workflow_finished", "data": {"status": "failed", "error": "node  crashed\n", "outputs": {}}}
    with pytest.raises(module._DifyCallError, match="^the called app's run ended with status 'failed': node crashed$"):
        _play(module, [failed])


def test_an_error_event_mid_stream_is_one_line_with_its_hint() -> None:
    module = _module(app="agent", template="single")
    with pytest.raises(module._DifyCallError) as raised:
        _play(module, [{"event": "error", "status": 429, "code": "too_many_requests", "message": "slow\n down"}])
    assert str(raised.value) == (
        "the called app failed mid-stream: HTTP 429 too_many_requests: slow down. Hint: the called "
        "app is running as many requests as it may; retry later"
    )


@pytest.mark.parametrize(
    ("status", "code", "message", "html", "hint"),
    [
        (404, "not_found", "Not Found", False, "check base_url (https://api.dify.ai/v1/chat-messages was not"),
        (
            400,
            "invalid_param",
            "topic is required in input form",
            False,
            "the called app requires that input: use template 'variables'",
        ),
        (502, "", "Bad Gateway", False, "the Dify API failed; try again"),
        (418, "teapot", "", False, None),
    ],
)
def test_each_error_reads_as_one_line_with_the_hint_that_fits(status, code, message, html, hint) -> None:
    """In a rendered file, with its own constants (each hint: tests/test_runtime_checks.py)."""
    module = _module(app="agent", template="single")
    line = module._one_line(status, code, message, html)
    assert line.startswith(f"HTTP {status}" + (f" {code}" if code else "") + (f": {message}" if message else ""))
    assert "\n" not in line
    if hint is None:
        assert "Hint" not in line
    else:
        assert line.split(". Hint: ", 1)[1].startswith(hint)


@pytest.mark.parametrize("code", sorted(FORBIDDEN_HINTS))
def test_each_forbidden_code_gets_its_own_hint(code: str) -> None:
    module = _module(app="chat", template="single")
    assert (
        module._one_line(403, code, "Forbidden", False) == f"HTTP 403 {code}: Forbidden. Hint: {FORBIDDEN_HINTS[code]}"
    )


def test_a_long_ragged_message_is_one_line_of_at_most_500_characters() -> None:
    module = _module(app="chat", template="single")
    line = module._one_line(400, "invalid_param", "word \n\t " * 400, False)
    assert "\n" not in line and "  " not in line
    assert len(line.split(": ", 1)[1]) == 500


def test_the_wrong_kind_hint_follows_the_app_kind() -> None:
    completion = _module(app="completion", template="single")
    assert "a completion app's" in completion._one_line(400, "app_unavailable", "", False)
    workflow = _module(app="workflow", template="single")
    assert "another kind" in workflow._one_line(400, "not_workflow_app", "", False)
