"""A stand-in for dify-sandbox on 127.0.0.1: POST /v1/sandbox/run runs the runner script as the sandbox would."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from generator.codenode.run import BOOT, SANDBOX_TIMEOUT
from generator.emulator.loopback import LoopbackServer, QuietHandler

API_KEY = "dify-sandbox"


class SandboxServer(LoopbackServer):
    """`with SandboxServer(python) as sandbox:` then point graphon's code settings at sandbox.url."""

    def __init__(self, python: str, timeout: float = SANDBOX_TIMEOUT, env: dict[str, str] | None = None) -> None:
        super().__init__(_Handler)
        self.python = python
        self.timeout = timeout
        self.env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", **(env or {})}
        self.runs = 0

    def run(self, code: str) -> dict:
        """dify-sandbox's answer for one program: stdout, and stderr (or the kill) as `error`."""
        self.runs += 1
        with tempfile.TemporaryDirectory() as work:
            script = Path(work) / "code.py"
            script.write_text(code, encoding="utf-8")
            try:
                done = subprocess.run(
                    [self.python, "-B", str(BOOT), str(script)],
                    capture_output=True,
                    timeout=self.timeout,
                    cwd=work,
                    env=self.env,
                )
            except subprocess.TimeoutExpired:
                return {"stdout": "", "error": "error: timeout"}
        error = done.stderr.decode("utf-8", "replace")
        if not error and done.returncode:
            error = f"error: exit status {done.returncode}"
        return {"stdout": done.stdout.decode("utf-8", "replace"), "error": error}


class _Handler(QuietHandler):
    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("X-Api-Key") != API_KEY:
            self._reply(401, {"code": -401, "message": "unauthorized", "data": None})
            return
        if self.path != "/v1/sandbox/run":
            self._reply(404, {"code": -404, "message": "not found", "data": None})
            return
        request = json.loads(body)
        if request.get("language") != "python3":
            self._reply(200, {"code": -400, "message": "unsupported language", "data": None})
            return
        data = self.server.owner.run(request["code"])  # type: ignore[attr-defined]
        self._reply(200, {"code": 0, "message": "success", "data": data})

    def _reply(self, status: int, payload: dict) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)
