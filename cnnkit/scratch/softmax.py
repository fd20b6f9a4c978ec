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


# --- the maximum-entropy principle (最大熵原理) ------------------------------------------------


def entropy(probabilities, axis: int = -1):
    """H(p) = -sum_i p_i ln p_i (natural log; terms with p_i = 0 count as 0)."""
    p = as_float_array(probabilities, "probabilities")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(p), 0.0)
    return np.sum(terms, axis=axis)


def max_entropy_distribution(scores, expected_score: float, tolerance: float = 1e-12):
    """The distribution over the K classes with the largest entropy whose expected score
    sum_i p_i z_i equals ``expected_score``: p = softmax(λz), returned as ``(p, λ)``.

    Lagrange multipliers give p_i ∝ exp(λ z_i); λ is the one number fixed by the constraint.
    The expected score of softmax(λz) rises monotonically with λ (its derivative is the
    variance of z under p), so λ is found by bisection. λ = 1 is plain softmax(z), for the
    expected score that softmax(z) itself has.
    """
    z = as_float_array(scores, "scores")
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"scores must be a 1-D array of at least 2 class scores, got {z.shape}")
    if not z.min() < expected_score < z.max():
        raise ValueError(
            f"expected_score must lie strictly between the smallest and largest score "
            f"({z.min():g}, {z.max():g}), got {expected_score!r}: no distribution reaches it "
            "otherwise, or only one that puts all mass on the extreme classes."
        )

    def mean_score(lam):
        return float(softmax(lam * z) @ z)

    low, high = -1.0, 1.0
    while mean_score(low) > expected_score:
        low *= 2
    while mean_score(high) < expected_score:
        high *= 2
    while high - low > tolerance * max(1.0, abs(high)):
        middle = (low + high) / 2
        low, high = (middle, high) if mean_score(middle) < expected_score else (low, middle)
    lam = (low + high) / 2
    return softmax(lam * z), lam


def random_distributions_with_expected_score(scores, expected_score: float, n: int, seed=0):
    """``n`` random distributions p (rows) over the classes, each with sum_i p_i z_i equal to
    ``expected_score``: the competitors of :func:`max_entropy_distribution`.

    Each row mixes two random Dirichlet draws, one with a lower and one with a higher expected
    score than the target, in the one proportion that meets the target exactly.
    """
    z = as_float_array(scores, "scores")
    rng = np.random.default_rng(seed)
    rows = []
    while len(rows) < n:
        draws = rng.dirichlet(np.full(z.size, rng.choice([0.3, 1.0, 3.0])), size=2)
        low, high = sorted(draws, key=lambda p: p @ z)
        s_low, s_high = low @ z, high @ z
        if not s_low < expected_score < s_high:
            continue
        t = (s_high - expected_score) / (s_high - s_low)
        rows.append(t * low + (1 - t) * high)
    return np.array(rows)
