"""The spec: reading it, its options and names, its JSON Schema, and edits to it."""
