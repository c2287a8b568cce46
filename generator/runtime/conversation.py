"""A conversation node's check of the id it was given, before any call."""

import uuid

from generator.runtime.hints import _base_url_hint


def _is_uuid(value: str) -> bool:
    """Whether Dify takes the value as a conversation id: a UUID. It answers anything else
    with 400 invalid_param (before July 2026: pings until the stream's idle close)."""
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def _not_a_conversation_id(value: str) -> str:
    return (
        f"conversation_id {value!r:.80} is not a conversation id (Dify takes a UUID, such as "
        "the conversation_id a turn returns): clear the conversation variable, or set "
        "restart_stale_conversation = true to start a new conversation instead"
    )


def _not_found_hint(message: str) -> str:
    """What a 404 means here: the conversation was lost, or the URL is wrong."""
    if "conversation" in message.lower():
        return (
            "the conversation belongs to another user or was deleted: `user` must be the "
            "same on every turn"
        )
    return _base_url_hint()
