"""Every pair of option values, run as Code nodes against the emulator, with every line of each variant executed.

The covering array (tests/option_space.py) holds every pair of values of any two options the
loader allows together. Each of its rows is generated, then every scenario that applies to it
(tests/scenarios.py) is played as Dify would run the node; a variant must answer each scenario
as it says, and every statement of its generated files must run in at least one scenario,
except the few on ALLOWED_UNRUN, which say why the loopback bed cannot reach them.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import pytest
from support.option_space import covering_array
from support.scenarios import SCENARIOS
from support.variant_bed import VariantBed

pytestmark = pytest.mark.slow

# Statements no scenario can reach on 127.0.0.1, each with the reason. Empty is the goal.
ALLOWED_UNRUN: dict[str, str] = {}
TEMPLATE_APPS = [
    ("single", "agent"),
    ("single", "chat"),
    ("single", "chatflow"),
    ("single", "completion"),
    ("single", "workflow"),
    ("variables", "agent"),
    ("variables", "chat"),
    ("variables", "chatflow"),
    ("variables", "completion"),
    ("variables", "workflow"),
    ("conversation", "agent"),
    ("conversation", "chat"),
    ("conversation", "chatflow"),
]


@lru_cache(maxsize=1)
def rows() -> list[dict]:
    return covering_array()


def test_the_covering_array_holds_every_template_and_app() -> None:
    found = {(row["template"], row["app"]) for row in rows()}
    assert found == set(TEMPLATE_APPS)
    print(f"\ncovering array: {len(rows())} variants hold every allowed pair of option values")


def test_what_the_covering_array_assumes_of_the_loader_holds() -> None:
    """base_url and query_input never change what the loader accepts, and an input variant is
    accepted or refused with the template, app and route alone: checked on a seeded sample of
    every combination."""
    import itertools
    import random

    from support.option_space import FACTORS, FREE_FACTORS, INPUT_SHAPES, _accepted, accepted_rows, options_of

    predicted = {tuple(sorted(row.items())) for row in accepted_rows()}
    keys = list(FACTORS) + ["inputs"]
    chooser = random.Random(1)
    space = list(itertools.product(*(FACTORS[key] for key in FACTORS), tuple(INPUT_SHAPES)))
    for values in chooser.sample(space, 1500):
        row = dict(zip(keys, values, strict=True))
        if row["template"] == "single" and row["inputs"] != "fixed":
            continue  # single takes no inputs: the fixed row stands for it
        free = {key: chooser.choice(options) for key, options in FREE_FACTORS.items()}
        assert _accepted(options_of(dict(row, **free))) is (tuple(sorted(row.items())) in predicted), (row, free)


@pytest.mark.parametrize("template,app", TEMPLATE_APPS)
def test_every_variant_answers_every_scenario_and_runs_every_line(dify, template: str, app: str) -> None:
    beds = [VariantBed(dify, row) for row in rows() if (row["template"], row["app"]) == (template, app)]
    plays = [(bed, scenario) for bed in beds for scenario in SCENARIOS if scenario.applies(bed.variant)]
    # One pool for every row's scenarios: a scenario that waits out a time budget overlaps with the
    # other rows' runs instead of holding its own row back.
    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(lambda play: _play(play[1], play[0]), plays))
    for bed in beds:
        row = bed.row
        failures = [outcome for (played, _), outcome in zip(plays, outcomes, strict=True) if played is bed and outcome]
        assert not failures, f"{row}:\n" + "\n".join(failures)
        applicable = [scenario for played, scenario in plays if played is bed]
        for which in ("code", "builder") if bed.builder else ("code",):
            missing = {
                line: text
                for line, text in bed.uncovered(which).items()
                if text.split("  (in ")[0] not in ALLOWED_UNRUN
            }
            total = bed.statement_count(which)
            print(
                f"\n{which} {_label(row)}: {len(applicable)} scenarios, {bed.runs} runs, "
                f"{total - len(missing)}/{total} statements ran"
            )
            assert not missing, f"{_label(row)} {which}: statements no scenario ran:\n" + "\n".join(
                f"  {line}: {text}" for line, text in missing.items()
            )


def _play(scenario, bed: VariantBed) -> str:
    """'' when the scenario passed, else what went wrong."""
    try:
        scenario.play(bed)
    except AssertionError as error:
        return f"  {scenario.name}: {error}"
    return ""


def _label(row: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in row.items() if key not in ("template",))


def test_the_stored_covering_array_is_the_one_computed_now() -> None:
    from support.option_space import _covering_array

    assert rows() == _covering_array()
