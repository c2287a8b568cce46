"""A catalogue of hostile specs, flags and files: each gets one line on stderr, exit 2, nothing written.

Every case runs the CLI in-process from a fresh temporary directory and checks the whole
contract at once: the exit code, stderr is exactly one `dify-codenode: error:` line of
bounded length, no traceback, nothing on stdout, and the directory unchanged afterwards.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli

HEAD = "version = 1\n"
APP = '[[apps]]\nkey = "app-emulated0001"\nmode = "chat"\n'  # one valid app of emulate's apps file
MAIN = "def main(x: str) -> dict:\n    return {'a': x}\n"


def snippet(extra: str = "", template: str = "single") -> str:
    return f'{HEAD}[[snippets]]\nname = "a"\ntemplate = "{template}"\n{extra}'


def fifo(name: str) -> Callable[[Path], None]:
    def make(directory: Path) -> None:
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        os.mkfifo(directory / name)

    return make


@dataclass
class Case:
    """One hostile input: the command, the files it finds, and a piece of the message it must get."""

    args: list[str]
    says: str
    files: dict[str, str | bytes] = field(default_factory=dict)
    setup: Callable[[Path], None] | None = None


CASES = {
    # --- TOML no parser should choke on ---------------------------------------------------
    "inline tables 1,200 deep": Case(
        ["generate"], "nested too deeply", {"snippets.toml": HEAD + "x = " + "{a = " * 1200 + "1" + "}" * 1200}
    ),
    "arrays 3,000 deep": Case(
        ["generate"], "nested too deeply", {"snippets.toml": HEAD + "x = " + "[" * 3000 + "]" * 3000}
    ),
    "a table header 3,000 keys deep": Case(
        ["generate"], "unknown key", {"snippets.toml": HEAD + "[" + ".".join(["a"] * 3000) + "]\n"}
    ),
    "a dotted key 3,000 deep": Case(
        ["generate"], "unknown key", {"snippets.toml": HEAD + ".".join(["a"] * 3000) + " = 1\n"}
    ),
    "snippets nested 1,000 deep": Case(
        ["generate"], "snippets", {"snippets.toml": HEAD + "snippets = " + "[" * 1000 + "]" * 1000}
    ),
    "an integer of 5,000 digits": Case(
        ["generate"],
        "'time_budget' is a number of 5,000 digits",
        {"snippets.toml": snippet("time_budget = " + "9" * 5000 + "\n")},
    ),
    "time_budget = nan": Case(["generate"], "out of range", {"snippets.toml": snippet("time_budget = nan\n")}),
    "time_budget = inf": Case(["generate"], "out of range", {"snippets.toml": snippet("time_budget = inf\n")}),
    "not UTF-8": Case(["generate"], "not UTF-8", {"snippets.toml": b"version = 1\n\xff\xfe"}),
    "not TOML": Case(["generate"], "invalid TOML", {"snippets.toml": "version = = 1"}),
    "a NUL byte": Case(["generate"], "invalid TOML", {"snippets.toml": "version = 1\x00"}),
    # --- what is echoed stays one short line ----------------------------------------------
    "a 5 MB key": Case(["generate"], "unknown key", {"snippets.toml": HEAD + '"' + "k" * 5_000_000 + '" = 1\n'}),
    "a key with a newline": Case(["generate"], "'a\\nb': unknown key", {"snippets.toml": HEAD + '"a\\nb" = 1\n'}),
    "an input key with a newline": Case(
        ["generate"], "control characters", {"snippets.toml": snippet('inputs = {"a\\nb" = "x"}\n', "variables")}
    ),
    "a 1 MB app value": Case(
        ["generate"], "is not one of", {"snippets.toml": snippet('app = "' + "x" * 1_000_000 + '"\n')}
    ),
    "a base_url with a newline": Case(
        ["generate"], "control characters", {"snippets.toml": snippet('base_url = "https://a/v1\\nimport os"\n')}
    ),
    "a name with a line separator": Case(
        ["render", "single", "--name", "a\u2028b"], "'a\\u2028b' can't be a file name"
    ),
    "a 100 kB --input": Case(
        ["render", "variables", "--input", "k" * 100_000 + "=x"], "input key is 100,000 characters"
    ),
    "a 100 kB --app": Case(["render", "single", "--app", "x" * 100_000], "is not one of 'agent'"),
    # --- files that aren't what they should be ----------------------------------------------
    "a named pipe as the spec": Case(["generate", "--spec", "s.toml"], "not a regular file", setup=fifo("s.toml")),
    "a named pipe where a generated file goes": Case(
        ["generate"], "not a regular file", {"snippets.toml": snippet()}, fifo("output/a.py")
    ),
    "a named pipe where check looks": Case(
        ["check"], "not a regular file", {"snippets.toml": snippet()}, fifo("output/a.py")
    ),
    "a directory as the spec": Case(["generate", "--spec", "."], "is a directory"),
    "a file as --out": Case(["generate", "--out", "f"], "not a directory", {"snippets.toml": snippet(), "f": "x"}),
    "a file as a parent of --out": Case(
        ["generate", "--out", "f/out"], "can't create the output directory", {"snippets.toml": snippet(), "f": "x"}
    ),
    "someone else's marker": Case(
        ["generate"],
        "was not generated by dify-codenode",
        {"snippets.toml": snippet(), "output/a.py": "# @generated by dify-codenode-fork\n"},
    ),
    "a pyproject without the table": Case(
        ["generate", "--spec", "pyproject.toml"],
        "has no [tool.dify-codenode] table",
        {"pyproject.toml": "[project]\nname = 'x'\n"},
    ),
    "a 5,000-character --out": Case(
        ["generate", "--out", "x" * 5000], "File name too long", {"snippets.toml": snippet()}
    ),
    "a 5,000-character --spec": Case(["generate", "--spec", "x" * 5000], "File name too long"),
    "a 5,000-character file to lint": Case(["lint", "x" * 5000], "File name too long"),
    "a spec that links to itself": Case(
        ["generate"], "can't be read", setup=lambda d: os.symlink("snippets.toml", d / "snippets.toml")
    ),
    "a generated file that links to itself": Case(
        ["generate"],
        "can't be read",
        {"snippets.toml": snippet(), "output/other.py": ""},
        lambda d: os.symlink("a.py", d / "output" / "a.py"),
    ),
    "tool = 1 in pyproject.toml": Case(["generate"], "tool: must be a table", {"pyproject.toml": "tool = 1\n"}),
    "tool.dify-codenode = 1 in pyproject.toml": Case(
        ["generate"], "tool.dify-codenode: must be a table", {"pyproject.toml": "[tool]\ndify-codenode = 1\n"}
    ),
    "a 100 kB base_url": Case(
        ["render", "single", "--base-url", "https://x/" + "a" * 100_000], "a base URL is 2,048 at most"
    ),
    "an empty --name": Case(["render", "single", "--name", ""], "can't be a file name"),
    # --- names and text Dify can't load ---------------------------------------------------
    "__debug__ as a parameter": Case(
        ["generate"], "can't be assigned", {"snippets.toml": snippet('inputs = {x = "__debug__"}\n', "variables")}
    ),
    "__debug__ as a render input": Case(["render", "variables", "--input", "x=__debug__"], "can't be assigned"),
    "__debug__ as a workflow output": Case(
        ["render", "single", "--app", "workflow", "--workflow-output", "__debug__=string"], "can't be assigned"
    ),
    "query as a completion input": Case(
        ["generate"],
        "fills the completion app's input 'query' already",
        {"snippets.toml": snippet('app = "completion"\ninputs = {query = "q2"}\n', "variables")},
    ),
    "query as a workflow input": Case(
        ["render", "variables", "--app", "workflow", "--input", "query=q2"],
        "fills the workflow app's input 'query' already",
    ),
    "<<RESULT>> in base_url": Case(
        ["generate"], "contains <<RESULT>>", {"snippets.toml": snippet('base_url = "https://x/v1/<<RESULT>>"\n')}
    ),
    "{{inputs}} in an input key": Case(
        ["generate"], "contains {{inputs}}", {"snippets.toml": snippet('inputs = {"{{inputs}}" = "x"}\n', "variables")}
    ),
    "<<RESULT>> in user_prefix": Case(["render", "single", "--user-prefix", "<<RESULT>>"], "contains <<RESULT>>"),
    "{{inputs}} in an unknown key": Case(
        ["generate"], "contains {{inputs}}", {"snippets.toml": HEAD + '"{{inputs}}" = 1\n'}
    ),
    "an API key in render's user prefix": Case(
        ["render", "single", "--user-prefix", "app-0123456789abcdefghijABCD"], "looks like a Dify API key"
    ),
    "an API key as a key": Case(
        ["generate"], "looks like a Dify API key", {"snippets.toml": HEAD + '"app-0123456789abcdefghijABCD" = 1\n'}
    ),
    # --- click's usage errors -------------------------------------------------------------
    "an unknown app": Case(
        ["render", "single", "--app", "bogus"],
        "'bogus' is not one of 'agent', 'chat', 'chatflow', 'completion', 'workflow'",
    ),
    "a fractional --dynamic": Case(["render", "variables", "--dynamic", "3.5"], "'3.5' is not a valid integer"),
    "an unknown template": Case(["render", "nope"], "is not one of 'single', 'variables', 'conversation'"),
    "no template": Case(["render"], "Missing argument 'TEMPLATE'; one of single, variables, conversation"),
    "an unknown command": Case(["nope"], "commands: add, check, emulate, generate, init, lint, render, run, schema"),
    "an unknown option": Case(["generate", "--nope"], "No such option '--nope'"),
    "a bad --time-budget": Case(["render", "single", "--time-budget", "soon"], "'soon' is not a valid float"),
    "lint without files": Case(["lint"], "Missing argument 'FILES...'"),
    # --- lint -----------------------------------------------------------------------------
    "lint of a 100k-deep unary expression": Case(
        ["lint", "f.py"], "nested too deeply", {"f.py": "x = " + "-" * 100_000 + "1\n"}
    ),
    "lint of a 100k-term sum": Case(["lint", "f.py"], "nested too deeply", {"f.py": "x = 1" + "+1" * 100_000 + "\n"}),
    "lint of a missing file": Case(["lint", "nope.py"], "no such file"),
    "lint of a directory": Case(["lint", "."], "is a directory"),
    "lint of a pipe": Case(["lint", "p.py"], "not a regular file", setup=fifo("p.py")),
    "lint of binary": Case(["lint", "f.py"], "can't be read as UTF-8", {"f.py": b"\xff\xfe\x00"}),
    "lint with an unknown output type": Case(
        ["lint", "f.py", "--outputs", "a:text"], "'text' is not a Dify output type", {"f.py": MAIN}
    ),
    # --- run ------------------------------------------------------------------------------
    "run with a missing interpreter": Case(
        ["run", "f.py", "--outputs", "a", "--input", "x=1", "--python", "/nonexistent"],
        "no such executable",
        {"f.py": MAIN},
    ),
    "run with a non-Python interpreter": Case(
        ["run", "f.py", "--outputs", "a", "--input", "x=1", "--python", "/bin/false"],
        "doesn't run as a Python 3 interpreter",
        {"f.py": MAIN},
    ),
    "run with --timeout nan": Case(
        ["run", "f.py", "--outputs", "a", "--input", "x=1", "--timeout", "nan"], "--timeout nan", {"f.py": MAIN}
    ),
    "run with --timeout inf": Case(
        ["run", "f.py", "--outputs", "a", "--input", "x=1", "--timeout", "inf"], "--timeout inf", {"f.py": MAIN}
    ),
    "run with --timeout -1": Case(
        ["run", "f.py", "--outputs", "a", "--input", "x=1", "--timeout", "-1"], "above 0", {"f.py": MAIN}
    ),
    "run with a required input missing": Case(
        ["run", "f.py", "--outputs", "a"], "main() needs input x; add --input x=...", {"f.py": MAIN}
    ),
    "run with an input main() doesn't take": Case(
        ["run", "f.py", "--outputs", "a", "--input", "x=1", "--input", "y=2"], "no parameter 'y'", {"f.py": MAIN}
    ),
    "run of a file without main": Case(
        ["run", "f.py", "--outputs", "a"], "no top-level `def main", {"f.py": "x = 1\n"}
    ),
    "run of invalid Python": Case(["run", "f.py", "--outputs", "a"], "f.py:1:", {"f.py": "def main(:\n"}),
    "run of __debug__": Case(
        ["run", "f.py", "--outputs", "a"],
        "cannot assign to __debug__",
        {"f.py": "def main(__debug__):\n    return {}\n"},
    ),
    "run of a 100k-term sum": Case(
        ["run", "f.py", "--outputs", "a"], "nested too deeply", {"f.py": "x = 1" + "+1" * 100_000 + "\n"}
    ),
    "run without outputs": Case(["run", "f.py", "--input", "x=1"], "no declared outputs", {"f.py": MAIN}),
    "run with bad JSON": Case(["run", "f.py", "--outputs", "a", "--input-json", "x={"], "not JSON", {"f.py": MAIN}),
    "run with JSON 100k deep": Case(
        ["run", "f.py", "--outputs", "a", "--input-json", "x=" + "[" * 100_000], "not JSON", {"f.py": MAIN}
    ),
    # --- add, sync, check --apps -----------------------------------------------------------
    "add with a bad name": Case(["add", "../x", "--template", "single"], "NAME: '../x' can't be a file name"),
    "add without the key variable": Case(
        ["add", "x", "--template", "single", "--key-env", "DIFY_CODENODE_TEST_UNSET"],
        "the environment variable DIFY_CODENODE_TEST_UNSET is not set",
    ),
    "add with a bad base URL": Case(
        ["add", "x", "--template", "single", "--base-url", "file:///etc"], "must be an http:// or https:// URL"
    ),
    "sync of a pipe": Case(["sync", "p.yml"], "not a regular file", {"snippets.toml": snippet()}, fifo("p.yml")),
    "sync of a missing file": Case(["sync", "nope.yml"], "no such file", {"snippets.toml": snippet()}),
    "sync of a directory": Case(["sync", "."], "is a directory", {"snippets.toml": snippet()}),
    "sync of binary": Case(["sync", "b.yml"], "is not UTF-8", {"snippets.toml": snippet(), "b.yml": b"\xff\xfe"}),
    "sync with nothing to sync": Case(["sync"], "no app files", {"snippets.toml": snippet()}),
    "check of apps without --apps": Case(
        ["check", "a.yml"], "APPS are checked with --apps", {"snippets.toml": snippet()}
    ),
    "apps that is not a list": Case(
        ["sync"], "apps: must be a list of paths", {"snippets.toml": 'apps = "x"\n' + snippet()}
    ),
    "check --against-apps with no verified snippet": Case(
        ["check", "--against-apps"], "no snippet sets verify_key_env", {"snippets.toml": snippet()}
    ),
    "a bad verify_key_env": Case(
        ["generate"], "is not an environment variable name", {"snippets.toml": snippet('verify_key_env = "A=B"\n')}
    ),
    # --- emulate's apps file ----------------------------------------------------------------
    **{
        f"emulate: {name}": Case(["emulate", "--apps", "apps.toml", "--port", "0"], says, {"apps.toml": text})
        for name, (text, says) in {
            "not TOML": ("[[apps]\n", "apps.toml: invalid TOML: Expected ']]'"),
            "no [[apps]]": ("x = 1\n", "unknown top-level key 'x'"),
            "an empty file": ("", "no [[apps]] tables"),
            "apps that are no tables": ("apps = [1]\n", "no [[apps]] tables"),
            "a misspelt key": (APP + 'anwser = "x"\n', "apps[0]: unknown key 'anwser'; the keys are key, mode"),
            "no key": ('[[apps]]\nmode = "chat"\n', "apps[0]: key is missing"),
            "a key with a space": ('[[apps]]\nkey = "app-ab cd"\nmode = "chat"\n', "can't travel in an HTTP header"),
            "a key used twice": (APP + APP, "apps[1].key 'app-…0001' is used twice"),
            "a key of a number": ("[[apps]]\nkey = 7\n", "apps[0].key must be text in quotes, not 7"),
            "no mode": ('[[apps]]\nkey = "app-emulated0001"\n', "apps[0]: mode is missing"),
            "a mode Dify hasn't": ('[[apps]]\nkey = "app-emulated0001"\nmode = "agnet"\n', "'agnet' is no app mode"),
            "outputs of a chat app": (APP + "outputs = { a = 1 }\n", "only a workflow app has outputs"),
            "outputs that are no table": (
                '[[apps]]\nkey = "app-emulated0001"\nmode = "workflow"\noutputs = 3\n',
                "outputs must be a table",
            ),
            "a pausing chat app": (APP + "pause = true\n", "only chatflow and workflow apps pause"),
            "pause of a text": (APP + 'pause = "yes"\n', "pause must be true or false, not 'yes'"),
            "a negative delay": (APP + "delay = -1\n", "delay must be from 0 to 60 seconds, not -1"),
            "an endless delay": (APP + "delay = inf\n", "delay must be a number of seconds, not inf"),
            "an error status of success": (APP + "error = { status = 200 }\n", "from 400 to 599, not 200"),
            "an error with a misspelt key": (APP + "error = { stauts = 500 }\n", "unknown key 'stauts'"),
            "tags of numbers": (APP + "tags = [1]\n", "tags must be a list of texts"),
            "inputs that are no tables": (APP + 'inputs = ["a"]\n', "inputs must be an array of tables"),
            "an input without a name": (APP + "[[apps.inputs]]\ntype = 'number'\n", "inputs[0]: variable is missing"),
            "an input name Dify refuses": (APP + "[[apps.inputs]]\nvariable = '1x'\n", "inputs[0].variable '1x'"),
            "an input type Dify hasn't": (
                APP + "[[apps.inputs]]\nvariable = 'a'\ntype = 'text'\n",
                "inputs[0].type 'text' is no input type",
            ),
            "a select without options": (
                APP + "[[apps.inputs]]\nvariable = 'a'\ntype = 'select'\n",
                "a select input needs options",
            ),
            "options on a text input": (
                APP + "[[apps.inputs]]\nvariable = 'a'\noptions = ['x']\n",
                "only a select input has options",
            ),
            "a max_length of 0": (APP + "[[apps.inputs]]\nvariable = 'a'\nmax_length = 0\n", "above 0, not 0"),
            "a max_length on a number": (
                APP + "[[apps.inputs]]\nvariable = 'a'\ntype = 'number'\nmax_length = 3\n",
                "only text-input, paragraph and file-list inputs have one",
            ),
            "an input declared twice": (
                APP + "[[apps.inputs]]\nvariable = 'a'\n[[apps.inputs]]\nvariable = 'a'\n",
                "variable 'a' is declared twice",
            ),
            "a required flag of a text": (
                APP + "[[apps.inputs]]\nvariable = 'a'\nrequired = 'no'\n",
                "required must be true or false",
            ),
            "bytes that are no UTF-8": (b"\xff\xfe[[apps]]", "not UTF-8"),
        }.items()
    },
    "emulate: no apps file": Case(
        ["emulate", "--apps", "apps.toml"], "apps.toml: no such file; write one with an [[apps]] table per app"
    ),
    "emulate: a folder": Case(["emulate", "--apps", "apps"], "is a directory", setup=lambda d: (d / "apps").mkdir()),
    "emulate: a pipe": Case(["emulate", "--apps", "apps.toml"], "not a regular file", setup=fifo("apps.toml")),
    "emulate: a port past 65535": Case(["emulate", "--apps", "apps.toml", "--port", "70000"], "70000"),
    # --- init -----------------------------------------------------------------------------
    "init over a pipe": Case(["init", "--spec", "p"], "already exists", setup=fifo("p")),
    "init into a missing directory": Case(["init", "--spec", "no/such/dir/s.toml"], "can't be written"),
}


def _tree(directory: Path) -> dict[str, str]:
    """Every file below directory with a digest of its bytes (pipes by name only)."""
    found = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file():
            found[str(path.relative_to(directory))] = hashlib.sha1(path.read_bytes()).hexdigest()
        elif not path.is_dir():
            found[str(path.relative_to(directory))] = "special"
    return found


@pytest.mark.parametrize("name", CASES)
def test_hostile_input_gets_one_line_exit_2_and_nothing_written(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = CASES[name]
    for relative, content in case.files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    if case.setup:
        case.setup(tmp_path)
    before = _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, case.args, prog_name="dify-codenode", catch_exceptions=False)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("dify-codenode: error: ") and result.stderr.count("\n") == 1, result.stderr[:3000]
    assert len(result.stderr) < 1100 and "Traceback" not in result.stderr
    assert case.says in result.stderr, result.stderr
    assert result.stdout == ""
    assert _tree(tmp_path) == before


def test_a_named_pipe_never_blocks_the_real_command(tmp_path: Path) -> None:
    """The same as above through a fresh interpreter: nothing opens a pipe (which would wait for a writer)."""
    os.mkfifo(tmp_path / "s.toml")
    done = subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--spec", "s.toml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "not a regular file" in done.stderr


def test_warnings_go_to_stderr_and_leave_the_exit_code_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spec = (
        f'{HEAD}[defaults]\nbase_url = "http://localhost:5001"\n'
        '[[snippets]]\nname = "a"\ntemplate = "single"\nrestart_stale_conversation = true\ntime_budget = 20\n'
        # on the http-node route on_timeout = "partial" does something (the status output): no warning
        '[[snippets]]\nname = "b"\ntemplate = "single"\nroute = "http-node"\non_timeout = "partial"\n'
        '[[snippets]]\nname = "c"\ntemplate = "single"\napp = "workflow"\nquery_input = "query"\n'
        'auto_generate_name = true\ndsl_app = "chatflow"\n'
    )
    (tmp_path / "snippets.toml").write_text(spec)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["generate"], catch_exceptions=False)
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("dify-codenode: warning: ")]
    assert [w.split(": ")[3] for w in warnings] == [
        "snippets[0].restart_stale_conversation",
        "defaults.base_url",  # localhost: told once, not once per snippet
        "defaults.base_url",  # no /v1
        "snippets[0].time_budget",  # above the sandbox's 15 s
        "snippets[2].auto_generate_name",  # a workflow has no conversations
        "snippets[2].dsl_app",  # no dsl = true
    ]
    assert (tmp_path / "output" / "a.py").exists()
    quiet = CliRunner().invoke(cli, ["check", "-q"], catch_exceptions=False)
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_a_clean_spec_gets_no_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(Path(__file__).resolve().parent.parent)
    result = CliRunner().invoke(cli, ["check"], catch_exceptions=False)
    assert result.exit_code == 0 and "warning" not in result.stderr
