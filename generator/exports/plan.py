"""The exported Dify apps a command works on: which files, what `sync` would change in each, writing all or nothing."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from generator.errors import UserError, shown_path
from generator.exports.sync import SyncResult, sync_text
from generator.files import read_user_text, stage, unified_diff
from generator.rendering.pipeline import snippet_files
from generator.spec.model import Spec

MAX_APP_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True)
class AppPlan:
    path: Path
    result: SyncResult

    @property
    def changed(self) -> bool:
        return self.result.new != self.result.old

    def diff(self) -> str:
        shown = self.path.as_posix()
        return unified_diff(self.result.old, self.result.new, shown, shown)


def app_paths(spec: Spec, given: tuple[Path, ...]) -> list[Path]:
    """The files given, else the spec's `apps` patterns, relative to the spec's folder and
    refused when a match lies outside it: a spec (from a pull request, say) writes only inside
    the project it lives in; a path outside is for the command line."""
    if given:
        return list(given)
    base = spec.home or Path(".")
    inside = os.path.realpath(base)
    found: list[Path] = []
    for pattern in spec.apps:
        if Path(pattern).is_absolute():
            raise UserError(
                f"{spec.source}: apps: {pattern!r} is absolute, so it may point outside the spec's folder; a spec's "
                "apps are patterns relative to it (pass such a file on the command line to sync it)"
            )
        # pathlib's ** doesn't follow symlinked folders, so a link back up can't make it loop
        # (glob.glob's does: apps/**/*.yml through `up -> ..` recursed until paths were too long).
        try:
            matches = sorted(match for match in base.glob(pattern) if match.is_file())
        except (ValueError, NotImplementedError) as error:  # pathlib refuses the pattern itself
            raise UserError(f"{spec.source}: apps: {pattern!r} is not a usable pattern ({error}); fix it") from None
        if not matches:
            raise UserError(f"{spec.source}: apps: {pattern!r} matches no file; fix the pattern or remove it")
        for match in matches:
            real = os.path.realpath(match)
            if os.path.commonpath([inside, real]) != inside:
                raise UserError(
                    f"{spec.source}: apps: {pattern!r} matches {shown_path(match)}, outside the spec's folder "
                    f"{shown_path(inside)}; a spec's apps must lie beside it (pass such a file on the command line to "
                    "sync it)"
                )
        found += [match for match in matches if match not in found]
    if not found:
        raise UserError(
            'no app files: pass exported apps (APP.yml ...) or list them in the spec as apps = ["apps/*.yml"]'
        )
    return found


def plan_apps(spec: Spec, paths: list[Path]) -> list[AppPlan]:
    """What `sync` would make of each file (nothing is written)."""
    files = {snippet.name: snippet_files([snippet], spec.source) for snippet in spec.snippets}
    return [AppPlan(path, sync_text(_read(path), shown_path(path), files)) for path in paths]


def write_apps(plans: list[AppPlan]) -> None:
    """Write every changed file or none: temp files beside them first, then the renames."""
    staged: list[tuple[Path, Path]] = []
    try:
        for plan in plans:
            if plan.changed:
                target = Path(os.path.realpath(plan.path))  # a symlinked app keeps its link: its target is written
                mode = target.stat().st_mode & 0o777
                staged.append((stage(target.parent, plan.result.new.encode("utf-8"), mode, ".yml"), target))
    except OSError as error:
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise UserError(f"can't write beside the apps ({error.strerror}); nothing was changed") from None
    try:
        changed_since = [plan.path for plan in plans if plan.changed and _read(plan.path) != plan.result.old]
    except UserError:  # gone or unreadable since: as changed
        changed_since = [plan.path for plan in plans if plan.changed]
    if changed_since:  # someone saved the file while sync worked: never overwrite the newer content
        for temp, _ in staged:
            temp.unlink(missing_ok=True)
        raise UserError(
            f"{shown_path(changed_since[0])}: changed while sync was reading it; nothing was written, run sync again"
        )
    for temp, path in staged:
        os.replace(temp, path)


def _read(path: Path) -> str:
    return read_user_text(
        path, "an exported Dify app (.yml)", "pass an exported app (Dify: app > Export DSL)", MAX_APP_BYTES
    )
