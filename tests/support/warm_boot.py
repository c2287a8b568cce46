"""A warmed sandbox interpreter: imports once what generated code imports, then forks a fresh child per run.

Started by tests/support/warm_sandbox.py as
    python -B -W error warm_boot.py SANDBOX_BOOT CONTROL_FD
under the same interpreter and flags a cold run uses. Each request on the control socket (a
SOCK_SEQPACKET message: JSON {script, cwd, env, fds}, with the run's stdout, stderr, reply socket
and passed descriptors attached) forks a monitor, which forks the run: the run gets those
descriptors, cwd, environment and argv, then goes through sandbox_boot.run exactly as
`python -B -W error sandbox_boot.py SCRIPT` would (audit hook, thread ban, line tracing). The
monitor sends the run's pid, then its exit code, on the reply socket. Only the standard library
imports below and compiling sandbox_boot.py happen before the run (under the same -W error, so a
warning they raise stops this process); everything else happens in the run. Variables that
Python reads at start-up (PYTHON*, LANG, LC_*) are the warm interpreter's own: warm_sandbox.py
starts one per set of them.
"""

import fcntl
import importlib
import json
import os
import signal
import socket
import sys

# What generated files and Dify's runner script import (tests/test_warm_sandbox.py keeps this
# list equal to the imports of the files in output/).
WARM_IMPORTS = (
    "base64",
    "http.client",
    "json",
    "re",
    "socket",
    "ssl",
    "time",
    "urllib.parse",
    "urllib.request",
    "uuid",
)
MAX_REQUEST = 1 << 20
MAX_FDS = 16


def _serve(control: socket.socket) -> "tuple[dict, list[int]]":
    """Answers requests until the control socket closes; returns (request, fds) in a run's process."""
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # monitors are reaped by the kernel
    while True:
        message, fds, _, _ = socket.recv_fds(control, MAX_REQUEST, MAX_FDS)
        if not message:
            os._exit(0)
        if os.fork() == 0:
            control.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)
            return _monitor(json.loads(message), fds)
        for fd in fds:
            os.close(fd)


def _monitor(request: dict, fds: "list[int]") -> "tuple[dict, list[int]]":
    """In the monitor: fork the run, report its pid and exit code, exit."""
    run = os.fork()
    if run == 0:
        return request, fds
    reply = socket.socket(fileno=fds[2])
    for fd in fds[:2] + fds[3:]:
        os.close(fd)
    reply.sendall(f"{run}\n".encode())
    _, status = os.waitpid(run, 0)
    reply.sendall(f"{os.waitstatus_to_exitcode(status)}\n".encode())
    os._exit(0)


def _become_the_run(request: dict, fds: "list[int]", boot_path: str) -> None:
    """Give this process the run's descriptors (stdin /dev/null, stdout, stderr and the passed
    ones at their numbers), working directory, environment and argv; close everything else."""
    stdout, stderr, reply, passed = fds[0], fds[1], fds[2], fds[3:]
    os.close(reply)
    above = max([*fds, *request["fds"]]) + 1  # out of the way of the numbers they are moved to
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, above) for fd in passed]
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(stdout, 1)
    os.dup2(stderr, 2)
    for fd, number in zip(high, request["fds"], strict=True):
        os.dup2(fd, number)
    keep = {0, 1, 2, *request["fds"]}
    for fd in os.listdir("/proc/self/fd"):  # warm_sandbox.warm_available() checks it is there
        if int(fd) not in keep:
            try:
                os.close(int(fd))
            except OSError:
                pass
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.argv[:] = [boot_path, request["script"]]


def main() -> None:
    boot_path = sys.argv[1]
    sys.path[0] = os.path.dirname(boot_path)  # as when sandbox_boot.py is the script
    for name in WARM_IMPORTS:
        importlib.import_module(name)
    with open(boot_path, encoding="utf-8") as handle:
        boot = compile(handle.read(), boot_path, "exec", dont_inherit=True)
    sys.stdout.flush()
    request, fds = _serve(socket.socket(fileno=int(sys.argv[2])))
    _become_the_run(request, fds, boot_path)
    try:  # sandbox_boot.py as the script it is in a cold run: __main__, its own frames
        exec(boot, {"__name__": "__main__", "__file__": boot_path, "__builtins__": __builtins__})
    except SystemExit:
        raise
    except BaseException as error:  # as the interpreter reports it, without this function's frame
        error = error.with_traceback(error.__traceback__.tb_next)
        sys.excepthook(type(error), error, error.__traceback__)
        sys.exit(1)


if __name__ == "__main__":
    main()
