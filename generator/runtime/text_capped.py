"""Adding to a streamed answer that must fit max_answer_chars: past it, the node fails (text_cut.py: it cuts)."""

from generator.runtime.limits import _too_long
from generator.runtime.pieces import _keep
from generator.runtime.snippet import _MAX_ANSWER_CHARS, _Reply


def _add(reply: _Reply, text: str) -> None:
    reply.length += len(text)
    if reply.length > _MAX_ANSWER_CHARS:
        raise _too_long("the answer")
    _keep(reply, text)
