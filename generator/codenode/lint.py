"""Static checks of any Code-node Python file against what Dify and its sandbox require (dify-facts §1–§3)."""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass

from generator.spec import names

# What dify-sandbox has besides the standard library: httpx, requests, jinja2 and their dependencies.
SANDBOX_PACKAGES = frozenset(
    {
        "httpx",
        "requests",
        "jinja2",
        "certifi",
        "httpcore",
        "h11",
        "anyio",
        "sniffio",
        "idna",
        "charset_normalizer",
        "urllib3",
        "socksio",
        "markupsafe",
    }
)
# Refused by the sandbox's seccomp filter (threads, processes, signals, event loops).
FORBIDDEN_MODULES = {
    "threading": "threads",
    "_thread": "threads",
    "concurrent": "threads",
    "asyncio": "an event loop (its DNS uses a thread)",
    "subprocess": "processes",
    "multiprocessing": "processes",
    "signal": "signals (alarm/setitimer)",
}
FORBIDDEN_CALLS = {
    "os.fork": "processes",
    "os.system": "processes",
    "os.popen": "processes",
    "os.spawnl": "processes",
    "os.execv": "processes",
    "os.kill": "signals",
    "signal.alarm": "signals",
    "signal.setitimer": "signals",
}
WRITE_CALLS = {
    "os.mkdir",
    "os.makedirs",
    "os.remove",
    "os.unlink",
    "os.rename",
    "os.replace",
    "os.rmdir",
    "shutil.copy",
    "shutil.copyfile",
    "shutil.move",
    "shutil.rmtree",
    "tempfile.mkstemp",
    "tempfile.NamedTemporaryFile",
    "tempfile.TemporaryFile",
    "tempfile.mkdtemp",
}
WRITE_METHODS = {"write_text", "write_bytes", "mkdir", "touch", "unlink"}
# Calls and modules that warn (DeprecationWarning: printed on stderr, which fails the node) or are
# gone on the Pythons of newer sandboxes (CPython 3.14 from dify-sandbox 0.2.13; dify-facts §2),
# from the "What's New" pages of Python 3.12, 3.13 and 3.14: what 3.14 would show, caught anywhere.
DEPRECATED_CALLS = {
    "datetime.datetime.utcnow": "3.12 warns; use datetime.datetime.now(datetime.timezone.utc)",
    "datetime.datetime.utcfromtimestamp": "3.12 warns; use datetime.datetime.fromtimestamp(t, datetime.timezone.utc)",
    "datetime.utcnow": "3.12 warns; use datetime.now(timezone.utc)",
    "datetime.utcfromtimestamp": "3.12 warns; use datetime.fromtimestamp(t, timezone.utc)",
    "asyncio.get_event_loop": "warns on 3.12+ without a running loop",
    "asyncio.iscoroutinefunction": "3.14 warns; use inspect.iscoroutinefunction",
    "asyncio.get_event_loop_policy": "3.14 warns",
    "codecs.open": "3.14 warns; use open()",
    "locale.getdefaultlocale": "warns since 3.11; use locale.getlocale",
    "pkgutil.find_loader": "3.12 warns; use importlib.util.find_spec",
    "pkgutil.get_loader": "3.12 warns; use importlib.util.find_spec",
    "ssl.wrap_socket": "removed in 3.12; use ssl.SSLContext.wrap_socket",
    "ssl.match_hostname": "removed in 3.12",
    "typing.no_type_check_decorator": "3.13 warns",
    "urllib.parse.splittype": "warns; use urllib.parse.urlparse",
    "urllib.parse.splithost": "warns; use urllib.parse.urlparse",
    "urllib.parse.splitport": "warns; use urllib.parse.urlparse",
    "urllib.parse.unwrap": "warns on 3.12+",
    "ast.Num": "3.12 warns, removed in 3.14; use ast.Constant",
    "ast.Str": "3.12 warns, removed in 3.14; use ast.Constant",
    "ast.Bytes": "3.12 warns, removed in 3.14; use ast.Constant",
    "ast.NameConstant": "3.12 warns, removed in 3.14; use ast.Constant",
    "ast.Ellipsis": "3.12 warns, removed in 3.14; use ast.Constant",
    "glob.glob0": "3.13 warns",
    "glob.glob1": "3.13 warns",
}
# Modules removed from the standard library in 3.12 and 3.13 (PEP 594, distutils, imp, asynchat, ...).
REMOVED_MODULES = frozenset(
    {
        "distutils",
        "imp",
        "asynchat",
        "asyncore",
        "smtpd",
        "aifc",
        "audioop",
        "cgi",
        "cgitb",
        "chunk",
        "crypt",
        "imghdr",
        "mailcap",
        "msilib",
        "nis",
        "nntplib",
        "ossaudiodev",
        "pipes",
        "sndhdr",
        "spwd",
        "sunau",
        "telnetlib",
        "uu",
        "xdrlib",
        "lib2to3",
    }
)
# re functions whose count / maxsplit / flags given by position warn on 3.13+: (function, positional
# arguments allowed before them).
RE_POSITIONAL = {"re.sub": 3, "re.subn": 3, "re.split": 2}
HTTPX_CALLS = {"httpx.Client", "httpx.get", "httpx.post", "httpx.stream", "httpx.request", "httpx.put"}


@dataclass(frozen=True, order=True)
class Finding:
    line: int
    col: int
    code: str
    message: str

    def format(self, path: str) -> str:
        return f"{path}:{self.line}:{self.col}: {self.code} {self.message}"


def _dotted(node: ast.AST) -> str:
    """'os.path.join' for an attribute chain, '' for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return ""


def lint_source(source: str, outputs: list[str] | None = None) -> list[Finding]:
    """Every finding for one file's text; `outputs` are the node's declared outputs, if known."""
    findings: list[Finding] = []

    def add(node: ast.AST | None, code: str, message: str, line: int = 0, col: int = 0) -> None:
        if node is not None:
            line, col = node.lineno, node.col_offset + 1
        findings.append(Finding(line, col, code, message))

    for marker, code, why in (
        ("{{inputs}}", "DCN007", "Dify replaces the text {{inputs}} anywhere in the script with the node's inputs"),
        ("<<RESULT>>", "DCN008", "Dify reads the result between <<RESULT>> tags in stdout; never write them"),
    ):
        for number, text in enumerate(source.splitlines(), 1):
            if marker in text:
                add(None, code, f"contains {marker}: {why}", number, text.index(marker) + 1)
    try:
        tree = ast.parse(source, feature_version=(3, 10))
        compile(tree, "<code>", "exec", dont_inherit=True)  # what parses may still not compile: `__debug__ = 1`
    except SyntaxError as error:
        add(
            None,
            "DCN001",
            f"not valid Python 3.10 (the sandbox may run 3.10): {error.msg}",
            error.lineno or 1,
            error.offset or 1,
        )
        return sorted(findings)
    except ValueError as error:  # a NUL byte
        add(None, "DCN001", f"not valid Python: {error}", 1, 1)
        return sorted(findings)
    aliases = _import_aliases(tree)
    mains = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "main"]
    if not mains:
        add(None, "DCN002", "no top-level `def main(...)`: Dify calls main(**inputs)", 1, 1)
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in names.RUNNER_NAMES - {"json"}:
                    add(
                        target, "DCN013", f"module-level `{target.id}` is rebound by Dify's runner after your code runs"
                    )
    for node in ast.walk(tree):
        _check_node(node, add, aliases)
    for main in mains:
        _check_main(main, outputs, add)
    return sorted(findings)


def _import_aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> what it stands for: `from os import makedirs` binds makedirs to os.makedirs,
    `import shutil as sh` binds sh to shutil."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    aliases[alias.asname] = alias.name
    return aliases


def _resolved(name: str, aliases: dict[str, str]) -> str:
    head, dot, rest = name.partition(".")
    return aliases[head] + dot + rest if head in aliases else name


def _check_node(node: ast.AST, add, aliases: dict[str, str]) -> None:
    if isinstance(node, ast.ImportFrom) and node.module and not node.level:
        for alias in node.names:
            imported = f"{node.module}.{alias.name}"
            if imported in FORBIDDEN_CALLS:
                add(
                    node,
                    "DCN004",
                    f"imports {imported}: the sandbox forbids {FORBIDDEN_CALLS[imported]} and kills the run",
                )
            elif imported in WRITE_CALLS:
                add(node, "DCN005", f"imports {imported}: the sandbox's file system is read-only")
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        modules = [alias.name for alias in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        if isinstance(node, ast.ImportFrom) and node.level:
            add(node, "DCN003", "relative import: a Code node is a single file")
            return
        for module in modules:
            top = module.split(".")[0]
            if top in REMOVED_MODULES:
                add(
                    node,
                    "DCN015",
                    f"imports {module}: it is no longer in the standard library of Python 3.13, which newer sandboxes "
                    "exceed (3.14)",
                )
            elif top in FORBIDDEN_MODULES:
                add(node, "DCN004", f"imports {module}: the sandbox forbids {FORBIDDEN_MODULES[top]} and kills the run")
            elif top == "logging":
                add(node, "DCN006", "imports logging: log output goes to stderr, and any stderr fails the node")
            elif top not in sys.stdlib_module_names and top not in SANDBOX_PACKAGES:
                add(
                    node,
                    "DCN003",
                    f"imports {module}: the sandbox has only the standard library, httpx, requests and jinja2",
                )
    elif isinstance(node, ast.Call):
        name = _resolved(_dotted(node.func), aliases)
        if name in DEPRECATED_CALLS:
            add(
                node,
                "DCN015",
                f"calls {name}: {DEPRECATED_CALLS[name]}; newer sandboxes run Python 3.14, where a warning on stderr "
                "fails the node",
            )
        elif name in RE_POSITIONAL and len(node.args) > RE_POSITIONAL[name]:
            add(
                node,
                "DCN015",
                f"passes {name}'s count/maxsplit/flags by position: Python 3.13+ warns (on stderr, which fails the "
                "node); pass them by keyword",
            )
        elif name in FORBIDDEN_CALLS:
            add(node, "DCN004", f"calls {name}: the sandbox forbids {FORBIDDEN_CALLS[name]} and kills the run")
        elif name == "httpx.AsyncClient":
            add(node, "DCN004", "httpx.AsyncClient needs an event loop and a DNS thread, which the sandbox forbids")
        elif name in WRITE_CALLS or (isinstance(node.func, ast.Attribute) and node.func.attr in WRITE_METHODS):
            add(node, "DCN005", f"calls {name or node.func.attr}: the sandbox's file system is read-only")
        elif name == "open" and _writes(node):
            add(node, "DCN005", "opens a file for writing: the sandbox's file system is read-only")
        elif name in ("warnings.warn", "traceback.print_exc", "sys.stderr.write"):
            add(node, "DCN006", f"calls {name}: anything on stderr fails the node")
        elif name == "print" and any(k.arg == "file" and _dotted(k.value) == "sys.stderr" for k in node.keywords):
            add(node, "DCN006", "prints to stderr: anything on stderr fails the node")
        elif name in HTTPX_CALLS and not any(k.arg == "timeout" for k in node.keywords):
            add(
                node,
                "DCN014",
                f"{name} without timeout=: httpx's 5 s default is shorter than Dify's 10 s ping interval",
            )


def _writes(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and any(c in mode.value for c in "wax+")


def _check_main(main: ast.FunctionDef, outputs: list[str] | None, add) -> None:
    arguments = main.args
    if arguments.posonlyargs:
        add(main, "DCN009", "positional-only parameters: Dify passes every input as a keyword")
    for argument in arguments.args + arguments.kwonlyargs:
        if not names.DIFY_NAME.fullmatch(argument.arg):
            add(
                argument,
                "DCN009",
                f"parameter {argument.arg!r} is not a name Dify accepts for a variable ({names.DIFY_NAME.pattern})",
            )
        elif not names.can_bind(argument.arg):
            add(argument, "DCN009", f"parameter {argument.arg!r} can't be assigned in Python: the node can't load")
    returns = [node for node in ast.walk(main) if isinstance(node, ast.Return) and _owner(main, node)]
    if not returns:
        add(main, "DCN012", "main() never returns: Dify needs a dict of the declared outputs")
    for node in returns:
        if not isinstance(node.value, ast.Dict) or any(key is None for key in node.value.keys):
            add(node, "DCN010", "returns something other than a dict literal: its keys can't be checked")
            continue
        keys = [key.value if isinstance(key, ast.Constant) else None for key in node.value.keys]
        if None in keys:
            add(node, "DCN010", "returns a dict with computed keys: they can't be checked")
        elif outputs is not None:
            missing = [name for name in outputs if name not in keys]
            extra = [key for key in keys if key not in outputs]
            if missing:
                add(
                    node,
                    "DCN011",
                    f"returns no {', '.join(missing)}: Dify fails with 'Output {missing[0]} is missing.'",
                )
            if extra:
                add(
                    node,
                    "DCN011",
                    f"returns undeclared {', '.join(map(str, extra))}: Dify fails with 'Not all output parameters are "
                    "validated.'",
                )


def _owner(main: ast.FunctionDef, target: ast.Return) -> bool:
    """True when `target` belongs to main itself, not to a function nested in it."""
    stack = list(main.body)
    while stack:
        node = stack.pop()
        if node is target:
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))
    return False
