"""Reads a TOML spec into frozen Snippet objects, refusing anything unclear with a one-line error."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from generator.cache import TextCache, default_directory
from generator.dify import BUILT_IN_OUTPUTS, CONVERSATION_APPS, FILE_INPUT_TYPES, INPUT_TYPES, OUTPUT_TYPES
from generator.errors import UserError, escape_controls, shown, shown_path, with_article
from generator.files import read_user_text
from generator.package import code_fingerprint
from generator.spec import names
from generator.spec.model import Input, Origin, Snippet, Spec
from generator.spec.options import OPTIONS, Option
from generator.spec.stored import spec_from_text, spec_to_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

SCHEMA_VERSION = 1
DEFAULT_SPEC_NAME = "snippets.toml"
PYPROJECT = "pyproject.toml"
TOOL_TABLE = "dify-codenode"
BUILTIN_SPEC = Path(__file__).with_name("default_snippets.toml")
BUILTIN_SOURCE = "the built-in default spec"
TOP_LEVEL_KEYS = ("version", "defaults", "snippets", "apps")
SNIPPET_KEYS = ("name",) + tuple(option.key for option in OPTIONS)
MAX_INPUT_KEY_LENGTH = 100  # older Dify apps allow input names up to 100 characters
MAX_USER_PREFIX_LENGTH = 64
MAX_BASE_URL_LENGTH = 2048  # what browsers and proxies reliably pass
# A Dify app API key: "app-" and 20 or more key characters. It belongs in a Secret variable.
API_KEY_PATTERN = re.compile(r"app-[A-Za-z0-9]{20,}")
# Text Dify's runner gives a meaning anywhere in a Code node's script (dify-facts §1): it
# replaces {{inputs}} with the inputs and reads the result between <<RESULT>> tags.
RUNNER_MARKERS = ("{{inputs}}", "<<RESULT>>")

Locate = Callable[[str], str]
INPUT_TABLE_KEYS = ("param", "type", "required", "options", "max_length")
QUERY_INPUT_APPS = ("completion", "workflow")
MAX_INPUT_MAX_LENGTH = 1_000_000


def find_spec_path(spec_path: Path | None) -> Path:
    """The spec to use: --spec; else ./snippets.toml or the nearest pyproject.toml upward with a
    [tool.dify-codenode] table (both at once is an error); else the built-in default."""
    if spec_path is not None:
        return spec_path
    local = Path(DEFAULT_SPEC_NAME)
    local_found = local.exists() or local.is_symlink()  # a broken link is a spec that can't be read, not none
    pyproject = _nearest_pyproject()
    if (
        pyproject is not None
        and _tool_table(_read_toml(pyproject, shown_path(pyproject)), shown_path(pyproject)) is None
    ):
        pyproject = None
    if local_found and pyproject is not None:
        raise UserError(
            f"two specs found: {local} and [tool.{TOOL_TABLE}] in {shown_path(pyproject)}; keep one, or choose with "
            "--spec"
        )
    return local if local_found else pyproject or BUILTIN_SPEC


def _nearest_pyproject() -> Path | None:
    """The first pyproject.toml from the current directory upward, as a path relative to it."""
    here = Path.cwd()
    for directory in (here, *here.parents):
        candidate = directory / PYPROJECT
        if candidate.is_file():
            return Path(os.path.relpath(candidate, here))
    return None


def _tool_table(data: dict, label: str) -> dict | None:
    """pyproject.toml's [tool.dify-codenode] table, None without one; refused when it isn't a table."""
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise UserError(f"{label}: tool: must be a table ([tool]); fix the pyproject.toml")
    table = tool.get(TOOL_TABLE)
    if table is not None and not isinstance(table, dict):
        raise UserError(f"{label}: tool.{TOOL_TABLE}: must be a table ([tool.{TOOL_TABLE}]); fix the pyproject.toml")
    return table


def load_spec(spec_path: Path | None) -> Spec:
    """Read and validate a spec file; raise UserError naming the file and the spot."""
    path = find_spec_path(spec_path)
    builtin = path == BUILTIN_SPEC
    source = BUILTIN_SOURCE if builtin else path.name
    label = source if builtin else shown_path(path)
    text = _read_spec_text(path)
    # The loader's verdict on this text, read from here, by this code: a warm run skips the work.
    key = "\0".join((source, label, path.name, text))
    cache = TextCache(default_directory(), "spec; " + code_fingerprint())
    stored = cache.get(key)
    if stored is not None:
        spec = spec_from_text(stored)
    else:
        spec = _validated(text, path, source, label)
        cache.put(key, spec_to_text(spec))
    directory = None if builtin or spec_path is not None else path.parent
    return replace(spec, directory=directory, home=None if builtin else path.parent)


def spec_defaults(spec_path: Path | None) -> dict:
    """The [defaults] table of the spec that would be used ({} for none or the built-in spec)."""
    path = find_spec_path(spec_path)
    if path == BUILTIN_SPEC or not path.exists():
        return {}
    data = _read_toml(path, shown_path(path))
    if path.name == PYPROJECT:
        data = _tool_table(data, shown_path(path)) or {}
    defaults = data.get("defaults")
    return defaults if isinstance(defaults, dict) else {}


def _read_toml(path: Path, label: str) -> dict:
    return parse_toml(_read_spec_text(path), label)


def _read_spec_text(path: Path) -> str:
    text = read_user_text(path, "a spec file", "create one with `dify-codenode init` or fix --spec")
    return text.removeprefix("\ufeff")  # Notepad's byte-order mark is harmless


def _validated(text: str, path: Path, source: str, label: str) -> Spec:
    """The spec in `text`, every option checked (UserError, one line, for the first problem)."""
    data = parse_toml(text, label)
    prefix = ""
    if path.name == PYPROJECT:
        data = _tool_table(data, label)
        if data is None:
            raise UserError(f"{label}: has no [tool.{TOOL_TABLE}] table; add one, or pass a spec file with --spec")
        prefix = f"tool.{TOOL_TABLE}."
    return parse_spec(data, source, label, prefix)


def parse_toml(text: str, label: str) -> dict:
    """The TOML document's tables; a UserError naming `label` for anything tomllib can't read."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UserError(f"{label}: invalid TOML: {error}") from None
    except RecursionError:
        raise UserError(
            f"{label}: tables or arrays nested too deeply to read; a spec needs three levels at most"
        ) from None
    except ValueError:  # Python's limit on int digits (4300): "Exceeds the limit ... for integer string conversion"
        raise UserError(_too_long_number(text, label)) from None


def _too_long_number(text: str, label: str) -> str:
    """Where the number too long for Python to read is: its line and key, when they can be found."""
    match = re.search(r"[0-9_]{4300,}", text)
    if match is None:
        return f"{label}: a number is too long to read (thousands of digits); write a sensible number"
    line_start = text.rfind("\n", 0, match.start()) + 1
    key = text[line_start : match.start()].split("=")[0].strip() or "a value"
    line = text.count("\n", 0, match.start()) + 1
    digits = len(match.group())
    return f"{label}:{line}: {shown(key, 60)} is a number of {digits:,} digits, too long to read; write a smaller one"


def parse_spec(data: dict, source: str, label: str, prefix: str = "") -> Spec:
    """Validate a decoded TOML document (or pyproject table) and build the Spec."""

    def fail(where: str, problem: str) -> UserError:
        return UserError(f"{label}: {prefix}{where}: {problem}")

    _refuse_hazards(data, "", fail)
    _check_keys(data, TOP_LEVEL_KEYS, "top level", fail)
    if "version" not in data:
        raise fail("version", f"missing; add `version = {SCHEMA_VERSION}` at the top")
    version = data["version"]
    if type(version) is not int or version != SCHEMA_VERSION:
        raise fail("version", f"{shown(version)} is not supported; this dify-codenode reads version = {SCHEMA_VERSION}")
    defaults = data.get("defaults", {})
    if not isinstance(defaults, dict):
        raise fail("defaults", "must be a table ([defaults])")
    _check_keys(defaults, SNIPPET_KEYS[1:], "defaults", fail)
    for option in OPTIONS:  # checked on their own, even where every snippet overrides them
        _option_value(option, defaults, fail, lambda key: f"defaults.{key}")
    entries = data.get("snippets")
    if entries is None or entries == []:
        raise fail("snippets", "the spec has no snippets; add at least one [[snippets]] table")
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise fail("snippets", "must be an array of tables ([[snippets]])")
    snippets = []
    origins = []
    seen: dict[str, str] = {}
    for index, entry in enumerate(entries):
        where = f"snippets[{index}]"
        _check_keys(entry, SNIPPET_KEYS, where, fail)
        merged = {**defaults, **entry}

        def locate(key: str, where: str = where, entry: dict = entry) -> str:
            return f"{where}.{key}" if key in entry or key not in defaults else f"defaults.{key}"

        snippet = build_snippet(merged, lambda location, problem: fail(location, problem), locate)
        for stem in file_stems(snippet):
            folded = stem.casefold()
            if folded in seen:
                raise fail(
                    f"{where}.name",
                    f"{shown(stem)} clashes with {shown(seen[folded])} (file names that differ only in "
                    "case collide on macOS and Windows); rename one",
                )
            seen[folded] = stem
        snippets.append(snippet)
        origins.append(Origin(f"{label}: {prefix}", where, frozenset(entry), frozenset(defaults)))
    apps = data.get("apps", [])
    if not isinstance(apps, list) or not all(isinstance(pattern, str) and pattern for pattern in apps):
        raise fail("apps", 'must be a list of paths or glob patterns of exported Dify apps, e.g. ["apps/*.yml"]')
    return Spec(source=source, snippets=tuple(snippets), origins=tuple(origins), apps=tuple(apps))


def build_snippet(raw: dict, fail: Callable[[str, str], UserError], locate: Locate) -> Snippet:
    """Validate one snippet's options (after defaults) and resolve them into a Snippet."""
    for key, value in raw.items():  # also for render's flags, which don't pass parse_spec
        _refuse_hazards(value, locate(key), fail)
    if "name" not in raw:
        raise fail(locate("name"), "missing; every snippet needs a name (its output file name)")
    name = raw["name"]
    if not isinstance(name, str):
        raise fail(locate("name"), f"must be a string, not {_type_name(name)}")
    problem = names.file_name_problem(name)
    if problem:
        raise fail(locate("name"), problem)
    values = {option.key: _option_value(option, raw, fail, locate) for option in OPTIONS}
    if values["template"] is None:
        raise fail(locate("template"), "missing; set it to single, variables or conversation")
    values["base_url"] = _check_base_url(values["base_url"], fail, locate)
    if not re.fullmatch(r"\d+\.\d+\.\d+", values["dsl_version"]):
        raise fail(locate("dsl_version"), f'{shown(values["dsl_version"])} is not a version like "0.1.5"')
    _check_user_prefix(values["user_prefix"], fail, locate)
    if values["app"] in QUERY_INPUT_APPS:
        if values["query_input"]:
            _check_input_key(values["query_input"], locate("query_input"), fail)
    else:  # a chat app's query is the request's own query, never an input
        values["query_input"] = ""
    if values["verify_key_env"] and not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,127}", values["verify_key_env"]):
        raise fail(
            locate("verify_key_env"),
            f"{shown(values['verify_key_env'])} is not an environment variable name (letters, digits, _)",
        )
    if values["verify_base_url"]:
        values["verify_base_url"] = _check_base_url(
            values["verify_base_url"], fail, lambda key: locate("verify_base_url")
        )
    snippet = Snippet(name=name, **values)
    _check_combination(snippet, fail, locate)
    return snippet


def _option_value(option: Option, raw: dict, fail: Callable[[str, str], UserError], locate: Locate):
    if option.key not in raw:
        default = option.default
        return tuple(default.items()) if isinstance(default, dict) else default
    value = raw[option.key]
    where = locate(option.key)
    kind = option.kind
    if kind == "choice":
        if value not in option.choices:
            raise fail(where, f"{shown(value)} is not one of {', '.join(option.choices)}")
        return value
    if kind == "text":
        if not isinstance(value, str):
            raise fail(where, f"must be a string, not {_type_name(value)}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise fail(where, f"must be true or false, not {_type_name(value)}")
        return value
    if kind in ("int", "number"):
        allowed = (int,) if kind == "int" else (int, float)
        if isinstance(value, bool) or not isinstance(value, allowed):
            raise fail(where, f"must be {'a whole number' if kind == 'int' else 'a number'}, not {_type_name(value)}")
        if not (option.minimum <= value <= option.maximum):
            raise fail(
                where, f"{shown(value)} is out of range; use {_number(option.minimum)} to {_number(option.maximum)}"
            )
        return float(value) if kind == "number" else value
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise fail(where, f"must be a list of strings from: {', '.join(option.choices)}")
        for item in value:
            if item not in option.choices:
                raise fail(where, f"{shown(item)} is not one of {', '.join(option.choices)}")
        return tuple(choice for choice in option.choices if choice in value)
    if kind == "map":
        if not isinstance(value, dict):
            raise fail(where, f"must be a table of {option.metavar.replace('=', ' = ')} pairs")
        if option.key == "inputs":
            return tuple(_input(key, item, f"{where}.{_key_label(key)}", fail) for key, item in value.items())
        for key, item in value.items():
            _check_workflow_output(key, item, f"{where}.{_key_label(key)}", fail)
        return tuple(value.items())
    raise AssertionError(f"unknown option kind {kind}")  # pragma: no cover


def _input(key: str, item: object, where: str, fail: Callable[[str, str], UserError]) -> Input:
    """One `inputs` entry: `key = "param"`, or `key = { param = "...", type = "...", ... }`."""
    _check_input_key(key, where, fail)
    if isinstance(item, dict):
        return _typed_input(key, item, where, fail)
    if not isinstance(item, str):
        raise fail(
            where,
            f"must be the main() parameter name (a string) or a table with param and type, not {_type_name(item)}",
        )
    problem = names.parameter_problem(item)
    if problem:
        raise fail(where, problem)
    return Input(key, item)


def _check_input_key(key: str, where: str, fail: Callable[[str, str], UserError]) -> None:
    if not key:
        raise fail(where, "an input key can't be empty; use the callee's variable name")
    if len(key) > MAX_INPUT_KEY_LENGTH:
        raise fail(where, f"input key is {len(key):,} characters; Dify allows {MAX_INPUT_KEY_LENGTH} at most")
    if escape_controls(key) != key:
        raise fail(
            where, "an input key can't contain control characters (newlines, tabs, ...); use the callee's variable name"
        )


def _typed_input(key: str, table: dict, where: str, fail: Callable[[str, str], UserError]) -> Input:
    _check_keys(table, INPUT_TABLE_KEYS, where, fail)
    param = table.get("param")
    if not isinstance(param, str):
        raise fail(f"{where}.param", "missing or not a string; name the main() parameter that fills this input")
    problem = names.parameter_problem(param)
    if problem:
        raise fail(f"{where}.param", problem)
    kind = table.get("type", "")
    if kind not in INPUT_TYPES:
        raise fail(f"{where}.type", f"{shown(kind)} is not a Dify input type; use one of {', '.join(INPUT_TYPES)}")
    required = table.get("required", True)
    if not isinstance(required, bool):
        raise fail(f"{where}.required", f"must be true or false, not {_type_name(required)}")
    options = table.get("options", [])
    if not isinstance(options, list) or not all(isinstance(option, str) for option in options):
        raise fail(f"{where}.options", "must be a list of strings (the select's values)")
    if kind == "select" and not options:
        raise fail(f"{where}.options", "a select input needs its options; list the values the called app allows")
    if options and kind != "select":
        raise fail(f"{where}.options", 'only a select input has options; remove them or set type = "select"')
    max_length = table.get("max_length", 0)
    if isinstance(max_length, bool) or not isinstance(max_length, int) or not 0 <= max_length <= MAX_INPUT_MAX_LENGTH:
        raise fail(f"{where}.max_length", f"must be a whole number from 0 (no limit) to {MAX_INPUT_MAX_LENGTH:,}")
    if max_length and kind not in ("text-input", "paragraph", "file-list"):
        raise fail(
            f"{where}.max_length", "only text-input, paragraph and file-list inputs have a max_length; remove it"
        )
    return Input(key, param, kind, required, tuple(options), max_length)


def _check_workflow_output(name: str, kind: object, where: str, fail: Callable[[str, str], UserError]) -> None:
    problem = names.identifier_problem(name)
    if problem:
        raise fail(where, problem.replace("main() parameter", "output name"))
    if kind not in OUTPUT_TYPES:
        raise fail(where, f"{shown(kind)} is not a Dify output type; use one of {', '.join(OUTPUT_TYPES)}")


def checked_base_url(url: str, where: str) -> str:
    """A base URL the loader would accept (without a trailing /), or UserError naming `where`."""
    return _check_base_url(url, lambda place, problem: UserError(f"{place}: {problem}"), lambda key: where)


def _check_base_url(url: str, fail: Callable[[str, str], UserError], locate: Locate) -> str:
    where = locate("base_url")
    if len(url) > MAX_BASE_URL_LENGTH:
        raise fail(
            where, f"is {len(url):,} characters; a base URL is {MAX_BASE_URL_LENGTH:,} at most (https://api.dify.ai/v1)"
        )
    if any(ord(c) < 33 or ord(c) == 127 for c in url):
        raise fail(where, f"{shown(url)} contains spaces or control characters; write the plain URL")
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a port out of range
    except ValueError as error:
        raise fail(where, f"{shown(url)} is not a valid URL ({error})") from None
    if port == 0:
        raise fail(where, f"{shown(url)} has port 0; give the API's real port or none")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail(where, f"{shown(url)} must be an http:// or https:// URL with a host, e.g. https://api.dify.ai/v1")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise fail(
            where,
            f"{shown(url)} must not have a query, fragment or user:password; give only the base, e.g. "
            "https://api.dify.ai/v1",
        )
    return url.rstrip("/")


def _check_user_prefix(prefix: str, fail: Callable[[str, str], UserError], locate: Locate) -> None:
    if len(prefix) > MAX_USER_PREFIX_LENGTH:
        raise fail(locate("user_prefix"), f"is {len(prefix)} characters; use {MAX_USER_PREFIX_LENGTH} at most")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 for c in prefix):
        raise fail(locate("user_prefix"), f"{shown(prefix)} contains control characters; use printable text")


def combination_problem(snippet: Snippet) -> str | None:
    """What the rules involving more than one option refuse in this snippet, or None."""
    try:
        _check_combination(snippet, lambda where, problem: UserError(f"{where}: {problem}"), lambda key: key)
    except UserError as error:
        return str(error)
    return None


def _check_combination(snippet: Snippet, fail: Callable[[str, str], UserError], locate: Locate) -> None:
    """Rules that involve more than one option."""
    if snippet.template == "single" and (snippet.inputs or snippet.dynamic):
        key = "inputs" if snippet.inputs else "dynamic"
        raise fail(locate(key), "template 'single' takes no inputs; use template = \"variables\"")
    if snippet.template == "conversation" and snippet.app not in CONVERSATION_APPS:
        raise fail(
            locate("app"),
            f"{with_article(snippet.app)} app has no conversations; use template "
            "single or variables, "
            f"or an app of kind {', '.join(CONVERSATION_APPS)}",
        )
    if snippet.workflow_outputs and snippet.app != "workflow":
        raise fail(
            locate("workflow_outputs"), 'only a workflow app has workflow outputs; remove it or set app = "workflow"'
        )
    if snippet.app == "workflow" and "message_id" in snippet.extra_outputs:
        raise fail(locate("extra_outputs"), "a workflow app sends no message_id; remove it")
    if snippet.query_input and any(entry.key == snippet.query_input for entry in snippet.inputs):
        raise fail(
            f"{locate('inputs')}.{_key_label(snippet.query_input)}",
            f"main()'s query fills the {snippet.app} app's input {shown(snippet.query_input)} already "
            '(query_input); remove this input, or set query_input = "" to map it yourself',
        )
    dynamic_names = {f"var_{part}_{n}" for n in range(1, snippet.dynamic + 1) for part in ("name", "input")}
    seen: dict[str, str] = {}
    if snippet.forward_files and snippet.route == "http-node":
        raise fail(
            locate("forward_files"),
            'files go through the code route only (the request builder can\'t read files); use route = "code"',
        )
    for entry in snippet.inputs:
        where = f"{locate('inputs')}.{_key_label(entry.key)}"
        if entry.param in dynamic_names:
            raise fail(where, f"{shown(entry.param)} is also a dynamic pair's parameter; rename it or lower `dynamic`")
        if entry.param in seen:
            raise fail(
                where,
                f"{shown(entry.param)} is already the parameter of input {shown(seen[entry.param])}; each input needs "
                "its own",
            )
        if entry.type in FILE_INPUT_TYPES and snippet.route == "http-node":
            raise fail(
                where,
                "file inputs go through the code route only (the request builder can't read files); "
                'use route = "code"',
            )
        seen[entry.param] = entry.key
    for name, _ in snippet.workflow_outputs:
        if name in BUILT_IN_OUTPUTS:
            raise fail(
                f"{locate('workflow_outputs')}.{name}",
                f"{shown(name)} is the name of a built-in output ({', '.join(BUILT_IN_OUTPUTS)}); rename it",
            )


def file_stems(snippet: Snippet) -> tuple[str, ...]:
    """The output file names (without suffix) a snippet produces."""
    if snippet.route == "http-node":
        return (snippet.name, f"{snippet.name}_request")
    return (snippet.name,)


def _check_keys(table: dict, valid: tuple[str, ...], where: str, fail: Callable[[str, str], UserError]) -> None:
    for key in table:
        if key not in valid:
            place = _key_label(key) if where == "top level" else f"{where}.{_key_label(key)}"
            raise fail(place, f"unknown key; valid keys here: {', '.join(valid)}")


def _refuse_hazards(value: object, where: str, fail: Callable[[str, str], UserError]) -> None:
    """Refuse, anywhere in the spec (keys too), a Dify API key (it must never be written into a
    spec, and so into generated files) and the text Dify's runner gives a meaning."""
    stack = [(value, where)]  # iterative: a deeply nested document can't exhaust the stack
    while stack:
        item, place = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                child_place = f"{place}.{_key_label(key)}" if place else _key_label(key)
                stack.append((child, child_place))
                stack.append((key, child_place))
        elif isinstance(item, list):
            stack.extend((child, f"{place}[{index}]") for index, child in enumerate(item))
        elif isinstance(item, str):
            _refuse_hazardous_text(item, place or "top level", fail)


def _refuse_hazardous_text(text: str, where: str, fail: Callable[[str, str], UserError]) -> None:
    if API_KEY_PATTERN.search(text):
        raise fail(
            where,
            "looks like a Dify API key; never put keys in the spec: keep the key in a Secret "
            "environment variable in Dify and map it to the node's api_key input",
        )
    for marker in RUNNER_MARKERS:
        if marker in text:
            raise fail(
                where,
                f"contains {marker}, which Dify's runner gives a meaning anywhere in a Code node's "
                "script (it would break the node); remove it",
            )


def _key_label(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]{1,60}", key) else shown(key)


def _type_name(value: object) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a decimal number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _number(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else f"{value:,}".replace(",", "_")
