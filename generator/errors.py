"""The one exception type for user mistakes, and how anything a user typed is echoed in a one-line message."""

from __future__ import annotations

import re

SHOWN_CHARS = 60  # an echoed key, value or path longer than this is shortened in the middle
MESSAGE_CHARS = 1000  # no message line is longer than this
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")  # surrogates: undecodable file names


class UserError(Exception):
    """A problem the user can fix; its message is one line: what, where, how to fix."""


# A Dify app API key as it may stand in a message: "app-", key characters, maybe broken by
# escaped control characters (a key pasted with a newline).
_KEY_LIKE = re.compile(r"app-[A-Za-z0-9]{8,}(?:\\+(?:[nrt]|x[0-9a-f]{2}|u[0-9a-f]{4})|[A-Za-z0-9])*")


def masked(text: str) -> str:
    """The text with every API-key-shaped run shown only by its last 4 characters (app-…UvWx)."""
    return _KEY_LIKE.sub(lambda match: "app-…" + match.group()[-4:], text)


def shown(value: object, limit: int = SHOWN_CHARS) -> str:
    """`value` as a user reads it in a message: quoted, control characters escaped, a key masked,
    at most about `limit` characters (a 5 MB value is shown by its start and end)."""
    text = repr(value) if isinstance(value, str) else str(value)
    return _shorten(masked(escape_controls(text)), limit, len(value) if isinstance(value, str) else None)


def shown_path(path: object, limit: int = 2 * SHOWN_CHARS) -> str:
    """A path as a user reads it in a message: unquoted, control characters escaped, a key masked, shortened."""
    return _shorten(masked(escape_controls(str(path))), limit)


def escape_controls(text: str) -> str:
    """Newlines and other control characters as escapes, so a message stays on one line."""
    return _UNPRINTABLE.sub(lambda match: repr(match.group())[1:-1], text)


def one_line(message: str) -> str:
    """Any message made safe to print as one bounded line (a last guard for text we didn't compose)."""
    return _shorten(masked(escape_controls(message)), MESSAGE_CHARS)


def _shorten(text: str, limit: int, length: int | None = None) -> str:
    """text cut in the middle to about limit characters, saying how long it was (`length`, if
    the text is a quoted form of something else)."""
    if len(text) <= limit:
        return text
    head = limit * 2 // 3
    tail = limit - head - 1
    return f"{text[:head]}…{text[-tail:]} ({length or len(text):,} characters)"


def with_article(word: str) -> str:
    """The word with its indefinite article: 'an agent', 'a chat'."""
    return f"{'an' if word[:1].lower() in 'aeiou' else 'a'} {word}"


def counted(number: int, noun: str) -> str:
    """'1 file', '2 files'."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
