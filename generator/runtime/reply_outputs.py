"""What a workflow app's reply loses when its stream ends early: outputs come only at the end."""


def _what_was_lost(received: int) -> str:
    return "the run's outputs never arrived"
