"""Output is a pure function of spec, templates, tool and black versions: byte-identical every time."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import REPO, run_cli

SPECS = [REPO / "snippets.toml", REPO / "tests" / "golden" / "all_options" / "spec.toml"]


def test_generate_twice_and_under_two_hash_seeds(tmp_path: Path) -> None:
    trees = []
    for run, seed in enumerate(["0", "1", "random"]):
        for spec in SPECS:
            out = tmp_path / f"{run}-{spec.parent.name}"
            env = {**os.environ, "PYTHONHASHSEED": seed}
            done = run_cli("generate", "--spec", spec, "--out", out, env=env)
            assert done.returncode == 0, done.stderr
        trees.append(
            {
                p.relative_to(tmp_path / f"{run}-{spec.parent.name}").as_posix(): p.read_bytes()
                for spec in SPECS
                for p in sorted((tmp_path / f"{run}-{spec.parent.name}").iterdir())
            }
        )
    assert trees[0] == trees[1] == trees[2]
    assert len(trees[0]) > 5


def test_no_machine_specific_text_in_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = run_cli("generate", "--spec", REPO / "snippets.toml", "--out", out)
    assert done.returncode == 0
    for path in out.iterdir():
        text = path.read_text(encoding="utf-8")
        assert str(tmp_path) not in text and str(REPO) not in text
        assert "0.1.0" not in text  # no tool version in the header
