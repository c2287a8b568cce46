"""The answer without <think> blocks, and what they held, each cut to max_answer_chars with a marker."""

from generator.runtime.limits import _fit
from generator.runtime.pieces import _joined
from generator.runtime.reasoning import _split_reasoning
from generator.runtime.snippet import _Reply


def _answer(reply: _Reply) -> str:
    return _fit(_split_reasoning(_joined(reply))[0])


def _reasoning(reply: _Reply) -> str:
    return _fit(_split_reasoning(_joined(reply))[1])
