"""The `dify-codenode` command (`python -m generator`); --version, --help and a quiet check answer without click.

The top-level help is click's own text, kept in the cache keyed on the generator's
fingerprint (its code and templates) and the help's width, so it can't go stale. A quiet
check (the pre-commit hook's and CI's) that finds output/ up to date prints nothing and exits
0; any other outcome, an error included, is left to click's `check`, which says it.
"""

import sys
from pathlib import Path

HELP_FLAGS = (["--help"], ["-h"])


def main() -> None:
    arguments = sys.argv[1:]
    if arguments == ["--version"]:
        from generator.version import version_line

        print(version_line())
        return
    if arguments in HELP_FLAGS:
        cache, key = _help_cache()
        text = cache.get(key) if cache else None
        if text is None:
            text = _click_help()
            if cache:
                cache.put(key, text)
        sys.stdout.write(text)
        return
    if _quietly_up_to_date(arguments):
        return
    from generator.cli import cli

    cli.main(arguments, prog_name="dify-codenode")


def _quietly_up_to_date(arguments: list[str]) -> bool:
    """Whether the arguments are `check -q` (with at most --spec and --out) and find output/ up to
    date with no exported apps to check: what click's `check` would end with, silently, exit 0."""
    if arguments[:1] != ["check"]:
        return False
    paths: dict[str, Path | None] = {"--spec": None, "--out": None}
    quiet = False
    rest = arguments[1:]
    while rest:
        argument = rest.pop(0)
        name, equals, value = argument.partition("=")
        if argument in ("-q", "--quiet"):
            quiet = True
        elif name in paths and equals:
            paths[name] = Path(value)
        elif argument in paths and rest:
            paths[argument] = Path(rest.pop(0))
        else:
            return False  # any other flag or argument: click's check decides
    if not quiet:
        return False
    from generator.rendering.output import plan_changes

    try:
        spec, _, changes, _ = plan_changes(paths["--spec"], paths["--out"])
    except Exception:  # click's check runs again and reports it in one line
        return False
    return not changes and not spec.apps


def _click_help() -> str:
    """What `dify-codenode --help` prints, from click itself."""
    import click

    from generator.cli import cli

    with click.Context(cli, info_name="dify-codenode", **cli.context_settings) as context:
        return context.get_help() + "\n"


def _help_cache():  # -> (TextCache | None, key)
    """Where the help text is kept, and its key: click wraps help to the terminal, 78 columns at most."""
    import shutil

    from generator.cache import TextCache, default_directory
    from generator.errors import UserError
    from generator.rendering.pipeline import generator_fingerprint

    width = max(min(shutil.get_terminal_size().columns, 80) - 2, 50)
    try:
        return TextCache(default_directory(), "help; " + generator_fingerprint()), f"width {width}"
    except UserError:  # no black: no fingerprint, no cache
        return None, ""


if __name__ == "__main__":
    main()
