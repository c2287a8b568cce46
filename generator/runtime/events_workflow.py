"""The events a workflow app's stream carries besides its end: only another kind of app's text, which says so."""

from generator.runtime.snippet import _Reply


def _take(kind: object, event: dict, reply: _Reply) -> None:
    if kind in ("message", "agent_message", "message_end"):
        reply.foreign = "agent" if kind == "agent_message" else reply.foreign or "chat"
