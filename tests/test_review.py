"""Tests of cnnkit.review: glossary, practice problems (answers verified by Keras), formula sheet."""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import pytest

from cnnkit.review import TOPICS, find_chinese_terms, glossary, glossary_terms, mock_exam, practice
from cnnkit.review.glossary import GLOSSARY_CSV, format_missing, is_covered, missing_terms
from cnnkit.review.practice import REJECTED

REPO = Path(__file__).resolve().parents[1]
SYLLABUS = REPO.parent / "shared" / "syllabus.md"
SEEDS = range(5)


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
    if not SYLLABUS.exists():
        pytest.skip(f"{SYLLABUS} not present")
    terms = find_chinese_terms(SYLLABUS.read_text(encoding="utf-8"))
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


@pytest.fixture(scope="module")
def verified_problems():
    """5 seeds × every topic, each verified against Keras while generated."""
    import keras

    problems = {}
    for topic in TOPICS:
        for seed in SEEDS:
            problems[topic, seed] = practice(topic, n=1, seed=seed, verify=True)
            keras.backend.clear_session()
    return problems


def test_topics_list():
    assert TOPICS == (
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


def test_every_topic_verified_by_keras_and_its_answer_checks_correct(verified_problems):
    assert len(verified_problems) == len(TOPICS) * len(SEEDS)
    for problems in verified_problems.values():
        for problem in problems:
            assert problem.verified
            assert problem.statement and problem.solution
            assert "**Answer:**" in problem.solution
            assert any("\u4e00" <= ch <= "\u9fff" for ch in problem.statement), problem.statement
            result = problem.check(problem.answer)
            assert result.status == "correct", (problem, result)
            assert problem.statement in problem._repr_markdown_()
            assert problem.solution in problem.show_solution()
    assert REJECTED == [], REJECTED


def test_same_seed_same_problems():
    first = practice(n=12, seed=11, verify=False)
    second = practice(n=12, seed=11, verify=False)
    assert [p.statement for p in first] == [p.statement for p in second]
    assert [p.answer for p in first] == [p.answer for p in second]
    assert [p.statement for p in practice(n=12, seed=12, verify=False)] != [
        p.statement for p in first
    ]


def test_non_dividing_cases_occur_and_teach_the_floor():
    problems = practice("conv_output_size", n=60, seed=3, verify=False)
    floors = [p for p in problems if "Keras floors" in p.solution]
    assert 3 <= len(floors) <= 25


def test_unknown_topic_and_bad_n():
    with pytest.raises(ValueError, match="conv_params"):
        practice("convolution sizes")
    with pytest.raises(ValueError):
        practice(n=0)


def _find(topic, condition, tries=80):
    for seed in range(tries):
        problem = practice(topic, n=1, seed=seed, verify=False)[0]
        if condition(problem):
            return problem
    raise AssertionError(f"no {topic} problem matched")


def _incorrect(problem, answer, fragment):
    result = problem.check(answer)
    assert result.status == "incorrect", (problem, answer, result)
    assert fragment.lower() in result.message.lower(), (problem.statement, answer, result.message)


def test_blank_and_garbage_answers_never_raise():
    for topic in TOPICS:
        problem = practice(topic, n=1, seed=0, verify=False)[0]
        assert problem.check(...).status == "not attempted"
        assert problem.check(None).status == "not attempted"
        for garbage in ("abc", [1, 2, 3, 4, 5, 6, 7, 8, 9], {"a": 1}, object(), [[None]], -1.5):
            result = problem.check(garbage)
            assert result.status == "incorrect", (topic, garbage, result)
            assert result.message and "Traceback" not in result.message


def test_conv_output_size_typical_mistakes():
    problem = _find(
        "conv_output_size",
        lambda p: (
            isinstance(p.data["padding"], int)
            and p.data["padding"] > 0
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
    _incorrect(problem, "12", "remove the quotes")
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
    if no_stride != problem.answer:
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
    problem = _find(
        "optimizer_step",
        lambda p: p.data["kind"] == "adam" and abs(abs(p.data["grads"][0]) - 1) > 0.2,
    )
    w0, g, lr = problem.data["w0"], problem.data["grads"][0], problem.data["lr"]
    if abs(lr * (abs(g) - 1)) > 0.001:
        _incorrect(problem, w0 - lr * g, "plain SGD")
    sgd = _find("optimizer_step", lambda p: p.data["kind"] == "sgd")
    w0, g, lr = sgd.data["w0"], sgd.data["grads"][0], sgd.data["lr"]
    _incorrect(sgd, w0 + lr * g, "against the gradient")


def test_mock_exam_scores_and_lists_topics_to_revisit(capsys):
    exam = mock_exam(seed=5, verify=False)
    assert len(exam) == 20
    assert set(TOPICS) <= {p.topic for p in exam}
    for number in range(1, 11):
        assert exam.answer(number, exam[number].answer).status == "correct"
    exam.answer(11, "no idea")
    score = exam.score()
    assert "Score: 10/20" in capsys.readouterr().out
    assert score.correct == 10 and score.attempted == 11 and score.total == 20
    assert set(score.revisit) == {p.topic for p in list(exam)[10:]}
    assert "Mock exam" in exam._repr_markdown_()
    with pytest.raises(ValueError, match="1..20"):
        exam.answer(0, 1)
    assert [p.statement for p in mock_exam(seed=5, verify=False)] == [p.statement for p in exam]


def test_importing_review_does_not_import_keras():
    import subprocess

    code = "import sys, cnnkit.review; print('keras' in sys.modules, 'tensorflow' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


# --------------------------------------------------------------------------- formula sheet


def test_sheet_html_has_every_formula_and_its_computed_example(tmp_path):
    from cnnkit.formulas import FORMULAS
    from cnnkit.review import build_sheet
    from cnnkit.review.reference import REVIEW_FORMULAS
    from cnnkit.review.sheet import format_value

    written = build_sheet(tmp_path, formats=("html",))
    text = written["html"].read_text(encoding="utf-8")
    import html

    for entry in FORMULAS.values():
        assert html.escape(entry.title) in text, entry.key
        assert entry.chinese in text, entry.key
        assert f"<b>{html.escape(format_value(entry.evaluate()))}</b>" in text, entry.key
    for entry in REVIEW_FORMULAS.values():
        assert f"<b>{html.escape(format_value(entry.evaluate()))}</b>" in text, entry.key
    for number in ("61,706", "138,357,544", "6,998,552", "11,689,512", "21,797,672", "25,557,032"):
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
    from cnnkit.review.sheet import SheetToolMissing, build_sheet, has_cjk_font, pdf_font_names

    pytest.importorskip("pypdf", reason="pypdf counts the PDF's pages: pip install pypdf")
    try:
        written = build_sheet(tmp_path, formats=("pdf",))
    except SheetToolMissing as error:
        pytest.skip(f"PDF tool missing: {error}")
    from pypdf import PdfReader

    assert 1 <= len(PdfReader(str(written["pdf"])).pages) <= 2
    fonts = pdf_font_names(written["pdf"])
    assert has_cjk_font(fonts), f"no CJK font embedded (Chinese would print as boxes): {fonts}"


def test_chapter_notebooks_use_only_glossary_terms():
    """Every parenthesised Chinese term in the chapter notebooks' prose is in the glossary."""
    files = sorted(REPO.glob("notebooks/src/*.py")) + sorted(REPO.glob("notebooks/*.ipynb"))
    if not files:
        pytest.skip("no chapter notebooks yet")
    report = missing_terms(files)
    assert not report, format_missing(report) + "\nAdd them to cnnkit/review/glossary.csv."
