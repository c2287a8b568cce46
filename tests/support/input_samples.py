"""Valid values for a spec input of each Dify type, and what a snippet sends the called app for them."""

from __future__ import annotations

import json

# Files as a Code node gets them (File.to_dict()): uploaded, made by a tool, from a URL.
LOCAL_FILE = {
    "dify_model_identity": "__dify__file__",
    "id": None,
    "type": "document",
    "transfer_method": "local_file",
    "remote_url": None,
    "reference": "5b4a9d1e-1f0e-4a55-9b2e-3c6f2f9a8e11",
    "related_id": "5b4a9d1e-1f0e-4a55-9b2e-3c6f2f9a8e11",
    "filename": "report.pdf",
    "extension": ".pdf",
    "mime_type": "application/pdf",
    "size": 1024,
    "url": "/files/5b4a/file-preview",
}
TOOL_FILE = {**LOCAL_FILE, "transfer_method": "tool_file", "related_id": "7c1d", "reference": "7c1d"}
REMOTE_FILE = {
    **LOCAL_FILE,
    "type": "image",
    "transfer_method": "remote_url",
    "remote_url": "https://example.com/a.png",
    "related_id": None,
    "reference": None,
}
# A valid value for an input of each Dify type.
INPUT_SAMPLES = {
    "text-input": "short ✓",
    "paragraph": "short ✓",
    "number": "7",
    "checkbox": "yes",
    "json_object": '{"k": 1}',
    "file": LOCAL_FILE,
    "file-list": [REMOTE_FILE],
}


def forwarded(kind: str, value: object) -> object:
    """What a snippet sends for a valid `value` of an input of this type."""
    if kind == "number":
        return (
            float(value) if isinstance(value, str) and "." in value else int(value) if isinstance(value, str) else value
        )
    if kind == "checkbox":
        return value if isinstance(value, bool) else str(value).strip().lower() in ("true", "1", "yes", "on")
    if kind == "json_object":
        return json.loads(value) if isinstance(value, str) else value
    if kind == "file":
        if value["transfer_method"] == "remote_url":
            return {"type": value["type"], "transfer_method": "remote_url", "url": value["remote_url"]}
        id_key = "upload_file_id" if value["transfer_method"] == "local_file" else "tool_file_id"
        return {"type": value["type"], "transfer_method": value["transfer_method"], id_key: value["related_id"]}
    if kind == "file-list":
        return [forwarded("file", item) for item in value]
    return value


def sample_value(entry) -> object:  # entry: generator.spec.load.Input
    """A value the parameter of this spec input takes: valid for its type."""
    if not entry.type:
        return f"value of {entry.param}"
    if entry.type == "select":
        return entry.options[-1]
    return INPUT_SAMPLES[entry.type]
