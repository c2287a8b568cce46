"""The one exception type for user mistakes, so the CLI can print a line instead of a traceback."""


class UserError(Exception):
    """A problem the user can fix; its message is one line: what, where, how to fix."""
