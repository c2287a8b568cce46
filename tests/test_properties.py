"""Property tests: no spec value can become code, and no spec can crash the loader."""

from __future__ import annotations

import ast
import json
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.examples import examples

from generator.errors import UserError, escape_controls
from generator.rendering.formatting import format_source
from generator.rendering.templating import render_snippet
from generator.rendering.variant import variant_of
from generator.spec.load import RUNNER_MARKERS, SNIPPET_KEYS, build_snippet, parse_spec
from generator.spec.names import generated_names
from generator.spec.options import OPTIONS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

# Any Unicode a TOML file can hold (no surrogates), biased towards the characters that matter.
NASTY = st.sampled_from(
    ["'", '"', "\\", "\n", "\r", "#", "{{inputs}}", "<<RESULT>>", '"""', "\x00", "\u2028", "\x85", "\x0c", "}", "{"]
)
TEXT = st.lists(st.one_of(NASTY, st.characters(exclude_categories=("Cs",))), max_size=12).map("".join)
PRINTABLE = st.lists(
    st.one_of(
        st.sampled_from(["'", '"', "\\", "#", "{{inputs}}", "}"]), st.characters(exclude_categories=("Cs", "Cc"))
    ),
    max_size=10,
).map("".join)
SLOW = settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fail(where: str, problem: str) -> UserError:
    return UserError(f"{where}: {problem}")


def _source(options: dict) -> str:
    snippet = build_snippet({"name": "p", **options}, _fail, lambda key: key)
    return format_source(render_snippet(variant_of(snippet), "spec.toml"), "p")


def _constants(tree: ast.Module) -> dict[str, object]:
    values = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            try:
                values[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return values


def _assigned(main: ast.FunctionDef, name: str) -> ast.expr:
    """The value main() assigns to `name` (inside its try too)."""
    return next(
        n for n in ast.walk(main) if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == name
    ).value


def _sent_user(main: ast.FunctionDef) -> tuple[str, str]:
    """(prefix, parameter) of the request body's "user": `PREFIX + _user(user)`, or `_user(user)` alone."""
    body = _assigned(main, "body")
    value = body.values[[ast.literal_eval(key) for key in body.keys].index("user")]
    prefix = ""
    if isinstance(value, ast.BinOp):
        assert isinstance(value.op, ast.Add)
        prefix, value = ast.literal_eval(value.left), value.right
    assert isinstance(value, ast.Call) and value.func.id == "_user" and len(value.args) == 1
    return prefix, value.args[0].id


def _assert_no_injection(source: str) -> ast.Module:
    tree = ast.parse(source, feature_version=(3, 10))
    assert "{{inputs}}" not in source
    top = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            top.add(node.name)
        elif isinstance(node, ast.Assign):
            top.update(t.id for t in node.targets)
        elif isinstance(node, (ast.Import,)):
            top.update(a.name.split(".")[0] for a in node.names)
        else:
            raise AssertionError(f"unexpected top-level statement: {ast.dump(node)[:80]}")
    assert top <= generated_names()
    return tree


def _harmless(text: str) -> bool:
    """Text the loader accepts in an input key: no runner marker, no control character."""
    return not any(marker in text for marker in RUNNER_MARKERS) and escape_controls(text) == text


@SLOW
@given(
    keys=st.lists(TEXT.filter(lambda k: 0 < len(k) <= 100 and _harmless(k)), min_size=1, max_size=4, unique=True),
    prefix=PRINTABLE.filter(_harmless),
)
def test_input_keys_and_user_prefix_are_only_ever_string_constants(keys: list[str], prefix: str) -> None:
    inputs = {key: f"p{n}" for n, key in enumerate(keys)}
    source = _source({"template": "variables", "inputs": inputs, "user_prefix": prefix})
    tree = _assert_no_injection(source)
    main = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "main")
    assert _sent_user(main) == (prefix, "user")
    assert [ast.literal_eval(k) for k in _assigned(main, "inputs").keys] == keys
    header = source.split("\nimport ", 1)[0]
    assert all(line.startswith("#") or line == "" for line in header.splitlines())


@SLOW
@given(path=PRINTABLE.filter(lambda p: all(c not in p for c in " ?#") and p.isprintable()), port=st.integers(1, 65535))
def test_base_url_is_only_ever_a_string_constant(path: str, port: int) -> None:
    url = f"https://h.example:{port}/{path}"
    try:
        source = _source({"template": "single", "base_url": url})
    except UserError:
        return
    tree = _assert_no_injection(source)
    assert _constants(tree)["_URL"] == url.rstrip("/") + "/chat-messages"


@SLOW
@given(before=TEXT, marker=st.sampled_from(RUNNER_MARKERS), after=TEXT, where=st.sampled_from(["key", "prefix", "url"]))
def test_runner_markers_are_refused_wherever_they_would_reach_the_file(
    before: str, marker: str, after: str, where: str
) -> None:
    text = before + marker + after
    options = {
        "key": {"template": "variables", "inputs": {text: "p"}},
        "prefix": {"template": "single", "user_prefix": text},
        "url": {"template": "single", "base_url": "https://h.example/v1/" + text},
    }[where]
    with pytest.raises(UserError) as refused:
        _source(options)
    message = str(refused.value)
    assert "\n" not in message and len(message) < 600


# --- the loader never does anything but accept or refuse cleanly --------------------------

SCALARS = st.one_of(
    st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), TEXT
)
KEYS = st.one_of(st.sampled_from(SNIPPET_KEYS + ("version", "defaults", "snippets")), TEXT)
OPTION_VALUES = st.one_of(
    SCALARS,
    st.sampled_from([c for o in OPTIONS for c in o.choices]),
    st.lists(st.one_of(SCALARS, st.sampled_from(["usage", "status"])), max_size=3),
)
VALUES = st.recursive(OPTION_VALUES, lambda inner: st.dictionaries(KEYS, inner, max_size=4), max_leaves=8)


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"


ACCEPTED: list[int] = []


@settings(max_examples=300, deadline=None)  # the slow tier's: always every example
@pytest.mark.slow
@given(
    version=st.one_of(st.just(1), SCALARS),
    defaults=st.dictionaries(KEYS, VALUES, max_size=4),
    snippets=st.lists(st.dictionaries(KEYS, VALUES, max_size=6), max_size=3),
    seeded=st.booleans(),
)
def test_loader_accepts_or_refuses_cleanly(version, defaults, snippets, seeded) -> None:
    if seeded:  # half the documents start from valid snippets, so acceptance is explored too
        version = 1
        for n, snippet in enumerate(snippets):
            snippet.setdefault("name", f"s{n}")
            snippet.setdefault("template", ("single", "variables", "conversation")[n % 3])
    document = (
        f"version = {toml_value(version)}\ndefaults = {toml_value(defaults)}\nsnippets = {toml_value(snippets)}\n"
    )
    try:
        data = tomllib.loads(document)
    except tomllib.TOMLDecodeError:
        return  # not valid TOML (e.g. a duplicate key): the CLI reports that itself
    try:
        spec = parse_spec(data, "fuzz.toml", "fuzz.toml")
    except UserError as error:
        message = str(error)
        assert message.startswith("fuzz.toml: ") and "\n" not in message
        return
    ACCEPTED.append(len(spec.snippets))
    for snippet in spec.snippets:
        ast.parse(
            format_source(render_snippet(variant_of(snippet), "fuzz.toml"), snippet.name), feature_version=(3, 10)
        )


@pytest.mark.slow
def test_the_fuzzer_also_reached_valid_specs() -> None:
    """Guards the fuzz test above against only ever exploring refusals."""
    test_loader_accepts_or_refuses_cleanly()
    assert ACCEPTED, "no generated document was a valid spec"


@settings(max_examples=examples(300), deadline=None)
@given(value=TEXT)
def test_literals_use_the_quotes_black_would_choose(value: str) -> None:
    import black

    from generator.rendering.formatting import black_mode
    from generator.rendering.templating import python_literal

    line = f"x = {python_literal(value)}\n"
    assert ast.literal_eval(line[4:]) == value
    if len(line) <= 80:
        assert black.format_str(line, mode=black_mode()) == line
