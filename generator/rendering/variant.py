"""A snippet's variant: every fact its generated files depend on, decided once; the only input of templates and DSL.

Every generation-time decision lives here: which outputs main() returns, which events the
stream handler knows, which ids the reply keeps, whether TLS, stale-conversation healing or
truncation code is emitted at all. The templates and the DSL writer only lay out text for
these answers. A spec value is kept only where it reaches a file (None elsewhere), so two
snippets with equal variants generate the same files, and an option whose change leaves the
variant equal does nothing: rendering/advice.py warns about it (tests/test_variant.py proves
both directions for every option).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from generator import dify
from generator.spec.model import Input, Snippet
from generator.spec.names import reader_name

# After a timeout the snippet asks the callee to stop its task (POST .../stop); this much of the
# time budget (a tenth of it, for small budgets) is kept for that call.
MAX_STOP_RESERVE_SECONDS = 0.4
INPUT_CHECK_ORDER = (
    "required",
    "text",
    "text_limit",
    "select",
    "number",
    "checkbox",
    "json_object",
    "file",
    "files",
    "files_limit",
)


@dataclass(frozen=True)
class Output:
    """One output of the Code node: its name, Dify type and the literal returned on failure."""

    name: str
    type: str

    @property
    def display_type(self) -> str:
        return dify.display_type(self.type)

    @property
    def empty(self) -> str:
        return dify.empty_literal(self.type)


@dataclass(frozen=True)
class WorkflowReader:
    """The generated predicate that tells whether a value has one declared workflow output type."""

    kind: str  # a Dify output type
    function: str
    check: str  # a Python condition on `value` that holds when the value has this type
    empty: str  # the literal returned for null

    @classmethod
    def of(cls, kind: str) -> WorkflowReader:
        item_kind = kind[len("array[") : -1] if kind.startswith("array[") else None
        base = item_kind or kind
        check = _ITEM_CHECKS[base]
        if item_kind:
            check = f"isinstance(value, list) and all({check.format(v='item')} for item in value)"
            return cls(kind, reader_name(kind), check, dify.EMPTY_ARRAY_LITERAL)
        return cls(kind, reader_name(kind), check.format(v="value"), dify.empty_literal(kind))


# The condition that a JSON value {v} has each scalar Dify type (bool is not a number).
_ITEM_CHECKS = {
    "string": "isinstance({v}, str)",
    "number": "type({v}) in (int, float)",  # not isinstance: a bool is an int
    "boolean": "isinstance({v}, bool)",
    "object": "isinstance({v}, dict)",
}


@dataclass(frozen=True)
class WorkflowOutput:
    name: str
    reader: WorkflowReader  # how its declared type is checked


def output_names(snippet: Snippet) -> tuple[str, ...]:
    """The outputs main() returns, in the order the header lists them."""
    names: list[str] = []
    if snippet.workflow_outputs:
        names += [name for name, _ in snippet.workflow_outputs]
    else:
        names.append("response_text")
    if snippet.template == "conversation":
        names.append("conversation_id")
    for extra in ("message_id", "usage"):
        if extra in snippet.extra_outputs:
            names.append(extra)
    if snippet.reasoning == "output" and snippet.app != "workflow":
        names.append("reasoning")
    if "status" in snippet.extra_outputs or snippet.on_timeout == "partial":
        names.append("status")
    if snippet.errors == "output":
        names.append("error")
    if reports_pause(snippet):
        names.append("human_input")
    return tuple(names)


def reports_pause(snippet: Snippet) -> bool:
    """A pause for human input is returned as outputs (the answer so far, status "paused" and the
    form's token in human_input) rather than failing the node: for apps that pause, where the node
    returns instead of failing (errors = "output", or on_timeout = "partial" on the code route)."""
    returns = snippet.errors == "output" or (snippet.route == "code" and snippet.on_timeout == "partial")
    return snippet.app in dify.PAUSING_APPS and returns


def outputs(snippet: Snippet) -> tuple[Output, ...]:
    """Each output with its Dify type, as the node must declare them."""
    declared = dict(snippet.workflow_outputs)
    return tuple(Output(name, declared.get(name) or dify.BUILT_IN_OUTPUTS[name]) for name in output_names(snippet))


@dataclass(frozen=True)
class Variant:
    """Everything a snippet's files depend on (besides the spec's name in their headers)."""

    # The spec's values, where they reach a file (None where they don't).
    name: str
    template: str
    app: str
    route: str
    base_url: str
    inputs: tuple[Input, ...]  # spec order
    dynamic: int
    user_prefix: str
    errors: str
    max_answer_chars: int | None  # None: no returned text can exceed a limit
    auto_generate_name: bool | None  # apps with conversations only
    query_input: str  # completion/workflow: the app input main()'s query fills ("" = none)
    forward_files: bool
    time_budget: float | None  # the code route only: the HTTP node waits on the other
    dsl: bool
    dsl_version: str | None  # with dsl only
    retries: int  # with dsl only (the calling node's retry_config)
    chatflow_caller: bool | None  # the calling app is a chatflow (query from sys.query, Answer node);
    # known where it shows: in the DSL, and in the request builder's header
    # The facts the values decide.
    outputs: tuple[Output, ...]
    endpoint: str  # the Service API route, e.g. /chat-messages
    url: str  # base_url + endpoint
    stop_url: str  # + task_id + "/stop": where a timed-out task is stopped ("" on the HTTP-node route)
    https: bool
    code_route: bool  # main() calls the app itself (else it parses what an HTTP node buffered)
    streams_text: bool  # the answer arrives as text events (every app kind but workflow)
    workflow_json: bool  # a workflow app whose outputs come back as one JSON string
    conversation: bool
    restarts_conversation: bool  # a stale or malformed conversation_id starts a new conversation
    heals_stale_conversation: bool  # ... and on the code route main() retries the call itself
    partial_on_timeout: bool
    truncates: bool  # an answer over the limit is cut (else it fails the call)
    limits_text: bool  # some returned text can exceed max_answer_chars
    typed_strings: bool  # a typed workflow output is a string
    ids: tuple[str, ...]  # the ids the reply takes from the first event
    keeps_status: bool
    keeps_usage: bool
    wrong_kind_code: str
    unavailable_means_wrong_kind: bool  # Dify answers another kind's key with app_unavailable (completion)
    stale_conversation_hint: bool  # a 404 about the conversation gets its own hint (one that doesn't heal)
    required_input_hint: str  # what to do when the called app requires an input main() doesn't send
    terminal_event: str
    stop_reserve: float  # seconds of the time budget kept for the stop call after a timeout
    local_host: bool  # base_url names this machine: inside the sandbox, that is the sandbox
    workflow_outputs: tuple[WorkflowOutput, ...]
    workflow_readers: tuple[WorkflowReader, ...]  # one per declared kind, in Dify's type order
    takes_query: bool  # main() has a query parameter
    required_inputs: tuple[Input, ...]  # inputs main() must be given (parameters without default)
    optional_inputs: tuple[Input, ...]  # typed inputs that may be left unmapped (default None)
    input_checks: tuple[str, ...]  # the _inputs helpers the typed inputs need, in a fixed order
    chat_route: bool  # called on /chat-messages, where agent, chat and chatflow apps all answer
    reports_pause: bool  # a Human Input pause is returned as outputs, not raised
    splits_reasoning: bool  # <think>...</think> is taken out of the answer
    reasoning_output: bool  # ... and returned as the `reasoning` output

    @property
    def reading_seconds(self) -> float:
        """How long the answer is read before the snippet gives up on it (code route)."""
        return round((self.time_budget or 0) - self.stop_reserve, 3)

    @property
    def workflow_output_names(self) -> tuple[str, ...]:
        return tuple(output.name for output in self.workflow_outputs)

    @property
    def output_names(self) -> tuple[str, ...]:
        return tuple(output.name for output in self.outputs)

    @property
    def app_mode(self) -> str:
        """The calling app's DSL mode: a chatflow is "advanced-chat"."""
        return "advanced-chat" if self.chatflow_caller else "workflow"


def _input_checks(inputs: tuple[Input, ...], forward_files: bool) -> tuple[str, ...]:
    """Which checking helpers the typed inputs (and forwarded files) need (templates/_inputs.py.jinja)."""
    needed = {"file", "files"} if forward_files else set()
    for entry in inputs:
        if entry.type in ("text-input", "paragraph"):
            needed.add("text_limit" if entry.max_length else "text")
        elif entry.type == "file-list":
            needed.update({"file", "files_limit" if entry.max_length else "files"})
        elif entry.type:
            needed.add(entry.type.replace("-", "_"))
        if entry.type and entry.required:
            needed.add("required")
    return tuple(check for check in INPUT_CHECK_ORDER if check in needed)


def _stop_url(snippet: Snippet, endpoint: str) -> str:
    """Dify stops a workflow run at /workflows/tasks/<id>/stop, any other at <endpoint>/<id>/stop."""
    if snippet.app == "workflow":
        return snippet.base_url + "/workflows/tasks/"
    return snippet.base_url + endpoint + "/"


def variant_of(snippet: Snippet) -> Variant:
    """Decide everything the options decide, once."""
    endpoint = dify.ENDPOINTS[snippet.app]
    kinds = dict(snippet.workflow_outputs)
    readers = {kind: WorkflowReader.of(kind) for kind in dify.OUTPUT_TYPES if kind in kinds.values()}
    names = output_names(snippet)
    code_route = snippet.route == "code"
    conversation = snippet.template == "conversation"
    streams_text = snippet.app != "workflow"
    workflow_json = snippet.app == "workflow" and not snippet.workflow_outputs
    typed_strings = any(kind == "string" for _, kind in snippet.workflow_outputs)
    limits_text = streams_text or workflow_json or typed_strings
    # A chat app's query is the request's own: query_input names an input of completion/workflow apps only.
    query_input = "" if snippet.app in dify.CONVERSATION_APPS else snippet.query_input
    takes_query = snippet.app in dify.CONVERSATION_APPS or bool(query_input)
    restarts_conversation = conversation and snippet.restart_stale_conversation
    heals = code_route and restarts_conversation
    wrong_kind_code = dify.WRONG_KIND_CODES[endpoint]
    # The calling app's kind shows in its DSL and, on the HTTP-node route, in the builder's
    # header (where the query comes from).
    shows_caller = snippet.dsl or (snippet.route == "http-node" and takes_query)
    ids = tuple(
        name
        for name, needed in (
            ("task_id", code_route),
            ("conversation_id", conversation),
            ("message_id", "message_id" in names),
        )
        if needed
    )
    return Variant(
        name=snippet.name,
        template=snippet.template,
        app=snippet.app,
        route=snippet.route,
        base_url=snippet.base_url,
        inputs=snippet.inputs,
        dynamic=snippet.dynamic,
        user_prefix=snippet.user_prefix,
        errors=snippet.errors,
        max_answer_chars=snippet.max_answer_chars if limits_text else None,
        auto_generate_name=snippet.auto_generate_name if snippet.app in dify.CONVERSATION_APPS else None,
        query_input=query_input,
        forward_files=snippet.forward_files,
        time_budget=snippet.time_budget if code_route else None,
        dsl=snippet.dsl,
        dsl_version=snippet.dsl_version if snippet.dsl else None,
        retries=snippet.retries if snippet.dsl else 0,
        chatflow_caller=(conversation or snippet.dsl_app == "chatflow") if shows_caller else None,
        outputs=outputs(snippet),
        endpoint=endpoint,
        url=snippet.base_url + endpoint,
        stop_url=_stop_url(snippet, endpoint) if code_route else "",
        https=urlsplit(snippet.base_url).scheme == "https",
        code_route=code_route,
        streams_text=streams_text,
        workflow_json=workflow_json,
        conversation=conversation,
        restarts_conversation=restarts_conversation,
        heals_stale_conversation=heals,
        partial_on_timeout=code_route and snippet.on_timeout == "partial",
        truncates=limits_text and snippet.on_oversize == "truncate",
        limits_text=limits_text,
        typed_strings=typed_strings,
        ids=ids,
        keeps_status="status" in names,
        keeps_usage="usage" in names,
        wrong_kind_code=wrong_kind_code,
        unavailable_means_wrong_kind=wrong_kind_code == "app_unavailable",
        stale_conversation_hint=conversation and not heals,
        required_input_hint=(
            "the called app requires that input: use template 'variables' and add it to the snippet's inputs"
            if snippet.template == "single"
            else "the called app requires that input: add it to the snippet's inputs"
        ),
        terminal_event=dify.TERMINAL_EVENTS[endpoint],
        stop_reserve=round(min(MAX_STOP_RESERVE_SECONDS, snippet.time_budget / 10), 3) if code_route else 0.0,
        local_host=urlsplit(snippet.base_url).hostname in dify.LOCAL_HOSTS,
        workflow_outputs=tuple(WorkflowOutput(name, readers[kind]) for name, kind in snippet.workflow_outputs),
        workflow_readers=tuple(readers.values()),
        takes_query=takes_query,
        required_inputs=tuple(entry for entry in snippet.inputs if entry.required),
        optional_inputs=tuple(entry for entry in snippet.inputs if not entry.required),
        input_checks=_input_checks(snippet.inputs, snippet.forward_files),
        chat_route=endpoint == "/chat-messages",
        reports_pause=reports_pause(snippet),
        splits_reasoning=streams_text and snippet.reasoning != "keep",
        reasoning_output="reasoning" in names,
    )
