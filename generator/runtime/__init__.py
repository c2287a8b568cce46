"""The code generated files share, as real Python: linted, unit-tested, and emitted by name into each file."""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

RUNTIME_DIR = Path(__file__).resolve().parent


def modules() -> list[str]:
    """The runtime's modules by name (stream, errors, ...)."""
    return sorted(
        path.stem for path in RUNTIME_DIR.glob("*.py") if path.name != "__init__.py"
    )


@cache
def _read(module: str) -> tuple[dict[str, str], frozenset[str]]:
    """(each top-level def, class and assignment of the module by name, as its lines are written
    there; the modules it imports, by their top-level name)."""
    text = (RUNTIME_DIR / f"{module}.py").read_text(encoding="utf-8")
    lines = text.splitlines()
    found: dict[str, str] = {}
    imported: set[str] = set()
    for node in ast.parse(text).body:
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
            continue
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            name = node.name
        elif (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
        ):
            name = node.targets[0].id
        else:
            continue
        start = (
            node.decorator_list[0].lineno
            if getattr(node, "decorator_list", None)
            else node.lineno
        ) - 1
        found[name] = "\n".join(lines[start : node.end_lineno])
    return found, frozenset(imported)


def definitions(module: str) -> dict[str, str]:
    """Each top-level def, class and assignment of generator/runtime/<module>.py, by name, as written there."""
    return _read(module)[0]


def bound_names() -> frozenset[str]:
    """Every name the runtime modules bind at top level (definitions, constants, imported modules):
    a generated file that holds their definitions binds these names too."""
    names: set[str] = set()
    for module in modules():
        found, imported = _read(module)
        names |= found.keys() | imported
    return frozenset(names)
