"""The code route's call: check the key, send the body, and keep to the time budget."""

import time

from generator.runtime.errors import _DifyCallError, _OutOfTime
from generator.runtime.send import _send
from generator.runtime.snippet import (
    _STOP_RESERVE_SECONDS,
    _TIME_BUDGET_SECONDS,
    _Reply,
)
from generator.runtime.stop import _stop_task
from generator.runtime.timeout_fails import _timed_out


def _ask_dify_app(api_key: str, body: dict) -> _Reply:
    """POST the body to the called app and collect its streamed reply within the time budget."""
    end = time.monotonic() + _TIME_BUDGET_SECONDS
    deadline = end - _STOP_RESERVE_SECONDS
    api_key = (api_key or "").strip()
    if not (api_key and api_key.isascii() and api_key.isprintable()):
        raise _DifyCallError(
            f"api_key is {'not an API key' if api_key else 'empty'}: map the node's api_key "
            "input to the Secret environment variable with the called app's key (app-...)"
        )
    reply = _Reply()
    try:
        _send(api_key, body, deadline, reply)
    except _OutOfTime:
        _stop_task(api_key, body["user"], reply.task_id, end)
        _timed_out(reply)
    return reply
