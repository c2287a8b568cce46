"""Remembers what the generator made from a given input, so `check` and `generate` redo nothing unchanged.

Three kinds of entries: black's output per top-level part of a rendered file (keyed on the part,
black's version and the Mode), all the files of one snippet (keyed on the snippet, the spec's
name and a fingerprint of the generator itself: its code, templates, black's version and the
Mode), and a validated spec (keyed on its text, where it was read from, and this package's
code). Entries live outside output/ (`$DIFY_CODENODE_CACHE_DIR`, else
`$XDG_CACHE_HOME/dify-codenode`, else `~/.cache/dify-codenode`; an empty
`DIFY_CODENODE_CACHE_DIR` turns the cache off) and are safe to delete. Each entry carries the
hash of its own content, so a corrupt entry is ignored, never used: the cache can make a run
faster, never different.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from generator.files import replace_file

CACHE_ENV = "DIFY_CODENODE_CACHE_DIR"


def default_directory() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dify-codenode"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class TextCache:
    """key text -> value text, for one salt (what else the value depends on)."""

    def __init__(self, directory: Path | None, salt: str) -> None:
        self.directory = directory
        self.salt = salt

    def _path(self, key: str) -> Path | None:
        if self.directory is None:
            return None
        digest = _digest(self.salt + "\0" + key)
        return self.directory / digest[:2] / digest

    def get(self, key: str) -> str | None:
        path = self._path(key)
        if path is None:
            return None
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                stored = handle.read()
        except (OSError, UnicodeDecodeError):
            return None
        checksum, _, value = stored.partition("\n")
        return value if checksum == _digest(value) else None

    def put(self, key: str, value: str) -> None:
        """Best effort: a cache that can't be written only makes the next run slower."""
        path = self._path(key)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            replace_file(path, (_digest(value) + "\n" + value).encode("utf-8"), 0o600)
        except OSError:
            pass
