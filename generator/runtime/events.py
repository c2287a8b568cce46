"""What the stream's events carry, read defensively: a run's status, a pause's form, an answer, a workflow's outputs."""

from generator.runtime.errors import _DifyCallError
from generator.runtime.hints import _one_line
from generator.runtime.snippet import _APP


def _check_run_status(data: dict) -> None:
    """A run that ended failed or stopped is a failure, whatever text came before it; one that
    partly succeeded (a failure the app's own error handling caught) is a success."""
    status = data.get("status")
    if status not in ("succeeded", "partial-succeeded"):
        raise _DifyCallError(
            f"the called app's run ended with status {status!r}: "
            f"{' '.join(str(data.get('error') or 'no error message').split())[:500]}"
        )


def _pause_of(event: dict, known: dict) -> dict:
    """What a pause for human input says of its form (Dify 1.14+: human_input_required,
    then workflow_paused with it in data.reasons; some versions send both bare)."""
    data = _object(event.get("data"))
    reasons = data.get("reasons")
    reason = _object(reasons[0]) if isinstance(reasons, list) and reasons else {}
    found = {}
    for key in ("node_title", "node_id", "form_token", "workflow_run_id"):
        found[key] = known.get(key) or str(
            data.get(key) or reason.get(key) or event.get(key) or ""
        )
    return found


def _pause_line(pause: dict) -> str:
    return (
        "the called app paused for human input at node "
        f"{pause['node_title'] or pause['node_id'] or '(unnamed)'!r} (form_token "
        f"{pause['form_token'] or 'none: the form went out by email'}, workflow_run_id "
        f"{pause['workflow_run_id'] or 'unknown'}): someone must submit the form (POST "
        "/v1/form/human_input/<form_token>) before the run goes on; GET "
        "/v1/workflow/<workflow_run_id>/events then streams the rest"
    )


def _declared_output(outputs: dict, name: str, kind: str, fits, empty: object):
    """The workflow output `name`, of the declared Dify type `kind` (null gives `empty`);
    missing, or of another type, it means the spec and the app disagree."""
    if name not in outputs:
        raise _DifyCallError(
            f"the called workflow has no output {name!r} (it returned: "
            f"{', '.join(sorted(map(str, outputs))) or 'none'}); fix workflow_outputs in the spec"
        )
    value = outputs[name]
    if value is None:
        return empty
    if not fits(value):
        raise _DifyCallError(
            f"the called workflow's output {name!r} is {type(value).__name__}, not the "
            f"declared {kind}; fix workflow_outputs in the spec"
        )
    return value


def _object(value: object) -> dict:
    """The value if it is a JSON object, else an empty one (a stream may send null)."""
    return value if isinstance(value, dict) else {}


def _answer_of(event: dict) -> str:
    text = event.get("answer")
    if text is None:
        return ""
    if not isinstance(text, str):
        raise _DifyCallError(
            f"the stream's {event.get('event')} event has an answer that is not text"
        )
    return text


def _wrong_kind(kind: str) -> _DifyCallError:
    return _DifyCallError(
        f"the called app streamed as {'an' if kind == 'agent' else 'a'} {kind} app, not as "
        f'the {_APP} app this node was made for: set app = "{kind}" in the spec '
        "and regenerate"
    )


def _failed_mid_stream(event: dict) -> _DifyCallError:
    """An `error` event: the app failed after its stream began."""
    status, code = event.get("status"), str(event.get("code") or "")
    error = _one_line(status, code, str(event.get("message") or ""), False)
    return _DifyCallError(f"the called app failed mid-stream: {error}")
