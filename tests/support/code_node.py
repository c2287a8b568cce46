"""The test suite's view of the Code-node runner: generator.codenode.run, run under the sandbox's Python.

Runs are forked from a warmed interpreter (support/warm_sandbox.py; tests/test_warm_sandbox.py
proves a warm run is the cold run) unless DIFY_CODENODE_COLD_RUNS=1, which starts each one as
Dify does; .ci/run runs the runtime tests both ways."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from generator.codenode import run as code_node
from generator.codenode.run import NodeRun, declared_outputs, runner_script, validate_outputs  # noqa: F401
from support.warm_sandbox import launch, warm_available

REPO = Path(__file__).resolve().parents[2]
COLD = os.environ.get("DIFY_CODENODE_COLD_RUNS") == "1" or not warm_available()


def sandbox_python() -> str:
    """The interpreter playing the sandbox's: $DIFY_SANDBOX_PYTHON, the repo's 3.10 venv, pyenv 3.10, else this one."""
    candidates = [
        os.environ.get("DIFY_SANDBOX_PYTHON", ""),
        str(REPO / ".venv-sandbox" / "bin" / "python"),
        str(Path.home() / ".pyenv" / "versions" / "3.10.13" / "bin" / "python"),
    ]
    for candidate in candidates:
        if candidate and Path(candidate).exists():
            return candidate
    return sys.executable


def run_code_node(code: str, inputs: dict, outputs: dict[str, str], **options) -> NodeRun:
    """Every run under `-W error`: whatever a newer sandbox's Python would warn about fails here."""
    options.setdefault("python", sandbox_python())
    options.setdefault("warnings_as_errors", True)
    options.setdefault("launch", subprocess.run if COLD else launch)
    return code_node.run_code_node(code, inputs, outputs, **options)
