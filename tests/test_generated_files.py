"""Every committed snippet (output/ and golden trees) runs as a Dify Code node and answers correctly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.code_node import declared_outputs, run_code_node
from support.input_samples import sample_value
from support.snippets import add_app, called_app, parameters, point_at_emulator

from generator.emulator.server import CONVERSATION_PREFIX
from generator.spec.load import load_spec

REPO = Path(__file__).resolve().parent.parent
FILES = sorted(REPO.glob("output/*.py")) + sorted(REPO.glob("tests/golden/*/expected/*.py"))
MODES = {"agent": "agent", "chat": "chat", "chatflow": "chatflow", "completion": "completion", "workflow": "workflow"}


def typed_values(path: Path) -> dict:
    """Valid values for the typed inputs of the snippet a committed file was generated from."""
    spec_path = REPO / "snippets.toml" if path.parent.name == "output" else path.parent.parent / "spec.toml"
    name = path.stem.removesuffix("_request")
    snippet = next(s for s in load_spec(spec_path).snippets if s.name == name)
    values = {entry.param: sample_value(entry) for entry in snippet.inputs if entry.type}
    return values | ({"files": []} if snippet.forward_files else {})  # sys.files of a run without uploads


@pytest.mark.parametrize("path", FILES, ids=[p.relative_to(REPO).as_posix() for p in FILES])
def test_generated_file_runs_in_a_code_node(dify, path: Path) -> None:
    code = path.read_text(encoding="utf-8")
    if path.name.endswith("_request.py"):  # the HTTP-node route's body builder
        params = parameters(code)
        run = run_code_node(
            code, {name: f"value of {name}" for name in params} | typed_values(path), declared_outputs(code)
        )
        assert run.ok, run.error
        body = json.loads(run.outputs["body"])
        assert "value of query" in (body.get("query"), *body["inputs"].values())
        return
    app = called_app(code)
    code, env = point_at_emulator(code, dify)
    workflow_types = {"string": "text", "number": 1.5, "boolean": True, "object": {"k": "v"}}
    outputs = declared_outputs(code)
    callee_outputs = (
        {name: workflow_types.get(kind, []) for name, kind in outputs.items()}
        if "response_text" not in outputs
        else None
    )
    callee = add_app(dify, MODES[app], answer="Answer ✓ 答案", outputs=callee_outputs)
    inputs = {name: f"value of {name}" for name in parameters(code)} | typed_values(path)
    inputs.update(
        {name: value for name, value in {"api_key": callee.key, "query": "Hi", "user": "u"}.items() if name in inputs}
    )
    if "conversation_id" in inputs:
        inputs["conversation_id"] = ""
    if parameters(code)[:2] == ["body", "status_code"]:  # the HTTP-node route: parse what the HTTP node buffered
        from test_http_route import CHAT_BODY, buffered

        route = {"completion": "/completion-messages", "workflow": "/workflows/run"}.get(app, "/chat-messages")
        status, text = buffered(dify, callee.key, route, CHAT_BODY)
        inputs = {"body": text, "status_code": status} | (
            {"conversation_id": ""} if "conversation_id" in inputs else {}
        )
    run = run_code_node(code, inputs, outputs, env=env)
    assert run.ok, run.error
    if "response_text" in outputs:
        expected = json.dumps({"text": "Answer ✓ 答案"}, ensure_ascii=False) if app == "workflow" else "Answer ✓ 答案"
        assert run.outputs["response_text"] == expected
    if "error" in outputs:
        assert run.outputs["error"] == ""
    if "conversation_id" in outputs:
        assert run.outputs["conversation_id"].startswith(CONVERSATION_PREFIX)
    sent = [r for r in dify.requests if r["key"] == callee.key][-1]["body"]
    assert sent["response_mode"] == "streaming"
