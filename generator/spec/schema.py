"""Builds the spec's JSON Schema from the option definitions the loader validates with, so they can't drift.

The schema is never stricter than the loader: whatever it rejects, the loader rejects too
(the loader adds rules a schema can't state, such as Python keywords and name clashes).
"""

from __future__ import annotations

from generator.dify import INPUT_TYPES, OUTPUT_TYPES
from generator.spec import names
from generator.spec.load import MAX_INPUT_KEY_LENGTH, MAX_INPUT_MAX_LENGTH, MAX_USER_PREFIX_LENGTH, SCHEMA_VERSION
from generator.spec.options import OPTIONS, Option

DIFY_NAME_PATTERN = "^" + names.DIFY_NAME.pattern + "$"


def _option_schema(option: Option) -> dict:
    schema: dict = {"description": option.help}
    if option.kind == "choice":
        schema["enum"] = list(option.choices)
    elif option.kind == "text":
        schema["type"] = "string"
    elif option.kind == "bool":
        schema["type"] = "boolean"
    elif option.kind in ("int", "number"):
        schema["type"] = "integer" if option.kind == "int" else "number"
        schema["minimum"], schema["maximum"] = option.minimum, option.maximum
    elif option.kind == "list":
        schema.update(type="array", items={"enum": list(option.choices)})
    elif option.key == "inputs":
        parameter = {"type": "string", "pattern": DIFY_NAME_PATTERN}
        typed = {
            "type": "object",
            "additionalProperties": False,
            "required": ["param", "type"],
            "properties": {
                "param": {
                    **parameter,
                    "description": "The main() parameter (the Code node's input variable) that fills it.",
                },
                "type": {"enum": list(INPUT_TYPES), "description": "The input's type in the called app's form."},
                "required": {
                    "type": "boolean",
                    "default": True,
                    "description": "false: may be left unmapped or empty; the app then uses its default.",
                },
                "options": {
                    "type": "array",
                    "items": {"type": "string"},
                    "description": "type select: the values the app allows.",
                },
                "max_length": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": MAX_INPUT_MAX_LENGTH,
                    "description": "text: characters, file-list: files; 0 = no limit.",
                },
            },
        }
        schema.update(
            type="object",
            propertyNames={"minLength": 1, "maxLength": MAX_INPUT_KEY_LENGTH},
            additionalProperties={"oneOf": [parameter, typed]},
        )
    elif option.key == "workflow_outputs":
        schema.update(
            type="object",
            propertyNames={"pattern": DIFY_NAME_PATTERN},
            additionalProperties={"enum": list(OUTPUT_TYPES)},
        )
    else:  # pragma: no cover - a new option kind must be described here
        raise AssertionError(f"no schema for option {option.key}")
    if option.key == "base_url":
        schema["pattern"] = "^[Hh][Tt][Tt][Pp][Ss]?://"  # the loader lower-cases the scheme
    if option.key == "user_prefix":
        schema["maxLength"] = MAX_USER_PREFIX_LENGTH
    if option.default not in (None, {}, ()):
        schema["default"] = option.default
    return schema


def spec_schema() -> dict:
    """The JSON Schema (draft 2020-12) of a spec file or a [tool.dify-codenode] table."""
    options = {option.key: _option_schema(option) for option in OPTIONS}
    name = {
        "type": "string",
        "pattern": "^" + names.FILE_NAME.pattern + "$",
        "description": "Output file name: output/<name>.py.",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dify-codenode spec",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "snippets"],
        "properties": {
            "version": {"const": SCHEMA_VERSION, "description": "The spec's schema version."},
            "apps": {
                "type": "array",
                "items": {"type": "string", "minLength": 1},
                "description": "Exported Dify apps (DSL files; glob patterns relative to the spec) whose bound Code "
                "nodes sync updates and check checks.",
            },
            "defaults": {
                "type": "object",
                "description": "Options for every snippet, unless a snippet sets them itself.",
                "additionalProperties": False,
                "properties": options,
            },
            "snippets": {
                "type": "array",
                "minItems": 1,
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["name"],
                    "properties": {"name": name, **options},
                },
            },
        },
    }
