"""How much of the sandbox's 15 s window the default snippet uses: the latest answer it returns, its worst exit.

Run by hand (about 4 minutes):  python benchmarks/time_window.py [--runs 20]

The generated agent snippet with default settings runs as a Code node (Dify's runner, own
process, under the sandbox's Python) against the Dify emulator on 127.0.0.1:
- callees that complete their answer T seconds after the request arrives, for several T:
  the latest T at which every run still returned the whole answer;
- adversaries that never complete (silence, a ping every 0.3 s, silence with a stop endpoint
  that hangs): the worst time from process start to exit, which must stay under 14 s.
Runs go 10 at a time (most of a run is waiting), each timed from its own process start.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent / "tests"), str(HERE.parent)]

from support.code_node import sandbox_python  # noqa: E402
from support.snippets import render_code, run_snippet  # noqa: E402

from generator.emulator.apps import App  # noqa: E402
from generator.emulator.server import DifyEmulator  # noqa: E402
from generator.emulator.streams import standard_stream  # noqa: E402
from generator.emulator.wire import Event, Ping, Sleep  # noqa: E402

COMPLETIONS = (12.8, 12.9, 13.0, 13.05, 13.1, 13.15, 13.2)
ANSWER = "The whole answer."


def completes_at(seconds: float):
    """A callee that sends a first chunk at once and the rest of its answer `seconds` after the request."""

    def scenario(request):
        arrived = time.monotonic()
        *chunks, end = standard_stream(request)
        return chunks[:2] + [Sleep(max(0.0, seconds - (time.monotonic() - arrived)))] + chunks[2:] + [end]

    return scenario


def adversaries() -> dict[str, dict]:
    first = Event({"event": "agent_message", "answer": "so far"})
    return {
        "silent callee": {"scenario": lambda request: [first, Sleep(20)]},
        "ping every 0.3 s": {
            "scenario": lambda request: [first] + [step for _ in range(70) for step in (Sleep(0.3), Ping())]
        },
        "silent, stop hangs": {"scenario": lambda request: [first, Sleep(20)], "stop_delay": 20},
    }


def run_many(dify: DifyEmulator, code: str, fields: dict, runs: int) -> list:
    def one(index: int):
        app = dify.add(App(key=f"app-window-{time.monotonic_ns()}-{index}", mode="agent", answer=ANSWER, **fields))
        return run_snippet(dify, app, code, timeout=15.0)

    with ThreadPoolExecutor(max_workers=10) as pool:
        return list(pool.map(one, range(runs)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    from support.tls import server_context

    code = render_code(template="single")  # every default: time_budget 13.5
    print(f"generated code runs under {sandbox_python()}; {args.runs} runs per row, 10 at a time\n")
    with DifyEmulator(tls=server_context()) as dify:
        latest = None
        print(f"{'answer completes (s after request)':>36}  ok/{args.runs}  exit s (min/median/max)")
        for seconds in COMPLETIONS:
            results = run_many(dify, code, {"scenario": completes_at(seconds)}, args.runs)
            ok = sum(r.ok and r.outputs["response_text"] == ANSWER for r in results)
            times = [r.seconds for r in results]
            print(
                f"{seconds:>36.2f}  {ok:>2}/{args.runs}  {min(times):.2f} / {statistics.median(times):.2f} / "
                f"{max(times):.2f}"
            )
            if ok == args.runs:
                latest = seconds
        print(f"\nlatest completion that every run returned: {latest} s after the request arrived\n")
        worst = 0.0
        print(f"{'adversary':>36}  exit s (min/median/max)  all failed cleanly")
        for name, fields in adversaries().items():
            results = run_many(dify, code, fields, args.runs)
            times = [r.seconds for r in results]
            clean = all(not r.ok and "within the 13.5 s time budget" in r.error for r in results)
            worst = max(worst, *times)
            print(f"{name:>36}  {min(times):.2f} / {statistics.median(times):.2f} / {max(times):.2f}  {clean}")
        print(f"\nworst exit over {3 * args.runs} adversarial runs: {worst:.2f} s from process start (target < 14 s)")


if __name__ == "__main__":
    main()
