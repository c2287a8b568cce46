"""The package's shape holds: no import cycle, lazy imports only at the edge, a docstring per module."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
# Entry points: they import the rest on first use so `--version`, `--help` and `import generator` stay fast.
EDGE = {"generator", "generator.__main__", "generator.cli"}
# Heavy libraries a warm `check` must not load (tests/test_cache.py), and the module that renders
# on a cache miss (it pulls in the variant, templating, black and the DSL writer): imported where
# first needed.
HEAVY = {"black", "_black_version", "jinja2", "yaml", "click", "generator.rendering.make"}
# The sandbox boot script runs inside the Code node's process: it imports only when it must.
SCRIPTS = {"generator.codenode.sandbox_boot"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
# The runtime is the generated files' code, which imports certifi only where a sandbox has it.
RUNTIME = {name for name in MODULES if name.startswith("generator.runtime.")}


def _imports(tree: ast.Module) -> list[tuple[ast.stmt, bool]]:
    """Every import statement and whether it runs when the module is imported (top level, or in a
    top-level try/if); imports under `if TYPE_CHECKING:` are left out: they never run."""
    found: list[tuple[ast.stmt, bool]] = []

    def visit(node: ast.AST, at_import: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and isinstance(child.test, ast.Name) and child.test.id == "TYPE_CHECKING":
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                found.append((child, at_import))
            nested = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda))
            visit(child, at_import and not nested)

    visit(tree, True)
    return found


def _targets(node: ast.stmt) -> list[str]:
    """The modules an import statement loads (ours by full name, others by their top-level name)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom) and node.level == 0, "relative imports are not used here"
    submodules = [f"{node.module}.{alias.name}" for alias in node.names if f"{node.module}.{alias.name}" in MODULES]
    return submodules or [node.module]


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        targets = {t for node, _ in _imports(ast.parse(path.read_text())) for t in _targets(node)}
        graph[name] = {t for t in targets if t in MODULES and t != name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    cycles, state, stack = [], {}, []

    def walk(module: str) -> None:
        state[module] = "open"
        stack.append(module)
        for imported in sorted(graph[module]):
            if state.get(imported) == "open":
                cycles.append([*stack[stack.index(imported) :], imported])
            elif imported not in state:
                walk(imported)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            walk(module)
    return cycles


def test_the_package_has_no_import_cycle() -> None:
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


@pytest.mark.parametrize("module", sorted(set(MODULES) - EDGE - SCRIPTS - RUNTIME))
def test_only_the_edge_imports_lazily(module: str) -> None:
    """Inside the package a module's imports are at its top, so its dependencies read at a glance;
    only the heavy libraries a warm run must not load wait until they are needed."""
    late = [
        f"line {node.lineno}: {target}"
        for node, at_import in _imports(ast.parse(MODULES[module].read_text()))
        if not at_import
        for target in _targets(node)
        if target.split(".")[0] not in HEAVY and target not in HEAVY
    ]
    assert late == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_says_why_it_exists_in_one_line(module: str) -> None:
    docstring = ast.get_docstring(ast.parse(MODULES[module].read_text()), clean=False)
    assert docstring, f"{module} has no docstring"
    first = docstring.split("\n", 1)[0]
    assert first.strip() and first.endswith((".", ")")), f"{module}: the first line should be a sentence: {first!r}"


def test_one_home_for_writing_files_and_diffs() -> None:
    """The atomic write, the unified diff and the TOML reader each live in one module."""
    homes = {"tempfile.mkstemp(": set(), "difflib.unified_diff(": set(), "tomllib.loads(": set()}
    for name, path in MODULES.items():
        text = path.read_text()
        for call in homes:
            if call in text:
                homes[call].add(name)
    assert homes == {
        "tempfile.mkstemp(": {"generator.files"},
        "difflib.unified_diff(": {"generator.files"},
        "tomllib.loads(": {"generator.spec.load"},
    }


@pytest.mark.parametrize("module", sorted(RUNTIME))
def test_the_runtime_imports_only_what_a_code_node_has(module: str) -> None:
    """Its definitions are emitted into generated files: the standard library, certifi (where the
    sandbox has it, imported inside the function that uses it) and the runtime's own modules."""
    allowed = set(sys.stdlib_module_names) | {"certifi", "__future__"}
    foreign = [
        target
        for node, _ in _imports(ast.parse(MODULES[module].read_text()))
        for target in _targets(node)
        if not target.startswith("generator.runtime") and target.split(".")[0] not in allowed
    ]
    assert foreign == []
