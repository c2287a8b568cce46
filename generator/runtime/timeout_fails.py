"""A time budget that runs out fails the node (timeout_partial.py: returns what came, on_timeout = 'partial')."""

from generator.runtime.errors import _DifyCallError
from generator.runtime.reply_text import _what_was_lost
from generator.runtime.snippet import _TIME_BUDGET_SECONDS, _Reply


def _timed_out(reply: _Reply) -> None:
    """Fail at the time budget, saying what was lost and how to get more time or the partial reply."""
    raise _DifyCallError(
        f"the called app sent no complete answer within the {_TIME_BUDGET_SECONDS:g} s time "
        "budget (self-hosted Dify kills code nodes at 15 s), and "
        + _what_was_lost(reply)
        + ". Raise time_budget if your sandbox allows more, or set on_timeout = 'partial'"
    ) from None
