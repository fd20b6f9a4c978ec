"""Authoring machinery: the one notebook template, notebook sources to .ipynb, exercise notebooks.

Command line: ``python -m cnnkit.authoring build|exercises|run|check``.
"""
