"""The exhaustive static pass over the option space: every combination the loader accepts is generated, formatted,
linted, compiled by CPython 3.10 and, as a DSL app, loaded by graphon. Run by .ci/run:

    python tests/static_pass.py [--python310 PATH] [--graphon-python PATH]

Formatting is checked where it can differ. Files are formatted part by part (one part per
top-level def/class, generator/rendering/formatting.py). Black formats a module statement by
statement; what crosses a part boundary is only the blank lines before a part's first line,
which black's EmptyLineTracker decides from the lines just before it, all in the previous part.
So black's formatting of every distinct pair of adjacent parts, joined as the files join them,
equal to the part-by-part formatting of that pair, gives the whole files' equality; black runs
on a tenth of the text that the whole files hold. Whole files are still checked for a fixed sample
(every WHOLE_FILE_STRIDE-th), and tests/test_golden.py checks every golden and output/ file whole.

Prints the counts and exits 1 on the first class of failure (with examples), 0 when all hold.
Too slow for the README's test command (a few minutes on 2 cores); tests/test_option_space.py
runs the all-pairs covering array of the same space as Code nodes.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from support.option_space import every_combination  # noqa: E402

WORKERS = os.cpu_count() or 1
WHOLE_FILE_STRIDE = 40  # every 40th distinct rendered file is also formatted whole by black

# Runs in CPython 3.10 (the sandbox's oldest Python): compile every file it is given.
COMPILE_ALL = """
import json, sys
failures = []
for name, text in json.load(sys.stdin).items():
    try:
        compile(text, name, "exec", dont_inherit=True)
    except SyntaxError as error:
        failures.append(f"{name}: {error}")
print(json.dumps(failures))
"""
# Runs in graphon's Python: load every DSL it is given the way tests/support/graphon_run.py does.
LOAD_ALL = """
import json, sys
from graphon.dsl import loads
failures = []
credentials = {"code": {"execution_endpoint": "http://127.0.0.1:9", "execution_api_key": "unused"}}
for name, text in json.load(sys.stdin).items():
    try:
        loads(text, credentials=credentials, start_inputs={}, run_context={}, workers=1)
    except Exception as error:
        failures.append(f"{name}: {type(error).__name__}: {error}"[:500])
print(json.dumps(failures))
"""


def _black_whole(text: str) -> str:
    """Worker: black's formatting of a whole file, to compare with the part-by-part result."""
    import black

    from generator.rendering.formatting import black_mode

    return black.format_str(text, mode=black_mode())


def _lint(text: str) -> tuple[set[str], list[str]]:
    """Worker: a file's module-level names and its lint findings (parsed with the 3.10 grammar)."""
    from generator.codenode.lint import lint_source
    from generator.codenode.run import declared_outputs

    tree = ast.parse(text, feature_version=(3, 10))
    names = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.ClassDef))}
    names |= {target.id for node in tree.body if isinstance(node, ast.Assign) for target in node.targets}
    return names, [finding.format("variant") for finding in lint_source(text, list(declared_outputs(text)))]


def adjacent_pairs(texts: list[str]) -> list[str]:
    """Each distinct pair of adjacent parts of `texts`, joined as files join them (a one-part text as it is)."""
    from generator.rendering.formatting import PART_BOUNDARY, PART_SEPARATOR

    pairs: dict[str, None] = {}
    for text in texts:
        parts = [part.strip("\n") for part in PART_BOUNDARY.split(text)]
        if len(parts) == 1:
            pairs[text] = None
        for first, second in zip(parts, parts[1:], strict=False):
            pairs[first + PART_SEPARATOR + second + "\n"] = None
    return sorted(pairs)


def _generate(batch: list[tuple[int, dict]]) -> list[tuple[int, dict[str, str]]]:
    """Worker: every file of each accepted combination, through the product's own pipeline."""
    from support.option_space import snippet

    from generator.rendering.pipeline import snippet_files

    return [(index, snippet_files([snippet(**options)], "the option space")) for index, options in batch]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--python310",
        default=os.environ.get("DIFY_SANDBOX_PYTHON") or str(HERE.parent / ".venv-sandbox" / "bin" / "python"),
    )
    parser.add_argument(
        "--graphon-python",
        default=os.environ.get("DIFY_GRAPHON_PYTHON") or str(HERE.parent / ".venv-graphon" / "bin" / "python"),
    )
    parser.add_argument("--workers", type=int, default=WORKERS)
    args = parser.parse_args()
    os.environ.setdefault("DIFY_CODENODE_CACHE_DIR", tempfile.mkdtemp(prefix="dify-codenode-static-"))
    started = time.monotonic()
    problems: list[str] = []

    # 1. The loader: every combination is accepted, or refused in one line (never a crash).
    accepted: list[tuple[int, dict]] = []
    refused = 0
    for index, (options, result) in enumerate(every_combination()):
        if isinstance(result, Exception):
            refused += 1
            if "\n" in str(result) or not str(result):
                problems.append(f"refusal is not one line: {options}: {result!r}")
        else:
            accepted.append((index, options))
    total = len(accepted) + refused
    print(
        f"option space: {total} combinations of the options that change the emitted code; "
        f"{len(accepted)} accepted, {refused} refused by the loader with a one-line reason"
    )

    # 2. Generate everything, through the product's pipeline, in parallel. Black formats each
    #    distinct top-level part once; it must give what black gives for the whole file.
    from support.option_space import snippet

    from generator.rendering.formatting import format_source
    from generator.rendering.templating import render_request_builder, render_snippet
    from generator.rendering.variant import Variant, variant_of

    # A snippet's files are a function of its variant (templates and the DSL writer read nothing
    # else; tests/test_variant.py proves the variant holds nothing they don't use), so each
    # distinct variant is generated once, for every combination that has it.
    representatives: dict[Variant, tuple[int, dict]] = {}
    for index, options in accepted:
        representatives.setdefault(variant_of(snippet(**options)), (index, options))
    print(f"variants: {len(representatives)} distinct among the {len(accepted)} accepted combinations")
    rendered: set[str] = set()
    for variant in representatives:
        rendered.add(render_snippet(variant, "the option space"))
        if not variant.code_route:
            rendered.add(render_request_builder(variant, "the option space"))
    rendered_texts = sorted(rendered)
    pairs = adjacent_pairs(rendered_texts)
    sample = rendered_texts[::WHOLE_FILE_STRIDE]
    checked_texts = pairs + sample
    distinct = list(representatives.values())
    batches = [distinct[i : i + 100] for i in range(0, len(distinct), 100)]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        whole = list(pool.map(_black_whole, checked_texts, chunksize=50))
        generated = [item for batch in pool.map(_generate, batches) for item in batch]
        python_files: dict[str, str] = {}
        dsl_files: dict[str, str] = {}
        for index, files in generated:
            for name, text in files.items():
                target = dsl_files if name.endswith(".yml") else python_files
                target.setdefault(text, f"#{index}/{name}")
        linted = list(pool.map(_lint, python_files, chunksize=50))
    not_clean = sum(text != black for text, black in zip(checked_texts, whole, strict=True))
    not_black = [
        text for text, black in zip(checked_texts, whole, strict=True) if format_source(text, "a variant") != black
    ]
    if not_black:
        problems.append(
            f"{len(not_black)} texts formatted part by part differ from black's formatting of the whole text, "
            f"first: {not_black[0][:300]!r}"
        )
    print(
        f"generated: {len(python_files)} distinct Python files, {len(dsl_files)} distinct DSL apps; "
        f"of {len(rendered_texts)} distinct rendered files, their {len(pairs)} distinct "
        f"pairs of adjacent parts and {len(sample)} whole files: "
        f"{len(checked_texts) - len(not_black)} of {len(checked_texts)} formatted part by part "
        "equal black's formatting "
        f"({len(checked_texts) - not_clean} needed no change at all); {time.monotonic() - started:.0f} s so far"
    )

    # 3. Lint and the 3.10 grammar.
    from generator.spec.names import generated_names

    findings = 0
    defined: set[str] = set()
    for where, (names, found) in zip(python_files.values(), linted, strict=True):
        defined |= names
        for finding in found:
            findings += 1
            if findings <= 5:
                problems.append(f"lint {where}: {finding}")
    print(f"lint: {findings} findings in {len(python_files)} files")
    unreserved = sorted(defined - generated_names())
    if unreserved:  # a spec input named like one of them would shadow it
        problems.append(f"module-level names generator.spec.names.generated_names() misses: {unreserved}")
    print(f"names: {len(defined)} module-level names across all files, {len(unreserved)} not reserved")
    python310 = args.python310 if Path(args.python310).exists() else sys.executable
    failures = _run_batch(python310, COMPILE_ALL, {where: text for text, where in python_files.items()})
    problems += [f"compile: {failure}" for failure in failures[:5]]
    version = subprocess.run(
        [python310, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True
    ).stdout.strip()
    print(
        f"compile: {len(python_files) - len(failures)}/{len(python_files)} compile under CPython {version}; "
        f"{time.monotonic() - started:.0f} s so far"
    )

    # 4. Every DSL app loads on graphon, Dify's workflow engine.
    if Path(args.graphon_python).exists():
        failures = _run_batch(args.graphon_python, LOAD_ALL, {where: text for text, where in dsl_files.items()})
        problems += [f"graphon: {failure}" for failure in failures[:5]]
        print(f"graphon: {len(dsl_files) - len(failures)}/{len(dsl_files)} DSL apps load")
    else:
        print(f"graphon: skipped (no {args.graphon_python}; .ci/run builds it)")

    print(f"static pass: {time.monotonic() - started:.0f} s ({args.workers} workers)")
    for problem in problems:
        print(f"FAILED {problem}")
    return 1 if problems else 0


def _run_batch(python: str, script: str, files: dict[str, str], workers: int = WORKERS) -> list[str]:
    """Failures of `script` run by `python` over `files`, split across `workers` processes."""
    names = sorted(files)
    shares = [{name: files[name] for name in names[i::workers]} for i in range(workers)]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda share: _run_one(python, script, share), [s for s in shares if s]))
    return [failure for result in results for failure in result]


def _run_one(python: str, script: str, files: dict[str, str]) -> list[str]:
    done = subprocess.run([python, "-c", script], input=json.dumps(files), capture_output=True, text=True)
    if done.returncode != 0:
        return [f"{python} failed: {done.stderr[-1000:]}"]
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    sys.exit(main())
