"""Helpers for tests that render a snippet from options and run it as a Dify Code node."""

from __future__ import annotations

import ast
import itertools
from functools import lru_cache

from code_node import NodeRun, declared_outputs, run_code_node
from dify_emulator import App, DifyEmulator
from generator.errors import UserError
from generator.formatting import format_source
from generator.templating import render_snippet
from generator.spec import build_snippet

_keys = itertools.count(1)


def _fail(location: str, problem: str) -> UserError:
    return UserError(f"{location}: {problem}")


@lru_cache(maxsize=None)
def _render(items: tuple) -> str:
    options = dict(items)
    for key in ("inputs", "workflow_outputs"):
        if key in options:
            options[key] = dict(options[key])
    if "extra_outputs" in options:
        options["extra_outputs"] = list(options["extra_outputs"])
    snippet = build_snippet(options, _fail, lambda key: key)
    return format_source(render_snippet(snippet, "test"), "test")


def render_code(**options: object) -> str:
    """Generated source for these spec options (name defaults to 'test')."""
    options.setdefault("name", "test")
    frozen = tuple(
        sorted((key, tuple(value.items()) if isinstance(value, dict) else tuple(value) if isinstance(value, list) else value) for key, value in options.items())
    )
    return _render(frozen)


def add_app(dify: DifyEmulator, mode: str, **fields: object) -> App:
    return dify.add(App(key=f"app-{mode}-{next(_keys):05d}", mode=mode, **fields))


def parameters(code: str) -> list[str]:
    tree = ast.parse(code)
    main = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main")
    return [arg.arg for arg in main.args.args]


def run_snippet(dify: DifyEmulator, app: App, code: str, timeout: float = 15.0, env: dict | None = None, **inputs: object) -> NodeRun:
    """Run generated code against the emulator: base URL swapped in, every parameter given a value."""
    code = code.replace("https://api.dify.ai/v1", dify.base_url)
    values = {name: "" for name in parameters(code)}
    values.update({"api_key": app.key, "query": "What is up?", "user": "user-1"})
    values.update(inputs)
    return run_code_node(code, values, declared_outputs(code), timeout=timeout, env=env)
