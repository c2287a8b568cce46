"""The streamed answer's pieces: kept in order, joined a thousand at a time, so a long answer costs one join."""

from generator.runtime.snippet import _Reply


def _keep(reply: _Reply, text: str) -> None:
    reply.pieces.append(text)
    if len(reply.pieces) > 1000:  # join tiny strings, each once
        reply.blocks.append("".join(reply.pieces))
        reply.pieces = []


def _joined(reply: _Reply) -> str:
    """The answer as the app sent it so far (reasoning included)."""
    return "".join(reply.blocks + reply.pieces)
