"""Helpers shared by the topic generators: reading answers, typical-mistake tables, checkers."""

from __future__ import annotations

import math
import random
import re
import unicodedata
from collections.abc import Callable

from cnnkit.exercises.core import (
    Result,
    StudentCodeError,
    as_number,
    check_number,
    correct,
    incorrect,
)
from cnnkit.review.problem import Draft


def _keras():
    import keras

    return keras


def _mistakes(expected, pairs) -> dict:
    """Typical wrong values -> message, without the correct value and keeping the first message."""
    table: dict = {}
    for value, message in pairs:
        if value != expected and value not in table:
            table[value] = message
    return table


#: The most items a list or shape answer may hold; longer ones are refused before any element
#: is read (``range(10**9)`` must not be walked or copied).
MAX_ITEMS = 64
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?")
_SHAPE_SEPARATOR = re.compile(r"\s*[x×X*,]\s*|\s+")


def read_number_text(text: str) -> float:
    """A number as students write it: '3904', '3,904', '-0.25', '1.3e-4', '12.5%' is refused.

    Raises StudentCodeError (shown as "not understood") for anything else.
    """
    cleaned = unicodedata.normalize("NFKC", text).strip().rstrip(".").strip()
    if _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(",", "")
    if len(cleaned) <= 40 and _NUMBER.fullmatch(cleaned):
        return float(cleaned)
    raise StudentCodeError(
        f"Not understood: {text[:40]!r} is not a number; write it as 3904, 3,904 or 0.125."
    )


def read_shape_text(text: str) -> tuple[int, ...]:
    """A shape as students write it: '28x28x6', '28×28×6', '28*28*6', '(28, 28, 6)', '[28, 28, 6]'
    (a leading 'None,' batch dimension is allowed). StudentCodeError ("not understood") else."""
    cleaned = unicodedata.normalize("NFKC", text).strip()
    if len(cleaned) > 200:
        raise StudentCodeError("Not understood: that text is too long to be a shape.")
    inner = cleaned.strip("()[] ").strip()
    if inner.lower().startswith("none"):
        inner = inner[4:].lstrip(" ,")
    parts = [part for part in _SHAPE_SEPARATOR.split(inner.rstrip(",")) if part]
    if not parts or len(parts) > MAX_ITEMS or not all(part.isdigit() for part in parts):
        raise StudentCodeError(
            f"Not understood: {text[:40]!r} is not a shape; write it as (28, 28, 6) or 28x28x6."
        )
    return tuple(int(part) for part in parts)


def bounded_items(answer, what: str, limit: int = MAX_ITEMS) -> list:
    """The items of a list/tuple/array answer, its length checked before any item is read.

    Anything without a cheap ``len`` (a generator, a ``range`` of a billion) beyond ``limit`` is
    refused without iterating it.
    """
    if isinstance(answer, (str, bytes, dict)) or not hasattr(answer, "__len__"):
        raise StudentCodeError(f"Expected {what}, got {type(answer).__name__}.")
    try:
        size = len(answer)
    except Exception:  # a student's object whose __len__ fails
        raise StudentCodeError(f"Expected {what}; could not read its length.") from None
    if not isinstance(size, int) or size > limit:
        raise StudentCodeError(
            f"Expected {what}; got {size:,} items."
            if isinstance(size, int)
            else f"Expected {what}."
        )
    shape = getattr(answer, "shape", None)
    if shape is not None and getattr(answer, "size", 0) > limit * limit:
        raise StudentCodeError(f"Expected {what}; that array is far too large.")
    return list(answer)


def _as_int(answer, what: str = "an integer") -> int:
    if isinstance(answer, str):
        answer = read_number_text(answer)
    value = as_number(answer, what=what)
    if not math.isfinite(value):
        raise StudentCodeError(f"{answer} is not a finite number; {what} is an integer.")
    if not float(value).is_integer():
        raise StudentCodeError(f"{answer} is not a whole number; {what} is an integer.")
    return int(value)


def _as_shape(answer) -> tuple[int, ...]:
    """A shape given as tuple/list (a leading None batch dimension is allowed), an int, or a
    text such as '28x28x6' (see :func:`read_shape_text`); sizes bounded before conversion."""
    if isinstance(answer, str):
        return read_shape_text(answer)
    if isinstance(answer, int) and not isinstance(answer, bool):
        return (answer,)
    items = bounded_items(answer, "a shape such as (28, 28, 6)")
    if items and items[0] is None:
        items = items[1:]
    return tuple(_as_int(item, "each dimension") for item in items)


def as_numbers(answer, what: str) -> list[float]:
    """A flat list of numbers from a list/tuple/array (or a text such as '[1, 0, 1]'), bounded."""
    if isinstance(answer, str):
        text = unicodedata.normalize("NFKC", answer).strip()
        if len(text) > 400:
            raise StudentCodeError(f"Not understood: expected {what}.")
        parts = [part for part in re.split(r"[\s,;]+", text.strip("()[] ")) if part]
        return [read_number_text(part) for part in parts]
    return [
        read_number_text(value) if isinstance(value, str) else as_number(value)
        for value in bounded_items(answer, what)
    ]


def _fmt_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _x(*dims) -> str:
    return "×".join(str(d) for d in dims)


def _generic_mistakes(expected: float, integer: bool) -> list[tuple[float, str]]:
    """Mistakes any formula invites, each with a message naming it (never the answer): the sign,
    a factor of 10 (a decimal point or unit), a factor of 2 (a term counted twice or halved),
    and for counts an off-by-one (a +1 forgotten or counted twice)."""
    if not expected:
        return []
    pairs = [(-expected, "Check the sign: this quantity has the other sign.")]
    if integer:
        message = (
            "Off by one: a +1 is missing or counted twice (the bias, the +1 of the size "
            "formula, or the last partial batch)."
        )
        pairs += [(expected + 1, message), (expected - 1, message)]
    pairs += [
        (expected * 2, "A factor of 2 too many: is a term counted twice (2P for P, both sides)?"),
        (expected / 2, "A factor of 2 missing: a term is counted once where it counts twice."),
    ]
    magnitude = "Wrong order of magnitude: check the decimal point and each power of ten."
    pairs += [(expected * 10.0**k, magnitude) for k in (-3, -2, -1, 1, 2, 3)]
    return pairs


def _check_int(expected: int, pairs, success: str = "Correct.") -> Callable[[object], Result]:
    pairs = list(pairs)
    mistakes = _mistakes(expected, pairs + _generic_mistakes(expected, integer=True))

    def check(answer) -> Result:
        # A readable number that is not whole (31.5) is judged (a named mistake or "not a whole
        # number"), not refused as unreadable.
        value = as_number(read_number_text(answer) if isinstance(answer, str) else answer)
        return check_number(value, expected, mistakes=mistakes, integer=True, success=success)

    check.typical_mistake = next(iter(_mistakes(expected, pairs)), None)
    check.mistakes = dict(mistakes)
    return check


def precision(exact: float, digits: int) -> tuple[str, float, float]:
    """How a real answer is asked for and judged: (phrase for the statement, the rounded answer,
    the tolerance).

    Values of magnitude at least 0.1 (and 0) are asked to ``digits`` decimals; smaller ones to 3
    significant figures, judged within one unit of the third figure, so that 0, the other sign,
    a wrong power of ten or a wrong log base are never within the tolerance.
    """
    if exact == 0 or abs(exact) >= 0.1:
        words = {1: "one decimal", 2: "2 decimals", 3: "3 decimals", 4: "4 decimals"}
        return f"rounded to {words.get(digits, f'{digits} decimals')}", round(exact, digits), 0.0
    unit = 10.0 ** (math.floor(math.log10(abs(exact))) - 2)
    return "to 3 significant figures", float(f"{exact:.3g}"), unit


def _check_float(
    expected: float, pairs, tol: float, success: str = "Correct.", rounding: float = 0.0
) -> Callable:
    """Accept answers within ``tol`` of ``expected`` (capped at 5 % of it, so that a small
    answer is judged relatively, but never below ``rounding``: the answer rounded as the
    question asks is always right); typical mistakes get their message, then the generic ones."""
    if expected:
        tol = min(tol, 0.05 * abs(expected))
    tol = max(tol, rounding)
    pairs = list(pairs)
    table = [(v, m) for v, m in pairs + _generic_mistakes(expected, False)]
    mistakes: dict = {}
    for value, message in table:
        key = round(value, 12)
        if abs(value - expected) > 2 * tol and key not in mistakes:
            mistakes[key] = message

    def check(answer) -> Result:
        if isinstance(answer, str):
            answer = read_number_text(answer)
        value = as_number(answer)
        result = check_number(value, expected, mistakes=mistakes, abs_tol=tol, success=success)
        if (
            result.status == "incorrect"
            and math.isfinite(value)
            and expected
            and abs(value - expected) <= 0.05 * abs(expected)
            and "Recheck" in result.message
        ):
            return incorrect(
                "Close, but not at the precision asked: keep more digits until the "
                "end and round as the question says."
            )
        return result

    # The first typical mistake in the order given.
    check.typical_mistake = next(
        (round(value, 6) for value, _ in pairs if abs(value - expected) > 2 * tol), None
    )
    check.mistakes = dict(mistakes)
    return check


def _check_shape(expected: tuple[int, ...], spatial_pairs, depth_message: str) -> Callable:
    """Check an output shape (H, W, D): spatial mistakes by value, then the depth."""
    spatial = expected[0]
    mistakes = _mistakes(spatial, spatial_pairs)

    def check(answer) -> Result:
        shape = _as_shape(answer)
        if shape == expected:
            return correct(f"Correct: {_fmt_shape(expected)}.")
        if len(shape) != len(expected):
            return incorrect(
                f"Give all {len(expected)} dimensions (height, width, depth), e.g. "
                f"{_fmt_shape(tuple(range(1, len(expected) + 1)))}; you gave {len(shape)}: "
                f"{_fmt_shape(shape)}."
            )
        if shape[0] != shape[1]:
            return incorrect("The input and the window are square, so height and width are equal.")
        if shape[0] != spatial:
            message = mistakes.get(shape[0])
            if message:
                return incorrect(message)
            direction = "too large" if shape[0] > spatial else "too small"
            return incorrect(
                f"Height/width {shape[0]} is {direction}. Use floor((W - F + 2P)/S) + 1 "
                "and check each term."
            )
        return incorrect(depth_message)

    wrong = next(iter(mistakes), None)
    check.typical_mistake = (
        (wrong, wrong, expected[2])
        if wrong is not None
        else (*expected[:2], expected[2] * 2 if expected[2] > 1 else 2)
    )
    return check


def _pick_padding_case(rng: random.Random, candidates: Callable[[], tuple | None]) -> tuple:
    """Draw a case; about 1 in 6 is a non-dividing one (teaches the floor), the rest divide."""
    want_divides = rng.random() >= 1 / 6
    fallback = None
    for _ in range(500):
        case = candidates()
        if case is None:
            continue
        fallback = case
        if case[-1] == want_divides:
            return case
    return fallback


def int_draft(statement: str, expected: int, solution: str, pairs, verify, data: dict, **fields):
    """A calculation whose answer is a whole number (a count): accepted when equal to
    ``expected``, with ``pairs`` (wrong value, message) as the typical mistakes; ``fields`` are
    Draft's optional fields (``source=...``)."""
    return Draft(statement, expected, solution, _check_int(expected, pairs), verify, data, **fields)


def shape_draft(
    statement: str,
    expected: tuple,
    solution: str,
    pairs,
    depth_message: str,
    verify,
    data,
    **fields,
):
    """A calculation whose answer is an output shape (height, width, depth): accepted when equal
    to ``expected``; ``pairs`` map wrong sizes to messages, ``depth_message`` answers a wrong
    depth (see :func:`_check_shape`)."""
    checker = _check_shape(expected, pairs, depth_message)
    return Draft(statement, expected, solution, checker, verify, data, **fields)


_PRECISION = re.compile(
    r"\((\d|one|two|three|four) decimals?\)|rounded to (\d|one|two|three|four) decimals?"
    r"|to (\d|one|two|three|four) decimals?"
)


def float_draft(
    statement: str,
    exact: float,
    solution: str,
    pairs,
    verify,
    data: dict,
    *,
    tol: float = 0.0015,
    digits: int = 3,
    **fields,
) -> Draft:
    """A calculation whose answer is a real number, asked at the precision :func:`precision`
    gives: ``digits`` decimals, or 3 significant figures for a value under 0.1 (the statement's
    precision phrase is rewritten to say so, or added); accepted within ``tol`` (capped at 5 %
    of the value) or one unit of the third figure; ``pairs`` (wrong value, message) are the
    typical mistakes; ``fields`` are Draft's optional fields (``source=...``)."""
    phrase, answer, unit = precision(exact, digits)
    if _PRECISION.search(statement):
        statement = _PRECISION.sub(
            lambda m: (
                f"({phrase.split(' to ', 1)[-1].removeprefix('to ')})"
                if m.group(0).startswith("(")
                else phrase
            ),
            statement,
            count=1,
        )
    else:
        statement = f"{statement} Give the answer {phrase}."
    if unit:  # 3 significant figures: the solution's last line shows that answer
        tol = unit
        solution = re.sub(r"\*\*Answer:\*\*[^\n]*$", f"**Answer:** {answer:.3g}", solution)
    data = dict(data, precision=phrase)
    # Asked to `digits` decimals, the correctly rounded answer is up to half a unit of the last
    # decimal from the exact value (2,000 × 16 / 50,000 = 0.64 -> 0.6).
    rounding = 0.0 if unit else 0.5 * 10.0**-digits * (1 + 1e-9)
    checker = _check_float(exact, pairs, tol, rounding=rounding)
    return Draft(statement, answer, solution, checker, verify, data, **fields)
