"""Argument checks shared by every formula (private).

One helper per kind of argument, all raising ``TypeError`` for the wrong kind of
value and ``ValueError`` for an impossible one, with a message that names the
argument, shows what was received and says what to pass instead.
"""

from __future__ import annotations

import math
import numbers

from cnnkit import validation
from cnnkit.validation import check_bool, short_repr

__all__ = ["check_bool", "check_int", "check_kernel", "check_padding", "check_reals", "short_repr"]

PADDING_STRINGS = ("valid", "same")
# No layer of any real network comes near this; larger values are typos (or attacks) and would
# otherwise surface as an OverflowError deep inside float arithmetic.
MAXIMUM_SIZE = 10**12


def check_int(name: str, value, minimum: int = 1, *, hint: str = "") -> int:
    """Return ``value`` as an ``int`` after checking it is an integer >= ``minimum``.

    The kit's :func:`cnnkit.validation.check_int` with the formulas' extra: a size of more than
    12 digits is refused (no layer comes near it; it would overflow float arithmetic later).
    """
    if isinstance(value, (tuple, list)):
        hint = ("Pass one int (one spatial dimension at a time). " + hint).strip()
    elif isinstance(value, numbers.Integral) and abs(int(value)) > MAXIMUM_SIZE:
        raise ValueError(
            f"{name} is a {len(str(int(value)))}-digit number, far larger than any layer "
            f"(at most {MAXIMUM_SIZE:.0e}); check the number you passed."
        )
    return validation.check_int(name, value, minimum, hint=hint)


def check_padding(padding, allowed_strings=PADDING_STRINGS, *, allow_int: bool = True):
    """Return padding as a non-negative ``int`` or a lower-case string Keras knows.

    Strings are compared case-insensitively, as Keras does ("SAME" == "same").
    """
    if isinstance(padding, str):
        lowered = padding.lower()
        if lowered not in allowed_strings:
            raise ValueError(
                f"padding={short_repr(padding)} is not a padding Keras knows. Use "
                f"{_choices(allowed_strings, allow_int)}."
            )
        return lowered
    if allow_int and isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        return check_int("padding", padding, minimum=0)
    raise TypeError(
        f"padding must be {_choices(allowed_strings, allow_int)}, got {short_repr(padding)} of type "
        f"{type(padding).__name__}."
    )


def _choices(allowed_strings, allow_int: bool) -> str:
    options = [repr(s) for s in allowed_strings]
    if allow_int:
        options.append("a non-negative int (zeros added on each side)")
    return ", ".join(options[:-1]) + " or " + options[-1] if len(options) > 1 else options[0]


def check_kernel(kernel_size, *, ranks=(1, 2, 3), int_rank: int = 2, name="kernel_size") -> tuple:
    """Return the kernel size as a tuple of positive ints.

    An int ``F`` means a square (cubic...) kernel of rank ``int_rank``: ``3`` -> ``(3, 3)``
    for 2-D. A tuple's length gives the rank and must be one of ``ranks``.
    """
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) not in ranks:
            allowed = ", ".join(str(r) for r in ranks[:-1]) + " or " * (len(ranks) > 1)
            allowed += f"{ranks[-1]} entries"
            raise ValueError(
                f"{name}={short_repr(tuple(kernel_size))} has {len(kernel_size)} entries; this formula "
                f"takes {allowed} (one per spatial dimension)."
            )
        return tuple(check_int(name, k, 1) for k in kernel_size)
    if isinstance(kernel_size, bool) or not isinstance(kernel_size, numbers.Integral):
        raise TypeError(
            f"{name} must be an int or a tuple of ints such as (3, 3), got {short_repr(kernel_size)} "
            f"of type {type(kernel_size).__name__}."
        )
    return (check_int(name, kernel_size, 1),) * int_rank


MAXIMUM_REAL = 1e12
MAXIMUM_VALUES = 100_000


def check_reals(name: str, value):
    """``value`` (a number or a nested sequence of numbers) after checking each is a finite real.

    Returns it unchanged; raises TypeError for anything that is not numbers and ValueError for
    nan, infinities, magnitudes above 1e12 or more than 100,000 values.
    """
    stack, count = [value], 0
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)) or (
            hasattr(item, "shape") and hasattr(item, "tolist") and getattr(item, "ndim", 0) > 0
        ):
            size = getattr(item, "size", None) if hasattr(item, "shape") else len(item)
            count += size or 0
            if count > MAXIMUM_VALUES:
                raise ValueError(f"{name} has more than {MAXIMUM_VALUES:,} numbers; pass fewer.")
            stack.extend(item.tolist() if hasattr(item, "tolist") else item)
            continue
        if hasattr(item, "item") and getattr(item, "ndim", 1) == 0:
            item = item.item()
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(
                f"{name} must be numbers (a number or a list/tuple of numbers), got "
                f"{short_repr(item)} of type {type(item).__name__}."
            )
        if abs(item) > MAXIMUM_REAL or not math.isfinite(item):
            raise ValueError(
                f"{name} contains {short_repr(item)}: pass finite numbers of at most "
                f"{MAXIMUM_REAL:.0e} in size."
            )
    return value


def real_arguments(function):
    """Decorate a formula of real numbers: every argument passes :func:`check_reals` first."""
    import functools
    import inspect

    signature = inspect.signature(function)

    @functools.wraps(function)
    def checked(*args, **kwargs):
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as error:
            raise TypeError(f"{function.__name__}(): {error}") from None
        for name, value in bound.arguments.items():
            check_reals(name, value)
        try:
            result = function(*args, **kwargs)
        except (ZeroDivisionError, FloatingPointError, OverflowError) as error:
            raise ValueError(f"{function.__name__}() cannot be computed here: {error}") from None
        if isinstance(result, numbers.Real) and math.isnan(result):
            raise ValueError(
                f"{function.__name__}() is undefined for these inputs (empty or degenerate); "
                "pass at least one value and boxes with positive width and height."
            )
        return result

    return checked
