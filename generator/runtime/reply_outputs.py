"""What a workflow app's reply loses when its stream ends early: outputs come only at the end."""

from generator.runtime.snippet import _Reply


def _what_was_lost(reply: _Reply) -> str:
    return "the run's outputs never arrived"
