"""The reserved-name list must cover every name the generated code binds or main() reads."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from generator.spec.names import FIXED_PARAMETERS, GENERATED_NAMES, RUNNER_NAMES, parameter_problem

GOLDEN = Path(__file__).resolve().parent / "golden"
FILES = sorted(GOLDEN.glob("*/expected/*.py"))


def module_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


@pytest.mark.parametrize("path", FILES, ids=[f"{p.parent.parent.name}/{p.name}" for p in FILES])
def test_reserved_names_cover_the_generated_code(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    main = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main")
    parameters = {arg.arg for arg in main.args.args}
    body = ast.Module(body=main.body, type_ignores=[])  # annotations are evaluated outside main
    used_in_main = {node.id for node in ast.walk(body) if isinstance(node, ast.Name)} - parameters
    missing = (module_names(tree) | used_in_main) - GENERATED_NAMES
    assert not missing, f"add to generator.spec.names.GENERATED_NAMES: {sorted(missing)}"
    assert not module_names(tree) & (RUNNER_NAMES - {"json"}), "the runner rebinds these after the code"


def test_every_reserved_name_is_refused_as_a_parameter() -> None:
    for name in sorted(GENERATED_NAMES | RUNNER_NAMES | set(FIXED_PARAMETERS)):
        assert parameter_problem(name), name
    assert parameter_problem("customer") is None
