"""Argument checks shared by every formula (private).

One helper per kind of argument, all raising ``TypeError`` for the wrong kind of
value and ``ValueError`` for an impossible one, with a message that names the
argument, shows what was received and says what to pass instead.
"""

from __future__ import annotations

import numbers

PADDING_STRINGS = ("valid", "same")


def check_int(name: str, value, minimum: int = 1, *, hint: str = "") -> int:
    """Return ``value`` as an ``int`` after checking it is an integer >= ``minimum``.

    Booleans, floats (even 3.0) and strings are refused: a formula fed ``"3"`` or
    ``3.5`` is almost always a bug upstream, and silently converting would hide it.
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{name} must be a whole number (int), got {value!r} of type "
            f"{type(value).__name__}. Pass an int such as {max(minimum, 1)}"
            + (f"; {hint}" if hint else ".")
        )
    value = int(value)
    if value < minimum:
        what = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(
            f"{name} must be {what}, got {value}."
            + (f" {hint}" if hint else f" Pass an int >= {minimum}.")
        )
    return value


def check_bool(name: str, value) -> bool:
    """Return ``value`` after checking it is a real ``bool`` (not 0/1 or "yes")."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {value!r}.")
    return value


def check_padding(padding, allowed_strings=PADDING_STRINGS, *, allow_int: bool = True):
    """Return padding as a non-negative ``int`` or a lower-case string Keras knows.

    Strings are compared case-insensitively, as Keras does ("SAME" == "same").
    """
    if isinstance(padding, str):
        lowered = padding.lower()
        if lowered not in allowed_strings:
            options = " or ".join(repr(s) for s in allowed_strings)
            extra = " or a non-negative int (zeros added on each side)" if allow_int else ""
            raise ValueError(
                f"padding={padding!r} is not a padding Keras knows. Use {options}{extra}."
            )
        return lowered
    if allow_int and isinstance(padding, numbers.Integral) and not isinstance(padding, bool):
        return check_int("padding", padding, minimum=0)
    options = " or ".join(repr(s) for s in allowed_strings)
    if allow_int:
        raise TypeError(
            f"padding must be {options} or a non-negative int (zeros added on each side), "
            f"got {padding!r} of type {type(padding).__name__}."
        )
    raise TypeError(f"padding must be {options}, got {padding!r}.")


def check_kernel(kernel_size, *, ranks=(1, 2, 3), int_rank: int = 2, name="kernel_size") -> tuple:
    """Return the kernel size as a tuple of positive ints.

    An int ``F`` means a square (cubic...) kernel of rank ``int_rank``: ``3`` -> ``(3, 3)``
    for 2-D. A tuple's length gives the rank and must be one of ``ranks``.
    """
    if isinstance(kernel_size, (tuple, list)):
        if len(kernel_size) not in ranks:
            allowed = ", ".join(str(r) for r in ranks)
            raise ValueError(
                f"{name}={tuple(kernel_size)!r} has {len(kernel_size)} entries; this formula "
                f"takes {allowed} (one per spatial dimension)."
            )
        return tuple(check_int(name, k, 1) for k in kernel_size)
    return (check_int(name, kernel_size, 1, hint="or a tuple such as (3, 3)"),) * int_rank


def product(values) -> int:
    """Product of ints (``math.prod`` with an explicit int result)."""
    result = 1
    for v in values:
        result *= v
    return result
