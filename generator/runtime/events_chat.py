"""The events of an agent, chat or chatflow app's stream besides its end: on the chat route, any of them answers."""

from generator.runtime.events import _answer_of
from generator.runtime.events_text import _take_text_event
from generator.runtime.snippet import _Reply
from generator.runtime.text import _add_message
from generator.runtime.text_capped import _add


def _take(kind: object, event: dict, reply: _Reply) -> None:
    # Agent, chat and chatflow apps all answer on this route: read whichever text they send.
    if kind == "agent_message":
        reply.agent_text_seen = True
        _add(reply, _answer_of(event))
    elif kind == "message":
        _add_message(reply, _answer_of(event))
    else:
        _take_text_event(kind, event, reply)
