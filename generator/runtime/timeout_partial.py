"""A time budget that runs out returns what came, with status 'timeout' (on_timeout = 'partial')."""

from generator.runtime.snippet import _Reply


def _timed_out(reply: _Reply) -> None:
    """Mark the reply as cut by the time budget: main() returns what it holds."""
    reply.status = "timeout"
