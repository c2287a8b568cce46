"""Rendering: a snippet's variant, the templates, black, the content cache, the pipeline and output/."""
