"""The HTTP-node route's reading of the stream the HTTP Request node buffered, by the same rules as a live one."""

import json

from generator.runtime.ended import _ended_early
from generator.runtime.errors import _DifyCallError, _error_envelope
from generator.runtime.hints import _one_line
from generator.runtime.snippet import _HTTP_NODE_MAX_BYTES, _apply_event, _Reply


def _parse_buffered_stream(body: str, status_code: int) -> _Reply:
    """Read the event stream the HTTP Request node buffered, by the same rules as a live one."""
    if status_code != 200:
        code, message = _error_envelope(body)
        html = body.lstrip()[:1] == "<"
        if not message and not html:
            message = body
        raise _DifyCallError(_one_line(status_code, code, message, html))
    reply = _Reply()
    lines = body.split("\n")
    lines.pop()  # the text after the last newline: an event cut short, if anything
    for line in lines:
        if not line.startswith("data:"):
            continue
        try:
            event = json.loads(line[5:])
        except ValueError:
            raise _DifyCallError(
                f"the stream sent a line that is not a JSON event: {line[:100]!r}"
            ) from None
        if _apply_event(event, reply):
            return reply
    if len(body.encode("utf-8")) >= _HTTP_NODE_MAX_BYTES - 4096:
        raise _DifyCallError(
            "the HTTP Request node's 1 MiB limit cut the stream before the called app was "
            "done; raise HTTP_REQUEST_NODE_MAX_TEXT_SIZE or ask for a shorter answer"
        )
    raise _ended_early(reply)
