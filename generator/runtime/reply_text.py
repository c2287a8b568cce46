"""What a reply of streamed text loses when its stream ends early (reply_outputs.py: a workflow's)."""


def _what_was_lost(received: int) -> str:
    return f"the {received} characters received were discarded"
