"""What the request carries, checked before it is sent: an end user, and text that UTF-8 can encode."""

from generator.runtime.errors import _DifyCallError


def _user(user: object) -> str:
    """The end user the call is made for: Dify's Service API needs one (Arg user)."""
    if isinstance(user, str) and user:
        return user
    raise _DifyCallError(
        f"input user is {user!r:.40}, not an end user's id: map it to sys.user_id"
    )


def _not_unicode(text: str, error: UnicodeEncodeError) -> str:
    """Where the request holds half of a UTF-16 surrogate pair, which no UTF-8 text can."""
    before = text[max(0, error.start - 60) : error.start]
    return (
        f"the request can't be sent: {text[error.start : error.end]!a} after {before!r} is "
        "half of a UTF-16 surrogate pair, not text; fix the node that produced the value"
    )
