"""Helpers for tests that render a snippet from options and run it as a Dify Code node."""

from __future__ import annotations

import ast
import itertools
import re
import urllib.parse
from functools import cache

from generator.dify import ENDPOINTS
from generator.emulator.apps import App
from generator.emulator.server import DifyEmulator
from generator.errors import UserError
from generator.rendering.pipeline import snippet_files
from generator.spec.load import build_snippet
from generator.spec.model import Snippet
from support.code_node import NodeRun, declared_outputs, run_code_node
from support.tls import trusting_env

_keys = itertools.count(1)


def _fail(location: str, problem: str) -> UserError:
    return UserError(f"{location}: {problem}")


def snippet_of(**options: object) -> Snippet:
    """A Snippet from spec-style options (name defaults to 'test')."""
    options.setdefault("name", "test")
    return build_snippet(dict(options), _fail, lambda key: key)


@cache
def _files(snippet: Snippet) -> dict[str, str]:
    return snippet_files([snippet], "test")


def render_code(**options: object) -> str:
    """Generated source for these spec options (name defaults to 'test')."""
    snippet = snippet_of(**options)
    return _files(snippet)[f"{snippet.name}.py"]


def add_app(dify: DifyEmulator, mode: str, **fields: object) -> App:
    return dify.add(App(key=f"app-{mode}-{next(_keys):05d}", mode=mode, **fields))


def parameters(code: str) -> list[str]:
    tree = ast.parse(code)
    main = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main")
    return [arg.arg for arg in main.args.args]


def called_app(code: str) -> str:
    """The app kind a generated file's header says it calls."""
    return re.search(r"^# (?:Calls a|The HTTP-node route to a) Dify (\w+) app", code, re.MULTILINE).group(1)


def point_at_emulator(code: str, dify: DifyEmulator) -> tuple[str, dict[str, str]]:
    """The code with its base URL swapped for the emulator's (over TLS for an https snippet, with a
    certifi that trusts the test CA), and the environment its run needs. Code already aimed at
    this machine is left as it is."""
    url = ast.literal_eval(re.search(r"^_URL = (.+)$", code, re.MULTILINE).group(1))
    base = next(url[: -len(endpoint)] for endpoint in set(ENDPOINTS.values()) if url.endswith(endpoint))
    if urllib.parse.urlsplit(base).hostname in ("127.0.0.1", "localhost"):  # a test aiming at this machine itself
        return code, {}
    if base.startswith("https://"):
        return code.replace(base, dify.tls_base_url), trusting_env()
    return code.replace(base, dify.base_url), {}


def run_snippet(
    dify: DifyEmulator, app: App, code: str, timeout: float = 15.0, env: dict | None = None, **inputs: object
) -> NodeRun:
    """Run generated code against the emulator: base URL swapped in, every parameter given a value."""
    code, run_env = point_at_emulator(code, dify)
    values = {name: "" for name in parameters(code)}
    base = {"api_key": app.key, "query": "What is up?", "user": "user-1"}
    values.update({name: value for name, value in base.items() if name in values})
    values.update(inputs)
    return run_code_node(code, values, declared_outputs(code), timeout=timeout, env={**run_env, **(env or {})})
