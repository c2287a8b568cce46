"""`add` (a spec entry from a live app's /info and /parameters) and `check --against-apps` (drift), on the emulator."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support.snippets import add_app, render_code, run_snippet

from generator.cli import cli
from generator.emulator.forms import Variable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EVERY_TYPE = [
    Variable("query", "paragraph"),
    Variable("topic", "text-input", max_length=40),
    Variable("notes", "paragraph", required=False),
    Variable("lang", "select", options=["en", "de"]),
    Variable("depth", "number", required=False, default=2),
    Variable("strict", "checkbox", required=False),
    Variable("config", "json_object", required=False),
    Variable("doc", "file", required=False),
    Variable("pics", "file-list", required=False, max_length=3),
    Variable("crm", "external_data_tool", required=False),
    Variable("class", "text-input", required=False),
]
SPEC = (
    '# the team\'s spec\nversion = 1  # never 2\n\n[defaults]\nbase_url = "{url}"  # our Dify\n\n'
    '[[snippets]]  # the first\nname = "first"\ntemplate = "single"\n'
)


def invoke(*args: str, key: str | None = None, monkeypatch: pytest.MonkeyPatch, variable: str = "DIFY_APP_API_KEY"):
    if key is None:
        monkeypatch.delenv(variable, raising=False)
    else:
        monkeypatch.setenv(variable, key)
    return CliRunner().invoke(cli, list(args), prog_name="dify-codenode", catch_exceptions=False)


@pytest.fixture
def project(tmp_path: Path, dify, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "snippets.toml").write_text(SPEC.format(url=dify.base_url))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def entries(project: Path) -> list[dict]:
    return tomllib.loads((project / "snippets.toml").read_text())["snippets"]


@pytest.mark.parametrize(
    "mode,kind",
    [
        ("agent", "agent"),
        ("agent-1.16", "agent"),
        ("chat", "chat"),
        ("chatflow", "chatflow"),
        ("completion", "completion"),
        ("workflow", "workflow"),
    ],
)
def test_add_reads_the_kind_and_every_input_and_keeps_the_spec_as_written(
    project: Path, dify, monkeypatch, mode: str, kind: str
) -> None:
    app = add_app(dify, mode, form=EVERY_TYPE, name="Researcher ✓")
    result = invoke("add", "research", "--template", "variables", key=app.key, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stderr
    text = (project / "snippets.toml").read_text()
    assert text.startswith(SPEC.format(url=dify.base_url))  # comments and layout kept, the entry appended
    assert app.key not in text + result.stdout + result.stderr
    entry = entries(project)[1]
    assert entry["app"] == kind and entry["template"] == "variables" and entry["verify_key_env"] == "DIFY_APP_API_KEY"
    inputs = entry["inputs"]
    assert "crm" not in inputs and "filled by the app itself" in result.stderr
    assert inputs["topic"] == {"param": "topic", "type": "text-input", "max_length": 40}
    assert inputs["lang"] == {"param": "lang", "type": "select", "options": ["en", "de"]}
    assert inputs["depth"] == {"param": "depth", "type": "number", "required": False}
    assert inputs["pics"] == {"param": "pics", "type": "file-list", "required": False, "max_length": 3}
    assert inputs["class"]["param"] == "class_"  # a keyword can't be a parameter
    if kind in ("completion", "workflow"):
        assert "query" not in inputs and "query_input" not in entry  # the form's query takes main()'s query
    else:
        assert inputs["query"]["param"] == "query_"  # a chat app's form input named query is just an input
    assert invoke("generate", monkeypatch=monkeypatch, key=None).exit_code == 0
    assert invoke("check", "--against-apps", key=app.key, monkeypatch=monkeypatch).exit_code == 0


def test_the_added_snippet_runs_against_the_app_with_right_and_wrong_values(project: Path, dify, monkeypatch) -> None:
    app = add_app(dify, "workflow", form=EVERY_TYPE)
    assert invoke("add", "research", "--template", "variables", key=app.key, monkeypatch=monkeypatch).exit_code == 0
    entry = entries(project)[1]
    code = render_code(**{**entry, "base_url": dify.base_url})
    good = run_snippet(dify, app, code, topic="a topic", lang="de", depth="4", class_="c")
    assert good.ok, good.error
    sent = [r for r in dify.requests if r["key"] == app.key][-1]
    assert sent["prepared_inputs"]["lang"] == "de" and sent["prepared_inputs"]["depth"] == 4
    bad = run_snippet(dify, app, code, topic="a topic", lang="fr")
    assert not bad.ok and "input lang is 'fr'; the called app takes one of: en, de" in bad.error


def test_a_form_without_query_gives_a_main_without_query(project: Path, dify, monkeypatch) -> None:
    app = add_app(dify, "completion", form=[Variable("text", "paragraph")])
    result = invoke("add", "summarise", "--template", "variables", "--dry-run", key=app.key, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stderr
    entry = tomllib.loads(result.stdout)["snippets"][0]
    assert entry["query_input"] == "" and entry["inputs"] == {"text": {"param": "text", "type": "paragraph"}}
    assert "main() takes no query" in result.stderr
    assert (project / "snippets.toml").read_text() == SPEC.format(url=dify.base_url)  # --dry-run writes nothing


def test_add_into_pyproject_keeps_the_rest_of_it(tmp_path: Path, dify, monkeypatch) -> None:
    pyproject = (
        '[project]\nname = "mine"  # ours\n\n[tool.black]\nline-length = 100\n\n[tool.dify-codenode]\nversion = 1\n\n'
        f'[tool.dify-codenode.defaults]\nbase_url = "{dify.base_url}"\n'
    )
    (tmp_path / "pyproject.toml").write_text(pyproject)
    monkeypatch.chdir(tmp_path)
    app = add_app(dify, "chat", form=[Variable("lang", "select", options=["en"])])
    result = invoke("add", "ask", "--template", "conversation", key=app.key, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stderr
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(pyproject)
    table = tomllib.loads(text)["tool"]["dify-codenode"]
    assert table["snippets"][0]["name"] == "ask" and table["snippets"][0]["app"] == "chat"
    assert invoke("generate", monkeypatch=monkeypatch).exit_code == 0 and (tmp_path / "output" / "ask.py").exists()


@pytest.mark.parametrize(
    "setup,args,message",
    [
        (lambda app: None, ["--template", "variables"], "the environment variable DIFY_APP_API_KEY is not set"),
        (
            lambda app: None,
            ["--template", "variables", "--key-env", "MY_KEY"],
            "the environment variable MY_KEY is not set",
        ),
        (
            lambda app: "app-not-this-one",
            ["--template", "variables"],
            "HTTP 401 unauthorized: Access token is invalid; the key was refused",
        ),
        (lambda app: None, ["--template", "variables", "--base-url", "http://127.0.0.1:9/v1"], "can't be reached"),
        (
            lambda app: app.describe_answers.update({"/v1/info": (200, b"<html>hi</html>", "text/html")}),
            ["--template", "variables"],
            "the answer is not JSON (text/html); is this a Dify Service API",
        ),
        (
            lambda app: app.describe_answers.update({"/v1/parameters": (200, b"[1, 2]", "application/json")}),
            ["--template", "variables"],
            "the answer is JSON but not an object",
        ),
        (
            lambda app: app.describe_answers.update(
                {"/v1/parameters": (200, b'{"user_input_form": {"a": 1}}', "application/json")}
            ),
            ["--template", "variables"],
            "user_input_form is dict, not a list",
        ),
        (
            lambda app: app.describe_answers.update(
                {"/v1/parameters": (200, b'{"user_input_form": [{"text-input": {"label": "x"}}]}', "application/json")}
            ),
            ["--template", "variables"],
            "user_input_form[0] has no variable name",
        ),
        (
            lambda app: app.describe_answers.update(
                {"/v1/parameters": (200, b'{"user_input_form": ["x"]}', "application/json")}
            ),
            ["--template", "variables"],
            "user_input_form[0] is not a {type: {variable, ...}} object",
        ),
        (
            lambda app: app.describe_answers.update({"/v1/info": (200, b'{"name": "old"}', "application/json")}),
            ["--template", "variables"],
            "this Dify doesn't say the app's kind (no mode in /info); pass --app",
        ),
        (
            lambda app: app.describe_answers.update(
                {"/v1/info": (200, b'{"name": "x", "mode": "rag-pipeline"}', "application/json")}
            ),
            ["--template", "variables"],
            "the app's mode 'rag-pipeline' is one dify-codenode doesn't know",
        ),
        (
            lambda app: app.describe_answers.update({"/v1/info": (500, b"oops", "text/plain")}),
            ["--template", "variables"],
            "HTTP 500",
        ),
        (
            lambda app: setattr(app, "form", [Variable(f"v{n}") for n in range(600)]),
            ["--template", "variables"],
            "the app's form has 600 inputs",
        ),
        (
            lambda app: setattr(app, "form", [Variable("a"), Variable("a")]),
            ["--template", "variables"],
            "the form names input 'a' twice",
        ),
        (lambda app: None, ["--template", "conversation"], "has no conversations; use --template single or variables"),
        (lambda app: None, ["--template", "single"], "the app requires input 'topic'; use --template variables"),
        (
            lambda app: None,
            ["--template", "variables", "--base-url", "ftp://x/v1"],
            "must be an http:// or https:// URL",
        ),
    ],
)
def test_add_refuses_in_one_line_and_leaves_the_spec_alone(
    project: Path, dify, monkeypatch, setup, args: list[str], message: str
) -> None:
    app = add_app(dify, "workflow", form=[Variable("topic", "paragraph")])
    key = setup(app) or app.key  # a setup may answer with another key to send
    needs_key = "is not set" not in message
    result = invoke("add", "research", *args, key=key if needs_key else None, monkeypatch=monkeypatch)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and message in result.stderr and key not in result.stderr, result.stderr
    assert (project / "snippets.toml").read_text() == SPEC.format(url=dify.base_url)


def test_an_old_dify_without_mode_works_with_app_given(project: Path, dify, monkeypatch) -> None:
    app = add_app(
        dify,
        "chat",
        form=[],
        describe_answers={"/v1/info": (200, b'{"name": "old", "description": ""}', "application/json")},
    )
    result = invoke("add", "old", "--template", "single", "--app", "chat", key=app.key, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stderr
    assert entries(project)[1] == {
        "name": "old",
        "template": "single",
        "app": "chat",
        "verify_key_env": "DIFY_APP_API_KEY",
    }


def test_a_silent_server_times_out_in_one_line(project: Path, dify, monkeypatch) -> None:
    import generator.callee.api

    monkeypatch.setattr(generator.callee.api, "TIMEOUT_SECONDS", 0.3)
    app = add_app(dify, "chat", describe_delay=1.0)
    result = invoke("add", "slow", "--template", "single", key=app.key, monkeypatch=monkeypatch)
    assert result.exit_code == 2 and "can't be reached (timed out)" in result.stderr and result.stderr.count("\n") == 1


# --- check --against-apps --------------------------------------------------------------------


@pytest.fixture
def added(project: Path, dify, monkeypatch):
    app = add_app(
        dify,
        "workflow",
        form=[
            Variable("query", "paragraph"),
            Variable("lang", "select", options=["en", "de"]),
            Variable("depth", "number", required=False),
            Variable("title", "text-input", max_length=20),
        ],
    )
    assert invoke("add", "research", "--template", "variables", key=app.key, monkeypatch=monkeypatch).exit_code == 0
    return app


@pytest.mark.parametrize(
    "change,difference",
    [
        (lambda app: setattr(app, "mode", "completion"), "the app is a completion app; the spec says app = 'workflow'"),
        (
            lambda app: app.form.append(Variable("audience", "paragraph")),
            "the app requires input 'audience' (paragraph), which the spec doesn't send",
        ),
        (
            lambda app: app.form.pop(1),
            "the spec sends input 'lang', which the app's form no longer has: Dify drops it silently",
        ),
        (
            lambda app: setattr(app.form[2], "type", "paragraph"),
            "input 'depth' is paragraph in the app, number in the spec",
        ),
        (
            lambda app: setattr(app.form[1], "options", ["en", "de", "fr"]),
            "input 'lang' options are en, de, fr in the app, en, de in the spec",
        ),
        (
            lambda app: setattr(app.form[2], "required", True),
            "the app now requires input 'depth'; the spec has it optional",
        ),
        (
            lambda app: setattr(app.form[1], "required", False),
            "input 'lang' is optional in the app now; the spec requires it",
        ),
        (
            lambda app: setattr(app.form[3], "max_length", 10),
            "input 'title' max_length is 10 in the app, 20 in the spec",
        ),
        (lambda app: app.form.pop(0), "the app has no input 'query': main()'s query would be dropped (query_input)"),
    ],
)
def test_each_kind_of_drift_is_one_line_and_exit_1(
    project: Path, dify, monkeypatch, added, change, difference: str
) -> None:
    assert invoke("check", "--against-apps", key=added.key, monkeypatch=monkeypatch).exit_code == 0
    change(added)
    result = invoke("check", "--against-apps", key=added.key, monkeypatch=monkeypatch)
    assert result.exit_code == 1, result.stderr
    assert result.stdout == f"snippets.toml: snippet research: {difference}\n"
    assert "1 difference" in result.stderr and added.key not in result.stdout + result.stderr


def test_check_against_apps_errors_exit_2(project: Path, dify, monkeypatch, added) -> None:
    unset = invoke("check", "--against-apps", key=None, monkeypatch=monkeypatch)
    assert (
        unset.exit_code == 2
        and "snippet research: the environment variable DIFY_APP_API_KEY is not set" in unset.stderr
    )
    refused = invoke("check", "--against-apps", key="app-wrong", monkeypatch=monkeypatch)
    assert refused.exit_code == 2 and "snippet research: " in refused.stderr and "HTTP 401" in refused.stderr
    (project / "snippets.toml").write_text(SPEC.format(url=dify.base_url))
    nothing = invoke("check", "--against-apps", key=added.key, monkeypatch=monkeypatch)
    assert nothing.exit_code == 2 and "no snippet sets verify_key_env" in nothing.stderr


def test_an_app_that_takes_files_gets_them_forwarded_and_drift_says_when_it_stops(
    project: Path, dify, monkeypatch
) -> None:
    app = add_app(
        dify, "chatflow", form=[], file_upload={"enabled": True, "allowed_file_types": ["image"], "number_limits": 3}
    )
    result = invoke("add", "look", "--template", "single", key=app.key, monkeypatch=monkeypatch)
    assert result.exit_code == 0 and "the app takes files" in result.stderr
    assert entries(project)[1]["forward_files"] is True
    assert invoke("check", "--against-apps", key=app.key, monkeypatch=monkeypatch).exit_code == 0
    app.file_upload = {"image": {"enabled": False, "number_limits": 3, "transfer_methods": ["remote_url"]}}
    result = invoke("check", "--against-apps", key=app.key, monkeypatch=monkeypatch)
    assert result.exit_code == 1 and "the app's file upload is off" in result.stdout


def test_verify_base_url_is_where_ci_reaches_the_app(project: Path, dify, monkeypatch) -> None:
    app = add_app(dify, "chat", form=[])
    (project / "snippets.toml").write_text(
        'version = 1\n[[snippets]]\nname = "a"\ntemplate = "single"\napp = "chat"\nbase_url = "http://api:5001/v1"\n'
        f'verify_key_env = "CHAT_KEY"\nverify_base_url = "{dify.base_url}"\n'
    )
    result = invoke("check", "--against-apps", key=app.key, variable="CHAT_KEY", monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stderr
    assert "1 snippet checked against its app: in sync" in result.stderr


def test_unknown_types_and_a_missing_form_are_taken_in_stride(project: Path, dify, monkeypatch) -> None:
    answer = (
        b'{"user_input_form": [{"rating-stars": {"variable": "stars", "required": true}}, '
        b'{"text-input": {"variable": "name"}}]}'
    )
    app = add_app(dify, "chat", describe_answers={"/v1/parameters": (200, answer, "application/json")})
    result = invoke("add", "odd", "--template", "variables", "--dry-run", key=app.key, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.stderr
    assert "input 'stars' has type 'rating-stars', which dify-codenode doesn't know; sent as given" in result.stderr
    entry = tomllib.loads(result.stdout)["snippets"][0]
    assert entry["inputs"] == {"stars": "stars", "name": {"param": "name", "type": "text-input", "required": False}}
    bare = add_app(dify, "chat", describe_answers={"/v1/parameters": (200, b"{}", "application/json")})
    result = invoke("add", "bare", "--template", "single", "--dry-run", key=bare.key, monkeypatch=monkeypatch)
    assert (
        result.exit_code == 2 and "has no user_input_form" in result.stderr and result.stdout == ""
    )  # not an app of 0 inputs
    empty = add_app(
        dify, "chat", describe_answers={"/v1/parameters": (200, b'{"user_input_form": []}', "application/json")}
    )
    result = invoke("add", "empty", "--template", "single", "--dry-run", key=empty.key, monkeypatch=monkeypatch)
    assert result.exit_code == 0 and "inputs" not in tomllib.loads(result.stdout)["snippets"][0]


def test_add_to_a_pyproject_without_the_table_starts_one(tmp_path: Path, dify, monkeypatch) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "mine"\n')
    monkeypatch.chdir(tmp_path)
    app = add_app(dify, "chat", form=[])
    result = invoke(
        "add",
        "ask",
        "--template",
        "single",
        "--spec",
        "pyproject.toml",
        "--base-url",
        dify.base_url,
        key=app.key,
        monkeypatch=monkeypatch,
    )
    assert result.exit_code == 0, result.stderr
    table = tomllib.loads((tmp_path / "pyproject.toml").read_text())["tool"]["dify-codenode"]
    assert table["version"] == 1 and table["snippets"][0]["base_url"] == dify.base_url
