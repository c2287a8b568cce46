"""Chooses the Python that `dify-codenode run` runs a Code node with: one like Dify's sandbox when there is one."""

from __future__ import annotations

import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UserError, shown_path

# What dify-sandbox images run (dify-facts §2): 3.10 up to 0.2.12, CPython 3.14 from 0.2.13 on;
# 3.12 and 3.13 stand in for 3.14 where it can't be had. Newest first: `run` prefers it.
SANDBOX_VERSIONS = ((3, 14), (3, 13), (3, 12), (3, 10))
SANDBOX_PACKAGES = ("httpx", "requests")
PROBE = (
    "import importlib.util, json, sys; "
    "print(json.dumps([list(sys.version_info[:3]), "
    f"[n for n in {list(SANDBOX_PACKAGES)!r} if importlib.util.find_spec(n) is None]]))"
)


@dataclass(frozen=True)
class Interpreter:
    """A Python that can run a Code node, and how close it is to the sandbox's."""

    path: str
    version: tuple[int, int, int]
    missing: tuple[str, ...]  # sandbox packages it doesn't have

    @property
    def sandbox_like(self) -> bool:
        return self.version[:2] in SANDBOX_VERSIONS and not self.missing

    def describe(self) -> str:
        return f"Python {'.'.join(map(str, self.version))} ({shown_path(self.path)})"


def choose(python: str | None) -> Interpreter:
    """--python if given (refused in one line if it isn't a working Python); else
    $DIFY_SANDBOX_PYTHON; else the sandbox-like Python of the newest sandbox version found (this
    one, ./.venv-sandbox*, python3.14 ... python3.10 on PATH, pyenv's); else the Python running this tool."""
    if python is not None:
        found = shutil.which(python)
        if found is None:
            raise UserError(f"--python {shown_path(python)}: no such executable; give the path of a Python interpreter")
        interpreter = _probe(os.path.abspath(found))
        if interpreter is None:
            raise UserError(
                f"--python {shown_path(python)}: doesn't run as a Python 3 interpreter; give the path of one"
            )
        return interpreter
    chosen = os.environ.get("DIFY_SANDBOX_PYTHON", "")
    located = shutil.which(chosen) if chosen else None
    interpreter = _probe(os.path.abspath(located)) if located else None
    if interpreter is not None:
        return interpreter
    here = _this_python()
    found = [here] + [interpreter for interpreter in _probe_all(_candidates()) if interpreter is not None]
    likes = [interpreter for interpreter in found if interpreter.sandbox_like]
    if not likes:
        return here
    return min(likes, key=lambda interpreter: SANDBOX_VERSIONS.index(interpreter.version[:2]))


def _candidates() -> list[str]:
    versions = [f"{major}.{minor}" for major, minor in SANDBOX_VERSIONS]
    found = [
        os.path.abspath(Path(name) / "bin" / "python")
        for name in (".venv-sandbox314", ".venv-sandbox313", ".venv-sandbox")
    ]
    # PATH is searched past pyenv's shims: a shim hands over, after ~150 ms of shell, to a version
    # listed below or to the same name further along PATH, and both are candidates themselves.
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    shims = os.path.abspath(os.path.join(pyenv_root, "shims"))
    path = os.pathsep.join(
        folder for folder in os.environ.get("PATH", os.defpath).split(os.pathsep) if os.path.abspath(folder) != shims
    )
    found += [shutil.which(f"python{version}", path=path) or "" for version in versions]
    for version in versions:
        found += sorted(glob.glob(os.path.join(pyenv_root, "versions", f"{version}.*", "bin", "python")), reverse=True)
    unique = []
    for candidate in found:
        if candidate and os.access(candidate, os.X_OK) and candidate not in unique:
            unique.append(candidate)
    return unique


def _this_python() -> Interpreter:
    missing = tuple(name for name in SANDBOX_PACKAGES if importlib.util.find_spec(name) is None)
    return Interpreter(sys.executable, tuple(sys.version_info[:3]), missing)  # type: ignore[arg-type]


def _probe(path: str) -> Interpreter | None:
    return _probe_all([path])[0]


def _probe_all(paths: list[str]) -> list[Interpreter | None]:
    """Each path's Python, or None where it isn't one: asked at once, so `run` waits for the slowest, not the sum."""
    started = [_start_probe(path) for path in paths]
    return [_finish_probe(path, process) for path, process in zip(paths, started, strict=True)]


def _start_probe(path: str) -> subprocess.Popen[bytes] | None:
    if os.path.isdir(path):
        return None
    try:
        return subprocess.Popen(
            [path, "-c", PROBE], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        )
    except (OSError, ValueError):
        return None


def _finish_probe(path: str, process: subprocess.Popen[bytes] | None) -> Interpreter | None:
    if process is None:
        return None
    try:
        stdout, _ = process.communicate(timeout=20)
        version, missing = json.loads(stdout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    except (ValueError, TypeError):
        return None
    if process.returncode != 0 or not isinstance(version, list) or len(version) != 3 or version[0] != 3:
        return None
    return Interpreter(path, tuple(version), tuple(missing))  # type: ignore[arg-type]
