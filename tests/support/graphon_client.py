"""One graphon process per test process: graphon_run.py --serve, started on first use, runs each DSL in a fork."""

from __future__ import annotations

import atexit
import json
import subprocess
import threading
from pathlib import Path

RUNNER = Path(__file__).parent / "graphon_run.py"


class GraphonServer:
    """Sends run requests to one long-lived `graphon_run.py --serve` under graphon's Python."""

    def __init__(self, python: str) -> None:
        self.python = python
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def run(self, request: dict) -> subprocess.CompletedProcess:
        """The run's returncode, stdout and stderr, as a one-off `graphon_run.py` would give them."""
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.process = subprocess.Popen(
                    [self.python, str(RUNNER), "--serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
                )
                atexit.register(self.close)
            assert self.process.stdin and self.process.stdout
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"graphon_run.py --serve ended (exit {self.process.wait()}): see its stderr above")
        reply = json.loads(line)
        return subprocess.CompletedProcess(RUNNER, reply["returncode"], reply["stdout"], reply["stderr"])

    def close(self) -> None:
        """Ends the server (it exits when its stdin closes) and closes both pipes, so no file is left
        for the interpreter's shutdown to warn about."""
        if self.process is None:
            return
        assert self.process.stdin and self.process.stdout
        self.process.stdin.close()
        if self.process.poll() is None:
            self.process.wait(timeout=30)
        self.process.stdout.close()
