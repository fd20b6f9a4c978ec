"""Run a notebook's code cells in this process (fast, no kernel) to inspect what its checks said."""

from __future__ import annotations

import contextlib
import io

import nbformat
from IPython.core.inputtransformer2 import TransformerManager
from IPython.display import display


def run_cells_in_process(path) -> dict:
    """Execute every code cell of ``path`` in one namespace; returns the namespace."""
    notebook = nbformat.read(path, as_version=4)
    transformer = TransformerManager()
    namespace = {"__name__": "__main__", "display": display}
    with contextlib.redirect_stdout(io.StringIO()):
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            code = transformer.transform_cell(cell.source)
            try:
                exec(compile(code, f"{path}:cell{index}", "exec"), namespace)
            except Exception as error:
                raise AssertionError(
                    f"cell {index} of {path} failed: {error!r}\n{cell.source}"
                ) from error
    return namespace
