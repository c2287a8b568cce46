"""An HTTP error from Dify as one line, with what to do about it where the fix is known."""

from generator.runtime.snippet import (
    _FORBIDDEN_HINTS,
    _REQUIRED_INPUT_HINT,
    _URL,
    _WRONG_KIND_CODE,
)


def _one_line(status: object, code: str, message: str, html: bool) -> str:
    """`HTTP <status> <code>: <message>. Hint: ...`; an error event may carry no status."""
    message = " ".join(message.split())[:500]
    head = f"HTTP {status} {code}" if status not in (None, "") else code
    text = ": ".join(part for part in (head.strip(), message) if part)
    text = text or "no details given"
    hint = _hint_for(status, code, message, html)
    return f"{text}. Hint: {hint}" if hint else text


def _hint_for(status: object, code: str, message: str, html: bool) -> str:
    """What to do about a Dify error, where the fix is known."""
    if status == 403 and html:
        return (
            f"the sandbox's SSRF proxy refused {_URL}: on self-hosted Dify, HTTPS may only "
            "go to port 443 and private addresses need SSRF_PROXY_ALLOW_PRIVATE_IPS (or a "
            "squid rule in ssrf_proxy) to be allowed"
        )
    if code in _FORBIDDEN_HINTS:
        return _FORBIDDEN_HINTS[code]
    if status == 401:
        return (
            "use the API key of the app you are calling (its API Access page), not this "
            "app's, and keep it in a Secret environment variable"
        )
    if status == 404:
        return _not_found_hint(message)
    if code == "too_many_requests":
        return "the called app is running as many requests as it may; retry later"
    if code == "rate_limit_error":
        return "the called app's quota is used up; retrying won't help until it resets"
    hint = _kind_hint(code)
    if hint:
        return hint
    if "required in input form" in message:
        return _REQUIRED_INPUT_HINT
    if code == "provider_not_initialize":
        return "set up the model provider's credentials in the called app's workspace"
    if isinstance(status, int) and status >= 500:
        return "the Dify API failed; try again, and check the API's logs if it persists"
    return ""


def _not_found_hint(message: str) -> str:
    """What a 404 means here: the URL is wrong."""
    return _base_url_hint()


def _base_url_hint() -> str:
    return f"check base_url ({_URL} was not found); it ends in /v1, e.g. https://api.dify.ai/v1"


def _kind_hint(code: str) -> str:
    """The hint for another kind of app's key, or for an unpublished app."""
    if code == _WRONG_KIND_CODE:
        return (
            "the key belongs to an app of another kind: set app (agent, chat, chatflow, "
            "completion, workflow) to match it"
        )
    if code == "app_unavailable":
        return "publish the called app and check its model settings"
    return ""
