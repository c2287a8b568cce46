"""Remembers black's output for each rendered text, so `check` and `generate` skip black for unchanged snippets.

Entries are keyed on the rendered text, black's version and the formatting Mode, live outside
output/ (`$DIFY_CODENODE_CACHE_DIR`, else `$XDG_CACHE_HOME/dify-codenode`, else
`~/.cache/dify-codenode`; an empty `DIFY_CODENODE_CACHE_DIR` turns the cache off) and are safe
to delete. Each entry carries the hash of its own content, so a corrupt entry is ignored,
never used: the cache can make a run faster, never different.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

CACHE_ENV = "DIFY_CODENODE_CACHE_DIR"


def default_directory() -> Path | None:
    configured = os.environ.get(CACHE_ENV)
    if configured is not None:
        return Path(configured) if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "dify-codenode"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class FormatCache:
    """rendered text -> formatted text, for one black version and Mode (the salt)."""

    def __init__(self, directory: Path | None, salt: str) -> None:
        self.directory = directory
        self.salt = salt

    def _path(self, source: str) -> Path | None:
        if self.directory is None:
            return None
        key = _digest(self.salt + "\0" + source)
        return self.directory / key[:2] / key

    def get(self, source: str) -> str | None:
        path = self._path(source)
        if path is None:
            return None
        try:
            stored = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        checksum, _, formatted = stored.partition("\n")
        return formatted if checksum == _digest(formatted) else None

    def put(self, source: str, formatted: str) -> None:
        """Best effort: a cache that can't be written only makes the next run slower."""
        path = self._path(source)
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as handle:
                handle.write(_digest(formatted) + "\n" + formatted)
            os.replace(temp, path)
        except OSError:
            pass
