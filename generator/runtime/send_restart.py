"""Sending a conversation turn that starts a new conversation when its id is malformed or unknown to the callee."""

from generator.runtime.conversation import _is_uuid
from generator.runtime.errors import _DifyCallError, _StaleConversation
from generator.runtime.hints import _one_line
from generator.runtime.post import _post
from generator.runtime.snippet import _Reply


def _send(api_key: str, body: dict, deadline: float, reply: _Reply) -> None:
    """One request, or two when the callee doesn't know the conversation: the reply then carries
    the new conversation's id, so the conversation variable heals."""
    if body["conversation_id"] and not _is_uuid(body["conversation_id"]):
        body = dict(body, conversation_id="")  # no conversation has that id: start one
    try:
        _post(api_key, body, deadline, reply)
    except _StaleConversation:
        # Refused before any event: the reply is still empty.
        _post(api_key, dict(body, conversation_id=""), deadline, reply)


def _refusal(
    status: object, code: str, message: str, html: bool, body: dict
) -> Exception:
    """What a refused request raises: _StaleConversation when the callee doesn't know the
    conversation for this user (HTTP 404), else the error as one line."""
    if status == 404 and body["conversation_id"] and "conversation" in message.lower():
        return _StaleConversation()
    return _DifyCallError(_one_line(status, code, message, html))
