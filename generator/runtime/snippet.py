"""What every generated file defines itself (its spec's constants, its reply class), here as stand-ins.

The runtime modules import them from here, so they can be linted and unit-tested (tests patch
the values). Nothing here is emitted: each file writes its own (templates/).
"""

_APP = "agent"
_URL = "https://api.dify.ai/v1/chat-messages"
_STOP_URL = "https://api.dify.ai/v1/chat-messages/"  # + task_id + "/stop"
_TIME_BUDGET_SECONDS = 13.5
_STOP_RESERVE_SECONDS = 0.4  # kept for stopping a timed-out task
_MAX_ANSWER_CHARS = 400_000
_TRUNCATION_MARKER = (
    "\n\n[... cut by dify-codenode: the answer was longer than 400000 characters]"
)
_TERMINAL_EVENT = "message_end"  # the stream's last event
# The HTTP-node route: Dify's HTTP_REQUEST_NODE_MAX_TEXT_SIZE.
_HTTP_NODE_MAX_BYTES = 1024 * 1024
_WRONG_KIND_CODE = "not_chat_app"  # Dify's error code for another kind of app's key
_REQUIRED_INPUT_HINT = (
    "the called app requires that input: add it to the snippet's inputs"
)
_FORBIDDEN_HINTS = {"app_api_disabled": "enable the called app's API access"}


class _Reply:
    """Stands in for the reply each file defines (templates/_events.py.jinja): what runtime code reads of it."""

    def __init__(self) -> None:
        self.pieces: list = []  # the streamed answer's latest pieces (apps that stream text)
        self.blocks: list = []  # its earlier pieces, joined a hundred at a time
        self.length = 0  # characters of answer received
        self.agent_text_seen = False  # an agent_message came (the chat route)
        self.foreign = ""  # the app kind whose events came instead
        self.human_input = None  # what a pause for human input said of its form


def _apply_event(event: dict, reply: _Reply) -> bool:
    """Stands in for each file's event handler (templates/_events.py.jinja): True once the answer is complete."""
    raise NotImplementedError("each generated file defines its own _apply_event")
