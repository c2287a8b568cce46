"""Formats generated source with black in-process, with a fixed Mode (never the user's config)."""

from __future__ import annotations

import os
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


MISSING_BLACK = (
    "black is not installed in this Python ({python}); install dify-codenode into it "
    "(python -m pip install .) or run the dify-codenode that pip installed"
)


@lru_cache(maxsize=1)
def black_version() -> str:
    """black's version from its package metadata (no import); a UserError when it isn't installed."""
    import sys
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("black")
    except PackageNotFoundError:
        raise UserError(MISSING_BLACK.format(python=sys.executable)) from None


@lru_cache(maxsize=1)
def _cache() -> FormatCache:
    # black's version comes from package metadata: a run where every entry is cached
    # never imports black at all.
    return FormatCache(default_directory(), f"black {black_version()}; {MODE_DESCRIPTION}")


def format_source(source: str, label: str) -> str:
    """black's formatting of `source` (from the cache when seen before); a UserError when it doesn't parse."""
    return format_sources([(source, label)])[0]


def format_sources(items: list[tuple[str, str]]) -> list[str]:
    """black's formatting of each (source, label): cached ones from the cache, the rest in
    parallel processes when there are several (as black's own CLI does), else in this one."""
    results: list[str | None] = [_cache().get(source) for source, _ in items]
    missing = [index for index, result in enumerate(results) if result is None]
    for index, formatted in zip(missing, _format_uncached([items[i] for i in missing]), strict=True):
        _cache().put(items[index][0], formatted)
        results[index] = formatted
    return results  # type: ignore[return-value]


PARALLEL_FROM = 8  # fewer files than this aren't worth starting worker processes for


WORKERS_ENV = "DIFY_CODENODE_WORKERS"


def _workers() -> int:
    """Processes for black: $DIFY_CODENODE_WORKERS, else one per core (8 at most)."""
    configured = os.environ.get(WORKERS_ENV, "")
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return min(os.cpu_count() or 1, 8)


def _format_uncached(items: list[tuple[str, str]]) -> list[str]:
    workers = _workers()
    if len(items) >= PARALLEL_FROM and workers > 1:
        try:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            # spawn, not fork: safe whatever threads the caller runs, and the same on every OS.
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                outcomes = list(pool.map(_format_one, items, chunksize=max(1, len(items) // (workers * 4))))
        except (OSError, NotImplementedError, ImportError):
            outcomes = [_format_one(item) for item in items]  # no process pool here: one by one
    else:
        outcomes = [_format_one(item) for item in items]
    for outcome in outcomes:
        if isinstance(outcome, UserError):
            raise outcome
    return outcomes  # type: ignore[return-value]


def _format_one(item: tuple[str, str]) -> str | UserError:
    """Format one source; a UserError is returned, not raised, so it crosses process boundaries as a value."""
    import black

    source, label = item
    try:
        return black.format_str(source, mode=black_mode())
    except black.InvalidInput as error:
        return UserError(f"{label}: the rendered code is not valid Python ({error}); fix the template")
