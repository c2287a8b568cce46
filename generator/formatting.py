"""Formats generated source with black in-process, with a fixed Mode (never the user's config)."""

from __future__ import annotations

from functools import lru_cache

from generator.cache import FormatCache, default_directory
from generator.errors import UserError

TARGET = "PY310"
LINE_LENGTH = 88
# Everything black_mode() sets, for the cache key: change both together.
MODE_DESCRIPTION = f"target={TARGET}; line_length={LINE_LENGTH}; string_normalization; magic_trailing_comma; stable"


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
    from importlib.metadata import version

    return version("black")


@lru_cache(maxsize=1)
def _cache() -> FormatCache:
    # black's version comes from package metadata: a run where every entry is cached
    # never imports black at all.
    return FormatCache(default_directory(), f"black {black_version()}; {MODE_DESCRIPTION}")


def format_source(source: str, label: str) -> str:
    """black's formatting of `source` (from the cache when seen before); a UserError when it doesn't parse."""
    cached = _cache().get(source)
    if cached is not None:
        return cached
    import black

    try:
        formatted = black.format_str(source, mode=black_mode())
    except black.InvalidInput as error:
        raise UserError(f"{label}: the rendered code is not valid Python ({error}); fix the template") from None
    _cache().put(source, formatted)
    return formatted
