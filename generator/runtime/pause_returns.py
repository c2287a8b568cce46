"""A pause for human input returned as outputs: main() catches _Paused and reports the form."""

from generator.runtime.errors import _DifyCallError
from generator.runtime.events import _pause_line
from generator.runtime.snippet import _Reply


class _Paused(_DifyCallError):
    """The called app paused for human input: main() returns the answer so far and the form."""

    def __init__(self, reply: "_Reply") -> None:
        super().__init__(_pause_line(reply.human_input))
        self.reply = reply


def _pause_error(reply: _Reply) -> _DifyCallError:
    return _Paused(reply)
