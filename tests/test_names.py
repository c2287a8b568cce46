"""The reserved-name list must cover every name the generated code binds or main() reads."""

from __future__ import annotations

import ast
import keyword
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.examples import examples

from generator.spec.names import FIXED_PARAMETERS, RUNNER_NAMES, can_bind, generated_names, parameter_problem

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
    missing = (module_names(tree) | used_in_main) - generated_names()
    assert not missing, f"not reserved (add it to generator.spec.names.MAIN_NAMES if main() uses it): {sorted(missing)}"
    assert not module_names(tree) & (RUNNER_NAMES - {"json"}), "the runner rebinds these after the code"


def test_every_reserved_name_is_refused_as_a_parameter() -> None:
    for name in sorted(generated_names() | RUNNER_NAMES | set(FIXED_PARAMETERS)):
        assert parameter_problem(name), name
    assert parameter_problem("customer") is None


def _compiles_as_parameter(name: str) -> bool:
    try:
        compile(f"def f({name}): pass", "<name>", "exec", dont_inherit=True)
    except SyntaxError:
        return False
    return True


@settings(max_examples=examples(500), deadline=None)
@given(
    name=st.one_of(
        st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,29}", fullmatch=True),
        st.sampled_from(sorted(keyword.kwlist + keyword.softkwlist) + ["__debug__", "_", "__debug", "debug__"]),
        st.text(alphabet=st.characters(max_codepoint=127), max_size=8).filter(str.isidentifier),
    )
)
def test_can_bind_is_what_compile_says(name: str) -> None:
    """The warm path decides names (ASCII identifiers, as Dify's variable names are) without compile();
    it must agree with compile on every one."""
    assert can_bind(name) == _compiles_as_parameter(name), name
