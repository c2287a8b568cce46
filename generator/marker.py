"""The generated marker: the first line of every generated file and bound Code node, read back."""

from __future__ import annotations

import ast
import re
import warnings

from generator.dify import GENERATED_MARKER

MARKER_LINE = re.compile(
    re.escape(GENERATED_MARKER) + r" from (?P<source>.*), snippet (?P<name>\"(?:[^\"\\]|\\.)*\")\."
)


def marked_snippet(code: str) -> tuple[str, str] | None:
    """(spec source, snippet name) from the code's first line; None when it has no marker.
    ValueError when the line names the snippet in a string that isn't a valid Python literal."""
    match = MARKER_LINE.fullmatch(code.split("\n", 1)[0].rstrip("\r"))
    if not match:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "\q" is only a warning; a hand edit all the same
        try:
            name = ast.literal_eval(match.group("name"))
        except (SyntaxError, ValueError, Warning):
            raise ValueError(match.group("name")) from None
    return match.group("source"), name
