"""Formats generated source with black in-process, with a fixed Mode (never the user's config), part by part.

A generated file is mostly runtime code that many snippets share word for word; only its
header, constants and main() carry what the spec says. So a file is split before each
top-level `def`/`class`, each part is formatted on its own, and each distinct part is formatted
once (per process, and across runs through the content cache). Black's formatting of a module
is the formatting of its top-level statements with two blank lines before each top-level
function or class, so joining the parts' formatting the same way is black's formatting of the
whole file: tests/static_pass.py asserts it for every option combination.
"""

from __future__ import annotations

import re
import sys
from functools import lru_cache

from generator.cache import TextCache, default_directory
from generator.errors import UserError

TARGET = "PY310"
LINE_LENGTH = 88
# Everything black_mode() sets, for the cache key: change both together.
MODE_DESCRIPTION = f"target={TARGET}; line_length={LINE_LENGTH}; string_normalization; magic_trailing_comma; stable"
# Where a part ends: two blank lines, then a top-level function, class or decorator.
PART_BOUNDARY = re.compile(r"\n\n\n(?=def |class |@)")
PART_SEPARATOR = "\n\n\n"

MISSING_BLACK = (
    "black is not installed in this Python ({python}); install dify-codenode into it "
    "(python -m pip install .) or run the dify-codenode that pip installed"
)


@lru_cache(maxsize=1)
def black_mode():
    import black

    return black.Mode(
        target_versions={black.TargetVersion[TARGET]},
        line_length=LINE_LENGTH,
        string_normalization=True,
        magic_trailing_comma=True,
        preview=False,
    )


@lru_cache(maxsize=1)
def black_version() -> str:
    """black's version without importing black (or scanning every installed distribution, as
    importlib.metadata does): black ships it as the tiny module _black_version."""
    try:
        from _black_version import version
    except ImportError:
        raise UserError(MISSING_BLACK.format(python=sys.executable)) from None
    return str(version)


def formatting_fingerprint() -> str:
    """Everything black's output depends on besides its input."""
    return f"black {black_version()}; {MODE_DESCRIPTION}"


@lru_cache(maxsize=1)
def _cache() -> TextCache:
    # black's version comes from _black_version: a run where every part is cached never
    # imports black at all.
    return TextCache(default_directory(), formatting_fingerprint())


_formatted_parts: dict[str, str] = {}  # this process's memory of black's output, per part


def format_source(source: str, label: str) -> str:
    """black's formatting of `source`; a UserError naming `label` when it isn't valid Python."""
    parts = PART_BOUNDARY.split(source)
    return PART_SEPARATOR.join(_format_part(part.strip("\n") + "\n", label).rstrip("\n") for part in parts) + "\n"


def _format_part(part: str, label: str) -> str:
    formatted = _formatted_parts.get(part)
    if formatted is None:
        formatted = _cache().get(part)
        if formatted is None:
            formatted = _black(part, label)
            _cache().put(part, formatted)
        _formatted_parts[part] = formatted
    return formatted


def _black(source: str, label: str) -> str:
    try:
        import black
    except ImportError:
        raise UserError(MISSING_BLACK.format(python=sys.executable)) from None
    try:
        return black.format_str(source, mode=black_mode())
    except black.InvalidInput as error:
        raise UserError(f"{label}: the rendered code is not valid Python ({error}); fix the template") from None
