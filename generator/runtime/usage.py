"""What a call cost, as the `usage` output reports it: a chat message's token counts, or a workflow run's totals."""

from generator.runtime.events import _object


def _message_usage(event: dict) -> dict:
    """message_end's metadata.usage: its numbers and texts, sorted (never an object Dify's
    output type would refuse)."""
    usage = _object(_object(event.get("metadata")).get("usage"))
    return {
        key: value
        for key, value in sorted(usage.items())
        if isinstance(value, (str, int, float)) and not isinstance(value, bool)
    }


def _run_usage(data: dict) -> dict:
    """workflow_finished's elapsed time, steps and tokens: those that are numbers."""
    return {
        key: data[key]
        for key in ("elapsed_time", "total_steps", "total_tokens")
        if isinstance(data.get(key), (int, float)) and not isinstance(data[key], bool)
    }
