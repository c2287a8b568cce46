"""The shared runtime's definitions as text, by name, for templates to emit (generator/runtime/ is their home)."""

from __future__ import annotations

from generator.runtime import definitions


def runtime_definition(name: str) -> str:
    """The text of `module.name` from generator/runtime/, e.g. "stream._read_body"."""
    module, _, attribute = name.partition(".")
    found = definitions(module)
    if attribute not in found:
        raise LookupError(f"generator/runtime/{module}.py defines no {attribute}")  # a template's mistake
    return found[attribute]
