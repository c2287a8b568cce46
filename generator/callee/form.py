"""A live app's input form as spec inputs (for `add`), and how a snippet drifted from it (`check --against-apps`).

The form is /parameters' user_input_form: a list of one-key objects {"<type>": {variable,
label, required, default, max_length, options, ...}} (dify-facts §7). Dify keeps only the
form's variables and drops any other input silently, so a key the spec sends that the form
lacks is drift worth failing CI for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from generator.dify import DEFAULT_QUERY_INPUT, INPUT_TYPES
from generator.errors import UserError, shown, with_article
from generator.spec import names

# /info's mode (Dify's AppMode) -> the spec's app kind. "agent" is the 1.16+ agent mode.
MODE_KINDS = {
    "agent-chat": "agent",
    "agent": "agent",
    "chat": "chat",
    "advanced-chat": "chatflow",
    "completion": "completion",
    "workflow": "workflow",
}
FILLED_BY_THE_APP = ("external_data_tool",)  # its value comes from an API the app calls itself
MAX_FORM_FIELDS = 500
LIMITED_TYPES = ("text-input", "paragraph", "file-list")


@dataclass(frozen=True)
class FormField:
    """One variable of the app's form that a caller can send."""

    key: str
    type: str  # one of INPUT_TYPES, or "" for a type this tool doesn't know (sent as given)
    required: bool
    options: tuple[str, ...] = ()
    max_length: int = 0


def form_fields(parameters: dict, where: str) -> tuple[list[FormField], list[str]]:
    """The fields a caller sends, and notes on what was left out or not understood."""
    form = parameters.get("user_input_form") or []
    if len(form) > MAX_FORM_FIELDS:
        raise UserError(
            f"{where}: the app's form has {len(form):,} inputs; dify-codenode takes {MAX_FORM_FIELDS} at most"
        )
    fields: list[FormField] = []
    notes: list[str] = []
    for index, item in enumerate(form):
        if not isinstance(item, dict) or len(item) != 1 or not isinstance(next(iter(item.values())), dict):
            raise UserError(
                f"{where}: user_input_form[{index}] is not a {{type: {{variable, ...}}}} object; is this a Dify "
                "Service API?"
            )
        kind, entry = next(iter(item.items()))
        key = entry.get("variable")
        if not isinstance(key, str) or not key:
            raise UserError(f"{where}: user_input_form[{index}] has no variable name; is this a Dify Service API?")
        if any(field.key == key for field in fields):
            raise UserError(f"{where}: the form names input {shown(key)} twice; fix the app's form")
        if kind in FILLED_BY_THE_APP:
            notes.append(f"input {shown(key)} is filled by the app itself ({kind}); not sent")
            continue
        if kind not in INPUT_TYPES:
            notes.append(f"input {shown(key)} has type {shown(kind)}, which dify-codenode doesn't know; sent as given")
            kind = ""
        options = entry.get("options") if kind == "select" else None
        max_length = entry.get("max_length")
        fields.append(
            FormField(
                key=key,
                type=kind,
                required=entry.get("required") is True,
                options=tuple(str(option) for option in options) if isinstance(options, list) else (),
                max_length=max_length
                if kind in LIMITED_TYPES and type(max_length) is int and 0 < max_length <= 1_000_000
                else 0,
            )
        )
    return fields, notes


def accepts_files(parameters: dict) -> bool:
    """Whether the app takes files with a request: its file upload feature (or, on older Dify,
    its image upload) is on."""
    upload = parameters.get("file_upload")
    if not isinstance(upload, dict):
        return False
    image = upload.get("image")
    return upload.get("enabled") is True or (isinstance(image, dict) and image.get("enabled") is True)


def app_kind(mode: str, given: str | None, where: str) -> str:
    """The spec's app kind for /info's mode; `given` (--app) when this Dify doesn't say."""
    if given is not None:
        return given
    if not mode:
        raise UserError(
            f"{where}: this Dify doesn't say the app's kind (no mode in /info); pass --app agent, chat, chatflow, "
            "completion or workflow"
        )
    if mode not in MODE_KINDS:
        raise UserError(
            f"{where}: the app's mode {shown(mode)} is one dify-codenode doesn't know; pass --app to say how to call it"
        )
    return MODE_KINDS[mode]


def spec_entry(name: str, template: str, kind: str, fields: list[FormField], extra: dict) -> tuple[dict, list[str]]:
    """The [[snippets]] table for an app with this form (and notes on choices made)."""
    entry: dict = {"name": name, "template": template, "app": kind}
    notes = []
    fields = list(fields)
    if kind in ("completion", "workflow"):
        query = next((field for field in fields if field.key == DEFAULT_QUERY_INPUT), None)
        if query is None:
            entry["query_input"] = ""
            notes.append(f"the app has no input {DEFAULT_QUERY_INPUT!r}: main() takes no query")
        else:
            fields.remove(query)
    if template == "single":
        required = [field.key for field in fields if field.required]
        if required:
            raise UserError(
                f"the app requires input{'s' if len(required) > 1 else ''} {', '.join(map(shown, required))}; use "
                "--template variables"
            )
        if fields:
            notes.append(
                "template single sends none of the app's optional inputs "
                f"({', '.join(map(shown, (f.key for f in fields)))})"
            )
        fields = []
    entry.update(extra)
    taken: set[str] = set()
    inputs = {}
    for field in fields:
        param = parameter_for(field.key, taken)
        taken.add(param)
        inputs[field.key] = _input_table(field, param)
    if inputs:
        entry["inputs"] = inputs
    return entry, notes


def _input_table(field: FormField, param: str) -> str | dict:
    if not field.type:
        return param
    table: dict = {"param": param, "type": field.type}
    if not field.required:
        table["required"] = False
    if field.options:
        table["options"] = list(field.options)
    if field.max_length:
        table["max_length"] = field.max_length
    return table


MAX_NAME_LENGTH = 30  # a Dify variable name (dify-facts §3)


def parameter_for(key: str, taken: set[str]) -> str:
    """A main() parameter name for an input key: valid, not reserved, not taken."""
    if names.parameter_problem(key) is None and key not in taken:
        return key  # already a valid parameter: kept as it is
    base = re.sub(r"[^A-Za-z0-9_]", "_", key).strip("_") or "input"
    if base[0].isdigit():
        base = "input_" + base
    for suffix in ["", "_"] + [f"_{n}" for n in range(2, 10_000)]:
        candidate = base[: MAX_NAME_LENGTH - len(suffix)] + suffix  # the suffix always fits
        if names.parameter_problem(candidate) is None and candidate not in taken:
            return candidate
    raise AssertionError("no free parameter name")  # pragma: no cover - a form has at most a few hundred inputs


def drift(snippet, kind: str, fields: list[FormField], takes_files: bool) -> list[str]:  # snippet: spec.Snippet
    """One line per difference between a snippet and the app it calls."""
    problems = []
    if kind != snippet.app:
        problems.append(f"the app is {with_article(kind)} app; the spec says app = {snippet.app!r}")
    if snippet.forward_files and not takes_files:
        problems.append("the app's file upload is off: the files the snippet forwards are dropped (forward_files)")
    form = {field.key: field for field in fields}
    sent = {entry.key: entry for entry in snippet.inputs}
    if snippet.query_input:
        if snippet.query_input not in form:
            problems.append(
                f"the app has no input {shown(snippet.query_input)}: main()'s query would be dropped (query_input)"
            )
    for field in fields:
        if field.key not in sent and field.key != snippet.query_input and field.required and not snippet.dynamic:
            problems.append(
                f"the app requires input {shown(field.key)} ({field.type or 'untyped'}), which the spec doesn't send"
            )
    for entry in snippet.inputs:
        field = form.get(entry.key)
        if field is None:
            problems.append(
                f"the spec sends input {shown(entry.key)}, which the app's form no longer has: Dify drops it silently"
            )
            continue
        if not entry.type:
            continue
        if field.type and field.type != entry.type:
            problems.append(f"input {shown(entry.key)} is {field.type} in the app, {entry.type} in the spec")
            continue
        if field.required and not entry.required:
            problems.append(f"the app now requires input {shown(entry.key)}; the spec has it optional")
        if entry.required and not field.required:
            problems.append(f"input {shown(entry.key)} is optional in the app now; the spec requires it")
        if entry.type == "select" and tuple(entry.options) != field.options:
            problems.append(
                f"input {shown(entry.key)} options are {', '.join(field.options) or 'none'} in the app, "
                f"{', '.join(entry.options)} in the spec"
            )
        if entry.max_length != field.max_length and entry.type in LIMITED_TYPES:
            problems.append(
                f"input {shown(entry.key)} max_length is {field.max_length or 'none'} in the app, "
                f"{entry.max_length or 'none'} in the spec"
            )
    return problems
