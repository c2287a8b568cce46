"""Benchmarks for dify-codenode, side by side with its rivals: black's CLI, Python's start-up, the fastest clients.

Run by hand, never in the test suite:  python benchmarks/bench.py [--rounds N] [--quick]
Each figure is min / median / max over interleaved rounds (every contender once per round, so
machine noise hits all alike); ratios compare medians. Writes benchmarks/RESULTS.md.
Commands run with .pyc files written, as a user's are: PYTHONDONTWRITEBYTECODE is removed from
their environment (some machines export it; then every start compiles the package from source).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from generator.rendering.formatting import black_version  # noqa: E402

HISTORY_HEADING = "## Before and after"  # this section of RESULTS.md is kept between runs
TEMPLATES = ("single", "variables", "conversation")
APPS = {
    "single": ("agent", "chat", "chatflow", "completion", "workflow"),
    "variables": ("agent", "chat", "completion", "workflow"),
    "conversation": ("agent", "chat", "chatflow"),
}
GROWTH = (25, 50, 100, 200, 400)


# --- helpers ---------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    python = f"Python {platform.python_version()}; black {black_version()}"
    return f"{platform.platform()}; {model}; {os.cpu_count()} cores; {python}"


def user_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment as a user's shell would have it (.pyc files written), plus `extra`."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    return {**environment, **(extra or {})}


def timed(command: list[str], env: dict | None = None, cwd: Path | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env=user_environment(env), cwd=cwd)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def spread(times: list[float], scale: float = 1.0, digits: int = 2) -> str:
    return " / ".join(f"{value * scale:.{digits}f}" for value in (min(times), statistics.median(times), max(times)))


def interleaved(contenders: dict[str, tuple], rounds: int) -> dict[str, list[float]]:
    """Time each contender (command, env) once per round, in turn."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(rounds):
        for name, (command, env) in contenders.items():
            times[name].append(timed(command, env=env, cwd=REPO))
    return times


# --- generation ------------------------------------------------------------------------------


def big_spec(count: int) -> str:
    """A spec of `count` snippets over all templates and app kinds, with 0 to 40 variables."""
    lines = ["version = 1", ""]
    for index in range(count):
        template = TEMPLATES[index % 3]
        app = APPS[template][index // 3 % len(APPS[template])]
        variables = 0 if template == "single" else index % 41
        lines += ["[[snippets]]", f'name = "s{index:03d}"', f'template = "{template}"', f'app = "{app}"']
        if variables and index % 2:
            lines.append(f"dynamic = {min(variables, 40)}")
        elif variables:
            lines.append("inputs = { " + ", ".join(f'"in_{n}" = "p_{n}"' for n in range(variables)) + " }")
        lines.append("")
    return "\n".join(lines)


def prepare(work: Path, count: int) -> tuple[Path, Path]:
    """A spec of `count` snippets and its generated output (the files black's CLI is given)."""
    spec = work / f"spec-{count}.toml"
    spec.write_text(big_spec(count))
    out = work / f"reference-{count}"
    timed(
        [sys.executable, "-m", "generator", "generate", "--spec", str(spec), "--out", str(out)],
        env={"DIFY_CODENODE_CACHE_DIR": ""},
        cwd=REPO,
    )
    return spec, out


def generation_contenders(work: Path, spec: Path, reference: Path) -> dict[str, tuple]:
    """Cold generate (cache off) against black's CLI on the same files, both in one process."""
    run = [sys.executable, "-m", "generator", "generate", "--spec", str(spec)]
    black_cli = [sys.executable, "-m", "black", "-q", "--workers", "1", "--target-version", "py310", str(reference)]
    # black's own cache would skip unchanged files: a fresh one every run, so black reads all.
    fresh = lambda name: str(Path(tempfile.mkdtemp(prefix=name, dir=work)))  # noqa: E731
    return {
        "generate": (run + ["--out", fresh("out-")], {"DIFY_CODENODE_CACHE_DIR": ""}),
        "black": (black_cli, {"BLACK_CACHE_DIR": fresh("black-")}),
        "black --fast": (black_cli + ["--fast"], {"BLACK_CACHE_DIR": fresh("black-")}),
    }


def bench_generation(rounds: int, count: int, report: list[str]) -> None:
    work = Path(tempfile.mkdtemp(prefix="dify-codenode-bench-"))
    spec, reference = prepare(work, count)
    lines = sum(len(p.read_text().splitlines()) for p in reference.glob("*.py"))
    cache = work / "cache"
    timed(
        [sys.executable, "-m", "generator", "generate", "--spec", str(spec), "--out", str(work / "warm")],
        env={"DIFY_CODENODE_CACHE_DIR": str(cache)},
        cwd=REPO,
    )
    timed(  # one check first, as warm_check.py does: the spec's validation is stored, its .pyc files written
        [sys.executable, "-m", "generator", "check", "-q", "--spec", str(spec), "--out", str(work / "warm")],
        env={"DIFY_CODENODE_CACHE_DIR": str(cache)},
        cwd=REPO,
    )
    times: dict[str, list[float]] = {}
    for _ in range(rounds):  # contenders are rebuilt each round: fresh output and black cache dirs
        for name, value in interleaved(generation_contenders(work, spec, reference), 1).items():
            times.setdefault(name, []).extend(value)
    # The warm check in rounds of its own: timed between black's 20-second runs, 5 samples of a
    # 0.1 s command swung 1.5-1.8x from run to run.
    jinja = "python -c 'import jinja2'"
    quick_rounds = max(3 * rounds, 15)
    warm_check = [sys.executable, "-m", "generator", "check", "-q", "--spec", str(spec), "--out", str(work / "warm")]
    times |= interleaved(
        {
            "check, warm cache": (warm_check, {"DIFY_CODENODE_CACHE_DIR": str(cache)}),
            jinja: ([sys.executable, "-c", "import jinja2"], {}),
        },
        quick_rounds,
    )
    median = {name: statistics.median(t) for name, t in times.items()}
    report += [
        f"## Generation: {count} snippets ({lines:,} lines of output), {rounds} interleaved rounds",
        "",
        "One process each (`generate` formats in one process; black's CLI with `--workers 1`).",
        "",
        "| run | seconds, min / median / max | ratio | target |",
        "| --- | ---: | ---: | --- |",
        f"| black's CLI on the same {count} files (default safe mode) | {spread(times['black'])} | 1.00 | |",
        f"| black's CLI, `--fast` (no equivalence check) | {spread(times['black --fast'])} | "
        f"{median['black --fast'] / median['black']:.2f} × black | |",
        f"| `generate`, empty output directory, cache off | {spread(times['generate'])} | "
        f"{median['generate'] / median['black']:.2f} × black, {median['generate'] / median['black --fast']:.2f} × "
        "black --fast | ≤ 0.2 × black |",
        f"| `check`, unchanged output, warm cache ({quick_rounds} rounds of its own) | "
        f"{spread(times['check, warm cache'], 1000, 0)} ms | "
        f"{median['check, warm cache'] / median[jinja]:.2f} × import jinja2 | ≤ 1.5 × import jinja2 |",
        f"| `python -c 'import jinja2'` | {spread(times[jinja], 1000, 0)} ms | 1.00 | |",
        "",
    ]


def bench_growth(rounds: int, report: list[str]) -> None:
    """Cold generate and black's CLI from 25 to 400 snippets, with least-squares lines."""
    work = Path(tempfile.mkdtemp(prefix="dify-codenode-growth-"))
    prepared = {count: prepare(work, count) for count in GROWTH}
    times: dict[str, dict[int, list[float]]] = {"generate": {}, "black": {}}
    for _ in range(rounds):
        for count, (spec, reference) in prepared.items():
            contenders = generation_contenders(work, spec, reference)
            for name in ("generate", "black"):
                command, env = contenders[name]
                times[name].setdefault(count, []).append(timed(command, env=env, cwd=REPO))
    report += [
        f"## Growth from {GROWTH[0]} to {GROWTH[-1]} snippets (cold, one process, median of {rounds})",
        "",
        "| snippets | " + " | ".join(map(str, GROWTH)) + " | fitted line |",
        "| --- |" + " ---: |" * (len(GROWTH) + 1),
    ]
    for name, label in (("generate", "`generate`, cache off"), ("black", "black's CLI")):
        medians = [statistics.median(times[name][count]) for count in GROWTH]
        slope, intercept = fit(GROWTH, medians)
        report.append(
            f"| {label} | "
            + " | ".join(f"{m:.2f}" for m in medians)
            + f" | {intercept:.2f} s + {slope * 1000:.1f} ms × snippets |"
        )
    report.append("")


def fit(xs: tuple[int, ...], ys: list[float]) -> tuple[float, float]:
    """Least-squares slope and intercept."""
    n = len(xs)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sum((x - mean_x) ** 2 for x in xs)
    return slope, mean_y - slope * mean_x


def bench_startup(rounds: int, report: list[str]) -> None:
    env = {"DIFY_CODENODE_CACHE_DIR": str(Path(tempfile.mkdtemp(prefix="dify-codenode-startup-")))}
    timed([sys.executable, "-m", "generator", "--help"], env=env, cwd=REPO)  # the help text is cached on first use
    contenders = {
        "python -c pass": ([sys.executable, "-c", "pass"], env),
        "dify-codenode --version": ([sys.executable, "-m", "generator", "--version"], env),
        "dify-codenode --help": ([sys.executable, "-m", "generator", "--help"], env),
    }
    times = interleaved(contenders, rounds)
    base = statistics.median(times["python -c pass"])
    report += [
        f"## Start-up, {rounds} interleaved rounds",
        "",
        "| command | ms, min / median / max | × `python -c pass` | target |",
        "| --- | ---: | ---: | --- |",
    ]
    report += [
        f"| `{name}` | {spread(t, 1000, 1)} | {statistics.median(t) / base:.1f} | "
        f"{'' if name.startswith('python') else '≤ 4'} |"
        for name, t in times.items()
    ]
    report += [
        "",
        "(`--version` and a cached `--help` load neither click, black nor jinja2: tests/test_cli.py asserts it.)",
        "",
    ]


# --- the snippet ---------------------------------------------------------------------------


def bench_snippet(rounds: int, report: list[str]) -> None:
    """The stream loop, in the sandbox's Python (benchmarks/stream_loop.py prints its own tables)."""
    sys.path.insert(0, str(REPO / "tests"))
    from support.code_node import sandbox_python

    done = subprocess.run(
        [sandbox_python(), str(HERE / "stream_loop.py"), "--rounds", str(rounds)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    if done.returncode:
        raise SystemExit(f"stream_loop.py failed: {done.stderr[-1000:]}")
    report += [
        "## The snippet's stream loop against minimal clients",
        "",
        done.stdout.strip(),
        "",
        "Targets (#20): ≤ 0.8 × requests on both framings; peak memory ≤ 2.5 × the answer's UTF-8 size.",
        "",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per measurement")
    parser.add_argument(
        "--quick", action="store_true", help="20 snippets, no growth (a smoke run; RESULTS.md untouched)"
    )
    parser.add_argument("--only", choices=("generation", "growth", "startup", "snippet"), help="run one section")
    args = parser.parse_args()
    command = "python benchmarks/bench.py " + " ".join(sys.argv[1:])
    report = ["# Benchmark results", "", f"Command: `{command.strip()}`", "", f"Machine: {machine()}", ""]
    sections = {
        "snippet": lambda: bench_snippet(max(args.rounds, 5), report),
        "startup": lambda: bench_startup(max(args.rounds, 15), report),
        "generation": lambda: bench_generation(args.rounds, 20 if args.quick else 200, report),
        "growth": lambda: None if args.quick else bench_growth(max(1, args.rounds // 2), report),
    }
    for name, run in sections.items():
        if args.only in (None, name):
            print(f"{name} ...", flush=True)
            run()
    text = "\n".join(report) + "\n"
    print(text)
    if not args.quick and args.only is None:
        results = HERE / "RESULTS.md"
        kept = ""
        if results.exists() and HISTORY_HEADING in results.read_text(encoding="utf-8"):
            kept = HISTORY_HEADING + results.read_text(encoding="utf-8").split(HISTORY_HEADING, 1)[1]
        results.write_text(text + ("\n" + kept if kept else ""), encoding="utf-8")
        print(f"written to {HERE / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
