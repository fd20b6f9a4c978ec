"""The code a chapter shows with ``ck.show_code`` is the code the package runs today.

A committed page shows the source that ran when its outputs were made. When a shown function
changes in the package afterwards, the page teaches code that no longer exists: the chapter
must be rerun (``python -m cnnkit.authoring run notebooks/NN_name.ipynb``). This test reads
every ``show_code`` output of the committed notebooks and finds each shown block, line for
line, in the file it names.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("exercises/**/*.ipynb"))
SHOWN_BLOCK = re.compile(r"`(cnnkit/[\w/]+\.py)`\n\n```python\n(.*?)```", re.S)


def shown_blocks(notebook_path: Path):
    """(cell index, file name, shown source) of every block that show_code displayed."""
    notebook = json.loads(notebook_path.read_text(encoding="utf-8"))
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code" or "show_code(" not in "".join(cell["source"]):
            continue
        for output in cell.get("outputs", []):
            markdown = output.get("data", {}).get("text/markdown", "")
            markdown = "".join(markdown) if isinstance(markdown, list) else markdown
            for file_name, source in SHOWN_BLOCK.findall(markdown):
                yield index, file_name, source


def _lines(text: str) -> str:
    # Methods are shown dedented: compare line by line without the leading indentation.
    return "\n".join(line.strip() for line in text.splitlines())


def test_the_notebooks_show_code():
    assert any(True for path in NOTEBOOKS for _ in shown_blocks(path))


@pytest.mark.parametrize("notebook_path", NOTEBOOKS, ids=lambda path: path.stem)
def test_shown_code_matches_the_package(notebook_path):
    stale = []
    for index, file_name, source in shown_blocks(notebook_path):
        path = ROOT / file_name
        if not path.is_file():
            stale.append(f"cell {index}: shows {file_name}, which no longer exists")
            continue
        if _lines(source) not in _lines(path.read_text(encoding="utf-8")):
            first_line = source.splitlines()[0] if source else ""
            stale.append(f"cell {index}: {first_line[:70]!r} in {file_name} has changed")
    assert not stale, (
        f"{notebook_path.name} shows code that the package no longer has; rerun the chapter "
        f"(python -m cnnkit.authoring run {notebook_path.relative_to(ROOT)}):\n" + "\n".join(stale)
    )
