"""Exam review: glossary (English-Chinese), practice problems checked by Keras, formula sheet.

    from cnnkit.review import glossary, practice, mock_exam, build_sheet
    glossary("卷积核")                   # or glossary("kernel"); glossary() is the whole table
    glossary_search("pool", chapter=3)   # rows containing a text, as a DataFrame
    formula_sheet_markdown()             # the formula sheet as a notebook table (same registries)
    practice("conv_params", n=5, seed=1)  # problems with .check(answer) and .show_solution()
    practice(kind="design", n=2)         # kinds: calculation, choice, true_false, ordering,
                                         # short_answer, design
    mock_exam(seed=7).score()            # sections by kind, points, the chapters to revisit
    build_sheet("build/sheet")            # HTML + PDF formula sheet, at most two A4 pages

Importing this package is cheap: Keras loads only when a problem is verified, pandas only
when a table is shown, WeasyPrint only when a PDF is built.
"""

from __future__ import annotations

from cnnkit.review.exam import MockExam, mock_exam
from cnnkit.review.glossary import (
    find_chinese_terms,
    glossary,
    glossary_search,
    glossary_terms,
    missing_terms,
)
from cnnkit.review.practice import practice
from cnnkit.review.problem import KINDS, PracticeProblem
from cnnkit.review.sheet import (
    classic_networks_frame,
    formula_rows,
    formula_sheet_frame,
    formula_sheet_markdown,
)
from cnnkit.review.topics import TOPICS


def build_sheet(output_dir, formats=("html", "pdf")):
    """Render the formula sheet into ``output_dir``; see :func:`cnnkit.review.sheet.build_sheet`."""
    from cnnkit.review.sheet import build_sheet as _build_sheet

    return _build_sheet(output_dir, formats=formats)


__all__ = [
    "KINDS",
    "TOPICS",
    "MockExam",
    "PracticeProblem",
    "build_sheet",
    "classic_networks_frame",
    "find_chinese_terms",
    "formula_rows",
    "formula_sheet_frame",
    "formula_sheet_markdown",
    "glossary",
    "glossary_search",
    "glossary_terms",
    "missing_terms",
    "mock_exam",
    "practice",
]
