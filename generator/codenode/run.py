"""Runs a Code-node file the way Dify does: runner script, own process, 15 s kill, stderr = failure, output checks.

Used by `dify-codenode run` and by the test suite. The process is started through
sandbox_boot.py, which refuses what dify-sandbox's seccomp filter refuses (threads,
processes, file writes) the way the sandbox does: the run dies.
"""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.dify import (
    MAX_DEPTH,
    MAX_NUMBER,
    MAX_NUMBER_ARRAY_LENGTH,
    MAX_OBJECT_ARRAY_LENGTH,
    MAX_PRECISION,
    MAX_STRING_ARRAY_LENGTH,
    MAX_STRING_LENGTH,
    MIN_NUMBER,
    SANDBOX_KILL_SECONDS,
)

BOOT = Path(__file__).resolve().with_name("sandbox_boot.py")
SANDBOX_TIMEOUT = float(SANDBOX_KILL_SECONDS)

# Dify's Python 3 runner template (core/helper/code_executor/python3/python3_transformer.py).
RUNNER_TEMPLATE = """
# declare main function
{{code}}

import json
from base64 import b64decode

# decode and prepare input dict
inputs_obj = json.loads(b64decode('{{inputs}}').decode('utf-8'))

# execute main function
output_obj = main(**inputs_obj)

# convert output to json and print
output_json = json.dumps(output_obj, indent=4)

result = f'''<<RESULT>>{output_json}<<RESULT>>'''
print(result)
"""
RESULT = re.compile(r"<<RESULT>>(.*)<<RESULT>>", re.DOTALL)
# Line 1 of the user's code is this line of the runner script.
CODE_FIRST_LINE = RUNNER_TEMPLATE[: RUNNER_TEMPLATE.index("{{code}}")].count("\n") + 1
TRACE_FD_ENV = "DIFY_CODENODE_TRACE_FD"  # sandbox_boot.py's switch for line tracing


@dataclass
class NodeRun:
    """What Dify would make of one run: outputs, or the error text it shows on the node."""

    outputs: dict | None
    error: str
    stdout: str
    stderr: str
    seconds: float
    lines: frozenset[int] = frozenset()  # lines of the code that ran (with trace_lines=True)

    @property
    def ok(self) -> bool:
        return self.outputs is not None


def runner_script(code: str, inputs: dict) -> str:
    """The script Dify sends to the sandbox: code inserted first, then {{inputs}} replaced everywhere."""
    encoded = base64.b64encode(json.dumps(inputs).encode("utf-8")).decode("utf-8")
    return RUNNER_TEMPLATE.replace("{{code}}", code).replace("{{inputs}}", encoded)


def run_code_node(
    code: str,
    inputs: dict,
    outputs: dict[str, str],
    *,
    timeout: float = SANDBOX_TIMEOUT,
    env: dict[str, str] | None = None,
    python: str | None = None,
    trace_lines: bool = False,
    warnings_as_errors: bool = False,
    launch: Callable[..., subprocess.CompletedProcess] = subprocess.run,
) -> NodeRun:
    """Run `code` as a Dify Code node with these inputs and declared outputs (name -> type).

    trace_lines=True also records which lines of `code` ran (NodeRun.lines), for coverage.
    warnings_as_errors=True runs it under `-W error`: any warning, even one that this Python
    doesn't show by default, fails the run, as a warning printed on a newer sandbox's stderr
    fails the node there (dify-facts §2). `launch` starts the process, with subprocess.run's
    signature and exceptions (the test suite passes one that forks a warmed interpreter).
    """
    script = runner_script(code, inputs)
    with tempfile.TemporaryDirectory() as work, tempfile.TemporaryFile(dir=work) as trace:
        path = Path(work) / "code.py"
        path.write_text(script, encoding="utf-8")
        command = [
            python or sys.executable,
            "-B",
            *(["-W", "error"] if warnings_as_errors else []),
            str(BOOT),
            str(path),
        ]
        run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
        run_env.update(env or {})
        if trace_lines:
            run_env[TRACE_FD_ENV] = str(trace.fileno())
        started = time.monotonic()
        try:
            done = launch(
                command,
                capture_output=True,
                timeout=timeout,
                cwd=work,
                env=run_env,
                pass_fds=(trace.fileno(),) if trace_lines else (),
            )
        except subprocess.TimeoutExpired as expired:
            return NodeRun(
                None, "error: timeout", _text(expired.stdout), _text(expired.stderr), time.monotonic() - started
            )
        seconds = time.monotonic() - started
        trace.seek(0)
        traced = (int(n) - CODE_FIRST_LINE + 1 for n in trace.read().split())
        lines = frozenset(n for n in traced if 1 <= n <= len(code.splitlines()))
    run = _judge(done, outputs, seconds)
    run.lines = lines
    return run


def _judge(done: subprocess.CompletedProcess, outputs: dict[str, str], seconds: float) -> NodeRun:
    """What Dify makes of a finished run: stderr or a bad exit fails it, else the result is checked."""
    stdout, stderr = _text(done.stdout), _text(done.stderr)
    if stderr:
        return NodeRun(None, stderr, stdout, stderr, seconds)
    if done.returncode != 0:
        return NodeRun(None, f"error: exit status {done.returncode}", stdout, stderr, seconds)
    match = RESULT.search(stdout)
    if not match:
        return NodeRun(None, "Failed to parse result", stdout, stderr, seconds)
    try:
        result = json.loads(match.group(1))
    except ValueError as error:
        return NodeRun(None, f"Failed to parse result: {error}", stdout, stderr, seconds)
    problem = validate_outputs(result, outputs)
    if problem:
        return NodeRun(None, problem, stdout, stderr, seconds)
    return NodeRun(result, "", stdout, stderr, seconds)


def in_user_lines(error: str, code: str, name: str) -> str:
    """Dify's error text with the runner script's line numbers turned into the user's file's own
    (Dify puts its runner lines above the code), each with its line of code:
    `File "<code>", line 14, in main` -> `File "f.py", line 12, in main` and that line."""
    code_lines = code.splitlines()

    def located(match: re.Match) -> str:
        line = int(match.group(1)) - CODE_FIRST_LINE + 1
        if not 1 <= line <= len(code_lines):
            return f'File "Dify\'s runner script"{match.group(2)}'
        return f'File "{name}", line {line}{match.group(2)}\n    {code_lines[line - 1].strip()}'

    error = re.sub(r'File "<code>", line (\d+)([^\n]*)', located, error)
    # The frames of sandbox_boot.py, which starts the script, are ours, not Dify's: leave them out.
    boot_frame = re.compile(r'  File "' + re.escape(str(BOOT)) + r'", line \d+, in [^\n]+\n(    .*\n)?')
    return boot_frame.sub("", error)


def failure_summary(error: str) -> str:
    """One line for a failed run: the exception, and the last place in the user's file it passed."""
    lines = [line.strip() for line in error.strip().splitlines() if line.strip()]
    if not lines:
        return "no error text"
    places = re.findall(r'File "([^"]+)", line (\d+)', error)
    user_places = [f"{file}, line {line}" for file, line in places if file != "Dify's runner script"]
    where = f" (at {user_places[-1]})" if user_places else ""
    return lines[-1] + where


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8", "replace")


def validate_outputs(result: object, outputs: dict[str, str]) -> str:
    """Dify's CodeNode output validation: exactly the declared outputs, of their types, within limits."""
    if not isinstance(result, dict):
        return "Output must be a dict"
    for name, kind in outputs.items():
        if name not in result:
            return f"Output {name} is missing."
        problem = _check_value(name, result[name], kind, 1)
        if problem:
            return problem
    if len(result) != len(outputs):
        return "Not all output parameters are validated."
    return ""


def _check_value(name: str, value: object, kind: str, depth: int) -> str:
    if depth > MAX_DEPTH:
        return f"Depth limit {MAX_DEPTH} reached, object too deep."
    if kind == "string":
        if not isinstance(value, str):
            return f"Output variable `{name}` must be a string"
        if len(value) > MAX_STRING_LENGTH:
            return f"The length of output variable `{name}` must be less than {MAX_STRING_LENGTH} characters"
        return ""
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"Output variable `{name}` must be a number"
        if not MIN_NUMBER <= value <= MAX_NUMBER:
            return f"Output variable `{name}` is out of range, it must be between {MIN_NUMBER} and {MAX_NUMBER}."
        if isinstance(value, float) and "." in str(value) and len(str(value).split(".")[1]) > MAX_PRECISION:
            return f"Output variable `{name}` has too high precision, it must be less than {MAX_PRECISION} digits."
        return ""
    if kind == "boolean":
        return "" if isinstance(value, bool) else f"Output variable `{name}` must be a boolean"
    if kind == "object":
        if not isinstance(value, dict):
            return f"Output {name} is not an object, got {type(value)} instead."
        for key, item in value.items():
            item_kind = _kind_of(item)
            if item_kind is None:
                if item is None:
                    continue
                return f"Output {name}.{key} is not a valid type."
            problem = _check_value(f"{name}.{key}", item, item_kind, depth + 1)
            if problem:
                return problem
        return ""
    if kind.startswith("array[") and kind.endswith("]"):
        if not isinstance(value, list):
            return f"Output {name} is not an array, got {type(value)} instead."
        item_kind = kind[6:-1]
        limit = {
            "string": MAX_STRING_ARRAY_LENGTH,
            "object": MAX_OBJECT_ARRAY_LENGTH,
            "number": MAX_NUMBER_ARRAY_LENGTH,
        }.get(item_kind, MAX_NUMBER_ARRAY_LENGTH)
        if len(value) > limit:
            return f"The length of output variable `{name}` must be less than {limit} elements."
        for index, item in enumerate(value):
            problem = _check_value(f"{name}[{index}]", item, item_kind, depth + 1)
            if problem:
                return problem
        return ""
    return f"unknown output type {kind}"


def _kind_of(value: object) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array[object]" if all(isinstance(v, dict) for v in value) else None
    return None


def declared_outputs(code: str) -> dict[str, str]:
    """The outputs a generated file's header declares (`#     name: Type`), as Dify types."""
    outputs = {}
    in_outputs = False
    for line in code.splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("#   Output variables"):
            in_outputs = True
            continue
        if in_outputs:
            match = re.fullmatch(r"#     (\w+): ([A-Za-z\[\]]+)", line)
            if not match:
                break
            outputs[match.group(1)] = match.group(2).lower()
    return outputs
