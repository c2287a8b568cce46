"""The warm `check -q` of a 200-snippet spec against `python -c "import jinja2"`, and against another checkout.

Run by hand:  python benchmarks/warm_check.py [--rounds N] [--against PATH] [--growth]

The spec is bench.py's (every template and app kind, 0 to 40 variables). Each tree generates it
once with its own cache folder, then checks it once more, so its caches are full and its .pyc
files written, as a user's would be: PYTHONDONTWRITEBYTECODE is removed from every command's
environment (some machines export it, and then each start compiles the package from source,
about 10 ms here, while jinja2's .pyc files were written when it was installed). Then every
contender runs once per round, in turn (machine noise hits all alike); figures are medians of
the rounds, ratios compare medians. `--against` times another checkout of dify-codenode (e.g. a
`git worktree` of an older commit) the same way.
`--growth` times this checkout's warm check of 25 to 400 snippets instead and fits a line: what
the check costs per snippet, and what it costs whatever the spec's size.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench import GROWTH, big_spec, fit, user_environment  # noqa: E402

JINJA = "python -c 'import jinja2'"


def _timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=user_environment(env), capture_output=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{command} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--against", type=Path, default=None, help="another dify-codenode checkout to time too")
    parser.add_argument("--growth", action="store_true", help="25 to 400 snippets, with a fitted line")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dify-codenode-warm-"))
    if args.growth:
        growth(work, args.rounds)
        return
    spec = work / "spec.toml"
    spec.write_text(big_spec(200))
    trees = {"this checkout": HERE.parent}
    if args.against is not None:
        trees[f"{args.against}"] = args.against.resolve()
    contenders: dict[str, tuple[list[str], Path, dict[str, str]]] = {}
    for number, (name, tree) in enumerate(trees.items()):
        env = {"DIFY_CODENODE_CACHE_DIR": str(work / f"cache-{number}")}
        out = work / f"out-{number}"
        check = [sys.executable, "-m", "generator", "check", "-q", "--spec", str(spec), "--out", str(out)]
        _timed([sys.executable, "-m", "generator", "generate", "--spec", str(spec), "--out", str(out)], tree, env)
        _timed(check, tree, env)  # the caches are full and the .pyc files written
        contenders[f"check -q, warm ({name})"] = (check, tree, env)
    contenders[JINJA] = ([sys.executable, "-c", "import jinja2"], work, {})
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.rounds):
        for name, (command, cwd, env) in contenders.items():
            times[name].append(_timed(command, cwd, env))
    median = {name: statistics.median(values) for name, values in times.items()}
    print(
        f"{args.rounds} interleaved rounds, 200 snippets, Python {sys.version.split()[0]}, {os.cpu_count()} cores; "
        ".pyc files written (PYTHONDONTWRITEBYTECODE removed)"
    )
    for name, value in median.items():
        low, high = min(times[name]) * 1000, max(times[name]) * 1000
        print(
            f"{name}: median {value * 1000:.0f} ms ({low:.0f} to {high:.0f}); "
            f"{value / median[JINJA]:.2f} × import jinja2"
        )


def growth(work: Path, rounds: int) -> None:
    """The warm check of specs of 25 to 400 snippets, interleaved, and the least-squares line through the medians."""
    tree = HERE.parent
    checks: dict[int, tuple[list[str], dict[str, str]]] = {}
    for count in GROWTH:
        spec, out = work / f"spec-{count}.toml", work / f"out-{count}"
        spec.write_text(big_spec(count))
        env = {"DIFY_CODENODE_CACHE_DIR": str(work / f"cache-{count}")}
        check = [sys.executable, "-m", "generator", "check", "-q", "--spec", str(spec), "--out", str(out)]
        _timed([sys.executable, "-m", "generator", "generate", "--spec", str(spec), "--out", str(out)], tree, env)
        _timed(check, tree, env)  # the caches are full and the .pyc files written
        checks[count] = (check, env)
    times: dict[int, list[float]] = {count: [] for count in GROWTH}
    jinja: list[float] = []
    for _ in range(rounds):
        for count, (check, env) in checks.items():
            times[count].append(_timed(check, tree, env))
        jinja.append(_timed([sys.executable, "-c", "import jinja2"], work, {}))
    medians = [statistics.median(times[count]) * 1000 for count in GROWTH]
    slope, intercept = fit(GROWTH, medians)
    print(f"{rounds} interleaved rounds, Python {sys.version.split()[0]}, {os.cpu_count()} cores; medians in ms")
    print("| snippets | " + " | ".join(map(str, GROWTH)) + " | fitted line |")
    print("| --- |" + " ---: |" * (len(GROWTH) + 1))
    print(
        "| warm `check -q` | "
        + " | ".join(f"{median:.0f}" for median in medians)
        + f" | {intercept:.0f} ms + {slope:.2f} ms × snippets |"
    )
    print(f"python -c 'import jinja2': median {statistics.median(jinja) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
