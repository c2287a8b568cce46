"""Reads a file the user named, refusing in one line what isn't a readable UTF-8 regular file (a pipe would block)."""

from __future__ import annotations

from pathlib import Path

from generator.errors import UserError, shown_path


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
            f"{shown}: can't be read as UTF-8 text: it is not UTF-8 (bad byte at offset {error.start}); save it as UTF-8"
        ) from None
