"""Why a stream ended before its last event, as the error main() reports."""

from generator.runtime.errors import _DifyCallError
from generator.runtime.events import _wrong_kind
from generator.runtime.pause_fails import _pause_error
from generator.runtime.reply_text import _what_was_lost
from generator.runtime.snippet import _TERMINAL_EVENT, _Reply


def _ended_early(reply: _Reply) -> _DifyCallError:
    """Why a stream ended before its last event: a pause for human input, the stream of another
    kind of app, or a cut connection."""
    if reply.human_input is not None:
        return _pause_error(reply)
    if reply.foreign:
        return _wrong_kind(reply.foreign)
    return _DifyCallError(
        "the stream ended before the called app said it was done (no "
        f"{_TERMINAL_EVENT} event): the connection was cut, and "
        + _what_was_lost(reply)
    )


def _broke_mid_stream(error: Exception, reply: _Reply) -> str:
    """One line for a connection that broke after the stream began."""
    return (
        f"the connection broke mid-stream ({type(error).__name__}: {error}); "
        + _what_was_lost(reply)
    )
