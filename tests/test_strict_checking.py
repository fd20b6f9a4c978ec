"""The checker reads answers strictly: liars, lying containers, huge objects, uninitialised
arrays, exit() and interrupts never give a false "correct" or a traceback (issue 30's cases)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cnnkit.exercises import ch01, ch03, ch04, ch06, ch07, chapters, core
from cnnkit.exercises.strict import Refused, Unreadable, plain_copy, read_array, read_number
from tests.hostile_answers import AlwaysEqual, NeverEqual, lying_float, lying_int, lying_str

pytestmark = pytest.mark.attack


@pytest.fixture(autouse=True)
def no_progress_recording(monkeypatch):
    monkeypatch.setattr(core.Problem, "_record", lambda *args, **kwargs: None)


def every_problem():
    import importlib

    for name in chapters():
        yield from importlib.import_module(f"cnnkit.exercises.{name}").CHAPTER.problems


def test_the_issues_nested_liars_are_incorrect():
    liar_shapes = {"W1": (AlwaysEqual(), 64), "b1": (AlwaysEqual(),), "W2": (AlwaysEqual(), 10)}
    assert ch01.q9.check({**liar_shapes, "b2": (AlwaysEqual(),)}).status == "incorrect"
    assert ch01.q9.check({**liar_shapes, "b2": (NeverEqual(),)}).status == "incorrect"
    lenet = dict(ch04._LENET)
    lenet["C1"] = ((28, 28, 6), np.array([AlwaysEqual()], dtype=object))
    assert ch04.q1.check(lenet).status == "incorrect"
    assert ch06.q4.check(lying_str("discriminator", "generator")).status == "incorrect"
    assert ch07.q7.check({"stop": AlwaysEqual(), "restore": AlwaysEqual()}).status == "incorrect"
    assert ch01.q1.check(lying_int(5, 100_480)).status == "incorrect"
    assert ch01.q7.check(lying_float(0.5, 0.10536051565782628)).status == "incorrect"


def test_right_answers_written_differently_are_correct():
    as_lists = {"W1": [784, 64], "b1": [64], "W2": np.array([64, 10]), "b2": (np.int64(10),)}
    assert ch01.q9.check(as_lists).status == "correct"
    assert ch01.q1.check(np.int64(100_480)).status == "correct"
    assert ch01.q1.check(np.array([100_480.0])).status == "correct"
    assert ch06.q4.check(np.str_("generator")).status == "correct"


def nested(depth):
    value = [1]
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "huge",
    [np.broadcast_to(0.0, (10**9,)), range(10**9), nested(25)],
)
def test_huge_or_deep_leaves_are_refused_quickly(huge):
    start = time.perf_counter()
    result = ch01.q9.check({"W1": (huge, 64), "b1": (64,), "W2": (64, 10), "b2": (10,)})
    assert result.status == "incorrect" and len(result.message) < 300
    assert time.perf_counter() - start < 1.0


def test_a_100000_deep_list_is_refused_without_recursion_error():
    assert ch01.q4.check(nested(100_000)).status == "incorrect"


class LengthRaises(list):
    def __len__(self):
        raise RuntimeError("no length")


class ValuesRaise(dict):
    def values(self):
        raise RuntimeError("no values")


@pytest.mark.parametrize("problem", list(every_problem()), ids=lambda problem: problem.name)
def test_lying_containers_give_a_result_not_a_traceback(problem):
    for answer in (LengthRaises([1, 2]), ValuesRaise(a=1), LengthRaises(), ValuesRaise()):
        result = problem.check(answer)
        assert result.status in ("incorrect", "not attempted") and len(result.message) < 300


def exits(*args, **kwargs):
    raise SystemExit(0)


def interrupts(*args, **kwargs):
    raise KeyboardInterrupt


@pytest.mark.parametrize("student", [exits, interrupts])
def test_exit_and_interrupt_inside_a_function_are_reported(student):
    function_problems = [p for p in every_problem() if "def " in p.solution_code]
    assert len(function_problems) >= 12
    for problem in function_problems:
        result = problem.check(student)
        assert result.status == "incorrect", str(result)
        assert "SystemExit" in result.message or "KeyboardInterrupt" in result.message


def test_uninitialised_arrays_are_never_correct():
    def relu(x):
        out = np.empty_like(x)
        out[x > 0] = x[x > 0]
        return out

    def gap_never_writing_the_last_channel(x):
        out = np.empty(x.shape[-1])
        out[:-1] = x.mean(axis=(0, 1))[:-1]
        return out

    for _ in range(30):
        assert ch01.q5.check(relu).status == "incorrect"
        assert ch03.q9.check(lambda x: np.empty(x.shape[-1])).status == "incorrect"
        assert ch03.q9.check(gap_never_writing_the_last_channel).status == "incorrect"


def test_fresh_inputs_per_check_are_reproducible():
    core._CHECKS_MADE.pop("test.key", None)
    first, second = (core.fresh_generator("test.key").normal(size=3) for _ in range(2))
    core._CHECKS_MADE.pop("test.key")
    again = core.fresh_generator("test.key").normal(size=3)
    assert not np.allclose(first, second)
    assert np.array_equal(first, again)


def test_plain_copy_trusts_no_object():
    copied = plain_copy({"a": (lying_int(3, 7), [lying_str("x", "y")]), "b": AlwaysEqual()})
    assert copied["a"] == (3, ["x"]) and type(copied["a"][0]) is int
    assert type(copied["a"][1][0]) is str
    assert isinstance(copied["b"], Unreadable) and copied["b"] != 1 and not copied["b"] == 1
    assert isinstance(plain_copy(np.array([AlwaysEqual()], dtype=object)), Unreadable)
    assert plain_copy(np.array([1, 2.5], dtype=object)).dtype == float
    assert isinstance(plain_copy(range(10**9)), Unreadable)
    assert isinstance(plain_copy([0] * 20_000), Unreadable)


def test_readers_refuse_what_is_not_a_number():
    for bad in (True, "3", [3], np.array([1.0, 2.0]), AlwaysEqual(), 3 + 1j):
        with pytest.raises(Refused):
            read_number(bad)
    assert read_number(np.array([[2.5]])) == 2.5 and read_number(lying_float(1.5, 9.0)) == 1.5
    with pytest.raises(Refused, match="far larger"):
        read_array(np.broadcast_to(0.0, (10**9,)), 3)
    with pytest.raises(Refused):
        read_array(np.array([AlwaysEqual()], dtype=object))


FIRST_CHECK_IN_A_NEW_PROCESS = {
    "relu from np.empty_like": (
        "ch01.q5",
        "def answer(x):\n    out = np.empty_like(x); out[x > 0] = x[x > 0]; return out",
    ),
    "relu from np.empty_like, written over lines": (
        "ch01.q5",
        "def answer(x):\n    out = np.empty_like(x)\n    out[x > 0] = x[x > 0]\n    return out",
    ),
    "average pool never writing the last channel": (
        "ch03.q9",
        "def answer(x):\n    out = np.empty(x.shape[-1]); out[:-1] = x.mean(axis=(0, 1))[:-1]\n"
        "    return out",
    ),
    "average pool from np.empty": ("ch03.q9", "answer = lambda x: np.empty(x.shape[-1])"),
}


@pytest.mark.parametrize("case", sorted(FIRST_CHECK_IN_A_NEW_PROCESS))
def test_an_uninitialised_answer_is_incorrect_as_the_first_check_of_a_new_process(case, tmp_path):
    # Memory fresh from the system is zero: in a new kernel the first two were right by luck
    # (zeros where ReLU's zeros belong) before call_student filled freed blocks with NaN.
    import os
    import subprocess
    import sys

    name, code = FIRST_CHECK_IN_A_NEW_PROCESS[case]
    chapter, problem = name.split(".")
    script = (
        "import numpy as np\n"
        f"from cnnkit.exercises import {chapter}\n"
        f"{code}\n"
        f"print({chapter}.{problem}.check(answer).status)\n"
    )
    environment = {**os.environ, "CNNKIT_HOME": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=True
    )
    assert done.stdout.strip() == "incorrect", done.stdout + done.stderr
