"""Attack suite, exercise checkers: no garbage is ever "correct", crashes a check or floods the page.

Every problem of every chapter gets hypothesis-generated garbage and a list of known-nasty
answers. The rules: the status is "incorrect" or "not attempted" (never "correct"), the check
returns (never raises), and the message is plain text under 300 characters (no terminal colour
codes) that does not reveal the expected value.
"""

from __future__ import annotations

import importlib
import math
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
    if isinstance(answer, float) and math.isfinite(answer):
        return  # a finite number might be the right answer of a numeric problem
    if isinstance(answer, (int, np.integer)) and not isinstance(answer, bool):
        return
    assert_safe(problem, answer)


@pytest.mark.parametrize("problem", all_problems())
def test_a_string_answer_is_quoted_back(problem):
    result = problem.check("230")
    if result.status == "incorrect" and "string" in result.message.lower():
        assert "'230'" in result.message or '"230"' in result.message, result.message
