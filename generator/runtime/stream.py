"""Reading a streamed answer off the socket: chunked framing, SSE lines, JSON events, each wait bounded."""

import http.client
import json
import socket
import time

from generator.runtime.errors import _DifyCallError, _error_envelope, _OutOfTime

_MAX_LINE_BYTES = 32 * 1024 * 1024


def _remaining(deadline: float) -> float:
    """Seconds left until the deadline; _OutOfTime when none are."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise _OutOfTime()
    return left


def _read_body(
    response: http.client.HTTPResponse, sock: socket.socket, deadline: float
):
    """Yield the body as it arrives, one socket read at a time, each waiting only for the time
    left; chunked framing is undone in bulk (http.client's read1 reads one chunk)."""
    framed = b""  # read but not yet taken apart: the start of a chunk's size line
    left = 0  # bytes of the current chunk that are still to come
    while True:
        sock.settimeout(_remaining(deadline))
        data = response.fp.read1(65536)
        if not data:
            return
        if not response.chunked:  # the body ends where the connection does
            yield data
            continue
        data = framed + data
        blocks = []
        position = 0
        while position < len(data):
            if left:
                blocks.append(data[position : position + left])
                position += len(blocks[-1])
                left -= len(blocks[-1])
                continue
            end = data.find(b"\n", position)
            if end < 0:
                break
            size = data[position:end].strip()  # b"": the line end after a chunk
            position = end + 1
            try:
                left = int(size.split(b";", 1)[0], 16) if size else 0
            except ValueError:
                left = -1
            if not 0 <= left < 2**32:  # no HTTP server sends a chunk of 4 GiB or more
                raise _DifyCallError(
                    f"the response's chunked framing is broken ({size[:40]!r} is no chunk "
                    "size); that is not a Dify event stream"
                )
            if size and not left:  # the last chunk: the body is complete
                yield b"".join(blocks)
                return
        framed = data[position:]
        if len(framed) > 1024:
            raise _DifyCallError(
                "the response's chunked framing is broken (no chunk size in 1024 bytes); "
                "that is not a Dify event stream"
            )
        yield b"".join(blocks)


def _read_events(
    response: http.client.HTTPResponse, sock: socket.socket, deadline: float
):
    """Yield the JSON object of each `data:` line of the body."""
    decode = json.JSONDecoder().decode
    pending = bytearray()  # the body after its last line end
    for block in _read_body(response, sock, deadline):
        end = block.rfind(b"\n")
        if end < 0:
            pending += block
            if len(pending) > _MAX_LINE_BYTES:
                raise _DifyCallError(
                    f"the stream sent a line longer than {_MAX_LINE_BYTES} bytes; "
                    "that is not a Dify event stream"
                )
            continue
        lines = (pending + block[:end]).split(b"\n")
        pending = bytearray(block[end + 1 :])
        for line in lines:
            # `data: {...}` or `data:{...}`, maybe ending in \r; pings and blank lines skipped.
            if line.startswith(b"data:"):
                try:
                    yield decode(line[5:].decode())
                except ValueError:
                    raise _DifyCallError(
                        "the stream sent a line that is not a JSON event: "
                        f"{bytes(line[:100])!r}"
                    ) from None


def _read_error(
    response: http.client.HTTPResponse, sock: socket.socket, deadline: float
) -> tuple:
    """(code, message, html) of a non-200 answer: Dify's envelope, else its text."""
    sock.settimeout(_remaining(deadline))
    raw = response.read(65536)
    content_type = response.getheader("Content-Type") or ""
    html = "html" in content_type
    code, message = _error_envelope(raw) if "json" in content_type else ("", "")
    if not message and not html:
        message = raw.decode("utf-8", "replace")
    return code, message, html
