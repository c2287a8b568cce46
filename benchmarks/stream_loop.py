"""The generated snippet's stream loop against the fastest minimal clients, run in the sandbox's Python.

Run by hand:  .venv-sandbox/bin/python benchmarks/stream_loop.py [--rounds 7]
(any Python 3.10+ with requests and httpx; bench.py runs it under the sandbox's Python).

A loopback server (sse_server.py, its own process) streams 20,000 agent_message events
(200,000 characters, ASCII and CJK), once with each event in its own HTTP chunk (as Dify sends
them) and once in 16 KiB chunks (as a buffering proxy passes them on). Each round runs every
contender once, in turn (interleaved, so machine noise hits all alike); figures are min /
median / max over the rounds, and each ratio is the generated main()'s median over the other's.
The minimal clients do no more than read lines, json-decode `data:` lines and append answers:
no deadline, no error handling. Then peak memory (tracemalloc) for a 400,000-character answer, a third
of it CJK (issue #20's workload).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

from sse_server import answer_text  # noqa: E402

EVENTS, CHARS = 20_000, 10
BODY = {"inputs": {}, "query": "q", "response_mode": "streaming", "user": "u"}


def requests_client(url: str) -> str:
    import requests

    answer = []
    with requests.post(url, json=BODY, headers={"Authorization": "Bearer k"}, stream=True, timeout=60) as response:
        for line in response.iter_lines():
            if line.startswith(b"data:"):
                event = json.loads(line[5:])
                if event.get("event") == "agent_message":
                    answer.append(event["answer"])
    return "".join(answer)


def httpx_client(url: str) -> str:
    import httpx

    answer = []
    with httpx.stream("POST", url, json=BODY, headers={"Authorization": "Bearer k"}, timeout=60) as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("event") == "agent_message":
                    answer.append(event["answer"])
    return "".join(answer)


def generated_main(base: str):
    source = generated_source(base)
    namespace: dict = {}
    exec(compile(source, "<snippet>", "exec"), namespace)
    main = namespace["main"]
    return lambda: main("k", "q", "u")["response_text"]


def generated_source(base: str) -> str:
    """The single-shot agent snippet for this base URL, from the generator (run in the project's Python)."""
    script = (
        f"import generator, sys; sys.stdout.write(generator.render({{'template': 'single', 'base_url': {base!r}}}))"
    )
    python = HERE.parent / ".venv" / "bin" / "python"
    done = subprocess.run(
        [str(python if python.exists() else sys.executable), "-c", script],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE.parent,
    )
    return done.stdout


def spread(times: list[float]) -> str:
    return f"{min(times) * 1000:.0f} / {statistics.median(times) * 1000:.0f} / {max(times) * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    server = subprocess.Popen([sys.executable, str(HERE / "sse_server.py")], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        print(
            f"Python {sys.version.split()[0]}; {EVENTS:,} events, {args.rounds} interleaved rounds; ms min / median / "
            "max\n"
        )
        print("| framing | generated main() | requests | httpx | × requests | × httpx |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        expected = answer_text(EVENTS, CHARS)
        for framing, kind in (("one HTTP chunk per event", "n"), ("16 KiB chunks", "b")):
            base = f"http://127.0.0.1:{port}/{kind}/{EVENTS}/{CHARS}/v1"
            url = base + "/chat-messages"
            contenders = {
                "generated": generated_main(base),
                "requests": lambda url=url: requests_client(url),
                "httpx": lambda url=url: httpx_client(url),
            }
            for name, run in contenders.items():
                assert run() == expected, f"{name} returned a wrong answer"
            times: dict[str, list[float]] = {name: [] for name in contenders}
            for _ in range(args.rounds):
                for name, run in contenders.items():
                    started = time.perf_counter()
                    run()
                    times[name].append(time.perf_counter() - started)
            median = {name: statistics.median(t) for name, t in times.items()}
            print(
                f"| {framing} | {spread(times['generated'])} | {spread(times['requests'])} | {spread(times['httpx'])} "
                "| "
                f"{median['generated'] / median['requests']:.2f} | {median['generated'] / median['httpx']:.2f} |"
            )
        big_events = 40_000
        base = f"http://127.0.0.1:{port}/n/{big_events}/{CHARS}/v1"
        answer = answer_text(big_events, CHARS)
        size = len(answer.encode("utf-8"))
        cjk = sum(not character.isascii() for character in answer) / len(answer)
        print(
            f"\nPeak memory (tracemalloc) for a {len(answer):,}-character answer, {cjk:.0%} CJK "
            f"({size:,} bytes as UTF-8):\n"
        )
        print("| run | peak bytes | × answer bytes |")
        print("| --- | ---: | ---: |")
        for name, run in {
            "generated main()": generated_main(base),
            "requests": lambda: requests_client(base + "/chat-messages"),
            "httpx": lambda: httpx_client(base + "/chat-messages"),
        }.items():
            run()  # first-use imports are not the answer's memory
            tracemalloc.start()
            run()
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            print(f"| {name} | {peak:,} | {peak / size:.2f} |")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
