"""Adding to a streamed answer that is cut at max_answer_chars (text_capped.py: one that fails past it)."""

from generator.runtime.pieces import _keep
from generator.runtime.snippet import _MAX_ANSWER_CHARS, _Reply


def _add(reply: _Reply, text: str) -> None:
    if reply.length <= _MAX_ANSWER_CHARS:  # past the limit only the length counts
        _keep(reply, text)
    reply.length += len(text)
