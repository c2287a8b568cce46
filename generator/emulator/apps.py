"""The apps an emulator serves, each behind its own API key, and the validated request a stream is made for."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from generator.emulator.forms import Variable
from generator.emulator.wire import Style

# Every kind of app the emulator plays; "agent-1.16" is the New Agent of Dify 1.16+ (dify-facts §4).
MODES = ("agent", "agent-1.16", "chat", "chatflow", "completion", "workflow")


@dataclass
class Request:
    """A validated request, as the scenario sees it."""

    path: str
    app: App
    body: dict
    conversation_id: str
    user: str
    ids: dict
    pings_only: bool = False  # an older Dify's answer to an unknown conversation: pings until the idle close


Scenario = Callable[[Request], list]


@dataclass
class App:
    """One callee app behind an API key."""

    key: str
    mode: str  # agent | agent-1.16 | chat | chatflow | completion | workflow
    answer: str = "Hello from the emulator."
    required_inputs: tuple[str, ...] = ()
    scenario: Scenario | None = None  # None: the standard stream for the mode
    style: Style = field(default_factory=Style)
    outputs: dict | None = None  # workflow outputs; default {"text": answer}
    status: int = 200  # a non-200 answer instead of a stream (with error_body)
    error_body: bytes = b""
    error_content_type: str = "application/json"
    stop_delay: float = 0.0  # seconds the stop endpoint waits before answering (a hanging stop)
    # How it describes itself (GET /info, /parameters), and its input form: with a form, inputs
    # are checked and filtered as Dify does (forms.py), and the request log holds what
    # the app kept ("prepared_inputs").
    name: str = "Emulated app"
    description: str = ""
    tags: list[str] = field(default_factory=list)
    form: list[Variable] | None = None
    file_upload: dict | None = None
    # Hostile answers for GET: path ("/v1/info" or "/v1/parameters") -> (status, body, content type),
    # and seconds to wait before answering either.
    describe_answers: dict[str, tuple[int, bytes, str]] = field(default_factory=dict)
    describe_delay: float = 0.0
    # Which Dify it plays for conversation ids: "uuid" (newer Dify: a non-UUID id is 400
    # invalid_param), or "pings" (before July 2026, dify #38800: an unknown id streams pings only,
    # until the stream's idle close).
    conversation_ids: str = "uuid"
