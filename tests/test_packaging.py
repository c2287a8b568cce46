"""A plain (non-editable) install carries the templates and works from any directory."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import REPO


def test_wheel_ships_templates_and_runs_from_elsewhere(tmp_path: Path) -> None:
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path / "dist"),
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("dify_codenode-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for template in (
        "code_route.py.jinja",
        "http_parse.py.jinja",
        "http_request.py.jinja",
        "_runtime.py.jinja",
        "_events.py.jinja",
    ):
        assert f"generator/templates/{template}" in names
    assert "generator/spec/default_snippets.toml" in names
    target = tmp_path / "site"
    installed = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
        capture_output=True,
        text=True,
    )
    assert installed.returncode == 0, installed.stderr
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run(
        [sys.executable, "-m", "generator", "generate"], capture_output=True, text=True, cwd=elsewhere, env=env
    )
    assert done.returncode == 0, done.stderr
    produced = (elsewhere / "output" / "agent_single.py").read_text()
    assert produced == (REPO / "tests" / "golden" / "cookbook" / "expected" / "agent_single.py").read_text().replace(
        "from spec.toml", "from the built-in default spec"
    )
