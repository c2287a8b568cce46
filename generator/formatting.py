"""Formats generated source with black in-process, with a fixed Mode (never the user's config)."""

from __future__ import annotations

from generator.errors import UserError

LINE_LENGTH = 88


def black_mode():
    import black

    return black.Mode(
        target_versions={black.TargetVersion.PY310},
        line_length=LINE_LENGTH,
        string_normalization=True,
        magic_trailing_comma=True,
        preview=False,
    )


def format_source(source: str, label: str) -> str:
    """black's formatting of `source`; a UserError (not a traceback) when it doesn't parse."""
    import black

    try:
        return black.format_str(source, mode=black_mode())
    except black.InvalidInput as error:
        raise UserError(
            f"{label}: the rendered code is not valid Python ({error}); fix the template"
        ) from None


def black_version() -> str:
    from importlib.metadata import version

    return version("black")
