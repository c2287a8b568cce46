"""Where this package's own files are (its code, templates, built-in spec), and a fingerprint of them."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def templates_dir() -> Path:
    """The templates: inside the installed package (wheel), else the source checkout's."""
    packaged = PACKAGE_DIR / "templates"
    if packaged.is_dir():
        return packaged
    return PACKAGE_DIR.parent / "templates"


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the package's code (its version is in __init__.py), built-in spec and
    templates: what a cached result made by this code depends on, besides its own input."""
    digest = hashlib.sha256()
    sources = sorted(PACKAGE_DIR.rglob("*.py")) + sorted(PACKAGE_DIR.rglob("*.toml"))
    for path in sources + sorted(templates_dir().glob("*.jinja")):
        name = path.relative_to(PACKAGE_DIR).as_posix() if path.is_relative_to(PACKAGE_DIR) else path.name
        digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()
