"""One HTTP request to the called app: send the body, check the status, read the stream into the reply."""

import http.client
import json

from generator.runtime.ended import _ended_early
from generator.runtime.errors import _DifyCallError, _OutOfTime
from generator.runtime.hints import _one_line
from generator.runtime.request import _not_unicode
from generator.runtime.snippet import _URL, _apply_event, _Reply
from generator.runtime.stream import _read_error, _read_events, _remaining
from generator.runtime.transport_plain import _connect, _describe_transport_error


def _post(api_key: str, body: dict, deadline: float, reply: _Reply) -> None:
    """One HTTP request: send the body, check the status, read the stream into reply."""
    text = json.dumps(body, ensure_ascii=False)
    try:
        payload = text.encode()
    except UnicodeEncodeError as error:
        raise _DifyCallError(_not_unicode(text, error)) from None
    connection, target = _connect(_URL, deadline)
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    streaming = False
    try:
        connection.request("POST", target, payload, headers)
        sock = connection.sock
        sock.settimeout(_remaining(deadline))
        response = connection.getresponse()
        if response.status != 200:
            code, message, html = _read_error(response, sock, deadline)
            raise _refusal(response.status, code, message, html, body)
        streaming = True
        for event in _read_events(response, sock, deadline):
            if _apply_event(event, reply):
                return
    except TimeoutError:  # socket.timeout
        raise _OutOfTime() from None
    except (OSError, http.client.HTTPException) as error:
        raise _DifyCallError(
            _describe_transport_error(error, streaming, reply)
        ) from None
    finally:
        connection.close()
    raise _ended_early(reply)


def _refusal(
    status: object, code: str, message: str, html: bool, body: dict
) -> Exception:
    """What a refused request raises: the error as one line (send_restart.py: or a stale conversation)."""
    return _DifyCallError(_one_line(status, code, message, html))
