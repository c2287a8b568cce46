"""Warnings about a valid snippet that won't do in Dify what its author likely expects (printed, never fatal).

"Does nothing here" is derived, not kept by hand: an option does nothing exactly when every
other value it could take (that the loader accepts with the snippet's other options) gives the
same variant, the description every generated file is made from (rendering/variant.py).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from urllib.parse import urlsplit

from generator.cache import TextCache, default_directory
from generator.dify import LOCAL_HOSTS, SANDBOX_KILL_SECONDS
from generator.errors import shown
from generator.package import code_fingerprint
from generator.rendering.variant import variant_of
from generator.spec.load import combination_problem
from generator.spec.model import Input, Snippet, Spec
from generator.spec.options import OPTIONS, Option

Locate = Callable[[str], str]
GENERATING = {option.key: option for option in OPTIONS if option.generates}


def spec_warnings(spec: Spec) -> tuple[str, ...]:
    """Every snippet's warnings, each told once (a problem of [defaults] is shared by many snippets).
    Deciding "does nothing" compares variants (~0.6 ms a snippet), so a spec's warnings are kept in
    the content cache, keyed on the spec and this package's code: a warm `check` repeats none of it."""
    cache = TextCache(default_directory(), "warnings; " + code_fingerprint())
    key = repr(spec.snippets) + repr(
        [
            (origin.label, origin.where, sorted(origin.entry_keys), sorted(origin.default_keys))
            for origin in spec.origins
        ]
    )  # what the warnings depend on, in a fixed order (frozensets' order varies between runs)
    stored = cache.get(key)
    if stored is not None:
        return tuple(json.loads(stored))
    warnings: dict[str, None] = {}
    for snippet, origin in zip(spec.snippets, spec.origins, strict=True):
        for warning in snippet_warnings(snippet, origin.entry_keys, origin.locate, origin.default_keys):
            warnings[origin.label + warning] = None
    cache.put(key, json.dumps(list(warnings)))
    return tuple(warnings)


def snippet_warnings(
    snippet: Snippet, given: frozenset[str], locate: Locate, defaults: frozenset[str] = frozenset()
) -> list[str]:
    """One line per problem: `where: what happens; what to do`. `given` are the options the
    user set for this snippet itself; an option that does nothing is only worth a warning there.
    `defaults` are the options the spec's [defaults] set."""
    warnings = []

    def warn(key: str, problem: str) -> None:
        warnings.append(f"{locate(key)}: {problem}")

    for key in sorted(given & GENERATING.keys()):
        if not has_effect(snippet, GENERATING[key]):
            warn(
                key,
                "does nothing here: every value gives this snippet the same files (its template, "
                "app, route or other options leave it unused); remove it",
            )
    if snippet.app == "workflow" and snippet.query_input and "query_input" not in given | defaults:
        warn(
            "query_input",
            f"is not set, so main() takes a query for the workflow's input {shown(snippet.query_input)} (the "
            "default), and a Workflow caller has no sys.query to map to it; if the called workflow has no such "
            'input, set query_input = "" (main() then takes none), else name it here to say so',
        )
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


def has_effect(snippet: Snippet, option: Option) -> bool:
    """Whether another value of `option` changes the snippet's variant. An option whose other values
    the loader refuses with these other options is pinned by them, not idle: it has an effect."""
    variant = variant_of(snippet)
    accepted = [
        changed
        for changed in (
            replace(snippet, **{option.key: value}) for value in other_values(option, getattr(snippet, option.key))
        )
        if combination_problem(changed) is None
    ]
    return not accepted or any(variant_of(changed) != variant for changed in accepted)


def other_values(option: Option, value: object) -> Iterator[object]:
    """Values of `option` other than `value`, enough to tell whether it matters: every choice, the
    other truth value, a neighbouring number, another text, an empty and a non-empty table."""
    if option.kind == "choice":
        yield from (choice for choice in option.choices if choice != value)
    elif option.kind == "bool":
        yield not value
    elif option.kind in ("int", "number"):
        low = option.minimum if option.minimum is not None else 0
        high = option.maximum if option.maximum is not None else float("inf")
        step = 1 if option.kind == "int" else value / 2 or 1
        yield from (number for number in (value + step, value - step, low) if low <= number <= high and number != value)
    elif option.kind == "text":
        yield from (text for text in (value + "x" if value else "x", "") if text != value)
    else:  # map (inputs) or list (extra_outputs, workflow_outputs): empty, and one entry
        yield from (alternative for alternative in _one_entry(option.key) if alternative != value)


def _one_entry(key: str) -> Iterator[tuple]:
    yield ()
    if key == "inputs":
        yield (Input(key="other_input", param="other_input"),)
    elif key == "workflow_outputs":
        yield (("other_output", "string"),)
    elif key == "extra_outputs":
        yield ("status",)
