"""A completion app's version of hints._kind_hint: Dify answers another kind of app's key with app_unavailable."""

from generator.runtime.snippet import _WRONG_KIND_CODE


def _kind_hint(code: str) -> str:
    """The hint for another kind of app's key or an unpublished app: Dify answers both with
    app_unavailable on /completion-messages."""
    if code == _WRONG_KIND_CODE:
        return (
            "check that the key is a completion app's (else set app to match its kind), "
            "that the app is published and that its model settings are complete"
        )
    return ""
