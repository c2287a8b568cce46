"""The exceptions and the reading of Dify's error envelope that every generated file shares.

Like every module of generator/runtime/, this is the one home of code that generated files
hold: the templates emit its definitions by name (generator/rendering/runtime_text.py), so
it must stay what a Code node can run: the standard library only, Python 3.10 and newer.
"""

import json


class _DifyCallError(Exception):
    """The call failed; the message is one line that says what went wrong and what to do."""


class _OutOfTime(Exception):
    """The time budget ran out."""


def _error_envelope(raw: object) -> tuple:
    """(code, message) of Dify's error envelope {"code", "message", "status"}; empty if it isn't one."""
    try:
        envelope = json.loads(raw)
        return str(envelope.get("code") or ""), str(envelope.get("message") or "")
    except (ValueError, AttributeError):
        return "", ""


class _StaleConversation(Exception):
    """The called app doesn't know this conversation for this user (HTTP 404)."""
