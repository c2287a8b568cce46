"""Runs one Dify DSL on graphon (Dify's workflow engine); executed by the Python 3.12 venv, not pytest's.

Reads a JSON request on stdin: {"dsl", "start_inputs", "run_context", "sandbox_url",
"sandbox_key"}. Prints one JSON object: the run's outcome, its outputs, the event kinds
and the conversation variables after the run.
"""

import json
import sys

from graphon.dsl import loads
from graphon.engine_events.graph import GraphRunFailedEvent, GraphRunSucceededEvent


def main() -> None:
    request = json.load(sys.stdin)
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
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
