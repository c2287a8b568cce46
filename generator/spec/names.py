"""Rules for the names a spec may use: main() parameters, output names and file names."""

from __future__ import annotations

import keyword
import re
from functools import cache

from generator.dify import OUTPUT_TYPES
from generator.errors import shown
from generator.package import templates_dir
from generator.runtime import bound_names

# Dify's rule for variable and output names in the UI (30 characters at most).
DIFY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,29}")
# Soft keywords of every Python the sandbox may run (3.10 to 3.13); `type` since 3.12.
SOFT_KEYWORDS = frozenset({"_", "case", "match", "type"})
FIXED_PARAMETERS = ("api_key", "query", "user", "conversation_id", "files")
# What main() itself reads or binds besides its parameters; with the workflow readers' names
# (reader_name), the top-level names in templates/ and generator/runtime/'s, it is every name a
# generated file uses: a parameter named like one would shadow it. tests/test_names.py checks
# generated_names() against the golden files and tests/static_pass.py against every variant.
MAIN_NAMES = frozenset({"SystemExit", "str", "body", "body_text", "inputs", "reply", "error", "pause"})
# A top-level def, class, import or constant written in a template (at the line's start).
TEMPLATE_DEFINITION = re.compile(r"^(?:def|class|import) (\w+)|^(\w+) = ", re.MULTILINE)
# Runner names Dify binds at module level after the user code (dify-facts §1).
RUNNER_NAMES = frozenset({"json", "b64decode", "inputs_obj", "output_obj", "output_json", "result"})
# Windows device names: a file called like one can't be created or checked out there.
DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{n}" for n in range(1, 10)} | {f"lpt{n}" for n in range(1, 10)}
)
FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")


def reader_name(kind: str) -> str:
    """The generated predicate for a Dify output type: _is_string, _is_number_list, ..."""
    return f"_is_{kind[len('array[') : -1]}_list" if kind.startswith("array[") else f"_is_{kind}"


@cache
def generated_names() -> frozenset[str]:
    """Every name a generated file may bind at top level or main() reads (computed on first use:
    only validating a spec needs it, and a warm run validates nothing)."""
    in_templates = {
        name
        for path in templates_dir().glob("*.jinja")
        for match in TEMPLATE_DEFINITION.finditer(path.read_text(encoding="utf-8"))
        for name in match.groups()
        if name
    }
    readers = {reader_name(kind) for kind in OUTPUT_TYPES}
    return MAIN_NAMES | readers | in_templates | bound_names()


def identifier_problem(name: str) -> str | None:
    """Why `name` can't be a Dify variable and main() parameter, or None when it can."""
    if not DIFY_NAME.fullmatch(name):
        return (
            f"{shown(name)} is not a Dify variable name (a letter or _, then letters, digits or _, "
            "30 characters at most)"
        )
    if keyword.iskeyword(name) or name in SOFT_KEYWORDS:
        return f"{shown(name)} is a Python keyword and can't be a main() parameter; rename it (e.g. {name + '_'!r})"
    if not can_bind(name):
        return f"{shown(name)} can't be assigned in Python (compile() refuses it); rename it (e.g. {name.strip('_')!r})"
    return None


def can_bind(name: str) -> bool:
    """Whether Python takes `name`, an ASCII name, as a parameter: an identifier, no keyword, and not
    `__debug__` (which parses but can't be assigned). Decided without compile(): a warm run checks thousands
    of names (tests/test_names.py holds it equal to compile's verdict)."""
    return name.isidentifier() and not keyword.iskeyword(name) and name != "__debug__"


def parameter_problem(name: str) -> str | None:
    """Why `name` can't be an extra main() parameter, or None when it can."""
    problem = identifier_problem(name)
    if problem:
        return problem
    if name in FIXED_PARAMETERS:
        return f"{shown(name)} is already a parameter of every snippet; pick another name"
    if name in generated_names() or name in RUNNER_NAMES:
        return f"{shown(name)} is a name the generated code or Dify's runner uses; pick another name"
    return None


def file_name_problem(name: str) -> str | None:
    """Why `name` can't be an output file name, or None when it can."""
    if not FILE_NAME.fullmatch(name):
        return (
            f"{shown(name)} can't be a file name: use letters, digits, _ and - (64 at most), "
            "not starting with - or ., with no path separators"
        )
    if name.lower() in DEVICE_NAMES:
        return f"{shown(name)} is a reserved device name on Windows; pick another name"
    return None
