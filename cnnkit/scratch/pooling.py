"""Pooling (池化) in NumPy: max (最大池化), average (平均池化) and min pooling, like Keras.

Each output cell summarises one pool_h x pool_w window of one channel; channels stay separate
and there are no parameters. Output size per axis: floor((W1 - F) / S) + 1 for
``padding="valid"`` and ceil(W1 / S) for ``"same"``; the stride defaults to the pool size
(non-overlapping windows), as in ``keras.layers.MaxPooling2D``.

With ``"same"`` the padded cells never win: max pooling pads with -inf, min pooling with +inf,
and average pooling divides by the number of real cells in the window (as Keras/TensorFlow
do), not by the window size.

Worked example of the syllabus: the window [[1, 3], [2, 2]] has average 2 and maximum 3.
Arrays may be one grid ``(H, W)``, one image ``(H, W, C)`` or a batch ``(N, H, W, C)``.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnkit.scratch._checks import as_float_array, check_ndim, pair, resolve_padding


def _windows(x, pool_size, stride, padding, fill):
    """Windows of shape (N, H2, W2, C, pool_h, pool_w), padded cells set to ``fill``; + restore fn."""
    x = as_float_array(x, "x")
    check_ndim(x, (2, 3, 4), "x", "(H, W), (H, W, C) or (N, H, W, C)")
    original_ndim = x.ndim
    if x.ndim == 2:
        x = x[:, :, None]
    if x.ndim == 3:
        x = x[None]
    p_h, p_w = pair(pool_size, "pool_size")
    s_h, s_w = (p_h, p_w) if stride is None else pair(stride, "stride")
    if not (isinstance(padding, str) and padding.lower() in {"valid", "same"}):
        raise ValueError(
            f'padding must be "valid" or "same" (as in Keras pooling layers), got {padding!r}'
        )
    (top, bottom), (left, right) = resolve_padding(padding, x.shape[1:3], (p_h, p_w), (s_h, s_w))
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)), constant_values=fill)
    if x.shape[1] < p_h or x.shape[2] < p_w:
        raise ValueError(f"pool_size {(p_h, p_w)} is larger than the input {x.shape[1:3]}")
    windows = sliding_window_view(x, (p_h, p_w), axis=(1, 2))[:, ::s_h, ::s_w]

    def restore(out):
        if original_ndim == 2:
            return out[0, :, :, 0]
        return out[0] if original_ndim == 3 else out

    return windows, restore


def max_pool2d(x, pool_size=2, stride=None, padding: str = "valid"):
    """Max pooling: out[i, j, c] = max of the window; keeps the strongest response."""
    windows, restore = _windows(x, pool_size, stride, padding, fill=-np.inf)
    return restore(windows.max(axis=(-2, -1)))


def min_pool2d(x, pool_size=2, stride=None, padding: str = "valid"):
    """Min pooling: out[i, j, c] = min of the window (no Keras layer; equals -max_pool(-x))."""
    windows, restore = _windows(x, pool_size, stride, padding, fill=np.inf)
    return restore(windows.min(axis=(-2, -1)))


def average_pool2d(x, pool_size=2, stride=None, padding: str = "valid"):
    """Average pooling: out[i, j, c] = sum of the window's real cells / their number."""
    windows, restore = _windows(x, pool_size, stride, padding, fill=0.0)
    # The same windows over an array of ones count the real (unpadded) cells.
    counts, _ = _windows(np.ones_like(as_float_array(x, "x")), pool_size, stride, padding, fill=0.0)
    return restore(windows.sum(axis=(-2, -1)) / counts.sum(axis=(-2, -1)))
