"""The helpers chapter 08 uses: the formula sheet as a table, glossary search, typical mistakes,
the mock-exam figure. The formula table must render the same registries as the printable sheet."""

from __future__ import annotations

import pytest

from cnnkit.formulas import FORMULAS
from cnnkit.review import (
    TOPICS,
    classic_networks_frame,
    formula_rows,
    formula_sheet_frame,
    formula_sheet_markdown,
    glossary,
    glossary_search,
    mock_exam,
    practice,
)
from cnnkit.review.classic import CLASSIC_NETWORKS
from cnnkit.review.reference import active_review_formulas
from cnnkit.review.sheet import format_value, sheet_html


def test_formula_rows_are_the_registries_with_results_computed():
    rows = formula_rows()
    assert [row["key"] for row in rows] == list(FORMULAS) + list(active_review_formulas())
    by_key = {row["key"]: row for row in rows}
    for key, entry in FORMULAS.items():
        assert by_key[key]["formula"] == entry.text
        assert by_key[key]["result"] == format_value(entry.evaluate())
    assert by_key["conv_output_size"]["result"] == "28"
    assert by_key["cross_entropy"]["result"] == "0.1054"
    assert [row["section"] for row in formula_rows("layers")] == ["layers"] * len(FORMULAS)
    with pytest.raises(ValueError, match="section"):
        formula_rows("optimizers")


def test_formula_table_and_printable_sheet_show_the_same_results():
    html = sheet_html()
    for row in formula_rows():
        assert f"<b>{row['result']}</b>" in html.replace("&#x27;", "'"), row["key"]


def test_formula_sheet_frame_and_markdown():
    frame = formula_sheet_frame()
    assert frame.index.is_unique and len(frame) == len(FORMULAS) + len(active_review_formulas())
    markdown = formula_sheet_markdown("training")
    lines = markdown.splitlines()
    assert len(lines) == 2 + len(active_review_formulas())
    assert all(line.count(" | ") == 5 for line in lines[2:]), "a cell broke the Markdown table"
    assert markdown._repr_markdown_() == str(markdown)


def test_classic_networks_frame():
    frame = classic_networks_frame()
    assert list(frame.index) == list(CLASSIC_NETWORKS)
    assert frame.loc["VGG16", "parameters"] == "138,357,544"
    assert frame.loc["AlexNet", "parameters"] == "62,378,344"
    assert frame.loc["LeNet-5", "parameters"] == "60,850 (Keras 28×28: 61,706)"
    assert frame.loc["MobileNet", "MACs"] == "0.57 G" and frame.loc["LeNet-5", "MACs"] == "0.33 M"
    assert frame.loc["AlexNet", "input"] == "227×227×3"


def test_glossary_search():
    everything = glossary_search()
    assert len(everything) == len(glossary())
    stride = glossary_search("STRIDE")
    assert "stride" in set(stride["english"]) and (stride["chapter"] >= "02").all()
    pooling = glossary_search("池化", chapter=3)
    assert len(pooling) >= 5 and set(pooling["chapter"]) == {"03"}
    assert glossary_search("池化", chapter="03").equals(pooling)
    assert glossary_search("qqqzzz").empty
    with pytest.raises(ValueError, match="chapter"):
        glossary_search("pool", chapter=12)
    with pytest.raises(TypeError):
        glossary_search(3)


GENERIC = ("Recheck each term", "is too large", "is too small")


@pytest.mark.parametrize("topic", TOPICS)
def test_every_topic_has_a_typical_mistake_with_a_specific_message(topic):
    for problem in practice(topic, n=6, seed=11, verify=False):
        wrong = problem.typical_mistake()
        assert wrong is not None
        result = problem.check(wrong)
        assert result.status == "incorrect", (problem.statement, wrong)
        assert not any(text in result.message for text in GENERIC), result.message
        assert problem.check(problem.answer).status == "correct"


def test_exam_results_figure():
    from cnnkit.plots.review import exam_results

    exam = mock_exam(n=12, seed=3, verify=False, student=1)
    key = exam.key()
    for problem in exam:
        if problem.number <= 6:
            exam.answer(problem.number, key[problem.number])
        elif problem.number <= 10:
            exam.answer(problem.number, problem.typical_mistake())
    exam.submit()  # answers are judged at submission
    fig = exam_results(exam)
    (ax,) = fig.axes
    assert "12" in ax.get_title() and "6/12" in ax.get_title()
    widths = sum(patch.get_width() for patch in ax.patches)
    assert widths == 12
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "correct",
        "wrong",
        "not attempted",
    ]


def test_chapter_08_faq_links_name_sections_that_exist():
    """Every 'See [NN_x.ipynb](NN_x.ipynb), section N "Title"' of the FAQ names a real heading."""
    import re
    from pathlib import Path

    src = Path(__file__).resolve().parents[1] / "notebooks" / "src"
    text = " ".join(
        line[2:]
        for line in (src / "08_exam_review.py").read_text().splitlines()
        if line[:2] == "# "
    )
    links = list(re.finditer(r"\]\((\d\d_\w+)\.ipynb\)", text))
    assert {match.group(1)[:2] for match in links} >= {"01", "02", "03", "04"}
    checked = 0
    for index, link in enumerate(links):
        end = links[index + 1].start() if index + 1 < len(links) else len(text)
        source = src / f"{link.group(1)}.py"
        if not source.exists():
            continue  # that chapter is not written yet
        headings = {
            re.sub(r"\s*\([^)]*[\u4e00-\u9fff][^)]*\)", "", line[len("# ## ") :]).strip()
            for line in source.read_text().splitlines()
            if line.startswith("# ## ")
        }
        for number, title in re.findall(r'section (\d+) "([^"]+)"', text[link.end() : end]):
            assert f"{number}. {title}" in headings, (link.group(1), number, title)
            checked += 1
    assert checked >= 5
