"""Proofs of the exercise system, for every chapter that has exercises.

- the solution notebook passes every check;
- the student notebook runs top to bottom and every check says "not attempted";
- every problem has typical wrong answers, and each gets its specific message;
- garbage answers give "incorrect" with a readable message, never an exception.
"""

import importlib

import pytest

from cnnkit.authoring.notebooks import EXERCISE_DIR, SOLUTION_DIR
from cnnkit.exercises import chapters, core
from tests.notebook_exec import run_cells_in_process

CHAPTERS = chapters()


def chapter_of(name):
    return importlib.import_module(f"cnnkit.exercises.{name}").CHAPTER


def checks_made_by(path):
    start = len(core.CHECK_LOG)
    run_cells_in_process(path)
    return core.CHECK_LOG[start:]


def test_chapters_have_exercises():
    assert "ch01" in CHAPTERS


@pytest.mark.parametrize("name", CHAPTERS)
def test_solution_notebook_passes_every_check(name):
    chapter = chapter_of(name)
    results = checks_made_by(SOLUTION_DIR / f"{chapter.slug}.ipynb")
    assert [result.problem for result in results] == [problem.name for problem in chapter.problems]
    failing = [str(result) for result in results if result.status != core.CORRECT]
    assert not failing, failing


@pytest.mark.parametrize("name", CHAPTERS)
def test_student_notebook_runs_and_every_check_is_not_attempted(name):
    chapter = chapter_of(name)
    results = checks_made_by(EXERCISE_DIR / f"{chapter.slug}.ipynb")
    assert len(results) == len(chapter.problems)
    assert {result.status for result in results} == {core.NOT_ATTEMPTED}, [str(r) for r in results]


def all_problems():
    for name in CHAPTERS:
        chapter = chapter_of(name)
        for problem in chapter.problems:
            yield pytest.param(chapter, problem, id=problem.name)


def namespace_for(chapter):
    """What the notebook's first cells give: the chapter's preamble and its module (``ch01``)."""
    namespace = {}
    exec(chapter.preamble, namespace)
    exec(f"from cnnkit.exercises import {chapter.module_name}", namespace)
    return namespace


@pytest.mark.parametrize("chapter, problem", list(all_problems()))
def test_typical_wrong_answers_get_their_specific_message(chapter, problem):
    assert problem.wrong_answers, f"{problem.name} has no typical wrong answer"
    assert problem.hints, f"{problem.name} has no hint"
    for wrong in problem.wrong_answers:
        namespace = namespace_for(chapter)
        exec(wrong.code, namespace)
        result = problem.check(namespace[problem.answer_name])
        assert result.status == core.INCORRECT, (wrong.code, str(result))
        assert wrong.expect in result.message, (wrong.code, result.message)


@pytest.mark.parametrize("chapter, problem", list(all_problems()))
def test_solution_code_is_correct_and_blank_is_not_attempted(chapter, problem):
    namespace = namespace_for(chapter)
    exec(problem.solution_code, namespace)
    assert problem.check(namespace[problem.answer_name]).status == core.CORRECT
    assert problem.check(...).status == core.NOT_ATTEMPTED
    assert problem.check(None).status == core.NOT_ATTEMPTED
    namespace = namespace_for(chapter)
    exec(problem.starter, namespace)
    assert problem.check(namespace[problem.answer_name]).status == core.NOT_ATTEMPTED


def _raises(*args, **kwargs):
    raise ZeroDivisionError("division by zero")


GARBAGE = ["abc", [1, "x"], {"a": 1}, object(), float("nan"), -1, 10**9, _raises, (lambda: None)]


@pytest.mark.parametrize("chapter, problem", list(all_problems()))
def test_garbage_gives_a_readable_incorrect(chapter, problem):
    for garbage in GARBAGE:
        result = problem.check(garbage)
        assert result.status == core.INCORRECT, (problem.name, garbage, str(result))
        assert result.message and "Traceback" not in result.message


@pytest.mark.parametrize("chapter, problem", list(all_problems()))
def test_hints_come_one_at_a_time_then_the_solution(chapter, problem):
    problem._hints_shown = 0
    shown = [problem.hint() for _ in problem.hints]
    assert [f"Hint {i + 1}/" in text for i, text in enumerate(shown)] == [True] * len(shown)
    assert "No more hints" in problem.hint()
    assert problem.solution_code.strip().splitlines()[0] in problem.solution()
    problem._hints_shown = 0
