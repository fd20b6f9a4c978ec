"""The practice grader judged like an examiner would (issue 27), on more than 1,000 problems.

For every topic and kind, several students and seeds: the expected answer equals a computation
written here apart from the grader (NumPy/math, from the problem's data) or the generator's own
Keras/NumPy verification; the right answer in each documented form is accepted; each listed
typical mistake is refused with its named message; garbage is never correct, and unreadable
answers are "not understood" (not attempted), never counted wrong.
"""

from __future__ import annotations

import importlib
import math
import time

import numpy as np
import pytest

from cnnkit.review import mock_exam, practice
from cnnkit.review.problem import KINDS, LETTERS
from cnnkit.review.topics import GENERATORS

STUDENTS = ("2023011234", "2023015678", 7, "zhang wei")
GENERIC = "Recheck each term"
GARBAGE = (
    "abc",
    "",
    "42 apples",
    {"a": 1},
    object(),
    [[None]],
    float("nan"),
    float("inf"),
    b"\x00\xff",
    "y" * 100_000,
    range(10**9),
    [range(10**9)],  # a huge object one level down (the analysis answers read pairs and lists)
    (range(10**9), 1),
    np.broadcast_to(0.0, (10**9,)),  # 8 GB if anything turned it into a real array
)


@pytest.fixture(autouse=True)
def _progress_in_tmp(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNKIT_HOME", str(tmp_path / "cnnkit_home"))


# --------------------------------------------------------------------------- independent answers


def _softmax(z):
    e = np.exp(np.asarray(z, float) - np.max(z))
    return e / e.sum()


def _conv_size(size, kernel, stride, padding):
    if padding == "same":
        return -(-size // stride)
    pad = 0 if padding == "valid" else padding
    return (size - kernel + 2 * pad) // stride + 1


def _independent(problem):
    """The answer computed here from the problem's data (not by the grader's code), or None
    when this file has no formula for it (the generator's Keras check covers those)."""
    d = problem.data
    topic = problem.topic
    if topic == "activations":
        z = np.asarray(d["values"], float)
        table = {
            "step": np.where(z >= 0, 1.0, 0.0),  # chapter 01: step(0) = 1
            "ReLU": np.maximum(z, 0),
            "sigmoid": 1 / (1 + np.exp(-z)),
            "tanh": np.tanh(z),
        }
        return list(np.round(table[d["function"]], 3))
    if topic == "softmax":
        return list(np.round(_softmax(d["logits"]), 3))
    if topic == "cross_entropy" and not d["binary"]:
        return round(-np.log(d["probs"][d["label"]]), 3)
    if topic == "cross_entropy":
        p = d["p"] if d["y"] == 1 else 1 - d["p"]
        return round(-np.log(p), 3)
    if topic == "batch_epoch" and d["kind"] == "iterations":
        return math.ceil(d["samples"] / d["batch"])
    if topic == "batch_epoch":
        return round(d["iterations"] / math.ceil(d["samples"] / d["batch"]), 1)
    if topic == "conv_output_size":
        side = _conv_size(d["size"], d["kernel"], d["stride"], d["padding"])
        return (side, side, d["filters"])
    if topic == "conv_params":
        k = d["kernel"]
        k = k if isinstance(k, tuple) else (k, k)
        return k[0] * k[1] * d["in_channels"] * d["filters"] + (
            d["filters"] if d["use_bias"] else 0
        )
    if topic == "dense_params":
        return d["inputs"] * d["units"] + d["units"]
    if topic == "fc_as_conv":  # one filter per unit, as large as the map
        return d["side"] ** 2 * d["depth"] * d["units"] + d["units"]
    if topic == "pool_output_size":
        step = d["stride"] or d["pool"]  # Keras: stride defaults to the pool size
        side = _conv_size(d["size"], d["pool"], step, d["padding"])
        return (side, side, d["channels"])
    if topic == "pooling":
        g = np.asarray(d["grid"], float).reshape(2, 2, 2, 2).transpose(0, 2, 1, 3).reshape(4, 4)
        return list((g.max(axis=1) if d["kind"] == "max" else g.mean(axis=1)).round(2))
    if topic == "rnn_params":
        gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[d["kind"]]
        biases = 2 if d["kind"] == "GRU" else 1  # Keras's GRU: reset_after=True, two biases
        i, u = d["inputs"], d["units"]
        return gates * (u * (i + u) + biases * u)
    if topic == "vanishing_gradients":
        s = 1 / (1 + math.exp(-d["z"]))
        return float(f"{(s * (1 - s)) ** d['layers']:.3e}")
    if topic == "early_stopping":
        losses, patience = d["losses"], d["patience"]
        best, waited = 0, 0
        for epoch in range(1, len(losses)):
            if losses[epoch] < losses[best]:
                best, waited = epoch, 0
            else:
                waited += 1
                if waited == patience:
                    return (epoch + 1, best + 1)
        raise AssertionError("the run must stop early")
    return None


def _same(a, b) -> bool:
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9)


# --------------------------------------------------------------------------- answer forms


def _forms(problem) -> list:
    """The right answer in every form the docstrings document."""
    answer = problem.answer
    if problem.kind == "choice":
        index = LETTERS.index(answer)
        return [
            answer,
            answer.lower(),
            f"({answer})",
            index,
            np.int64(index),
            problem.options[index],
        ]
    if problem.kind == "true_false":
        return [answer, int(answer), str(answer).lower(), np.bool_(answer), "T" if answer else "F"]
    if problem.kind == "ordering":
        return [answer, ", ".join(answer), list(answer), answer.lower()]
    if problem.kind == "short_answer":
        return [answer, ", ".join(answer), list(answer), [LETTERS.index(c) for c in answer]]
    if problem.kind == "design":
        return [answer]
    if isinstance(answer, bool):
        raise AssertionError("a calculation answer is never a bool")
    if isinstance(answer, int):
        return [answer, float(answer), np.int64(answer), str(answer), f"{answer:,}"]
    if isinstance(answer, float):
        return [answer, np.float64(answer), str(answer), repr(answer)]
    if problem.topic in ("conv_output_size", "pool_output_size"):
        h, w, d = answer
        return [
            answer,
            list(answer),
            (None, h, w, d),
            f"{h}x{w}x{d}",
            f"{h}*{w}*{d}",
            f"{h}×{w}×{d}",
            f"({h}, {w}, {d})",
            np.array(answer),
        ]
    if problem.topic == "early_stopping":
        return [answer, list(answer), f"{answer[0]}, {answer[1]}", str(answer)]
    if problem.topic == "stack_table":
        return [answer, [list(row) for row in answer]]
    return [answer, tuple(answer), np.array(answer), str(list(answer))]


def _draw():
    """Every generator (topic and kind) for 4 students and several seeds: > 1,000 problems."""
    problems = []
    for topic, generators in GENERATORS.items():
        for kind in dict.fromkeys(g.kind for g in generators):
            for number, student in enumerate(STUDENTS):
                n = 5 if kind == "calculation" else 3
                problems += practice(
                    topic, n=n, seed=number, kind=kind, verify=False, record=False, student=student
                )
    return problems


@pytest.fixture(scope="module")
def drawn():
    import keras  # noqa: F401  (imported once before timing: the design checks build models)

    started = time.perf_counter()
    problems = _draw()
    return problems, time.perf_counter() - started


def test_more_than_1000_problems_every_topic_and_kind(drawn):
    problems, _ = drawn
    assert len(problems) >= 1000, len(problems)
    assert {p.topic for p in problems} == set(GENERATORS)
    assert {p.kind for p in problems} == set(KINDS)


def test_expected_answers_equal_an_independent_computation(drawn):
    problems, _ = drawn
    computed = 0
    for problem in problems:
        if problem.kind != "calculation":
            continue
        value = _independent(problem)
        if value is None:
            continue
        computed += 1
        assert _same(problem.answer, value), (problem.topic, problem.data, problem.answer, value)
    assert computed >= 250


def test_every_calculation_generator_is_verified_by_keras_or_numpy():
    """The generators' own verification (Keras layers, ``count_params``, NumPy) agrees with the
    answer for every calculation topic and 4 students (problems are regenerated otherwise)."""
    import random

    practice_module = importlib.import_module("cnnkit.review.practice")
    practice_module.REJECTED.clear()
    for generators in GENERATORS.values():
        for generator in generators:
            if generator.kind != "calculation" or generator.topic == "batch_epoch":
                continue  # batch_epoch's Keras check trains a model (0.6 s); computed above
            for student in range(4):
                problem = practice_module.make_problem(generator, random.Random(student))
                assert problem.verified
    assert not practice_module.REJECTED, list(practice_module.REJECTED)


def test_the_right_answer_in_every_documented_form_is_correct(drawn):
    problems, _ = drawn
    for problem in problems:
        for form in _forms(problem):
            result = problem.check(form)
            assert result.status == "correct", (problem.topic, problem.kind, form, result)


def test_every_listed_typical_mistake_is_refused_with_its_named_message(drawn):
    problems, _ = drawn
    named = 0
    for problem in problems:
        mistake = problem.typical_mistake()
        if mistake is not None:
            result = problem.check(mistake)
            assert result.status == "incorrect", (problem.topic, problem.kind, mistake, result)
            assert GENERIC not in result.message, (problem.topic, mistake, result.message)
        table = getattr(problem.checker, "mistakes", {})
        messages = set(table.values())
        for value in table:
            result = problem.check(value)
            assert result.status == "incorrect", (problem.topic, value, result)
            assert any(m in result.message for m in messages), (problem.topic, value, result)
            assert GENERIC not in result.message
            named += 1
    assert named >= 2000


def test_garbage_is_never_correct_and_unreadable_answers_are_not_understood(drawn):
    problems, _ = drawn
    for problem in problems:
        for garbage in GARBAGE:
            started = time.perf_counter()
            result = problem.check(garbage)
            assert time.perf_counter() - started < 0.5, (problem.topic, type(garbage))
            assert result.status != "correct", (problem.topic, problem.kind, garbage, result)
            assert len(result.message) < 600
            assert "MemoryError" not in result.message, (problem.topic, type(garbage))
            if result.status == "not attempted":
                assert "Not understood" in result.message or "..." in result.message
        if isinstance(problem.answer, (int, float)) and not isinstance(problem.answer, bool):
            value = float(problem.answer)
            wrong = [-value, value * 10, value / 10, value * 2] if value else [1.0]
            for answer in [*wrong, str(-value) if value else "1"]:
                assert problem.check(answer).status != "correct", (problem.topic, answer)
            if value:
                assert problem.check(0).status == "incorrect", problem.topic


def test_unreadable_answers_are_never_counted_wrong_in_progress(monkeypatch):
    import sys
    import types

    calls = []
    fake = types.ModuleType("cnnkit.progress_store")
    fake.record = lambda *args: calls.append(args)
    monkeypatch.setitem(sys.modules, "cnnkit.progress_store", fake)
    problem = practice("conv_params", n=1, seed=3, verify=False, student=1)[0]
    assert problem.check("forty-two").status == "not attempted"
    assert problem.check(str(problem.answer)).status == "correct"
    assert calls == [("practice", "conv_params", "calculation", "correct")]


# --------------------------------------------------------------------------- named regressions


def test_step_at_zero_is_one_as_in_chapter_01():
    from cnnkit import scratch

    for seed in range(200):
        problem = practice(
            "activations", n=1, seed=seed, kind="calculation", verify=True, student=1
        )[0]
        if problem.data["function"] == "step" and 0.0 in problem.data["values"]:
            break
    else:
        raise AssertionError("no step problem with z = 0 drawn")
    z = np.asarray(problem.data["values"])
    assert list(problem.answer) == list(np.asarray(scratch.step(z), float))
    assert problem.check([1 if v >= 0 else 0 for v in z]).status == "correct"
    assert problem.check([1 if v > 0 else 0 for v in z]).status == "incorrect"
    assert "≥" in problem.solution


def test_focal_loss_small_value_judged_relatively():
    for seed in range(400):
        problem = practice("loss_choice", n=1, seed=seed, kind="calculation", student=2)[0]
        if problem.data.get("p") == 0.95 and problem.data.get("gamma") == 2.0:
            break
    else:
        raise AssertionError("no focal-loss problem with p_t = 0.95, γ = 2 drawn")
    exact = -(0.05**2) * math.log(0.95)
    assert "3 significant figures" in problem.statement
    assert problem.check(f"{exact:.3g}").status == "correct"
    for wrong in (0, 0.0, -exact, 0.0003, -(0.05**2) * math.log10(0.95), exact * 10, 1.3e-4):
        assert problem.check(wrong).status == "incorrect", wrong


def test_short_answers_are_graded_choices_never_keyword_matches():
    problems = practice(kind="short_answer", n=40, seed=0, verify=False, student=3)
    for problem in problems:
        assert problem.options and set(problem.answer) <= set(LETTERS)
        model = problem.solution.split("Model answer (compare your own words): ")[1].split("\n")[0]
        ideas = " ".join(problem.options)
        for text in (
            model,
            ideas,
            "derivative 1 saturat overshoot slow residual gradient shortcut",
            "ReLU's derivative is not 1 and the sigmoid never saturates.",
            "It makes the network work better.",
        ):
            assert problem.check(text).status != "correct", (problem.statement, text)
        every = "".join(LETTERS[: len(problem.options)])
        assert problem.check(every).status == "incorrect"  # ticking everything is wrong
        wrong = problem.check(problem.typical_mistake())
        assert wrong.status == "incorrect" and "left out" in wrong.message


def test_bounded_answers_return_quickly():
    from cnnkit.review.topics._checks import _as_shape

    started = time.perf_counter()
    for topic in ("pooling", "conv_output_size", "stack_table", "softmax", "activations"):
        problem = practice(topic, n=1, seed=1, kind="calculation", verify=False, student=4)[0]
        assert problem.check(range(10**9)).status == "not attempted"
    with pytest.raises(Exception, match="items"):
        _as_shape(range(10**9))
    assert time.perf_counter() - started < 2


def test_unknown_topics_and_absurd_counts_give_short_clear_errors():
    with pytest.raises(ValueError) as error:
        practice("conv_ouput_size")
    assert len(str(error.value)) < 300 and "conv_output_size" in str(error.value)
    with pytest.raises(ValueError) as error:
        practice(["x" * 10_000])
    assert len(str(error.value)) < 300
    with pytest.raises(ValueError, match=r"n=") as error:
        practice(n=10**5000)
    assert len(str(error.value)) < 300


# --------------------------------------------------------------------------- per student


def test_practice_is_per_student_and_reproducible():
    def statements(student, seed):
        return [p.statement for p in practice(n=15, seed=seed, verify=False, student=student)]

    assert statements("2023011234", 5) == statements("2023011234", 5)
    assert statements("2023011234", 5) != statements("2023015678", 5)
    assert statements("2023011234", 5) != statements("2023011234", 6)
    # the default student is the exercises' seed (ck.exercises.seed("2023011234") stores it)
    from cnnkit.exercises.core import seed

    seed("2023011234")
    assert [p.statement for p in practice(n=15, seed=5, verify=False)] == statements(
        "2023011234", 5
    )


# --------------------------------------------------------------------------- mock exam


def test_mock_exam_judges_at_submission_once_and_retakes_a_new_paper():
    exam = mock_exam(n=12, verify=False, record=False, student="2023011234")
    key = exam.key()
    for question in exam:
        assert question.answer is None, "no answer before submission"
        received = exam.answer(question.number, question.typical_mistake())
        assert received.status == "recorded" and "submit" in received.message
        # no verdict, no justification, nothing of the answer before submission
        assert received.message == (
            f"Answer to problem {question.number} recorded; it is judged when you submit "
            "(exam.submit())."
        )
        assert question.last_result is None
    assert "submit" in str(exam.solutions()) and "submit" in str(exam.feedback())
    for question in exam:  # the student changes every answer to the right one
        exam.answer(question.number, key[question.number])
    exam.answer(3, ...)  # and leaves problem 3 blank
    first = exam.submit()
    assert first.correct == 11 and first.attempted == 11 and first.count == 12
    # after submission nothing changes the score
    assert exam.answer(3, key[3]).status == "not attempted"
    assert exam.submit() is first and exam.score() is first and first.correct == 11
    assert exam[1].answer == key[1] and "Correct" in str(exam.feedback())
    again = exam.retake(verify=False)
    assert again.attempt == 1 and not again.submitted
    assert [q.statement for q in again] != [q.statement for q in exam]


def test_mock_exam_papers_are_per_student_and_reproducible():
    def paper(student, attempt=0):
        exam = mock_exam(n=10, verify=False, record=False, student=student, attempt=attempt)
        return [q.statement for q in exam]

    assert paper("2023011234") == paper("2023011234")
    assert paper("2023011234") != paper("2023015678")
    assert paper("2023011234", 1) != paper("2023011234")


def test_mock_exam_unreadable_answers_are_not_counted_wrong():
    exam = mock_exam(n=6, verify=False, record=False, student=9)
    for question in exam:
        exam.answer(question.number, "no idea at all")
    score = exam.submit()
    # the design checker judges a text as a wrong model; every other kind cannot read it
    designs = sum(q.kind == "design" for q in exam)
    assert score.correct == 0 and score.attempted == designs
    assert all(q.last_result.status == "not attempted" for q in exam if q.kind != "design")


def test_the_whole_file_draws_quickly(drawn):
    _, seconds = drawn
    assert seconds < 40, f"drawing took {seconds:.1f} s"  # about 3 s on an idle machine


def test_no_chinese_gloss_singles_out_the_right_option():
    """An examiner's rule: a student who knows nothing must not find the key by its form. A
    Chinese gloss on the right option alone gave 4 choice items away (review of chapter 08)."""
    import re

    from cnnkit.review.topics import bank_basics, bank_cnn, bank_exam_gaps, bank_training

    cjk = re.compile(r"[\u4e00-\u9fff]")
    singled_out = []
    for bank in (bank_basics, bank_cnn, bank_training, bank_exam_gaps):
        for item in getattr(bank, "CHOICES", []):
            glossed = [bool(cjk.search(text)) for text in (item.right, *(w for w, _ in item.wrong))]
            if glossed[0] and sum(glossed) == 1:
                singled_out.append(item.question[:60])
    assert not singled_out, singled_out
