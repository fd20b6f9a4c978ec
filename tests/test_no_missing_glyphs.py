"""No empty boxes: Chinese text in figures renders with a CJK font or falls back to English.

Matplotlib warns "Glyph 21367 (...) missing from font(s) DejaVu Sans." when it draws a character
the font lacks (it then draws an empty box). A committed notebook must carry no such warning, and
a label made by ``cnnkit.style.label`` must draw without one, whether a CJK font is
installed or not.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import matplotlib
import nbformat
import pytest

matplotlib.use("Agg")

import matplotlib as mpl  # noqa: E402

from cnnkit import style  # noqa: E402
from cnnkit.plots import common  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
MISSING_GLYPH = re.compile(r"missing from font|Glyph \d+ .{0,80}missing", re.IGNORECASE)


def output_texts(cell):
    """Every piece of text a code cell's outputs hold (streams, tracebacks, text/* data)."""
    for output in cell.get("outputs", []):
        if "text" in output:
            yield output["text"]
        for key, value in output.get("data", {}).items():
            if key.startswith("text/"):
                yield value if isinstance(value, str) else "".join(value)
        if "traceback" in output:
            yield "\n".join(output["traceback"])


def missing_glyph_warnings(path: Path) -> list[str]:
    notebook = nbformat.read(path, as_version=4)
    found = []
    for number, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        for text in output_texts(cell):
            for line in text.splitlines():
                if MISSING_GLYPH.search(line):
                    found.append(f"cell {number}: {line.strip()[:160]}")
    return found


def test_the_pattern_matches_matplotlibs_warning():
    line = "UserWarning: Glyph 36755 (\\N{CJK UNIFIED IDEOGRAPH-8F93}) missing from font(s) DejaVu Sans."
    assert MISSING_GLYPH.search(line)
    assert not MISSING_GLYPH.search("stride (步长) = 2")


@pytest.mark.skipif(not NOTEBOOKS, reason="no committed notebooks")
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_committed_notebook_has_no_missing_glyph_warning(path):
    found = missing_glyph_warnings(path)
    assert not found, (
        f"{path.name} shows matplotlib missing-glyph warnings (empty boxes in its figures); draw "
        "Chinese through cnnkit.style.label with the font set up by "
        "cnnkit.plots.common.pyplot(), then re-run the notebook:\n  " + "\n  ".join(found[:5])
    )


def draw_label_figure():
    """A figure titled and labelled through style.label, drawn; returns the glyph warnings."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        plt = common.pyplot()
        fig, ax = plt.subplots()
        ax.set_title(style.label("stride", "步长"))
        ax.set_xlabel(style.label("receptive field", "感受野"))
        ax.plot([0, 1], [0, 1], label=style.label("feature map", "特征图"))
        ax.legend()
        fig.canvas.draw()
        plt.close(fig)
    return [str(w.message) for w in caught if MISSING_GLYPH.search(str(w.message))]


@pytest.fixture
def clean_rc():
    with mpl.rc_context():
        yield


def test_chinese_label_renders_without_missing_glyphs_with_the_cjk_font(clean_rc):
    if style.cjk_font() is None:
        pytest.skip("no CJK font installed (Debian: fonts-wqy-microhei)")
    assert "步长" in style.label("stride", "步长")
    assert draw_label_figure() == []


def test_chinese_label_falls_back_to_english_without_a_cjk_font(clean_rc, monkeypatch):
    monkeypatch.setattr(style, "cjk_font", lambda: None)
    assert style.label("stride", "步长") == "stride"
    assert draw_label_figure() == []


def test_the_check_would_see_empty_boxes(clean_rc):
    """Control: Chinese drawn with a Latin-only font does warn, so the tests above can fail."""
    mpl.rcParams["font.family"] = ["DejaVu Sans"]
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title("步长")
        fig.canvas.draw()
        plt.close(fig)
    assert any(MISSING_GLYPH.search(str(w.message)) for w in caught)


def test_course_style_alone_renders_chinese_labels(clean_rc):
    if style.cjk_font() is None:
        pytest.skip("no CJK font installed")
    mpl.rcParams["font.family"] = ["sans-serif"]
    style.apply_course_style()
    import matplotlib.pyplot as plt

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig, ax = plt.subplots()
        ax.set_title(style.label("stride", "步长"))
        fig.canvas.draw()
        plt.close(fig)
    assert not [w for w in caught if MISSING_GLYPH.search(str(w.message))]
