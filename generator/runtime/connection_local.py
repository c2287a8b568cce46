"""connection._unreachable for a base_url that names this machine: inside the sandbox, that is the sandbox."""

from generator.runtime.snippet import _URL


def _unreachable(error: Exception) -> str:
    """The called app's address could not be reached, and why localhost can't be it."""
    return (
        f"could not reach {_URL} ({type(error).__name__}: {error}). Hint: inside "
        "Dify's sandbox, localhost is the sandbox itself: use the API's address as the "
        "sandbox sees it (e.g. http://api:5001/v1 in docker compose)"
    )
