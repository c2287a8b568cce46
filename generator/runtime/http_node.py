"""The HTTP-node route's request-body node: its checks fail with SystemExit, the node's one-line error."""


def _user(user: object) -> str:
    """The end user the call is made for: Dify's Service API needs one (Arg user)."""
    if isinstance(user, str) and user:
        return user
    raise SystemExit(
        f"input user is {user!r:.40}, not an end user's id: map it to sys.user_id"
    )
