"""The code generated files share, as real Python: linted, unit-tested, and emitted by name into each file."""
