"""Rules for the names a spec may use: main() parameters, output names and file names."""

from __future__ import annotations

import keyword
import re

from generator.errors import shown

# Dify's rule for variable and output names in the UI (30 characters at most).
DIFY_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,29}")
# Soft keywords of every Python the sandbox may run (3.10 to 3.13); `type` since 3.12.
SOFT_KEYWORDS = frozenset({"_", "case", "match", "type"})
FIXED_PARAMETERS = ("api_key", "query", "user", "conversation_id", "files")
# Names main() itself uses, or that the generated module defines at top level: a parameter
# with one of these names would shadow it. tests/test_names.py checks this list against the
# generated code, so it can't fall behind the templates.
GENERATED_NAMES = frozenset(
    {
        "SystemExit",
        "str",
        "body",
        "inputs",
        "reply",
        "error",
        "main",
        "http",
        "json",
        "socket",
        "ssl",
        "time",
        "urllib",
        "re",
        "uuid",
        "pause",
        "_URL",
        "_TIME_BUDGET_SECONDS",
        "_STOP_RESERVE_SECONDS",
        "_MAX_ANSWER_CHARS",
        "_TRUNCATION_MARKER",
        "_MAX_LINE_BYTES",
        "_HTTP_NODE_MAX_BYTES",
        "_DifyCallError",
        "_OutOfTime",
        "_StaleConversation",
        "_Reply",
        "_ask_dify_app",
        "_post",
        "_stop_task",
        "_connect",
        "_proxy_for",
        "_tls_context",
        "_remaining",
        "_read_body",
        "_read_events",
        "_read_error",
        "_describe_transport_error",
        "_apply_event",
        "_check_run_status",
        "_finish_workflow",
        "_declared_output",
        "_is_string",
        "_is_number",
        "_is_boolean",
        "_is_object",
        "_is_string_list",
        "_is_number_list",
        "_is_object_list",
        "_is_boolean_list",
        "_within_limit",
        "_fit",
        "_too_long",
        "_ended_early",
        "_Paused",
        "_pause_of",
        "_pause_line",
        "_wrong_kind",
        "_split_reasoning",
        "_FORBIDDEN_HINTS",
        "_is_uuid",
        "_user",
        "_not_unicode",
        "body_text",
        "_not_a_conversation_id",
        "_object",
        "_answer_of",
        "_error_envelope",
        "_one_line",
        "_hint_for",
        "_parse_buffered_stream",
        "_InputError",
        "_required",
        "_text",
        "_limited_text",
        "_select",
        "_number",
        "_checkbox",
        "_json_object",
        "_file",
        "_files",
        "_limited_files",
    }
)
# Runner names Dify binds at module level after the user code (dify-facts §1).
RUNNER_NAMES = frozenset({"json", "b64decode", "inputs_obj", "output_obj", "output_json", "result"})
# Windows device names: a file called like one can't be created or checked out there.
DEVICE_NAMES = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{n}" for n in range(1, 10)} | {f"lpt{n}" for n in range(1, 10)}
)
FILE_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,63}")


def identifier_problem(name: str) -> str | None:
    """Why `name` can't be a Dify variable and main() parameter, or None when it can."""
    if not DIFY_NAME.fullmatch(name):
        return (
            f"{shown(name)} is not a Dify variable name (a letter or _, then letters, digits or _, "
            "30 characters at most)"
        )
    if keyword.iskeyword(name) or name in SOFT_KEYWORDS:
        return f"{shown(name)} is a Python keyword and can't be a main() parameter; rename it (e.g. {name + '_'!r})"
    if not can_bind(name):
        return f"{shown(name)} can't be assigned in Python (compile() refuses it); rename it (e.g. {name.strip('_')!r})"
    return None


def can_bind(name: str) -> bool:
    """Whether Python takes `name`, an ASCII name, as a parameter: an identifier, no keyword, and not
    `__debug__` (which parses but can't be assigned). Decided without compile(): a warm run checks thousands
    of names (tests/test_names.py holds it equal to compile's verdict)."""
    return name.isidentifier() and not keyword.iskeyword(name) and name != "__debug__"


def parameter_problem(name: str) -> str | None:
    """Why `name` can't be an extra main() parameter, or None when it can."""
    problem = identifier_problem(name)
    if problem:
        return problem
    if name in FIXED_PARAMETERS:
        return f"{shown(name)} is already a parameter of every snippet; pick another name"
    if name in GENERATED_NAMES or name in RUNNER_NAMES:
        return f"{shown(name)} is a name the generated code or Dify's runner uses; pick another name"
    return None


def file_name_problem(name: str) -> str | None:
    """Why `name` can't be an output file name, or None when it can."""
    if not FILE_NAME.fullmatch(name):
        return (
            f"{shown(name)} can't be a file name: use letters, digits, _ and - (64 at most), "
            "not starting with - or ., with no path separators"
        )
    if name.lower() in DEVICE_NAMES:
        return f"{shown(name)} is a reserved device name on Windows; pick another name"
    return None
