"""What git's index holds for output/: `check --staged` fails a commit that lacks its generated files."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

from generator.errors import UserError, shown_path


def unstaged(plan: dict[str, str], out_dir: Path) -> list[str]:
    """The planned files (relative to out_dir) whose staged content is missing or not what is
    planned: a commit made now would not hold them as generated. One `git ls-files` call: each
    staged blob's id is compared with the planned text's (git hashes `blob <size>\\0<bytes>`)."""
    staged = _staged_blobs(out_dir)
    return [name for name, text in plan.items() if staged.get(name) != blob_id(text.encode("utf-8"))]


def blob_id(data: bytes) -> str:
    """The id git gives a file with these bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _staged_blobs(out_dir: Path) -> dict[str, str]:
    """{path relative to out_dir: staged blob id} for the files git's index holds there."""
    if not out_dir.is_dir():
        return {}
    try:
        done = subprocess.run(
            ["git", "ls-files", "--stage", "-z", "--", "."],
            cwd=out_dir,
            capture_output=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        raise UserError("--staged: git is not installed; run it in a git checkout, or drop --staged") from None
    except subprocess.TimeoutExpired:
        raise UserError("--staged: `git ls-files` took over 60 s; check the repository") from None
    if done.returncode != 0:
        reason = done.stderr.decode("utf-8", "replace").strip().splitlines()[:1] or ["git failed"]
        raise UserError(f"{shown_path(out_dir)}: --staged needs a git repository ({reason[0]}); drop --staged")
    blobs = {}
    for entry in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if entry:
            info, _, path = entry.partition("\t")
            blobs[path] = info.split()[1]  # "<mode> <blob> <stage>"
    return blobs
