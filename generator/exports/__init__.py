"""The calling apps, exported: the DSL file dify-codenode writes, and syncing Code nodes inside users' exports."""
