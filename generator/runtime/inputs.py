"""Typed inputs checked as the called app's form checks them, so a wrong value fails in one line before the call.

As Dify's _validate_inputs does (api/core/app/apps/base_app_generator.py).
"""

import json


class _InputError(Exception):
    """An input the called app would refuse, found before the call."""


def _required(name: str, value: object) -> object:
    if value is None or value == "":
        raise _InputError(
            f"input {name} is required by the called app; map a variable to it"
        )
    return value


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise _InputError(f"input {name} must be text, not {type(value).__name__}")
    return value


def _limited_text(name: str, value: object, max_length: int) -> str:
    if not isinstance(value, str):
        raise _InputError(f"input {name} must be text, not {type(value).__name__}")
    if len(value) > max_length:
        raise _InputError(
            f"input {name} is {len(value)} characters; the called app takes {max_length} at most"
        )
    return value


def _select(name: str, value: object, options: tuple) -> str:
    if value not in options:
        raise _InputError(
            f"input {name} is {value!r:.80}; the called app takes one of: {', '.join(options)}"
        )
    return value


def _number(name: str, value: object) -> object:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return float(value) if "." in value else int(value)
        except ValueError:
            pass
    raise _InputError(f"input {name} must be a number, not {value!r:.80}")


def _checkbox(name: str, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in (
        "true",
        "1",
        "yes",
        "on",
        "false",
        "0",
        "no",
        "off",
    ):
        return value.strip().lower() in ("true", "1", "yes", "on")
    if isinstance(value, (int, float)) and value in (0, 1):
        return value == 1
    raise _InputError(f"input {name} must be true or false, not {value!r:.80}")


def _json_object(name: str, value: object) -> dict:
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise _InputError(
                f"input {name} must be a JSON object; its text isn't JSON"
            ) from None
        except RecursionError:
            raise _InputError(
                f"input {name} is JSON nested too deeply to read"
            ) from None
    if not isinstance(value, dict):
        raise _InputError(f"input {name} must be an object, not {type(value).__name__}")
    return value


def _file(name: str, value: object) -> dict:
    """A Dify file, as a Code node gets it (File.to_dict()), as the called app takes it: by its
    upload id (local_file; both apps in one workspace) or by its URL (remote_url)."""
    if not isinstance(value, dict) or "transfer_method" not in value:
        raise _InputError(
            f"input {name} must be a file; map a File variable (e.g. a Start node's file input)"
        )
    kind = value.get("type") or "custom"
    method = value["transfer_method"]
    if method == "local_file" and value.get("related_id"):
        return {
            "type": kind,
            "transfer_method": "local_file",
            "upload_file_id": value["related_id"],
        }
    if method == "tool_file" and value.get("related_id"):
        return {
            "type": kind,
            "transfer_method": "tool_file",
            "tool_file_id": value["related_id"],
        }
    url = value.get("remote_url") or value.get("url")
    if isinstance(url, str) and url.startswith(("http://", "https://")):
        return {"type": kind, "transfer_method": "remote_url", "url": url}
    raise _InputError(
        f"input {name}: a {method} file without an id or URL can't be passed on"
    )


def _files(name: str, value: object) -> list:
    if not isinstance(value, list):
        raise _InputError(
            f"input {name} must be a list of files; map an Array[File] variable"
        )
    return [_file(f"{name}[{index}]", item) for index, item in enumerate(value)]


def _limited_files(name: str, value: object, max_length: int) -> list:
    if not isinstance(value, list):
        raise _InputError(
            f"input {name} must be a list of files; map an Array[File] variable"
        )
    if len(value) > max_length:
        raise _InputError(
            f"input {name} has {len(value)} files; the called app takes {max_length} at most"
        )
    return [_file(f"{name}[{index}]", item) for index, item in enumerate(value)]
