"""`sync` and `check --apps`: the bound Code nodes inside exported Dify apps kept in sync, touching nothing else."""

from __future__ import annotations

import copy
import difflib
import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from support.dify_exports import VERSIONS, aged, current_document, exported, synced_defaults
from test_dsl import needs_graphon, prepared, run_on_graphon, sandbox  # noqa: F401 (sandbox: the module's dify-sandbox stand-in)

from generator.cli import cli
from generator.exports import sync
from generator.spec.load import load_spec

REPO = Path(__file__).resolve().parent.parent
SPEC = REPO / "snippets.toml"
SNIPPETS = {snippet.name: snippet for snippet in load_spec(SPEC).snippets}
KINDS = ["agent_single", "agent_conversation", "workflow_typed_inputs", "agent_http_node_conversation"]


def invoke(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="dify-codenode", catch_exceptions=False)


def bound_node_lines(text: str, node_id: str) -> range:
    """The lines of the file that hold the node with this id."""
    root = sync._compose(text, "the test file")  # libyaml where it takes the text, as sync reads it
    step = root
    for key in ("workflow", "graph", "nodes"):
        step = next(value for name, value in step.value if name.value == key)
    for item in step.value:
        if any(name.value == "id" and value.value == node_id for name, value in item.value):
            return range(item.start_mark.line, item.end_mark.line + 1)
    raise AssertionError(f"no node {node_id}")


def changed_lines(old: str, new: str) -> set[int]:
    """Lines of `old` that the change replaced or inserted at."""
    matcher = difflib.SequenceMatcher(a=old.splitlines(), b=new.splitlines(), autojunk=False)
    return {
        line for tag, a1, a2, _, _ in matcher.get_opcodes() if tag != "equal" for line in range(a1, max(a2, a1 + 1))
    }


@pytest.fixture
def app_file(tmp_path: Path):
    def write(text: str, name: str = "app.yml") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8"))
        return path

    return write


# Every DSL version once, every snippet kind with and without allow_unicode: the README's suite.
# The slow tier (-m slow) adds the rest of every version x kind pair, each version and each
# kind with and without allow_unicode.
QUICK = [(KINDS[n % 4], version, (n // 4) % 2 == 0) for n, version in enumerate(VERSIONS)]
PAIRS = [(name, version, (k + v) % 2 == 0) for k, name in enumerate(KINDS) for v, version in enumerate(VERSIONS)]
ROWS = QUICK + [
    pytest.param(*row, marks=pytest.mark.slow) for row in PAIRS if row[:2] not in [quick[:2] for quick in QUICK]
]


@pytest.mark.parametrize("name,version,allow_unicode", ROWS)
def test_sync_changes_only_the_bound_node_and_gives_what_dify_would_export(
    app_file, name: str, version: str, allow_unicode: bool
) -> None:
    current = current_document(SNIPPETS[name])
    stale = exported(aged(current, version, filler_nodes=60 if version == "0.6.0" else 0), allow_unicode=allow_unicode)
    path = app_file(stale)
    check = invoke("check", "--spec", SPEC, "--apps", path)
    assert check.exit_code == 1 and check.stdout.startswith(f"--- {path.as_posix()}\n")
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 0, result.stderr
    synced = path.read_text(encoding="utf-8")
    node_lines = bound_node_lines(stale, "code")
    assert changed_lines(stale, synced) <= set(node_lines)  # nothing outside the bound node moved
    expected = aged(current, version, filler_nodes=60 if version == "0.6.0" else 0)
    node = next(n for n in expected["workflow"]["graph"]["nodes"] if n["id"] == "code")
    fresh = current_node(current)  # the input the stale node lacked is wired as the app makes clear
    node["data"].update(code=fresh["code"], outputs=fresh["outputs"], variables=fresh["variables"])
    if node["data"].get("error_strategy") == "default-value":  # entries for exactly the new outputs, none boolean
        node["data"]["default_value"] = synced_defaults(fresh["outputs"])
        assert all(entry["type"] != "boolean" for entry in node["data"]["default_value"])
    assert synced == exported(expected, allow_unicode=allow_unicode)  # byte for byte what Dify would write
    assert ("\\u" in synced) is (not allow_unicode) and ("✓" in synced) is allow_unicode
    js = next(n for n in yaml.safe_load(synced)["workflow"]["graph"]["nodes"] if n["id"] == "javascript")
    assert js["data"]["code"].startswith("function main")  # an unbound node is never touched
    mtime = path.stat().st_mtime_ns
    again = invoke("sync", "--spec", SPEC, path)
    assert again.exit_code == 0 and path.stat().st_mtime_ns == mtime  # in sync: not rewritten at all
    assert invoke("check", "--spec", SPEC, "--apps", path).exit_code == 0


def current_node(document: dict) -> dict:
    return next(n for n in document["workflow"]["graph"]["nodes"] if n["id"] == "code")["data"]


def test_wired_inputs_keep_their_selectors_and_new_ones_are_wired_or_named(app_file) -> None:
    document = aged(current_document(SNIPPETS["agent_single"]), "0.1.5")
    data = current_node(document)
    data["variables"][0]["value_selector"] = ["env", "MY_OWN_KEY"]  # the user's wiring
    path = app_file(exported(document))
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 0 and "note:" not in result.stderr
    variables = current_node(yaml.safe_load(path.read_text()))["variables"]
    assert variables[0] == {"value_selector": ["env", "MY_OWN_KEY"], "variable": "api_key"}
    assert variables[-1] == {"value_selector": ["sys", "user_id"], "variable": "user"}  # plain to see: wired
    document = aged(current_document(SNIPPETS["workflow_typed_inputs"]), "0.1.5")
    start = next(n for n in document["workflow"]["graph"]["nodes"] if n["id"] == "start")
    start["data"]["variables"] = [v for v in start["data"]["variables"] if v["variable"] != "style"]
    path = app_file(exported(document), "typed.yml")
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 0 and "node code: map its new input style in Dify" in result.stderr
    assert current_node(yaml.safe_load(path.read_text()))["variables"][-1] == {
        "value_selector": [],
        "variable": "style",
    }


def edited(edit: str, document: dict) -> str:
    """The stale app as a user might have edited it (or exported it as JSON)."""
    text = exported(document)
    if edit == "comments":
        text = "# exported by Jo, reviewed 2026-11-01\n" + text.replace("kind: app\n", "kind: app  # do not change\n")
    elif edit == "four-space indent":
        text = yaml.dump(document, allow_unicode=True, indent=4)
    elif edit == "literal block code":

        class Literal(yaml.SafeDumper):
            pass

        Literal.add_representer(
            str, lambda d, s: d.represent_scalar("tag:yaml.org,2002:str", s, style="|" if "\n" in s else None)
        )
        text = yaml.dump(document, Dumper=Literal, allow_unicode=True)
    elif edit == "crlf":
        text = text.replace("\n", "\r\n")
    elif edit == "bom":
        text = "\ufeff" + text
    elif edit == "flow style variables":
        text = yaml.dump(document, allow_unicode=True, default_flow_style=None)
    elif edit == "flow style nodes":  # the graph's nodes as one flow list, {...} inside [...]
        nodes = document["workflow"]["graph"]["nodes"]
        placeholder = copy.deepcopy(document)
        placeholder["workflow"]["graph"]["nodes"] = "NODES"
        text = exported(placeholder).replace("nodes: NODES", "nodes: " + json.dumps(nodes, ensure_ascii=False), 1)
        assert yaml.safe_load(text) == document
    elif edit == "one-line json":  # Dify imports JSON too (it is YAML)
        text = json.dumps(document)
    elif edit == "one-line json, unicode":
        text = json.dumps(document, ensure_ascii=False)
    return text


EDITS = [
    "comments",
    "four-space indent",
    "literal block code",
    "crlf",
    "bom",
    "flow style variables",
    "flow style nodes",
    "one-line json",
    "one-line json, unicode",
]


@pytest.mark.parametrize(
    "edit",
    EDITS,
)
def test_hand_edited_files_keep_every_edit(app_file, edit: str) -> None:
    text = edited(edit, aged(current_document(SNIPPETS["agent_single"]), "0.1.5"))
    path = app_file(text)
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 0, result.stderr
    synced = path.read_bytes().decode("utf-8")
    # (JSON: PyYAML reads the icon's surrogate-pair escape as two characters; the node is the same)
    data = current_node((json.loads if edit.startswith("one-line json") else yaml.safe_load)(synced.lstrip("\ufeff")))
    fresh = current_node(current_document(SNIPPETS["agent_single"]))
    assert data["code"] == fresh["code"] and data["outputs"] == fresh["outputs"]
    assert changed_lines(text, synced) <= set(bound_node_lines(text.lstrip("\ufeff"), "code"))
    if edit == "comments":
        assert synced.startswith("# exported by Jo") and "kind: app  # do not change" in synced
    if edit == "literal block code":
        assert "code: |" in synced
    if edit == "crlf":
        assert "\n" not in synced.replace("\r\n", "")
    if edit == "bom":
        assert synced.startswith("\ufeff")
    if edit.startswith("one-line json"):
        assert synced.count("\n") == 0 and synced.isascii() == (edit == "one-line json")
    assert invoke("check", "--spec", SPEC, "--apps", path).exit_code == 0


@pytest.mark.slow  # PyYAML's pure-Python loader on every layout; the README's command compares the trees below
@pytest.mark.skipif(sync.LOADER is yaml.SafeLoader, reason="PyYAML without libyaml")
def test_libyaml_and_pyyaml_sync_every_layout_to_the_same_bytes(app_file, monkeypatch) -> None:
    """libyaml only makes loading faster: each layout syncs to the same bytes with PyYAML's own loader."""
    document = aged(current_document(SNIPPETS["agent_single"]), "0.1.5")
    for edit in EDITS:
        results = []
        for loader in (sync.LOADER, yaml.SafeLoader):
            monkeypatch.setattr(sync, "LOADER", loader)
            path = app_file(edited(edit, document))
            assert invoke("sync", "--spec", SPEC, path).exit_code == 0
            results.append(path.read_bytes())
        assert results[0] == results[1], edit


@pytest.mark.skipif(sync.LOADER is yaml.SafeLoader, reason="PyYAML without libyaml")
def test_the_memoised_loader_composes_libyamls_tree_tag_for_tag() -> None:
    """Tags resolved once per scalar text and style are the tags CSafeLoader gives each node."""
    scalars = ["1", "1.5", "0x1f", "true", "True", "yes", "no", "null", "~", "", "2026-12-03", ".inf", "abc", "-"]
    text = "app:\n  mode: workflow\nitems:\n" + "".join(
        f"  - {{plain: {value or '~'}, quoted: '{value}', repeat: {value or '~'}}}\n" for value in scalars * 3
    )
    text += "block: |\n  1\nkeys: {1: a, true: b, null: c}\n"

    def walk(node):  # noqa: ANN001, ANN202
        if isinstance(node, yaml.ScalarNode):
            return (node.tag, node.value, node.style or "")  # PyYAML says None where libyaml says ""
        items = node.value if isinstance(node, yaml.SequenceNode) else [item for pair in node.value for item in pair]
        return (node.tag, [walk(item) for item in items])

    assert sync.LOADER is not yaml.CSafeLoader
    assert walk(yaml.compose(text, Loader=sync.LOADER)) == walk(yaml.compose(text, Loader=yaml.CSafeLoader))
    assert walk(yaml.compose(text, Loader=sync.LOADER)) == walk(yaml.compose(text, Loader=yaml.SafeLoader))


APP = "app:\n  mode: workflow\n  name: hostile\n"  # what every export has at its top


@pytest.mark.parametrize(
    "text,message",
    [
        ("{{ not yaml", "; fix the YAML or export the app again"),  # FILE:LINE:COL: reason
        ("just: data\n", "not an exported Dify app (no top-level app: mapping)"),
        ("- a\n- b\n", "the top level isn't a mapping"),
        (APP + "workflow:\n  graph:\n    nodes: 3\n", "workflow.graph.nodes is not a list"),
        (APP + "workflow:\n  graph:\n    nodes: [3]\n", "a node in workflow.graph.nodes is not a mapping"),
        (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"b{n}: &b{n} [*{'a' if n == 0 else f'b{n - 1}'}, *{'a' if n == 0 else f'b{n - 1}'}]\n"
                for n in range(60)
            ),
            "(a YAML bomb?)",
        ),
        (APP + "workflow:\n  graph:\n    nodes:\n    - id: '1'\n    - id: '1'\n", "two nodes have the id '1'"),
        ("x: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deeply"),
        (
            APP
            + "workflow:\n  graph:\n    nodes:\n    - id: a\n      data:\n        type: code\n        outputs: [1]\n   "
            "     variables: 3\n"
            '        code: "# @generated by dify-codenode from x, snippet \\"agent_single\\".\\n"\n',
            "its outputs aren't a mapping",
        ),
        (
            APP + "workflow:\n  graph:\n    nodes:\n    - id: a\n      data:\n        type: code\n        outputs: "
            "!!python/object:os.system {}\n"
            '        code: "# @generated by dify-codenode from x, snippet \\"agent_single\\".\\n"\n',
            "isn't a Code node Dify exported",
        ),
        (
            APP + "workflow:\n  graph:\n    nodes:\n    - id: a\n      data:\n        type: code\n"
            "        code: '# @generated by dify-codenode from x, snippet \"agent\\x\".'\n",
            "its first line names the snippet as '\"agent\\\\x\"', which is no valid string",
        ),
        (  # only a warning in Python ("\q"), refused all the same
            APP + "workflow:\n  graph:\n    nodes:\n    - id: a\n      data:\n        type: code\n"
            "        code: '# @generated by dify-codenode from x, snippet \"agent\\q\".'\n",
            "which is no valid string",
        ),
        (
            APP + "workflow:\n  graph:\n    nodes:\n    - id: a\n      data:\n        type: code\n"
            "        ? [a, b]\n        : 1\n"
            '        code: "# @generated by dify-codenode from x, snippet \\"agent_single\\".\\n"\n',
            "has a key that is not text",
        ),
        (  # beside the bound node
            APP + "workflow:\n  graph:\n    nodes:\n    - id: a\n      ? {x: 1}\n      : 1\n      data:\n"
            "        type: code\n        outputs: {}\n        variables: []\n"
            '        code: "# @generated by dify-codenode from x, snippet \\"agent_single\\".\\n"\n',
            "found unhashable key",
        ),
        (  # 80 aliases, under the alias limit, that expand to 2^40 nodes
            APP
            + "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"b{n}: &b{n} [*{'a' if n == 0 else f'b{n - 1}'}, *{'a' if n == 0 else f'b{n - 1}'}]\n"
                for n in range(40)
            ),
            "its YAML aliases expand to more than 2,000,000 nodes",
        ),
        (APP + "loop: &a [*a]\n", "a YAML alias refers to a node that holds it"),
        (
            APP
            + "deep: &a [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n"
            + "again: [*a, *a]\n"
            + "more: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
            "aliases included",
        ),
    ],
)
def test_hostile_app_files_are_refused_in_one_line(app_file, text: str, message: str) -> None:
    path = app_file(text)
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert path.read_text() == text
    assert invoke("check", "--spec", SPEC, "--apps", path).exit_code == 2


def test_a_node_bound_to_an_unknown_snippet_names_the_node_and_the_file(app_file) -> None:
    document = aged(current_document(SNIPPETS["agent_single"]), "0.1.5")
    current_node(document)["code"] = current_node(document)["code"].replace(
        'snippet "agent_single"', 'snippet "gone"', 1
    )
    path = app_file(exported(document))
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 2
    assert (
        f"{path}: node 'code' ('Ask the agent ✓ 问'): is bound to snippet 'gone', which the spec doesn't have"
        in result.stderr
    )


def test_a_javascript_node_with_the_binding_is_refused(app_file) -> None:
    document = aged(current_document(SNIPPETS["agent_single"]), "0.1.5")
    current_node(document)["code_language"] = "javascript"
    path = app_file(exported(document))
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 2 and "but is a javascript node" in result.stderr


def test_several_files_are_written_all_or_nothing(app_file) -> None:
    good = app_file(exported(aged(current_document(SNIPPETS["agent_single"]), "0.1.5")), "good.yml")
    bad = app_file("{{ not yaml", "bad.yml")
    before = good.read_bytes()
    assert invoke("sync", "--spec", SPEC, good, bad).exit_code == 2
    assert good.read_bytes() == before


def test_the_specs_apps_are_synced_and_checked(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "apps").mkdir()
    (tmp_path / "snippets.toml").write_text('apps = ["apps/*.yml"]\n' + SPEC.read_text())
    stale = exported(aged(current_document(SNIPPETS["agent_single"]), "0.1.5"))
    (tmp_path / "apps" / "caller.yml").write_text(stale)
    monkeypatch.chdir(tmp_path)
    assert invoke("generate").exit_code == 0
    check = invoke("check")
    assert check.exit_code == 1 and "would sync apps/caller.yml" in check.stderr  # output/ is fresh, the app isn't
    assert invoke("sync").exit_code == 0
    assert invoke("check").exit_code == 0
    (tmp_path / "snippets.toml").write_text('apps = ["nothing/*.yml"]\n' + SPEC.read_text())
    missing = invoke("sync")
    assert missing.exit_code == 2 and "'nothing/*.yml' matches no file" in missing.stderr


@needs_graphon
@pytest.mark.parametrize(
    "name",
    [
        "agent_single",
        *(
            pytest.param(name, marks=pytest.mark.slow)
            for name in ("agent_conversation", "agent_http_node_conversation")
        ),
    ],
)
def test_a_synced_app_runs_on_graphon(app_file, dify, sandbox, name: str) -> None:  # noqa: F811
    from support.snippets import add_app

    path = app_file(exported(aged(current_document(SNIPPETS[name]), "0.1.5", javascript=False)))
    assert invoke("sync", "--spec", SPEC, path).exit_code == 0  # as synced: no wiring by hand
    callee = add_app(dify, "agent-1.16", answer="synced ✓")
    result = run_on_graphon(prepared(path, dify, callee.key), sandbox, {"query": "hi"})
    assert result["status"] == "succeeded", result
    assert "synced ✓" in str(result["outputs"])


def test_values_shared_through_yaml_anchors_are_refused_not_broken(app_file) -> None:
    document = aged(current_document(SNIPPETS["agent_single"]), "0.1.5")
    shared = current_node(document)["outputs"]
    document["workflow"]["graph"]["nodes"][0]["data"]["copied_outputs"] = shared  # PyYAML writes &id001 / *id001
    text = yaml.dump(document, allow_unicode=True)
    assert "&id001" in text
    path = app_file(text)
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 2 and "share YAML anchors" in result.stderr and path.read_text() == text


@pytest.mark.parametrize("with_graph", [True, False])
def test_a_new_agent_app_of_dsl_070_syncs_byte_exactly(app_file, with_graph: bool) -> None:
    """Dify 1.16+ exports a New Agent app as app.mode agent with top-level agent and
    agent_packages: a bound Code node in its graph syncs like any other, and an export
    without a graph has nothing to sync and is left alone."""
    current = current_document(SNIPPETS["agent_single"])
    document = aged(current, "0.7.0")
    document["app"]["mode"] = "agent"
    if not with_graph:
        del document["workflow"]
    stale = exported(document)
    path = app_file(stale)
    result = invoke("sync", "--spec", SPEC, path)
    assert result.exit_code == 0, result.stderr
    synced = path.read_text(encoding="utf-8")
    if not with_graph:
        assert synced == stale
        return
    fresh = current_node(current)
    node = current_node(document)
    node.update(
        code=fresh["code"],
        outputs=fresh["outputs"],
        variables=fresh["variables"],
        default_value=synced_defaults(fresh["outputs"]),
    )
    assert synced == exported(document)
    assert invoke("check", "--spec", SPEC, "--apps", path).exit_code == 0
