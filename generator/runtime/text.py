"""A streamed answer's other changes: output moderation's replacement, and a New Agent's closing message."""

from generator.runtime.pieces import _joined
from generator.runtime.snippet import _Reply
from generator.runtime.text_capped import _add


def _replace(reply: _Reply, text: str) -> None:
    """Output moderation replaced the whole answer so far."""
    reply.pieces = []
    reply.blocks = []
    reply.length = 0
    _add(reply, text)


def _add_message(reply: _Reply, text: str) -> None:
    """Add a `message` event's text, on the route where agent apps answer too."""
    # Dify 1.16+ agent apps end their agent_message chunks with one `message`
    # that holds the complete answer: take it instead of appending it.
    if reply.agent_text_seen and text.startswith(_joined(reply)):
        _replace(reply, text)
    else:
        _add(reply, text)
