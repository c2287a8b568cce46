"""The request's text checked before it is sent: a lone surrogate can't be encoded as UTF-8."""


def _not_unicode(text: str, error: UnicodeEncodeError) -> str:
    """Where the request holds half of a UTF-16 surrogate pair, which no UTF-8 text can."""
    before = text[max(0, error.start - 60) : error.start]
    return (
        f"the request can't be sent: {text[error.start : error.end]!a} after {before!r} is "
        "half of a UTF-16 surrogate pair, not text; fix the node that produced the value"
    )
