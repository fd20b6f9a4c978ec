"""The exercise checker: problems, results that teach, hints one at a time, solutions on request.

A chapter module (``cnnkit/exercises/ch01.py``) builds ``Problem`` objects and one ``Chapter``;
the notebooks in ``exercises/`` are generated from them. Checking never raises: wrong types,
wrong shapes, ``None`` and exceptions inside a student's function all become an "incorrect"
result with a readable message.

This module imports no TensorFlow, so checking stays instant.
"""

from __future__ import annotations

import hashlib
import html
import math
import numbers
import re
import secrets
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from cnnkit.exercises.strict import Refused, Unreadable, plain_copy, read_array, read_number

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not attempted"
STATUSES = (CORRECT, INCORRECT, NOT_ATTEMPTED)

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


def dirty_freed_memory(*like, copies: int = 8) -> None:
    """Leave NaN in the memory NumPy hands out next for arrays the size of each of ``like``.

    Memory fresh from the system is zero, so in a new kernel an answer built on ``np.empty`` can
    be right by luck where the right values are zeros (ReLU of negative inputs). NumPy (and the C
    allocator) hand a freed block of the same size out first: allocating and freeing NaN-filled
    blocks makes such an answer NaN, which no check accepts.
    """
    blocks = [np.full(np.shape(array), np.nan) for array in like for _ in range(copies)]
    del blocks


def call_student(
    function: Callable, *args, plain_result: bool = True, output_like: Sequence = (), **kwargs
):
    """Call a student's function; its exceptions become a readable StudentCodeError.

    ``NotImplementedError`` passes through: it means the starter code is still in place.
    The result is a :func:`~cnnkit.exercises.strict.plain_copy` (liars and huge objects replaced
    by markers that equal nothing) unless ``plain_result=False`` (a Keras model or tensor).
    Before the call, blocks the size of each array argument and of each of ``output_like`` (the
    expected outputs) are filled with NaN and freed (:func:`dirty_freed_memory`).
    """
    if not callable(function):
        raise StudentCodeError(
            f"Expected a function, got {type(function).__name__} {_short(function)}. "
            "Define it with `def ...` in the cell above and run that cell."
        )
    dirty_freed_memory(*(a for a in args if isinstance(a, np.ndarray)), *output_like)
    try:
        result = function(*args, **kwargs)
        return plain_copy(result) if plain_result else result
    except NotImplementedError:
        raise
    except (SystemExit, KeyboardInterrupt) as error:  # exit() or an interrupt inside the function
        raise StudentCodeError(
            f"Your function raised {type(error).__name__}: it must return its result, "
            "not stop the program."
        ) from None
    except Exception as error:  # the student's bug, reported without the checker's frames
        frames = traceback.extract_tb(error.__traceback__)[1:]
        line = f" (line {frames[-1].lineno}: {frames[-1].line})" if frames else ""
        raise StudentCodeError(
            f"Your function raised {type(error).__name__}: {plain(error)}{line}."
        ) from None


#: Longest message a wrong or missing answer gets (docs/RELIABILITY.md promises under 300).
MESSAGE_LIMIT = 299

_ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def plain(text, limit: int = 400) -> str:
    """``text`` without terminal colour codes (Keras colours its errors), cut to ``limit`` characters."""
    try:
        text = str(text)
    except BaseException:  # a student's exception whose __str__ fails
        text = f"<{type(text).__name__}>"
    text = _ANSI_ESCAPE.sub("", text[: 10 * limit]).strip()
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _short(value, limit: int = 60) -> str:
    try:
        text = repr(value)
    except BaseException:  # a student's object whose __repr__ fails (or calls exit())
        text = f"<{type(value).__name__} object>"
    text = plain(text, limit=10 * limit)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_CHECKS_MADE: dict[str, int] = {}


def fresh_generator(key: str) -> np.random.Generator:
    """A NumPy generator for one check of ``key`` (a problem's name): the n-th check of a session
    draws from the seed (key, n), so every check gets fresh inputs (a result left in freed memory by
    an earlier check never matches) and a session's checks are reproducible."""
    count = _CHECKS_MADE.get(key, 0)
    _CHECKS_MADE[key] = count + 1
    return np.random.default_rng([_stable_number(key), count])


def is_blank(answer) -> bool:
    """True for the starter placeholder: ``...`` (Ellipsis), None, or a container of nothing but ``...``."""
    if answer is Ellipsis or answer is None:
        return True
    # read through the base types: a subclass's __len__ or .values() may raise or lie
    if isinstance(answer, dict):
        values = list(dict.values(answer))
    elif isinstance(answer, list):
        values = [list.__getitem__(answer, i) for i in range(min(list.__len__(answer), 100))]
    elif isinstance(answer, tuple):
        values = [tuple.__getitem__(answer, i) for i in range(min(tuple.__len__(answer), 100))]
    else:
        return False
    return bool(values) and all(value is Ellipsis for value in values)


def as_number(answer, *, what: str = "a number"):
    """Convert a student's answer to a plain float or raise StudentCodeError saying what was expected.

    The value is read through :func:`cnnkit.exercises.strict.read_number`: a lying ``int`` or
    ``float`` subclass, an object array or a liar inside a one-element array are never trusted.
    """
    if isinstance(answer, Unreadable):
        raise StudentCodeError(f"Expected {what}, got {answer.description}.")
    if isinstance(answer, bool) or not isinstance(answer, (numbers.Number, np.number)):
        if isinstance(answer, np.ndarray) and answer.size == 1:
            try:
                return float(read_number(answer, what=what))
            except Refused as error:
                raise StudentCodeError(str(error)) from None
        if isinstance(answer, str):
            text = _short(answer)
            hint = ""
            if _looks_numeric(answer):
                hint = f" Remove the quotes: write {plain(answer.strip(), 40)}, not {text}."
            raise StudentCodeError(f"Expected {what}, got the text {text}.{hint}")
        raise StudentCodeError(f"Expected {what}, got {type(answer).__name__} {_short(answer)}.")
    try:
        return float(read_number(answer, what=what))
    except Refused as error:
        raise StudentCodeError(str(error)) from None
    except OverflowError:  # an int with hundreds of digits
        return math.inf if answer > 0 else -math.inf


def as_integer(answer, *, what: str = "an integer") -> int:
    """A whole number read strictly (2.7 is refused, never truncated to 2), else StudentCodeError."""
    value = as_number(answer, what=what)
    if not math.isfinite(value) or not float(value).is_integer():
        raise StudentCodeError(
            f"Expected {what}, got {_format(value)}: sizes and counts are whole numbers."
        )
    return int(value)


def as_shape(answer, *, what: str = "a shape such as (28, 28, 6)") -> tuple[int, ...]:
    """A shape (a tuple of whole numbers) from a tuple, a list or a 1-d array of at most 8 sizes."""
    if isinstance(answer, np.ndarray) and answer.ndim == 1 and answer.size <= 8:
        answer = list(answer)
    if not isinstance(answer, (list, tuple)) or len(answer) > 8:
        raise StudentCodeError(f"Expected {what}, got {_short(answer)}.")
    return tuple(as_integer(size, what="whole-number sizes") for size in answer)


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
    variants: Mapping[float, str] | None = None,
) -> Result:
    """Compare a numeric answer to ``expected``; never reveals ``expected``.

    ``mistakes`` maps typical wrong values to teaching messages (tried first); ``variants`` maps
    the generic mistake variants of the formula (see :func:`dropped_terms`, :func:`off_by_one`,
    :func:`rounding_variants`, :func:`log_base_variants`, :func:`swapped_arguments`,
    :func:`per_input_bias`) to messages that name the mistake.
    """
    value = as_number(answer, what="an integer" if integer else "a number")
    if not math.isfinite(value):
        return incorrect(
            f"{_format(value)} is not a finite number: an overflow or a division by zero? "
            "The answer is an ordinary number."
        )
    whole = float(value).is_integer()
    if math.isclose(value, expected, rel_tol=rel_tol, abs_tol=abs_tol) and (whole or not integer):
        return correct(success)
    for table in (mistakes or {}, variants or {}):  # the specific messages before the generic one
        for wrong_value, message in table.items():
            if math.isclose(value, wrong_value, rel_tol=max(rel_tol, 1e-9), abs_tol=abs_tol):
                return incorrect(message)
    if integer and not whole:
        return incorrect(f"{_format(value)} is not a whole number; sizes and counts are integers.")
    direction = "too large" if value > expected else "too small"
    suffix = f" {unit}" if unit else ""
    return incorrect(f"{_format(value)}{suffix} is {direction}. Recheck each term of the formula.")


def _format(value: float) -> str:
    """A short, readable number: 100,480, 0.105, 1e+308 (never hundreds of digits)."""
    if not math.isfinite(value):
        return str(value)
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.6g}"


# --- generic mistake variants of a formula ----------------------------------------------------
# Each helper returns {wrong value: message naming the mistake}; pass their union as
# ``check_number(..., variants=...)``. Messages name the mistake, never the expected value.


def first_wins(*tables: Mapping[float, str]) -> dict[float, str]:
    """Merge variant tables; when two give the same wrong value, the earlier (more specific) wins."""
    merged: dict[float, str] = {}
    for table in tables:
        for value, message in table.items():
            if not any(math.isclose(value, known, rel_tol=1e-9) for known in merged):
                merged[value] = message
    return merged


def dropped_terms(terms: Mapping[str, float]) -> dict[float, str]:
    """A sum with one term left out: ``{"weights": 784*128, "biases": 128}``."""
    total = sum(terms.values())
    return {
        total - term: f"A term is missing: your value is the formula without its {name}."
        for name, term in terms.items()
        if term
    }


def off_by_one(expected: float, *, where: str = "the +1 term") -> dict[float, str]:
    """Off by one in either direction (a +1 forgotten or counted twice)."""
    message = f"Off by one: check {where}."
    return {expected - 1: message, expected + 1: message}


def rounding_variants(
    exact: float, *, rounding: str, why: str = "", plus: float = 0
) -> dict[float, str]:
    """The other rounding of a quotient: floor vs ceil, round() and no rounding at all.

    ``exact`` is the unrounded quotient, ``rounding`` the one the problem needs ("floor" or
    "ceil"), ``plus`` a term added after rounding (the +1 of the output-size formula).
    """
    if rounding not in ("floor", "ceil"):
        raise ValueError(f"rounding must be 'floor' or 'ceil', got {rounding!r}")
    other = math.ceil(exact) if rounding == "floor" else math.floor(exact)
    reason = f" {why}" if why else ""
    unrounded = (
        {}
        if float(exact).is_integer()
        else {exact + plus: f"The quotient must be rounded ({rounding}).{reason}"}
    )
    return first_wins(
        {other + plus: f"Floor vs ceil: this needs {rounding}, you rounded the other way.{reason}"},
        {round(exact) + plus: f"round() is not it: this needs {rounding}.{reason}"},
        unrounded,
    )


def log_base_variants(value_with, *, base: str = "e") -> dict[float, str]:
    """The same expression with the wrong logarithm: ``value_with(log)`` for log10, log2, ln."""
    logs = {"e": math.log, "10": math.log10, "2": math.log2}
    if base not in logs:
        raise ValueError(f"base must be one of {', '.join(logs)}, got {base!r}")
    names = {"e": "the natural logarithm (ln)", "10": "log10", "2": "log2"}
    return {
        value_with(log): f"Wrong logarithm base: you used {names[other]}; this needs {names[base]}."
        for other, log in logs.items()
        if other != base
    }


def swapped_arguments(function: Callable, arguments: Sequence, i: int, j: int, names: str):
    """The formula with two of its inputs exchanged; ``names`` says which, e.g. "F and S"."""
    swapped = list(arguments)
    swapped[i], swapped[j] = swapped[j], swapped[i]
    try:
        value = function(*swapped)
    except (ArithmeticError, ValueError):
        return {}
    return {value: f"Swapped arguments: you exchanged {names}."}


def per_input_bias(weights: float, inputs: int, units: int, *, unit: str = "unit") -> dict:
    """Biases counted per input instead of per unit (or per filter)."""
    return {
        weights + inputs: f"One bias per {unit} ({units}), not one per input ({inputs}).",
    }


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
    """Compare an array answer with ``expected``: type, shape, then values; ``mistakes`` are (array, message).

    The shape is compared before anything is converted, so an object that claims a huge length
    is rejected at once instead of being turned into a huge array.
    """
    expected = np.asarray(expected)
    claimed = _absurd_shape(answer, expected.shape)
    if claimed is not None:
        return incorrect(
            f"{name} has shape {claimed}, expected {expected.shape}. "
            "Check which axis you reduce over and whether you kept the batch dimension."
        )
    try:
        array = read_array(answer, int(expected.size))
    except Refused as error:
        raise StudentCodeError(str(error)) from None
    except (TypeError, ValueError, OverflowError):
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
    wrong_places = ~np.isclose(array, expected, atol=atol, rtol=rtol)
    worst = np.unravel_index(np.argmax(np.abs(array - expected)), expected.shape)
    return incorrect(
        f"{name} has the right shape, but {int(wrong_places.sum())} of its {array.size} values "
        f"are wrong; the largest error is at index {tuple(int(i) for i in worst)} "
        f"(you have {array[worst]:.6g} there)."
    )


def _absurd_shape(value, expected_shape: tuple) -> tuple | None:
    """The claimed shape when it is far larger than expected (never convert such an object)."""
    claimed = claimed_shape(value, expected_shape)
    if claimed is None or claimed == tuple(expected_shape):
        return None
    sizes = [size for size in claimed if size >= 0]
    return claimed if math.prod(sizes) > 100 * max(1, math.prod(expected_shape)) else None


def shape_of(value, expected_shape: tuple = ()) -> tuple:
    """``np.shape(value)``, except for an object claiming a far larger shape than expected:
    its claimed shape is returned without converting it (a length of 10**9 costs one len())."""
    absurd = _absurd_shape(value, tuple(expected_shape))
    return absurd if absurd is not None else np.shape(value)


def claimed_shape(answer, expected_shape: tuple) -> tuple | None:
    """The shape ``answer`` claims, read from ``.shape`` or ``len()`` level by level, never converted.

    Stops at the first level that disagrees with ``expected_shape`` (so a length of 10**9 costs
    one ``len`` call). None when the answer has no length (a number, a generator...).
    """
    shape = getattr(answer, "shape", None)
    if shape is not None and not callable(shape):
        try:
            return tuple(int(size) if size is not None else -1 for size in shape)
        except (TypeError, ValueError):
            return None
    return _claimed_shape(answer, tuple(expected_shape), depth=0)


def _claimed_shape(answer, expected_shape: tuple, depth: int) -> tuple | None:
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__len__"):
        return () if depth else None
    try:
        length = len(answer)
    except Exception:
        return () if depth else None  # a 0-d array or an object whose len() fails
    if depth >= len(expected_shape) or length != expected_shape[depth]:
        return (length,)
    rest = expected_shape[depth + 1 :]
    for index in range(length):
        try:
            element = answer[index]
        except Exception:
            return None
        inner = _claimed_shape(element, expected_shape, depth + 1)
        if inner is None:
            return None
        if inner != rest:
            return (length, *inner)  # the first disagreeing element decides; nothing is converted
    return (length, *rest)


# --- the per-student seed -------------------------------------------------------------------


def seed(value=None) -> int:
    """The student's seed, which picks the numbers of the personal problems.

    ``seed()`` returns it (a random one is drawn and stored with the progress the first time,
    under the progress file's lock, so kernels starting together agree); ``seed("2023011234")``
    (your student number or name; or an int, NumPy ints included, 0 <= seed < 2**63) sets it, so
    the same numbers come back on another machine. Two students with different seeds get
    different numbers.
    """
    from cnnkit.progress_store import seed_once, store_seed

    if value is None:
        return seed_once(lambda: 100_000 + secrets.randbelow(900_000))  # six digits, easy to read
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, str)):
        raise TypeError(
            f"seed(...) takes your student number or name (a str) or an int, got {value!r:.40}."
        )
    if isinstance(value, str):
        text = " ".join(value.split()).lower()
        if not text:
            raise ValueError("seed('') is empty: give your student number or name.")
        number = int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16) % 10**9
    else:
        number = int(value)
        if not 0 <= number < 2**63:
            shown = number if abs(number) < 10**40 else "a number of over 40 digits"
            raise ValueError(f"seed must be a non-negative integer below 2**63, got {shown}.")
    store_seed(number)
    return number


def _stable_number(text: str) -> int:
    """A number from text that is the same in every process (``hash()`` is salted per process)."""
    return int(hashlib.sha256(text.encode("utf-8")).hexdigest()[:12], 16)


class Given(dict):
    """The numbers of a personal problem: ``given.samples`` or ``given["samples"]``."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(
                f"this problem's numbers are {', '.join(self)}; there is no {name!r}"
            ) from None

    def __repr__(self) -> str:
        return "Given(" + ", ".join(f"{key}={value!r}" for key, value in self.items()) + ")"


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

    A *personal* problem has ``parameters``: a function of a NumPy random generator that draws
    the student's numbers (a dict). Its ``statement`` and ``explanation`` are templates filled
    with them (``{samples:,}``), its checker is called as ``checker(answer, given)``, and its
    solution code reads them from ``chNN.qK.given``. The generator is seeded by the student's
    seed and the problem's name, so every student gets their own numbers, the same ones in
    every session.
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
    parameters: Callable[[np.random.Generator], dict] | None = None
    name: str = field(default="", init=False)
    _hints_shown: int = field(default=0, init=False, repr=False)
    _checks_are_solution_views: bool = field(default=False, init=False, repr=False)

    @property
    def personal(self) -> bool:
        """True when the problem's numbers come from the student's seed."""
        return self.parameters is not None

    @property
    def given(self) -> Given:
        """The student's numbers of a personal problem (empty for the others)."""
        if self.parameters is None:
            return Given()
        generator = np.random.default_rng([seed(), _stable_number(self.name)])
        return Given(self.parameters(generator))

    def _fill(self, template: str, given: Mapping | None = None) -> str:
        if not self.personal:
            return template
        return template.format_map(self.given if given is None else given)

    def rendered_statement(self) -> str:
        """The statement with the student's numbers filled in."""
        return self._fill(self.statement)

    def show(self):
        """The statement with your own numbers (a personal problem's notebook cell shows it)."""
        note = ""
        if self.personal:
            note = (
                f"\n\n<small>Your own numbers (seed {seed()}), not the chapter's worked example. "
                "`ck.exercises.seed('your student number')` gives the same numbers on any "
                "machine.</small>"
            )
        return Markdown(f"**{self.title}**\n\n{self.rendered_statement().strip()}{note}")

    def check(self, answer=Ellipsis) -> Result:
        """Check an answer: 'correct', 'incorrect' with a message that teaches, or 'not attempted'."""
        result = self._evaluate(answer)
        # whatever a checker quotes of the answer, every message stays short and readable
        message = plain(result.message, limit=MESSAGE_LIMIT)
        result = Result(result.status, message, self.name)
        if self._checks_are_solution_views:
            self._record("solution", result.status)
        else:
            self._record("check", result.status)
        return result

    def _record(self, event: str, status: str | None = None) -> None:
        """Keep the event in the student's progress file (never fails a check)."""
        chapter, _, item = self.name.partition(".")
        if not item:
            return  # a problem outside a chapter: nothing to file it under
        from cnnkit.progress_store import record

        try:
            record(event, chapter, item, status)
        except Exception as error:  # progress is a convenience; checking must go on
            print(f"cnnkit progress: not recorded ({type(error).__name__}: {plain(error)}).")

    def _evaluate(self, answer) -> Result:
        try:
            answer = plain_copy(answer)  # never trust the student's own ==, len() or str()
            if is_blank(answer):
                return not_attempted()
            if self.personal:
                result = self.checker(answer, self.given)
            else:
                result = self.checker(answer)
        except NotImplementedError:
            return not_attempted("Your function still raises NotImplementedError: write its body.")
        except (StudentCodeError, Refused) as error:
            return incorrect(plain(error))
        except (SystemExit, KeyboardInterrupt) as error:  # from a student's __eq__, __repr__...
            return incorrect(
                f"Your answer raised {type(error).__name__} while it was checked: "
                "give a plain value or a function that returns one."
            )
        except Exception as error:  # a checker must never show students a traceback
            return incorrect(
                f"Could not check this answer ({type(error).__name__}: {plain(error)}). "
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
            hint = self._fill(self.hints[self._hints_shown])
            text = f"Hint {number}/{len(self.hints)}: {hint}"
            self._hints_shown += 1
            self._record("hint")
        else:
            text = f"No more hints. `{self.name}.solution()` shows the answer."
        return Markdown(text)

    def solution(self):
        """Show the solution code and its explanation (with your numbers, for a personal problem)."""
        text = f"**Solution of {self.name}**\n\n```python\n{self.solution_code.strip()}\n```"
        if self.personal:
            text += f"\n\nYour numbers: `{self.given!r}`."
        if self.explanation:
            text += f"\n\n{self._fill(self.explanation)}"
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

    def record_checks_as_solution_views(self) -> None:
        """The solution notebook calls this: running the solutions counts as viewing them."""
        for problem in self.problems:
            problem._checks_are_solution_views = True

    @property
    def module_name(self) -> str:
        return f"ch{self.number:02d}"
