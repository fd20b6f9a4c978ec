"""Tests of cnnkit.review: glossary, practice problems (answers verified by Keras), formula sheet."""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest

from cnnkit.review import TOPICS, find_chinese_terms, glossary, glossary_terms, mock_exam, practice
from cnnkit.review.glossary import GLOSSARY_CSV, is_covered, missing_terms
from cnnkit.review.practice import REJECTED

# --- test helpers (kept out of the package: only these tests use them) ---


def format_missing(report: dict[str, list[str]]) -> str:
    """A readable message for a test failure built from ``missing_terms``."""
    lines = ["Chinese terms missing from cnnkit/review/glossary.csv:"]
    for path, terms in sorted(report.items()):
        lines.append(f"  {path}: {', '.join(terms)}")
    return "\n".join(lines)


#: Font names (as embedded in a PDF) that cover Chinese.
CJK_FONT_HINTS = (
    "wenquanyi",
    "wqy",
    "notosanscjk",
    "notoserifcjk",
    "sourcehan",
    "droidsansfallback",
    "arplu",
    "ukai",
    "uming",
    "simsun",
    "simhei",
    "yahei",
    "pingfang",
)


def pdf_font_names(path) -> set[str]:
    """The base font names embedded in a PDF (e.g. 'ABCDEF+WenQuanYiMicroHei')."""
    from pypdf import PdfReader

    names: set[str] = set()
    for page in PdfReader(str(path)).pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {})
        for font in fonts.get_object().values():
            font = font.get_object()
            names.add(str(font.get("/BaseFont", "")))
            for descendant in font.get("/DescendantFonts", []) or []:
                names.add(str(descendant.get_object().get("/BaseFont", "")))
    return {name.lstrip("/") for name in names if name}


def has_cjk_font(names: Iterable[str]) -> bool:
    simplified = [name.split("+")[-1].replace("-", "").replace(" ", "").lower() for name in names]
    return any(hint in name for name in simplified for hint in CJK_FONT_HINTS)


REPO = Path(__file__).resolve().parents[1]
#: The syllabus's Chinese terms, extracted once from ../shared/syllabus.md (outside the repository)
#: with find_chinese_terms and committed, so the test below runs on every clone.
SYLLABUS_TERMS = REPO / "tests" / "data" / "syllabus_chinese_terms.txt"
SEEDS = range(5)


@pytest.fixture(autouse=True)
def fixed_student(monkeypatch):
    """Practice and mock exams default to the student's seed; tests use one fixed student so
    that the problems they draw are the same on every run."""
    import importlib

    practice_module = importlib.import_module("cnnkit.review.practice")  # the module, not the
    monkeypatch.setattr(practice_module, "_exercises_seed", lambda: 20260001)  # function


# --------------------------------------------------------------------------- glossary


def test_glossary_file_is_well_formed():
    with GLOSSARY_CSV.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == ["english", "chinese", "definition", "chapter"]
        rows = list(reader)
    assert len(rows) >= 180
    assert {row["chapter"] for row in rows} <= {f"{n:02d}" for n in range(1, 9)}
    for row in rows:
        assert row["english"] and row["chinese"] and row["definition"], row
        assert "\n" not in row["definition"]
    english = [row["english"].casefold() for row in rows]
    assert len(english) == len(set(english)), "duplicate English entries"


def test_glossary_whole_table_is_a_dataframe():
    table = glossary()
    assert list(table.columns) == ["english", "chinese", "definition", "chapter"]
    assert len(table) >= 180


@pytest.mark.parametrize(
    ("query", "english", "chinese"),
    [
        ("卷积核", "kernel", "卷积核"),
        ("kernel", "kernel", "卷积核"),
        ("  Kernel ", "kernel", "卷积核"),
        ("kernal", "kernel", "卷积核"),
        ("convolusion", "convolution", "卷积"),
        ("Max-Pooling", "max pooling", "最大池化"),
        ("批量归一化", "batch normalization", "批量归一化"),
        ("KL散度", "KL divergence", "KL散度"),
        ("dropout", "dropout", "随机失活"),
        ("logits", "logits", "逻辑值"),
        ("epoch", "epoch", "轮"),
    ],
)
def test_glossary_lookup_both_directions_and_typos(query, english, chinese):
    result = glossary(query)
    assert result.found
    assert result.english == english
    assert result.chinese == chinese
    assert "<table>" in result._repr_html_()


def test_glossary_unknown_term_suggests_and_does_not_raise():
    result = glossary("convolutoinal netwrk layerz")
    assert not result.found
    assert "not in the glossary" in result.message
    assert "glossary()" in result.message
    assert not glossary("qqqqzzzz").found
    assert not glossary(42).found


def test_glossary_partial_match_lists_related_terms():
    result = glossary("pooling")
    assert result.found and result.english == "pooling"
    related = glossary("pool")
    assert len(related) >= 3


def test_find_chinese_terms():
    text = "kernel (卷积核), stride （步长）, (局部感受野, 局部连接), (KL散度), (1998), (bias 偏置), (1×1卷积)"
    assert find_chinese_terms(text) == [
        "卷积核",
        "步长",
        "局部感受野",
        "局部连接",
        "KL散度",
        "偏置",
        "1×1卷积",
    ]


def test_every_chinese_term_of_the_syllabus_is_in_the_glossary():
    lines = SYLLABUS_TERMS.read_text(encoding="utf-8").splitlines()
    terms = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    assert len(terms) > 50
    missing = [term for term in terms if not is_covered(term)]
    assert not missing, missing


def test_required_standard_terms_are_present():
    required = (
        "感受野 残差块 跳跃连接 瓶颈 生成器 判别器 模式崩溃 动量 长短期记忆网络 门控循环单元 隐藏状态 "
        "独热编码 逻辑值 张量 欠拟合 验证集 测试集 训练集 参数量 计算量 卷积 池化 过拟合 超参数"
    ).split()
    terms = glossary_terms()
    assert [term for term in required if term not in terms] == []


def test_missing_terms_reports_notebook_terms(tmp_path):
    notebook = {
        "cells": [
            {
                "cell_type": "markdown",
                "source": ["Convolution (卷积) and a made-up term (虚构术语).\n"],
            },
            {"cell_type": "code", "source": ["x = '(代码里不算)'"]},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "02_convolution.ipynb"
    path.write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    source = tmp_path / "01_basics.py"
    source.write_text(
        "# Overfitting and optimizers (过拟合与优化算法), weights (权重)\n", encoding="utf-8"
    )
    report = missing_terms([path, source])
    assert report == {str(path): ["虚构术语"]}
    assert "虚构术语" in format_missing(report)


# --------------------------------------------------------------------------- practice

OLD_TOPICS = (
    "conv_output_size",
    "pool_output_size",
    "conv_params",
    "dense_params",
    "stack_table",
    "receptive_field",
    "softmax",
    "cross_entropy",
    "batch_epoch",
    "rnn_params",
    "dropout_expectation",
    "optimizer_step",
)
GARBAGE = (
    "abc",
    [1, 2, 3, 4, 5, 6, 7, 8, 9],
    {"a": 1},
    object(),
    [[None]],
    -12345.5,  # a number no problem has as its answer
    float("nan"),
    "y" * 100_000,
)


@pytest.fixture(autouse=True)
def _progress_in_tmp(tmp_path, monkeypatch):
    """Checks are recorded in the progress file: keep the student's own file out of the tests."""
    monkeypatch.setenv("CNNKIT_HOME", str(tmp_path / "cnnkit_home"))


def _all_generators():
    from cnnkit.review.topics import GENERATORS

    return [g for generators in GENERATORS.values() for g in generators]


@pytest.fixture(scope="module")
def verified_problems():
    """3 seeds × every generator (topic and kind), each verified while generated."""
    import random

    import keras

    from cnnkit.review.practice import make_problem

    problems = {}
    for generator in _all_generators():
        for seed in range(3):
            problem = make_problem(generator, random.Random(seed), verify=True)
            problems[generator.topic, generator.kind, seed] = problem
            keras.backend.clear_session()
    return problems


def test_topics_cover_the_syllabus_in_course_order():
    from cnnkit.review.topics import TOPIC_INFO

    assert len(TOPICS) >= 25
    assert set(OLD_TOPICS) <= set(TOPICS)
    assert list(TOPICS) == list(TOPIC_INFO)
    chapters = [TOPIC_INFO[t][0] for t in TOPICS]
    assert {f"{n:02d}" for n in range(1, 8)} <= set(chapters)


def test_every_generator_verified_and_its_answer_checks_correct(verified_problems):
    from cnnkit.review.problem import KINDS

    assert {kind for _, kind, _ in verified_problems} == set(KINDS)
    for problem in verified_problems.values():
        assert problem.verified and problem.kind in KINDS
        assert problem.statement and problem.solution
        assert "**Answer:**" in problem.solution
        assert problem.source is not None, problem.topic
        result = problem.check(problem.answer)
        assert result.status == "correct", (problem, result)
        assert problem.statement in problem._repr_markdown_()
        assert problem.solution in problem.show_solution()
    assert not REJECTED, list(REJECTED)


def test_done_criteria_500_problems_all_kinds_answers_and_garbage():
    """practice(n=500, seed=1): >= 25 topics and all 6 kinds; each accepts its own answer and
    rejects garbage with a message; the same seed gives the same problems."""
    from cnnkit.review.problem import KINDS

    problems = practice(n=500, seed=1, verify=False)
    assert len({p.topic for p in problems}) >= 25
    assert {p.kind for p in problems} == set(KINDS)
    for problem in problems:
        assert problem.check(problem.answer).status == "correct", problem
        for garbage in GARBAGE:
            result = problem.check(garbage)
            assert result.status != "correct", (problem.topic, problem.kind, garbage, result)
            assert result.message and "Traceback" not in result.message
            assert len(result.message) < 600, result.message
    again = practice(n=500, seed=1, verify=False)
    assert [p.statement for p in again] == [p.statement for p in problems]
    assert [p.options for p in again] == [p.options for p in problems]


def test_every_source_names_a_real_chapter_heading():
    import re

    headings = {}
    for source in (REPO / "notebooks" / "src").glob("0*.py"):
        headings[source.stem] = {
            re.sub(r"^#+ ", "", line[2:]).strip()
            for line in source.read_text(encoding="utf-8").splitlines()
            if line.startswith("# ##")
        }
    problems = practice(n=400, seed=3, verify=False)
    sources = {p.source for p in problems if p.source is not None}
    assert len(sources) >= 20
    for source in sources:
        assert source.notebook in headings, source
        assert source.heading in headings[source.notebook], source


def test_same_seed_same_problems():
    first = practice(n=12, seed=11, verify=False)
    second = practice(n=12, seed=11, verify=False)
    assert [p.statement for p in first] == [p.statement for p in second]
    assert [p.options for p in first] == [p.options for p in second]
    assert [repr(p.answer) for p in first if p.kind != "design"] == [
        repr(p.answer) for p in second if p.kind != "design"
    ]
    assert [p.statement for p in practice(n=12, seed=12, verify=False)] != [
        p.statement for p in first
    ]


def test_non_dividing_cases_occur_and_teach_the_floor():
    problems = practice("conv_output_size", n=60, seed=3, verify=False)
    floors = [p for p in problems if "Keras floors" in p.solution]
    assert 3 <= len(floors) <= 25


def test_kind_filter():
    problems = practice(n=20, seed=2, kind="choice", verify=False)
    assert {p.kind for p in problems} == {"choice"}
    assert all(len(p.options) == 4 for p in problems)
    both = practice(n=30, seed=2, kind=["true_false", "ordering"], verify=False)
    assert {p.kind for p in both} == {"true_false", "ordering"}
    with pytest.raises(ValueError, match="kind"):
        practice(kind="essay")
    with pytest.raises(ValueError, match="No design problems"):
        practice("softmax", kind="design")


def test_arguments_named_in_errors_and_n_bounded():
    """Issue 18 items 4 and 12: n bounded with a clear message, n=True and practice(123)."""
    from cnnkit.review.exam import MAX_EXAM_PROBLEMS
    from cnnkit.review.practice import MAX_PROBLEMS

    with pytest.raises(TypeError, match=r"n=\.\.\."):
        practice(n=True)
    with pytest.raises(TypeError, match="topic"):
        practice(123)
    with pytest.raises(TypeError, match=r"practice\(n=\.\.\.\)"):
        practice(123)
    with pytest.raises(ValueError, match=f"1 to {MAX_PROBLEMS:,}"):
        practice(n=10**6)
    with pytest.raises(ValueError, match=f"1 to {MAX_EXAM_PROBLEMS:,}"):
        mock_exam(n=10**6)
    with pytest.raises(TypeError, match="n="):
        mock_exam(n=2.5)
    with pytest.raises(TypeError, match="seed"):
        practice(n=1, seed="one")
    with pytest.raises(ValueError):
        practice(n=0)
    long_name = "x" * 100_000
    with pytest.raises(ValueError) as error:
        practice(long_name)
    assert len(str(error.value)) < 1500


def test_unknown_topic_and_bad_n():
    with pytest.raises(ValueError, match="TOPICS") as error:
        practice("convolution sizes")
    assert len(str(error.value)) < 300
    with pytest.raises(ValueError):
        practice(n=0)


def _find(topic, condition, tries=80):
    for seed in range(tries):
        problem = practice(topic, n=1, seed=seed, verify=False)[0]
        if condition(problem):
            return problem
    raise AssertionError(f"no {topic} problem matched")


def _not_understood(problem, answer, fragment):
    """An answer the kit cannot read: not attempted, "Not understood", never counted wrong."""
    result = problem.check(answer)
    assert result.status == "not attempted", (problem, answer, result)
    assert "Not understood" in result.message
    assert fragment.lower() in result.message.lower(), (answer, result.message)


def _incorrect(problem, answer, fragment):
    result = problem.check(answer)
    assert result.status == "incorrect", (problem, answer, result)
    assert fragment.lower() in result.message.lower(), (problem.statement, answer, result.message)


def test_blank_and_garbage_answers_never_raise():
    import random

    from cnnkit.review.practice import make_problem

    for generator in _all_generators():
        problem = make_problem(generator, random.Random(0), verify=False)
        assert problem.check(...).status == "not attempted"
        assert problem.check(None).status == "not attempted"
        for garbage in GARBAGE:
            result = problem.check(garbage)
            assert result.status != "correct", (generator, garbage, result)
            assert result.message and "Traceback" not in result.message


def test_conv_output_size_typical_mistakes():
    problem = _find(
        "conv_output_size",
        lambda p: (
            isinstance(p.data["padding"], int)
            and p.data["padding"] > 0
            and 2 * p.data["padding"] != p.data["stride"]  # else "no padding" is also "-1"
            and "floors" not in p.solution
        ),
    )
    h, w, d = problem.answer
    _incorrect(problem, (h - 1, w - 1, d), "+1")
    _incorrect(problem, [h, w, problem.data["channels"] + 1000], "number of filters")
    _incorrect(problem, (h, w), "all 3 dimensions")
    assert problem.check((None, h, w, d)).status == "correct"
    s, k, size = problem.data["stride"], problem.data["kernel"], problem.data["size"]
    no_pad = (size - k) // s + 1
    _incorrect(problem, (no_pad, no_pad, d), "2P")


def test_pool_output_size_keeps_depth():
    problem = practice("pool_output_size", n=1, seed=1, verify=False)[0]
    h, w, d = problem.answer
    _incorrect(problem, (h, w, d * 2), "depth")


def test_conv_params_typical_mistakes():
    problem = _find("conv_params", lambda p: p.data["use_bias"] and p.data["in_channels"] > 1)
    k, c, f = problem.data["kernel"], problem.data["in_channels"], problem.data["filters"]
    _incorrect(problem, k * k * c * f, "forget the bias")
    _incorrect(problem, k * k * f + f, "input channels")
    assert problem.check(str(problem.answer)).status == "correct"  # '6416' is read as 6416
    assert problem.check(f"{problem.answer:,}").status == "correct"  # and '6,416' too
    no_bias = _find("conv_params", lambda p: not p.data["use_bias"])
    k, c, f = no_bias.data["kernel"], no_bias.data["in_channels"], no_bias.data["filters"]
    _incorrect(no_bias, k * k * c * f + f, "use_bias=False")


def test_dense_params_forgot_bias():
    problem = practice("dense_params", n=1, seed=0, verify=False)[0]
    _incorrect(problem, problem.data["inputs"] * problem.data["units"], "bias")
    _incorrect(problem, 3.5, "whole number")


def test_stack_table_reports_the_first_wrong_row():
    problem = practice("stack_table", n=1, seed=2, verify=False)[0]
    rows = [list(row) for row in problem.answer]
    filters = rows[0][0][2]
    wrong = [tuple(row) for row in rows]
    wrong[0] = (rows[0][0], rows[0][1] - filters)
    _incorrect(problem, wrong, "Row 1")
    _incorrect(problem, wrong, "bias")
    wrong = [tuple(row) for row in rows]
    wrong[1] = (rows[1][0], 10)
    _incorrect(problem, wrong, "no parameters")
    _incorrect(problem, problem.answer[:3], "7 rows")
    _incorrect(problem, [1, 2, 3, 4, 5, 6, 7], "pair")


def test_receptive_field_strides_matter():
    problem = _find("receptive_field", lambda p: any(s > 1 for _, _, s in p.data["stack"][:-1]))
    no_stride = 1 + sum(k - 1 for _, k, _ in problem.data["stack"])
    assert no_stride != problem.answer  # a stride > 1 before the last layer widens the field
    _incorrect(problem, no_stride, "stride")


def test_softmax_mistakes_and_tolerance():
    problem = practice("softmax", n=1, seed=4, verify=False)[0]
    logits = problem.data["logits"]
    exps = [math.exp(z) for z in logits]
    _incorrect(problem, exps, "exponentials")
    _incorrect(problem, problem.answer[:-1], "probabilities")
    close = [p + 0.001 for p in problem.answer]
    assert problem.check(close).status == "correct"
    assert problem.check(tuple(problem.answer)).status == "correct"


def test_cross_entropy_log10_and_sign():
    problem = _find("cross_entropy", lambda p: not p.data["binary"])
    p_true = problem.data["probs"][problem.data["label"]]
    _incorrect(problem, -math.log10(p_true), "log10")
    _incorrect(problem, math.log(p_true), "minus sign")
    assert problem.check(round(-math.log(p_true), 3)).status == "correct"


def test_batch_epoch_round_up():
    problem = _find(
        "batch_epoch",
        lambda p: p.data["kind"] == "iterations" and p.data["samples"] % p.data["batch"] != 0,
    )
    _incorrect(problem, problem.data["samples"] // problem.data["batch"], "round up")


def test_rnn_params_gru_two_biases():
    problem = _find("rnn_params", lambda p: p.data["kind"] == "GRU")
    i, u = problem.data["inputs"], problem.data["units"]
    _incorrect(problem, 3 * u * (i + u + 1), "reset_after")
    lstm = _find("rnn_params", lambda p: p.data["kind"] == "LSTM")
    i, u = lstm.data["inputs"], lstm.data["units"]
    _incorrect(lstm, u * (i + u + 1), "multiply by 4")


def test_dropout_inverted_scaling_message():
    problem = _find("dropout_expectation", lambda p: p.data["kind"] == "kept")
    x, rate = problem.data["x"], problem.data["rate"]
    _incorrect(problem, x * (1 - rate), "(1 - p)")


def test_optimizer_step_adam_is_not_sgd():
    # Adam's first step moves by lr·sign(g); plain SGD by lr·g: they differ when |lr·(|g| - 1)|
    # is larger than the tolerance, which the problem drawn here guarantees.
    problem = _find(
        "optimizer_step",
        lambda p: (
            p.data["kind"] == "adam" and abs(p.data["lr"] * (abs(p.data["grads"][0]) - 1)) > 0.001
        ),
    )
    w0, g, lr = problem.data["w0"], problem.data["grads"][0], problem.data["lr"]
    _incorrect(problem, w0 - lr * g, "plain SGD")
    sgd = _find("optimizer_step", lambda p: p.data["kind"] == "sgd")
    w0, g, lr = sgd.data["w0"], sgd.data["grads"][0], sgd.data["lr"]
    _incorrect(sgd, w0 + lr * g, "against the gradient")


def test_mock_exam_scores_and_lists_topics_to_revisit(capsys):
    exam = mock_exam(seed=5, verify=False)
    assert len(exam) == 20
    assert [s.kind for s, _ in exam.sections()] == [
        "choice",
        "true_false",
        "ordering",
        "calculation",
        "short_answer",
        "design",
    ]
    assert [p.number for p in exam] == list(range(1, 21))
    assert len({p.topic for p in exam}) >= 15, "topics are spread out"
    key = exam.key()
    for number in range(1, 11):
        assert exam.answer(number, key[number]).status == "recorded"
    exam.answer(11, exam[11].typical_mistake())
    exam.answer(12, "no idea")  # not understood: not attempted, never counted wrong
    score = exam.score()
    assert capsys.readouterr().out == "", "score() shows once: as the cell's value, not printed"
    assert score.correct == 10 and score.attempted == 11 and score.count == 20
    expected_points = sum(exam.points_of(p) for p in list(exam)[:10])
    assert score.points == expected_points and score.total == exam.total_points
    assert f"Score: {expected_points}/{exam.total_points}" in str(score)
    assert set(score.revisit) <= {p.topic for p in list(exam)[10:]}
    assert score.chapters and all(c.startswith("chapter 0") for c in score.chapters)
    assert "<table>" in score._repr_html_() and "Choice 选择题" in score._repr_html_()
    assert [p.statement for p in mock_exam(seed=5, verify=False)] == [p.statement for p in exam]


def test_mock_exam_wrong_numbers_give_messages_not_tracebacks():
    exam = mock_exam(n=8, seed=1, verify=False)
    for bad in (0, 9, -1, "3", 2.0, None, True):
        result = exam.answer(bad, 1)
        assert result.status == "not attempted" and "1..8" in result.message, (bad, result)
        assert "1..8" in str(exam[bad])
        assert exam[bad].check(1).status == "not attempted"


def test_mock_exam_display_never_shows_answers():
    exam = mock_exam(n=12, seed=4, verify=False)
    page = exam._repr_markdown_()
    assert "minutes" in page and "points" in page and "选择题" in page
    for problem, solution in zip(exam, exam._problems, strict=True):
        assert solution.solution not in page
        assert problem.answer is None and "submit" in str(problem.show_solution())
        assert "**Answer:**" not in problem._repr_markdown_()
        assert "**Answer:**" not in repr(problem)
    assert "object at 0x" not in repr(exam)


def test_mock_exam_printable_with_answer_key_on_separate_pages(tmp_path):
    exam = mock_exam(n=10, seed=2, verify=False)
    page = exam.to_html()
    paper, key = page.split("<div class='key'>")
    assert "page-break-before:always" in page
    assert "Answer key" in key and "Answer:" not in paper
    for problem in exam:
        assert f"<b>{problem.number}.</b>" in paper
    written = exam.save(tmp_path, formats=("html",))
    assert written["html"].read_text(encoding="utf-8") == page
    with pytest.raises(ValueError, match="formats"):
        exam.save(tmp_path, formats=("docx",))


def test_mock_exam_plan_has_every_section():
    from cnnkit.review.exam import plan

    assert plan(20) == {
        "choice": 5,
        "true_false": 4,
        "ordering": 2,
        "calculation": 5,
        "short_answer": 2,
        "design": 2,
    }
    for n in (1, 3, 6, 7, 19, 50, 100):
        counts = plan(n)
        assert sum(counts.values()) == n
        if n >= 6:
            assert min(counts.values()) >= 1


def test_choice_checks_letters_and_justifies():
    problem = practice("pooling", n=1, seed=0, kind="choice", verify=False)[0]
    right = problem.answer
    result = problem.check(right.lower())
    assert result.status == "correct" and problem.justification in result.message
    assert problem.check(f"({right})").status == "correct"
    wrong = next(letter for letter in "ABCD" if letter != right)
    result = problem.check(wrong)
    assert result.status == "incorrect" and f"Not {wrong}" in result.message
    assert "Read: chapter 03" in result.message
    _not_understood(problem, "E", "letter")
    index = "ABCD".index(wrong)  # an option's index (0 for A) or its text works as its letter
    assert problem.check(index).message == problem.check(wrong).message
    assert problem.check(problem.options[index]).message == problem.check(wrong).message


def test_true_false_accepts_the_usual_spellings():
    problem = practice("gan", n=1, seed=1, kind="true_false", verify=False)[0]
    truth = problem.answer
    for spelling in ("T", "true", "对", "√", "ｔｒｕｅ") if truth else ("F", "false", "错", "×"):
        result = problem.check(spelling)
        assert result.status == "correct", spelling
        assert problem.justification in result.message
    assert problem.check(not truth).status == "incorrect"
    assert problem.check(int(truth)).status == "correct"  # 1/0 as documented
    assert problem.check(int(not truth)).status == "incorrect"
    _not_understood(problem, "maybe", "True or False")


def test_ordering_names_the_first_wrong_position():
    problem = _find("workflow", lambda p: p.kind == "ordering" and len(p.answer) == 9)
    answer = problem.answer
    assert problem.check(", ".join(answer)).status == "correct"
    assert problem.check(list(answer.lower())).status == "correct"
    swapped = answer[:4] + answer[5] + answer[4] + answer[6:]
    _incorrect(problem, swapped, "position 5")
    _incorrect(problem, answer[:-1], "missing")
    _incorrect(problem, answer[:-1] + answer[0], "repeated")


def test_short_answer_is_ticking_every_true_statement():
    problem = _find("activations", lambda p: p.kind == "short_answer")
    assert problem.check(problem.answer).status == "correct"
    one = problem.answer[0]
    result = problem.check(one)
    assert result.status == "incorrect" and "1 more true statement" in result.message
    false = next(c for c in "ABCDE"[: len(problem.options)] if c not in problem.answer)
    _incorrect(problem, problem.answer + false, "is false")
    # free text is never graded: not understood, never correct
    for text in (
        "ReLU的导数在x>0时为1, 而sigmoid会饱和, 导数最大0.25。",
        "derivative 1 saturat",
        "ReLU's derivative is not 1 and the sigmoid never saturates.",
    ):
        _not_understood(problem, text, "letters")
    _not_understood(problem, 42, "letters")


def _design():
    return _find("cnn_design", lambda p: p.data["input_shape"] == (64, 64, 3))


def test_design_checks_each_constraint_with_explain():
    import keras

    problem = _design()
    classes, budget, field = (problem.data[k] for k in ("classes", "budget", "field"))
    assert problem.check(problem.answer).status == "correct"
    assert problem.check(problem.answer).status == "correct", "the answer's layers are reusable"
    layers = keras.layers
    too_big = [
        layers.Conv2D(32, 3, activation="relu"),
        layers.Flatten(),
        layers.Dense(classes, activation="softmax"),
    ]
    _incorrect(problem, too_big, "Constraint 3 fails")
    _incorrect(problem, too_big, "layer 3, Dense")  # the largest layer, from ck.explain
    shallow = [
        layers.Conv2D(8, 3, activation="relu"),
        layers.GlobalAveragePooling2D(),
        layers.Dense(classes, activation="softmax"),
    ]
    _incorrect(problem, shallow, "Constraint 4 fails")
    wrong_classes = [
        layers.GlobalAveragePooling2D(),
        layers.Dense(classes + 1, activation="softmax"),
    ]
    _incorrect(problem, wrong_classes, "Constraint 2 fails")
    no_softmax = [layers.GlobalAveragePooling2D(), layers.Dense(classes)]
    _incorrect(problem, no_softmax, "softmax")
    _incorrect(problem, [layers.Dense(3), "conv"], "not a Keras layer")
    _incorrect(problem, [layers.Reshape((7,))], "cannot build")
    model = keras.Sequential([keras.Input(problem.data["input_shape"]), *problem.answer])
    assert problem.check(model).status == "correct"
    other = keras.Sequential([keras.Input((32, 32, 3)), layers.Flatten(), layers.Dense(classes)])
    _incorrect(problem, other, "Constraint 1 fails")
    assert budget > 0 and field > 1


def test_checks_are_recorded_in_progress(monkeypatch):
    """Every check goes to cnnkit.progress_store.record (when the progress store is installed)."""
    import sys
    import types

    calls = []
    fake = types.ModuleType("cnnkit.progress_store")
    fake.record = lambda *args: calls.append(args)
    monkeypatch.setitem(sys.modules, "cnnkit.progress_store", fake)
    problem = practice("softmax", n=1, seed=0, verify=False)[0]
    problem.check(problem.answer)
    problem.check(...)  # not attempted: not recorded
    exam = mock_exam(n=6, seed=0, verify=False)
    exam.answer(1, exam[1].typical_mistake())
    assert len(calls) == 1, "a mock-exam answer is judged (and recorded) at submission"
    exam.submit()
    assert calls[0] == ("practice", "softmax", "calculation", "correct")
    assert calls[1][0] == "mock_exam" and calls[1][3] == "incorrect" and len(calls) == 2
    quiet = practice("softmax", n=1, seed=0, verify=False, record=False)[0]
    quiet.check(quiet.answer)
    demo = mock_exam(n=6, seed=0, verify=False, record=False)
    demo.answer(1, demo[1].typical_mistake())
    demo.submit()
    assert len(calls) == 2, "record=False keeps demonstrations out of the progress file"
    problem.show_solution()
    assert calls[2] == ("practice", "softmax", "calculation", "solution")
    fake.record = lambda *args: 1 / 0  # a broken progress store never stops checking
    assert problem.check(problem.answer).status == "correct"


def test_glossary_normalises_full_width_and_bounds_long_queries():
    """Issue 18 item 11: full-width Latin letters match; a 100,000-character query gets a
    short message instead of being echoed."""
    assert glossary("ｋｅｒｎｅｌ").english == "kernel"
    assert glossary("ＭＡＸ　ＰＯＯＬＩＮＧ").english == "max pooling"
    result = glossary("x" * 100_000)
    assert not result.found and len(result.message) < 200 and len(repr(result)) < 300
    assert len(glossary(list(range(100_000))).message) < 200
    from cnnkit.review import glossary_search

    assert len(glossary_search("ｓｔｒｉｄｅ")) == len(glossary_search("stride")) > 0
    assert glossary_search("y" * 100_000).empty


def test_classic_table_agrees_with_chapter_04_for_the_lenets():
    """Parameters and MACs at the model's own input size, measured as chapter 04 does."""
    import keras

    import cnnkit as ck
    from cnnkit.models import survey
    from cnnkit.review.classic import CLASSIC_NETWORKS

    lenet = CLASSIC_NETWORKS["LeNet-5"]
    profile = survey.profile(ck.models.lenet5_1998())
    assert (profile["parameters"], profile["macs"]) == (lenet.params, lenet.macs)
    assert "×".join(map(str, profile["input_shape"])) == lenet.input
    assert ck.models.lenet5().count_params() == lenet.modern_params
    keras.backend.clear_session()
    assert {"ZFNet", "MobileNet"} <= set(CLASSIC_NETWORKS)
    assert CLASSIC_NETWORKS["AlexNet"].input == "227×227×3"


def test_importing_review_does_not_import_keras():
    import subprocess

    code = "import sys, cnnkit.review; print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


# --------------------------------------------------------------------------- formula sheet


def test_sheet_html_has_every_formula_and_its_computed_example(tmp_path):
    from cnnkit.formulas import FORMULAS
    from cnnkit.review import build_sheet
    from cnnkit.review.reference import active_review_formulas
    from cnnkit.review.sheet import format_value

    written = build_sheet(tmp_path, formats=("html",))
    text = written["html"].read_text(encoding="utf-8")
    import html

    for entry in FORMULAS.values():
        assert html.escape(entry.title) in text, entry.key
        assert entry.chinese in text, entry.key
        assert f"<b>{html.escape(format_value(entry.evaluate()))}</b>" in text, entry.key
    for entry in active_review_formulas().values():
        assert f"<b>{html.escape(format_value(entry.evaluate()))}</b>" in text, entry.key
    for number in (
        "60,850",
        "61,706",
        "62,378,344",
        "107,627,624",
        "138,357,544",
        "6,998,552",
        "11,689,512",
        "21,797,672",
        "25,557,032",
        "4,231,976",
        "0.33 M",
        "15.47 G",
        "0.57 G",
    ):
        assert number in text
    assert "@page" in text and "A4" in text


def test_worked_examples_of_the_syllabus():
    from cnnkit.review.reference import REVIEW_FORMULAS

    assert REVIEW_FORMULAS["cross_entropy"].evaluate() == pytest.approx(0.105, abs=1e-3)
    assert REVIEW_FORMULAS["step_relu"].evaluate() == ((1, 0, 1, 0, 1), (1, 0, 3, 0, 7))
    assert sum(REVIEW_FORMULAS["softmax"].evaluate()) == pytest.approx(1.0)


def test_classic_network_constants():
    from cnnkit.review.classic import CLASSIC_NETWORKS, LENET5_FAITHFUL_LAYERS

    assert CLASSIC_NETWORKS["VGG16"].params == 138_357_544
    assert CLASSIC_NETWORKS["ResNet-50"].params == 25_557_032
    assert sum(row[2] for row in LENET5_FAITHFUL_LAYERS) == 60_000
    assert LENET5_FAITHFUL_LAYERS[0][2:] == (156, 122_304)


def test_sheet_pdf_fits_two_pages_with_a_cjk_font(tmp_path):
    from cnnkit.review.sheet import SheetToolMissing, build_sheet

    pytest.importorskip("pypdf", reason="pypdf counts the PDF's pages: pip install pypdf")
    try:
        written = build_sheet(tmp_path, formats=("pdf",))
    except SheetToolMissing as error:
        pytest.skip(f"PDF tool missing: {error}")
    from pypdf import PdfReader

    assert 1 <= len(PdfReader(str(written["pdf"])).pages) <= 2
    fonts = pdf_font_names(written["pdf"])
    assert has_cjk_font(fonts), f"no CJK font embedded (Chinese would print as boxes): {fonts}"


def _text_of_html(document: str) -> str:
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__()
            self.parts, self.skip = [], False

        def handle_starttag(self, tag, attrs):
            self.skip = self.skip or tag in ("style", "title")

        def handle_endtag(self, tag):
            if tag in ("style", "title"):
                self.skip = False

        def handle_data(self, data):
            if not self.skip:
                self.parts.append(data)

    parser = Text()
    parser.feed(document)
    return "".join(parser.parts)


def _characters(text: str):
    """The characters of a text without whitespace (PDF text comes out in another order)."""
    import unicodedata
    from collections import Counter

    return Counter(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace())


def test_committed_formula_sheet_is_current():
    """review/formula_sheet.html and .pdf (linked from the README) match what the code builds
    now; when this fails, run `make sheet` and commit review/."""
    from cnnkit.review.sheet import LAYOUTS, sheet_html

    html_path, pdf_path = (
        REPO / "review" / "formula_sheet.html",
        REPO / "review" / "formula_sheet.pdf",
    )
    assert html_path.exists() and pdf_path.exists(), "run `make sheet` and commit review/"
    committed = html_path.read_text(encoding="utf-8")
    fresh = {sheet_html(legend, compact) for legend, compact in LAYOUTS}
    assert committed in fresh, "review/formula_sheet.html is stale: run `make sheet`"
    pytest.importorskip("pypdf", reason="pypdf reads the PDF's text: pip install pypdf")
    from pypdf import PdfReader

    pages = PdfReader(str(pdf_path)).pages
    assert 1 <= len(pages) <= 2
    pdf_text = "".join(page.extract_text() for page in pages)
    assert _characters(pdf_text) == _characters(_text_of_html(committed)), (
        "review/formula_sheet.pdf does not carry the text of the HTML: run `make sheet`"
    )


def test_sheet_renders_every_registry_entry_and_replaces_review_rows():
    from cnnkit.formulas import registry
    from cnnkit.review.reference import REVIEW_FORMULAS, active_review_formulas
    from cnnkit.review.sheet import formula_rows, sheet_html

    for key in (
        "focal_loss",
        "iou",
        "smooth_l1",
        "triplet_loss",
        "arcface",
        "conv_transpose_output_size",
    ):
        # on the sheet once: as a review row, or as the registry entry that replaced it
        replaced = key in REVIEW_FORMULAS and any(
            part in name for part in REVIEW_FORMULAS[key].replaced_by for name in registry.FORMULAS
        )
        assert (
            key in active_review_formulas()
            or key in registry.FORMULAS
            or replaced
            or (key not in REVIEW_FORMULAS)
        )
    extra = registry.Formula(
        key="focal_loss_registered",
        title="Focal loss (registered)",
        chinese="焦点损失",
        text="FL = -(1 - p)^γ ln p",
        function=lambda p: round(-((1 - p) ** 2) * math.log(p), 6),
        example=dict(p=0.9),
        chapter="07",
    )
    registry.FORMULAS[extra.key] = extra
    try:
        assert "focal_loss" not in active_review_formulas()
        assert "Focal loss (registered)" in sheet_html()
        keys = [row["key"] for row in formula_rows()]
        assert "focal_loss_registered" in keys and "focal_loss" not in keys
    finally:
        del registry.FORMULAS[extra.key]
    assert "focal_loss" in active_review_formulas()


def test_chapter_notebooks_use_only_glossary_terms():
    """Every parenthesised Chinese term in the chapter notebooks' prose is in the glossary."""
    files = sorted(REPO.glob("notebooks/src/*.py")) + sorted(REPO.glob("notebooks/*.ipynb"))
    if not files:
        pytest.skip("no chapter notebooks yet")
    report = missing_terms(files)
    assert not report, format_missing(report) + "\nAdd them to cnnkit/review/glossary.csv."
