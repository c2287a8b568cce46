"""A chatflow's own workflow run ending before its message_end: only a failed run matters."""

from generator.runtime.events import _check_run_status, _object
from generator.runtime.snippet import _Reply


def _run_finished(event: dict, reply: _Reply) -> None:
    _check_run_status(_object(event.get("data")))
