"""Golden trees: each tests/golden/<case>/spec.toml must generate exactly <case>/expected/."""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest
from conftest import run_cli

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(path.name for path in GOLDEN.iterdir() if (path / "spec.toml").exists())


def tree(directory: Path) -> dict[str, bytes]:
    return {
        path.relative_to(directory).as_posix(): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize("case", CASES)
def test_golden_tree(case: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    spec, expected = GOLDEN / case / "spec.toml", GOLDEN / case / "expected"
    if request.config.getoption("--update-golden"):
        shutil.rmtree(expected, ignore_errors=True)
        done = run_cli("generate", "--spec", spec, "--out", expected)
        assert done.returncode == 0, done.stderr
    done = run_cli("generate", "--spec", spec, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    got, want = tree(tmp_path / "out"), tree(expected)
    assert sorted(got) == sorted(want), "missing or extra files"
    for name in want:
        assert got[name] == want[name], f"{case}/{name} differs; run pytest --update-golden if intended"


@pytest.mark.parametrize("case", CASES)
def test_golden_files_are_python_310(case: str) -> None:
    paths = sorted((GOLDEN / case / "expected").glob("*.py")) + sorted((GOLDEN.parent.parent / "output").glob("*.py"))
    for path in paths:
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source, filename=str(path), feature_version=(3, 10))
        compile(tree, str(path), "exec", dont_inherit=True)  # what parses may still not compile (`__debug__`)
        assert "{{inputs}}" not in source and "<<RESULT>>" not in source
        assert source.endswith("\n") and not source.endswith("\n\n") and "\r" not in source


def test_every_golden_spec_has_its_tree() -> None:
    assert CASES, "no golden cases found"
    for case in CASES:
        assert (GOLDEN / case / "expected").is_dir(), f"{case}: run pytest --update-golden"


# The README's command checks all_options, whose four snippets reach every template, app kind and
# DSL option; the other golden specs and the repo's own are checked in the slow tier, and
# tests/static_pass.py checks every option combination.
@pytest.mark.parametrize(
    "case",
    [
        *(case if case == "all_options" else pytest.param(case, marks=pytest.mark.slow) for case in CASES),
        pytest.param("../../snippets.toml", marks=pytest.mark.slow),
    ],
)
def test_formatting_part_by_part_equals_black_on_the_whole_file(case: str) -> None:
    """Files are formatted one top-level part at a time (generator/rendering/formatting.py); the result
    must be black's formatting of the whole rendered file (tests/static_pass.py checks every
    option combination the same way)."""
    import black

    from generator.rendering.formatting import black_mode, format_source
    from generator.rendering.templating import render_snippet
    from generator.rendering.variant import variant_of
    from generator.spec.load import load_spec

    path = GOLDEN / case / "spec.toml" if not case.endswith(".toml") else (GOLDEN / case).resolve()
    spec = load_spec(path)
    for snippet in spec.snippets:
        rendered = render_snippet(variant_of(snippet), spec.source)
        assert format_source(rendered, snippet.name) == black.format_str(rendered, mode=black_mode()), snippet.name


def test_the_static_pass_checks_formatting_on_each_pair_of_adjacent_parts() -> None:
    """tests/static_pass.py runs black on every distinct pair of adjacent parts instead of on every
    whole file: the pairs must hold each part and each boundary of the files, and nothing else."""
    from static_pass import adjacent_pairs

    from generator.rendering.formatting import PART_BOUNDARY, PART_SEPARATOR

    first, second, third = "X = 1\n\nY = 2", "def a():\n    return X", "@staticmethod\ndef b():\n    pass"
    text = PART_SEPARATOR.join([first, second, third]) + "\n"
    pairs = adjacent_pairs([text, text])
    assert pairs == sorted([first + PART_SEPARATOR + second + "\n", second + PART_SEPARATOR + third + "\n"])
    assert all(len(PART_BOUNDARY.split(pair)) == 2 for pair in pairs)
    assert adjacent_pairs(["X = 1\n"]) == ["X = 1\n"]  # a file of one part is checked whole
