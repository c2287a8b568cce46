"""dify-codenode: paste-ready Python for Dify Code nodes that call another Dify app.

The public Python API is `render`, `generate`, `Report` and `UserError`; everything else is
private and may change. Heavy imports (black, jinja2) happen on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from generator.errors import UserError

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    from generator.report import Report
    from generator.spec.model import Snippet

__version__ = "0.1.0"
__all__ = ["Report", "UserError", "generate", "render", "__version__"]


def __getattr__(name: str) -> object:
    """`generator.Report` is imported on first use: `import generator` stays light for start-up."""
    if name == "Report":
        from generator.report import Report

        return Report
    raise AttributeError(f"module 'generator' has no attribute {name!r}")


def render(snippet: Snippet | Mapping[str, object]) -> str:
    """The formatted source of one snippet, from a spec-style table of options.

    >>> source = render({"name": "ask", "template": "single", "app": "chat"})
    """
    from generator.rendering.pipeline import snippet_files
    from generator.spec.load import build_snippet
    from generator.spec.model import Snippet

    if not isinstance(snippet, Snippet):
        options = dict(snippet)
        options.setdefault("name", str(options.get("template", "snippet")))

        def fail(where: str, problem: str) -> UserError:
            return UserError(f"{where}: {problem}")

        snippet = build_snippet(options, fail, lambda key: key)
    return snippet_files([snippet], "generator.render")[f"{snippet.name}.py"]


def generate(spec_path: str | Path | None = None, out_dir: str | Path | None = None, *, check: bool = False) -> Report:
    """Generate a spec's snippets into out_dir, exactly as the CLI does; check=True writes nothing.

    Raises UserError (one-line message) for a bad spec or an unwritable directory.
    """
    from pathlib import Path

    from generator.rendering.advice import spec_warnings
    from generator.rendering.output import apply, plan_changes
    from generator.report import Report

    spec, plan, changes, out_dir = plan_changes(
        Path(spec_path) if spec_path is not None else None, Path(out_dir) if out_dir is not None else None
    )
    if not check:
        apply(changes, out_dir)
    by_action = {
        action: tuple(c.path for c in changes if c.action == action) for action in ("create", "update", "remove")
    }
    touched = {c.path for c in changes}
    return Report(
        out_dir=out_dir,
        created=by_action["create"],
        updated=by_action["update"],
        removed=by_action["remove"],
        unchanged=tuple(path for path in plan if path not in touched),
        warnings=spec_warnings(spec),
    )
