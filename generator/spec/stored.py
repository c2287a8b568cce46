"""A validated Spec as text and back, so a warm run reuses the loader's verdict on unchanged spec text."""

from __future__ import annotations

import json
from dataclasses import asdict, fields

from generator.spec.model import Input, Origin, Snippet, Spec


def spec_to_text(spec: Spec) -> str:
    """The spec's snippets, origins, source and apps as JSON (where it lives is set by the loader)."""
    return json.dumps(
        {
            "source": spec.source,
            "snippets": [asdict(snippet) for snippet in spec.snippets],
            "origins": [
                {
                    "label": origin.label,
                    "where": origin.where,
                    "entry_keys": sorted(origin.entry_keys),
                    "default_keys": sorted(origin.default_keys),
                }
                for origin in spec.origins
            ],
            "apps": list(spec.apps),
        },
        ensure_ascii=False,
    )


def spec_from_text(text: str) -> Spec:
    """The Spec spec_to_text wrote."""
    data = json.loads(text)
    return Spec(
        source=data["source"],
        snippets=tuple(_snippet(item) for item in data["snippets"]),
        origins=tuple(
            Origin(item["label"], item["where"], frozenset(item["entry_keys"]), frozenset(item["default_keys"]))
            for item in data["origins"]
        ),
        apps=tuple(data["apps"]),
    )


def _snippet(item: dict) -> Snippet:
    values = {field.name: item[field.name] for field in fields(Snippet)}
    values["inputs"] = tuple(Input(**dict(entry, options=tuple(entry["options"]))) for entry in item["inputs"])
    values["workflow_outputs"] = tuple((name, kind) for name, kind in item["workflow_outputs"])
    values["extra_outputs"] = tuple(item["extra_outputs"])  # JSON has lists; the Snippet holds tuples
    return Snippet(**values)
