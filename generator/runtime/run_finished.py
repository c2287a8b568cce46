"""A workflow run's end in the stream of an app that answers in text: it failed, or the key is a workflow's."""

from generator.runtime.events import _check_run_status, _object
from generator.runtime.snippet import _Reply


def _run_finished(event: dict, reply: _Reply) -> None:
    _check_run_status(_object(event.get("data")))
    reply.foreign = "workflow"
