"""Appends a [[snippets]] entry to the user's spec, keeping its comments and layout (tomlkit), or writes nothing."""

from __future__ import annotations

from pathlib import Path

import tomlkit

from generator.errors import UserError, shown, shown_path
from generator.files import read_user_text, replace_file
from generator.spec.load import (
    BUILTIN_SPEC,
    DEFAULT_SPEC_NAME,
    PYPROJECT,
    SCHEMA_VERSION,
    TOOL_TABLE,
    find_spec_path,
    parse_spec,
    parse_toml,
)


def entry_text(entry: dict) -> str:
    """The entry as the TOML `add --dry-run` prints (and `add` appends)."""
    document = tomlkit.document()
    snippets = tomlkit.aot()
    snippets.append(_table(entry))
    document.append("snippets", snippets)
    return tomlkit.dumps(document)


def add_snippet(spec_path: Path | None, entry: dict) -> Path:
    """Append `entry` to the spec (--spec, else the discovered one, else a new ./snippets.toml);
    the result must load, or nothing is written. Returns the file written."""
    path = find_spec_path(spec_path)
    if path == BUILTIN_SPEC:
        path = Path(DEFAULT_SPEC_NAME)
    raw = _read(path) if path.exists() or path.is_symlink() else f"version = {SCHEMA_VERSION}\n"
    bom = "\ufeff" if raw.startswith("\ufeff") else ""  # Notepad's byte-order mark: kept
    text = raw.removeprefix("\ufeff")
    crlf = text.count("\r\n") > text.count("\n") / 2  # the file's own line ends: kept
    try:
        document = tomlkit.parse(text)
    except Exception as error:  # noqa: BLE001 (tomlkit's parse errors have no common base worth naming)
        raise UserError(f"{shown_path(path)}: invalid TOML ({shown(str(error), 200)}); fix it first") from None
    table = _spec_table(document, path) if path.name == PYPROJECT else document
    snippets = table.get("snippets")
    if snippets is None:
        snippets = tomlkit.aot()
        table.append("snippets", snippets)
    existing = (
        {str(item.get("name", "")).casefold() for item in snippets if isinstance(item, dict)}
        if isinstance(snippets, list)
        else set()
    )
    if entry["name"].casefold() in existing:
        raise UserError(
            f"{shown_path(path)}: a snippet named {shown(entry['name'])} is there already; pick another NAME"
        )
    if isinstance(snippets, tomlkit.items.AoT):
        new_table = _table(entry)
        new_table.trivia.indent = "\n"  # a blank line between it and what comes before
        snippets.append(new_table)
    elif isinstance(snippets, tomlkit.items.Array) and all(isinstance(item, dict) for item in snippets):
        snippets.append(_inline(entry))  # `snippets = [{...}]`: one more inline table, in that style
    else:
        raise UserError(f"{shown_path(path)}: snippets is not an array of tables ([[snippets]]); fix it first")
    new_text = tomlkit.dumps(document)
    if crlf:
        new_text = new_text.replace("\r\n", "\n").replace("\n", "\r\n")
    data = parse_toml(new_text, shown_path(path))
    if path.name == PYPROJECT:
        data = data["tool"][TOOL_TABLE]
    parse_spec(data, path.name, shown_path(path))  # refuses (one line) anything the loader would
    _write(path, bom + new_text)
    return path


def _spec_table(document, path: Path):  # (tomlkit document) -> tomlkit Table
    """pyproject.toml's [tool.dify-codenode], made when missing; one line when it isn't a table."""
    tool = document.setdefault("tool", tomlkit.table(is_super_table=True))
    if not isinstance(tool, dict):
        raise UserError(f"{shown_path(path)}: tool is not a table ([tool]); fix the pyproject.toml first")
    table = tool.setdefault(TOOL_TABLE, tomlkit.table())
    if not isinstance(table, dict):
        raise UserError(
            f"{shown_path(path)}: tool.{TOOL_TABLE} is not a table ([tool.{TOOL_TABLE}]); fix the pyproject.toml first"
        )
    table.setdefault("version", SCHEMA_VERSION)
    return table


def _table(entry: dict):  # -> tomlkit Table
    table = tomlkit.table()
    for key, value in entry.items():
        if key == "inputs":
            inputs = tomlkit.table()
            for input_key, item in value.items():
                inputs.add(input_key, _inline(item) if isinstance(item, dict) else item)
            table.add("inputs", inputs)
        else:
            table.add(key, value)
    return table


def _inline(values: dict):  # -> tomlkit InlineTable
    inline = tomlkit.inline_table()
    for key, value in values.items():
        inline.append(key, _inline(value) if isinstance(value, dict) else value)
    return inline


def _read(path: Path) -> str:
    return read_user_text(path, "a spec file")


def _write(path: Path, text: str) -> None:
    """Replace the file in one step (a temp file beside it, then a rename), keeping its mode."""
    try:
        replace_file(path, text.encode("utf-8"))
    except OSError as error:
        raise UserError(f"{shown_path(path)}: can't be written ({error.strerror}); nothing was changed") from None
