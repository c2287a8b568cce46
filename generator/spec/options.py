"""The per-snippet options, defined once so the spec loader, `render` flags and docs never drift."""

from __future__ import annotations

from dataclasses import dataclass

from generator.dify import APP_KINDS, DEFAULT_QUERY_INPUT, MAX_RETRIES, MAX_STRING_LENGTH

TEMPLATES = ("single", "variables", "conversation")
EXTRA_OUTPUTS = ("message_id", "usage", "status")
MAX_DYNAMIC_PAIRS = 50
REASONING_MODES = ("keep", "strip", "output")


@dataclass(frozen=True)
class Option:
    """One per-snippet option: its spec key, value kind, default and `render` flag."""

    key: str
    kind: str  # choice | text | int | number | bool | map | list
    default: object
    help: str
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    flag: str = ""  # the `render` flag; derived from the key when empty
    metavar: str = ""
    # False for the options of `check --against-apps` (verify_*): they change no generated file,
    # so "does nothing here" (rendering/advice.py) never applies to them.
    generates: bool = True

    @property
    def flag_name(self) -> str:
        return self.flag or "--" + self.key.replace("_", "-")


OPTIONS: tuple[Option, ...] = (
    Option(
        "template",
        "choice",
        None,
        "Which main() to generate: single-shot, with the callee's inputs, or a continued conversation.",
        choices=TEMPLATES,
    ),
    Option(
        "app",
        "choice",
        "agent",
        "Kind of the called Dify app; decides the endpoint and which events carry the answer.",
        choices=APP_KINDS,
    ),
    Option(
        "inputs",
        "map",
        {},
        "Fixed inputs of the called app: input key (as the callee names it) -> main() parameter, or a table "
        'for a typed input (render: KEY={"param": ..., "type": ...} in JSON).',
        flag="--input",
        metavar="KEY=PARAM",
    ),
    Option(
        "dynamic",
        "int",
        0,
        "Number of dynamic name/value pairs (var_name_N, var_input_N) passed into the callee's inputs.",
        minimum=0,
        maximum=MAX_DYNAMIC_PAIRS,
    ),
    Option(
        "base_url",
        "text",
        "https://api.dify.ai/v1",
        "Service API base URL as the sandbox reaches it (self-hosted: e.g. http://api:5001/v1).",
    ),
    Option(
        "user_prefix",
        "text",
        "workflow-",
        "Prefix put before the `user` input; applied the same way in every template.",
    ),
    Option(
        "time_budget",
        "number",
        13.5,
        "Seconds the whole call may take, stopping a timed-out task included; the snippet ends by itself within it.",
        minimum=1.0,
        maximum=600.0,
    ),
    Option(
        "on_timeout",
        "choice",
        "fail",
        "At the time budget: fail, or return the partial answer with status 'timeout'.",
        choices=("fail", "partial"),
    ),
    Option(
        "errors",
        "choice",
        "raise",
        "On failure: raise (the node fails with one line) or output (an `error` output, empty answer).",
        choices=("raise", "output"),
    ),
    Option(
        "max_answer_chars",
        "int",
        MAX_STRING_LENGTH,
        "Longest answer returned (Dify's CODE_MAX_STRING_LENGTH; 80000 on older installs).",
        minimum=1_000,
        maximum=10_000_000,
    ),
    Option(
        "on_oversize",
        "choice",
        "truncate",
        "An answer over max_answer_chars: truncate it with a visible marker, or fail.",
        choices=("truncate", "fail"),
    ),
    Option(
        "auto_generate_name",
        "bool",
        False,
        "Let the callee title new conversations (an extra hidden LLM call).",
    ),
    Option(
        "restart_stale_conversation",
        "bool",
        True,
        "conversation template: on 'Conversation Not Exists' start a new conversation.",
    ),
    Option(
        "extra_outputs",
        "list",
        (),
        "Extra outputs to return: message_id, usage (object), status.",
        choices=EXTRA_OUTPUTS,
        flag="--extra-output",
        metavar="NAME",
    ),
    Option(
        "workflow_outputs",
        "map",
        {},
        "app = workflow: the callee's outputs to return as outputs of their own (name -> type); "
        "without them the outputs come back as one JSON string in response_text.",
        flag="--workflow-output",
        metavar="NAME=TYPE",
    ),
)

OPTIONS += (
    Option(
        "query_input",
        "text",
        DEFAULT_QUERY_INPUT,
        "completion and workflow apps: the app's input that main()'s query fills; \"\" for none (main() then "
        "takes no query). Chat apps get the query as their query.",
    ),
    Option(
        "forward_files",
        "bool",
        False,
        "Add a `files` input (map sys.files) whose files go to the called app as the request's files "
        "(the app must allow file upload).",
    ),
    Option(
        "verify_key_env",
        "text",
        "",
        "The environment variable that holds the called app's API key for `check --against-apps` "
        "(the name only; the key itself never goes in the spec).",
        generates=False,
    ),
    Option(
        "verify_base_url",
        "text",
        "",
        "Where `check --against-apps` reaches the app's API from CI [default: base_url].",
        generates=False,
    ),
    Option(
        "route",
        "choice",
        "code",
        "code: the Code node calls the app (15 s sandbox limit). http-node: an HTTP Request node "
        "calls it (up to 600 s) and the Code node only parses the buffered stream.",
        choices=("code", "http-node"),
    ),
    Option(
        "dsl",
        "bool",
        False,
        "Also write <name>.yml: a Dify app (DSL) wired around the snippet, ready for Import DSL file.",
    ),
    Option(
        "dsl_app",
        "choice",
        "workflow",
        "The DSL app for single/variables: a workflow (End node) or a chatflow (query from sys.query, Answer node).",
        choices=("workflow", "chatflow"),
    ),
    Option(
        "dsl_version",
        "text",
        "0.1.5",
        "The DSL's version string: 0.6.0 for Dify 1.15, 0.7.0 for Dify 1.16 and newer, 0.1.5 for older "
        "ones. Dify asks to confirm a newer version than its own, warns for an older minor.",
    ),
    Option(
        "reasoning",
        "choice",
        "keep",
        "Reasoning models' <think>...</think> text in the answer: keep it, strip it, or output it as a "
        "`reasoning` output of its own (the answer without it).",
        choices=REASONING_MODES,
    ),
    Option(
        "retries",
        "int",
        0,
        "dsl = true: the app's Code node retries a failed run this many times, 1 s apart (Dify's retry_config).",
        minimum=0,
        maximum=MAX_RETRIES,
    ),
)
