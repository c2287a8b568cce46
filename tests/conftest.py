"""Shared fixtures: the Dify emulator, a CLI runner, and the --update-golden switch."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.code_node import sandbox_python

from generator.emulator.server import DifyEmulator

REPO = Path(__file__).resolve().parent.parent


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/golden/*/expected by running the real CLI, instead of comparing.",
    )


@pytest.hookimpl(optionalhook=True)  # xdist's hook: the suite still loads under -p no:xdist
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """What `-n auto` starts: two test processes per core, at most 8. Much of a test's time is
    spent waiting on the processes and servers it starts (a Code node's run, a time budget,
    graphon), so a second process per core overlaps those waits: on 2 cores, 47 s instead of 57
    idle, and 69 s instead of 93 with two busy processes beside it. PYTEST_XDIST_AUTO_NUM_WORKERS
    still decides when set."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None  # xdist's own reading of it
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return min(2 * cores, 8)


CREATED_CACHE: list[str] = []  # the cache folder this session made (xdist workers inherit it)


def pytest_configure(config: pytest.Config) -> None:
    # Tests never touch the user's cache; subprocesses inherit this too.
    if "DIFY_CODENODE_CACHE_DIR" not in os.environ:
        CREATED_CACHE.append(tempfile.mkdtemp(prefix="dify-codenode-cache-"))
        os.environ["DIFY_CODENODE_CACHE_DIR"] = CREATED_CACHE[0]
    # `dify-codenode run` runs Code nodes under the Python every other run here uses, without asking
    # five candidates for their version each time (tests/test_todays_dify.py tests that search).
    os.environ.setdefault("DIFY_SANDBOX_PYTHON", sandbox_python())
    _compiled_files_outside_the_repo()


def _compiled_files_outside_the_repo() -> None:
    """Where PYTHONDONTWRITEBYTECODE is set (this machine family exports it), keep compiled files in the
    temp folder instead of writing none: else each test process rewrites and compiles every test
    module again (about 4 s of CPU each) and every CLI run the suite starts compiles the package
    from source. Test processes and every process they start inherit it; the repo stays clean."""
    if not sys.dont_write_bytecode:
        return  # pytest keeps its rewritten modules in tests/__pycache__, as it always does
    prefix = os.path.join(tempfile.gettempdir(), "dify-codenode-tests", "pycache")
    sys.dont_write_bytecode = False
    sys.pycache_prefix = prefix
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = prefix


def pytest_unconfigure(config: pytest.Config) -> None:
    """The tests leave no cache folder behind (#19.18)."""
    import shutil

    from support.tls import remove_authority

    for folder in CREATED_CACHE:
        shutil.rmtree(folder, ignore_errors=True)
    remove_authority()


def pytest_report_header() -> str:
    python = sandbox_python()
    version = subprocess.run(
        [python, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True
    ).stdout.strip()
    return f"generated code runs under: {python} (Python {version})"


@pytest.fixture(scope="session")
def dify():
    """The Dify API emulator: dify.base_url over HTTP, dify.tls_base_url over TLS (tests/support/tls.py's CA)."""
    from support.tls import server_context

    with DifyEmulator(tls=server_context()) as emulator:
        yield emulator


@pytest.fixture
def cli():
    """Invoke the CLI in-process: cli("check", "--out", d) -> click Result (exit_code, stdout, stderr)."""
    from generator.cli import cli as command

    runner = CliRunner()

    def invoke(*args: str, **kwargs):
        return runner.invoke(command, [str(a) for a in args], catch_exceptions=False, **kwargs)

    return invoke


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real CLI in a fresh interpreter (for start-up and hash-seed behaviour)."""
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)], capture_output=True, text=True, cwd=cwd, env=env
    )
