"""Asks a live Dify app to describe itself (GET /info and /parameters), with every failure as one line.

Dify's side: api/controllers/service_api/app/app.py (AppInfoApi: name, description, tags,
mode; AppParameterApi: the features and user_input_form), both behind the app's own API key.
The key is only ever sent in the Authorization header: no message, file or URL holds it.
"""

from __future__ import annotations

import http.client
import json
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from generator.errors import UserError, shown

TIMEOUT_SECONDS = 15.0  # for each wait on the network
TOTAL_SECONDS = 30.0  # for a whole answer, from the connection made to the last byte, headers too
MAX_ANSWER_BYTES = 8 * 1024 * 1024  # a form of thousands of inputs fits; a runaway answer doesn't
MAX_REDIRECTS = 3  # same-origin redirects followed (a proxy adding a slash, http -> https refused)


class _SameOriginRedirects(urllib.request.HTTPRedirectHandler):
    """Follows a redirect only to the same scheme, host and port: urllib would otherwise send the
    Authorization header, the app's key, to whatever host the server names."""

    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201 (urllib's signature)
        old, new = (
            urllib.parse.urlsplit(req.full_url),
            urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, newurl)),
        )
        if (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port):
            raise UserError(
                f"{shown(req.full_url, 120)}: redirected to another origin ({_origin(new)} instead of {_origin(old)}); "
                "the app's key is never sent there: use the API's own address as base URL"
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _origin(url: urllib.parse.SplitResult) -> str:
    return shown(f"{url.scheme}://{url.hostname}" + (f":{url.port}" if url.port else ""), 80).strip("'")


class _Deadline:
    """Ends one request's connections when its time is up: http.client bounds each wait for bytes
    (TIMEOUT_SECONDS), not the whole answer, so a server trickling its status line and headers a
    byte at a time could hold a request open for hours. A timer shuts the socket down instead."""

    def __init__(self, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.expired = False
        self._timers: list[threading.Timer] = []

    def arm(self, sock: socket.socket) -> None:
        timer = threading.Timer(max(0.0, self.at - time.monotonic()), self._expire, (sock,))
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def _expire(self, sock: socket.socket) -> None:
        self.expired = True
        try:
            sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns: the connection is over
        except OSError:
            pass  # already closed

    def cancel(self) -> None:
        for timer in self._timers:
            timer.cancel()


class _HTTP(urllib.request.HTTPHandler):
    """urllib's HTTP, with every connection (redirects too) under the request's deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def http_open(self, req):  # noqa: ANN001, ANN201 (urllib's signature)
        return self.do_open(_connection(http.client.HTTPConnection, self.deadline), req)


class _HTTPS(urllib.request.HTTPSHandler):
    """urllib's HTTPS (its default certificate checks), with every connection under the deadline."""

    def __init__(self, deadline: _Deadline) -> None:
        super().__init__()
        self.deadline = deadline

    def https_open(self, req):  # noqa: ANN001, ANN201 (urllib's signature)
        return self.do_open(_connection(http.client.HTTPSConnection, self.deadline), req)


def _connection(kind: type[http.client.HTTPConnection], deadline: _Deadline) -> type[http.client.HTTPConnection]:
    """`kind` whose socket, once connected (over TLS: once wrapped), is armed with the deadline."""

    class Connection(kind):  # type: ignore[valid-type,misc]
        def connect(self) -> None:
            super().connect()
            deadline.arm(self.sock)

    return Connection


def _opener(deadline: _Deadline) -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(_SameOriginRedirects, _HTTP(deadline), _HTTPS(deadline))


@dataclass(frozen=True)
class AppDescription:
    """What the called app says about itself."""

    name: str
    mode: str  # Dify's AppMode value, "" when this Dify doesn't say (older versions)
    parameters: dict


def describe_app(base_url: str, key: str) -> AppDescription:
    """GET /info and /parameters of the app behind `key`; UserError (one line) on any failure."""
    info = _get_json(base_url, "/info", key)
    parameters = _get_json(base_url, "/parameters", key)
    name = info.get("name")
    mode = info.get("mode")
    form = parameters.get("user_input_form")
    if form is None:
        raise UserError(
            f"{base_url}/parameters: the answer has no user_input_form, which every Dify app's has; is this a Dify "
            "Service API?"
        )
    if not isinstance(form, list):
        raise UserError(
            f"{base_url}/parameters: user_input_form is {type(form).__name__}, not a list; is this a Dify Service API?"
        )
    return AppDescription(
        name=name if isinstance(name, str) else "",
        mode=mode if isinstance(mode, str) else "",
        parameters=parameters,
    )


def _get_json(base_url: str, path: str, key: str) -> dict:
    url = base_url.rstrip("/") + path
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {key}", "Accept": "application/json"})
    deadline = _Deadline(TOTAL_SECONDS)
    try:
        # http(s) only: the loader checks base_url
        with _opener(deadline).open(request, timeout=TIMEOUT_SECONDS) as response:
            data = _read_within(response, url)
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as error:
        raise UserError(f"{url}: {_http_error(error)}") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as error:
        if deadline.expired:
            raise _too_slow(url) from None
        reason = getattr(error, "reason", error)
        raise UserError(f"{url}: can't be reached ({_short(reason)}); check the base URL and your network") from None
    finally:
        deadline.cancel()
    if deadline.expired:  # cut while the body was read: what arrived is not the whole answer
        raise _too_slow(url)
    if len(data) > MAX_ANSWER_BYTES:
        raise UserError(
            f"{url}: the answer is over {MAX_ANSWER_BYTES // (1024 * 1024)} MB; is this a Dify Service API?"
        )
    try:
        document = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        what = content_type.split(";")[0] or "no content type"
        raise UserError(
            f"{url}: the answer is not JSON ({what}); is this a Dify Service API (base URL ending in /v1)?"
        ) from None
    if not isinstance(document, dict):
        raise UserError(f"{url}: the answer is JSON but not an object; is this a Dify Service API?")
    return document


def _read_within(response, url: str, clock: Callable[[], float] = time.monotonic) -> bytes:  # noqa: ANN001
    """The whole answer (of an http.client response), unless it takes longer than TOTAL_SECONDS
    (a server trickling bytes) or is larger than MAX_ANSWER_BYTES."""
    deadline = clock() + TOTAL_SECONDS
    parts = []
    size = 0
    while chunk := response.read1(64 * 1024):  # what has arrived: a trickle can't hold one read open
        parts.append(chunk)
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            break
        if clock() > deadline:
            raise _too_slow(url)
    return b"".join(parts)


def _too_slow(url: str) -> UserError:
    return UserError(f"{url}: the answer took over {TOTAL_SECONDS:g} s; check the base URL and your network")


def _http_error(error: urllib.error.HTTPError) -> str:
    """An HTTP error answer in one line, with Dify's own code and message when it sent its envelope."""
    try:
        envelope = json.loads(error.read(64 * 1024).decode("utf-8"))
        detail = f"{envelope['code']}: {envelope['message']}"
    except Exception:  # noqa: BLE001 (anything that isn't Dify's envelope)
        detail = error.reason or ""
    hint = {
        401: "the key was refused; check the environment variable holds the called app's API key",
        403: "the app's API access is off, or the app is gone",
        404: "no such endpoint; the base URL must end in /v1 (https://api.dify.ai/v1)",
    }.get(error.code, "check the base URL and that the app is published")
    return f"HTTP {error.code} {_short(detail)}; {hint}"


def _short(value: object) -> str:
    return shown(str(value), 120).strip("'\"")
