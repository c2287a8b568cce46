"""The one exception type for user mistakes, and how anything a user typed is echoed in a one-line message."""

from __future__ import annotations

import re

SHOWN_CHARS = 60  # an echoed key, value or path longer than this is shortened in the middle
MESSAGE_CHARS = 1000  # no message line is longer than this
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")  # surrogates: undecodable file names


class UserError(Exception):
    """A problem the user can fix; its message is one line: what, where, how to fix."""


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """`value` as a user reads it in a message: quoted, control characters escaped, at most
    about `limit` characters (a 5 MB key is shown by its start and end)."""
    text = repr(value) if isinstance(value, str) else str(value)
    return _shorten(escape_controls(text), limit, len(value) if isinstance(value, str) else None)


def shown_path(path: object, limit: int = 2 * SHOWN_CHARS) -> str:
    """A path as a user reads it in a message: unquoted, control characters escaped, shortened."""
    return _shorten(escape_controls(str(path)), limit)


def escape_controls(text: str) -> str:
    """Newlines and other control characters as escapes, so a message stays on one line."""
    return _UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)


def one_line(message: str) -> str:
    """Any message made safe to print as one bounded line (a last guard for text we didn't compose)."""
    return _shorten(escape_controls(message), MESSAGE_CHARS)


def _shorten(text: str, limit: int, length: int | None = None) -> str:
    """text cut in the middle to about limit characters, saying how long it was (`length`, if
    the text is a quoted form of something else)."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head - 1
    return f"{text[:head]}…{text[-tail:]} ({length or len(text):,} characters)"
