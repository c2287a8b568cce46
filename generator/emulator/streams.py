"""What Dify streams for each kind of app: the standard answer, and a run that pauses for human input."""

from __future__ import annotations

from dataclasses import replace

from generator.emulator.apps import Request, Scenario
from generator.emulator.wire import Event


def as_mode(mode: str) -> Scenario:
    """The standard stream of another kind of app, whatever the route (the wire is the truth)."""
    return lambda request: standard_stream(replace(request, app=replace(request.app, mode=mode)))


# What a Human Input node's pause streams (Dify 1.14+, dify-facts §5).
PAUSE_FORM = {
    "form_id": "form-1",
    "form_token": "tok-7Hq2",
    "node_id": "approve",
    "node_title": "Approve the draft",
    "workflow_run_id": "run-1",
}


def paused_stream(request: Request, text: str = "so far", bare: bool = False) -> list:
    """Some answer, then human_input_required and workflow_paused, and the stream ends: no
    message_end, no workflow_finished. `bare`: both events without data (dify #35504)."""
    mode = request.app.mode
    run = {"id": "run-1", "workflow_id": "wf-1"}
    if mode == "workflow":
        answer = [Event({"event": "text_chunk", "data": {"text": text, "from_variable_selector": ["llm", "text"]}})]
    else:
        answer = [Event({"event": "agent_message" if mode.startswith("agent") else "message", "answer": text})]
    if bare:
        pause = [Event({"event": "human_input_required"}), Event({"event": "workflow_paused"})]
    else:
        form = dict(PAUSE_FORM, form_content="Approve?", inputs=[], actions=[{"id": "ok", "title": "Approve"}])
        reasons = [{"type": "human_input_required", "form_token": PAUSE_FORM["form_token"], "node_id": "approve"}]
        pause = [
            Event({"event": "human_input_required", "data": form}),
            Event({"event": "workflow_paused", "data": {"reasons": reasons, "workflow_run_id": "run-1"}}),
        ]
    return [Event({"event": "workflow_started", "data": run})] + answer + pause


def chunks_of(text: str, size: int) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def standard_stream(request: Request, chunk_size: int = 7) -> list:
    """What Dify streams for each app mode when all goes well."""
    app = request.app
    pieces = chunks_of(app.answer, chunk_size)
    usage = {
        "prompt_tokens": 12,
        "completion_tokens": 34,
        "total_tokens": 46,
        "total_price": "0.000123",
        "currency": "USD",
        "latency": 1.234,
    }
    end = Event({"event": "message_end", "metadata": {"usage": usage, "retriever_resources": []}, "files": None})
    if app.mode == "agent":
        thought = {
            "event": "agent_thought",
            "position": 1,
            "thought": "",
            "observation": "",
            "tool": "",
            "tool_input": "",
            "message_files": [],
        }
        return (
            [Event(thought)]
            + [Event({"event": "agent_message", "answer": p}) for p in pieces]
            + [Event(dict(thought, thought=app.answer)), end]
        )
    if app.mode == "agent-1.16":
        return [Event({"event": "agent_message", "answer": p}) for p in pieces] + [
            Event({"event": "message", "answer": app.answer}),
            end,
        ]
    if app.mode in ("chat", "completion"):
        return [Event({"event": "message", "answer": p}) for p in pieces] + [end]
    if app.mode == "chatflow":
        run = {"id": "run-1", "workflow_id": "wf-1"}
        return (
            [
                Event({"event": "workflow_started", "data": run}),
                Event({"event": "node_started", "data": {"node_id": "llm", "node_type": "llm", "title": "LLM"}}),
            ]
            + [Event({"event": "message", "answer": p}) for p in pieces]
            + [
                Event(
                    {
                        "event": "node_finished",
                        "data": {"node_id": "llm", "status": "succeeded", "outputs": {"text": app.answer}},
                    }
                ),
                Event(
                    {
                        "event": "workflow_finished",
                        "data": dict(
                            run,
                            status="succeeded",
                            outputs={"answer": app.answer},
                            error=None,
                            elapsed_time=1.5,
                            total_tokens=46,
                            total_steps=3,
                        ),
                    }
                ),
                end,
            ]
        )
    if app.mode == "workflow":
        outputs = app.outputs if app.outputs is not None else {"text": app.answer}
        run = {"id": "run-1", "workflow_id": "wf-1"}
        return (
            [
                Event({"event": "workflow_started", "data": run}),
                Event({"event": "node_started", "data": {"node_id": "llm", "node_type": "llm"}}),
            ]
            + [
                Event({"event": "text_chunk", "data": {"text": p, "from_variable_selector": ["llm", "text"]}})
                for p in pieces
            ]
            + [
                Event({"event": "node_finished", "data": {"node_id": "llm", "status": "succeeded"}}),
                Event(
                    {
                        "event": "workflow_finished",
                        "data": dict(
                            run,
                            status="succeeded",
                            outputs=outputs,
                            error=None,
                            elapsed_time=2.5,
                            total_tokens=46,
                            total_steps=3,
                        ),
                    }
                ),
            ]
        )
    raise ValueError(f"unknown mode {app.mode}")
