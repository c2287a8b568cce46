"""The called app, live: what /info and /parameters say, and how a snippet drifted from it."""
