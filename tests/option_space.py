"""The option space: every combination of the options that change the emitted code, and an all-pairs covering array of it.

Used by tests/test_option_space.py (the covering array, run as Code nodes against the emulator)
and by tests/static_pass.py (every combination rendered, formatted, linted, compiled, DSL loaded).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterator

from generator.dify import APP_KINDS, OUTPUT_TYPES
from generator.errors import UserError
from generator.spec import Snippet, build_snippet

# Every option whose value changes what is emitted, with each value it can take (lists: each
# subset of extra_outputs; workflow_outputs: none, numbers only (no string output to cut), or one
# of every Dify type). Options that only carry data (names, input keys, limits, prefixes) are
# held at one value: they are covered by the property tests instead.
EVERY_TYPE = {f"out_{kind.replace('[', '_').rstrip(']')}": kind for kind in OUTPUT_TYPES}
FACTORS: dict[str, tuple] = {
    "template": ("single", "variables", "conversation"),
    "app": APP_KINDS,
    "errors": ("raise", "output"),
    "on_timeout": ("fail", "partial"),
    "on_oversize": ("truncate", "fail"),
    "route": ("code", "http-node"),
    "extra_outputs": tuple(
        tuple(subset) for size in range(4) for subset in itertools.combinations(("message_id", "usage", "status"), size)
    ),
    "workflow_outputs": ((), (("score", "number"),), tuple(EVERY_TYPE.items())),
    "restart_stale_conversation": (True, False),
    "auto_generate_name": (False, True),
    "dsl_app": ("workflow", "chatflow"),
}
# The runtime pass also varies what decides the transport: the scheme of base_url and whether
# it names this machine (http://localhost gets the "localhost is the sandbox itself" hint).
BASE_URLS = ("https://api.dify.ai/v1", "http://api:5001/v1", "http://localhost/v1")
# ... and whether main()'s query fills the input "query" of a completion/workflow app, or there is none.
QUERY_INPUTS = ("query", "")
# Input shapes: untyped fixed inputs, dynamic pairs, and typed inputs of every Dify type
# ("typed": limits, files and required/optional mixed; "typed_text": no files (so the
# http-node route can take them) and no limits).
INPUT_SHAPES = {
    "fixed": {"inputs": {"topic": "topic", "客户 名称": "customer"}},
    "dynamic": {"dynamic": 2},
    "typed": {
        "inputs": {
            "title": {"param": "title", "type": "text-input", "max_length": 12},
            "lang": {"param": "language", "type": "select", "options": ["en", "de"]},
            "depth": {"param": "depth", "type": "number", "required": False},
            "strict": {"param": "strict", "type": "checkbox"},
            "config": {"param": "config", "type": "json_object", "required": False},
            "doc": {"param": "doc", "type": "file"},
            "pics": {"param": "pics", "type": "file-list", "max_length": 2, "required": False},
            "attachments": {"param": "attachments", "type": "file-list"},
        },
        "forward_files": True,
    },
    "typed_text": {
        "inputs": {
            "notes": {"param": "notes", "type": "paragraph", "required": False},
            "lang": {"param": "language", "type": "select", "options": ["en", "de"], "required": False},
            "pages": {"param": "pages", "type": "number"},
            "draft": {"param": "draft", "type": "checkbox", "required": False},
            "extra": {"param": "extra", "type": "json_object"},
        }
    },
}


def snippet(name: str = "variant", **options: object) -> Snippet:
    """Build a Snippet the way the loader does; UserError when the loader refuses the combination."""

    def fail(where: str, problem: str) -> UserError:
        return UserError(f"{where}: {problem}")

    raw = dict(options, name=name, dsl=True)
    for key in ("workflow_outputs", "inputs"):
        if key in raw:
            raw[key] = dict(raw[key])
    if "extra_outputs" in raw:
        raw["extra_outputs"] = list(raw["extra_outputs"])
    return build_snippet(raw, fail, lambda key: key)


def every_combination() -> Iterator[tuple[dict, Snippet | UserError]]:
    """(options, Snippet or the loader's refusal) for every combination of FACTORS."""
    keys = list(FACTORS)
    for values in itertools.product(*(FACTORS[key] for key in keys)):
        options = dict(zip(keys, values, strict=True))
        if options["template"] != "single":
            options.update(INPUT_SHAPES["fixed"])
        try:
            yield options, snippet(**options)
        except UserError as refusal:
            yield options, refusal


def covering_array(pool_size: int = 3000) -> list[dict]:
    """Combinations (the loader accepts) that together hold every pair of values of any two
    factors that the loader allows together, the base URL, query_input and the input shape among them.

    Greedy over a seeded sample of the accepted combinations (the same rows on every run), then
    one combination for each pair the sample missed.
    """
    factors = dict(FACTORS, base_url=BASE_URLS, query_input=QUERY_INPUTS, inputs=tuple(INPUT_SHAPES))
    value_ids = {(key, value): index for index, (key, value) in enumerate((k, v) for k in factors for v in factors[k])}

    def pairs(row: dict) -> frozenset[int]:
        ids = [value_ids[key, row[key]] for key in factors]
        return frozenset(a * len(value_ids) + b for a, b in itertools.combinations(ids, 2))

    accepted = [(row, pairs(row)) for row, result in _candidates(factors) if isinstance(result, Snippet)]
    uncovered = set().union(*(row_pairs for _, row_pairs in accepted))
    pool = random.Random(0).sample(accepted, min(pool_size, len(accepted)))
    rows: list[dict] = []
    while uncovered:
        best, best_pairs = max(pool, key=lambda candidate: len(candidate[1] & uncovered))
        if not best_pairs & uncovered:  # the sample holds no missing pair: search them all
            best, best_pairs = next(candidate for candidate in accepted if candidate[1] & uncovered)
        rows.append(best)
        uncovered -= best_pairs
    return rows


def options_of(row: dict) -> dict:
    """The spec options of a covering-array row (its input shape expanded)."""
    options = {key: value for key, value in row.items() if key != "inputs"}
    if row["template"] != "single":
        options.update(INPUT_SHAPES[row["inputs"]])
    return options


def _candidates(factors: dict[str, tuple]) -> Iterator[tuple[dict, Snippet | UserError]]:
    keys = list(factors)
    for values in itertools.product(*(factors[key] for key in keys)):
        row = dict(zip(keys, values, strict=True))
        if row["template"] == "single" and row["inputs"] != "fixed":
            continue  # single takes no inputs: one row stands for it
        try:
            yield row, snippet(**options_of(row))
        except UserError as refusal:
            yield row, refusal
