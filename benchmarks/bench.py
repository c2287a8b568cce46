"""Benchmarks for dify-codenode: generation against black's own speed, the snippet against the wire.

Run by hand, never in the test suite:  python benchmarks/bench.py [--reps N] [--quick]
Prints every figure and ratio with the machine it ran on, and writes benchmarks/RESULTS.md.
Ratios are measured side by side in one run (interleaved repetitions, medians).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

import generator  # noqa: E402
from generator.formatting import black_version  # noqa: E402

HISTORY_HEADING = "## Before and after"  # this section of RESULTS.md is kept between runs
TEMPLATES = ("single", "variables", "conversation")
APPS = {"single": ("agent", "chat", "chatflow", "completion", "workflow"), "variables": ("agent", "chat", "completion", "workflow"), "conversation": ("agent", "chat", "chatflow")}


# --- helpers ---------------------------------------------------------------------------------


def machine() -> str:
    model = "unknown CPU"
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return f"{platform.platform()}; {model}; {os.cpu_count()} cores; Python {platform.python_version()}; black {black_version()}"


def timed(command: list[str], env: dict | None = None, cwd: Path | None = None) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, env={**os.environ, **(env or {})}, cwd=cwd)
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command} failed: {done.stderr.decode()[-500:]}")
    return elapsed


def median(values: list[float]) -> float:
    return statistics.median(values)


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


FLOOR_SCRIPT = """
import sys, pathlib, black
sys.path.insert(0, {repo!r})
from generator.formatting import black_mode
mode = black_mode()
for path in sorted(pathlib.Path({out!r}).glob("*.py")):
    black.format_str(path.read_text(encoding="utf-8"), mode=mode)
"""


def bench_generation(reps: int, count: int, report: list[str]) -> None:
    work = Path(tempfile.mkdtemp(prefix="dify-codenode-bench-"))
    spec = work / "spec.toml"
    spec.write_text(big_spec(count))
    cli = [sys.executable, "-m", "generator"]
    reference = work / "reference"
    timed(cli + ["generate", "--spec", str(spec), "--out", str(reference)], env={"DIFY_CODENODE_CACHE_DIR": ""}, cwd=REPO)
    sources = sorted(reference.glob("*.py"))
    lines = sum(len(p.read_text().splitlines()) for p in sources)
    floor_cmd = [sys.executable, "-c", FLOOR_SCRIPT.format(repo=str(REPO), out=str(reference))]
    results: dict[str, list[float]] = {k: [] for k in ("floor", "cold", "cold_one_worker", "check_nocache", "check_warm", "generate_warm")}
    for rep in range(reps):
        cache = work / f"cache-{rep}"
        out = work / f"out-{rep}"
        results["floor"].append(timed(floor_cmd))
        results["cold"].append(timed(cli + ["generate", "--spec", str(spec), "--out", str(out)], env={"DIFY_CODENODE_CACHE_DIR": str(cache)}, cwd=REPO))
        results["cold_one_worker"].append(timed(cli + ["generate", "--spec", str(spec), "--out", str(work / f"one-{rep}")], env={"DIFY_CODENODE_CACHE_DIR": "", "DIFY_CODENODE_WORKERS": "1"}, cwd=REPO))
        results["check_nocache"].append(timed(cli + ["check", "-q", "--spec", str(spec), "--out", str(out)], env={"DIFY_CODENODE_CACHE_DIR": ""}, cwd=REPO))
        results["check_warm"].append(timed(cli + ["check", "-q", "--spec", str(spec), "--out", str(out)], env={"DIFY_CODENODE_CACHE_DIR": str(cache)}, cwd=REPO))
        results["generate_warm"].append(timed(cli + ["generate", "--spec", str(spec), "--out", str(out)], env={"DIFY_CODENODE_CACHE_DIR": str(cache)}, cwd=REPO))
        print(f"  generation rep {rep + 1}/{reps}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in results.items()), flush=True)
    floor = median(results["floor"])
    report += [
        f"## Generation: {count} snippets ({lines:,} lines of output), median of {reps}",
        "",
        "| run | seconds | × floor | target |",
        "| --- | ---: | ---: | --- |",
        f"| floor: `black.format_str` over the {count} final sources, one process (incl. start-up and black import) | {floor:.2f} | 1.00 | |",
        f"| `generate` into an empty directory, empty cache ({os.cpu_count()} worker processes) | {median(results['cold']):.2f} | {median(results['cold']) / floor:.2f} | ≤ 1.15 |",
        f"| the same with one process (`DIFY_CODENODE_WORKERS=1`): the generator's own overhead over black | {median(results['cold_one_worker']):.2f} | {median(results['cold_one_worker']) / floor:.2f} | |",
        f"| `check` on unchanged output, cache off | {median(results['check_nocache']):.2f} | {median(results['check_nocache']) / floor:.2f} | |",
        f"| `check` on unchanged output, warm cache | {median(results['check_warm']):.2f} | {median(results['check_warm']) / floor:.2f} | ≤ 0.30 |",
        f"| `generate` on unchanged output, warm cache | {median(results['generate_warm']):.2f} | {median(results['generate_warm']) / floor:.2f} | ≤ 0.30 |",
        "",
    ]


def bench_startup(reps: int, report: list[str]) -> None:
    runs = {"python -c pass": [sys.executable, "-c", "pass"], "dify-codenode --help": [sys.executable, "-m", "generator", "--help"],
            "dify-codenode --version": [sys.executable, "-m", "generator", "--version"]}
    times: dict[str, list[float]] = {k: [] for k in runs}
    for _ in range(reps):
        for name, command in runs.items():
            times[name].append(timed(command, cwd=REPO))
    base = median(times["python -c pass"])
    report += [f"## Start-up, median of {reps}", "", "| command | ms | × `python -c pass` |", "| --- | ---: | ---: |"]
    report += [f"| `{name}` | {median(t) * 1000:.0f} | {median(t) / base:.1f} |" for name, t in times.items()]
    report += ["", "(`--help` and `--version` import neither black nor jinja2: tests/test_cli.py asserts it.)", ""]


# --- the snippet ------------------------------------------------------------------------------

COOKBOOK = '''
def main(api_key: str, query: str, user: str) -> dict:
    import httpx
    import json

    url = URL
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json", "Accept": "text/event-stream"}
    data = {"inputs": {}, "query": query, "response_mode": "streaming", "conversation_id": "", "user": f"workflow-{user}", "files": []}
    full_response = ""
    conversation_id = ""
    usage = {}
    with httpx.Client() as client:
        with client.stream("POST", url, json=data, headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("data: "):
                    try:
                        event_data = json.loads(line[6:])
                        if event_data['event'] == 'agent_message':
                            full_response += event_data.get('answer', '')
                        elif event_data['event'] == 'message_end':
                            conversation_id = event_data.get('conversation_id', '')
                            usage = event_data.get('metadata', {}).get('usage', {})
                    except json.JSONDecodeError:
                        pass
                    except KeyError:
                        pass
    return {"response_text": full_response}
'''


def floor_loop(url: str) -> str:
    """The floor: read the lines with httpx, json-decode each data line, append the answer."""
    import httpx

    answer = []
    body = {"inputs": {}, "query": "q", "response_mode": "streaming", "user": "u"}
    with httpx.Client(timeout=60) as client:
        with client.stream("POST", url, json=body, headers={"Authorization": "Bearer k"}) as response:
            for line in response.iter_lines():
                if line.startswith("data:"):
                    event = json.loads(line[5:])
                    if event.get("event") == "agent_message":
                        answer.append(event["answer"])
    return "".join(answer)


def load_main(source: str, **constants: str):
    namespace: dict = dict(constants)
    exec(compile(source, "<snippet>", "exec"), namespace)
    return namespace["main"]


def bench_snippet(reps: int, report: list[str]) -> None:
    sys.path.insert(0, str(HERE))
    from sse_server import answer_text

    server = subprocess.Popen([sys.executable, str(HERE / "sse_server.py")], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        base = f"http://127.0.0.1:{port}"
        events, chars = 20_000, 10
        prefix = f"{base}/n/{events}/{chars}/v1"
        generated = load_main(generator.render({"template": "single", "base_url": prefix}))
        cookbook = load_main(COOKBOOK, URL=f"{prefix}/chat-messages")
        expected = answer_text(events, chars)
        contenders = {
            "floor (httpx lines + json + append)": lambda: floor_loop(f"{prefix}/chat-messages"),
            "generated single-shot main()": lambda: generated("k", "q", "u")["response_text"],
            "cookbook main() (repaired)": lambda: cookbook("k", "q", "u")["response_text"],
        }
        for name, run in contenders.items():
            assert run() == expected, f"{name} returned a wrong answer"
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(reps):
            for name, run in contenders.items():
                started = time.perf_counter()
                run()
                times[name].append(time.perf_counter() - started)
        floor = median(times["floor (httpx lines + json + append)"])
        cookbook_time = median(times["cookbook main() (repaired)"])
        report += [
            f"## The snippet: {events:,} agent_message events, {len(expected):,} characters (ASCII + CJK), loopback, median of {reps}",
            "",
            "| run | ms | × floor | × cookbook |",
            "| --- | ---: | ---: | ---: |",
        ]
        report += [f"| {name} | {median(t) * 1000:.0f} | {median(t) / floor:.2f} | {median(t) / cookbook_time:.2f} |" for name, t in times.items()]
        report += ["", "Targets: generated ≤ 1.10 × floor, and no slower than the cookbook.", ""]

        big_events = 40_000
        big_prefix = f"{base}/n/{big_events}/{chars}/v1"
        big = answer_text(big_events, chars)
        size = len(big.encode("utf-8"))
        memory = {}
        big_generated = load_main(generator.render({"template": "single", "base_url": big_prefix}))
        big_cookbook = load_main(COOKBOOK, URL=f"{big_prefix}/chat-messages")
        for name, run in {
            "generated single-shot main()": lambda: big_generated("k", "q", "u"),
            "floor (httpx lines + json + append)": lambda: floor_loop(f"{big_prefix}/chat-messages"),
            "cookbook main() (repaired)": lambda: big_cookbook("k", "q", "u"),
        }.items():
            run()  # warm: first-use imports are not the answer's memory
            tracemalloc.start()
            run()
            memory[name] = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        report += [
            f"## Peak memory (tracemalloc) for a {len(big):,}-character answer ({size:,} bytes as UTF-8)",
            "",
            "| run | peak bytes | × answer bytes | target |",
            "| --- | ---: | ---: | --- |",
        ]
        report += [f"| {name} | {peak:,} | {peak / size:.2f} | {'≤ 4' if name.startswith('generated') else ''} |" for name, peak in memory.items()]
        report.append("")
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each measurement (median reported)")
    parser.add_argument("--quick", action="store_true", help="20 snippets instead of 200 (a smoke run; not for RESULTS.md)")
    parser.add_argument("--only", choices=("generation", "startup", "snippet"), help="run one section")
    args = parser.parse_args()
    command = "python benchmarks/bench.py " + " ".join(sys.argv[1:])
    report = ["# Benchmark results", "", f"Command: `{command.strip()}`", "", f"Machine: {machine()}", ""]
    if args.only in (None, "snippet"):
        bench_snippet(max(args.reps, 5), report)
    if args.only in (None, "startup"):
        bench_startup(max(args.reps, 10), report)
    if args.only in (None, "generation"):
        bench_generation(args.reps, 20 if args.quick else 200, report)
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
