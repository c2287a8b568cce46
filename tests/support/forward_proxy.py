"""A small forward HTTP proxy on 127.0.0.1, standing in for the ssrf_proxy (squid) of self-hosted Dify."""

from __future__ import annotations

import http.client
import select
import socket
import urllib.parse

from generator.emulator.loopback import LoopbackServer, QuietHandler

SQUID_DENIED = (
    b"<html><head><title>ERROR: The requested URL could not be retrieved</title></head>"
    b"<body>Access Denied.</body></html>"
)


class ForwardProxy(LoopbackServer):
    """Forwards absolute-form requests (`POST http://host/path`) and tunnels CONNECT (for HTTPS).

    refuse=True answers every request like squid's 403 page, and every CONNECT with 403 (as
    squid does for HTTPS to a port other than 443).
    """

    def __init__(self, refuse: bool = False) -> None:
        super().__init__(_ProxyHandler)
        self.refuse = refuse
        self.seen: list[str] = []


class _ProxyHandler(QuietHandler):
    def do_POST(self) -> None:  # noqa: N802
        proxy = self.server.owner  # type: ignore[attr-defined]
        proxy.seen.append(f"{self.command} {self.path}")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if proxy.refuse:
            self.send_response(403)
            self.send_header("Content-Type", "text/html;charset=utf-8")
            self.send_header("Content-Length", str(len(SQUID_DENIED)))
            self.end_headers()
            self.wfile.write(SQUID_DENIED)
            return
        target = urllib.parse.urlsplit(self.path)
        upstream = http.client.HTTPConnection(target.hostname, target.port or 80, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("proxy-connection", "connection")}
        upstream.request("POST", target.path, body, headers)
        response = upstream.getresponse()
        self.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("transfer-encoding", "content-length", "connection"):
                self.send_header(key, value)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while True:
            data = response.read1(65536)
            if not data:
                break
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()
        self.wfile.write(b"0\r\n\r\n")
        upstream.close()

    def do_CONNECT(self) -> None:  # noqa: N802
        proxy = self.server.owner  # type: ignore[attr-defined]
        proxy.seen.append(f"{self.command} {self.path}")
        if proxy.refuse:
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        host, _, port = self.path.rpartition(":")
        upstream = socket.create_connection((host, int(port)), timeout=30)
        self.send_response(200, "Connection established")
        self.end_headers()
        self.wfile.flush()
        sockets = [self.connection, upstream]
        try:
            while True:
                readable, _, _ = select.select(sockets, [], [], 30)
                if not readable:
                    return
                for source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    (upstream if source is self.connection else self.connection).sendall(data)
        finally:
            upstream.close()
            self.close_connection = True
