"""The option space forks its runs from a warmed interpreter (tests/support/warm_sandbox.py): they must be cold runs."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
from pathlib import Path

import pytest
from support import warm_sandbox
from support.code_node import run_code_node
from support.snippets import add_app, point_at_emulator, render_code
from support.warm_boot import WARM_IMPORTS

from generator.codenode.run import RUNNER_TEMPLATE, declared_outputs

OUTPUT = Path(__file__).resolve().parents[1] / "output"
pytestmark = pytest.mark.skipif(not warm_sandbox.warm_available(), reason="forking needs a POSIX system")

# Code nodes that look at what a run is given: its process, descriptors, environment, argv, path.
PROBE = """
import json, os, sys


def main(name: str) -> dict:
    return {
        "result": json.dumps([
            os.getpid() != os.getppid(),
            sorted(os.listdir(".")),
            sorted(int(fd) for fd in os.listdir("/proc/self/fd")),
            os.environ.get("PROBE_VALUE"),
            sorted(os.environ),
            os.path.basename(sys.argv[0]),
            os.path.basename(sys.argv[1]),
            os.path.basename(sys.path[0]),
            sys.stdin.read(),
            sys.flags.dont_write_bytecode,
            sys.warnoptions,
            name,
        ])
    }
"""
WRITES_A_FILE = 'def main() -> dict:\n    open("x.txt", "w").write("x")\n    return {"result": "written"}\n'
STARTS_A_THREAD = (
    "import threading\n\n\ndef main() -> dict:\n    threading.Thread(target=print).start()\n    return {}\n"
)
WARNS = 'import warnings\n\n\ndef main() -> dict:\n    warnings.warn("old", DeprecationWarning)\n    return {}\n'
FAILS = 'def main() -> dict:\n    raise ValueError("broken " + "é")\n'
EXITS = 'def main() -> dict:\n    raise SystemExit("one line")\n'
SLEEPS = "import time\n\n\ndef main() -> dict:\n    time.sleep(30)\n    return {}\n"
PRINTS_A_LOT = 'def main() -> dict:\n    print("x" * 300000)\n    return {"result": "y" * 100000}\n'


def both(code: str, inputs: dict, outputs: dict, **options):
    """The same run, started cold and forked warm."""
    cold = run_code_node(code, inputs, outputs, trace_lines=True, launch=subprocess.run, **options)
    warm = run_code_node(code, inputs, outputs, trace_lines=True, launch=warm_sandbox.launch, **options)
    return cold, warm


def same(cold, warm) -> None:
    assert (warm.outputs, warm.error, warm.stdout, warm.lines) == (cold.outputs, cold.error, cold.stdout, cold.lines)


@pytest.mark.parametrize(
    "code, outputs, fragment",
    [
        (PROBE, {"result": "string"}, None),
        (WRITES_A_FILE, {"result": "string"}, "writing the file 'x.txt' is not allowed"),
        (STARTS_A_THREAD, {}, "starting a thread is not allowed"),
        (WARNS, {}, "DeprecationWarning: old"),
        (FAILS, {}, "ValueError: broken é"),
        (EXITS, {}, "one line"),
        (PRINTS_A_LOT, {"result": "string"}, None),
    ],
    ids=["probe", "file-write", "thread", "warning", "exception", "system-exit", "large-output"],
)
def test_a_warm_run_is_the_cold_run(code: str, outputs: dict, fragment: str | None) -> None:
    inputs = {"name": "é ✓"} if code is PROBE else {}
    cold, warm = both(code, inputs, outputs, env={"PROBE_VALUE": "given"})
    same(cold, warm)
    if fragment is None:
        assert cold.ok, cold.error
    else:
        assert fragment in cold.error and not cold.ok
    if code is PROBE:
        separate, files, fds, value, names, script, boot, path, stdin, *_ = json.loads(cold.outputs["result"])
        assert (separate, files, value, stdin) == (True, ["code.py"], "given", "")
        assert fds[:3] == [0, 1, 2] and len(fds) == 5  # one passed descriptor (the trace) and listdir's own


def test_a_warm_run_is_killed_at_the_timeout_as_a_cold_one() -> None:
    cold, warm = both(SLEEPS, {}, {}, timeout=1)
    assert cold.error == warm.error == "error: timeout"


def test_a_generated_file_runs_the_same_warm_and_cold(dify) -> None:
    for options in ({"template": "single", "base_url": "https://api.example/v1"}, {"template": "conversation"}):
        code = render_code(**options)
        code, env = point_at_emulator(code, dify)
        callee = add_app(dify, "agent", answer="Hi ✓")
        inputs = {"query": "q", "user": "u", "api_key": callee.key}
        if options["template"] == "conversation":
            inputs["conversation_id"] = ""
        cold, warm = both(code, inputs, declared_outputs(code), env=env)
        assert cold.ok and cold.outputs["response_text"] == "Hi ✓", cold.error
        assert warm.ok, warm.error
        cold_outputs = dict(cold.outputs, conversation_id=None, message_id=None)
        warm_outputs = dict(warm.outputs, conversation_id=None, message_id=None)
        assert cold_outputs == warm_outputs and warm.lines == cold.lines
        wrong = dataclasses.replace(callee, key="app-wrong")
        cold, warm = both(code, {**inputs, "api_key": wrong.key}, declared_outputs(code), env=env)
        assert not cold.ok and warm.error == cold.error and "401" in cold.error


def test_the_warm_imports_are_what_generated_files_and_the_runner_import() -> None:
    imported: set[str] = set()
    for path in [*OUTPUT.glob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    runner = ast.parse(RUNNER_TEMPLATE.replace("{{code}}", "").replace("{{inputs}}", ""))
    imported |= {alias.name for node in runner.body if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in runner.body if isinstance(node, ast.ImportFrom) and node.module}
    imported.discard("certifi")  # not the standard library: imported by the run that needs it
    assert set(WARM_IMPORTS) == imported
