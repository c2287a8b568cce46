"""The answer main() returns: all the text the app streamed (answer_cut/_reasoned*.py: cut, or without <think>)."""

from generator.runtime.pieces import _joined
from generator.runtime.snippet import _Reply


def _answer(reply: _Reply) -> str:
    return _joined(reply)
