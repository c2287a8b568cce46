"""Why the called app could not be reached, as one line (connection_local.py: when base_url names this machine)."""

from generator.runtime.snippet import _URL


def _unreachable(error: Exception) -> str:
    """The called app's address could not be reached."""
    return f"could not reach {_URL} ({type(error).__name__}: {error})"
