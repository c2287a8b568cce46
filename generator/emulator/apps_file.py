"""Reads the small TOML file that tells `dify-codenode emulate` which apps to serve, refusing mistakes in one line."""

from __future__ import annotations

import json
import math
from pathlib import Path

from generator.dify import INPUT_TYPES
from generator.emulator.apps import MODES, App, Request
from generator.emulator.forms import Variable
from generator.emulator.streams import paused_stream
from generator.emulator.wire import Style
from generator.errors import UserError, shown, shown_path
from generator.files import read_user_text
from generator.spec.load import parse_toml

APP_KEYS = ("key", "mode", "name", "description", "tags", "answer", "outputs", "pause", "delay", "error", "inputs")
INPUT_KEYS = ("variable", "type", "label", "required", "default", "max_length", "options")
ERROR_KEYS = ("status", "code", "message")
PAUSING_MODES = ("chatflow", "workflow")  # Human Input nodes live in workflow-based apps (dify-facts §5)
MAX_BYTES = 1024 * 1024  # a description of a few apps; a larger file is a mistake
MAX_DELAY = 60.0  # seconds between events: enough to try a node's timeout, not enough to forget a server

EXAMPLE = '[[apps]] then key = "app-emulated0001" and mode = "agent" on lines of their own'


def load_apps(path: Path) -> list[App]:
    """The apps the file at `path` describes; a UserError naming the file, the app and the key for any mistake."""
    label = shown_path(path)
    hint = f"write one with an [[apps]] table per app: {EXAMPLE}"
    text = read_user_text(path, "an apps file", missing_hint=hint, max_bytes=MAX_BYTES).removeprefix("\ufeff")
    document = parse_toml(text, label)
    unknown = sorted(set(document) - {"apps"})
    if unknown:
        raise UserError(f"{label}: unknown top-level key {shown(unknown[0])}; describe each app in an [[apps]] table")
    tables = document.get("apps")
    if not isinstance(tables, list) or not tables or not all(isinstance(table, dict) for table in tables):
        raise UserError(f"{label}: no [[apps]] tables; add one per app: {EXAMPLE}")
    apps = [_app(table, f"{label}: apps[{index}]") for index, table in enumerate(tables)]
    seen: set[str] = set()
    for index, app in enumerate(apps):
        if app.key in seen:
            raise UserError(f"{label}: apps[{index}].key {shown(app.key)} is used twice; give each app its own key")
        seen.add(app.key)
    return apps


def _app(table: dict, where: str) -> App:
    _check_keys(table, APP_KEYS, where)
    key = _text(table, "key", where, required=True)
    if any(character.isspace() or not character.isprintable() for character in key) or not key.isascii():
        raise UserError(f"{where}.key {shown(key)} can't travel in an HTTP header; use ASCII letters, digits and -_")
    mode = _text(table, "mode", where, required=True)
    if mode not in MODES:
        raise UserError(f"{where}.mode {shown(mode)} is no app mode; use one of {', '.join(MODES)}")
    app = App(key=key, mode=mode)
    app.name = _text(table, "name", where) or app.name
    app.description = _text(table, "description", where)
    app.answer = _text(table, "answer", where) if "answer" in table else app.answer
    app.tags = _tags(table.get("tags", []), f"{where}.tags")
    if "outputs" in table:
        if mode != "workflow":
            raise UserError(f"{where}.outputs: only a workflow app has outputs; remove it or set mode = 'workflow'")
        if not isinstance(table["outputs"], dict):
            raise UserError(f"{where}.outputs must be a table of output names and values, e.g. {{ text = 'hi' }}")
        app.outputs = table["outputs"]
    app.style = Style(delay=_delay(table.get("delay", 0), f"{where}.delay"))
    if _flag(table, "pause", where):
        if mode not in PAUSING_MODES:
            raise UserError(f"{where}.pause: only chatflow and workflow apps pause for human input; remove it")
        app.scenario = _pausing
    if "error" in table:
        app.status, app.error_body = _error(table["error"], f"{where}.error")
    inputs = table.get("inputs", [])
    if not isinstance(inputs, list) or not all(isinstance(item, dict) for item in inputs):
        raise UserError(f"{where}.inputs must be an array of tables: [[apps.inputs]] with variable = 'name'")
    app.form = [_variable(item, f"{where}.inputs[{index}]") for index, item in enumerate(inputs)]
    names = [variable.variable for variable in app.form]
    for name in names:
        if names.count(name) > 1:
            raise UserError(f"{where}.inputs: variable {shown(name)} is declared twice; keep one")
    return app


def _pausing(request: Request) -> list:
    """The app's answer so far, then a pause for human input (Dify 1.14+): the stream ends without a finish."""
    return paused_stream(request, text=request.app.answer)


def _variable(table: dict, where: str) -> Variable:
    _check_keys(table, INPUT_KEYS, where)
    name = _text(table, "variable", where, required=True)
    if not name.isidentifier() or not name.isascii():
        raise UserError(f"{where}.variable {shown(name)}: Dify takes letters, digits and _ not starting with a digit")
    kind = _text(table, "type", where) or "text-input"
    if kind not in INPUT_TYPES:
        raise UserError(f"{where}.type {shown(kind)} is no input type; use one of {', '.join(INPUT_TYPES)}")
    variable = Variable(name, kind, label=_text(table, "label", where))
    variable.required = _flag(table, "required", where, default=True)
    variable.default = table.get("default")
    max_length = table.get("max_length")
    if max_length is not None:
        if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
            raise UserError(f"{where}.max_length must be a whole number above 0, not {shown(max_length)}")
        if kind not in ("text-input", "paragraph", "file-list"):
            raise UserError(f"{where}.max_length: only text-input, paragraph and file-list inputs have one; remove it")
        variable.max_length = max_length
    options = table.get("options")
    if options is not None:
        if kind != "select":
            raise UserError(f"{where}.options: only a select input has options; remove them or set type = 'select'")
        variable.options = _tags(options, f"{where}.options")
    elif kind == "select":
        raise UserError(f"{where}: a select input needs options = ['one', 'two']")
    return variable


def _error(table: object, where: str) -> tuple[int, bytes]:
    if not isinstance(table, dict):
        raise UserError(f"{where} must be a table, e.g. {{ status = 429, code = 'too_many_requests' }}")
    _check_keys(table, ERROR_KEYS, where)
    status = table.get("status", 400)
    if isinstance(status, bool) or not isinstance(status, int) or not 400 <= status <= 599:
        raise UserError(f"{where}.status must be an HTTP error status from 400 to 599, not {shown(status)}")
    code = _text(table, "code", where) or "invalid_param"
    message = _text(table, "message", where) or "emulated error"
    # Dify's error envelope (api/libs/external_api.py): {"code", "message", "status"}.
    return status, json.dumps({"code": code, "message": message, "status": status}).encode()


def _check_keys(table: dict, valid: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in valid:
            raise UserError(f"{where}: unknown key {shown(key)}; the keys are {', '.join(valid)}")


def _text(table: dict, key: str, where: str, required: bool = False) -> str:
    value = table.get(key, "")
    if not isinstance(value, str):
        raise UserError(f"{where}.{key} must be text in quotes, not {shown(value)}")
    if required and not value:
        raise UserError(f"{where}: {key} is missing; add {key} = '...'")
    return value


def _flag(table: dict, key: str, where: str, default: bool = False) -> bool:
    value = table.get(key, default)
    if not isinstance(value, bool):
        raise UserError(f"{where}.{key} must be true or false, not {shown(value)}")
    return value


def _tags(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise UserError(f"{where} must be a list of texts, e.g. ['a', 'b']")
    return list(value)


def _delay(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise UserError(f"{where} must be a number of seconds, not {shown(value)}")
    if not 0 <= value <= MAX_DELAY:
        raise UserError(f"{where} must be from 0 to {MAX_DELAY:g} seconds, not {value:g}")
    return float(value)
