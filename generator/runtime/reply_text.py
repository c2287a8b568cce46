"""What a reply of streamed text loses when its stream ends early (reply_outputs.py: a workflow's)."""

from generator.runtime.snippet import _Reply


def _what_was_lost(reply: _Reply) -> str:
    return f"the {reply.length} characters received were discarded"
