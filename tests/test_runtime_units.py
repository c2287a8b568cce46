"""The shared runtime as Python: generator/runtime/'s stream reader and error reading, tested directly.

The generated files hold this very code (the templates emit it by name); tests/test_runtime.py
runs it inside whole Code nodes against the emulator, these tests take its parts apart.
"""

from __future__ import annotations

import itertools
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.examples import examples

from generator.runtime import stream
from generator.runtime.errors import _DifyCallError, _error_envelope, _OutOfTime


class Wire:
    """What http.client hands the reader: a response whose fp gives the body in the pieces the
    network delivered (read1 returns at most one piece), and the socket whose timeout is set."""

    def __init__(self, pieces: list[bytes], chunked: bool, headers: dict[str, str] | None = None) -> None:
        self.pieces = list(pieces)
        self.chunked = chunked
        self.fp = self
        self.timeouts: list[float] = []
        self.headers = headers or {}

    def read1(self, size: int) -> bytes:
        if not self.pieces:
            return b""
        piece = self.pieces.pop(0)
        if len(piece) > size:
            self.pieces.insert(0, piece[size:])
            piece = piece[:size]
        return piece

    def read(self, size: int) -> bytes:
        return b"".join(self.read1(size) for _ in range(len(self.pieces)))[:size]

    def getheader(self, name: str) -> str | None:
        return self.headers.get(name)

    def settimeout(self, seconds: float) -> None:
        self.timeouts.append(seconds)


def events_of(pieces: list[bytes], chunked: bool) -> list:
    wire = Wire(pieces, chunked)
    return list(stream._read_events(wire, wire, time.monotonic() + 600))


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    """`data` cut at the given offsets (any order, repeats allowed): the reads a network might make."""
    edges = sorted({0, len(data), *(cut % (len(data) + 1) for cut in cuts)})
    return [data[start:end] for start, end in itertools.pairwise(edges)]


def chunked(body: bytes, sizes: list[int], extension: bool) -> bytes:
    """HTTP/1.1 chunked framing of `body` in chunks of the given sizes, with the last chunk and trailer."""
    framed, position, turn = [], 0, 0
    while position < len(body):
        size = max(1, sizes[turn % len(sizes)] if sizes else len(body))
        chunk = body[position : position + size]
        framed.append(f"{len(chunk):x}{';ext=1' if extension else ''}\r\n".encode() + chunk + b"\r\n")
        position += size
        turn += 1
    return b"".join(framed) + b"0\r\n\r\n"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
events = st.lists(st.dictionaries(st.text(max_size=8), json_values, max_size=4), max_size=6)


@settings(max_examples=examples(300), deadline=None)
@given(
    sent=events,
    compact=st.booleans(),
    prefix=st.sampled_from(["data: ", "data:"]),
    newline=st.sampled_from(["\n", "\r\n"]),
    pings=st.booleans(),
    framing=st.booleans(),
    extension=st.booleans(),
    sizes=st.lists(st.integers(1, 64), max_size=4),
    cuts=st.lists(st.integers(0, 10_000), max_size=12),
)
def test_any_split_of_a_valid_stream_gives_the_same_events(
    sent: list, compact: bool, prefix: str, newline: str, pings: bool, framing: bool, extension: bool, sizes, cuts
) -> None:
    """However the body is framed in chunks and cut into reads, every `data:` event comes out whole, in order."""
    lines = []
    for event in sent:
        if pings:
            lines.append(f"event: ping{newline}{newline}")
        text = json.dumps(event, ensure_ascii=not compact, separators=(",", ":") if compact else None)
        lines.append(f"{prefix}{text}{newline}{newline}")
    body = "".join(lines).encode()
    wire = chunked(body, sizes, extension) if framing else body
    assert events_of(split(wire, cuts), framing) == sent


def test_each_read_waits_only_for_the_time_left() -> None:
    wire = Wire([b'data: {"a": 1}\n\n', b'data: {"b": 2}\n\n'], chunked=False)
    deadline = time.monotonic() + 100
    assert list(stream._read_events(wire, wire, deadline)) == [{"a": 1}, {"b": 2}]
    assert len(wire.timeouts) == 3 and all(0 < seconds <= 100 for seconds in wire.timeouts)
    assert wire.timeouts == sorted(wire.timeouts, reverse=True)


def test_a_deadline_that_has_passed_is_out_of_time() -> None:
    wire = Wire([b'data: {"a": 1}\n\n'], chunked=False)
    with pytest.raises(_OutOfTime):
        list(stream._read_events(wire, wire, time.monotonic() - 1))
    assert stream._remaining(time.monotonic() + 60) > 0


@pytest.mark.parametrize(
    "wire,says",
    [
        (b"zz\r\ndata\r\n", "(b'zz' is no chunk size)"),
        (b"100000000\r\n", "(b'100000000' is no chunk size)"),  # 4 GiB
        (b"-5\r\n", "(b'-5' is no chunk size)"),
        (b"5" * 1100, "(no chunk size in 1024 bytes)"),
    ],
)
def test_broken_chunked_framing_is_one_line(wire: bytes, says: str) -> None:
    with pytest.raises(_DifyCallError) as refused:
        events_of([wire], chunked=True)
    assert str(refused.value) == f"the response's chunked framing is broken {says}; that is not a Dify event stream"


def test_a_line_past_the_limit_is_refused_before_it_is_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stream, "_MAX_LINE_BYTES", 100)
    with pytest.raises(_DifyCallError) as refused:
        events_of([b"data: " + b"x" * 60, b"x" * 60, b"x\n\n"], chunked=False)
    assert str(refused.value) == "the stream sent a line longer than 100 bytes; that is not a Dify event stream"
    assert events_of([b'data: {"a": "' + b"x" * 80 + b'"}\n\n'], chunked=False) == [{"a": "x" * 80}]


@pytest.mark.parametrize(
    "line,says",
    [
        (b"data: {not json}", "b'data: {not json}'"),
        (b'data: {"a": "\xff"}', 'b\'data: {"a": "\\xff"}\''),
        (b"data: " + b"[" * 200, repr(b"data: " + b"[" * 94)),
    ],
)
def test_a_data_line_that_is_no_json_is_named(line: bytes, says: str) -> None:
    with pytest.raises(_DifyCallError) as refused:
        events_of([line + b"\n\n"], chunked=False)
    assert str(refused.value) == f"the stream sent a line that is not a JSON event: {says}"


def test_pings_comments_and_other_fields_are_skipped() -> None:
    body = b': comment\nevent: ping\n\nid: 7\nretry: 10\ndata:{"x":1}\r\n\r\n'
    assert events_of([body], chunked=False) == [{"x": 1}]
    assert events_of([b""], chunked=True) == []  # a connection closed before any chunk: no events


@pytest.mark.parametrize(
    "body,content_type,expected",
    [
        (
            b'{"code": "invalid_param", "message": "x is required", "status": 400}',
            "application/json",
            ("invalid_param", "x is required", False),
        ),
        (b"<html><body>Bad gateway</body></html>", "text/html; charset=utf-8", ("", "", True)),
        (b"upstream timed out", "text/plain", ("", "upstream timed out", False)),
        (b'{"detail": "no envelope"}', "application/json", ("", '{"detail": "no envelope"}', False)),
        (b"\xff\xfe", None, ("", "\ufffd\ufffd", False)),
    ],
)
def test_an_error_answer_is_read_as_difys_envelope_or_its_text(body: bytes, content_type, expected: tuple) -> None:
    wire = Wire([body], chunked=False, headers={"Content-Type": content_type} if content_type else {})
    assert stream._read_error(wire, wire, time.monotonic() + 60) == expected


@pytest.mark.parametrize("raw", [b"", b"[1, 2]", b'"text"', b"{", b"null", b"\xff"])
def test_what_is_no_envelope_has_no_code_and_no_message(raw: bytes) -> None:
    assert _error_envelope(raw) == ("", "")


def test_an_envelope_gives_its_code_and_message_as_text() -> None:
    assert _error_envelope(b'{"code": 429, "message": null}') == ("429", "")
