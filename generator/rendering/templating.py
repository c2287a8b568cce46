"""Turns one Snippet into Python source through the Jinja templates (unformatted).

(Named templating, not render, so `generator.render` can be the public API function.)
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

from generator.cache import default_directory
from generator.dify import FORBIDDEN_HINTS, GENERATED_MARKER, HTTP_NODE_MAX_BYTES
from generator.errors import UserError
from generator.package import templates_dir
from generator.rendering.reachable import keep_reachable
from generator.rendering.runtime_text import runtime_definition
from generator.rendering.variant import Variant


def python_literal(value: object) -> str:
    """A Python literal for a spec value: the only way spec values enter generated code."""
    if value is None or isinstance(value, (bool, int, float)):
        return repr(value)
    if isinstance(value, str):
        # Dify replaces the text {{inputs}} anywhere in the script; spell its brace as an escape.
        return _black_quoted(repr(value), value).replace("{{inputs}}", "{{inputs\\x7d}")
    if isinstance(value, tuple):  # a select's options
        items = [python_literal(item) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    raise TypeError(f"no literal for {type(value).__name__}")  # pragma: no cover


def _black_quoted(literal: str, value: str) -> str:
    """repr's literal with the quotes black would choose (double, unless that needs more
    escapes), so black keeps it as it is and formats the file in one pass."""
    if literal.startswith('"') or value.count('"') > value.count("'"):
        return literal
    body = literal[1:-1].replace("\\'", "'").replace('"', '\\"')
    return f'"{body}"'


def comment_text(value: str) -> str:
    """Spec text for a comment: as-is when plainly printable, else as an escaped literal."""
    if value.isprintable() and "{{inputs}}" not in value and value.strip() == value and value:
        return value
    return python_literal(value)


def seconds(value: float) -> str:
    return f"{value:g}"


@lru_cache(maxsize=1)
def _environment():
    try:
        import jinja2
    except ImportError:
        raise UserError(
            f"jinja2 is not installed in this Python ({sys.executable}); install dify-codenode "
            "into it (python -m pip install .) or run the dify-codenode that pip installed"
        ) from None

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=_bytecode_cache(jinja2),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters["py"] = python_literal
    environment.filters["comment"] = comment_text
    environment.filters["seconds"] = seconds
    environment.filters["json_text"] = json_text
    environment.globals["runtime"] = runtime_definition
    return environment


def json_text(value: str) -> str:
    """A callee's input key as the user sees it in messages: "language" (JSON-quoted)."""
    return json.dumps(value, ensure_ascii=False)


def _bytecode_cache(jinja2):  # noqa: ANN001, ANN202 (jinja2 is imported lazily)
    """Jinja's cache of compiled templates in our cache directory (keyed by Jinja on each template's
    source checksum and the Python version), or None when the cache is off or can't be made."""
    directory = default_directory()
    if directory is None:
        return None
    try:
        (directory / "jinja").mkdir(parents=True, exist_ok=True)
    except OSError:
        return None

    class BestEffortCache(jinja2.FileSystemBytecodeCache):
        """A cache that can't be read or written (full disk, file size limit) only makes runs slower."""

        def load_bytecode(self, bucket) -> None:  # noqa: ANN001 (jinja2's Bucket)
            try:
                super().load_bytecode(bucket)
            except OSError:
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:  # noqa: ANN001
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return BestEffortCache(str(directory / "jinja"))


# Sources that are not a spec: the header then says how to change the file instead.
NO_SPEC_HINTS = {
    "dify-codenode render": "made from flags; to change it, run `dify-codenode render` again with other flags",
    "generator.render": "made by generator.render(); to change it, call it again with other options",
}


def do_not_edit(source: str) -> str:
    """The header's second line: how to change the file, for a spec or for render."""
    return "Do not edit: " + NO_SPEC_HINTS.get(source, "change the spec and run `dify-codenode generate`") + "."


def context(variant: Variant, source: str) -> dict:
    """Everything a template reads: the variant (generator/rendering/variant.py), the spec's name and fixed text."""
    return {
        "variant": variant,
        "source": source,
        "do_not_edit": do_not_edit(source),
        "marker": GENERATED_MARKER,
        "http_node_max_bytes": HTTP_NODE_MAX_BYTES,
        "forbidden_hints": FORBIDDEN_HINTS,
    }


def render_snippet(variant: Variant, source: str) -> str:
    """The snippet's Python source, before black: main() that calls the app, or on the
    HTTP-node route main() that parses what the HTTP Request node buffered."""
    return keep_reachable(
        _render("code_route.py.jinja" if variant.code_route else "http_parse.py.jinja", variant, source)
    )


def render_request_builder(variant: Variant, source: str) -> str:
    """HTTP-node route: the Code node that builds the request body, before black."""
    return keep_reachable(_render("http_request.py.jinja", variant, source))


def _render(template_name: str, variant: Variant, source: str) -> str:
    environment = _environment()
    import jinja2

    try:
        template = environment.get_template(template_name)
        return template.render(context(variant, source))
    except jinja2.TemplateError as error:
        where = getattr(error, "filename", None) or template_name
        line = getattr(error, "lineno", None)
        place = f"{Path(where).name}:{line}" if line else Path(where).name
        raise UserError(f"template {place}: {error.message or error}; fix the template") from None
