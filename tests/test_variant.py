"""The variant is the one description files are made from: equal variants, equal files, and back.

Templates and the DSL writer read only the variant, so equal variants give equal files by
construction. These tests prove the other direction over the covering array: whenever another
value of an option changes the variant, it changes some file too. Together they make the "does
nothing here" warning (derived from the variant) exactly right for every option in OPTIONS.
"""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cache

import pytest
from click.testing import CliRunner
from support import option_space
from support.option_space import covering_array, options_of, snippet

from generator.cli import cli
from generator.exports.dsl import build_app
from generator.rendering.advice import has_effect, other_values
from generator.rendering.templating import render_request_builder, render_snippet
from generator.rendering.variant import Variant, variant_of
from generator.spec.load import combination_problem
from generator.spec.model import Snippet
from generator.spec.options import OPTIONS

GENERATING = [option for option in OPTIONS if option.generates]


@cache
def _files(variant: Variant) -> tuple:
    """What the files hold, before black (equal unformatted text is equal formatted text)."""
    code = render_snippet(variant, "spec.toml")
    builder = None if variant.code_route else render_request_builder(variant, "spec.toml")
    app = repr(build_app(variant, code, "spec.toml", builder)) if variant.dsl else None
    return code, builder, app


@cache
def _base_snippets(both: bool = False) -> tuple[Snippet, ...]:
    """Every covering-array row; with and without the DSL app when `both`, else alternately."""
    made = []
    for index, row in enumerate(covering_array()):
        base = snippet(**options_of(row))
        made += [base, replace(base, dsl=False)] if both else [replace(base, dsl=index % 2 == 0)]
    return tuple(made)


def _changed_variants_change_files(option, bases: tuple[Snippet, ...]) -> None:
    """Every accepted other value of `option` that changes a variant changes its files (so the
    variant holds nothing the files don't use), and the option matters somewhere."""
    mattered = 0
    for base in bases:
        for value in other_values(option, getattr(base, option.key)):
            changed = replace(base, **{option.key: value})
            if combination_problem(changed) is not None:
                continue
            before, after = variant_of(base), variant_of(changed)
            if before != after:
                mattered += 1
                assert _files(before) != _files(after), f"{option.key}={value!r} changes only the variant of {base}"
    assert mattered, f"{option.key} changes no file in any variant: drop it or use it"


@pytest.mark.parametrize("option", GENERATING, ids=lambda option: option.key)
def test_a_changed_variant_is_a_changed_file(option) -> None:
    _changed_variants_change_files(option, _base_snippets())


@pytest.mark.slow
@pytest.mark.parametrize("option", GENERATING, ids=lambda option: option.key)
def test_a_changed_variant_is_a_changed_file_with_and_without_the_dsl(option) -> None:
    _changed_variants_change_files(option, _base_snippets(both=True))


@pytest.mark.parametrize("option", [option for option in OPTIONS if not option.generates], ids=lambda o: o.key)
def test_the_check_options_change_no_variant(option) -> None:
    for base in _base_snippets()[:8]:
        for value in other_values(option, getattr(base, option.key)):
            assert variant_of(replace(base, **{option.key: value})) == variant_of(base)


def test_has_effect_agrees_with_the_files() -> None:
    """The warning's decision, checked against the files it is about on a sample of the space."""
    checked = 0
    for base in _base_snippets()[::7]:
        for option in GENERATING:
            accepted = [
                replace(base, **{option.key: value})
                for value in other_values(option, getattr(base, option.key))
                if combination_problem(replace(base, **{option.key: value})) is None
            ]
            if not accepted:
                continue  # pinned by the other options: never "does nothing"
            files_differ = any(_files(variant_of(other)) != _files(variant_of(base)) for other in accepted)
            assert has_effect(base, option) == files_differ, (option.key, base)
            checked += 1
    assert checked > 100


def _render_warnings(*args: str) -> list[str]:
    result = CliRunner().invoke(cli, ["render", *args], prog_name="dify-codenode")
    assert result.exit_code == 0, result.output
    return [line for line in result.stderr.splitlines() if "does nothing" in line]


@pytest.mark.parametrize(
    "args,idle",
    [
        # The two wrong warnings of the hand-kept list: both options do change the files.
        (["single", "--route", "http-node", "--on-timeout", "partial"], []),  # the status output
        (["single", "--route", "http-node", "--dsl-app", "chatflow", "--request-builder"], []),  # the query's source
        (["single", "--dsl-app", "chatflow"], ["--dsl-app"]),  # code route without the DSL: nothing shows it
        (["single", "--route", "http-node", "--time-budget", "5"], ["--time-budget"]),
        (["single", "--app", "chat", "--query-input", "q"], ["--query-input"]),
        (["single", "--app", "workflow", "--auto-generate-name"], ["--auto-generate-name"]),
        (["single", "--restart-stale-conversation"], ["--restart-stale-conversation"]),
        (["conversation", "--restart-stale-conversation", "--route", "http-node"], []),  # the DSL's healing branch
        (["single", "--app", "chat", "--reasoning", "output", "--dsl", "--retries", "2"], []),
    ],
)
def test_render_warns_exactly_about_idle_flags(args: list[str], idle: list[str]) -> None:
    warned = _render_warnings(*args)
    assert [line.split(": ")[2] for line in warned] == idle, warned


def test_the_status_output_the_old_warning_denied_is_there() -> None:
    made = variant_of(snippet(template="single", route="http-node", on_timeout="partial"))
    assert "status" in made.output_names


def test_stored_rows_are_the_rows_computed(monkeypatch, tmp_path) -> None:
    """What _kept stores reads back equal (tuples stay tuples), and a stored value is not computed again."""
    monkeypatch.setattr(option_space, "ROWS_CACHE", tmp_path)
    rows = [{"template": "single", "extra_outputs": ("status", "usage"), "retries": 3, "dsl_app": False}]
    calls = []
    first = option_space._kept("rows", lambda: calls.append(1) or rows)
    second = option_space._kept("rows", lambda: calls.append(1) or [])
    assert first == second == rows and isinstance(second[0]["extra_outputs"], tuple) and calls == [1]


def test_only_the_newest_stored_rows_are_kept(monkeypatch, tmp_path) -> None:
    """Each change of the sources stores new rows: the three newest files of a name stay, older ones go."""
    monkeypatch.setattr(option_space, "ROWS_CACHE", tmp_path)
    for age, digest in enumerate(["d1", "d2", "d3", "d4"], start=1):  # d1 the newest
        old = tmp_path / f"rows-{digest}.txt"
        old.write_text("[]")
        os.utime(old, (1_000_000 - age, 1_000_000 - age))
    (tmp_path / "other-d9.txt").write_text("[]")  # another name's rows are its own to prune
    option_space._kept("rows", lambda: [{"retries": 3}])
    kept = {path.name for path in tmp_path.glob("*.txt")}
    assert kept == {"other-d9.txt", f"rows-{option_space._sources_key()}.txt", "rows-d1.txt", "rows-d2.txt"}


def test_rows_are_computed_where_they_cannot_be_stored(monkeypatch, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setattr(option_space, "ROWS_CACHE", blocker / "cache")
    assert option_space._kept("rows", lambda: [{"retries": 3}]) == [{"retries": 3}]
