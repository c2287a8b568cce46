"""The live apps a spec calls: `add` makes a spec entry from one, `check --against-apps` compares snippets with them."""

from __future__ import annotations

import os

from generator.callee.api import describe_app
from generator.callee.form import accepts_files, app_kind, drift, form_fields, spec_entry
from generator.dify import CONVERSATION_APPS
from generator.errors import UserError, counted, shown, with_article
from generator.spec.load import checked_base_url, parse_spec
from generator.spec.model import Spec


def read_key(variable: str, what: str) -> str:
    """The called app's API key from the environment (never from a flag, never written anywhere)."""
    key = os.environ.get(variable, "").strip()
    if not key:
        raise UserError(
            f"{what}: the environment variable {variable} is not set; export it with the called app's API key "
            "(its API Access page; in CI from the secret store)"
        )
    return key


def new_entry(
    name: str, template: str, base_url: str, key_variable: str, kind_given: str | None, extra: dict
) -> tuple[dict, list[str]]:
    """The [[snippets]] table for the app behind the key in `key_variable`, and notes for the user."""
    base_url = checked_base_url(base_url, "--base-url")
    key = read_key(key_variable, "add")
    description = describe_app(base_url, key)
    kind = app_kind(description.mode, kind_given, f"{base_url}/info")
    if template == "conversation" and kind not in CONVERSATION_APPS:
        raise UserError(
            f"the app is {with_article(kind)} app, which has no conversations; use --template single or variables"
        )
    fields, notes = form_fields(description.parameters, f"{base_url}/parameters")
    if accepts_files(description.parameters):
        extra = {**extra, "forward_files": True}
        notes.append("the app takes files: main() gets a files input (map sys.files, or leave it unmapped)")
    entry, more = spec_entry(name, template, kind, fields, {**extra, "verify_key_env": key_variable})
    parse_spec({"version": 1, "snippets": [entry]}, "add", "the new entry")  # the loader's one-line refusal, if any
    called = f"the app {shown(description.name)}" if description.name else "the app"
    inputs = counted(len(fields), "input")
    return entry, [f"{called} is {with_article(kind)} app with {inputs} a caller sends", *notes, *more]


def check_against_apps(spec: Spec) -> tuple[list[str], int]:
    """(one line per difference, how many snippets were checked); UserError when an app can't be asked."""
    checked = [snippet for snippet in spec.snippets if snippet.verify_key_env]
    if not checked:
        raise UserError(
            f"{spec.source}: no snippet sets verify_key_env, so there is no app to check against; "
            'add verify_key_env = "VARIABLE" (`dify-codenode add` does) and export the key in that variable'
        )
    lines = []
    for snippet in checked:
        where = f"{spec.source}: snippet {snippet.name}"
        key = read_key(snippet.verify_key_env, where)
        base_url = snippet.verify_base_url or snippet.base_url
        try:
            description = describe_app(base_url, key)
            kind = app_kind(description.mode, None if description.mode else snippet.app, f"{base_url}/info")
            fields, _ = form_fields(description.parameters, f"{base_url}/parameters")
        except UserError as error:
            raise UserError(f"{where}: {error}") from None
        lines += [
            f"{where}: {problem}" for problem in drift(snippet, kind, fields, accepts_files(description.parameters))
        ]
    return lines, len(checked)
