"""The `dify-codenode` command (and `python -m generator`): `--version` and `--help` answer without loading click.

The top-level help is click's own text, kept in the cache keyed on the generator's
fingerprint (its code and templates) and the help's width, so it can't go stale.
"""

import sys

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
    from generator.cli import cli

    cli.main(arguments, prog_name="dify-codenode")


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
