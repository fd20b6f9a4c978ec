"""Argument checks for the whole kit, in the style of ``sklearn.utils.check_scalar``.

Every public function of cnnkit that takes a count, a size, a rate or a seed checks it here, so
one student mistake reads the same everywhere:

- the wrong *kind* of value (a string, a float where a whole number is needed, a bool) raises
  ``TypeError``: "<name> must be an int, got '3' of type str. Pass the number 3, not the string '3'.";
- a value of the right kind *out of range* raises ``ValueError``: "<name> must be positive, got 0.
  Pass an int >= 1.".

Each message names the argument, shows what was received (cut to 40 characters) and says what to
pass instead; ``hint`` adds a sentence of the caller's own. This module imports only the standard
library (it sits at the bottom of the package: every layer may use it).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

__all__ = [
    "check_bool",
    "check_history",
    "check_int",
    "check_real",
    "check_scalar",
    "check_seed",
    "short_repr",
]

#: The two kinds of scalar a kit function takes.
INT, REAL = "int", "real"


def short_repr(value, limit: int = 40) -> str:
    """``repr(value)`` cut to ``limit`` characters, so an error message stays readable."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _is_int(value) -> bool:
    # numbers.Integral covers int and NumPy integers; bool is an int to Python but never a count.
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _type_fix(value, kind: str) -> str:
    """The sentence that says what to pass instead of ``value``."""
    if isinstance(value, bool):
        return "Booleans are not sizes; pass an int." if kind == INT else "Pass a number."
    if kind == INT and isinstance(value, float) and value.is_integer():
        return f"Pass {short_repr(int(value))} instead of {short_repr(value)}."
    if isinstance(value, str):
        text = value.strip()
        if kind == INT and text.lstrip("-").isdigit():
            return f"Pass the number {short_repr(int(text))}, not the string {short_repr(value)}."
        try:
            number = float(text)
        except ValueError:
            number = None
        if kind == REAL and number is not None:
            return f"Pass the number {short_repr(number)}, not the string {short_repr(value)}."
    if isinstance(value, (tuple, list)):
        return "Pass one number, not a sequence."
    return "Pass a whole number (int)." if kind == INT else "Pass a number (int or float)."


def _range_words(kind, min_val, max_val, include_boundaries) -> str:
    """'positive', 'at least 2', 'in (0, 1)', ... for the message of a value out of range."""
    low_closed = include_boundaries in ("both", "left")
    high_closed = include_boundaries in ("both", "right")
    if max_val is None:
        if kind == INT and min_val == 1 and low_closed:
            return "positive"
        if min_val == 0 and not low_closed:
            return "positive"
        return f"at least {min_val}" if low_closed else f"greater than {min_val}"
    if min_val is None:
        return f"at most {max_val}" if high_closed else f"smaller than {max_val}"
    return f"in {'[' if low_closed else '('}{min_val}, {max_val}{']' if high_closed else ')'}"


def check_scalar(
    name: str,
    value,
    target_type: str = INT,
    *,
    min_val=None,
    max_val=None,
    include_boundaries: str = "both",
    hint: str = "",
):
    """Return ``value`` as an ``int`` (``target_type="int"``) or a ``float`` (``"real"``) after
    checking its kind (``TypeError``) and that ``min_val <= value <= max_val`` (``ValueError``).

    ``include_boundaries`` is ``"both"``, ``"left"``, ``"right"`` or ``"neither"``: which of the
    bounds the value may equal, as in ``sklearn.utils.check_scalar``. Booleans are refused for
    both kinds, and floats (even 3.0) and strings for ``"int"``: a count fed ``"3"`` or ``3.5`` is
    almost always a bug upstream, and silently converting would hide it. A real must be finite.
    """
    if target_type not in (INT, REAL):
        raise ValueError(f"target_type must be 'int' or 'real', got {short_repr(target_type)}.")
    if include_boundaries not in ("both", "left", "right", "neither"):
        raise ValueError(
            "include_boundaries must be 'both', 'left', 'right' or 'neither', got "
            f"{short_repr(include_boundaries)}."
        )
    suffix = f" {hint}" if hint else ""
    accepted = _is_int(value) if target_type == INT else _is_real(value)
    if not accepted:
        kind_words = "an int" if target_type == INT else "a number"
        raise TypeError(
            f"{name} must be {kind_words}, got {short_repr(value)} of type "
            f"{type(value).__name__}. {_type_fix(value, target_type)}{suffix}"
        )
    value = int(value) if target_type == INT else float(value)
    if target_type == REAL and not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}.{suffix}")
    low_closed = include_boundaries in ("both", "left")
    high_closed = include_boundaries in ("both", "right")
    too_low = min_val is not None and (value < min_val if low_closed else value <= min_val)
    too_high = max_val is not None and (value > max_val if high_closed else value >= max_val)
    if too_low or too_high:
        words = _range_words(target_type, min_val, max_val, include_boundaries)
        if hint:
            fix = hint
        elif target_type == INT and max_val is None:
            fix = f"Pass an int >= {min_val if low_closed else min_val + 1}."
        else:
            fix = f"Pass a value {words}."
        raise ValueError(f"{name} must be {words}, got {value}. {fix}")
    return value


def check_int(name: str, value, minimum: int | None = 1, *, maximum=None, hint: str = "") -> int:
    """An int with ``minimum <= value <= maximum`` (the common case of :func:`check_scalar`)."""
    return check_scalar(name, value, INT, min_val=minimum, max_val=maximum, hint=hint)


def check_real(
    name: str, value, minimum=None, maximum=None, *, include_boundaries="both", hint=""
) -> float:
    """A finite real number in the given bounds (the other case of :func:`check_scalar`)."""
    return check_scalar(
        name,
        value,
        REAL,
        min_val=minimum,
        max_val=maximum,
        include_boundaries=include_boundaries,
        hint=hint,
    )


def check_bool(name: str, value) -> bool:
    """Return ``value`` after checking it is a real ``bool`` (not 0/1 or "yes")."""
    if not isinstance(value, bool):
        raise TypeError(f"{name} must be True or False, got {short_repr(value)}.")
    return value


def check_seed(seed, name: str = "seed"):
    """``None`` or a whole number (a NumPy integer too), returned as an int."""
    if seed is None:
        return None
    if not _is_int(seed):
        raise TypeError(
            f"{name} must be a whole number or None, got {type(seed).__name__} {short_repr(seed)}."
        )
    return int(seed)


def check_history(history, required=()) -> dict:
    """The dict of per-epoch lists inside a Keras ``History``, a ``LiveHistory`` or a plain dict.

    Everything that reads training curves takes any of the three; ``required`` names the keys the
    caller needs (e.g. ``("loss",)``), and a missing one is a ``ValueError`` listing what is there.
    """
    logs = getattr(history, "history", history)
    if not isinstance(logs, Mapping):
        raise TypeError(
            "history must be what model.fit returns (a History), a LiveHistory or a dict of "
            f"lists, got {type(history).__name__}"
        )
    logs = {str(key): list(values) for key, values in logs.items()}
    missing = [key for key in required if key not in logs]
    if missing:
        raise ValueError(
            f"history has no {', '.join(map(repr, missing))} entry (it has "
            f"{', '.join(map(repr, logs)) or 'none'}); pass the History of a fit that records it."
        )
    return logs
