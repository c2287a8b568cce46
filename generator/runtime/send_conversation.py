"""Sending a conversation turn, failing when its conversation_id is malformed (send_restart.py: starting anew)."""

from generator.runtime.conversation import _is_uuid, _not_a_conversation_id
from generator.runtime.errors import _DifyCallError
from generator.runtime.post import _post
from generator.runtime.snippet import _Reply


def _send(api_key: str, body: dict, deadline: float, reply: _Reply) -> None:
    """One request, after checking that the conversation_id, if any, is an id Dify takes."""
    if body["conversation_id"] and not _is_uuid(body["conversation_id"]):
        raise _DifyCallError(_not_a_conversation_id(body["conversation_id"]))
    _post(api_key, body, deadline, reply)
