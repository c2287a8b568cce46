"""dify-codenode: paste-ready Python for Dify Code nodes that call another Dify app."""

__version__ = "0.1.0"
