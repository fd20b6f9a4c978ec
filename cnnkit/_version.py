"""The kit's version, in a module of its own so that ``settings`` (below the package root) can
print it without importing ``cnnkit/__init__.py`` (which imports ``settings``: a cycle)."""

__version__ = "0.1.0"
