"""The code generated files share, as real Python: linted, unit-tested, and emitted by name into each file."""

from __future__ import annotations

import ast
from pathlib import Path

RUNTIME_DIR = Path(__file__).resolve().parent


def bound_names() -> frozenset[str]:
    """Every name the runtime modules bind at top level (definitions, constants, imported modules):
    a generated file that holds their definitions binds these names too."""
    names: set[str] = set()
    for path in sorted(RUNTIME_DIR.glob("*.py")):
        if path.name == "__init__.py":
            continue
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                names.update(
                    target.id for target in node.targets if isinstance(target, ast.Name)
                )
            elif isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
    return frozenset(names)
