"""The events a completion app's stream carries besides its end, and the other apps' that say the key is theirs."""

from generator.runtime.events import _answer_of
from generator.runtime.events_text import _take_text_event
from generator.runtime.snippet import _Reply
from generator.runtime.text_capped import _add


def _take(kind: object, event: dict, reply: _Reply) -> None:
    if kind == "message":
        _add(reply, _answer_of(event))
    elif kind == "agent_message":
        reply.foreign = "agent"
    else:
        _take_text_event(kind, event, reply)
