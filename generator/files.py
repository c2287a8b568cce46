"""The user's files: reading one they named (one-line refusals), replacing files in one step, diffs of a change."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

from generator.errors import UserError, shown_path

TEMP_PREFIX = ".dify-codenode-"  # a temp file beside its target, renamed over it when complete


def read_user_text(path: Path, kind: str, missing_hint: str = "check the path", max_bytes: int | None = None) -> str:
    """The file's text. `kind` names what it should be ("a spec file"), `missing_hint` says what
    to do when it doesn't exist; larger than `max_bytes` is refused too."""
    shown = shown_path(path)
    if path.is_dir():
        raise UserError(f"{shown}: is a directory, not {kind}")
    if path.exists() and not path.is_file():
        raise UserError(f"{shown}: is not a regular file (a pipe or device?); pass {kind}")
    if max_bytes is not None and path.exists() and path.stat().st_size > max_bytes:
        raise UserError(f"{shown}: is over {max_bytes // (1024 * 1024)} MB; that is not {kind}")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{shown}: no such file; {missing_hint}") from None
    except OSError as error:
        raise UserError(f"{shown}: can't be read ({error.strerror}); check its permissions") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserError(
            f"{shown}: can't be read as UTF-8 text: it is not UTF-8 (bad byte at offset {error.start}); save it as "
            "UTF-8"
        ) from None


def stage(directory: Path, data: bytes, mode: int, suffix: str = ".tmp") -> Path:
    """A complete temp file in `directory` holding `data`: renamed over its target (os.replace), it
    replaces the target in one step. Nothing is left behind when writing it fails (OSError)."""
    descriptor, name = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=suffix, dir=directory)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.chmod(name, mode)
    except OSError:
        Path(name).unlink(missing_ok=True)
        raise
    return Path(name)


def replace_file(path: Path, data: bytes, mode: int | None = None) -> None:
    """Write `path` in one step (a temp file beside it, then a rename): readers see the old file or
    the new one, never a part. `mode` None keeps the file's mode (0o644 for a new file); a symlink's
    target is written, so the link stays."""
    path = Path(os.path.realpath(path))  # a symlink keeps being one: its target is what is written
    if mode is None:
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    temp = stage(path.parent, data, mode, path.suffix or ".tmp")
    try:
        os.replace(temp, path)
    except OSError:
        temp.unlink(missing_ok=True)
        raise


def unified_diff(old: str, new: str, from_name: str, to_name: str) -> str:
    """`diff -u` of two texts, with git's marker for a last line without a newline."""
    lines = difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=from_name, tofile=to_name
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines)
