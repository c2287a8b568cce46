"""What a called Dify app (or the network between) can do to a generated snippet, each with what must happen.

Each scenario applies to the variants whose options can meet it (a variant predicate) and
asserts the outcome through the VariantBed: success with the right outputs, or a one-line
failure by the variant's error strategy. tests/test_option_space.py runs every applicable
scenario on every variant of the covering array and checks the lines they ran.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

from generator.dify import FORBIDDEN_HINTS
from generator.emulator.server import CONVERSATION_PREFIX, SOMEONE_ELSES
from generator.emulator.streams import PAUSE_FORM, as_mode, paused_stream, standard_stream
from generator.emulator.wire import Drop, Event, Ping, Raw, Reset, Sleep, Style, Wire
from generator.rendering.variant import Variant
from support.forward_proxy import ForwardProxy
from support.input_samples import LOCAL_FILE, REMOTE_FILE, TOOL_FILE, forwarded
from support.tls import without_certifi_env
from support.variant_bed import EMPTIES, SAMPLES, VariantBed


@dataclass(frozen=True)
class Scenario:
    name: str
    applies: Callable[[Variant], bool]
    play: Callable[[VariantBed], None]


SCENARIOS: list[Scenario] = []


def scenario(applies: Callable[[Variant], bool] = lambda variant: True):
    def register(play: Callable[[VariantBed], None]) -> Callable[[VariantBed], None]:
        SCENARIOS.append(Scenario(play.__name__, applies, play))
        return play

    return register


def code_route(variant: Variant) -> bool:
    return variant.code_route


def streams_text(variant: Variant) -> bool:
    return variant.streams_text


def typed(variant: Variant) -> bool:
    return bool(variant.workflow_outputs)


def expected_answer(bed: VariantBed, app) -> str | None:
    """What response_text must hold after `app` answered normally (None: no response_text)."""
    if bed.variant.streams_text:
        return app.answer
    if bed.variant.workflow_json:
        return json.dumps(app.outputs if app.outputs is not None else {"text": app.answer}, ensure_ascii=False)
    return None


def answered(bed: VariantBed, app, run, status: str = "succeeded") -> dict:
    outputs = bed.succeeds(run, expected_answer(bed, app), status)
    for name, kind in bed.typed.items():
        assert outputs[name] == (app.outputs or {}).get(name, SAMPLES[kind]), name
    return outputs


def failure_stream(*events: object) -> Callable:
    return lambda request: [Event(e) if isinstance(e, dict) else e for e in events]


# --- answers --------------------------------------------------------------------------------


@scenario()
def answers(bed: VariantBed) -> None:
    app = bed.app()
    answered(bed, app, bed.run(app))
    body = [r for r in bed.dify.requests if r["key"] == app.key][-1]["body"]
    assert body["user"] == "workflow-user-1" and body["response_mode"] == "streaming"
    if bed.snippet.query_input:
        assert body["inputs"][bed.snippet.query_input] == "What is up?" and "query" not in body
    elif bed.snippet.app in ("completion", "workflow"):
        assert "query" not in body and "What is up?" not in body["inputs"].values()
    else:
        assert body["query"] == "What is up?" and body["auto_generate_name"] is bed.snippet.auto_generate_name
    for entry in bed.snippet.inputs:
        assert body["inputs"][entry.key] == forwarded(entry.type, bed.input_value(entry)), entry.key
    if bed.snippet.dynamic:
        assert body["inputs"]["value of var_name_1"] == "value of var_input_1"


@scenario(lambda variant: variant.app == "agent")
def agent_116_final_message_not_doubled(bed: VariantBed) -> None:
    app = bed.app("agent-1.16")
    answered(bed, app, bed.run(app))


@scenario(lambda variant: variant.app == "agent")
def agent_answering_in_message_events(bed: VariantBed) -> None:
    app = bed.app(
        scenario=failure_stream(
            {"event": "message", "answer": "A"},
            {"event": "message", "answer": "B"},
            {"event": "message_end", "metadata": {"usage": {"total_tokens": 3}}},
        )
    )
    bed.succeeds(bed.run(app), "AB")


@scenario(streams_text)
def moderation_replaces_the_answer(bed: VariantBed) -> None:
    event = "agent_message" if bed.snippet.app == "agent" else "message"
    app = bed.app(
        scenario=failure_stream(
            {"event": event, "answer": "bad "},
            {"event": "message_replace", "answer": "[moderated]"},
            {"event": "message_end", "metadata": {"usage": {"total_tokens": 3}}},
        )
    )
    bed.succeeds(bed.run(app), "[moderated]")


@scenario(streams_text)
def thousands_of_tiny_chunks(bed: VariantBed) -> None:
    event = "agent_message" if bed.snippet.app == "agent" else "message"
    events = [{"event": event, "answer": ""}] * 1200 + [
        {"event": event, "answer": "end"},
        {"event": "message_end", "metadata": {"usage": {"total_tokens": 3}}},
    ]
    bed.succeeds(bed.run(bed.app(scenario=failure_stream(*events))), "end")


@scenario(code_route)
def every_framing_dify_uses(bed: VariantBed) -> None:
    app = bed.app(style=Style(compact=False, data_prefix="data:", newline="\r\n", split_every=7))
    answered(bed, app, bed.run(app))


@scenario()
def pings_and_unknown_events_are_skipped(bed: VariantBed) -> None:
    def stream(request):
        extra = [
            Ping(),
            Event({"event": "tts_message", "audio": "AAAA"}),
            Event({"event": "brand_new_event", "answer": "NO"}),
            Ping(),
        ]
        return extra + standard_stream(request)

    app = bed.app(scenario=stream)
    answered(bed, app, bed.run(app))


@scenario(streams_text)
def null_fields_are_tolerated(bed: VariantBed) -> None:
    event = "agent_message" if bed.snippet.app == "agent" else "message"
    app = bed.app(
        scenario=failure_stream(
            {"event": None, "task_id": None},
            {"event": event, "answer": None},
            {"event": event, "answer": "ok"},
            {"event": "message_end", "metadata": None},
        )
    )
    run = bed.run(app)
    assert run.ok, run.error
    assert run.outputs.get("response_text", "ok") == "ok"
    if "usage" in run.outputs:
        assert run.outputs["usage"] == {}


# --- malformed streams ---------------------------------------------------------------------


@scenario()
def a_line_that_is_not_json(bed: VariantBed) -> None:
    bed.fails(bed.run(bed.app(scenario=failure_stream(Raw(b"data: {not json}\n\n")))), "not a JSON event")


@scenario()
def an_event_that_is_not_an_object(bed: VariantBed) -> None:
    bed.fails(bed.run(bed.app(scenario=failure_stream(Raw(b"data: [1, 2]\n\n")))), "not a JSON object")


@scenario(streams_text)
def an_answer_that_is_not_text(bed: VariantBed) -> None:
    app = bed.app(
        scenario=failure_stream({"event": "agent_message" if bed.snippet.app == "agent" else "message", "answer": 42})
    )
    bed.fails(bed.run(app), "event has an answer that is not text")


@scenario(code_route)
def a_line_longer_than_any_event(bed: VariantBed) -> None:
    # 32 MiB take a while to cross loopback on a busy machine: a budget that can't run out first.
    app = bed.app(scenario=failure_stream(Raw(b"x" * (32 * 1024 * 1024 + 70000))))
    bed.fails(bed.run(app, time_budget=12.0), "longer than 33554432 bytes")


# --- failures the called app reports -----------------------------------------------------------


@scenario()
def an_error_event_mid_stream(bed: VariantBed) -> None:
    error = {
        "event": "error",
        "status": 400,
        "code": "completion_request_error",
        "message": "[openai] Rate limit\nreached",
    }
    app = bed.app(scenario=lambda request: standard_stream(request)[:2] + [Event(error)])
    bed.fails(bed.run(app), "failed mid-stream: HTTP 400 completion_request_error: [openai] Rate limit reached")


@scenario()
def a_bare_error_event(bed: VariantBed) -> None:
    """An error event with no status, code or message: said so, no empty `HTTP ` left over."""
    message = bed.fails(
        bed.run(bed.app(scenario=failure_stream({"event": "error"}))), "failed mid-stream: no details given"
    )
    assert "Hint" not in message and "HTTP" not in message


@scenario()
def a_failed_or_stopped_run(bed: VariantBed) -> None:
    """Whatever kind the node expects, a run that ended failed or stopped fails it, naming the status."""
    for status, error, fragment in (
        ("failed", "Node LLM\nfailed: quota", "status 'failed': Node LLM failed: quota"),
        ("stopped", None, "status 'stopped': no error message"),
    ):
        finished = {"event": "workflow_finished", "data": {"status": status, "error": error, "outputs": None}}
        bed.fails(
            bed.run(bed.app(scenario=failure_stream({"event": "workflow_started", "data": {}}, finished))), fragment
        )


@scenario(lambda variant: variant.app in ("chatflow", "workflow"))
def a_partly_succeeded_run(bed: VariantBed) -> None:
    """A failure the called app's own error handling caught: its outputs are a success."""

    def stream(request):
        return [
            Event(dict(event.payload, data=dict(event.payload["data"], status="partial-succeeded")))
            if event.payload.get("event") == "workflow_finished"
            else event
            for event in standard_stream(request)
        ]

    app = bed.app(scenario=stream)
    answered(bed, app, bed.run(app), status="partial-succeeded" if bed.snippet.app == "workflow" else "succeeded")


# --- the wire is the truth: another kind's stream, a pause for human input -------------------------


STREAM_KINDS = ("agent", "agent-1.16", "chat", "chatflow", "completion", "workflow")


def _outcome_of_another_kind(bed: VariantBed, stream: str) -> str | None:
    """The failure a node must give for another kind's stream, or None: it answers."""
    app = bed.snippet.app
    if app == "workflow":
        if stream == "chatflow":  # its workflow_finished carries outputs: they are the answer
            return "has no output" if bed.typed else None
        return (
            None
            if stream == "workflow"
            else ('set app = "agent"' if stream.startswith("agent") else 'set app = "chat"')
        )
    if stream == "workflow":
        return "streamed as a workflow app, not as the " + app
    if stream == "agent" and app == "completion":  # no `message` at all, only agent_message
        return 'set app = "agent"'
    return None


@scenario()
def another_kind_of_app_streams(bed: VariantBed) -> None:
    """A node told its callee is one kind that gets another kind's stream answers with the text
    that stream carries, or fails naming the kind it saw and the app value to set; never "" as success."""
    for stream in STREAM_KINDS:
        app = bed.app(scenario=as_mode(stream))
        run = bed.run(app)
        failure = _outcome_of_another_kind(bed, stream)
        if failure:
            bed.fails(run, failure)
        elif bed.variant.workflow_json and stream == "chatflow":
            bed.succeeds(run, json.dumps({"answer": app.answer}, ensure_ascii=False))
        else:
            answered(bed, app, run)


def _pause_outputs(bed: VariantBed, run, answer_so_far: str, form: dict) -> None:
    """A pause the node returns: the answer so far, status "paused", the form, the line in error."""
    assert "Traceback" not in run.stderr and run.ok, run.error
    outputs = run.outputs
    assert outputs["human_input"] == form, outputs["human_input"]
    assert outputs.get("status", "paused") == "paused"
    assert "paused for human input" in outputs.get("error", "paused for human input")
    if "response_text" in outputs:
        assert outputs["response_text"] == (answer_so_far if bed.variant.streams_text else "")
    for name, kind in bed.typed.items():
        assert outputs[name] == EMPTIES.get(kind, [])


@scenario()
def a_pause_for_human_input(bed: VariantBed) -> None:
    """Dify 1.14+: human_input_required, workflow_paused, and the stream ends. The node says it
    paused (with the form's token and run id), never that the connection was cut."""
    fields = {key: PAUSE_FORM[key] for key in ("node_title", "node_id", "form_token", "workflow_run_id")}
    run = bed.run(bed.app(scenario=paused_stream))
    line = "paused for human input at node 'Approve the draft' (form_token tok-7Hq2, workflow_run_id run-1)"
    if bed.variant.reports_pause:
        _pause_outputs(bed, run, "so far", fields)
        assert line in run.outputs.get("error", line)
    else:
        bed.fails(run, line)
    bare = bed.run(bed.app(scenario=lambda request: paused_stream(request, bare=True)))
    if bed.variant.reports_pause:
        # Only the ids every event carries are left: a workflow's run id.
        run_id = "run-1" if bed.snippet.app == "workflow" else ""
        _pause_outputs(
            bed, bare, "so far", {"node_title": "", "node_id": "", "form_token": "", "workflow_run_id": run_id}
        )
    else:
        bed.fails(bare, "paused for human input at node '(unnamed)' (form_token none: the form went out by email")


@scenario(streams_text)
def reasoning_in_the_answer(bed: VariantBed) -> None:
    """<think>...</think> split across chunks, unclosed, or all there is, by the reasoning option."""
    event = "agent_message" if bed.snippet.app == "agent" else "message"
    end = {"event": "message_end", "metadata": {"usage": {"total_tokens": 3}}}

    def stream_of(*pieces: str):
        return failure_stream(*[{"event": event, "answer": piece} for piece in pieces], end)

    mode = bed.snippet.reasoning
    run = bed.run(bed.app(scenario=stream_of("<th", "ink>plan ", "it</thi", "nk>\n\nThe answer.")))
    outputs = bed.succeeds(run, "<think>plan it</think>\n\nThe answer." if mode == "keep" else "The answer.")
    assert outputs.get("reasoning", "plan it") == "plan it"
    run = bed.run(bed.app(scenario=stream_of("Before. <think>never ", "closed")))
    outputs = bed.succeeds(run, "Before. <think>never closed" if mode == "keep" else "Before.")
    assert outputs.get("reasoning", "never closed") == "never closed"
    run = bed.run(bed.app(scenario=stream_of("<think>only thinking</think>")))
    if mode == "keep":
        bed.succeeds(run, "<think>only thinking</think>")
    else:
        bed.fails(run, "the called app's answer was all reasoning")


@scenario()
def a_stream_that_ends_early(bed: VariantBed) -> None:
    app = bed.app(scenario=lambda request: standard_stream(request)[:-1])
    bed.fails(bed.run(app), "stream ended before the called app said it was done")


@scenario(code_route)
def a_connection_closed_mid_stream(bed: VariantBed) -> None:
    app = bed.app(scenario=lambda request: standard_stream(request)[:-1] + [Drop()])
    bed.fails(bed.run(app), "the stream ended before the called app said it was done")
    bed.fails(
        bed.run(bed.app(scenario=failure_stream(Drop()))), "the stream ended before the called app said it was done"
    )


@scenario(code_route)
def a_connection_reset_mid_stream(bed: VariantBed) -> None:
    app = bed.app(scenario=lambda request: standard_stream(request)[:2] + [Sleep(0.05), Reset()])
    bed.fails(
        bed.run(app),
        "the connection broke mid-stream (SSLError"
        if bed.https
        else "the connection broke mid-stream (ConnectionResetError",
    )


@scenario(code_route)
def a_body_without_chunked_framing(bed: VariantBed) -> None:
    """A proxy may pass the stream on as a body that ends when the connection closes."""
    app = bed.app(style=Style(chunked=False))
    answered(bed, app, bed.run(app))
    cut = bed.app(style=Style(chunked=False), scenario=lambda request: standard_stream(request)[:-1])
    bed.fails(bed.run(cut), "the stream ended before the called app said it was done")


@scenario(code_route)
def chunk_framing_split_across_reads(bed: VariantBed) -> None:
    # Hundreds of tiny writes: on a loaded machine they take longer than the 3 s budget the other
    # scenarios use, and this one is about framing, not time.
    app = bed.app(style=Style(wire_split=4), answer="short ✓ 答")
    answered(bed, app, bed.run(app, time_budget=12.0 if bed.route == "code" else None))


@scenario(code_route)
def broken_chunk_framing(bed: VariantBed) -> None:
    for wire, fragment in [
        (b"zz\r\ndata: {}\r\n", "(b'zz' is no chunk size)"),
        (b"fffffffff\r\n", "(b'fffffffff' is no chunk size)"),  # 64 GiB: no Dify event is that long
        (b"1" * 2000, "(no chunk size in 1024 bytes)"),
    ]:
        app = bed.app(scenario=failure_stream(Wire(wire), Sleep(5)))
        bed.fails(bed.run(app), f"the response's chunked framing is broken {fragment}")


@scenario(lambda variant: variant.limits_text)
def an_answer_over_the_limit(bed: VariantBed) -> None:
    long_text = "y" * 1500
    strings = [name for name, kind in bed.typed.items() if kind == "string"]
    if strings:
        app = bed.app(
            outputs={name: long_text if kind == "string" else SAMPLES[kind] for name, kind in bed.typed.items()}
        )
    else:
        app = bed.app(answer=long_text)
    run = bed.run(app)
    if bed.snippet.on_oversize == "fail":
        bed.fails(run, "longer than 1000 characters")
        return
    status = "truncated" if not strings else "succeeded"
    outputs = bed.succeeds(run, None, status)
    cut = [outputs[name] for name in strings] or [outputs["response_text"]]
    assert all(len(text) == 1000 and text.endswith("longer than 1000 characters]") for text in cut)


# --- workflow outputs ---------------------------------------------------------------------------


@scenario(typed)
def typed_outputs_that_are_null(bed: VariantBed) -> None:
    run = bed.run(bed.app(outputs={name: None for name in bed.typed}))
    outputs = bed.succeeds(run)
    assert all(outputs[name] == EMPTIES.get(kind, []) for name, kind in bed.typed.items())


@scenario(typed)
def typed_outputs_of_the_wrong_type(bed: VariantBed) -> None:
    wrong = {
        "string": 5,
        "number": True,
        "boolean": "yes",
        "object": [],
        "array[string]": [1],
        "array[number]": [False],
        "array[object]": ["x"],
        "array[boolean]": [1],
    }
    for name, kind in bed.typed.items():
        outputs = {other: SAMPLES[k] for other, k in bed.typed.items()}
        outputs[name] = wrong[kind]
        bed.fails(
            bed.run(bed.app(outputs=outputs)),
            f"output {name!r} is {type(wrong[kind]).__name__}, not the declared {kind}",
        )


@scenario(typed)
def a_typed_output_the_workflow_lacks(bed: VariantBed) -> None:
    bed.fails(bed.run(bed.app(outputs={"other": 1})), "has no output")


@scenario(lambda variant: variant.app == "workflow")
def workflow_outputs_that_are_not_an_object(bed: VariantBed) -> None:
    bed.fails(bed.run(bed.app(outputs=[1, 2])), "outputs are not an object")


@scenario(lambda variant: variant.workflow_json)
def workflow_outputs_that_are_null(bed: VariantBed) -> None:
    def stream(request):
        *start, finished = standard_stream(request)
        return start + [Event(dict(finished.payload, data=dict(finished.payload["data"], outputs=None)))]

    bed.succeeds(bed.run(bed.app(scenario=stream)), "{}")


# --- HTTP errors ---------------------------------------------------------------------------------


def _http_error(
    bed: VariantBed, status: int, body: bytes, content_type: str = "application/json", fragment: str = ""
) -> str:
    app = bed.app(status=status, error_body=body, error_content_type=content_type)
    return bed.fails(bed.run(app), fragment or f"HTTP {status}")


@scenario()
def a_wrong_api_key(bed: VariantBed) -> None:
    bed.fails(
        bed.run(bed.app(), key="app-not-a-real-key"),
        "HTTP 401 unauthorized: Access token is invalid. Hint: use the API key of the app you are calling",
    )


@scenario()
def the_ssrf_proxy_page(bed: VariantBed) -> None:
    _http_error(
        bed,
        403,
        b"<html><body>ERROR: The requested URL could not be retrieved</body></html>",
        "text/html",
        "HTTP 403. Hint: the sandbox's SSRF proxy refused",
    )


@scenario()
def a_wrong_base_url(bed: VariantBed) -> None:
    if bed.route == "code":
        base = (bed.dify.tls_base_url if bed.https else bed.dify.base_url)[: -len("/v1")] + "/v2"
        run = bed.run(bed.app(), base=base, conversation_id=SOMEONE_ELSES)
    else:
        run = bed.run(bed.app(), path="/nope")
    bed.fails(
        run,
        "HTTP 404 not_found: The requested URL was not found on the server.. Hint: check base_url",
        SOMEONE_ELSES if bed.route == "code" and bed.variant.conversation else "",
    )


@scenario()
def every_hinted_error(bed: VariantBed) -> None:
    for status, code, message, fragment in [
        (429, "too_many_requests", "Too many requests.", "retry later"),
        (429, "rate_limit_error", "Rate limit exceeded", "quota is used up"),
        (400, "app_unavailable", "App unavailable", "publish"),
        (400, "provider_not_initialize", "No valid model provider", "model provider's credentials"),
        (500, "internal_server_error", "boom", "HTTP 500 internal_server_error: boom. Hint: the Dify API failed"),
    ] + [
        (403, code, "Forbidden.", f"HTTP 403 {code}: Forbidden.. Hint: {hint}")
        for code, hint in FORBIDDEN_HINTS.items()
    ]:
        _http_error(
            bed, status, json.dumps({"code": code, "message": message, "status": status}).encode(), fragment=fragment
        )
    _http_error(bed, 502, b"Bad Gateway", "text/plain", "HTTP 502: Bad Gateway. Hint: the Dify API failed")


@scenario()
def errors_without_a_hint(bed: VariantBed) -> None:
    for status, body, content_type, fragment in [
        (
            400,
            b'{"code": "invalid_param", "message": "Something else", "status": 400}',
            "application/json",
            "HTTP 400 invalid_param: Something else",
        ),
        (400, b"{oops", "application/json", "HTTP 400"),
        (400, b"[1]", "application/json", "HTTP 400"),
    ]:
        assert "Hint" not in _http_error(bed, status, body, content_type, fragment)


@scenario()
def a_key_of_another_app_kind(bed: VariantBed) -> None:
    other = {"workflow": "chat", "completion": "chat"}.get(bed.snippet.app, "workflow")
    fragment = (
        "is a completion app's" if bed.snippet.app == "completion" else "the key belongs to an app of another kind"
    )
    bed.fails(bed.run(bed.app(other)), fragment)


@scenario()
def an_input_the_app_requires(bed: VariantBed) -> None:
    fragment = "use template 'variables'" if bed.snippet.template == "single" else "add it to the snippet's inputs"
    bed.fails(bed.run(bed.app(required_inputs=("language",))), fragment)


# --- typed inputs --------------------------------------------------------------------------------


def _typed_cases(entry) -> list[tuple[object, str | None]]:
    """(value, the failure it must give or None for success) for one typed spec input."""
    cases: list[tuple[object, str | None]] = [(None, "is required by the called app" if entry.required else None)]
    if entry.type in ("text-input", "paragraph"):
        cases.append((42, "must be text, not int"))
        if entry.max_length:
            cases.append(("x" * (entry.max_length + 1), f"characters; the called app takes {entry.max_length} at most"))
    elif entry.type == "select":
        cases.append(("fr", f"the called app takes one of: {', '.join(entry.options)}"))
    elif entry.type == "number":
        cases += [(5, None), ("2.5", None), ("deep", "must be a number, not 'deep'")]
    elif entry.type == "checkbox":
        cases += [(True, None), (1, None), ("maybe", "must be true or false")]
    elif entry.type == "json_object":
        cases += [
            ({"a": [1]}, None),
            ("{bad", "its text isn't JSON"),
            ("[1]", "must be an object, not list"),
            ("[" * 100_000, "is JSON nested too deeply to read"),  # json.loads' RecursionError
        ]
    elif entry.type == "file":
        cases += [
            (TOOL_FILE, None),
            (REMOTE_FILE, None),
            ("report.pdf", "must be a file"),
            ({**LOCAL_FILE, "related_id": None, "url": "/files/x"}, "can't be passed on"),
        ]
    elif entry.type == "file-list":
        cases += [([LOCAL_FILE, TOOL_FILE][: entry.max_length or 2], None), ("x", "must be a list of files")]
        if entry.max_length:
            cases.append(
                ([REMOTE_FILE] * (entry.max_length + 1), f"files; the called app takes {entry.max_length} at most")
            )
    return cases


@scenario(lambda variant: bool(variant.input_checks))
def typed_input_values(bed: VariantBed) -> None:
    """Each typed input, given right and wrong values: right ones reach the app as its form takes
    them (several inputs' right values share a run), wrong ones fail in the calling node (its
    request-body node on the http-node route) in one line, before any call."""
    right: dict[str, list] = {}
    wrong: list[tuple[str, object, str]] = []
    kinds = {entry.param: entry for entry in bed.snippet.inputs}
    for entry in bed.snippet.inputs:
        for value, failure in _typed_cases(entry):
            if failure is None:
                right.setdefault(entry.param, []).append(value)
            else:
                wrong.append((entry.param, value, failure))
    if bed.snippet.forward_files:
        right["files"] = [None, [LOCAL_FILE, REMOTE_FILE]]
        wrong.append(("files", "x", "must be a list of files"))
    for round_number in range(max(map(len, right.values()), default=0)):
        values = {param: options[round_number] for param, options in right.items() if round_number < len(options)}
        app = bed.app()
        answered(bed, app, bed.run(app, inputs=values))
        body = [r for r in bed.dify.requests if r["key"] == app.key][-1]["body"]
        for param, value in values.items():
            if param == "files":  # the request's own files
                assert body.get("files") == (forwarded("file-list", value) if value else None)
            elif value is None:
                assert kinds[param].key not in body["inputs"]
            else:
                assert body["inputs"][kinds[param].key] == forwarded(kinds[param].type, value), (param, value)
    for param, value, failure in wrong:
        app = bed.app()
        run = bed.run(app, inputs={param: value})
        assert [r for r in bed.dify.requests if r["key"] == app.key] == [], f"{param}={value!r} reached the app"
        if bed.route == "http-node":
            assert not run.ok and run.error.count("\n") == 1 and failure in run.error, run.error
        else:
            message = bed.fails(run, failure)
            assert message.startswith((f"input {param} ", f"input {param}:", f"input {param}[")), message


# --- what the request carries --------------------------------------------------------------------


def _fails_before_any_call(bed: VariantBed, app, run, fragment: str) -> str:
    """The node (the request-body node on the http-node route) failed in one line, nothing sent."""
    assert [r for r in bed.dify.requests if r["key"] == app.key] == [], "the call was made"
    if bed.route == "http-node":
        assert "Traceback" not in run.stderr and not run.ok and run.error.count("\n") == 1, run.error
        assert fragment in run.error, run.error
        return run.error
    return bed.fails(run, fragment)


@scenario()
def a_user_that_is_no_id(bed: VariantBed) -> None:
    """An unmapped `user` input arrives as None: one line naming the input, not a TypeError."""
    app = bed.app()
    message = _fails_before_any_call(bed, app, bed.run(app, inputs={"user": None}), "input user is None")
    assert "map it to sys.user_id" in message


@scenario()
def text_that_is_no_unicode(bed: VariantBed) -> None:
    """A lone surrogate (half of a UTF-16 pair, as a broken upstream node can make) has no UTF-8:
    the node says where it is in one line, not with a UnicodeEncodeError."""
    app = bed.app()
    if bed.variant.takes_query:
        run, field = bed.run(app, inputs={"query": "What \ud800 up?"}), '"query": "What '
    else:
        run, field = bed.run(app, user="user-\udfff"), '"user": "workflow-user-'
    message = _fails_before_any_call(bed, app, run, "is half of a UTF-16 surrogate pair, not text")
    assert field in message, message


# --- conversations -------------------------------------------------------------------------------


@scenario(lambda variant: variant.conversation)
def a_conversation_continues(bed: VariantBed) -> None:
    app = bed.app()
    first = bed.succeeds(bed.run(app), expected_answer(bed, app))
    second = bed.succeeds(bed.run(app, conversation_id=first["conversation_id"]), expected_answer(bed, app))
    assert second["conversation_id"] == first["conversation_id"]


@scenario(lambda variant: variant.conversation)
def a_conversation_id_that_is_no_uuid(bed: VariantBed) -> None:
    """Newer Dify refuses it (400), older Dify answered an unknown id with pings only: the node
    knows before any call, and restarts the conversation or fails naming the id."""
    app = bed.app(conversation_ids="pings")
    run = bed.run(app, conversation_id="turn-1 of chat 42")
    sent = [r["body"].get("conversation_id") for r in bed.dify.requests if r["key"] == app.key]
    if bed.variant.restarts_conversation:
        outputs = bed.succeeds(run, expected_answer(bed, app))
        assert outputs["conversation_id"].startswith(CONVERSATION_PREFIX) and sent == [""], sent
        return
    assert sent == [], f"the id reached the app: {sent}"
    fragment = "conversation_id 'turn-1 of chat 42' is not a conversation id"
    if bed.route == "http-node":  # the request-body node refuses it
        assert not run.ok and run.error.count("\n") == 1 and fragment in run.error, run.error
    else:
        bed.fails(run, fragment, "turn-1 of chat 42")


@scenario(lambda variant: variant.conversation)
def a_conversation_of_another_user(bed: VariantBed) -> None:
    app = bed.app()
    first = bed.succeeds(bed.run(app, user="alice"), expected_answer(bed, app))
    run = bed.run(app, user="bob", conversation_id=first["conversation_id"])
    if bed.variant.heals_stale_conversation:
        healed = bed.succeeds(run, expected_answer(bed, app))
        assert healed["conversation_id"] != first["conversation_id"]
    else:
        bed.fails(run, "`user` must be the same on every turn", first["conversation_id"])


# --- the code route's own ground: the key, time, the network --------------------------------------


@scenario(code_route)
def an_empty_or_strange_api_key(bed: VariantBed) -> None:
    bed.fails(bed.run(bed.app(), key="  "), "api_key is empty")
    bed.fails(bed.run(bed.app(), key="app-ключ"), "api_key is not an API key")


def _timed_out(bed: VariantBed, run, answer_so_far: str) -> None:
    # Ends by itself at its budget: the message (or the "timeout" status) is the snippet's own
    # decision; waiting for the callee (8 s of silence, then a close) would say the connection was
    # cut. The bound only excludes the sandbox's kill at 15 s, with room for a loaded machine.
    # (How close to the budget it ends is measured by benchmarks/time_window.py.)
    assert run.seconds < 14, run.seconds
    if bed.variant.partial_on_timeout:
        outputs = bed.succeeds(run, answer_so_far if bed.variant.streams_text else "", "timeout")
        assert all(outputs[name] == EMPTIES.get(kind, []) for name, kind in bed.typed.items())
    else:
        bed.fails(run, "no complete answer within the 3 s time budget")


def _first_event(bed: VariantBed) -> list:
    if bed.variant.streams_text:
        return [Event({"event": "agent_message" if bed.snippet.app == "agent" else "message", "answer": "so far"})]
    return [Event({"event": "workflow_started", "data": {}})]


@scenario(code_route)
def a_callee_that_goes_silent(bed: VariantBed) -> None:
    app = bed.app(scenario=lambda request: _first_event(bed) + [Sleep(8)])
    _timed_out(bed, bed.run(app), "so far")
    stops = [r for r in bed.dify.requests if r["key"] == app.key and r["path"].endswith("/stop")]
    route = "/v1/workflows/tasks/task-" if bed.snippet.app == "workflow" else f"/v1{bed.variant.endpoint}/task-"
    assert len(stops) == 1 and stops[0]["path"].startswith(route) and stops[0]["body"] == {"user": "workflow-user-1"}


@scenario(code_route)
def a_callee_silent_from_the_start_with_a_hanging_stop(bed: VariantBed) -> None:
    app = bed.app(scenario=lambda request: [Sleep(8)], stop_delay=8)
    _timed_out(bed, bed.run(app), "")


@scenario(code_route)
def a_callee_whose_stop_hangs(bed: VariantBed) -> None:
    app = bed.app(scenario=lambda request: _first_event(bed) + [Sleep(8)], stop_delay=8)
    _timed_out(bed, bed.run(app), "so far")


@scenario(code_route)
def a_flood_of_pings(bed: VariantBed) -> None:
    """Pings so dense that no read ever waits: the budget runs out between reads, not in one."""

    def flood(request):
        yield from _first_event(bed)
        until = time.monotonic() + 6
        while time.monotonic() < until:
            yield Raw(b"event: ping\n\n" * 50)

    _timed_out(bed, bed.run(bed.app(scenario=flood)), "so far")


@scenario(code_route)
def an_api_nobody_answers(bed: VariantBed) -> None:
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    scheme = "https" if bed.https else "http"
    message = bed.fails(
        bed.run(bed.app(), base=f"{scheme}://127.0.0.1:{port}/v1"), f"could not reach {scheme}://127.0.0.1:{port}/v1"
    )
    assert ("localhost is the sandbox itself" in message) == bed.variant.local_host


@scenario(code_route)
def through_the_sandbox_proxy(bed: VariantBed) -> None:
    variable = "HTTPS_PROXY" if bed.https else "HTTP_PROXY"
    for configured in ("{url}", "{address}"):  # with and without the scheme
        app = bed.app()
        with ForwardProxy() as proxy:
            value = configured.format(url=proxy.url, address=proxy.url.removeprefix("http://"))
            answered(bed, app, bed.run(app, env={variable: value}))
        assert len(proxy.seen) == 1 and proxy.seen[0].startswith("CONNECT " if bed.https else "POST http://")


@scenario(code_route)
def past_the_proxy_by_no_proxy(bed: VariantBed) -> None:
    app = bed.app()
    with ForwardProxy(refuse=True) as proxy:
        answered(
            bed,
            app,
            bed.run(app, env={"HTTPS_PROXY" if bed.https else "HTTP_PROXY": proxy.url, "NO_PROXY": "127.0.0.1"}),
        )
    assert proxy.seen == []


@scenario(code_route)
def refused_by_the_proxy(bed: VariantBed) -> None:
    with ForwardProxy(refuse=True) as proxy:
        run = bed.run(bed.app(), env={"HTTPS_PROXY" if bed.https else "HTTP_PROXY": proxy.url})
    fragment = "Tunnel connection failed: 403" if bed.https else "HTTP 403. Hint: the sandbox's SSRF proxy refused"
    assert "SSRF_PROXY_ALLOW_PRIVATE_IPS" in bed.fails(run, fragment)


@scenario(lambda variant: variant.code_route and variant.https)
def a_certificate_nobody_trusts(bed: VariantBed) -> None:
    bed.fails(bed.run(bed.app(), trust=False), "could not be verified")  # certifi's bundle
    bed.fails(bed.run(bed.app(), trust=False, env=without_certifi_env()), "could not be verified")  # the system's


# --- the HTTP-node route's own ground ----------------------------------------------------------------


@scenario(lambda variant: not variant.code_route)
def a_body_cut_by_the_http_node_limit(bed: VariantBed) -> None:
    # A tool's or node's big output streamed before the answer: the HTTP node keeps 1 MiB of it.
    big = {"event": "node_finished", "data": {"node_id": "tool", "outputs": {"text": "z" * 1_200_000}}}
    app = bed.app(scenario=lambda request: [Event(big)] + standard_stream(request))
    bed.fails(bed.run(app, cut_at=1024 * 1024), "1 MiB limit cut the stream")
