"""How a Dify app describes itself (GET /v1/info, /v1/parameters) and checks `inputs` against its form.

Read from Dify's source:
- api/controllers/service_api/app/app.py: AppInfoApi (name, description, tags, mode) and
  AppParameterApi (features + user_input_form);
- api/models/workflow.py, Workflow.user_input_form(to_old_structure=True): for workflow and
  Chatflow apps each Start-node variable (which carries its own "type") is wrapped as
  {type: variable}; chat/agent/completion apps keep their model config's form, already
  {type: {...}} without "type" inside;
- api/core/app/apps/base_app_generator.py, _prepare_user_inputs/_validate_inputs: only the
  form's variables are kept (others dropped silently), then each is checked by type.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

# The emulator's app modes -> what /info says (`mode` of AppMode).
INFO_MODES = {
    "agent": "agent-chat",
    "agent-1.16": "agent",
    "chat": "chat",
    "chatflow": "advanced-chat",
    "completion": "completion",
    "workflow": "workflow",
}
WORKFLOW_MODES = ("chatflow", "workflow")
TEXT_TYPES = ("text-input", "select", "paragraph")


@dataclass
class Variable:
    """One variable of an app's input form, as the app builder configured it."""

    variable: str
    type: str = "text-input"
    label: str = ""
    required: bool = True
    default: object = None
    max_length: int | None = None
    options: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # e.g. allowed_file_types for file inputs

    def start_node_variable(self) -> dict:
        """How a workflow's Start node stores it."""
        entry = {
            "variable": self.variable,
            "label": self.label or self.variable,
            "type": self.type,
            "required": self.required,
            "max_length": self.max_length,
            "options": list(self.options),
            **self.extra,
        }
        if self.default is not None:
            entry["default"] = self.default
        return entry


def user_input_form(mode: str, form: list[Variable]) -> list[dict]:
    """/parameters' user_input_form for an app of this mode."""
    if mode in WORKFLOW_MODES:
        return [{variable.type: variable.start_node_variable()} for variable in form]  # to_old_structure
    entries = []
    for variable in form:
        entry = variable.start_node_variable()
        del entry["type"]
        entries.append({variable.type: entry})
    return entries


def parameters(mode: str, form: list[Variable], file_upload: dict | None = None) -> dict:
    """The whole /parameters answer, with Dify's defaults for the features."""
    return {
        "opening_statement": "",
        "suggested_questions": [],
        "suggested_questions_after_answer": {"enabled": False},
        "speech_to_text": {"enabled": False},
        "text_to_speech": {"enabled": False},
        "retriever_resource": {"enabled": False},
        "annotation_reply": {"enabled": False},
        "more_like_this": {"enabled": False},
        "user_input_form": user_input_form(mode, form),
        "sensitive_word_avoidance": {"enabled": False, "type": "", "configs": []},
        "file_upload": file_upload
        or {
            "image": {
                "enabled": False,
                "number_limits": 3,
                "detail": "high",
                "transfer_methods": ["remote_url", "local_file"],
            }
        },
        "system_parameters": {
            "image_file_size_limit": "10",
            "video_file_size_limit": "100",
            "audio_file_size_limit": "50",
            "file_size_limit": "15",
            "workflow_file_upload_limit": "10",
        },
    }


def info(name: str, description: str, tags: list[str], mode: str) -> dict:
    return {"name": name, "description": description, "tags": tags, "mode": INFO_MODES[mode]}


class FormError(ValueError):
    """What Dify answers with 400 invalid_param."""


def prepare_inputs(inputs: dict, form: list[Variable]) -> dict:
    """Dify's _prepare_user_inputs: the form's variables only, each validated and converted."""
    prepared = {variable.variable: validate(inputs.get(variable.variable), variable) for variable in form}
    return {key: value.replace("\x00", "") if isinstance(value, str) else value for key, value in prepared.items()}


def validate(value: object, variable: Variable) -> object:
    """Dify's _validate_inputs, message for message."""
    name = variable.variable
    if value is None:
        if variable.required:
            raise FormError(f"{name} is required in input form")
        value = variable.default
        if value is None:
            return None
    if variable.type in ("file", "file-list") and not variable.required and isinstance(value, str) and not value:
        return None
    if variable.type in TEXT_TYPES and not isinstance(value, str):
        raise FormError(f"(type '{variable.type}') {name} in input form must be a string")
    if variable.type == "number":
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                return float(value) if "." in value else int(value)
            except ValueError:
                raise FormError(f"{name} in input form must be a valid number") from None
        raise FormError(f"expected value type int, float or str, got {type(value)}, value: {value}")
    if variable.type == "select" and value not in variable.options:
        raise FormError(f"{name} in input form must be one of the following: {variable.options}")
    if variable.type in ("text-input", "paragraph") and variable.max_length and len(value) > variable.max_length:  # type: ignore[arg-type]
        raise FormError(f"{name} in input form must be less than {variable.max_length} characters")
    if variable.type == "file":
        check_file_mapping(value, name)
    if variable.type == "file-list":
        if not (isinstance(value, list) and all(isinstance(item, dict) for item in value)):
            raise FormError(f"{name} in input form must be a list of files")
        if variable.max_length and len(value) > variable.max_length:
            raise FormError(f"{name} in input form must be less than {variable.max_length} files")
        for item in value:
            check_file_mapping(item, name)
    if variable.type == "checkbox":
        if isinstance(value, str):
            normalized = value.strip().lower()
            value = (
                True
                if normalized in {"true", "1", "yes", "on"}
                else False
                if normalized in {"false", "0", "no", "off"}
                else value
            )
        elif isinstance(value, (int, float)) and not isinstance(value, bool) and value in (0, 1):
            value = bool(value)
    if variable.type == "json_object" and value and not isinstance(value, dict):
        raise FormError(f"{name} in input form must be a dict")
    if isinstance(value, dict) and variable.type not in ("file", "json_object"):
        raise FormError(f"Invalid input type for {[name]}")
    return value


def check_file_mapping(mapping: object, name: str) -> None:
    """What api/factories/file_factory.py asks of a file mapping before it looks the file up."""
    if not isinstance(mapping, dict):
        raise FormError(f"{name} in input form must be a file")
    method = mapping.get("transfer_method")
    if method == "remote_url":
        url = mapping.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise FormError("Invalid file url")
    elif method == "local_file":
        try:
            uuid.UUID(str(mapping.get("upload_file_id")))
        except ValueError:
            raise FormError("Invalid upload file id format") from None
    elif method == "tool_file":
        if not mapping.get("tool_file_id"):
            raise FormError("Invalid tool file id")
    else:
        raise FormError(f"Invalid file transfer method: {method}")


def dumps(document: object) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode("utf-8")
