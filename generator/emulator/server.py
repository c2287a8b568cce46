"""A Dify Service API stand-in that validates requests as Dify does and streams its SSE byte for byte."""

from __future__ import annotations

import itertools
import json
import socket
import ssl
import struct
import threading
import time
import uuid
from collections.abc import Callable

from generator.emulator import forms
from generator.emulator.apps import App, Request
from generator.emulator.loopback import LoopbackServer, QuietHandler
from generator.emulator.streams import standard_stream
from generator.emulator.wire import Drop, Event, Ping, Raw, Reset, Sleep, Style, Wire
from generator.errors import escape_controls, masked

CHAT_MODES = ("agent", "agent-1.16", "chat", "chatflow")
# Conversation ids are UUIDs, as Dify's are (newer Dify refuses any other id): the emulator's
# start with this, and SOMEONE_ELSES is one a test can give to another user.
CONVERSATION_PREFIX = "c0ffee00-"
SOMEONE_ELSES = "a1ce0000-0000-4000-8000-0000000000e1"
ROUTES = {
    "/v1/chat-messages": CHAT_MODES,
    "/v1/completion-messages": ("completion",),
    "/v1/workflows/run": ("workflow",),
}


# --- the server ------------------------------------------------------------------------


class DifyEmulator(LoopbackServer):
    """Start with `with DifyEmulator() as dify:`; add apps; point snippets at dify.base_url."""

    def __init__(self, tls: ssl.SSLContext | None = None, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__(_Handler, tls, host, port)
        self.apps: dict[str, App] = {}
        self.conversations: dict[str, str] = {}  # id -> user
        self.requests: list[dict] = []  # validated requests with their bodies
        self.hits: list[tuple[str, str]] = []  # (path, Authorization) of every POST
        self.lock = threading.Lock()
        self.counter = itertools.count(1)
        self.log: Callable[[str], None] | None = None  # told one line per answered request

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    @property
    def tls_base_url(self) -> str:
        """The same API over TLS (needs `tls` at start), with the given context's certificate."""
        return self.tls_url + "/v1"

    def add(self, app: App) -> App:
        self.apps[app.key] = app
        return app

    def new_id(self, kind: str) -> str:
        if kind == "conv":
            return f"{CONVERSATION_PREFIX}{next(self.counter):04x}-4000-8000-000000000000"
        return f"{kind}-{next(self.counter):04d}-0000-4000-8000-000000000000"


def _is_uuid(value: object) -> bool:
    """Dify's check of a conversation id (libs/helper.py uuid_value: uuid.UUID parses it)."""
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _envelope(status: int, code: str, message: str) -> tuple[int, bytes]:
    return status, json.dumps({"code": code, "message": message, "status": status}).encode()


class _Handler(QuietHandler):
    server_version = "nginx"
    sys_version = ""

    @property
    def emulator(self) -> DifyEmulator:
        return self.server.owner  # type: ignore[attr-defined]

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per answer for whoever watches (`dify-codenode emulate`), the key masked."""
        if self.emulator.log is not None:
            auth = self.headers.get("Authorization", "") if self.headers else ""
            key = masked(auth[len("Bearer ") :]) if auth.startswith("Bearer ") else "no key"
            self.emulator.log(f"{self.command} {escape_controls(self.path)} -> {code} ({escape_controls(key)})")

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """GET /v1/info and /v1/parameters, with the app's own key as Bearer."""
        with self.emulator.lock:
            self.emulator.hits.append((self.path, self.headers.get("Authorization", "")))
        path = self.path.split("?")[0]
        auth = self.headers.get("Authorization", "")
        app = self.emulator.apps.get(auth[len("Bearer ") :]) if auth.startswith("Bearer ") else None
        if app is None:
            self._send_json(*_envelope(401, "unauthorized", "Access token is invalid"))
            return
        time.sleep(app.describe_delay)
        if path in app.describe_answers:
            self._send(*app.describe_answers[path])
            return
        form = app.form if app.form is not None else [forms.Variable(name) for name in app.required_inputs]
        if path == "/v1/info":
            self._send_json(200, forms.dumps(forms.info(app.name, app.description, app.tags, app.mode)))
        elif path == "/v1/parameters":
            self._send_json(200, forms.dumps(forms.parameters(app.mode, form, app.file_upload)))
        else:
            self._send_json(*_envelope(404, "not_found", "The requested URL was not found on the server."))

    def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        with self.emulator.lock:
            self.emulator.hits.append((self.path, self.headers.get("Authorization", "")))
        outcome = self._validate(raw)
        if isinstance(outcome, tuple):
            self._send_json(*outcome)
            return
        request = outcome
        app = request.app
        if app.status != 200:
            self._send(app.status, app.error_body, app.error_content_type)
            return
        if request.pings_only:
            actions = [Ping(), Sleep(10), Ping(), Sleep(10)]
        else:
            actions = (app.scenario or standard_stream)(request)
        self._stream(actions, request)

    def _validate(self, raw: bytes):
        emulator = self.emulator
        path = self.path.split("?")[0]
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer "):
            return _envelope(401, "unauthorized", "Authorization header must be provided and start with 'Bearer'")
        app = emulator.apps.get(auth[len("Bearer ") :])
        if app is None:
            return _envelope(401, "unauthorized", "Access token is invalid")
        if path.endswith("/stop"):
            with emulator.lock:
                emulator.requests.append(
                    {"path": path, "key": app.key, "body": json.loads(raw or b"{}"), "headers": dict(self.headers)}
                )
            time.sleep(app.stop_delay)
            return 200, b'{"result": "success"}'
        if path not in ROUTES:
            return _envelope(404, "not_found", "The requested URL was not found on the server.")
        try:
            body = json.loads(raw)
        except ValueError:
            return _envelope(
                400, "bad_request", "The browser (or proxy) sent a request that this server could not understand."
            )
        with emulator.lock:
            emulator.requests.append({"path": path, "key": app.key, "body": body, "headers": dict(self.headers)})
        if app.mode not in ROUTES[path]:
            if path == "/v1/chat-messages":
                return _envelope(400, "not_chat_app", "Please check if your app mode matches the right API route.")
            if path == "/v1/workflows/run":
                return _envelope(400, "not_workflow_app", "Please check if your app mode matches the right API route.")
            return _envelope(400, "app_unavailable", "App unavailable, please check your app configurations.")
        user = body.get("user")
        if not isinstance(user, str) or not user:
            return _envelope(400, "invalid_param", "Arg user must be provided.")
        inputs = body.get("inputs")
        if not isinstance(inputs, dict):
            return _envelope(400, "invalid_param", "inputs is required")
        files = body.get("files")
        if files is not None:  # the request's own files (sys.files of a chatflow, say)
            if not isinstance(files, list):
                return _envelope(400, "invalid_param", "files must be a list")
            try:
                for mapping in files:
                    forms.check_file_mapping(mapping, "files")
            except forms.FormError as error:
                return _envelope(400, "invalid_param", str(error))
        if path == "/v1/chat-messages" and not body.get("query"):
            return _envelope(400, "invalid_param", "query is required")
        streaming = body.get("response_mode") == "streaming"
        if not streaming and app.mode == "agent":
            return _envelope(400, "invalid_param", "Agent Chat App does not support blocking mode")
        if not streaming and app.mode == "agent-1.16":
            return _envelope(400, "bad_request", "Agent app does not support blocking mode")
        conversation_id = body.get("conversation_id") or ""
        if conversation_id and app.conversation_ids == "uuid" and not _is_uuid(conversation_id):
            return _envelope(400, "invalid_param", "conversation_id must be a valid UUID")
        for name in app.required_inputs:
            if conversation_id == "" and not inputs.get(name):
                return _envelope(400, "invalid_param", f"{name} is required in input form")
        if app.form is not None and conversation_id == "":  # a continued conversation keeps its first inputs
            try:
                prepared = forms.prepare_inputs(inputs, app.form)
            except forms.FormError as error:
                return _envelope(400, "invalid_param", str(error))
            with emulator.lock:
                emulator.requests[-1]["prepared_inputs"] = prepared
        ids = {"task_id": emulator.new_id("task"), "message_id": emulator.new_id("msg")}
        if path == "/v1/chat-messages":
            with emulator.lock:
                if conversation_id:
                    if emulator.conversations.get(conversation_id) != user and app.conversation_ids == "pings":
                        return Request(path, app, body, conversation_id, user, ids, pings_only=True)
                    if emulator.conversations.get(conversation_id) != user:
                        return _envelope(404, "not_found", "Conversation Not Exists.")
                else:
                    conversation_id = emulator.new_id("conv")
                    emulator.conversations[conversation_id] = user
            ids["conversation_id"] = conversation_id
        if path == "/v1/workflows/run":
            ids = {"task_id": ids["task_id"], "workflow_run_id": "run-1"}
        if not streaming:
            return 200, json.dumps({"event": "message", "answer": app.answer, **ids}).encode()
        return Request(path, app, body, conversation_id, user, ids)

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _send_json(self, status: int, body: bytes) -> None:
        self._send(status, body, "application/json")

    def _stream(self, actions: list, request: Request) -> None:
        style = request.app.style
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        if style.chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Accel-Buffering", "no")
        self.end_headers()
        created = int(time.time())
        self._style = style
        self._unsent = b""  # with split_every: bytes that don't yet fill a piece
        try:
            for action in actions:
                if isinstance(action, Sleep):
                    self._flush_unsent()
                    time.sleep(action.seconds)
                elif isinstance(action, Ping):
                    self._write(f"event: ping{style.newline}{style.newline}".encode(), style)
                elif isinstance(action, Raw):
                    self._flush_unsent()
                    self._chunk(action.data)
                elif isinstance(action, Wire):
                    self._flush_unsent()
                    self.wfile.write(action.data)
                    self.wfile.flush()
                elif isinstance(action, Drop):
                    self._flush_unsent()
                    self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                elif isinstance(action, Reset):
                    self._flush_unsent()
                    self.wfile.flush()
                    if isinstance(self.connection, ssl.SSLSocket):  # below TLS, on the bare socket
                        socket.socket.send(self.connection, b"this is no TLS record\r\n")
                        time.sleep(0.05)
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.rfile.close()  # the socket really closes (with RST) only once its files have
                    self.wfile.close()
                    self.connection.close()
                    self.close_connection = True
                    return
                elif isinstance(action, Event):
                    payload = dict(action.payload)
                    payload = {**request.ids, **payload}
                    payload.setdefault("created_at", created)
                    text = json.dumps(
                        payload, ensure_ascii=not style.compact, separators=(",", ":") if style.compact else None
                    )
                    self._write(f"{style.data_prefix}{text}{style.newline}{style.newline}".encode(), style)
                    if style.delay:
                        time.sleep(style.delay)
            self._flush_unsent()
            if style.chunked:
                self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError, OSError):
            self.close_connection = True

    def _write(self, data: bytes, style: Style) -> None:
        if not style.split_every:
            self._chunk(data)
            return
        self._unsent += data
        while len(self._unsent) >= style.split_every:
            self._chunk(self._unsent[: style.split_every])
            self._unsent = self._unsent[style.split_every :]

    def _flush_unsent(self) -> None:
        if self._unsent:
            self._chunk(self._unsent)
            self._unsent = b""

    def _chunk(self, data: bytes) -> None:
        style = self._style
        framed = f"{len(data):x}\r\n".encode() + data + b"\r\n" if style.chunked else data
        step = style.wire_split or len(framed) or 1
        for start in range(0, len(framed), step):
            self.wfile.write(framed[start : start + step])
            self.wfile.flush()
            if style.wire_split:
                time.sleep(0.0005)
