"""A pause for human input fails the node (pause_returns.py: where it is returned as outputs)."""

from generator.runtime.errors import _DifyCallError
from generator.runtime.events import _pause_line
from generator.runtime.snippet import _Reply


def _pause_error(reply: _Reply) -> _DifyCallError:
    return _DifyCallError(_pause_line(reply.human_input))
