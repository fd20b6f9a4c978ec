"""Figures are part of a chapter's claim: a cell that draws one shows it in the committed page.

A ``cnnkit.plots`` function returns its Figure; Jupyter shows it only when the call is the
cell's last expression (or is passed to ``display``). A call whose result is dropped in the
middle of a cell draws nothing the reader sees, and the prose beside it then describes a figure
that is not there (issue 25: chapter 04's degradation and recipe curves). This test reads every
committed chapter with ``ast`` and fails for a plotting call whose result is discarded, and for
a cell ending in a plotting call that has no image in its outputs.

``KNOWN_MISSING`` holds the cases issue 25 found; the chapter 04 rerun removes them, and the
test fails when a listed one is gone (the list only shrinks).
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted((ROOT / "notebooks").glob("0[1-8]_*.ipynb"))
IMAGE_TYPES = ("image/png", "image/svg+xml", "image/jpeg")

KNOWN_MISSING = {
    ("04_classic_cnns", "optplots.curves_comparison(depth_runs, title='training loss:"),
    ("04_classic_cnns", 'optplots.curves_comparison(recipe_runs, title="the ResNet pa'),
}


def _plot_aliases(cells: list[str]) -> set[str]:
    """Names a chapter binds to cnnkit.plots modules (``from cnnkit.plots import basics as plots``)."""
    names = set()
    for source in cells:
        for node in ast.walk(_parse(source)):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("cnnkit.plots"):
                names |= {alias.asname or alias.name for alias in node.names}
    return names


def _parse(source: str) -> ast.Module:
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        return ast.parse("\n".join(lines))
    except SyntaxError:
        return ast.Module(body=[], type_ignores=[])


def _is_plot_call(node: ast.AST, aliases: set[str]) -> bool:
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    owner = node.func.value
    if isinstance(owner, ast.Name):
        return owner.id in aliases
    return (
        isinstance(owner, ast.Attribute)
        and owner.attr == "plots"
        and isinstance(owner.value, ast.Name)
        and owner.value.id == "ck"
    )


def missing_figures(chapter: dict, name: str) -> set[tuple[str, str]]:
    """(chapter, call) for each plotting call whose figure the committed page does not show."""
    sources = ["".join(c["source"]) for c in chapter["cells"] if c["cell_type"] == "code"]
    aliases = _plot_aliases(sources)
    found = set()
    for cell in chapter["cells"]:
        if cell["cell_type"] != "code":
            continue
        body = _parse("".join(cell["source"])).body
        shown = any(
            kind in output.get("data", {}) for output in cell["outputs"] for kind in IMAGE_TYPES
        )
        for index, statement in enumerate(body):
            if not (isinstance(statement, ast.Expr) and _is_plot_call(statement.value, aliases)):
                continue
            last = index == len(body) - 1
            if not last or not shown:
                found.add((name, ast.unparse(statement.value)[:60]))
    return found


def test_the_scan_finds_a_dropped_figure():
    cell = {
        "cell_type": "code",
        "source": "from cnnkit.plots import basics as plots\nplots.curve(h)\nx = 1",
        "outputs": [],
    }
    assert missing_figures({"cells": [cell]}, "ch") == {("ch", "plots.curve(h)")}
    shown = dict(cell, source="from cnnkit.plots import basics as plots\nplots.curve(h)")
    shown["outputs"] = [{"output_type": "display_data", "data": {"image/png": "..."}}]
    assert missing_figures({"cells": [shown]}, "ch") == set()
    assigned = dict(cell, source="from cnnkit.plots import basics as plots\np = plots.path(f)")
    assert missing_figures({"cells": [assigned]}, "ch") == set()


def test_every_figure_a_chapter_draws_is_in_its_committed_page():
    found = set()
    for path in CHAPTERS:
        found |= missing_figures(json.loads(path.read_text(encoding="utf-8")), path.stem)
    new, fixed = found - KNOWN_MISSING, KNOWN_MISSING - found
    assert not new, f"plotting calls whose figure the page does not show: {sorted(new)}"
    assert not fixed, f"fixed, remove from KNOWN_MISSING: {sorted(fixed)}"
