"""Starts a Code-node script the way dify-sandbox would allow it: no threads, processes or file writes.

Run as `python -B sandbox_boot.py SCRIPT`. An audit hook stands in for the sandbox's seccomp
allow-list: where the real sandbox kills the process (bad system call), this exits at once
with status 159 (128 + SIGSYS) and says which operation it was, on stderr.
"""

import os
import sys

FORBIDDEN_EVENTS = {
    "_thread.start_new_thread": "starting a thread",
    "subprocess.Popen": "starting a subprocess",
    "os.system": "starting a subprocess",
    "os.fork": "forking",
    "os.forkpty": "forking",
    "os.posix_spawn": "starting a process",
    "os.exec": "exec",
    "os.spawn": "starting a process",
    "os.mkdir": "creating a directory",
    "os.remove": "removing a file",
    "os.rename": "renaming a file",
}
WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _deny(what: str) -> None:
    os.write(2, f"sandbox: {what} is not allowed (dify-sandbox kills the process: bad system call)\n".encode())
    os._exit(159)


def _hook(event: str, args: tuple) -> None:
    if event in FORBIDDEN_EVENTS:
        _deny(FORBIDDEN_EVENTS[event])
    elif event == "open" and len(args) >= 3:
        path, mode, flags = args[0], args[1], args[2]
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and flags & WRITE_FLAGS
        )
        if writing and path not in (1, 2):
            _deny(f"writing the file {path!r}")


def _no_threads(*args: object, **kwargs: object) -> None:
    _deny("starting a thread")


def _forbid_threads() -> None:
    """Python 3.10 and 3.11 raise no audit event for a new thread: take away the primitive itself."""
    import _thread

    for name in ("start_new_thread", "start_new", "start_joinable_thread"):
        if hasattr(_thread, name):
            setattr(_thread, name, _no_threads)
    threading = sys.modules.get("threading")
    for name in ("_start_new_thread", "_start_joinable_thread"):
        if threading is not None and hasattr(threading, name):
            setattr(threading, name, _no_threads)


TRACE_FD_ENV = "DIFY_CODENODE_TRACE_FD"


def _trace_lines(fd: int) -> None:
    """Record which lines of the script run, and write them to the inherited file descriptor
    `fd` at exit (space-separated): how the test suite measures line coverage of a run."""
    import atexit

    lines = set()

    def trace(frame, event, arg):  # noqa: ANN001, ANN202 (sys.settrace's protocol)
        if frame.f_code.co_filename != "<code>":
            return None
        if event == "line":
            lines.add(frame.f_lineno)
        return trace

    def write() -> None:
        data = " ".join(map(str, sorted(lines))).encode()
        while data:
            data = data[os.write(fd, data) :]

    atexit.register(write)
    sys.settrace(trace)


def run(script_path: str) -> None:
    with open(script_path, encoding="utf-8") as handle:
        code = compile(handle.read(), "<code>", "exec")
    _forbid_threads()
    sys.addaudithook(_hook)
    trace_fd = os.environ.pop(TRACE_FD_ENV, "")
    if trace_fd:
        _trace_lines(int(trace_fd))
    exec(code, {"__name__": "__main__", "__builtins__": __builtins__})


if __name__ == "__main__":
    run(sys.argv[1])
