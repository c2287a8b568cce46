"""The events a completion app's stream carries besides its end, and the other apps' that say the key is theirs."""

from generator.runtime.events import _answer_of
from generator.runtime.run_finished import _run_finished
from generator.runtime.snippet import _Reply
from generator.runtime.text import _replace
from generator.runtime.text_capped import _add


def _take(kind: object, event: dict, reply: _Reply) -> None:
    if kind == "message":
        _add(reply, _answer_of(event))
    elif kind == "agent_message":
        reply.foreign = "agent"
    elif kind == "message_replace":
        # Output moderation replaced the whole answer so far.
        _replace(reply, _answer_of(event))
    elif kind == "workflow_finished":
        _run_finished(event, reply)
    elif kind == "text_chunk":
        reply.foreign = "workflow"
