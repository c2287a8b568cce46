"""The answer's limits: cut it to max_answer_chars with a visible marker, or refuse it in one line."""

from generator.runtime.errors import _DifyCallError
from generator.runtime.snippet import _MAX_ANSWER_CHARS, _TRUNCATION_MARKER


def _fit(text: str) -> str:
    """The text, cut to max_answer_chars and ending in a visible marker when it is longer."""
    if len(text) <= _MAX_ANSWER_CHARS:
        return text
    return text[: _MAX_ANSWER_CHARS - len(_TRUNCATION_MARKER)] + _TRUNCATION_MARKER


def _too_long(what: str) -> _DifyCallError:
    return _DifyCallError(
        f"{what} is longer than {_MAX_ANSWER_CHARS} characters, more than this node may "
        "return; raise max_answer_chars (and Dify's CODE_MAX_STRING_LENGTH) or set "
        "on_oversize = 'truncate'"
    )


def _within_limit(text: str, name: str) -> str:
    if len(text) > _MAX_ANSWER_CHARS:
        raise _too_long(f"the called workflow's output {name!r}")
    return text
