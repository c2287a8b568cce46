"""Sending the body as it is: the app keeps no conversation (send_conversation.py, send_restart.py: apps that do)."""

from generator.runtime.post import _post
from generator.runtime.snippet import _Reply


def _send(api_key: str, body: dict, deadline: float, reply: _Reply) -> None:
    """One request with the body as main() built it."""
    _post(api_key, body, deadline, reply)
