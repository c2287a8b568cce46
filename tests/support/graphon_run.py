"""Runs Dify DSL apps on graphon (Dify's workflow engine); executed by the Python 3.12 venv, not pytest's.

Importing graphon costs about 0.6 s of CPU, so tests start this script once per test process
with `--serve`: it imports graphon, then reads one JSON request per line on stdin and runs
each in a forked child (a fresh process, as a one-off run would be), answering with one JSON
line: {"returncode", "stdout", "stderr"}. Without `--serve` it runs the one request on stdin.

A request is {"dsl", "start_inputs", "run_context", "sandbox_url", "sandbox_key"}. A run prints
one JSON object: the run's outcome, its outputs, the event kinds and the conversation variables
after the run.
"""

import json
import os
import signal
import sys
import tempfile
import traceback

from graphon.dsl import loads
from graphon.engine_events.graph import GraphRunFailedEvent, GraphRunSucceededEvent

RUN_TIMEOUT_SECONDS = 110  # a hung run is killed (SIGALRM) and reported, never waited on forever


def run(request: dict) -> dict:
    credentials = {"code": {"execution_endpoint": request["sandbox_url"], "execution_api_key": request["sandbox_key"]}}
    engine = loads(
        request["dsl"],
        credentials=credentials,
        start_inputs=request.get("start_inputs", {}),
        run_context=request.get("run_context", {}),
        workers=1,
    )
    result = {"status": "unfinished", "outputs": {}, "error": "", "events": []}
    for event in engine.run():
        result["events"].append(type(event).__name__)
        if isinstance(event, GraphRunSucceededEvent):
            result.update(status="succeeded", outputs=dict(event.outputs))
        elif isinstance(event, GraphRunFailedEvent):
            result.update(status="failed", error=event.error)
    pool = engine.runtime_state.variable_pool
    segment = pool.get(("conversation", "conversation_id"))
    result["conversation_id"] = None if segment is None else segment.value
    return result


def run_in_child(line: str) -> dict:
    """One request in a forked child, with its own stdout and stderr captured."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        pid = os.fork()
        if pid == 0:
            os.dup2(out.fileno(), 1)
            os.dup2(err.fileno(), 2)
            code = 0
            try:
                signal.alarm(RUN_TIMEOUT_SECONDS)
                print(json.dumps(run(json.loads(line)), default=str))
            except BaseException:
                traceback.print_exc()
                code = 1
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        out.seek(0)
        err.seek(0)
        return {
            "returncode": os.waitstatus_to_exitcode(status),
            "stdout": out.read().decode(errors="replace"),
            "stderr": err.read().decode(errors="replace"),
        }


def serve() -> None:
    for line in sys.stdin:
        sys.stdout.write(json.dumps(run_in_child(line)) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        print(json.dumps(run(json.load(sys.stdin)), default=str))
