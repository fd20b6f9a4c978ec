"""Read a student's answer into plain Python values before any checker looks at it.

A checker never trusts a student's object: its ``==`` may always say True (or ``==`` and ``!=``
both False), a ``str``/``int``/``float`` subclass may lie about itself, an object array may hold
such liars, and a container may claim (or really have) 10**9 items. :func:`plain_copy` (which
``Problem.check`` applies to every answer, and ``call_student`` to every result) copies the answer
into exact ``int``/``float``/``str``/``tuple``/``list``/``dict``/base ``ndarray`` values, reading
each through the base type's own methods (``int.__index__``, ``float.__float__``, ``str.__str__``,
``list.__len__``...), and puts an :class:`Unreadable` marker (equal to nothing) where a value
cannot be trusted. Sizes and depth are bounded BEFORE anything is converted or iterated, so a
huge or deep answer costs a few ``len`` calls. :func:`read_number` and :func:`read_array` then
turn a plain value into the number or float array a checker compares (``Refused`` otherwise).

This module imports only NumPy: the checker stays instant.
"""

from __future__ import annotations

import decimal
import fractions
import inspect
import math

import numpy as np

#: Most items (numbers, strings, container slots) read from one answer.
MAX_ITEMS = 200_000
#: Deepest nesting unwrapped inside one number (object arrays holding object arrays...).
MAX_LEAF_DEPTH = 4
#: Longest text kept.
MAX_TEXT = 10_000


class Refused(Exception):
    """The answer cannot be read as the kind of value the problem asks for (becomes 'incorrect')."""


def kind_name(value) -> str:
    """The type name of ``value`` for a message (never calls the object's own methods)."""
    if isinstance(value, Unreadable):
        return value.description
    return type(value).__name__[:40]


class Unreadable:
    """What :func:`plain_copy` puts in place of a value it will not trust or cannot read.

    It equals nothing (``==`` is False and ``!=`` True for every other object), so a checker's
    comparison can never be fooled by it, and every reader refuses it by its description.
    """

    __slots__ = ("description",)

    def __init__(self, description: str):
        self.description = description[:60]

    def __eq__(self, other):
        return other is self

    def __ne__(self, other):
        return other is not self

    def __hash__(self):
        return id(self)

    def __repr__(self):
        return f"<{self.description}>"


#: Most items one container level of an answer may hold before :func:`plain_copy` reads it.
MAX_LENGTH = 10_000
#: Largest array (elements) :func:`plain_copy` copies.
MAX_ARRAY = 1_000_000
#: Deepest nesting :func:`plain_copy` follows.
MAX_DEPTH = 20


def plain_copy(value, *, _depth: int = 0, _budget=None):
    """A copy of an answer made only of plain values, or :class:`Unreadable` markers.

    Containers (dict, list, tuple and their subclasses) become exact dicts, lists and tuples read
    through the base types; ``int``/``float``/``complex``/``str`` subclasses become the exact type
    (their value, not what their methods claim); NumPy scalars become Python numbers; arrays become
    base-class copies (an object array of numbers becomes a float array). Anything else that is not
    a function (a liar, a generator, ``range(10**9)``, an array of 10**9 elements, nesting deeper
    than 20) becomes an Unreadable marker. Sizes are checked before anything is iterated.
    """
    budget = _budget or _Budget(MAX_ITEMS)
    if value is None or value is Ellipsis or type(value) is bool:
        return value
    if _depth > MAX_DEPTH:
        return Unreadable(f"values nested more than {MAX_DEPTH} deep")
    try:
        budget.take(1)
    except Refused:
        return Unreadable(f"more than {MAX_ITEMS:,} values")
    if isinstance(value, bool):  # never reached (bool cannot be subclassed); kept for clarity
        return bool(value)
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    if isinstance(value, complex):
        return complex.__complex__(value)
    if isinstance(value, str):
        if str.__len__(value) > MAX_TEXT:
            return Unreadable(f"a text of {str.__len__(value):,} characters")
        return str.__str__(value)
    if isinstance(value, (np.ndarray, np.generic)):
        return _plain_array(np.asarray(value), _depth, budget)
    if isinstance(value, dict):
        size = dict.__len__(value)
        if size > MAX_LENGTH:
            return Unreadable(f"a dict of {size:,} keys")
        copy = {}
        for key, item in list(dict.items(value)):
            key = plain_copy(key, _depth=_depth + 1, _budget=budget)
            copy[key] = plain_copy(item, _depth=_depth + 1, _budget=budget)
        return copy
    if isinstance(value, (list, tuple)):
        length = _length(value)
        if length > MAX_LENGTH:
            return Unreadable(f"a {type(value).__name__[:20]} of {length:,} items")
        items = [plain_copy(item, _depth=_depth + 1, _budget=budget) for item in _items(value)]
        return items if isinstance(value, list) else tuple(items)
    if type(value) in (fractions.Fraction, decimal.Decimal):
        return float(value)  # the standard library's exact numbers, read as floats
    if inspect.isroutine(value) or (_depth == 0 and callable(value)):
        # a student's function (or, as the whole answer, a callable object): called through
        # call_student, which copies its result; inside a container a callable is never trusted
        return value
    if hasattr(type(value), "__array__"):
        try:
            return _plain_array(_foreign_array(value, MAX_ARRAY // 1100), _depth, budget)
        except Refused as error:
            return Unreadable(str(error)[:60])
    return Unreadable(f"{kind_name(value)} object")


def _plain_array(array: np.ndarray, depth: int, budget: _Budget):
    if array.size > MAX_ARRAY:
        return Unreadable(f"an array of shape {tuple(array.shape)}")
    if array.ndim == 0:
        if array.dtype == object:
            return plain_copy(array.item(), _depth=depth + 1, _budget=budget)
        return array.item()
    if array.dtype == object:
        try:
            budget.take(int(array.size))
        except Refused:
            return Unreadable(f"more than {MAX_ITEMS:,} values")
        items = [plain_copy(item, _depth=depth + 1, _budget=budget) for item in array.reshape(-1)]
        if all(type(item) in (int, float) for item in items):
            return np.array(items, dtype=float).reshape(array.shape)
        odd = next(item for item in items if type(item) not in (int, float))
        return Unreadable(f"an array holding {kind_name(odd)}")
    return np.array(array)  # a base-class copy the student cannot change afterwards


class _Budget:
    def __init__(self, limit: int):
        self.left = limit

    def take(self, count: int) -> None:
        self.left -= count
        if self.left < 0:
            raise Refused(
                f"Your answer holds more than {MAX_ITEMS:,} values; the problem asks for a few."
            )


def _length(value) -> int | None:
    """The real length of a list or tuple (a subclass's ``__len__`` is never called)."""
    if isinstance(value, list):
        return list.__len__(value)
    if isinstance(value, tuple):
        return tuple.__len__(value)
    return None


def _items(value) -> list:
    """The real items of a list or tuple, read through the base type."""
    if isinstance(value, list):
        return [list.__getitem__(value, i) for i in range(list.__len__(value))]
    return [tuple.__getitem__(value, i) for i in range(tuple.__len__(value))]


def _as_base_array(value) -> np.ndarray | None:
    """``value`` as a base-class ndarray without copying (None if it is no NumPy value)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return np.asarray(value)  # subok=False: a subclass's methods are never used
    return None


def _size_bound(template_size: int) -> int:
    return 100 * max(1, template_size) + 1_000


def read_number(value, *, what: str = "a number", depth: int = 0, budget=None):
    """A plain ``int`` or ``float`` from a number, a NumPy scalar or a one-element array.

    Raises Refused for anything else (bool, str, complex with an imaginary part, containers).
    """
    budget = budget or _Budget(MAX_ITEMS)
    budget.take(1)
    if isinstance(value, bool) or isinstance(value, np.bool_):
        raise Refused(f"Expected {what}, got {'True' if value else 'False'}.")
    if isinstance(value, int):
        return int.__index__(value)
    if isinstance(value, float):
        return float.__float__(value)
    array = _as_base_array(value)
    if array is None and not isinstance(value, (str, bytes, list, tuple, dict)):
        array = _foreign_array(value, 1)
    if array is not None:
        if array.size != 1:
            raise Refused(f"Expected {what}, got an array of shape {tuple(array.shape)}.")
        if array.dtype == object:
            if depth >= MAX_LEAF_DEPTH:
                raise Refused(f"Expected {what}, got values nested {depth} deep.")
            return read_number(array.reshape(-1)[0], what=what, depth=depth + 1, budget=budget)
        if array.dtype.kind == "b":
            raise Refused(f"Expected {what}, got a boolean array.")
        if array.dtype.kind not in "iufc":
            raise Refused(f"Expected {what}, got an array of {array.dtype.name[:20]}.")
        number = array.reshape(-1)[0].item()
        if isinstance(number, complex):
            if number.imag:
                raise Refused(f"Expected a real number, got a complex one ({number:.4g}).")
            number = number.real
        return number
    if isinstance(value, complex):
        number = complex.__complex__(value)
        if number.imag:
            raise Refused(f"Expected a real number, got a complex one ({number:.4g}).")
        return number.real
    if type(value) in (fractions.Fraction, decimal.Decimal):
        return float(value)  # the standard library's exact numbers
    if isinstance(value, str):
        raise Refused(f"Expected {what}, got the text {_quoted(value)}.")
    raise Refused(f"Expected {what}, got {kind_name(value)}.")


def _quoted(text: str, limit: int = 40) -> str:
    plain_text = str.__str__(text) if str.__len__(text) <= 400 else str.__str__(text)[:400]
    shown = repr(plain_text)
    return shown if len(shown) <= limit else shown[: limit - 4] + "...'"


def _foreign_array(value, template_size: int) -> np.ndarray | None:
    """An object with ``__array__`` (a TensorFlow, JAX or torch tensor) as a base ndarray.

    Its claimed ``.shape`` is bounded first; the converted array is bounded again.
    """
    if not hasattr(type(value), "__array__"):
        return None
    bound = _size_bound(template_size)
    shape = getattr(value, "shape", None)
    try:
        if shape is not None and math.prod(int(size) for size in shape) > bound:
            raise Refused(f"Your answer has shape {tuple(shape)}: far too large.")
        array = np.asarray(value)
    except Refused:
        raise
    except Exception as error:  # a student's object whose __array__ fails
        raise Refused(
            f"Your {kind_name(value)} cannot be read as numbers ({kind_name(error)})."
        ) from None
    if not isinstance(array, np.ndarray) or array.size > bound:
        raise Refused(f"Your {kind_name(value)} cannot be read as a small array of numbers.")
    return np.asarray(array)


def read_array(value, template_size: int = 1, *, budget=None) -> np.ndarray:
    """A float ndarray from an array, nested lists/tuples of numbers, a number or a tensor.

    The size is bounded by ``100 × template_size + 1000`` before any element is read.
    """
    budget = budget or _Budget(MAX_ITEMS)
    bound = _size_bound(template_size)
    array = _as_base_array(value)
    if array is None and isinstance(value, (list, tuple)):
        return np.array(_nested_numbers(value, bound, budget, depth=0), dtype=float)
    if array is None and isinstance(value, (bool, int, float, complex)):
        return np.array(float(read_number(value, budget=budget)))
    if array is None:
        array = _foreign_array(value, template_size)
    if array is None:
        raise Refused(f"Expected an array of numbers, got {kind_name(value)}.")
    if array.size > bound:
        raise Refused(f"Your array has shape {tuple(array.shape)}: far larger than expected.")
    budget.take(int(array.size))
    if array.dtype == object:
        numbers_read = [read_number(item, budget=budget) for item in array.reshape(-1)]
        return np.array(numbers_read, dtype=float).reshape(array.shape)
    if array.dtype.kind == "b":
        raise Refused("Expected numbers, got an array of True/False.")
    if array.dtype.kind == "c":
        if np.any(array.imag):
            raise Refused("Expected real numbers, got complex ones.")
        array = array.real
    if array.dtype.kind not in "iuf":
        raise Refused(f"Expected numbers, got an array of {array.dtype.name[:20]}.")
    return np.array(array, dtype=float)  # a copy: nothing the student holds can change it


def _nested_numbers(value, bound: int, budget: _Budget, depth: int):
    """Nested lists of plain floats; lengths and depth bounded before reading."""
    if depth > 16:
        raise Refused("Your answer is nested too deeply.")
    length = _length(value)
    if length is None:
        array = _as_base_array(value)
        if array is not None and array.ndim > 0:
            if array.size > bound:
                raise Refused(f"Your answer holds an array of shape {tuple(array.shape)}.")
            return read_array(array, bound, budget=budget).tolist()
        return float(read_number(value, budget=budget))
    if length > bound:
        raise Refused(f"Your answer has {length:,} items: far more than expected.")
    budget.take(length)
    return [_nested_numbers(item, bound, budget, depth + 1) for item in _items(value)]
