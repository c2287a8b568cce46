"""The spec's data: a resolved Snippet, its Inputs, where it was written (Origin), and a whole Spec."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Input:
    """One input of the called app: its key, the main() parameter that fills it, and what
    the app's form says about it (a typed input is checked before the call, as the app would)."""

    key: str
    param: str
    type: str = ""  # one of dify.INPUT_TYPES; "" = untyped, forwarded as given
    required: bool = True  # an optional input left empty is not sent: the app uses its default
    options: tuple[str, ...] = ()  # type select: the allowed values
    max_length: int = 0  # text-input / paragraph: characters, file-list: files; 0 = no limit


@dataclass(frozen=True)
class Snippet:
    """One snippet to generate, fully resolved (defaults applied, everything validated)."""

    name: str
    template: str
    app: str
    inputs: tuple[Input, ...]  # spec order
    dynamic: int
    base_url: str
    user_prefix: str
    time_budget: float
    on_timeout: str
    errors: str
    max_answer_chars: int
    on_oversize: str
    auto_generate_name: bool
    restart_stale_conversation: bool
    extra_outputs: tuple[str, ...]
    workflow_outputs: tuple[tuple[str, str], ...]  # (output name, Dify type), spec order
    route: str
    dsl: bool
    dsl_app: str
    dsl_version: str
    query_input: str  # completion/workflow: the app input main()'s query fills ("" = no query)
    forward_files: bool  # main() takes `files` (sys.files) and sends them as the request's files
    verify_key_env: str  # check --against-apps: the environment variable holding the app's key
    verify_base_url: str  # check --against-apps: the API as CI reaches it ("" = base_url)
    reasoning: str  # keep | strip | output: what happens to <think>...</think> in a text answer
    retries: int  # dsl: the Code node's retry_config max_retries (0 = no retries)


@dataclass(frozen=True)
class Origin:
    """Where one snippet's options were written: its entry, and the spec's [defaults]."""

    label: str  # the spec file as messages name it, with the pyproject table's prefix
    where: str  # snippets[N]
    entry_keys: frozenset[str]  # set in the entry itself
    default_keys: frozenset[str]  # set in [defaults]

    def locate(self, key: str) -> str:
        """The spot that set `key` (the entry wins over [defaults]; unset keys are the entry's)."""
        if key in self.entry_keys or key not in self.default_keys:
            return f"{self.where}.{key}"
        return f"defaults.{key}"


@dataclass(frozen=True)
class Spec:
    """A whole spec: where it came from (for headers and messages) and its snippets."""

    source: str
    snippets: tuple[Snippet, ...]
    # Where a discovered spec lives: output/ goes beside it. None: the built-in default
    # or an explicit --spec, whose output goes to ./output.
    directory: Path | None = None
    # Where each snippet's options were written, in the order of `snippets`: warnings point there.
    origins: tuple[Origin, ...] = ()
    # Exported Dify apps (DSL files, glob patterns relative to the spec) whose bound Code nodes
    # `sync` updates and `check` checks.
    apps: tuple[str, ...] = ()
    # The folder of the spec file (None for the built-in default): `apps` patterns resolve there,
    # and `sync` writes only inside it unless a path is given on the command line.
    home: Path | None = None
