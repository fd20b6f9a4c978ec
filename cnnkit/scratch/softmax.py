"""Softmax (归一化指数函数) in three steps: exponentiate, sum, divide.

softmax(z)_i = exp(z_i) / sum_j exp(z_j); the outputs are positive and sum to 1.
"""

from __future__ import annotations

import numpy as np

from cnnkit.scratch._checks import as_float_array


def softmax(logits, axis: int = -1):
    """Numerically stable softmax: softmax(z) = softmax(z - max(z)).

    Subtracting the largest logit changes nothing mathematically (the factor exp(-max)
    cancels between numerator and denominator) but keeps every exp(...) <= 1, so large
    logits such as 1000 cannot overflow.
    """
    z = as_float_array(logits, "logits")
    shifted = z - np.max(z, axis=axis, keepdims=True)  # step 0: subtract the max
    exps = np.exp(shifted)  # step 1: exponentiate
    total = np.sum(exps, axis=axis, keepdims=True)  # step 2: sum
    return exps / total  # step 3: divide


def naive_softmax(logits, axis: int = -1):
    """Softmax straight from the formula exp(z_i) / sum_j exp(z_j), without the max-subtraction.

    For large logits (float64: above about 709; float32: about 88) exp overflows to inf and
    inf / inf gives nan. NumPy's overflow warnings are suppressed so that a notebook can show
    the nan next to :func:`softmax`'s correct answer.
    """
    z = as_float_array(logits, "logits")
    with np.errstate(over="ignore", invalid="ignore"):
        exps = np.exp(z)
        return exps / np.sum(exps, axis=axis, keepdims=True)


def log_softmax(logits, axis: int = -1):
    """log softmax(z)_i = (z_i - max z) - log sum_j exp(z_j - max z), stable for any logits."""
    z = as_float_array(logits, "logits")
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
