"""Attack suite, exercise checkers: no garbage is ever "correct", crashes a check or floods the page.

Every problem of every chapter gets hypothesis-generated garbage, a list of known-nasty answers
and a generated hostile-answer suite (tests/hostile_answers.py: liars at every leaf of the right
answer in random nesting depths, lying containers, huge objects, uninitialised arrays, functions
that return them or raise SystemExit/KeyboardInterrupt; more than 20,000 answers in all), and the
Keras model problems get wrong models that keep the output shape and parameter count
(tests/model_variants.py). The rules: the status is "incorrect" or "not attempted" (never
"correct"), the check returns (never raises), and the message is plain text under 300 characters
(no terminal colour codes) that does not reveal the expected value.
"""

from __future__ import annotations

import importlib
import math
import random
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnkit.exercises import ch04, core
from tests import hostile_answers as hostile
from tests import model_variants

pytestmark = pytest.mark.attack

CHAPTER_MODULES = [f"cnnkit.exercises.ch{number:02d}" for number in range(1, 8)]
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")


def all_problems():
    for module_name in CHAPTER_MODULES:
        chapter = importlib.import_module(module_name).CHAPTER
        for problem in chapter.problems:
            yield pytest.param(problem, id=problem.name)


class Liar:
    """An object that claims absurd things about itself."""

    def __len__(self):
        return 10**9

    def __getitem__(self, index):
        raise IndexError(index)

    def __eq__(self, other):
        return True

    def __hash__(self):
        return 0


def raising_function(*args, **kwargs):
    raise RuntimeError("\x1b[31mboom\x1b[0m")


NASTY = [
    float("nan"),
    float("inf"),
    -float("inf"),
    1e308,
    -1e308,
    10**400,
    "230",
    "twenty-eight",
    "",
    " " * 5,
    "x" * 100_000,
    b"\x00\xff",
    [],
    [[]],
    {},
    set(),
    (1, 2, 3),
    np.zeros((0,)),
    np.full((3, 3), np.nan),
    np.ones((2000, 2000)),
    Liar(),
    raising_function,
    lambda *args, **kwargs: None,
    object(),
    True,
    False,
    0,
    -1,
    3 + 4j,
]

GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=30),
    st.lists(st.floats(), max_size=5),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
    st.sampled_from(NASTY),
)


def assert_safe(problem, answer):
    result = problem.check(answer)
    assert result.status in {"incorrect", "not attempted"}, (
        f"{problem.name}: {answer!r:.60} was judged {result.status}"
    )
    message = result.message
    assert isinstance(message, str) and len(message) < 300, (
        f"{problem.name}: message of {len(message)} characters for {answer!r:.60}"
    )
    assert not ANSI_ESCAPE.search(message), f"{problem.name}: terminal colour codes in the message"
    assert "nan is too" not in message.lower()
    return result


@pytest.mark.parametrize("problem", all_problems())
def test_nasty_answers_are_never_correct_and_get_short_messages(problem):
    for answer in NASTY:
        assert_safe(problem, answer)


@pytest.mark.parametrize("problem", all_problems())
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(answer=GARBAGE)
def test_random_garbage_is_never_correct(problem, answer):
    # A finite number (or an int) may be the right answer of a numeric problem: it may then be
    # judged correct, but only when it is (close to) the problem's right answer.
    result = problem.check(answer)
    right = right_answer(problem)
    assert result.status != "correct" or close_to(answer, right), (
        f"{problem.name}: {answer!r:.60} was judged correct (right answer {right!r:.60})"
    )
    assert len(result.message) < 300 and not ANSI_ESCAPE.search(result.message)


@pytest.mark.parametrize("problem", all_problems())
def test_a_string_answer_is_quoted_back_or_the_expected_kind_named(problem):
    result = problem.check("230")
    assert result.status == "incorrect", str(result)
    assert "'230'" in result.message or result.message.startswith("Expected"), result.message


# --- the generated hostile-answer suite ------------------------------------------------------
# Every answer below is wrong (see tests/hostile_answers.py): liars at every leaf of the right
# answer in random nesting depths, uninitialised arrays, lying containers, huge objects, functions
# that return them or raise SystemExit/KeyboardInterrupt, and wrong Keras models. Recording
# progress is switched off for these checks: 20,000 progress-file writes would dominate the
# run, and recording is proven in tests/test_progress.py (a check never depends on it).

#: Hostile values per leaf of a value problem's right answer (random leaf kind and nesting depth).
PER_LEAF = 128
#: Hostile functions per function problem (NumPy problems; the Keras ones get fewer, they build models).
PER_FUNCTION_PROBLEM = {"default": 420, "ch04.q2": 45, "ch04.q3": 45, "ch06.q5": 40}
#: At least this many hostile answers in all (issue 30's bar).
MINIMUM_HOSTILE_ANSWERS = 20_000


@pytest.fixture(autouse=True)
def no_progress_recording(monkeypatch):
    monkeypatch.setattr(core.Problem, "_record", lambda *args, **kwargs: None)


def chapter_of(problem):
    return importlib.import_module(f"cnnkit.exercises.{problem.name.partition('.')[0]}").CHAPTER


def right_answer(problem):
    """The problem's right answer: its solution code run in the notebook's namespace."""
    chapter = chapter_of(problem)
    namespace = {}
    exec(chapter.preamble, namespace)
    exec(f"from cnnkit.exercises import {chapter.module_name}", namespace)
    exec(problem.solution_code, namespace)
    return namespace[problem.answer_name]


def close_to(answer, right) -> bool:
    """True when a plain number (or a list of them) is within 1e-6 (relative) of the right one."""
    numeric = (int, float, np.integer, np.floating)
    if isinstance(answer, (list, tuple)) and isinstance(right, (list, tuple)):
        return len(answer) == len(right) and all(map(close_to, answer, right))
    if not isinstance(answer, numeric) or not isinstance(right, numeric):
        return False
    return math.isclose(float(answer), float(right), rel_tol=1e-6, abs_tol=1e-9)


def generated_answers(problem) -> list:
    rng = random.Random(problem.name)
    right = right_answer(problem)
    if callable(right):
        count = PER_FUNCTION_PROBLEM.get(problem.name, PER_FUNCTION_PROBLEM["default"])
        if problem.name.startswith("ch04") or problem.name == "ch06.q5":
            return hostile.function_answers(None, rng, count)  # no hostile leaf of a model
        return hostile.function_answers(right, rng, count)
    return hostile.value_answers(right, rng, PER_LEAF)


@pytest.mark.parametrize("problem", all_problems())
def test_generated_hostile_answers_are_never_correct(problem):
    for answer in generated_answers(problem):
        assert_safe(problem, answer)


def test_the_generated_suite_holds_at_least_20000_hostile_answers():
    problems = [param.values[0] for param in all_problems()]
    counts = {problem.name: len(generated_answers(problem)) for problem in problems}
    assert len(counts) == 68
    assert min(counts.values()) >= 30, counts
    assert sum(counts.values()) >= MINIMUM_HOSTILE_ANSWERS, sum(counts.values())


@pytest.mark.parametrize("variant", sorted(model_variants.VGG_WRONG))
def test_wrong_vgg_blocks_are_refused_naming_the_difference(variant):
    code, named = model_variants.VGG_WRONG[variant]
    namespace = {"keras": keras_module()}
    exec(code, namespace)
    result = ch04.q2.check(namespace["vgg_block"])
    assert result.status == "incorrect", str(result)
    assert named in result.message, result.message


@pytest.mark.parametrize("variant", sorted(model_variants.RESIDUAL_WRONG))
def test_wrong_residual_blocks_are_refused_naming_the_difference(variant):
    code, named = model_variants.RESIDUAL_WRONG[variant]
    namespace = {"keras": keras_module()}
    exec(code, namespace)
    result = ch04.q3.check(namespace["residual_block"])
    assert result.status == "incorrect", str(result)
    assert named in result.message, result.message


@pytest.mark.parametrize(
    "problem, name, code",
    [("q2", "vgg_block", code) for code in model_variants.VGG_RIGHT.values()]
    + [("q3", "residual_block", code) for code in model_variants.RESIDUAL_RIGHT.values()],
)
def test_right_models_written_differently_are_accepted(problem, name, code):
    namespace = {"keras": keras_module()}
    exec(code, namespace)
    for _ in range(2):  # fresh random weights and inputs each check
        result = getattr(ch04, problem).check(namespace[name])
        assert result.status == "correct", str(result)


#: Random wrong models per model problem (each check builds Keras models: about 0.1 s).
RANDOM_WRONG_MODELS = 40


@pytest.mark.parametrize(
    "problem, name, make",
    [
        ("q2", "vgg_block", model_variants.random_wrong_vgg),
        ("q3", "residual_block", model_variants.random_wrong_residual),
    ],
)
def test_random_wrong_models_are_never_correct(problem, name, make):
    rng = random.Random(f"wrong {problem}")
    for _ in range(RANDOM_WRONG_MODELS):
        code = make(rng)
        namespace = {"keras": keras_module()}
        exec(code, namespace)
        result = getattr(ch04, problem).check(namespace[name])
        assert result.status == "incorrect", (code, str(result))
        assert 0 < len(result.message) < 300


def test_at_least_ten_wrong_variants_per_model_problem():
    assert len(model_variants.VGG_WRONG) >= 10 and len(model_variants.RESIDUAL_WRONG) >= 10


def keras_module():
    import keras

    return keras
