"""What the emulator streams, action by action: events, pings, pauses and broken wire, and how events are framed."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One `data: {...}` event; fields common to every event are added by the server."""

    payload: dict


@dataclass(frozen=True)
class Ping:
    """Dify's keep-alive: the bare line `event: ping`."""


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Raw:
    """Bytes written as they are (for malformed streams)."""

    data: bytes


@dataclass(frozen=True)
class Drop:
    """Close the connection (cleanly) without ending the chunked body."""


@dataclass(frozen=True)
class Reset:
    """Break the connection: over TLS, bytes that are no TLS record, then a reset (RST); over
    HTTP, the reset alone (over TLS Python reads a bare reset as an orderly end)."""


@dataclass(frozen=True)
class Wire:
    """Bytes written to the socket as they are, outside any HTTP chunk (for broken framing)."""

    data: bytes


@dataclass(frozen=True)
class Style:
    """How events are framed: newer Dify sends compact raw UTF-8, older spaced \\u-escaped JSON."""

    compact: bool = True
    data_prefix: str = "data: "
    newline: str = "\n"
    split_every: int = 0  # >0: send the stream in pieces of this many bytes, across event boundaries
    delay: float = 0.0  # seconds between events
    chunked: bool = True  # False: no chunked framing; the body ends when the connection closes
    wire_split: int = 0  # >0: write each HTTP chunk's framed bytes this many at a time, pausing between
