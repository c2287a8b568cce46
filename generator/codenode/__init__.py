"""Tools for any Code-node file: lint it against Dify's rules, run it the way Dify does."""
