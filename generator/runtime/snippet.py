"""The constants every generated file sets from its spec, here with example values for tests.

The runtime modules import them from here so that they can be linted and unit-tested.

No definition of this module is emitted: each generated file writes its own values (templates/_runtime.py.jinja).
"""

_URL = "https://api.dify.ai/v1/chat-messages"
_MAX_ANSWER_CHARS = 400_000
_TRUNCATION_MARKER = (
    "\n\n[... cut by dify-codenode: the answer was longer than 400000 characters]"
)
