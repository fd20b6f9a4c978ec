"""Proofs of the exercise system, for every chapter that has exercises.

- the solution notebook passes every check;
- the student notebook runs top to bottom and every check says "not attempted";
- every problem has typical wrong answers, and each gets its specific message;
- garbage answers give "incorrect" with a readable message, never an exception;
- personal problems (numbers from the student's seed) are right for several seeds, never accept
  the chapter's worked example, and name their typical mistakes;
- messages name generic mistakes and never reveal the expected value.
"""

import importlib
import json
import math
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from cnnkit import exercises
from cnnkit.authoring import notebooks
from cnnkit.authoring.notebooks import EXERCISE_DIR, SOLUTION_DIR
from cnnkit.exercises import chapters, core
from tests.notebook_exec import run_cells_in_process

CHAPTERS = chapters()
ROOT = Path(__file__).resolve().parents[1]


def chapter_of(name):
    return importlib.import_module(f"cnnkit.exercises.{name}").CHAPTER


def checks_made_by(path):
    """Run the notebook in this process and return every Result its checks produced, in order
    (the package keeps no log of its own: the test wraps ``Problem.check`` while it runs)."""
    results = []
    original_check = core.Problem.check

    def logged_check(problem, *args, **kwargs):
        result = original_check(problem, *args, **kwargs)
        results.append(result)
        return result

    core.Problem.check = logged_check
    try:
        run_cells_in_process(path)
    finally:  # a solution notebook marks its checks as solution views; undo it for later tests
        core.Problem.check = original_check
        for name in CHAPTERS:
            for problem in chapter_of(name).problems:
                problem._checks_are_solution_views = False
    return results


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


# --- personal numbers: problems that would repeat a chapter's worked example --------------------

#: The chapter's worked example (its printed answer) for each personal problem: never accepted.
WORKED_EXAMPLES = {
    "ch01.q2": 230,
    "ch01.q3": 17,
    "ch01.q4": [1, 0, 1, 0, 1],
    "ch02.q2": 456,
    "ch03.q1": {"max": 3, "average": 2, "min": 1},
    "ch03.q2": 27,
    "ch04.q8": 79_680,
}
SEEDS = [0, 1, 2, 7, 123_456, "alice", "2023011234"]


def personal_problems():
    for chapter, problem in (param.values for param in all_problems()):
        if problem.personal:
            yield pytest.param(chapter, problem, id=problem.name)


def test_the_worked_example_problems_are_personal():
    assert {problem.name for _, problem in (p.values for p in personal_problems())} == set(
        WORKED_EXAMPLES
    )


@pytest.mark.parametrize("chapter, problem", list(personal_problems()))
@pytest.mark.parametrize("student", SEEDS)
def test_personal_problem_for_several_seeds(chapter, problem, student):
    exercises.seed(student)
    statement = problem.rendered_statement()
    assert "{" not in statement and "}" not in statement.replace("{'", "").replace("'}", "")
    namespace = namespace_for(chapter)
    exec(problem.solution_code, namespace)
    solution = namespace[problem.answer_name]
    assert problem.check(solution).status == core.CORRECT, str(problem.check(solution))
    worked = problem.check(WORKED_EXAMPLES[problem.name])
    assert worked.status == core.INCORRECT, (student, str(worked))
    for wrong in problem.wrong_answers:
        namespace = namespace_for(chapter)
        exec(wrong.code, namespace)
        result = problem.check(namespace[problem.answer_name])
        assert result.status == core.INCORRECT, (student, wrong.code, str(result))
        assert wrong.expect in result.message, (student, wrong.code, result.message)
    assert problem.check(...).status == core.NOT_ATTEMPTED
    assert str(problem.given) in problem.solution() or repr(problem.given) in problem.solution()


@pytest.mark.parametrize("chapter, problem", list(personal_problems()))
def test_personal_problem_over_many_seeds(chapter, problem):
    for student in range(1000, 1040):
        exercises.seed(student)
        namespace = namespace_for(chapter)
        exec(problem.solution_code, namespace)
        assert problem.check(namespace[problem.answer_name]).status == core.CORRECT, student
        assert problem.check(WORKED_EXAMPLES[problem.name]).status == core.INCORRECT, student
        for wrong in problem.wrong_answers:
            namespace = namespace_for(chapter)
            exec(wrong.code, namespace)
            result = problem.check(namespace[problem.answer_name])
            assert wrong.expect in result.message, (student, wrong.code, result.message)


@pytest.mark.parametrize("chapter, problem", list(personal_problems()))
def test_two_students_get_different_numbers(chapter, problem):
    seen = set()
    for student in ("alice", "bob", "carol"):
        exercises.seed(student)
        seen.add(repr(problem.given))
        assert problem.given == problem.given  # stable within a session
    assert len(seen) >= 2, seen


def test_the_seed_is_stored_with_the_progress_and_names_are_normalised(tmp_path, monkeypatch):
    store = importlib.import_module("cnnkit.progress_store")
    monkeypatch.setenv("CNNKIT_HOME", str(tmp_path))
    monkeypatch.setattr(store, "_memory", None)
    drawn = exercises.seed()
    assert 100_000 <= drawn < 1_000_000 and exercises.seed() == drawn
    assert json.loads((tmp_path / "progress.json").read_text())["seed"] == drawn
    env = dict(os.environ, CNNKIT_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    child = subprocess.run(
        [sys.executable, "-c", "from cnnkit import exercises; print(exercises.seed())"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert child.stdout.strip() == str(drawn), child.stderr
    assert exercises.seed("  Alice  Zhang ") == exercises.seed("alice zhang")
    with pytest.raises(TypeError, match="student number"):
        exercises.seed(1.5)
    with pytest.raises(ValueError, match="empty"):
        exercises.seed("  ")


def test_generated_notebooks_render_personal_statements_at_run_time():
    chapter = chapter_of("ch01")
    notebook = notebooks.exercise_notebook(chapter, with_solutions=False)
    sources = [cell.source for cell in notebook.cells]
    assert "ch01.q2.show()" in sources and "1,840" not in "\n".join(sources)
    assert sources[-1] == 'ck.progress("ch01")'
    solutions = notebooks.exercise_notebook(chapter, with_solutions=True)
    assert any("record_checks_as_solution_views" in cell.source for cell in solutions.cells)


# --- messages: generic mistakes named, expected values never shown ------------------------------


def spellings(value):
    """How a message could spell ``value``: 100480, 100,480, 0.105, 0.1054."""
    forms = {core._format(value), f"{value:.3f}", f"{value:.4g}"}
    if float(value).is_integer():
        forms |= {str(int(value)), f"{int(value):,}"}
    return {form for form in forms if len(form.replace("0", "").replace(".", "")) >= 2}


@pytest.mark.parametrize("chapter, problem", list(all_problems()))
def test_a_wrong_number_never_reveals_the_expected_value(chapter, problem):
    namespace = namespace_for(chapter)
    exec(problem.solution_code, namespace)
    expected = namespace[problem.answer_name]
    if isinstance(expected, bool) or not isinstance(expected, (int, float)):
        return  # functions, shapes and models: their messages may show test cases
    wrong_values = [expected * 2 + 3, expected + 7, -expected - 1, expected / 3 + 0.5, 0, 1e308]
    wrong_values += [float("nan"), float("inf")]
    for wrong in problem.wrong_answers:
        namespace = namespace_for(chapter)
        exec(wrong.code, namespace)
        wrong_values.append(namespace[problem.answer_name])
    for wrong in wrong_values:
        if isinstance(wrong, str):
            continue  # the student's own text is quoted back, even when it holds the answer
        result = problem.check(wrong)
        if result.status == core.CORRECT:
            continue  # a range answer (ch07 q10) may accept a neighbour
        assert len(result.message) < 400, result.message
        assert "too small" not in result.message or wrong == wrong  # nan is never "too small"
        for form in spellings(expected):
            assert form not in result.message, (wrong, form, result.message)


def test_generic_mistake_variants_are_named():
    variants = core.first_wins(
        core.dropped_terms({"biases": 128, "weights": 784 * 128}),
        core.per_input_bias(784 * 128, 784, 128),
        core.off_by_one(100_480),
    )
    expected = 784 * 128 + 128
    assert "without its biases" in core.check_number(784 * 128, expected, variants=variants).message
    assert "not one per input" in core.check_number(784 * 129, expected, variants=variants).message
    assert "Off by one" in core.check_number(expected + 1, expected, variants=variants).message
    rounding = core.rounding_variants(4051 / 64, rounding="ceil")
    assert "Floor vs ceil" in core.check_number(63, 64, variants=rounding).message
    assert "must be rounded" in core.check_number(4051 / 64, 64, variants=rounding).message
    logs = core.log_base_variants(lambda log: -log(0.9), base="e")
    message = core.check_number(-math.log10(0.9), -math.log(0.9), abs_tol=1e-4, variants=logs)
    assert "log10" in message.message and "natural" in message.message
    swapped = core.swapped_arguments(lambda w, f, s: (w - f) // s + 1, (55, 3, 2), 1, 2, "F and S")
    assert "exchanged F and S" in core.check_number(18, 27, variants=swapped).message


def test_nan_huge_and_quoted_answers_get_sensible_messages():
    assert "not a finite number" in core.check_number(float("nan"), 230).message
    assert "too small" not in core.check_number(float("nan"), 230).message
    huge = core.check_number(1e308, 230)
    assert len(huge.message) < 80 and "1e+308" in huge.message
    quoted = core.Problem("t", "s", "answer = ...", "answer = 1", lambda a: core.check_number(a, 1))
    assert "write 230, not '230'" in quoted.check("230").message
    assert "'28'" not in quoted.check("230").message


def test_a_keras_error_reaches_the_student_without_colour_codes():
    def student(x):
        raise ValueError("\x1b[1mInvalid input shape\x1b[0m for layer \x1b[31m'dense'\x1b[0m")

    problem = core.Problem(
        "t", "s", "f = ...", "f = 1", lambda f: core.call_student(f, 1), answer_name="f"
    )
    message = problem.check(student).message
    assert "\x1b" not in message and "Invalid input shape for layer 'dense'" in message


class ClaimsAHugeLength:
    def __len__(self):
        return 10**9

    def __getitem__(self, index):
        if index >= 10**9:
            raise IndexError(index)
        return 0.0


def test_an_object_claiming_a_huge_length_is_rejected_before_conversion():
    started = time.process_time()
    result = core.check_array(ClaimsAHugeLength(), np.zeros(5))
    assert time.process_time() - started < 0.5
    assert result.status == core.INCORRECT and "(1000000000,)" in result.message
    nested = [[0.0] * 3, ClaimsAHugeLength()]
    assert core.check_array(nested, np.zeros((2, 3))).status == core.INCORRECT


def test_status_symbols_need_no_emoji_font():
    symbols = {core._STYLE[status][0] for status in core.STATUSES}
    assert all(ord(symbol) < 0x2800 for symbol in symbols), symbols  # no emoji planes
    assert str(core.correct()).startswith("✓")


def test_chapter_02_problem_4_names_the_layer_once():
    problem = chapter_of("ch02").problems[3]
    message = problem.check([(26, 26, 8), (13, 13, 8), (11, 11, 16), (5, 5, 16)]).message
    assert message.startswith("Layer 3: ") and "Layer 3: Layer 3" not in message


@pytest.mark.parametrize("rate", [0.003, 0.005, 0.01, 0.02, 0.03, 0.05])
def test_chapter_07_range_test_accepts_what_its_reasoning_allows(rate):
    problem = chapter_of("ch07").problems[9]
    assert "0.003 to 0.05" in problem.statement
    result = problem.check(rate)
    assert result.status == core.CORRECT and "0.003 to 0.05" in result.message


@pytest.mark.parametrize("chapter, problem", list(all_problems()))
def test_an_answer_claiming_a_huge_length_is_rejected_quickly(chapter, problem):
    huge = ClaimsAHugeLength()
    answer = (lambda *args, **kwargs: huge) if problem.answer_name != "answer" else huge
    problem.check((lambda *args, **kwargs: 3) if problem.answer_name != "answer" else 3)  # imports
    started = time.process_time()  # CPU time: robust to a busy machine
    result = problem.check(answer)
    assert result.status == core.INCORRECT, str(result)
    assert time.process_time() - started < 5, f"{problem.name} converted a huge object"
