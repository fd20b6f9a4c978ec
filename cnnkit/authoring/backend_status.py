"""The line under each chapter's title that says on which Keras backends it has been run.

One source: ``benchmarks/backends.json``, written by ``make test-backends``
(``benchmarks/backend_tests.py``: every notebook in quick mode under nbval on JAX and PyTorch).
TensorFlow is the backend of the committed full-mode outputs, so it is always named; JAX and
PyTorch are named only where that file records a pass for the notebook. ``python -m
cnnkit.authoring build`` writes the line into the first Markdown cell (Markdown only: no code
cell changes, so every stored output is kept), and a test fails when a built notebook's line and
the file disagree.
"""

from __future__ import annotations

import json
from pathlib import Path

#: Where ``benchmarks/backend_tests.py`` stores its results.
BACKENDS_JSON = Path(__file__).resolve().parents[2] / "benchmarks" / "backends.json"

#: The backends tested besides TensorFlow, in the order the line names them.
OTHER_BACKENDS = {"jax": "JAX", "torch": "PyTorch"}

_PREFIX = "**Backends:** "


def load_results(path: Path = BACKENDS_JSON) -> dict:
    """The recorded results, or {} when no backend pass has been recorded yet."""
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def passing_backends(notebook_path: str, results: dict) -> list[str]:
    """Keys of OTHER_BACKENDS whose recorded quick-mode run of ``notebook_path`` passed."""
    return [
        backend
        for backend in OTHER_BACKENDS
        if results.get(backend, {}).get("notebooks", {}).get(notebook_path, {}).get("result")
        == "pass"
    ]


def backends_line(notebook_path: str, results: dict | None = None) -> str:
    """The Markdown line for ``notebook_path`` (relative to the repository, e.g. 'notebooks/02_x.ipynb')."""
    if results is None:
        results = load_results()
    passed = [OTHER_BACKENDS[key] for key in passing_backends(notebook_path, results)]
    missing = [name for key, name in OTHER_BACKENDS.items() if name not in passed]
    line = _PREFIX + "runs on TensorFlow (full mode, committed outputs)"
    if passed:
        line += f", {' and '.join(passed)} (quick mode, tested)"
    if missing:
        line += f"; not yet passing on {' or '.join(missing)}"
    return line + ". Choose one with `%env KERAS_BACKEND=jax` before the setup cell."


def line_in(markdown: str) -> str | None:
    """The backends line found in a Markdown cell, or None."""
    for line in markdown.splitlines():
        if line.startswith(_PREFIX):
            return line
    return None
