"""The formatting cache makes runs faster, never different: corrupt, stale or missing entries change nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from generator.cache import TextCache

# Four snippets that between them reach every template, app kind and DSL option: what the cache
# must keep byte-identical, at a third of the cost of the repo's own spec.
SPEC = REPO / "tests" / "golden" / "all_options" / "spec.toml"
# What generate writes for it (tests/test_golden.py keeps it so): every run below must write it.
EXPECTED = {path.name: path.read_bytes() for path in sorted((SPEC.parent / "expected").iterdir())}


def _generate(out: Path, cache: Path | str) -> dict[str, bytes]:
    env = {**os.environ, "DIFY_CODENODE_CACHE_DIR": str(cache)}
    done = run_cli("generate", "--spec", SPEC, "--out", out, env=env)
    assert done.returncode == 0, done.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_cold_warm_and_disabled_runs_write_identical_bytes(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = _generate(tmp_path / "cold", cache)
    assert any(cache.rglob("*")), "the first run fills the cache"
    warm = _generate(tmp_path / "warm", cache)
    disabled = _generate(tmp_path / "none", "")
    assert cold == warm == disabled == EXPECTED


def test_corrupt_entries_are_ignored(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    cold = _generate(tmp_path / "cold", cache)
    for entry in (p for p in cache.rglob("*") if p.is_file() and p.parent.name != "jinja"):
        checksum, _, text = entry.read_text().partition("\n")
        entry.write_text(checksum + "\n" + text.replace("def main(", "def evil("))
    assert _generate(tmp_path / "again", cache) == cold
    for entry in (p for p in cache.rglob("*") if p.is_file()):  # Jinja's compiled templates too
        entry.write_bytes(b"\xff\xfe garbage")
    assert _generate(tmp_path / "third", cache) == cold


def test_entries_are_keyed_on_black_version_and_mode(tmp_path: Path) -> None:
    one = TextCache(tmp_path, "black 26.1.0; mode A")
    one.put("x = 1", "x = 1\n")
    assert one.get("x = 1") == "x = 1\n"
    assert TextCache(tmp_path, "black 26.2.0; mode A").get("x = 1") is None
    assert TextCache(tmp_path, "black 26.1.0; mode B").get("x = 1") is None
    assert TextCache(None, "anything").get("x = 1") is None


def test_an_unwritable_cache_only_costs_time(tmp_path: Path) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    assert _generate(tmp_path / "out", blocker / "cache") == EXPECTED


def test_bad_code_among_many_is_a_user_error_naming_it(monkeypatch) -> None:
    import pytest

    from generator.errors import UserError
    from generator.rendering.formatting import format_source

    monkeypatch.setenv("DIFY_CODENODE_CACHE_DIR", "")
    good = [(f"x = {n}\n", f"snippet {n}") for n in range(10)]
    assert [format_source(source, label) for source, label in good] == [f"x = {n}\n" for n in range(10)]
    with pytest.raises(UserError, match="snippet 'bad': the rendered code is not valid Python"):
        [format_source(source, label) for source, label in good + [("def (:\n", "snippet 'bad'")]]


def test_formatting_part_by_part_is_blacks_formatting_of_the_whole(monkeypatch) -> None:
    """Parts are split before top-level defs and classes and joined with two blank lines: the
    result is black's own, also where black has work to do in a part."""
    import black

    from generator.rendering.formatting import black_mode, format_source

    monkeypatch.setenv("DIFY_CODENODE_CACHE_DIR", "")
    messy = (
        "# header\nimport json\nx = {'a':1,\n 'b':2}\n\n\ndef f( a,b ):\n  return json.dumps( [a,b] )\n\n\n"
        "class C :\n  y=1\n\n\n\n\ndef g():\n    return f(1,\n 2)\n"
    )
    assert format_source(messy, "messy") == black.format_str(messy, mode=black_mode())


def test_a_warm_run_renders_nothing(tmp_path: Path) -> None:
    """With every snippet's files cached, check imports neither Jinja, black nor PyYAML."""
    cache = tmp_path / "cache"
    out = tmp_path / "out"
    _generate(out, cache)
    probe = (
        "import sys\nfrom generator.cli import cli\n"
        f"try:\n    cli(['check', '-q', '--spec', {str(SPEC)!r}, '--out', {str(out)!r}])\nexcept SystemExit as e:\n   "
        " code = e.code\n"
        "print(code, *sorted(m for m in ('jinja2', 'black', 'yaml') if m in sys.modules))"
    )
    env = {**os.environ, "DIFY_CODENODE_CACHE_DIR": str(cache)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert done.stdout.split() == ["0"], done.stdout + done.stderr


def test_generate_starts_no_process(tmp_path: Path) -> None:
    """Formatting runs in the generating process: nothing (not even multiprocessing's resource
    tracker) can outlive `generate`."""
    probe = (
        "import sys\nfrom generator.cli import cli\n"
        f"try:\n    cli(['generate', '--spec', {str(SPEC)!r}, '--out', {str(tmp_path / 'out')!r}])\nexcept SystemExit "
        "as e:\n    code = e.code\n"
        "print(code, *sorted(m for m in ('multiprocessing', 'concurrent.futures', 'subprocess') if m in sys.modules))"
    )
    env = {**os.environ, "DIFY_CODENODE_CACHE_DIR": ""}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env)
    assert done.stdout.split() == ["0"], done.stdout + done.stderr


def test_a_bytecode_cache_that_cannot_be_written_only_costs_time(tmp_path: Path, monkeypatch) -> None:
    """Jinja's cache writes and reads that fail (a full disk, a file size limit) don't fail rendering."""
    import jinja2
    from support.snippets import snippet_of

    from generator.rendering import templating
    from generator.rendering.variant import variant_of

    made = snippet_of(template="conversation", app="chatflow")
    monkeypatch.setenv("DIFY_CODENODE_CACHE_DIR", "")
    templating._environment.cache_clear()
    expected = templating.render_snippet(variant_of(made), "x")

    def fails(self, *args: object) -> None:
        raise OSError(27, "File too large")

    monkeypatch.setenv("DIFY_CODENODE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", fails)
    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "load_bytecode", fails)
    templating._environment.cache_clear()
    try:
        assert templating.render_snippet(variant_of(made), "x") == expected
    finally:
        templating._environment.cache_clear()


# --- a validated spec is cached (#20) --------------------------------------------------------------


def _example_specs() -> list[Path]:
    return [REPO / "snippets.toml", *sorted((REPO / "tests" / "golden").glob("*/spec.toml"))]


@pytest.mark.parametrize("path", _example_specs(), ids=lambda p: p.parent.name)
def test_a_stored_spec_is_the_spec(path: Path) -> None:
    from generator.spec.load import load_spec
    from generator.spec.stored import spec_from_text, spec_to_text

    spec = load_spec(path)
    assert spec_from_text(spec_to_text(spec)) == replace(spec, directory=None, home=None)


def test_a_warm_load_skips_validation_and_a_changed_spec_is_validated_again(tmp_path: Path, monkeypatch) -> None:
    from generator.errors import UserError
    from generator.spec import load

    monkeypatch.setenv("DIFY_CODENODE_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "snippets.toml"
    spec.write_text('version = 1\n\n[[snippets]]\nname = "a"\ntemplate = "single"\nerrors = "output"\n')
    cold = load.load_spec(spec)

    def no_validation(*args: object) -> None:
        raise AssertionError("validated again")

    monkeypatch.setattr(load, "parse_spec", no_validation)
    assert load.load_spec(spec) == cold  # the same text, read from the same place: the stored verdict
    spec.write_text(spec.read_text().replace('"output"', '"sometimes"'))
    with pytest.raises(AssertionError, match="validated again"):
        load.load_spec(spec)  # other text: validated, never taken from the cache
    monkeypatch.undo()
    monkeypatch.setenv("DIFY_CODENODE_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(UserError, match="sometimes"):
        load.load_spec(spec)


def test_a_specs_warnings_are_kept_and_equal(tmp_path: Path, monkeypatch) -> None:
    """Deciding "does nothing" is work; a warm run reads the verdicts back, the same ones."""
    from generator.rendering import advice
    from generator.spec.load import load_spec

    monkeypatch.setenv("DIFY_CODENODE_CACHE_DIR", str(tmp_path / "cache"))
    spec = tmp_path / "snippets.toml"
    spec.write_text(
        'version = 1\n\n[defaults]\nbase_url = "http://localhost/v1"\n\n'
        '[[snippets]]\nname = "a"\ntemplate = "single"\nrestart_stale_conversation = true\n'
    )
    first = advice.spec_warnings(load_spec(spec))
    assert len(first) == 2 and "snippets[0].restart_stale_conversation: does nothing here" in first[0] + first[1]

    def no_work(*args: object) -> list[str]:
        raise AssertionError("decided again")

    monkeypatch.setattr(advice, "snippet_warnings", no_work)
    assert advice.spec_warnings(load_spec(spec)) == first
    spec.write_text(spec.read_text() + "time_budget = 20\n")
    with pytest.raises(AssertionError, match="decided again"):
        advice.spec_warnings(load_spec(spec))
