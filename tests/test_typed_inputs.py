"""Typed inputs end to end: each Dify input type taken, checked and forwarded the way the called
app's form accepts it, against an emulated app that validates its inputs as Dify does."""

from __future__ import annotations

import json

import pytest
from support.input_samples import LOCAL_FILE, REMOTE_FILE, TOOL_FILE
from support.snippets import add_app, parameters, render_code, run_snippet

from generator.emulator.forms import Variable

# A form with one input of every type, and the spec table that describes it.
FORM = [
    Variable("topic", "paragraph"),
    Variable("lang", "select", options=["en", "de"]),
    Variable("title", "text-input", max_length=10),
    Variable("depth", "number", required=False, default=3),
    Variable("strict", "checkbox", required=False),
    Variable("config", "json_object", required=False),
    Variable("doc", "file", required=False),
    Variable("pics", "file-list", required=False, max_length=2),
]
INPUTS = {
    "lang": {"param": "language", "type": "select", "options": ["en", "de"]},
    "title": {"param": "title", "type": "text-input", "max_length": 10},
    "depth": {"param": "depth", "type": "number", "required": False},
    "strict": {"param": "strict", "type": "checkbox", "required": False},
    "config": {"param": "config", "type": "json_object", "required": False},
    "doc": {"param": "doc", "type": "file", "required": False},
    "pics": {"param": "pics", "type": "file-list", "required": False, "max_length": 2},
}
SIGNED_ONLY = {
    **LOCAL_FILE,
    "transfer_method": "local_file",
    "related_id": None,
    "reference": None,
    "url": "https://dify.example/files/x?sign=1",
}


@pytest.fixture(params=["raise", "output"])
def errors(request) -> str:
    return request.param


def code_for(errors: str, **extra) -> str:
    return render_code(template="variables", app="workflow", query_input="topic", inputs=INPUTS, errors=errors, **extra)


def sent(dify, app) -> list[dict]:
    return [r for r in dify.requests if r["key"] == app.key]


def test_right_values_reach_the_app_as_its_form_takes_them(dify, errors: str) -> None:
    app = add_app(dify, "workflow", form=FORM)
    code = code_for(errors)
    run = run_snippet(
        dify,
        app,
        code,
        query="What now?",
        language="de",
        title="short",
        depth="2.5",
        strict="yes",
        config='{"k": [1]}',
        doc=LOCAL_FILE,
        pics=[REMOTE_FILE, TOOL_FILE],
    )
    assert run.ok, run.error
    (request,) = sent(dify, app)
    assert request["body"]["inputs"] == {
        "topic": "What now?",
        "lang": "de",
        "title": "short",
        "depth": 2.5,
        "strict": True,
        "config": {"k": [1]},
        "doc": {"type": "document", "transfer_method": "local_file", "upload_file_id": LOCAL_FILE["related_id"]},
        "pics": [
            {"type": "image", "transfer_method": "remote_url", "url": "https://example.com/a.png"},
            {"type": "document", "transfer_method": "tool_file", "tool_file_id": "7c1d"},
        ],
    }
    assert request["prepared_inputs"]["depth"] == 2.5 and request["prepared_inputs"]["strict"] is True


def test_optional_inputs_left_unmapped_are_not_sent_and_the_app_uses_its_default(dify) -> None:
    app = add_app(dify, "workflow", form=FORM)
    code = code_for("raise")
    run = run_snippet(
        dify, app, code, language="en", title="t", depth=None, strict=None, config=None, doc=None, pics=None
    )
    assert run.ok, run.error
    (request,) = sent(dify, app)
    assert set(request["body"]["inputs"]) == {"topic", "lang", "title"}
    assert request["prepared_inputs"]["depth"] == 3  # the form's default
    empty = run_snippet(dify, app, code, language="en", title="t", depth="", strict="", config="", doc="", pics="")
    assert empty.ok, empty.error


@pytest.mark.parametrize(
    "values,message",
    [
        ({"language": "fr"}, "input language is 'fr'; the called app takes one of: en, de"),
        ({"language": ""}, "input language is required by the called app; map a variable to it"),
        ({"language": None}, "input language is required by the called app; map a variable to it"),
        ({"title": "far too long a title"}, "input title is 20 characters; the called app takes 10 at most"),
        ({"title": 42}, "input title must be text, not int"),
        ({"depth": "deep"}, "input depth must be a number, not 'deep'"),
        ({"depth": True}, "input depth must be a number, not True"),
        ({"strict": "maybe"}, "input strict must be true or false, not 'maybe'"),
        ({"strict": 2}, "input strict must be true or false, not 2"),
        ({"config": "{nope"}, "input config must be a JSON object; its text isn't JSON"),
        ({"config": "[1, 2]"}, "input config must be an object, not list"),
        ({"doc": "report.pdf"}, "input doc must be a file; map a File variable"),
        (
            {"doc": {**LOCAL_FILE, "related_id": None, "url": "/files/x"}},
            "input doc: a local_file file without an id or URL can't be passed on",
        ),
        ({"pics": REMOTE_FILE}, "input pics must be a list of files; map an Array[File] variable"),
        ({"pics": [REMOTE_FILE] * 3}, "input pics has 3 files; the called app takes 2 at most"),
        ({"pics": [REMOTE_FILE, "x"]}, "input pics[1] must be a file"),
    ],
)
def test_a_wrong_value_fails_in_the_calling_node_in_one_line(dify, errors: str, values: dict, message: str) -> None:
    app = add_app(dify, "workflow", form=FORM)
    code = code_for(errors)
    given = {"language": "en", "title": "t", **values}
    run = run_snippet(dify, app, code, **given)
    assert sent(dify, app) == []  # refused before the call
    if errors == "raise":
        assert not run.ok and run.error.strip().startswith(message) and run.error.count("\n") <= 1, run.error
    else:
        assert run.ok and run.outputs["error"].startswith(message) and run.outputs["response_text"] == "", run.outputs


def test_a_signed_url_is_the_way_across_workspaces(dify) -> None:
    app = add_app(dify, "workflow", form=FORM)
    run = run_snippet(dify, app, code_for("raise"), language="en", title="t", doc=SIGNED_ONLY)
    assert run.ok, run.error
    assert sent(dify, app)[0]["body"]["inputs"]["doc"] == {
        "type": "document",
        "transfer_method": "remote_url",
        "url": SIGNED_ONLY["url"],
    }


def test_without_a_query_input_main_takes_no_query(dify) -> None:
    form = [Variable("lang", "select", options=["en", "de"])]
    app = add_app(dify, "workflow", form=form)
    code = render_code(template="variables", app="workflow", query_input="", inputs={"lang": INPUTS["lang"]})
    assert parameters(code) == ["api_key", "user", "language"]
    assert "query <-" not in code.split("\nimport ", 1)[0]
    run = run_snippet(dify, app, code, language="de")
    assert run.ok, run.error
    assert sent(dify, app)[0]["body"]["inputs"] == {"lang": "de"}


def test_the_app_drops_what_its_form_does_not_declare(dify) -> None:
    """Why typed specs and the drift check matter: Dify drops unknown inputs without a word."""
    app = add_app(dify, "workflow", form=[Variable("topic", "paragraph")])
    code = render_code(template="variables", app="workflow", query_input="topic", inputs={"language": "language"})
    run = run_snippet(dify, app, code, language="de")
    assert run.ok, run.error
    assert sent(dify, app)[0]["prepared_inputs"] == {"topic": "What is up?"}


def test_the_request_builder_checks_typed_inputs_too(dify) -> None:
    from support.code_node import run_code_node
    from support.snippets import snippet_of

    from generator.rendering.pipeline import snippet_files

    snippet = snippet_of(
        template="variables",
        app="workflow",
        route="http-node",
        query_input="topic",
        inputs={"lang": INPUTS["lang"], "depth": INPUTS["depth"]},
    )
    builder = snippet_files([snippet], "t")["test_request.py"]
    good = run_code_node(builder, {"query": "q", "user": "u", "language": "en", "depth": "4"}, {"body": "string"})
    assert good.ok and json.loads(good.outputs["body"])["inputs"] == {"lang": "en", "depth": 4, "topic": "q"}
    bad = run_code_node(builder, {"query": "q", "user": "u", "language": "fr", "depth": None}, {"body": "string"})
    assert not bad.ok and bad.error.strip() == "input language is 'fr'; the called app takes one of: en, de"


def test_forwarded_files_go_as_the_requests_own_files(dify) -> None:
    app = add_app(dify, "chatflow")
    code = render_code(template="single", app="chatflow", forward_files=True)
    assert parameters(code) == ["api_key", "query", "user", "files"]
    run = run_snippet(dify, app, code, files=[LOCAL_FILE, REMOTE_FILE])
    assert run.ok, run.error
    assert sent(dify, app)[-1]["body"]["files"] == [
        {"type": "document", "transfer_method": "local_file", "upload_file_id": LOCAL_FILE["related_id"]},
        {"type": "image", "transfer_method": "remote_url", "url": REMOTE_FILE["remote_url"]},
    ]
    none = run_snippet(dify, app, code, files=None)
    assert none.ok and "files" not in sent(dify, app)[-1]["body"]
    bad = run_snippet(dify, app, code, files=[{"name": "x"}])
    assert (
        not bad.ok
        and bad.error.strip() == "input files[0] must be a file; map a File variable (e.g. a Start node's file input)"
    )
