"""The per-snippet pipeline (render -> black -> files, the DSL app included): one home for generate, check, render and the API."""

from __future__ import annotations

from collections.abc import Sequence

from generator.dsl import dsl_file
from generator.formatting import format_sources
from generator.spec import Snippet
from generator.templating import render_request_builder, render_snippet


def snippet_files(snippets: Sequence[Snippet], source: str) -> dict[str, str]:
    """{file name: final text} of every file these snippets produce, sorted by name.

    `source` names the spec in each file's header. Formatting is batched over all snippets,
    so black runs in parallel where there are many.
    """
    rendered: dict[str, tuple[str, str]] = {}  # file name -> (source before black, label for errors)
    for snippet in snippets:
        label = f"snippet {snippet.name!r}"
        rendered[f"{snippet.name}.py"] = (render_snippet(snippet, source), label)
        if snippet.route == "http-node":
            rendered[f"{snippet.name}_request.py"] = (render_request_builder(snippet, source), label)
    files = dict(zip(rendered, format_sources(list(rendered.values())), strict=True))
    for snippet in snippets:
        if snippet.dsl:
            builder = files.get(f"{snippet.name}_request.py")
            files[f"{snippet.name}.yml"] = dsl_file(snippet, files[f"{snippet.name}.py"], source, builder)
    return dict(sorted(files.items()))
