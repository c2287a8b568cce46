"""An answer that was all reasoning: the node fails with what to do, rather than return "" as success."""

from generator.runtime.errors import _DifyCallError
from generator.runtime.snippet import _Reply


def _refuse_all_reasoning(reply: _Reply) -> None:
    if reply.length and not reply.answer:
        raise _DifyCallError(
            "the called app's answer was all reasoning (<think>...) with no answer after "
            "it: raise the model's maximum tokens, or set reasoning = 'keep' to see it"
        )
