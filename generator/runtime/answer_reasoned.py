"""The answer main() returns without a reasoning model's <think> blocks, and what they held."""

from generator.runtime.pieces import _joined
from generator.runtime.reasoning import _split_reasoning
from generator.runtime.snippet import _Reply


def _answer(reply: _Reply) -> str:
    return _split_reasoning(_joined(reply))[0]


def _reasoning(reply: _Reply) -> str:
    return _split_reasoning(_joined(reply))[1]
