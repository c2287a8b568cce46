"""What `dify-codenode run` checks before starting a Code node, so a mistake is one line, not Dify's traceback."""

from __future__ import annotations

import ast
import math
import re
import urllib.parse

from generator.dify import ENDPOINTS
from generator.errors import UserError, shown
from generator.marker import marked_snippet
from generator.spec.load import BUILTIN_SPEC, find_spec_path, load_spec

MAX_TIMEOUT_SECONDS = 600.0


def check_timeout(timeout: float) -> None:
    if not math.isfinite(timeout) or not 0 < timeout <= MAX_TIMEOUT_SECONDS:
        raise UserError(
            f"--timeout {timeout:g}: give seconds above 0 and at most {MAX_TIMEOUT_SECONDS:g} (Dify's sandbox: 15)"
        )


def check_call(source: str, inputs: dict[str, object], label: str) -> None:
    """Refuse a file Python can't compile, one without a top-level main(), and inputs that
    main(**inputs) can't take (missing required ones, unknown ones) - naming them."""
    main = _main_function(source, label)
    arguments = main.args
    if arguments.posonlyargs:
        raise UserError(
            f"{label}:{main.lineno}: main() has positional-only parameters; Dify passes every input by name"
        )
    takes_any = arguments.kwarg is not None
    named = [a.arg for a in arguments.args] + [a.arg for a in arguments.kwonlyargs]
    with_default = {a.arg for a in arguments.args[len(arguments.args) - len(arguments.defaults) :]}
    with_default |= {a.arg for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d is not None}
    missing = [name for name in named if name not in with_default and name not in inputs]
    if missing:
        flags = " ".join(f"--input {name}=..." for name in missing[:5])
        raise UserError(
            f"{label}: main() needs input{'s' if len(missing) > 1 else ''} {', '.join(missing)}; add {flags}"
        )
    unknown = [name for name in inputs if name not in named]
    if unknown and not takes_any:
        raise UserError(
            f"{label}: main() has no parameter {', '.join(shown(name) for name in unknown[:5])} "
            f"(it takes {', '.join(named) or 'none'}); remove that --input"
        )


def _main_function(source: str, label: str) -> ast.FunctionDef:
    try:
        tree = ast.parse(source)
        compile(tree, label, "exec", dont_inherit=True)
    except SyntaxError as error:
        raise UserError(
            f"{label}:{error.lineno or 1}:{error.offset or 1}: not valid Python: {error.msg}; fix it (`dify-codenode "
            "lint` checks it)"
        ) from None
    except (RecursionError, MemoryError):
        raise UserError(f"{label}: nested too deeply for Python to compile; Dify couldn't run it either") from None
    except ValueError as error:  # e.g. source with a NUL byte
        raise UserError(f"{label}: not valid Python ({error})") from None
    mains = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main"]
    if not mains:
        raise UserError(f"{label}: no top-level `def main(...)`; Dify calls main(**inputs)")
    return mains[-1]


def with_base_url(source: str, base_url: str, label: str) -> str:
    """Generated code aimed at another Service API address: `run --base-url` tries a self-hosted
    node from the host, where the API has another address than inside the sandbox."""
    scheme = urllib.parse.urlsplit(base_url).scheme
    if scheme not in ("http", "https") or not urllib.parse.urlsplit(base_url).hostname:
        raise UserError(
            f"--base-url {shown(base_url)}: not an http(s) URL; give the Service API's address, e.g. "
            "http://localhost/v1"
        )
    match = re.search(r'^_URL = \(?\s*"([^"\n]*)"', source, re.MULTILINE)
    endpoint = next((end for end in sorted(set(ENDPOINTS.values())) if match and match.group(1).endswith(end)), None)
    if match is None or endpoint is None:
        raise UserError(
            f"{label}: --base-url works on files dify-codenode generated (this one has no _URL line); edit its "
            "address instead"
        )
    old = match.group(1)[: -len(endpoint)]
    if urllib.parse.urlsplit(old).scheme != scheme:
        raise UserError(
            f"{label}: was generated for {urllib.parse.urlsplit(old).scheme} ({shown(old)}), and its transport is "
            "made for it; "
            f"regenerate with base_url = {shown(base_url)} to try it against an {scheme} API"
        )
    return source.replace(f'"{old}/', f'"{base_url.rstrip("/")}/')


def spec_verify_base_url(source: str) -> tuple[str, str] | None:
    """(verify_base_url, snippet name) when the file was generated from the spec that would be
    used here and its snippet says where this machine reaches the API (self-hosted: the sandbox
    calls http://api:5001/v1, the host http://localhost/v1); None otherwise, a broken spec included."""
    try:
        marked = marked_snippet(source)
        path = find_spec_path(None)
        if marked is None or path == BUILTIN_SPEC or path.name != marked[0]:
            return None
        snippet = next((s for s in load_spec(path).snippets if s.name == marked[1]), None)
    except (UserError, ValueError):
        return None
    if snippet is None or not snippet.verify_base_url or snippet.verify_base_url == snippet.base_url:
        return None
    return snippet.verify_base_url, snippet.name
