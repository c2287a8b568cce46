"""Makes one snippet's files on a cache miss: variant -> templates -> black -> the DSL app.

Its own module so a warm run, where every snippet's files come from the cache, never imports
the rendering machinery (tests/test_architecture.py lets pipeline.py import it lazily).
"""

from __future__ import annotations

from generator.exports.dsl import dsl_file
from generator.rendering.formatting import format_source
from generator.rendering.templating import render_request_builder, render_snippet
from generator.rendering.variant import variant_of
from generator.spec.model import Snippet


def make_files(snippet: Snippet, source: str) -> dict[str, str]:
    """{file name: final text} of one snippet; `source` names the spec in each header."""
    variant = variant_of(snippet)
    label = f"snippet {snippet.name!r}"
    files = {f"{snippet.name}.py": format_source(render_snippet(variant, source), label)}
    builder = None
    if not variant.code_route:
        builder = format_source(render_request_builder(variant, source), label)
        files[f"{snippet.name}_request.py"] = builder
    if variant.dsl:
        files[f"{snippet.name}.yml"] = dsl_file(variant, files[f"{snippet.name}.py"], source, builder)
    return files
