"""What a text app's stream carries on any route: moderation's replacement, and a workflow's events."""

from generator.runtime.events import _answer_of
from generator.runtime.run_finished import _run_finished
from generator.runtime.snippet import _Reply
from generator.runtime.text import _replace


def _take_text_event(kind: object, event: dict, reply: _Reply) -> None:
    if kind == "message_replace":
        # Output moderation replaced the whole answer so far.
        _replace(reply, _answer_of(event))
    elif kind == "workflow_finished":
        _run_finished(event, reply)
    elif kind == "text_chunk":
        reply.foreign = "workflow"
