"""What main() can't reach is dropped, what it can is kept, and every runtime definition is one a template emits."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from generator.rendering.reachable import keep_reachable
from generator.rendering.runtime_text import runtime_definition
from generator.runtime import definitions, modules

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
OUTPUT = Path(__file__).resolve().parent.parent / "output"

SOURCE = '''import json

_LIMIT = 3


class _Unused(Exception):
    """Nothing raises it."""


# Read by main() through _helper.
def _helper() -> int:
    return _deeper()


def _deeper() -> int:
    return _LIMIT


class _Typed:
    def __init__(self, reply: "_OnlyAnnotated") -> None:
        self.reply = reply


class _OnlyAnnotated:
    pass


# Nobody reads this one.
@staticmethod
def _decorated_and_unused() -> None:
    pass


def main(text: str) -> dict:
    return {"n": _helper(), "typed": _Typed}
'''


def _top_level(source: str) -> list[str]:
    return [node.name for node in ast.parse(source).body if isinstance(node, (ast.FunctionDef, ast.ClassDef))]


def test_what_main_reaches_directly_through_others_or_by_annotation_is_kept_and_nothing_else() -> None:
    kept = keep_reachable(SOURCE)
    assert _top_level(kept) == ["_helper", "_deeper", "_Typed", "_OnlyAnnotated", "main"]
    assert "Nobody reads this one" not in kept and "Nothing raises it" not in kept
    assert "# Read by main() through _helper." in kept  # a kept definition keeps its comment
    assert kept.startswith("import json\n\n_LIMIT = 3\n")  # statements are always kept


def test_a_file_where_everything_is_reached_is_returned_unchanged() -> None:
    source = "import json\n\n\ndef _a() -> None:\n    pass\n\n\ndef main() -> None:\n    _a()\n"
    assert keep_reachable(source) is source


def test_a_name_read_by_a_module_statement_is_reached() -> None:
    source = "def _make() -> dict:\n    return {}\n\n\n_TABLE = _make()\n\n\ndef main() -> None:\n    pass\n"
    assert "def _make" in keep_reachable(source)


@pytest.mark.parametrize("path", sorted(OUTPUT.glob("*.py")), ids=lambda path: path.name)
def test_every_generated_file_holds_only_what_its_main_reaches(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert keep_reachable(text) == text


def _emitted_by_templates() -> set[str]:
    """Every `module.name` a template passes to runtime(), both modules of a per-variant choice."""
    emitted = set()
    for template in TEMPLATES.glob("*.jinja"):
        text = template.read_text(encoding="utf-8")
        emitted |= set(re.findall(r'runtime\("([a-z_]+\.\w+)"\)', text))
        # {% set transport = "transport_tls" if variant.https else "transport_plain" %}: one module per variant
        # and {% set taking = "events_workflow" %}: one module, chosen where the others aren't
        choices = re.findall(r'{% set (\w+) = "(\w+)" if [^%]* else "(\w+)" %}', text)
        choices += [(variable, module, module) for variable, module in re.findall(r'{% set (\w+) = "(\w+)" %}', text)]
        for variable, first, second in choices:
            for name in re.findall(rf'runtime\({variable} ~ "\.(\w+)"\)', text):
                emitted |= {f"{first}.{name}", f"{second}.{name}"}
    return emitted


def test_every_runtime_definition_is_emitted_by_a_template_and_every_emitted_name_exists() -> None:
    defined = {
        f"{module}.{name}"
        for module in modules()
        if module != "snippet"  # the constants each file writes itself
        for name in definitions(module)
    }
    emitted = _emitted_by_templates()
    assert defined - emitted == set(), "runtime code no template emits"
    for name in sorted(emitted):
        assert runtime_definition(name)  # a LookupError names the missing one


def test_a_runtime_definition_is_its_text_and_a_missing_one_is_named() -> None:
    assert runtime_definition("stream._MAX_LINE_BYTES").startswith("_MAX_LINE_BYTES = ")
    assert runtime_definition("inputs._number").startswith("def _number(name: str, value: object) -> object:")
    with pytest.raises(LookupError, match="generator/runtime/inputs.py defines no _nothing"):
        runtime_definition("inputs._nothing")


# What templates may still define themselves: code whose text depends on the snippet's own data.
PER_SNIPPET_DEFINITIONS = {
    "main": "the node's inputs and outputs",
    "_Reply": "its fields exist only where an output needs them",
    "_apply_event": "the ids the snippet returns, read from the first event",
    "_finish_workflow": "one reader per declared workflow output",
    "{{ reader.function }}": "a type check per declared workflow output type",
}


def test_templates_define_only_what_depends_on_the_snippets_own_data() -> None:
    """Every other function or class is runtime code, which lives in generator/runtime/ as Python
    (linted, unit-tested) and is emitted by name: a new definition in a template fails here."""
    defined = set()
    for path in TEMPLATES.glob("*.jinja"):
        defined |= set(re.findall(r"^(?:def|class) ([^(:]+)", path.read_text(encoding="utf-8"), re.MULTILINE))
    assert defined == set(PER_SNIPPET_DEFINITIONS)
