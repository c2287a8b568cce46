"""What `--version` prints: its own module, so `__main__` answers it without loading click (and cli shares it)."""

from generator import __version__
from generator.errors import UserError
from generator.rendering.formatting import black_version


def version_line() -> str:
    """The tool's and black's versions: generated output depends on both."""
    try:
        black = f"black {black_version()}"
    except UserError:
        black = "black not installed"
    return f"dify-codenode {__version__} ({black})"
