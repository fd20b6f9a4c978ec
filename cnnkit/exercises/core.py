"""The exercise checker: problems, results that teach, hints one at a time, solutions on request.

A chapter module (``cnnkit/exercises/ch01.py``) builds ``Problem`` objects and one ``Chapter``;
the notebooks in ``exercises/`` are generated from them. Checking never raises: wrong types,
wrong shapes, ``None`` and exceptions inside a student's function all become an "incorrect"
result with a readable message.

This module imports no TensorFlow, so checking stays instant.
"""

from __future__ import annotations

import html
import math
import numbers
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"
STATUSES = (CORRECT, INCORRECT, NOT_ATTEMPTED)

#: Every result produced in this process, in order; the exercise-system tests read it.
CHECK_LOG: list[Result] = []

# Symbols that ordinary fonts carry (the CJK font the kit installs has ✓ and ✗); emoji would
# render as empty boxes where no emoji font is installed.
_STYLE = {
    CORRECT: ("✓", "#e6f4ea", "#1e7e34"),
    INCORRECT: ("✗", "#fdecea", "#b02a37"),
    NOT_ATTEMPTED: ("○", "#f1f3f4", "#5f6368"),
}


@dataclass(frozen=True)
class Result:
    """Outcome of one check: ``status`` is "correct", "incorrect" or "not attempted"."""

    status: str
    message: str
    problem: str = ""

    def __post_init__(self):
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    def __bool__(self) -> bool:
        return self.status == CORRECT

    def __str__(self) -> str:
        icon = _STYLE[self.status][0]
        where = f" {self.problem}" if self.problem else ""
        return f"{icon} [{self.status}]{where}: {self.message}"

    __repr__ = __str__

    def _repr_html_(self) -> str:
        icon, background, colour = _STYLE[self.status]
        where = f"<b>{html.escape(self.problem)}</b> " if self.problem else ""
        message = html.escape(self.message).replace("\n", "<br>")
        return (
            f'<div style="background:{background};color:{colour};border-left:4px solid {colour};'
            f'padding:6px 10px;margin:4px 0;font-family:sans-serif">{icon} {where}'
            f"<b>{self.status}</b>: {message}</div>"
        )


def correct(message: str = "Well done.") -> Result:
    return Result(CORRECT, message)


def incorrect(message: str) -> Result:
    return Result(INCORRECT, message)


def not_attempted(
    message: str = "Replace the ... with your answer, then run this cell again.",
) -> Result:
    return Result(NOT_ATTEMPTED, message)


class StudentCodeError(Exception):
    """Raised by :func:`call_student` when the student's function fails; becomes an 'incorrect' result."""


def call_student(function: Callable, *args, **kwargs):
    """Call a student's function; its exceptions become a readable StudentCodeError.

    ``NotImplementedError`` passes through: it means the starter code is still in place.
    """
    if not callable(function):
        raise StudentCodeError(
            f"Expected a function, got {type(function).__name__} {_short(function)}. "
            "Define it with `def ...` in the cell above and run that cell."
        )
    try:
        return function(*args, **kwargs)
    except NotImplementedError:
        raise
    except Exception as error:  # the student's bug, reported without the checker's frames
        frames = traceback.extract_tb(error.__traceback__)[1:]
        line = f" (line {frames[-1].lineno}: {frames[-1].line})" if frames else ""
        raise StudentCodeError(
            f"Your function raised {type(error).__name__}: {error}{line}."
        ) from None


def _short(value, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def is_blank(answer) -> bool:
    """True for the starter placeholder: ``...`` (Ellipsis), None, or a container of nothing but ``...``."""
    if answer is Ellipsis or answer is None:
        return True
    if isinstance(answer, dict) and answer:
        return all(value is Ellipsis for value in answer.values())
    if isinstance(answer, (list, tuple)) and answer:
        return all(value is Ellipsis for value in answer)
    return False


def as_number(answer, *, what: str = "a number"):
    """Convert a student's answer to a float or raise StudentCodeError that says what was expected."""
    if isinstance(answer, bool) or not isinstance(answer, (numbers.Number, np.number)):
        if isinstance(answer, np.ndarray) and answer.size == 1:
            return float(answer.reshape(-1)[0])
        if isinstance(answer, str):
            hint = " Remove the quotes: write 28, not '28'." if _looks_numeric(answer) else ""
            raise StudentCodeError(f"Expected {what}, got the text {answer!r}.{hint}")
        raise StudentCodeError(f"Expected {what}, got {type(answer).__name__} {_short(answer)}.")
    value = complex(answer)
    if value.imag:
        raise StudentCodeError(f"Expected a real number, got {answer!r}.")
    return float(value.real)


def _looks_numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_number(
    answer,
    expected: float,
    *,
    mistakes: dict | None = None,
    rel_tol: float = 0.0,
    abs_tol: float = 0.0,
    integer: bool = False,
    unit: str = "",
    success: str = "Correct.",
) -> Result:
    """Compare a numeric answer to ``expected``; ``mistakes`` maps typical wrong values to teaching messages."""
    value = as_number(answer, what="an integer" if integer else "a number")
    if integer and not float(value).is_integer():
        return incorrect(f"{answer} is not a whole number; sizes and counts are integers.")
    if math.isclose(value, expected, rel_tol=rel_tol, abs_tol=abs_tol):
        return correct(success)
    for wrong_value, message in (mistakes or {}).items():
        if math.isclose(value, wrong_value, rel_tol=max(rel_tol, 1e-9), abs_tol=abs_tol):
            return incorrect(message)
    direction = "too large" if value > expected else "too small"
    suffix = f" {unit}" if unit else ""
    return incorrect(f"{_format(value)}{suffix} is {direction}. Recheck each term of the formula.")


def _format(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:.6g}"


def check_array(
    answer,
    expected,
    *,
    atol: float = 1e-6,
    rtol: float = 1e-5,
    name: str = "your result",
    mistakes: Sequence[tuple[object, str]] = (),
    success: str = "Correct.",
) -> Result:
    """Compare an array answer with ``expected``: type, shape, then values; ``mistakes`` are (array, message)."""
    expected = np.asarray(expected)
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise StudentCodeError(
            f"Expected an array of numbers, got {type(answer).__name__} {_short(answer)}."
        ) from None
    if array.shape != expected.shape:
        return incorrect(
            f"{name} has shape {array.shape}, expected {expected.shape}. "
            "Check which axis you reduce over and whether you kept the batch dimension."
        )
    if np.isnan(array).any() and not np.isnan(expected).any():
        return incorrect(f"{name} contains NaN: an overflow or a division by zero?")
    if np.allclose(array, expected, atol=atol, rtol=rtol):
        return correct(success)
    for wrong, message in mistakes:
        wrong = np.asarray(wrong)
        if wrong.shape == array.shape and np.allclose(array, wrong, atol=atol, rtol=rtol):
            return incorrect(message)
    worst = np.unravel_index(np.argmax(np.abs(array - expected)), expected.shape)
    return incorrect(
        f"{name} differs from the expected values; the largest difference is at index "
        f"{tuple(int(i) for i in worst)}: got {array[worst]:.6g}, expected {expected[worst]:.6g}."
    )


@dataclass
class WrongAnswer:
    """A typical mistake: ``code`` assigns the answer name; the check must say ``expect`` (a substring)."""

    code: str
    expect: str


@dataclass
class Problem:
    """One exercise: statement, starter and solution code, hints and a check.

    ``checker(answer)`` returns a Result (or raises StudentCodeError); blank answers, a starter
    function that still raises NotImplementedError, and checker crashes are handled here.
    """

    title: str
    statement: str
    starter: str
    solution_code: str
    checker: Callable
    hints: Sequence[str] = ()
    explanation: str = ""
    answer_name: str = "answer"
    wrong_answers: Sequence[WrongAnswer] = ()
    name: str = field(default="", init=False)
    _hints_shown: int = field(default=0, init=False, repr=False)

    def check(self, answer=Ellipsis) -> Result:
        """Check an answer: 'correct', 'incorrect' with a message that teaches, or 'not attempted'."""
        result = self._evaluate(answer)
        result = Result(result.status, result.message, self.name)
        CHECK_LOG.append(result)
        self._record("check", result.status)
        return result

    def _record(self, event: str, status: str | None = None) -> None:
        """Keep the event in the student's progress file (never fails a check)."""
        chapter, _, item = self.name.partition(".")
        if not item:
            return  # a problem outside a chapter: nothing to file it under
        from cnnkit.progress import record

        try:
            record(event, chapter, item, status)
        except Exception as error:  # progress is a convenience; checking must go on
            print(f"cnnkit progress: not recorded ({type(error).__name__}: {error}).")

    def _evaluate(self, answer) -> Result:
        if is_blank(answer):
            return not_attempted()
        try:
            result = self.checker(answer)
        except NotImplementedError:
            return not_attempted("Your function still raises NotImplementedError: write its body.")
        except StudentCodeError as error:
            return incorrect(str(error))
        except Exception as error:  # a checker must never show students a traceback
            return incorrect(
                f"Could not check this answer ({type(error).__name__}: {error}). "
                "Is it the kind of value the problem asks for?"
            )
        if isinstance(result, Result):
            return result
        raise TypeError(f"checker of {self.name} returned {result!r}, not a Result")

    def hint(self):
        """Show the next hint (one more each call)."""
        if not self.hints:
            text = "No hints for this one; `.solution()` shows the answer."
        elif self._hints_shown < len(self.hints):
            number = self._hints_shown + 1
            text = f"Hint {number}/{len(self.hints)}: {self.hints[self._hints_shown]}"
            self._hints_shown += 1
            self._record("hint")
        else:
            text = f"No more hints. `{self.name}.solution()` shows the answer."
        return Markdown(text)

    def solution(self):
        """Show the solution code and its explanation."""
        text = f"**Solution of {self.name}**\n\n```python\n{self.solution_code.strip()}\n```"
        if self.explanation:
            text += f"\n\n{self.explanation}"
        self._record("solution")
        return Markdown(text)


class Markdown(str):
    """A string that notebooks render as Markdown and terminals print as text."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


@dataclass
class Chapter:
    """The problems of one chapter and what its generated notebooks need."""

    number: int
    slug: str
    title: str
    introduction: str
    problems: Sequence[Problem]
    preamble: str = ""

    def __post_init__(self):
        if not self.problems:
            raise ValueError(f"chapter {self.slug} has no problems")
        for index, problem in enumerate(self.problems, start=1):
            problem.name = f"{self.module_name}.q{index}"

    @property
    def module_name(self) -> str:
        return f"ch{self.number:02d}"
