"""Warnings about a valid snippet that won't do in Dify what its author likely expects (printed, never fatal)."""

from __future__ import annotations

from typing import Callable
from urllib.parse import urlsplit

from generator.dify import CONVERSATION_APPS, LOCAL_HOSTS, SANDBOX_KILL_SECONDS
from generator.errors import shown

Locate = Callable[[str], str]


def snippet_warnings(snippet, given: frozenset[str], locate: Locate) -> list[str]:  # snippet: spec.Snippet
    """One line per problem: `where: what happens; what to do`. `given` are the options the
    user set for this snippet itself; an option that does nothing is only worth a warning there."""
    warnings = []

    def warn(key: str, problem: str) -> None:
        warnings.append(f"{locate(key)}: {problem}")

    unused = _options_without_effect(snippet)
    for key in sorted(given & unused.keys()):
        warn(key, f"does nothing here: {unused[key]}; remove it")
    url = urlsplit(snippet.base_url)
    if url.hostname in LOCAL_HOSTS:
        warn(
            "base_url",
            f"{shown(snippet.base_url)} points at localhost, which inside Dify's sandbox is the sandbox itself; "
            "use the API's address as the sandbox sees it (docker compose: http://api:5001/v1)",
        )
    if not url.path.rstrip("/").endswith("/v1"):
        warn(
            "base_url",
            f"{shown(snippet.base_url)} doesn't end in /v1, where Dify's Service API lives "
            "(https://api.dify.ai/v1, http://api:5001/v1); check it",
        )
    if snippet.route == "code" and snippet.time_budget > SANDBOX_KILL_SECONDS:
        warn(
            "time_budget",
            f"{snippet.time_budget:g} s is more than the {SANDBOX_KILL_SECONDS} s self-hosted Dify's sandbox "
            "allows a Code node (SANDBOX_WORKER_TIMEOUT): it kills the node first unless you raised that",
        )
    return warnings


def _options_without_effect(snippet) -> dict[str, str]:
    """Option key -> why it has no effect for this snippet's template, app and route."""
    unused = {}
    if snippet.template != "conversation":
        unused["restart_stale_conversation"] = "only the conversation template continues conversations"
    if snippet.app not in CONVERSATION_APPS:
        unused["auto_generate_name"] = f"a {snippet.app} app has no conversations to name"
    else:
        unused["query_input"] = f"a {snippet.app} app gets the query as the request's query, not as an input"
    if snippet.app == "workflow":
        unused["reasoning"] = "a workflow app's outputs are not a text answer (reasoning applies to agent, chat, chatflow and completion apps)"
    if not snippet.dsl:
        for key in ("dsl_app", "dsl_version", "retries"):
            unused[key] = "no app file is written without dsl = true"
    if snippet.route == "http-node":
        reason = "on the http-node route the HTTP Request node waits for the answer (its own timeouts apply)"
        unused["time_budget"] = reason
        unused["on_timeout"] = reason
    return unused
