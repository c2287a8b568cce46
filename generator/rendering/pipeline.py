"""The per-snippet pipeline (render -> black -> files, DSL app included): one home for generate, check, render, API.

A snippet's files are a pure function of the snippet, the spec's name (in each header) and
the generator itself (its code, templates, black's version and Mode). They are cached under
exactly that key, so an unchanged snippet costs a cache read: no Jinja, black or PyYAML.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from generator.cache import TextCache, default_directory
from generator.package import code_fingerprint
from generator.rendering.formatting import formatting_fingerprint

if TYPE_CHECKING:
    from generator.spec.model import Snippet

# Between the names and texts of a cached entry: generated files never hold a raw NUL (spec
# values reach them only as escaped literals or YAML scalars).
ENTRY_SEPARATOR = "\0"


def snippet_files(snippets: Sequence[Snippet], source: str) -> dict[str, str]:
    """{file name: final text} of every file these snippets produce, sorted by name.

    `source` names the spec in each file's header.
    """
    files: dict[str, str] = {}
    for snippet in snippets:
        key = f"{source}\0{snippet!r}"
        cached = _cache().get(key)
        if cached is None:
            from generator.rendering.make import make_files  # only a cache miss renders

            made = make_files(snippet, source)
            _cache().put(key, ENTRY_SEPARATOR.join(part for item in sorted(made.items()) for part in item))
        else:
            parts = cached.split(ENTRY_SEPARATOR)
            made = dict(zip(parts[::2], parts[1::2], strict=True))
        files.update(made)
    return dict(sorted(files.items()))


@lru_cache(maxsize=1)
def _cache() -> TextCache:
    return TextCache(default_directory(), generator_fingerprint())


def generator_fingerprint() -> str:
    """A digest of everything besides a snippet that its files depend on: this package's code,
    version and templates, and black's version and Mode (a UserError when black is missing)."""
    return hashlib.sha256(f"{code_fingerprint()}; {formatting_fingerprint()}".encode()).hexdigest()
