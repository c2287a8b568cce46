"""The answer main() returns, cut to max_answer_chars with a visible marker (on_oversize = 'truncate')."""

from generator.runtime.limits import _fit
from generator.runtime.pieces import _joined
from generator.runtime.snippet import _Reply


def _answer(reply: _Reply) -> str:
    return _fit(_joined(reply))
