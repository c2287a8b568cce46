"""The shared runtime's definitions as text, by name, for templates to emit (generator/runtime/ is their home)."""

from __future__ import annotations

import ast
from functools import cache

from generator.package import PACKAGE_DIR


@cache
def _definitions(module: str) -> dict[str, str]:
    """Each top-level def, class and assignment of generator/runtime/<module>.py, as its lines are
    written there (a comment above it stays in the module); imports are the module's own."""
    text = (PACKAGE_DIR / "runtime" / f"{module}.py").read_text(encoding="utf-8")
    lines = text.splitlines()
    found: dict[str, str] = {}
    for node in ast.parse(text).body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            name = node.name
        elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
        else:
            continue
        start = (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno) - 1
        found[name] = "\n".join(lines[start : node.end_lineno])
    return found


def runtime_definition(name: str) -> str:
    """The text of `module.name` from generator/runtime/, e.g. "stream._read_body"."""
    module, _, attribute = name.partition(".")
    definitions = _definitions(module)
    if attribute not in definitions:
        raise LookupError(f"generator/runtime/{module}.py defines no {attribute}")  # a template's mistake
    return definitions[attribute]
