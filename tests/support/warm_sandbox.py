"""Runs Code nodes forked from a warmed sandbox interpreter, not started: for the option space's thousands of runs.

`launch` has subprocess.run's signature and exceptions, for generator.codenode.run's `launch`.
A cold run spends most of its time starting Python and importing http.client, ssl and
urllib.request (about 60 of 80 ms on 3.10 here); a warm run forks a process that already has
(tests/support/warm_boot.py), and does the rest as a cold run does: same interpreter, flags,
sandbox_boot.py, descriptors, working directory and environment. tests/test_warm_sandbox.py
proves both give the same runs. The rest of the suite starts every run cold.
"""

from __future__ import annotations

import atexit
import json
import os
import selectors
import signal
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

WARM_BOOT = Path(__file__).resolve().with_name("warm_boot.py")
# What Python reads from the environment when it starts (not when a run reads os.environ).
STARTUP_VARIABLES = ("PYTHON", "LANG", "LC_")
_interpreters: dict[tuple[str, ...], _WarmInterpreter] = {}
_lock = threading.Lock()


def warm_available() -> bool:
    """Forking needs a POSIX system with descriptor passing, and /proc to find a run's descriptors."""
    return hasattr(os, "fork") and hasattr(socket, "send_fds") and os.path.isdir("/proc/self/fd")


def launch(
    command: list[str],
    *,
    capture_output: bool,
    timeout: float,
    cwd: str,
    env: dict[str, str],
    pass_fds: tuple[int, ...] = (),
) -> subprocess.CompletedProcess:
    """subprocess.run(command, capture_output=True, ...) for `python [flags] sandbox_boot.py SCRIPT`,
    forked from a warmed interpreter started once per `python [flags] sandbox_boot.py`."""
    assert capture_output, "a warm run always captures its output"
    startup = {name: value for name, value in env.items() if name.startswith(STARTUP_VARIABLES)}
    key = (*command[:-1], *sorted(f"{name}={value}" for name, value in startup.items()))
    with _lock:
        interpreter = _interpreters.get(key)
        if interpreter is None:
            interpreter = _interpreters[key] = _WarmInterpreter(tuple(command[:-1]), startup)
    return interpreter.run(command, timeout=timeout, cwd=cwd, env=env, pass_fds=pass_fds)


class _WarmInterpreter:
    """One warm_boot.py process and the control socket to it."""

    def __init__(self, prefix: tuple[str, ...], startup: dict[str, str]) -> None:
        *interpreter, boot = prefix
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.errors = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            [*interpreter, str(WARM_BOOT), boot, str(theirs.fileno())],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=self.errors,
            pass_fds=(theirs.fileno(),),
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **startup},
        )
        theirs.close()
        self.sending = threading.Lock()
        atexit.register(self.control.close)  # warm_boot.py exits when the socket closes

    def run(
        self, command: list[str], *, timeout: float, cwd: str, env: dict[str, str], pass_fds: tuple[int, ...]
    ) -> subprocess.CompletedProcess:
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        reply, reply_theirs = socket.socketpair()
        request = {"script": command[-1], "cwd": cwd, "env": env, "fds": list(pass_fds)}
        try:
            with self.sending:
                socket.send_fds(
                    self.control,
                    [json.dumps(request).encode()],
                    [out_write, err_write, reply_theirs.fileno(), *pass_fds],
                )
        except OSError as error:
            self.errors.seek(0)
            raise RuntimeError(f"the warm interpreter {command[0]} is gone: {self.errors.read()!r}") from error
        finally:
            os.close(out_write)
            os.close(err_write)
            reply_theirs.close()
        with reply:
            replies = reply.makefile("rb")
            pid = int(replies.readline())
            stdout, stderr, timed_out = _collect(out_read, err_read, pid, timeout)
            code = int(replies.readline())
        if timed_out:
            raise subprocess.TimeoutExpired(command, timeout, output=stdout, stderr=stderr)
        return subprocess.CompletedProcess(command, code, stdout, stderr)


def _collect(out_read: int, err_read: int, pid: int, timeout: float) -> tuple[bytes, bytes, bool]:
    """Both pipes read to their end; the run is killed (as subprocess.run kills it) at `timeout`."""
    chunks: dict[int, list[bytes]] = {out_read: [], err_read: []}
    deadline = time.monotonic() + timeout
    timed_out = False
    with selectors.DefaultSelector() as selector:
        for fd in chunks:
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map():
            left = deadline - time.monotonic()
            if left <= 0 and not timed_out:
                timed_out = True
                os.kill(pid, signal.SIGKILL)
            for key, _ in selector.select(None if timed_out else max(left, 0)):
                data = os.read(key.fd, 65536)
                if data:
                    chunks[key.fd].append(data)
                else:
                    selector.unregister(key.fd)
                    os.close(key.fd)
    return b"".join(chunks[out_read]), b"".join(chunks[err_read]), timed_out
