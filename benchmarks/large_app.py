"""`check --apps` and `sync` of large exported apps, with libyaml's loader and with PyYAML's own.

Run by hand:  python benchmarks/large_app.py [--shape nodes|prompts] [--sizes 1,5] [--rounds N]

Each app is a stale export of the repo's agent_single snippet (DSL 0.6.0) grown to about the
size asked for (in MB): `nodes` with small filler nodes (the worst case: a node per 100 bytes),
`prompts` with 50 nodes holding long texts (where a real 50 MB app's bytes are); dify-codenode
takes files up to 50 MB. Every contender runs once per round, in turn, in this process (the
spec's files cached); figures are medians, ratios compare them.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml
from click.testing import CliRunner

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from support.dify_exports import aged, current_document, exported  # noqa: E402

from generator.cli import cli  # noqa: E402
from generator.exports import sync  # noqa: E402
from generator.spec.load import load_spec  # noqa: E402

SPEC = REPO / "snippets.toml"


def stale_app(megabytes: float, shape: str = "nodes") -> str:
    snippet = next(s for s in load_spec(SPEC).snippets if s.name == "agent_single")
    if shape == "prompts":
        return _with_prompts(snippet, megabytes)
    base = len(exported(aged(current_document(snippet), "0.6.0")))
    per_node = (len(exported(aged(current_document(snippet), "0.6.0", filler_nodes=20))) - base) / 20
    fillers = int(megabytes * 1_000_000 / per_node)
    return exported(aged(current_document(snippet), "0.6.0", filler_nodes=fillers))


def _with_prompts(snippet, megabytes: float) -> str:  # noqa: ANN001
    """The app with 50 nodes holding long texts, scaled so that the file (escapes included) has the size."""
    line = "Answer in the user's language, briefly ✓ 问\n"

    def app(lines_per_node: int) -> str:
        document = aged(current_document(snippet), "0.6.0", filler_nodes=50)
        for node in document["workflow"]["graph"]["nodes"][-50:]:
            node["data"]["desc"] = line * lines_per_node
        return exported(document)

    probe = len(app(1000).encode())
    return app(int(1000 * megabytes * 1_000_000 / probe))


def timed(loader: type, command: str, app: Path, text: str) -> float:
    sync.LOADER = loader
    app.write_text(text)
    started = time.perf_counter()
    args = ["--spec", str(SPEC), app] if command == "sync" else ["--spec", str(SPEC), "--apps", app]
    result = CliRunner().invoke(cli, [command, *map(str, args)], catch_exceptions=False)
    elapsed = time.perf_counter() - started
    if result.exit_code not in (0, 1):
        raise SystemExit(f"{command} failed: {result.output[-500:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", choices=["nodes", "prompts"], default="nodes")
    parser.add_argument("--sizes", default="1,5", help="app sizes in MB, comma-separated")
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()
    libyaml = sync.LOADER if sync.LOADER is not yaml.SafeLoader else None  # the product's: memoised tags
    loaders = {"libyaml": libyaml, "pyyaml": yaml.SafeLoader}
    if loaders["libyaml"] is None:
        raise SystemExit("this PyYAML has no libyaml: nothing to compare")
    print(f"PyYAML {yaml.__version__}, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory() as folder:
        app = Path(folder) / "app.yml"
        for size in (float(part) for part in arguments.sizes.split(",")):
            text = stale_app(size, arguments.shape)
            times: dict[tuple[str, str], list[float]] = {}
            for _ in range(arguments.rounds):
                for command in ("check", "sync"):
                    for name, loader in loaders.items():
                        times.setdefault((command, name), []).append(timed(loader, command, app, text))
            megabytes, lines = len(text.encode()) / 1e6, text.count("\n")
            print(f"\n{arguments.shape}: {megabytes:.1f} MB app ({lines:,} lines), {arguments.rounds} rounds:")
            for command in ("check", "sync"):
                fast = statistics.median(times[command, "libyaml"])
                slow = statistics.median(times[command, "pyyaml"])
                print(f"  {command:5}  libyaml {fast:6.2f} s   pyyaml {slow:6.2f} s   ratio {fast / slow:.2f}x")


if __name__ == "__main__":
    main()
