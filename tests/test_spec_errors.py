"""Bad input: exit 2, one line naming what and where and how to fix, no traceback, nothing written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import generator.rendering.output as output

MINIMAL = 'version = 1\n[[snippets]]\nname = "a"\ntemplate = "single"\n'

BAD_SPECS = [
    ("version = 1\n[[snippets]\n", "invalid TOML"),
    ("", "version: missing; add `version = 1`"),
    ("version = 2\n[[snippets]]\nname='a'\ntemplate='single'\n", "version: 2 is not supported"),
    ("version = 1\n", "snippets: the spec has no snippets"),
    ("version = 1\nsnippets = 3\n", "snippets: must be an array of tables"),
    ("version = 1\nfoo = 1\n" + MINIMAL[12:], "foo: unknown key; valid keys here: version, defaults, snippets"),
    (MINIMAL + "colour = 'red'\n", "snippets[0].colour: unknown key; valid keys here: name, template, app"),
    ("version = 1\n[defaults]\nname = 'x'\n[[snippets]]\nname='a'\ntemplate='single'\n", "defaults.name: unknown key"),
    ("version = 1\n[[snippets]]\ntemplate = 'single'\n", "snippets[0].name: missing"),
    ("version = 1\n[[snippets]]\nname = 'a'\n", "snippets[0].template: missing"),
    ("version = 1\n[[snippets]]\nname = 5\ntemplate='single'\n", "snippets[0].name: must be a string, not an integer"),
    (MINIMAL + "dynamic = 'two'\n", "snippets[0].dynamic: must be a whole number, not a string"),
    (MINIMAL.replace("single", "variables") + "dynamic = -1\n", "snippets[0].dynamic: -1 is out of range; use 0 to 50"),
    (
        MINIMAL.replace("single", "variables") + "dynamic = 100000\n",
        "snippets[0].dynamic: 100000 is out of range; use 0 to 50",
    ),
    (MINIMAL + "time_budget = 0\n", "snippets[0].time_budget: 0 is out of range; use 1 to 600"),
    (MINIMAL + "auto_generate_name = 'yes'\n", "snippets[0].auto_generate_name: must be true or false"),
    (
        MINIMAL + "app = 'assistant'\n",
        "snippets[0].app: 'assistant' is not one of agent, chat, chatflow, completion, workflow",
    ),
    (MINIMAL + "inputs = { a = 'b' }\n", "snippets[0].inputs: template 'single' takes no inputs"),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = 'from' }\n",
        "snippets[0].inputs.x: 'from' is a Python keyword and can't be a main() parameter; rename it (e.g. 'from_')",
    ),
    (MINIMAL.replace("single", "variables") + "inputs = { x = 'match' }\n", "'match' is a Python keyword"),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = 'query' }\n",
        "'query' is already a parameter of every snippet",
    ),
    (MINIMAL.replace("single", "variables") + "inputs = { x = 'body' }\n", "'body' is a name the generated code"),
    (MINIMAL.replace("single", "variables") + "inputs = { x = '2fast' }\n", "'2fast' is not a Dify variable name"),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = 'a_very_long_parameter_name_over_30' }\n",
        "is not a Dify variable name",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = 'p', y = 'p' }\n",
        "snippets[0].inputs.y: 'p' is already the parameter of input 'x'",
    ),
    (
        MINIMAL.replace("single", "variables") + "dynamic = 2\ninputs = { x = 'var_name_2' }\n",
        "'var_name_2' is also a dynamic pair's parameter",
    ),
    (MINIMAL.replace("single", "variables") + "inputs = { '' = 'p' }\n", "an input key can't be empty"),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = 3 }\n",
        "snippets[0].inputs.x: must be the main() parameter name (a string) or a table with param and type, not an "
        "integer",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = { type = 'number' } }\n",
        "snippets[0].inputs.x.param: missing or not a string",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = { param = 'p' } }\n",
        "snippets[0].inputs.x.type: '' is not a Dify input type; use one of text-input, paragraph",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = { param = 'p', type = 'date' } }\n",
        "snippets[0].inputs.x.type: 'date' is not a Dify input type",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = { param = 'p', type = 'select' } }\n",
        "snippets[0].inputs.x.options: a select input needs its options",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = { param = 'p', type = 'number', options = ['a'] } }\n",
        "snippets[0].inputs.x.options: only a select input has options",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = { param = 'p', type = 'number', max_length = 3 } }\n",
        "snippets[0].inputs.x.max_length: only text-input, paragraph and file-list inputs have a max_length",
    ),
    (
        MINIMAL.replace("single", "variables")
        + "inputs = { x = { param = 'p', type = 'paragraph', max_length = -1 } }\n",
        "snippets[0].inputs.x.max_length: must be a whole number from 0 (no limit) to 1,000,000",
    ),
    (
        MINIMAL.replace("single", "variables")
        + "inputs = { x = { param = 'p', type = 'paragraph', required = 'yes' } }\n",
        "snippets[0].inputs.x.required: must be true or false, not a string",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = { param = 'p', type = 'paragraph', colour = 1 } }\n",
        "snippets[0].inputs.x.colour: unknown key; valid keys here: param, type, required, options, max_length",
    ),
    (
        MINIMAL.replace("single", "variables") + "inputs = { x = { param = 'class', type = 'paragraph' } }\n",
        "snippets[0].inputs.x.param: 'class' is a Python keyword",
    ),
    (
        MINIMAL.replace("single", "variables")
        + "inputs = { x = { param = 'p', type = 'file' } }\nroute = 'http-node'\n",
        "snippets[0].inputs.x: file inputs go through the code route only",
    ),
    (
        MINIMAL.replace("single", "variables") + "app = 'workflow'\nquery_input = 'topic'\ninputs = { topic = 't' }\n",
        "snippets[0].inputs.topic: main()'s query fills the workflow app's input 'topic' already",
    ),
    (
        MINIMAL + "app = 'workflow'\nquery_input = \"a\\nb\"\n",
        "snippets[0].query_input: an input key can't contain control characters",
    ),
    (
        MINIMAL.replace("single", "conversation") + "app = 'workflow'\n",
        "snippets[0].app: a workflow app has no conversations",
    ),
    (MINIMAL + "workflow_outputs = { a = 'string' }\n", "only a workflow app has workflow outputs"),
    (MINIMAL + "app = 'workflow'\nworkflow_outputs = { a = 'text' }\n", "'text' is not a Dify output type"),
    (
        MINIMAL + "app = 'workflow'\nerrors = 'output'\nworkflow_outputs = { error = 'string' }\n",
        "'error' is the name of a built-in output",
    ),
    (
        MINIMAL + "extra_outputs = ['tokens']\n",
        "snippets[0].extra_outputs: 'tokens' is not one of message_id, usage, status",
    ),
    (MINIMAL + "base_url = 'ftp://x/v1'\n", "must be an http:// or https:// URL with a host"),
    (MINIMAL + "base_url = 'https:///v1'\n", "must be an http:// or https:// URL with a host"),
    (MINIMAL + "base_url = 'https://a b/v1'\n", "contains spaces or control characters"),
    (MINIMAL + "base_url = 'https://x:99999/v1'\n", "is not a valid URL"),
    (MINIMAL + 'user_prefix = "a\\u0007b"\n', "snippets[0].user_prefix: 'a\\x07b' contains control characters"),
    ("version = 1\n[defaults]\napp = 'nope'\n" + MINIMAL[12:], "defaults.app: 'nope' is not one of"),
    (
        "version = 1\n[defaults]\ntemplate = 3\n" + MINIMAL[12:],
        "defaults.template: 3 is not one of single, variables, conversation",
    ),
    (MINIMAL + "[[snippets]]\nname = 'A'\ntemplate = 'single'\n", "snippets[1].name: 'A' clashes with 'a'"),
    ("version = 1\n[[snippets]]\nname = '../evil'\ntemplate = 'single'\n", "can't be a file name"),
    ("version = 1\n[[snippets]]\nname = 'a/b'\ntemplate = 'single'\n", "can't be a file name"),
    ("version = 1\n[[snippets]]\nname = '.hidden'\ntemplate = 'single'\n", "can't be a file name"),
    ("version = 1\n[[snippets]]\nname = 'CON'\ntemplate = 'single'\n", "reserved device name on Windows"),
    ("version = 1\n[[snippets]]\nname = 'lpt1'\ntemplate = 'single'\n", "reserved device name on Windows"),
    (
        MINIMAL + "user_prefix = 'app-abcdefghijklmnopqrstuvwxyz'\n",
        "snippets[0].user_prefix: looks like a Dify API key; never put keys in the spec",
    ),
]


def _assert_clean_error(result, out: Path, expected: str) -> None:
    assert result.exit_code == 2, result.stdout + result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("dify-codenode: error: ")
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize("text,expected", BAD_SPECS, ids=[f"bad{n:02d}" for n in range(len(BAD_SPECS))])
def test_bad_spec(cli, tmp_path: Path, text: str, expected: str) -> None:
    spec = tmp_path / "snippets.toml"
    spec.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    for command in ("generate", "check"):
        _assert_clean_error(cli(command, "--spec", spec, "--out", out), out, expected)


def test_non_utf8_spec(cli, tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_bytes(MINIMAL.encode() + b"# caf\xe9\n")
    _assert_clean_error(
        cli("generate", "--spec", spec, "--out", tmp_path / "out"), tmp_path / "out", "is not UTF-8 (bad byte at offset"
    )


def test_spec_that_is_a_directory(cli, tmp_path: Path) -> None:
    _assert_clean_error(
        cli("generate", "--spec", tmp_path, "--out", tmp_path / "out"),
        tmp_path / "out",
        "is a directory, not a spec file",
    )


def test_missing_spec(cli, tmp_path: Path) -> None:
    _assert_clean_error(
        cli("generate", "--spec", tmp_path / "nope.toml", "--out", tmp_path / "out"), tmp_path / "out", "no such file"
    )


def test_unreadable_spec(cli, tmp_path: Path, monkeypatch) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(MINIMAL)
    real_read_bytes = Path.read_bytes

    def denied(path: Path) -> bytes:  # CI runs as root, where chmod 0 doesn't stop reads
        if path == spec:
            raise PermissionError(13, "Permission denied")
        return real_read_bytes(path)

    monkeypatch.setattr(Path, "read_bytes", denied)
    _assert_clean_error(
        cli("generate", "--spec", spec, "--out", tmp_path / "out"),
        tmp_path / "out",
        "can't be read (Permission denied)",
    )


def test_output_path_that_is_a_file(cli, tmp_path: Path) -> None:
    spec = tmp_path / "s.toml"
    spec.write_text(MINIMAL)
    out = tmp_path / "out"
    out.write_text("not a dir")
    result = cli("generate", "--spec", spec, "--out", out)
    assert result.exit_code == 2 and "is a file, not a directory" in result.stderr
    assert out.read_text() == "not a dir"


def _generated_then_changed(cli, tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    """An output dir generated from a spec, then the spec changed so one file updates, one is created, one removed."""
    spec = tmp_path / "s.toml"
    spec.write_text(MINIMAL + '[[snippets]]\nname = "b"\ntemplate = "single"\n')
    out = tmp_path / "out"
    assert cli("generate", "--spec", spec, "--out", out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    spec.write_text(
        MINIMAL.replace('"single"', '"single"\napp = "chat"') + '[[snippets]]\nname = "c"\ntemplate = "single"\n'
    )
    return spec, out, before


def test_unwritable_output_leaves_everything_as_it_was(cli, tmp_path: Path, monkeypatch) -> None:
    spec, out, before = _generated_then_changed(cli, tmp_path)

    real_stage = output.stage
    calls = []

    def failing_stage(directory, data, mode, suffix=".tmp"):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        return real_stage(directory, data, mode, suffix)

    monkeypatch.setattr(output, "stage", failing_stage)
    result = cli("generate", "--spec", spec, "--out", out)
    assert result.exit_code == 2 and "(No space left on device); nothing was changed" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_failed_rename_is_rolled_back(cli, tmp_path: Path, monkeypatch) -> None:
    spec, out, before = _generated_then_changed(cli, tmp_path)

    real_replace = os.replace
    calls = []

    def failing_replace(source, target):
        calls.append(1)
        if len(calls) == 2:
            raise OSError(5, "Input/output error")
        return real_replace(source, target)

    monkeypatch.setattr(output.os, "replace", failing_replace)
    result = cli("generate", "--spec", spec, "--out", out)
    assert result.exit_code == 2 and "the directory was restored" in result.stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
