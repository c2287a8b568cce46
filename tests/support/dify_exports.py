"""Exported Dify apps as Dify writes them, in the DSL versions it has written (0.1.x to 0.7.x), with stale bound nodes.

Dify exports `yaml.dump(export_data, allow_unicode=True)` (api/services/app_dsl_service.py;
early versions without allow_unicode, so non-ASCII text comes out as \\uXXXX escapes). These
are built from the apps dify-codenode generates (generator/exports/dsl.py, runnable on graphon), aged:
an older DSL version and its fields, a Code node whose code, inputs and outputs are from an
older snippet, an unbound JavaScript Code node, unicode titles, and optionally dozens of
other nodes.
"""

from __future__ import annotations

import copy
import json

import yaml

from generator.exports.dsl import build_app
from generator.rendering.pipeline import snippet_files
from generator.rendering.variant import variant_of
from generator.spec.model import Snippet

VERSIONS = ("0.1.0", "0.1.2", "0.1.3", "0.1.5", "0.2.0", "0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0")
# A default-value node's entries before a sync: the user's own default for response_text, one for
# an output the snippet no longer has, and a boolean one (which Dify's import refuses).
STALE_DEFAULTS = [
    {"key": "response_text", "type": "string", "value": "no answer today ✓"},
    {"key": "stale_output", "type": "string", "value": ""},
    {"key": "flag", "type": "boolean", "value": False},
]
JS_CODE = "function main({arg1}) {\n  return {result: arg1 + ' ✓'}\n}\n"


def current_document(snippet: Snippet, source: str = "snippets.toml") -> dict:
    """The app dify-codenode generates around the snippet, as data."""
    files = snippet_files([snippet], source)
    builder = files.get(f"{snippet.name}_request.py")
    return build_app(variant_of(snippet), files[f"{snippet.name}.py"], source, builder)


def aged(document: dict, version: str, *, filler_nodes: int = 0, javascript: bool = True) -> dict:
    """The app as an older Dify exported it, its bound Code node from an older snippet."""
    document = copy.deepcopy(document)
    document["version"] = version
    document["app"]["name"] = "Agent caller ✓ 调用"
    if version < "0.1.5":
        document.pop("dependencies", None)
    else:
        document["dependencies"] = []
    nodes = document["workflow"]["graph"]["nodes"]
    code = next(node for node in nodes if node["id"] == "code")
    data = code["data"]
    data["title"] = "Ask the agent ✓ 问"
    lines = data["code"].split("\n")
    data["code"] = "\n".join(line.replace("_TIME_BUDGET_SECONDS = ", "_TIME_BUDGET_SECONDS = 1 + ") for line in lines)
    data["variables"] = [
        dict(v, value_selector=list(v["value_selector"])) for v in data["variables"][:-1]
    ]  # one input fewer
    data["outputs"] = {**data["outputs"], "stale_output": {"children": None, "type": "string"}}
    if version >= "0.2.0":  # newer exports carry error handling on each node
        data["error_strategy"] = "fail-branch"
        data["retry_config"] = {"enabled": False, "max_retries": 3, "retry_interval": 1000}
    if version >= "0.7.0":  # Dify 1.16+: New Agent packages, Agent v2 and Human Input nodes
        data["error_strategy"] = "default-value"
        data["default_value"] = copy.deepcopy(STALE_DEFAULTS)
        document["agent"] = {"instructions": "Help ✓", "model": {"name": "gpt-5", "provider": "openai"}, "tools": []}
        document["agent_packages"] = [{"name": "web-search", "version": "1.0.0"}]
        nodes.append(
            _filler(
                "agent_v2",
                {
                    "type": "agent",
                    "version": "2",
                    "title": "Agent v2 ✓",
                    "agent_strategy_name": "function_calling",
                    "agent_parameters": {},
                },
            )
        )
        nodes.append(
            _filler(
                "review",
                {
                    "type": "human-input",
                    "title": "Review ✓",
                    "actions": [{"id": "approve", "title": "Approve"}, {"id": "reject", "title": "Reject"}],
                },
            )
        )
        document["workflow"]["graph"]["edges"] += [
            {
                "id": f"review-{action}-end",
                "source": "review",
                "sourceHandle": action,
                "target": "end",
                "targetHandle": "target",
                "type": "custom",
                "data": {"sourceType": "human-input", "targetType": "end", "isInIteration": False, "isInLoop": False},
            }
            for action in ("approve", "reject")
        ]
    if javascript:
        nodes.append(
            {
                "data": {
                    "code": JS_CODE,
                    "code_language": "javascript",
                    "desc": "",
                    "outputs": {"result": {"children": None, "type": "string"}},
                    "selected": False,
                    "title": "Shout ✓",
                    "type": "code",
                    "variables": [{"value_selector": ["start", "query"], "variable": "arg1"}],
                },
                "height": 54,
                "id": "javascript",
                "position": {"x": 400, "y": 400},
                "positionAbsolute": {"x": 400, "y": 400},
                "selected": False,
                "sourcePosition": "right",
                "targetPosition": "left",
                "type": "custom",
                "width": 244,
            }
        )
    for number in range(filler_nodes):
        nodes.append(
            {
                "data": {
                    "desc": "",
                    "selected": False,
                    "template": f"step {number} {{{{ x }}}}",
                    "title": f"Step {number} ✓",
                    "type": "template-transform",
                    "variables": [{"value_selector": ["start", "query"], "variable": "x"}],
                },
                "height": 54,
                "id": f"filler{number}",
                "position": {"x": 100.5 * number, "y": 900},
                "type": "custom",
                "width": 244,
            }
        )
    return document


def _filler(node_id: str, data: dict) -> dict:
    return {
        "data": {"desc": "", "selected": False, **data},
        "height": 54,
        "id": node_id,
        "position": {"x": 700, "y": 700},
        "type": "custom",
        "width": 244,
    }


def synced_defaults(outputs: dict) -> list[dict]:
    """What a default-value node's entries must be after a sync to a snippet with these outputs."""
    kept = {entry["key"]: entry for entry in STALE_DEFAULTS}
    empties = {"string": "", "number": 0, "object": {}, "array[string]": [], "array[number]": [], "array[object]": []}
    return [
        kept[name]
        if name in kept and kept[name]["type"] == output["type"]
        else {"key": name, "type": output["type"], "value": empties[output["type"]]}
        for name, output in outputs.items()
        if output["type"] in empties
    ]


def exported(document: dict, *, allow_unicode: bool = True) -> str:
    """The file Dify writes for it (its graph comes from JSON, so nothing in it is shared: no anchors)."""
    return yaml.dump(json.loads(json.dumps(document)), allow_unicode=allow_unicode)
