"""Small input checks shared by the scratch modules (clear messages for students)."""

from __future__ import annotations

import numpy as np

from cnnkit.validation import check_int


def as_float_array(x, name: str) -> np.ndarray:
    """``x`` as a floating NumPy array (float32 stays float32, integers become float64)."""
    try:
        array = np.asarray(x)
    except Exception as error:  # pragma: no cover - NumPy's own message is kept
        raise TypeError(f"{name} must be array-like of numbers, got {type(x).__name__}") from error
    if array.dtype == object or not (
        np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_
    ):
        raise TypeError(f"{name} must hold numbers, got dtype {array.dtype}")
    if not np.issubdtype(array.dtype, np.floating):
        array = array.astype(np.float64)
    return array


def check_ndim(array: np.ndarray, allowed: tuple[int, ...], name: str, meaning: str) -> None:
    """Raise ValueError unless ``array.ndim`` is one of ``allowed``."""
    if array.ndim not in allowed:
        raise ValueError(
            f"{name} must have {' or '.join(map(str, allowed))} dimensions ({meaning}), "
            f"got shape {array.shape}"
        )


def positive_int(value, name: str) -> int:
    """``value`` as a positive int, or a TypeError/ValueError naming ``name``."""
    return check_int(name, value, 1)


def pair(value, name: str) -> tuple[int, int]:
    """An int or a pair of ints as ``(rows, cols)``, each positive."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair (rows, cols), got {value!r}")
        return positive_int(value[0], name), positive_int(value[1], name)
    v = positive_int(value, name)
    return v, v


def same_padding(size: int, window: int, stride: int) -> tuple[int, int]:
    """Keras/TensorFlow "same" padding of one axis: output ceil(size/stride), extra cell at the end.

    total = max((ceil(size / stride) - 1) * stride + window - size, 0);
    before = total // 2, after = total - before.
    """
    out = -(-size // stride)
    total = max((out - 1) * stride + window - size, 0)
    return total // 2, total - total // 2


def resolve_padding(
    padding, size: tuple[int, int], window: tuple[int, int], stride: tuple[int, int]
):
    """Padding as ``((top, bottom), (left, right))`` from an int, a pair, "valid" or "same"."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode == "valid":
            return (0, 0), (0, 0)
        if mode == "same":
            return (
                same_padding(size[0], window[0], stride[0]),
                same_padding(size[1], window[1], stride[1]),
            )
        raise ValueError(f'padding must be an int, "valid" or "same", got {padding!r}')
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        rows, cols = padding
    else:
        rows = cols = padding
    for p in (rows, cols):
        if isinstance(p, bool) or not isinstance(p, (int, np.integer)) or p < 0:
            raise ValueError(
                f'padding must be a non-negative int, a pair of them, "valid" or "same", got {padding!r}'
            )
    return (int(rows), int(rows)), (int(cols), int(cols))
