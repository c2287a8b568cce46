"""Stopping a task the node gave up on at its time budget, so the called app stops spending tokens."""

import http.client
import json

from generator.runtime.errors import _OutOfTime
from generator.runtime.snippet import _STOP_URL
from generator.runtime.stream import _remaining
from generator.runtime.transport_plain import _connect


def _stop_task(api_key: str, user: str, task_id: str, end: float) -> None:
    """Best effort: ask the callee to stop a task we gave up on, so it stops spending tokens."""
    if not task_id:
        return
    url = _STOP_URL + task_id + "/stop"
    connection = None
    try:
        connection, target = _connect(url, end)
        body = json.dumps({"user": user}).encode()
        headers = {
            "Authorization": f"Bearer {api_key}",
            "Content-Type": "application/json",
        }
        connection.request("POST", target, body, headers)
        connection.sock.settimeout(_remaining(end))
        connection.getresponse().read(4096)
    except (_OutOfTime, OSError, http.client.HTTPException):
        pass
    finally:
        if connection is not None:  # also when the stop call ran out of time
            connection.close()
