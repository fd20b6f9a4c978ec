"""Helpers shared by the topic generators: reading answers, typical-mistake tables, checkers."""

from __future__ import annotations

import random
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


def _as_int(answer, what: str = "an integer") -> int:
    value = as_number(answer, what=what)
    if not float(value).is_integer():
        raise StudentCodeError(f"{answer} is not a whole number; {what} is an integer.")
    return int(value)


def _as_shape(answer) -> tuple[int, ...]:
    """A shape given as tuple/list (a leading None batch dimension is allowed) or an int."""
    if isinstance(answer, str):
        raise StudentCodeError(
            f"Expected a shape such as (28, 28, 6), got the text {answer!r}. Remove the quotes."
        )
    if isinstance(answer, int) and not isinstance(answer, bool):
        return (answer,)
    try:
        items = list(answer)
    except TypeError:
        raise StudentCodeError(
            f"Expected a shape such as (28, 28, 6), got {type(answer).__name__} {answer!r}."
        ) from None
    if items and items[0] is None:
        items = items[1:]
    return tuple(_as_int(item, "each dimension") for item in items)


def _fmt_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _x(*dims) -> str:
    return "×".join(str(d) for d in dims)


def _check_int(expected: int, pairs, success: str = "Correct.") -> Callable[[object], Result]:
    mistakes = _mistakes(expected, pairs)

    def check(answer) -> Result:
        _as_int(answer, "an integer")
        return check_number(answer, expected, mistakes=mistakes, integer=True, success=success)

    check.typical_mistake = next(iter(mistakes), None)
    return check


def _check_float(expected: float, pairs, tol: float, success: str = "Correct.") -> Callable:
    mistakes = {
        round(value, 6): message
        for value, message in reversed(list(pairs))
        if abs(value - expected) > 2 * tol
    }

    def check(answer) -> Result:
        return check_number(answer, expected, mistakes=mistakes, abs_tol=tol, success=success)

    # The first typical mistake in the order given (``mistakes`` above is built in reverse).
    check.typical_mistake = next(
        (round(value, 6) for value, _ in pairs if abs(value - expected) > 2 * tol), None
    )
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
    """A calculation whose answer is a real number: shown rounded to ``digits`` decimals,
    accepted within ``tol`` of ``exact``, with ``pairs`` (wrong value, message) as the typical
    mistakes; ``fields`` are Draft's optional fields (``source=...``)."""
    return Draft(
        statement,
        round(exact, digits),
        solution,
        _check_float(exact, pairs, tol),
        verify,
        data,
        **fields,
    )
