"""`dify-codenode lint` over a corpus of real-world defects, and `dify-codenode run` against the emulator."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from support.code_node import sandbox_python
from support.snippets import add_app, render_code

from generator.codenode.lint import lint_source

HERE = Path(__file__).resolve().parent
CORPUS = sorted((HERE / "lint_corpus").glob("*.py"))
GENERATED = sorted(HERE.parent.glob("output/*.py")) + sorted(HERE.glob("golden/*/expected/*.py"))


def expectations(source: str) -> tuple[list[str], list[str]]:
    outputs = re.search(r"^# lint-outputs: (.*)$", source, re.M).group(1)
    expect = re.search(r"^# lint-expect: ?(.*)$", source, re.M).group(1)
    return [o.strip() for o in outputs.split(",")], sorted(expect.split())


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_lint_finds_exactly_the_known_defects(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    outputs, expected = expectations(source)
    findings = lint_source(source, outputs)
    assert sorted(f.code for f in findings) == expected, [f.format(path.name) for f in findings]


@pytest.mark.parametrize("path", GENERATED, ids=[p.relative_to(HERE.parent).as_posix() for p in GENERATED])
def test_every_generated_file_lints_clean(path: Path) -> None:
    from generator.codenode.run import declared_outputs

    source = path.read_text(encoding="utf-8")
    assert lint_source(source, list(declared_outputs(source))) == []


def test_lint_cli_format_and_exit_codes(cli, tmp_path: Path) -> None:
    bad = HERE / "lint_corpus" / "threads.py"
    result = cli("lint", bad, "--outputs", "response_text")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{bad.as_posix()}:4:14: DCN004 calls threading.Thread: the sandbox forbids threads and kills the run"
    ] or re.fullmatch(rf"{re.escape(bad.as_posix())}:\d+:\d+: DCN004 .*\n", result.stdout)
    clean = cli("lint", HERE.parent / "output" / "agent_single.py")
    assert (clean.exit_code, clean.stdout) == (0, "")
    missing = cli("lint", tmp_path / "nope.py")
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_lint_says_when_it_cannot_check_the_outputs(cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text('def main() -> dict:\n    return {"a": 1}\n')
    unchecked = cli("lint", path)
    assert unchecked.exit_code == 0 and unchecked.stdout == ""
    assert "output checks (DCN011) skipped: no declared outputs" in unchecked.stderr
    checked = cli("lint", path, "--outputs", "b")
    assert checked.exit_code == 1 and "DCN011" in checked.stdout and "skipped" not in checked.stderr


def test_run_prints_outputs_like_dify(cli, dify, tmp_path: Path) -> None:
    callee = add_app(dify, "chat", answer="Ran ✓")
    path = tmp_path / "node.py"
    path.write_text(render_code(template="single", app="chat", base_url=dify.base_url))
    result = cli(
        "run",
        path,
        "--input",
        f"api_key={callee.key}",
        "--input",
        "query=hi",
        "--input",
        "user=me",
        "--python",
        sandbox_python(),
    )
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {"response_text": "Ran ✓"}
    failed = cli("run", path, "--input", "api_key=app-wrong", "--input", "query=hi", "--input", "user=me")
    assert failed.exit_code == 1
    assert "the node failed" in failed.stderr and "HTTP 401 unauthorized" in failed.stderr


def test_run_reports_what_dify_would(cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(
        'import sys\n\ndef main(n: int) -> dict:\n    print("careful", file=sys.stderr)\n    return {"doubled": n * '
        "2}\n"
    )
    result = cli("run", path, "--input-json", "n=21", "--outputs", "doubled:number")
    assert result.exit_code == 1 and "careful" in result.stderr  # stderr output fails the node
    path.write_text('def main(n: int) -> dict:\n    return {"doubled": n * 2, "extra": 1}\n')
    result = cli("run", path, "--input-json", "n=21", "--outputs", "doubled:number")
    assert result.exit_code == 1 and "Not all output parameters are validated." in result.stderr
    path.write_text('def main(n: int) -> dict:\n    return {"doubled": n * 2}\n')
    result = cli("run", path, "--input-json", "n=21", "--outputs", "doubled:number")
    assert result.exit_code == 0 and json.loads(result.stdout) == {"doubled": 42}
    path.write_text(
        "import threading\n\ndef main() -> dict:\n    threading.Thread(target=print).start()\n    return {}\n"
    )
    result = cli("run", path, "--outputs", "x")
    assert result.exit_code == 1 and "starting a thread is not allowed" in result.stderr
    path.write_text('import time\n\ndef main() -> dict:\n    time.sleep(5)\n    return {"x": ""}\n')
    result = cli("run", path, "--outputs", "x", "--timeout", "1")
    assert result.exit_code == 1 and "error: timeout" in result.stderr


def test_run_shows_the_error_at_the_users_own_line_numbers(cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text(
        'import json\n\n\ndef helper(x):\n    return 1 / x\n\n\ndef main(x: int) -> dict:\n    return {"a": '
        "helper(x)}\n"
    )
    short = cli("run", path, "--input-json", "x=0", "--outputs", "a:number", "--python", sandbox_python())
    assert short.exit_code == 1
    assert short.stderr.splitlines()[-1].endswith(": ZeroDivisionError: division by zero (at mine.py, line 5)")
    full = cli("run", path, "--input-json", "x=0", "--outputs", "a:number", "--python", sandbox_python(), "--traceback")
    assert full.exit_code == 1
    frames = full.stderr.split("Traceback (most recent call last):\n", 1)[1].splitlines()
    assert frames == [
        '  File "Dify\'s runner script", in <module>',
        '  File "mine.py", line 9, in main',
        '    return {"a": helper(x)}',
        '  File "mine.py", line 5, in helper',
        "    return 1 / x",
        "ZeroDivisionError: division by zero",
    ]


def test_run_uses_a_sandbox_like_python_and_says_when_it_cannot(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.codenode.interpreter import choose

    path = tmp_path / "mine.py"
    path.write_text('import sys\n\n\ndef main() -> dict:\n    return {"v": "%d.%d" % sys.version_info[:2]}\n')
    sandbox = choose(sandbox_python())
    monkeypatch.setenv("DIFY_SANDBOX_PYTHON", sandbox.path)
    result = cli("run", path, "--outputs", "v")
    assert result.exit_code == 0 and json.loads(result.stdout) == {"v": "{}.{}".format(*sandbox.version[:2])}
    assert f"with {sandbox.describe()}" in result.stderr
    this = choose(sys.executable)
    if this.sandbox_like:
        pytest.skip("this Python is itself sandbox-like: no note to show")
    result = cli("run", path, "--outputs", "v", "--python", sys.executable)
    assert result.exit_code == 0
    assert f"note: runs under {this.describe()}, not like Dify's sandbox" in result.stderr


def test_run_bad_usage_exits_2(cli, tmp_path: Path) -> None:
    path = tmp_path / "mine.py"
    path.write_text("def main() -> dict:\n    return {}\n")
    assert cli("run", path).exit_code == 2  # no header, no --outputs
    assert cli("run", path, "--outputs", "x", "--input", "novalue").exit_code == 2
    assert cli("run", path, "--outputs", "x", "--input-json", "n={bad").exit_code == 2


@pytest.mark.parametrize(
    "body,expected",
    [
        ('    open("/tmp/x", "w").write("x")\n', "writing the file"),
        ('    import subprocess\n    subprocess.run(["true"])\n', "starting a subprocess"),
        ('    import os\n    os.mkdir("/tmp/newdir-dcn")\n', "creating a directory"),
    ],
)
def test_run_kills_what_the_sandbox_kills(cli, tmp_path: Path, body: str, expected: str) -> None:
    path = tmp_path / "mine.py"
    path.write_text("def main() -> dict:\n" + body + '    return {"x": ""}\n')
    result = cli("run", path, "--outputs", "x")
    assert result.exit_code == 1 and f"sandbox: {expected}" in result.stderr


@pytest.mark.parametrize("app", ["chat", "workflow"])
def test_run_base_url_tries_a_self_hosted_node_from_the_host(cli, dify, tmp_path: Path, app: str) -> None:
    """The file says http://api:5001/v1 (the sandbox's address of the API); --base-url points it
    at the API as this machine reaches it, without editing the file."""
    callee = add_app(dify, app, answer="Ran ✓")
    path = tmp_path / "node.py"
    path.write_text(render_code(template="single", app=app, base_url="http://api:5001/v1"))
    base = [
        "run",
        path,
        "--input",
        f"api_key={callee.key}",
        "--input",
        "query=hi",
        "--input",
        "user=me",
        "--python",
        sandbox_python(),
    ]
    result = cli(*base, "--base-url", dify.base_url)
    assert result.exit_code == 0, result.stderr
    assert "Ran ✓" in json.loads(result.stdout)["response_text"]
    assert "api:5001" in path.read_text(), "the file itself is not changed"
    for url, message in (("https://localhost/v1", "was generated for http"), ("ftp://x/v1", "not an http(s) URL")):
        refused = cli(*base, "--base-url", url)
        assert refused.exit_code == 2 and message in refused.stderr and refused.stderr.count("\n") == 1, refused.stderr
    other = tmp_path / "mine.py"
    other.write_text("def main() -> dict:\n    return {'a': 'b'}\n")
    assert (
        "works on files dify-codenode generated"
        in cli("run", other, "--outputs", "a", "--base-url", dify.base_url).stderr
    )
