"""The command line: parses arguments, calls spec -> render -> format -> output, maps exit codes."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.dify import APP_KINDS, SANDBOX_KILL_SECONDS
from generator.errors import UserError, counted, one_line, shown, shown_path
from generator.spec.options import OPTIONS, TEMPLATES, Option

if TYPE_CHECKING:
    from generator.spec.model import Spec

EXIT_STALE = 1
EXIT_ERROR = 2
RENDER_SOURCE = "dify-codenode render"

spec_option = click.option(
    "--spec",
    "spec_path",
    type=click.Path(path_type=Path, dir_okay=True),
    default=None,
    help=(
        "Spec file, or a pyproject.toml with a [tool.dify-codenode] table [default: ./snippets.toml, "
        "else the [tool.dify-codenode] table of the nearest pyproject.toml upward, else the built-in default spec]."
    ),
)
out_option = click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Directory the snippets are written to [default: output/ beside a discovered spec, else ./output].",
)


class OneLineErrors(click.Group):
    """A click group whose every failure is one line on stderr, exit 2: click's usage errors
    (with the valid choices), user errors, and input too large or too deeply nested to handle."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # noqa: ANN001, ANN201 (click's signature)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as error:
            _fail(UserError(_usage_message(error)))
        except click.ClickException as error:
            _fail(UserError(error.format_message()))
        except (click.Abort, KeyboardInterrupt):
            click.echo("dify-codenode: interrupted", err=True)
            sys.exit(130)
        except BrokenPipeError:  # `dify-codenode render ... | head`: the reader has gone, that's fine
            sys.stdout = None  # type: ignore[assignment]  # nothing left to flush at exit
            sys.exit(0)
        except UserError as error:
            _fail(error)
        except (RecursionError, MemoryError):
            _fail(UserError("the input is too large or nested too deeply to handle; simplify it"))
        except OSError as error:  # a path the system refuses (too long, a link loop, ...): name it
            where = shown_path(error.filename) if error.filename else "a file"
            _fail(UserError(f"{where}: {error.strerror or error}; check the path"))
        sys.exit(code if isinstance(code, int) else 0)  # ctx.exit(code) returns it in this mode


def _versions(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    if not value or ctx.resilient_parsing:
        return
    from generator.version import version_line

    click.echo(version_line())
    ctx.exit(0)


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_versions,
    help="Show the tool's and black's versions and exit.",
)
def cli() -> None:
    """Generate paste-ready Python for Dify Code nodes that call another Dify app."""


def _fail(error: UserError) -> None:
    click.echo(f"dify-codenode: error: {one_line(str(error))}", err=True)
    sys.exit(EXIT_ERROR)


def _warn(warnings: tuple[str, ...] | list[str]) -> None:
    for warning in warnings:
        click.echo(f"dify-codenode: warning: {one_line(warning)}", err=True)


def _usage_message(error: click.UsageError) -> str:
    """Click's usage error as one line, with the valid choices and where to read more."""
    message = re.sub(r"'([^'\n]{61,})'", lambda match: shown(match.group(1)), error.format_message())
    message = message.split(". Choose from:")[0].rstrip(".")
    context = error.ctx
    if message.startswith("No such command") and context is not None:
        message += f"; commands: {', '.join(context.command.list_commands(context))}"  # type: ignore[attr-defined]
    param = getattr(error, "param", None)
    if param is not None and isinstance(param.type, click.Choice) and "is not one of" not in message:
        message += f"; one of {', '.join(map(str, param.type.choices))}"
    command = context.command_path if context is not None else "dify-codenode"
    return f"{message}; see `{command} --help`"


@cli.command()
@spec_option
@out_option
@click.option(
    "--fail-on-change",
    is_flag=True,
    help="Exit 1 when a file was created, updated or removed (the pre-commit hook: add them and commit again).",
)
def generate(spec_path: Path | None, out_dir: Path | None, fail_on_change: bool) -> None:
    """Write the spec's snippets to the output directory (only files that changed)."""
    from generator.rendering.advice import spec_warnings
    from generator.rendering.output import apply, plan_changes

    try:
        spec, plan, changes, out_dir = plan_changes(spec_path, out_dir)
        apply(changes, out_dir)
    except UserError as error:
        _fail(error)
    _warn(spec_warnings(spec))
    past = {"create": "created", "update": "updated", "remove": "removed"}
    for change in changes:
        click.echo(f"{past[change.action]} {(out_dir / change.path).as_posix()}", err=True)
    unchanged = len(plan) - sum(change.action != "remove" for change in changes)
    click.echo(f"{len(changes)} changed, {unchanged} unchanged in {out_dir.as_posix()}/", err=True)
    if fail_on_change and changes:
        sys.exit(EXIT_STALE)


@cli.command()
@spec_option
@out_option
@click.option("--no-diff", is_flag=True, help="Don't print the unified diff of stale files.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing to stderr except errors.")
@click.option(
    "--apps",
    "apps_only",
    is_flag=True,
    help="Instead: check the bound Code nodes of exported Dify apps (APPS, else the spec's apps); "
    "a unified diff and exit 1 when one is stale.",
)
@click.argument("apps", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--staged",
    is_flag=True,
    help="Also fail when a generated file is not staged in git as generated (the check hook uses it: "
    "a commit must hold the files its spec makes).",
)
@click.option(
    "--against-apps",
    is_flag=True,
    help="Instead: ask each snippet's live app (those with verify_key_env) for its kind and input form; "
    "one line per difference, exit 1 on drift.",
)
def check(
    spec_path: Path | None,
    out_dir: Path | None,
    no_diff: bool,
    quiet: bool,
    apps_only: bool,
    apps: tuple[Path, ...],
    staged: bool,
    against_apps: bool,
) -> None:
    """Exit 1 if output/ (or the spec's apps) differ from what generate and sync would write; writes nothing."""
    from generator.rendering.output import change_diff, plan_changes

    if apps and not apps_only:
        _fail(UserError("APPS are checked with --apps: dify-codenode check --apps APP.yml ..."))
    chosen = [
        flag for flag, on in (("--apps", apps_only), ("--against-apps", against_apps), ("--staged", staged)) if on
    ]
    if len(chosen) > 1:
        _fail(UserError(f"{' and '.join(chosen)} check different things; pass one of them per run"))
    if against_apps:
        _check_against_apps(spec_path, quiet)
        return
    if apps_only:
        from generator.spec.load import load_spec

        try:
            spec = load_spec(spec_path)
        except UserError as error:
            _fail(error)
        sys.exit(EXIT_STALE if _check_apps(spec, apps, no_diff, quiet) else 0)
    try:
        spec, plan, changes, out_dir = plan_changes(spec_path, out_dir)
    except UserError as error:
        _fail(error)
    stale_apps = _check_apps(spec, (), no_diff, quiet) if spec.apps else 0
    if not quiet:
        from generator.rendering.advice import spec_warnings

        _warn(spec_warnings(spec))
    for change in changes:
        if not no_diff and change.action == "create":  # a whole new file is no diff worth reading
            lines = change.new.count("\n")
            click.echo(f"new file {(out_dir / change.path).as_posix()} ({lines} lines)")
        elif not no_diff:
            click.echo(change_diff(change, out_dir), nl=False)
        if not quiet:
            click.echo(f"would {change.action} {(out_dir / change.path).as_posix()}", err=True)
    if changes:
        if not quiet:
            click.echo(
                f"{counted(len(changes), 'file')} stale in {out_dir.as_posix()}/; run `dify-codenode generate`",
                err=True,
            )
        sys.exit(EXIT_STALE)
    if staged:
        from generator.rendering.staged import unstaged

        try:
            missing = unstaged(plan, out_dir)
        except UserError as error:
            _fail(error)
        for name in missing:
            click.echo(f"not staged as generated: {(out_dir / name).as_posix()}; git add it", err=True)
        if missing:
            sys.exit(EXIT_STALE)
    if not quiet:
        click.echo(f"{out_dir.as_posix()}/ is up to date ({counted(len(plan), 'file')})", err=True)
    if stale_apps:
        sys.exit(EXIT_STALE)


def _check_apps(spec: Spec, given: tuple[Path, ...], no_diff: bool, quiet: bool) -> int:
    """Print what `sync` would change in the apps; how many files are stale."""
    from generator.exports.plan import app_paths, plan_apps

    try:
        plans = plan_apps(spec, app_paths(spec, given))
    except UserError as error:
        _fail(error)
    stale = [plan for plan in plans if plan.changed]
    for plan in stale:
        if not no_diff:
            click.echo(plan.diff(), nl=False)
        if not quiet:
            nodes = ", ".join(node.node_id for node in plan.result.nodes if node.changed)
            click.echo(f"would sync {shown_path(plan.path)} (node {nodes})", err=True)
    if not quiet:
        bound = sum(len(plan.result.nodes) for plan in plans)
        verdict = f"{len(stale)} stale; run `dify-codenode sync`" if stale else "up to date"
        click.echo(f"{counted(len(plans), 'app file')}, {counted(bound, 'bound Code node')}: {verdict}", err=True)
    return len(stale)


# Where a flag means something else for render than the option does in a spec.
RENDER_HELP = {"dsl": "Print the importable Dify app (DSL) around the snippet instead of its Python."}


def _check_against_apps(spec_path: Path | None, quiet: bool) -> None:
    from generator.callee.live import check_against_apps
    from generator.spec.load import load_spec

    try:
        spec = load_spec(spec_path)
        differences, checked = check_against_apps(spec)
    except UserError as error:
        _fail(error)
    for line in differences:
        click.echo(one_line(line))
    if not quiet:
        verdict = counted(len(differences), "difference") if differences else "in sync"
        apps = "its app" if checked == 1 else "their apps"
        click.echo(f"{counted(checked, 'snippet')} checked against {apps}: {verdict}", err=True)
    if differences:
        sys.exit(EXIT_STALE)


def _render_flag(option: Option):
    """The `render` flag for one spec option: same name (with dashes), same meaning."""
    name = option.flag_name
    if option.kind == "bool":
        no = "--no-" + name[2:]
        return click.option(f"{name}/{no}", option.key, default=None, help=RENDER_HELP.get(option.key, option.help))
    if option.kind in ("map", "list"):
        return click.option(name, option.key, multiple=True, metavar=option.metavar, help=option.help)
    kinds = {"choice": click.Choice(option.choices), "int": int, "number": float, "text": str}
    return click.option(name, option.key, type=kinds[option.kind], default=None, help=option.help)


def _json_table(flag: str, item: str, text: str) -> dict:
    """The JSON object after KEY= in a map flag; one line when it isn't one."""
    try:
        table = json.loads(text)
    except (ValueError, RecursionError):
        table = None
    if not isinstance(table, dict):
        raise UserError(
            f"{flag} {shown(item)}: after KEY= a {{...}} must be a JSON object, e.g. "
            'lang={"param": "language", "type": "select", "options": ["en", "de"]}'
        )
    return table


def _flag_values(values: dict) -> dict:
    """Turn the given render flags into spec values (omitting flags that weren't given)."""
    raw = {}
    for option in OPTIONS:
        value = values.get(option.key)
        if value is None or value == ():
            continue
        if option.kind == "map":
            pairs = {}
            for item in value:
                if "={" in item:  # KEY={...}: a typed input, as a spec's inline table, in JSON
                    key, _, table = item.partition("={")
                    pairs[key] = _json_table(option.flag_name, item, "{" + table)
                    continue
                key, equals, item_value = item.rpartition("=")
                if not equals:
                    raise UserError(f"{option.flag_name} {shown(item)}: write it as {option.metavar}")
                pairs[key] = item_value
            value = pairs
        elif option.kind == "list":
            value = list(value)
        raw[option.key] = value
    return raw


def _render_command(function):
    for option in reversed([o for o in OPTIONS if o.key != "template"]):
        function = _render_flag(option)(function)
    return function


@cli.command()
@click.argument("template", type=click.Choice(TEMPLATES), metavar="TEMPLATE")
@click.option("--name", default=None, help="The snippet's name, shown in the header [default: TEMPLATE].")
@click.option(
    "--request-builder",
    is_flag=True,
    help="With --route http-node: print the Code node that builds the request body instead.",
)
@_render_command
def render(template: str, name: str | None, request_builder: bool, **values: object) -> None:
    """Print one snippet to stdout, configured by flags alone (no spec needed)."""
    from generator.rendering.advice import snippet_warnings
    from generator.rendering.pipeline import snippet_files
    from generator.spec.load import build_snippet

    flag_names = {option.key: option.flag_name for option in OPTIONS}
    flag_names["name"] = "--name"

    def fail(location: str, problem: str) -> UserError:
        return UserError(f"{location}: {problem}")

    def locate(key: str) -> str:
        return flag_names.get(key, key)

    try:
        raw = {"name": template if name is None else name, "template": template, **_flag_values(values)}
        snippet = build_snippet(raw, fail, locate)
        warnings = snippet_warnings(snippet, frozenset(raw) - {"name", "template"}, locate)
        if request_builder and snippet.route != "http-node":
            raise UserError("--request-builder: only the http-node route has a request builder; add --route http-node")
        if request_builder and snippet.dsl:
            raise UserError("--request-builder and --dsl each print another file (the builder, the app); pass one")
        files = snippet_files([snippet], RENDER_SOURCE)
    except UserError as error:
        _fail(error)
    _warn(warnings)
    if request_builder:
        shown = f"{snippet.name}_request.py"
    elif snippet.dsl:  # the importable app (its Code nodes hold the same code) instead
        shown = f"{snippet.name}.yml"
    else:
        shown = f"{snippet.name}.py"
        if snippet.route == "http-node":
            click.echo("the request-body node for this route: add --request-builder", err=True)
    click.echo(files[shown], nl=False)


@cli.command()
@click.argument("apps", nargs=-1, type=click.Path(path_type=Path))
@spec_option
def sync(apps: tuple[Path, ...], spec_path: Path | None) -> None:
    """Update the Code nodes bound to the spec's snippets inside exported Dify apps (APPS, else the spec's apps)."""
    from generator.exports.plan import app_paths, plan_apps, write_apps
    from generator.spec.load import load_spec

    try:
        spec = load_spec(spec_path)
        plans = plan_apps(spec, app_paths(spec, apps))
        write_apps(plans)
    except UserError as error:
        _fail(error)
    for plan in plans:
        changed = [node for node in plan.result.nodes if node.changed]
        if changed:
            click.echo(
                f"synced {shown_path(plan.path)}: {', '.join(f'{node.node_id} ({node.snippet})' for node in changed)}",
                err=True,
            )
        for node in plan.result.nodes:
            for name in node.unwired:
                click.echo(
                    f"note: {shown_path(plan.path)}: node {node.node_id}: map its new input {name} in Dify", err=True
                )
    bound = sum(len(plan.result.nodes) for plan in plans)
    changed_files = sum(plan.changed for plan in plans)
    click.echo(
        f"{changed_files} of {counted(len(plans), 'app file')} changed ({counted(bound, 'bound Code node')})", err=True
    )


@cli.command()
@click.argument("name")
@click.option("--template", type=click.Choice(TEMPLATES), required=True, help="Which main() to generate for the app.")
@click.option(
    "--base-url",
    default=None,
    help="The app's Service API as this machine reaches it; written into the entry "
    "[default: the spec's defaults.base_url, else https://api.dify.ai/v1].",
)
@click.option(
    "--sandbox-base-url",
    default=None,
    metavar="URL",
    help="The API as Dify's sandbox reaches it, when that differs (self-hosted: http://api:5001/v1): written as "
    "base_url, and --base-url as verify_base_url.",
)
@click.option(
    "--key-env",
    default="DIFY_APP_API_KEY",
    show_default=True,
    help="Environment variable holding the called app's API key (read only from there, never written); "
    "recorded as the entry's verify_key_env.",
)
@click.option(
    "--app",
    "kind",
    type=click.Choice(APP_KINDS),
    default=None,
    help="The app's kind, for a Dify too old to say it in /info.",
)
@spec_option
@click.option("--dry-run", is_flag=True, help="Print the entry instead of adding it to the spec.")
def add(
    name: str,
    template: str,
    base_url: str | None,
    sandbox_base_url: str | None,
    key_env: str,
    kind: str | None,
    spec_path: Path | None,
    dry_run: bool,
) -> None:
    """Add a snippet for a live Dify app: its kind and every input of its form, read from the app."""
    from generator.callee.live import new_entry
    from generator.spec.edit import add_snippet, entry_text
    from generator.spec.names import file_name_problem

    try:
        problem = file_name_problem(name)
        if problem:
            raise UserError(f"NAME: {problem}")
        read_url = base_url or _default_base_url(spec_path)
        extra, address_notes = _addresses(base_url, read_url, sandbox_base_url)
        entry, notes = new_entry(name, template, read_url, key_env, kind, extra)
        notes += address_notes
        if dry_run:
            text = entry_text(entry)
        else:
            written = add_snippet(spec_path, entry)
    except UserError as error:
        _fail(error)
    for note in notes:
        click.echo(f"note: {one_line(note)}", err=True)
    if dry_run:
        click.echo(text, nl=False)
    else:
        click.echo(f"added snippet {name} to {shown_path(written)}; run `dify-codenode generate`", err=True)


def _addresses(base_url: str | None, read_url: str, sandbox_url: str | None) -> tuple[dict, list[str]]:
    """The entry's base_url (the sandbox's address) and verify_base_url (this machine's), and notes."""
    from urllib.parse import urlsplit

    from generator.dify import LOCAL_HOSTS
    from generator.spec.load import checked_base_url

    if sandbox_url is not None:
        sandbox_url = checked_base_url(sandbox_url, "--sandbox-base-url")
        if sandbox_url == read_url.rstrip("/"):
            return {"base_url": sandbox_url}, []
        return {"base_url": sandbox_url, "verify_base_url": read_url.rstrip("/")}, [
            f"base_url = {sandbox_url} (where the Code node calls from Dify's sandbox); verify_base_url = "
            f"{read_url.rstrip('/')} (where add read the app, and check --against-apps and run reach it)"
        ]
    if base_url is None:
        return {}, []
    notes = []
    if urlsplit(base_url).hostname in LOCAL_HOSTS:
        notes.append(
            f"base_url = {base_url}: inside Dify's sandbox, where the Code node runs, that host is the sandbox "
            "itself; run add again with --sandbox-base-url (e.g. http://api:5001/v1 in docker compose) to write both"
        )
    return {"base_url": base_url}, notes


def _default_base_url(spec_path: Path | None) -> str:
    """The base URL `add` asks when no --base-url is given: the spec's [defaults], else the option's default."""
    from generator.spec.load import spec_defaults
    from generator.spec.options import OPTIONS

    value = spec_defaults(spec_path).get("base_url")
    if isinstance(value, str) and value:
        return value.rstrip("/")
    return str(next(option.default for option in OPTIONS if option.key == "base_url"))


@cli.command()
@click.option(
    "--apps",
    "apps_path",
    required=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="TOML file with one [[apps]] table per app: key, mode, answer, inputs, ... (see the README).",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=5001,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (Dify's API port); 0 takes any free port.",
)
def emulate(apps_path: Path, host: str, port: int) -> None:
    """Serve apps from a small file as Dify's Service API does, to try add, run and check --against-apps offline."""
    import signal
    import time

    from generator.emulator.apps_file import load_apps
    from generator.emulator.server import DifyEmulator

    apps = load_apps(apps_path)
    try:
        server = DifyEmulator(host=host, port=port)
    except (OSError, OverflowError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise UserError(
            f"can't listen on {shown(host)} port {port}: {reason}; choose another --port (0: any free one)"
        ) from None
    for app in apps:
        server.add(app)
    server.log = lambda line: click.echo(line, err=True)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    with server:
        try:  # from the first line on, Ctrl-C or SIGTERM stops it (a caller may stop it as soon as it reads)
            click.echo(
                f"serving {counted(len(apps), 'app')} as Dify's Service API at {server.base_url} (Ctrl-C stops it)"
            )
            for app in apps:
                click.echo(f"  {app.mode:<10} {shown(app.key)} {shown(app.name)}")
            sys.stdout.flush()
            while True:  # time.sleep wakes for both signals, on every platform
                time.sleep(3600)
        except KeyboardInterrupt:
            click.echo("stopped", err=True)


def _stop_on_sigterm(_signal: int, _frame: object) -> None:
    raise KeyboardInterrupt


@cli.command()
def schema() -> None:
    """Print the spec's JSON Schema (for editors: taplo / Even Better TOML `#:schema`)."""
    from generator.spec.schema import spec_schema

    click.echo(json.dumps(spec_schema(), indent=2, ensure_ascii=False))


@cli.command()
@click.option(
    "--spec",
    "spec_path",
    type=click.Path(path_type=Path),
    default=Path("snippets.toml"),
    show_default=True,
    help="Where to write the starter spec.",
)
def init(spec_path: Path) -> None:
    """Write a commented starter snippets.toml (never overwrites)."""
    from generator.spec.load import BUILTIN_SPEC

    try:
        with open(spec_path, "x", encoding="utf-8", newline="\n") as handle:
            handle.write(BUILTIN_SPEC.read_text(encoding="utf-8"))
    except FileExistsError:
        _fail(UserError(f"{spec_path}: already exists; not overwriting it (remove it or pass another --spec)"))
    except OSError as error:
        _fail(UserError(f"{spec_path}: can't be written ({error.strerror}); pass another --spec"))
    click.echo(f"wrote {spec_path}; now run `dify-codenode generate`", err=True)


def _declared_outputs(option: str | None, source: str) -> dict[str, str]:
    """--outputs 'a,b:number' (type defaults to string), else the generated header's outputs."""
    from generator.codenode.run import declared_outputs

    if option is None:
        return declared_outputs(source)
    from generator.dify import OUTPUT_TYPES

    outputs = {}
    for item in filter(None, (part.strip() for part in option.split(","))):
        name, _, kind = (part.strip() for part in item.partition(":"))
        kind = (kind or "string").lower()
        if not name:
            raise UserError(f"--outputs {shown(item)}: an output needs a name, as in name or name:type")
        if kind not in OUTPUT_TYPES:
            raise UserError(
                f"--outputs {shown(item)}: {shown(kind)} is not a Dify output type; use one of "
                f"{', '.join(OUTPUT_TYPES)}"
            )
        if name in outputs:
            raise UserError(f"--outputs: {shown(name)} is given twice; name each output once")
        outputs[name] = kind
    return outputs


def _read_code(path: Path) -> str:
    from generator.files import read_user_text

    if path.suffix.lower() in (".yml", ".yaml"):
        raise UserError(
            f"{shown_path(path)}: is an exported app (YAML); pass the Code node's Python file (output/NAME.py)"
        )
    return read_user_text(path, "a Python file")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--outputs", default=None, help="Declared outputs, 'a,b' [default: from each file's generated header].")
def lint(files: tuple[Path, ...], outputs: str | None) -> None:
    """Check Code-node files against Dify's rules; `file:line:col: CODE message`, exit 1 on findings."""
    from generator.codenode.lint import lint_source

    count = 0
    for path in files:
        try:
            source = _read_code(path)
            declared = _declared_outputs(outputs, source)
            findings = lint_source(source, list(declared) if declared else None)
        except UserError as error:
            _fail(error)
        except (RecursionError, MemoryError):
            _fail(UserError(f"{shown_path(path)}: nested too deeply for Python to parse; Dify couldn't run it either"))
        if not declared:
            click.echo(
                f"{shown_path(path.as_posix())}: output checks (DCN011) skipped: no declared outputs "
                "(no generated header); pass --outputs name,name",
                err=True,
            )
        for finding in findings:
            click.echo(finding.format(shown_path(path.as_posix(), limit=10_000)))
            count += 1
    if count:
        click.echo(counted(count, "finding"), err=True)
        sys.exit(1)


def _input_value(value: str, flag: str) -> str:
    """A `run` input as given: `@FILE` is the file's text, exactly; `@@...` is a value starting with @."""
    if value.startswith("@@"):
        return value[1:]
    if not value.startswith("@"):
        return value
    from generator.files import read_user_text

    return read_user_text(Path(value[1:]), f"a file holding the {flag} value", f"check the path after {flag} NAME=@")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--input",
    "inputs",
    multiple=True,
    metavar="NAME=VALUE",
    help="An input variable (a string). NAME=@FILE reads it from FILE, exactly (trailing blank lines too); "
    "NAME=@@... is a value starting with @.",
)
@click.option(
    "--input-json",
    "json_inputs",
    multiple=True,
    metavar="NAME=JSON",
    help="An input variable given as JSON (number, object, ...); NAME=@FILE reads the JSON from FILE.",
)
@click.option(
    "--outputs", default=None, help="Declared outputs, 'a,b:number' [default: from the file's generated header]."
)
@click.option(
    "--timeout",
    default=float(SANDBOX_KILL_SECONDS),
    show_default=True,
    help="Seconds before the run is killed (self-hosted Dify's sandbox kill), above 0 and at most 600.",
)
@click.option(
    "--python",
    "python",
    default=None,
    help="Interpreter to run it with [default: $DIFY_SANDBOX_PYTHON, else the newest sandbox-like one found (Python "
    "3.14, 3.13, 3.12 or 3.10 with httpx and requests: ./.venv-sandbox*, python3.14 ... python3.10, pyenv), else "
    "this one]. Generated code is verified on Python 3.10, 3.12 and 3.13 under -W error (3.14 where installed).",
)
@click.option(
    "--traceback",
    "show_traceback",
    is_flag=True,
    help="On failure, print Dify's whole error text, not only its last line.",
)
@click.option(
    "--base-url",
    "base_url",
    default=None,
    metavar="URL",
    help="Call the Service API here instead of the file's base_url (a self-hosted node tried from the host: e.g. "
    "http://localhost/v1 for http://api:5001/v1) [default: the spec's verify_base_url for the file's snippet, when "
    "the spec found here has one].",
)
def run(
    file: Path,
    inputs: tuple[str, ...],
    json_inputs: tuple[str, ...],
    outputs: str | None,
    timeout: float,
    python: str | None,
    show_traceback: bool,
    base_url: str | None,
) -> None:
    """Run a Code-node file the way Dify does; print its outputs as JSON, or the error Dify would show."""
    from generator.codenode.interpreter import choose
    from generator.codenode.preflight import check_call, check_timeout, spec_verify_base_url, with_base_url
    from generator.codenode.run import failure_summary, in_user_lines, run_code_node

    try:
        source = _read_code(file)
        if base_url is None and (found := spec_verify_base_url(source)):
            base_url = found[0]
            click.echo(
                f"note: calls {base_url}, the spec's verify_base_url for snippet {found[1]} (where this machine "
                "reaches the API), not the file's base_url; --base-url chooses another",
                err=True,
            )
        if base_url is not None:
            source = with_base_url(source, base_url, shown_path(file))
        declared = _declared_outputs(outputs, source)
        if not declared:
            raise UserError(
                f"{shown_path(file)}: no declared outputs (no generated header); pass --outputs name,name:type"
            )
        check_timeout(timeout)
        values: dict[str, object] = {}
        for item in inputs:
            name, equals, value = item.partition("=")
            if not equals:
                raise UserError(f"--input {shown(item)}: write it as NAME=VALUE")
            values[name] = _input_value(value, "--input")
        for item in json_inputs:
            name, equals, value = item.partition("=")
            if not equals:
                raise UserError(f"--input-json {shown(item)}: write it as NAME=JSON")
            value = _input_value(value, "--input-json")
            try:
                values[name] = json.loads(value)
            except (ValueError, RecursionError):
                raise UserError(f"--input-json {shown(item)}: the value is not JSON") from None
        check_call(source, values, shown_path(file))
        interpreter = choose(python)
    except UserError as error:
        _fail(error)
    if not interpreter.sandbox_like:
        missing = f"; {' and '.join(interpreter.missing)} missing there" if interpreter.missing else ""
        click.echo(
            f"note: runs under {interpreter.describe()}, not like Dify's sandbox (Python 3.10 up to 0.2.12, 3.14 "
            f"from 0.2.13, with httpx and requests){missing}; choose one with --python",
            err=True,
        )
    result = run_code_node(source, values, declared, timeout=timeout, python=interpreter.path)
    if result.ok:
        click.echo(json.dumps(result.outputs, indent=2, ensure_ascii=False))
        click.echo(f"ran in {result.seconds:.2f} s with {interpreter.describe()}", err=True)
        return
    error = in_user_lines(result.error, source, file.name)
    if show_traceback:
        click.echo(f"the node failed after {result.seconds:.2f} s; Dify's error:\n{error.rstrip()}", err=True)
    else:
        click.echo(f"the node failed after {result.seconds:.2f} s: {one_line(failure_summary(error))}", err=True)
    sys.exit(1)
