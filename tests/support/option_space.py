"""The option space: every combination of the options that change the emitted code, and an all-pairs covering array.

Used by tests/test_option_space.py (the covering array, run as Code nodes against the emulator)
and by tests/static_pass.py (every combination rendered, formatted, linted, compiled, DSL loaded).
"""

from __future__ import annotations

import ast
import fcntl
import functools
import hashlib
import itertools
import os
import random
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

from generator.dify import OUTPUT_TYPES
from generator.errors import UserError
from generator.spec.load import build_snippet
from generator.spec.model import Snippet
from generator.spec.options import EXTRA_OUTPUTS, OPTIONS

# Every option whose value changes what is emitted, with each value it can take (lists: each
# subset of extra_outputs; workflow_outputs: none, numbers only (no string output to cut), or one
# of every Dify type). Options that only carry data (names, input keys, limits, prefixes) are
# held at one value: they are covered by the property tests instead.
EVERY_TYPE = {f"out_{kind.replace('[', '_').rstrip(']')}": kind for kind in OUTPUT_TYPES}
BY_KEY = {option.key: option for option in OPTIONS}


def every_value(key: str) -> tuple:
    """Every value of a choice or bool option, from its definition in OPTIONS (a bool's default first)."""
    option = BY_KEY[key]
    return (option.default, not option.default) if option.kind == "bool" else option.choices


FACTORS: dict[str, tuple] = {
    **{key: every_value(key) for key in ("template", "app", "errors", "on_timeout", "on_oversize", "route")},
    "extra_outputs": tuple(
        tuple(subset)
        for size in range(len(EXTRA_OUTPUTS) + 1)
        for subset in itertools.combinations(EXTRA_OUTPUTS, size)
    ),
    "workflow_outputs": ((), (("score", "number"),), tuple(EVERY_TYPE.items())),
    **{key: every_value(key) for key in ("restart_stale_conversation", "auto_generate_name", "dsl_app")},
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


# Factors the loader never refuses over: an accepted combination stays accepted whatever their
# value. The input shape is accepted or refused with the template, app and route alone.
# tests/test_option_space.py checks both on a sample, so the covering array can rely on them.
FREE_FACTORS = {
    "base_url": BASE_URLS,
    "query_input": QUERY_INPUTS,
    "reasoning": every_value("reasoning"),
    "retries": (0, 3),
}
SHAPE_DEPENDS_ON = ("template", "app", "route")


REPO = Path(__file__).resolve().parents[2]
# Computed rows are kept here, keyed by the sources they depend on: both test processes (and
# later runs) read them instead of asking the loader about 46,080 combinations again.
ROWS_CACHE = Path(tempfile.gettempdir()) / "dify-codenode-tests"


def _sources_key() -> str:
    """A digest of the Python, this module and every file of the generator package."""
    digest = hashlib.sha256(sys.version.encode())
    for path in sorted(REPO.joinpath("generator").rglob("*")) + [Path(__file__)]:
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(REPO).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def _kept(name: str, compute: Callable[[], list[dict]]) -> list[dict]:
    """compute(), or what an earlier call with the same sources stored; one process computes at a
    time. A folder it can't use (another user's, a read-only temp dir) only costs the computing."""
    try:
        ROWS_CACHE.mkdir(exist_ok=True)
        lock = open(ROWS_CACHE / f"{name}.lock", "w")  # held (and closed) by the with-block below
    except OSError:
        return compute()
    stored = ROWS_CACHE / f"{name}-{_sources_key()}.txt"
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            return ast.literal_eval(stored.read_text(encoding="utf-8"))
        except (OSError, ValueError, SyntaxError):
            pass
        rows = compute()
        partial = stored.with_suffix(f".{os.getpid()}.tmp")
        try:
            partial.write_text(repr(rows), encoding="utf-8")
            os.replace(partial, stored)
            _prune(name)
        except OSError:
            pass
        return rows


def _prune(name: str, keep: int = 3) -> None:
    """Each change of the sources stores new rows (the accepted rows are 11 MB): keep the newest
    few, so other checkouts' rows stay, and remove the rest. Called under the name's lock."""
    stored = sorted(ROWS_CACHE.glob(f"{name}-*.txt"), key=lambda path: path.stat().st_mtime, reverse=True)
    for path in stored[keep:]:
        path.unlink(missing_ok=True)


@functools.cache
def covering_array() -> list[dict]:
    """The covering array (_covering_array), computed once per change of the sources."""
    return _kept("covering-array", _covering_array)


def _covering_array(pool_size: int = 3000) -> list[dict]:
    """Combinations (the loader accepts) that together hold every pair of values of any two
    factors that the loader allows together, the base URL, query_input and the input shape among them.

    Greedy over a seeded sample of the accepted combinations (the same rows on every run), then
    one combination for each pair the sample missed.
    """
    factors = dict(FACTORS, inputs=tuple(INPUT_SHAPES), **FREE_FACTORS)
    value_ids = {(key, value): index for index, (key, value) in enumerate((k, v) for k in factors for v in factors[k])}

    def pairs(row: dict) -> frozenset[int]:
        ids = [value_ids[key, row[key]] for key in row]
        return frozenset(min(a, b) * len(value_ids) + max(a, b) for a, b in itertools.combinations(ids, 2))

    candidates = accepted_rows()  # every accepted combination of FACTORS and the input shape
    possible = set().union(*(pairs(row) for row in candidates))
    seen = {(key, row[key]) for row in candidates for key in row}
    for free_key, free_values in FREE_FACTORS.items():  # free values pair with everything that occurs
        for free_value in free_values:
            free_id = value_ids[free_key, free_value]
            for other in seen | {(k, v) for k, values in FREE_FACTORS.items() if k != free_key for v in values}:
                other_id = value_ids[other]
                possible.add(min(free_id, other_id) * len(value_ids) + max(free_id, other_id))
    chooser = random.Random(0)

    def completed(row: dict) -> dict:
        return dict(row, **{key: chooser.choice(values) for key, values in FREE_FACTORS.items()})

    pool = [(row, pairs(row)) for row in map(completed, chooser.sample(candidates, min(pool_size, len(candidates))))]
    uncovered = set(possible)
    rows: list[dict] = []
    while uncovered:
        best, best_pairs = max(pool, key=lambda candidate: len(candidate[1] & uncovered))
        if not best_pairs & uncovered:  # the sample holds no missing pair: search them all
            best, best_pairs = next(
                (full, full_pairs)
                for row in candidates
                for free in itertools.product(*FREE_FACTORS.values())
                for full in [dict(row, **dict(zip(FREE_FACTORS, free, strict=True)))]
                for full_pairs in [pairs(full)]
                if full_pairs & uncovered
            )
        rows.append(best)
        uncovered -= best_pairs
    return rows


@functools.cache
def accepted_rows() -> list[dict]:
    """accepted_rows_of_the_loader(), computed once per change of the sources."""
    return _kept("accepted-rows", accepted_rows_of_the_loader)


def accepted_rows_of_the_loader() -> list[dict]:
    """Every combination of FACTORS and the input shape that the loader accepts (base_url and
    query_input left out: they never change what it accepts)."""
    shapes_ok = {}
    for template, app, route in itertools.product(*(FACTORS[key] for key in SHAPE_DEPENDS_ON)):
        for shape in INPUT_SHAPES:
            row = {"template": template, "app": app, "route": route, "inputs": shape}
            shapes_ok[template, app, route, shape] = template != "single" and _accepted(options_of(row))
    rows = []
    for options, result in every_combination():
        if not isinstance(result, Snippet):
            continue
        row = {key: options[key] for key in FACTORS}
        for shape in INPUT_SHAPES:
            if shape == "fixed" or shapes_ok[row["template"], row["app"], row["route"], shape]:
                rows.append(dict(row, inputs=shape))
    return rows


def _accepted(options: dict) -> bool:
    try:
        snippet(**options)
    except UserError:
        return False
    return True


def options_of(row: dict) -> dict:
    """The spec options of a covering-array row (its input shape expanded)."""
    options = {key: value for key, value in row.items() if key != "inputs"}
    if row["template"] != "single":
        options.update(INPUT_SHAPES[row["inputs"]])
    return options
