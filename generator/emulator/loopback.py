"""What every local test server shares: a threaded HTTP server on 127.0.0.1 (optionally over TLS), a context manager."""

from __future__ import annotations

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that hangs up or refuses our certificate is part of the test, not noise."""


class LoopbackServer:
    """Serves `handler` on `port` of `host` (a free port of 127.0.0.1 by default; given a TLS context,
    also on a second free port over TLS); handlers reach this object as `self.server.owner`."""

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        tls: ssl.SSLContext | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.host = host
        self.servers = [_QuietServer((host, port), handler)]
        if tls is not None:
            secure = _QuietServer((host, 0), handler)
            # The handshake happens on the handler's first read, in its own thread.
            secure.socket = tls.wrap_socket(secure.socket, server_side=True, do_handshake_on_connect=False)
            self.servers.append(secure)
        for server in self.servers:
            server.owner = self  # type: ignore[attr-defined]
        self.threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in self.servers]

    @property
    def server(self) -> ThreadingHTTPServer:
        return self.servers[0]

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.servers[0].server_address[1]}"

    @property
    def tls_url(self) -> str:
        return f"https://{self.host}:{self.servers[1].server_address[1]}"

    def __enter__(self):
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        for server in self.servers:
            server.shutdown()
            server.server_close()


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1, and no request log on stderr."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass
