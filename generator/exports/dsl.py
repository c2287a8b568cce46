"""Writes an importable Dify app (DSL YAML) around a generated snippet: Start -> Code -> (Assigner) -> End/Answer.

Everything in it is deterministic (fixed node ids, edge ids and positions, UUIDs derived
from the snippet's name), so the files diff cleanly. The API key is a Secret environment
variable with an empty value: the only thing a user fills in after importing.
"""

from __future__ import annotations

import uuid

from generator.dify import FILE_INPUT_TYPES, GENERATED_MARKER, RETRY_INTERVAL_MS
from generator.rendering.templating import comment_text, do_not_edit, python_literal
from generator.rendering.variant import Variant
from generator.spec.model import Input

# Dify's rule (api/services/dsl_version.py): a DSL version newer than the instance's, or of an
# older major, asks for confirmation; an older minor imports with a warning; the same imports
# cleanly. 0.1.5 (Dify 1.0) imports without a prompt on every Dify 1.x.
DEFAULT_DSL_VERSION = "0.1.5"
NAMESPACE = uuid.UUID("6f1c2b0e-5d1a-4c2e-9a57-1c0de0de0000")


# The Secret environment variable holding the called app's key: one per imported app.
API_KEY_VARIABLE = "DIFY_APP_API_KEY"


class QuotedText(str):
    """A string YAML must quote (Dify refuses a DSL whose version is not a string)."""


def _uuid(variant: Variant, what: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{variant.name}/{what}"))


def _node(node_id: str, x: int, data: dict, y: int = 282) -> dict:
    return {
        "data": {"desc": "", "selected": False, **data},
        "height": 54,
        "id": node_id,
        "position": {"x": x, "y": y},
        "positionAbsolute": {"x": x, "y": y},
        "selected": False,
        "sourcePosition": "right",
        "targetPosition": "left",
        "type": "custom",
        "width": 244,
    }


def _edge(source: str, source_type: str, target: str, target_type: str, handle: str = "source") -> dict:
    return {
        "data": {"isInIteration": False, "isInLoop": False, "sourceType": source_type, "targetType": target_type},
        "id": f"{source}-{handle}-{target}-target",
        "source": source,
        "sourceHandle": handle,
        "target": target,
        "targetHandle": "target",
        "type": "custom",
        "zIndex": 0,
    }


def _start_variables(variant: Variant) -> list[dict]:
    """The Start node's fields for main()'s parameters after api_key, query, user and
    conversation_id, in main()'s order: typed inputs get their type, options and limits."""
    fields = [_start_field(entry.param, entry) for entry in variant.required_inputs]
    for n in range(1, variant.dynamic + 1):
        fields += [_start_field(f"var_name_{n}"), _start_field(f"var_input_{n}")]
    return fields + [_start_field(entry.param, entry) for entry in variant.optional_inputs]


def _start_field(param: str, entry: Input | None = None) -> dict:
    field = {
        "label": param,
        "max_length": (entry.max_length or None) if entry else None,
        "options": list(entry.options) if entry else [],
        "required": entry.required if entry else not param.startswith("var_"),
        "type": (entry.type or "text-input") if entry else "text-input",
        "variable": param,
    }
    if field["type"] in FILE_INPUT_TYPES:
        field.update(
            allowed_file_extensions=[],
            allowed_file_types=["document", "image", "audio", "video"],
            allowed_file_upload_methods=["local_file", "remote_url"],
        )
    return field


def _parameters(variant: Variant) -> list[str]:
    """main()'s parameters after api_key, query, user and conversation_id."""
    return [field["variable"] for field in _start_variables(variant)]


def _request_variables(variant: Variant, chatflow: bool) -> list[dict]:
    """The inputs of the node that talks to the app: the snippet (code route) or the body builder."""
    variables = []
    if variant.takes_query:
        variables.append({"value_selector": ["sys", "query"] if chatflow else ["start", "query"], "variable": "query"})
    variables.append({"value_selector": ["sys", "user_id"], "variable": "user"})
    if variant.template == "conversation":
        variables.append({"value_selector": ["conversation", "conversation_id"], "variable": "conversation_id"})
    variables += [{"value_selector": ["start", param], "variable": param} for param in _parameters(variant)]
    if variant.forward_files:
        variables.append({"value_selector": ["sys", "files"], "variable": "files"})
    return variables


def _parse_node(node_id: str, x: int, y: int, code: str, outputs: dict, variant: Variant, http: str) -> dict:
    """The Code node of the HTTP-node route that reads what the HTTP node `http` buffered."""
    variables = [
        {"value_selector": [http, "body"], "variable": "body"},
        {"value_selector": [http, "status_code"], "variable": "status_code"},
    ]
    if variant.template == "conversation":
        variables.append({"value_selector": ["conversation", "conversation_id"], "variable": "conversation_id"})
    data = {
        "code": code,
        "code_language": "python3",
        "outputs": outputs,
        "title": "Read the answer",
        "type": "code",
        "variables": variables,
    }
    return _node(node_id, x, data, y)


def _healing_branch(
    variant: Variant, builder: str | None, code: str, outputs: dict, chatflow: bool
) -> tuple[list[dict], list[dict]]:
    """HTTP-node route, conversation: when the called app answers 404 "Conversation Not Exists"
    (an id from another user, or a deleted conversation), forget the id and ask again in a new
    conversation, whose id the assigner then keeps: the conversation variable heals within the
    run. (On the code route the snippet does this itself.)"""
    stale = {
        "cases": [
            {
                "case_id": "true",
                "conditions": [
                    {
                        "comparison_operator": "=",
                        "id": _uuid(variant, "stale/status"),
                        "value": "404",
                        "varType": "number",
                        "variable_selector": ["http", "status_code"],
                    },
                    {
                        "comparison_operator": "contains",
                        "id": _uuid(variant, "stale/body"),
                        "value": "Conversation Not Exists",
                        "varType": "string",
                        "variable_selector": ["http", "body"],
                    },
                ],
                "id": "true",
                "logical_operator": "and",
            }
        ],
        "title": "Conversation gone?",
        "type": "if-else",
    }
    forget = {
        "items": [
            {
                "input_type": "variable",
                "operation": "clear",
                "value": None,
                "variable_selector": ["conversation", "conversation_id"],
            }
        ],
        "title": "Forget the conversation",
        "type": "assigner",
        "version": "2",
    }
    request = {
        "code": builder,
        "code_language": "python3",
        "outputs": {"body": {"children": None, "type": "string"}},
        "title": "Build a new-conversation request",
        "type": "code",
        "variables": _request_variables(variant, chatflow),
    }
    nodes = [
        _node("stale", 992, stale),
        _node("forget", 1296, forget, 482),
        _node("request_again", 1600, request, 482),
        _node("http_again", 1904, _http_node(variant, variant.url, "request_again"), 482),
        _parse_node("code_again", 2208, 482, code, outputs, variant, "http_again"),
        _node("assigner_again", 2512, _keep_conversation("code_again"), 482),
        _node("answer_again", 2816, _answer("code_again", variant.output_names), 482),
    ]
    edges = [
        _edge("http", "http-request", "stale", "if-else"),
        _edge("stale", "if-else", "code", "code", handle="false"),
        _edge("stale", "if-else", "forget", "assigner", handle="true"),
        _edge("forget", "assigner", "request_again", "code"),
        _edge("request_again", "code", "http_again", "http-request"),
        _edge("http_again", "http-request", "code_again", "code"),
        _edge("code_again", "code", "assigner_again", "assigner"),
        _edge("assigner_again", "assigner", "answer_again", "answer"),
    ]
    return nodes, edges


def _keep_conversation(source: str) -> dict:
    """A Variable Assigner that writes `source`'s conversation_id output into the conversation variable."""
    return {
        "items": [
            {
                "input_type": "variable",
                "operation": "over-write",
                "value": [source, "conversation_id"],
                "variable_selector": ["conversation", "conversation_id"],
                "write_mode": "over-write",
            }
        ],
        "title": "Keep the conversation",
        "type": "assigner",
        "version": "2",
    }


def _answer(source: str, outputs: tuple[str, ...]) -> dict:
    answer = "".join("{{#" + source + "." + name + "#}}" for name in outputs if name in ("response_text", "error"))
    return {"answer": answer, "title": "Answer", "type": "answer", "variables": []}


def _http_node(variant: Variant, url: str, builder: str) -> dict:
    """The HTTP Request node of the HTTP-node route: the body comes whole from the builder node."""
    return {
        "authorization": {"config": None, "type": "no-auth"},
        "body": {"data": [{"key": "", "type": "text", "value": "{{#" + builder + ".body#}}"}], "type": "raw-text"},
        "headers": f"Authorization:Bearer {{{{#env.{API_KEY_VARIABLE}#}}}}\nContent-Type:application/json",
        "method": "post",
        "params": "",
        "retry_config": {"max_retries": 1, "retry_enabled": False, "retry_interval": 100},
        "ssl_verify": True,
        "timeout": {"connect": 10, "read": 600, "write": 60},
        "title": f"Call the {variant.app} app",
        "type": "http-request",
        "url": url,
        "variables": [],
    }


def _retries(variant: Variant) -> dict:
    """The calling node's retry_config where the spec asks for retries (dify-facts §8)."""
    if not variant.retries:
        return {}
    return {
        "retry_config": {"max_retries": variant.retries, "retry_enabled": True, "retry_interval": RETRY_INTERVAL_MS}
    }


def build_app(variant: Variant, code: str, source: str, builder: str | None = None) -> dict:
    """The DSL document (a dict ready for YAML) of an app that runs `code` in a Code node
    (and, on the HTTP-node route, `builder` and an HTTP Request node before it)."""
    mode = variant.app_mode
    chatflow = mode == "advanced-chat"
    key_name = API_KEY_VARIABLE
    outputs = variant.output_names

    start_variables = []
    if not chatflow and variant.takes_query:
        start_variables.append(
            {
                "label": "query",
                "max_length": None,
                "options": [],
                "required": True,
                "type": "paragraph",
                "variable": "query",
            }
        )
    start_variables += _start_variables(variant)
    code_outputs = {output.name: {"children": None, "type": output.type} for output in variant.outputs}
    nodes = [_node("start", 80, {"title": "Start", "type": "start", "variables": start_variables})]
    edges = []
    if variant.route == "http-node":
        nodes.append(
            _node(
                "request",
                384,
                {
                    "code": builder,
                    "code_language": "python3",
                    "outputs": {"body": {"children": None, "type": "string"}},
                    "title": "Build the request",
                    "type": "code",
                    "variables": _request_variables(variant, chatflow),
                },
            )
        )
        nodes.append(_node("http", 688, dict(_http_node(variant, variant.url, "request"), **_retries(variant))))
        heals = variant.restarts_conversation
        nodes.append(_parse_node("code", 1296 if heals else 992, 282, code, code_outputs, variant, "http"))
        edges += [_edge("start", "start", "request", "code"), _edge("request", "code", "http", "http-request")]
        if heals:
            heal_nodes, heal_edges = _healing_branch(variant, builder, code, code_outputs, chatflow)
            nodes += heal_nodes
            edges += heal_edges
        else:
            edges.append(_edge("http", "http-request", "code", "code"))
    else:
        code_variables = [{"value_selector": ["env", key_name], "variable": "api_key"}] + _request_variables(
            variant, chatflow
        )
        nodes.append(
            _node(
                "code",
                384,
                {
                    "code": code,
                    "code_language": "python3",
                    "outputs": code_outputs,
                    "title": f"Call the {variant.app} app",
                    "type": "code",
                    "variables": code_variables,
                    **_retries(variant),
                },
            )
        )
        edges.append(_edge("start", "start", "code", "code"))
    x = next(node for node in nodes if node["id"] == "code")["position"]["x"] + 304
    last = "code"
    if variant.template == "conversation":
        nodes.append(_node("assigner", x, _keep_conversation("code")))
        edges.append(_edge("code", "code", "assigner", "assigner"))
        last = "assigner"
        x += 304
    if chatflow:
        nodes.append(_node("answer", x, _answer("code", outputs)))
        edges.append(_edge(last, "assigner" if last == "assigner" else "code", "answer", "answer"))
    else:
        end_outputs = [{"value_selector": ["code", name], "variable": name} for name in outputs]
        nodes.append(_node("end", x, {"outputs": end_outputs, "title": "End", "type": "end"}))
        edges.append(_edge("code", "code", "end", "end"))

    conversation_variables = []
    if variant.template == "conversation":
        conversation_variables.append(
            {
                "description": "The called app's conversation; empty starts a new one.",
                "id": _uuid(variant, "conversation_id"),
                "name": "conversation_id",
                "selector": ["conversation", "conversation_id"],
                "value": "",
                "value_type": "string",
            }
        )
    return {
        "app": {
            "description": f"Generated by dify-codenode: calls a Dify {variant.app} app from a Code node "
            f"({variant.name}).",
            "icon": "🤖",
            "icon_background": "#FFEAD5",
            "mode": mode,
            "name": variant.name,
            "use_icon_as_answer_icon": False,
        },
        "dependencies": [],
        "kind": "app",
        "version": QuotedText(variant.dsl_version),
        "workflow": {
            "conversation_variables": conversation_variables,
            "environment_variables": [
                {
                    "description": "API key of the Dify app being called (its API Access page). Fill it in after "
                    "importing.",
                    "id": _uuid(variant, key_name),
                    "name": key_name,
                    "selector": ["env", key_name],
                    "value": "",
                    "value_type": "secret",
                }
            ],
            "features": {
                "file_upload": {"enabled": False},
                "opening_statement": "",
                "retriever_resource": {"enabled": False},
                "sensitive_word_avoidance": {"enabled": False},
                "speech_to_text": {"enabled": False},
                "suggested_questions": [],
                "suggested_questions_after_answer": {"enabled": False},
                "text_to_speech": {"enabled": False},
            },
            "graph": {"edges": edges, "nodes": nodes, "viewport": {"x": 0, "y": 0, "zoom": 1}},
        },
    }


def dump_yaml(document: dict, header: str) -> str:
    """Deterministic YAML: sorted keys, code as a literal block, a comment header."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data: object) -> bool:  # each node spelled out, never &id001 / *id001
            return True

    def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    def _quoted(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")

    _Dumper.add_representer(str, _text)
    _Dumper.add_representer(QuotedText, _quoted)
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=True, allow_unicode=True, default_flow_style=False, width=100)
    return header + body


def dsl_file(variant: Variant, code: str, source: str, builder: str | None = None) -> str:
    """The whole <name>.yml: a comment header with the generated marker, then the DSL."""
    header = (
        f"{GENERATED_MARKER} from {comment_text(source)}, snippet {python_literal(variant.name)}.\n"
        f"# {do_not_edit(source)}\n"
        "# Import it in Dify (Studio > Import DSL file), then set the Secret environment variable\n"
        f"# {API_KEY_VARIABLE} to the API key of the app being called (its API Access page).\n"
    )
    return dump_yaml(build_app(variant, code, source, builder), header)
