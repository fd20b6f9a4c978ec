"""Loss functions (损失函数): mean squared error (均方误差) and cross-entropy (交叉熵).

Every function returns the mean over samples (``reduction="mean"``, what Keras's loss classes
and ``model.fit`` report), the sum (``"sum"``) or one value per sample (``"none"``, what the
functions ``keras.losses.categorical_crossentropy`` etc. return).

Probabilities are clipped to ``[EPSILON, 1 - EPSILON]`` with ``EPSILON = 1e-7`` before the
logarithm, exactly as Keras does (``keras.config.epsilon()``), so log(0) never occurs. The
``from_logits=True`` variants take raw scores and use a stable log-softmax/log-sigmoid instead,
which needs no clipping (Keras's ``from_logits=True``).
"""

from __future__ import annotations

import numpy as np

from cnnkit.scratch._checks import as_float_array
from cnnkit.scratch.softmax import log_softmax

#: Keras's fuzz factor ``keras.config.epsilon()``.
EPSILON = 1e-7


def _reduce(per_sample: np.ndarray, reduction: str):
    if reduction == "mean":
        return float(np.mean(per_sample))
    if reduction == "sum":
        return float(np.sum(per_sample))
    if reduction == "none":
        return per_sample
    raise ValueError(f'reduction must be "mean", "sum" or "none", got {reduction!r}')


def _same_shape(y_true, y_pred, what: str):
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"{what}: y_true and the predictions must have the same shape, "
            f"got {y_true.shape} and {y_pred.shape}"
        )


def _log(p, log_base):
    if log_base is None:
        return np.log(p)
    if log_base <= 0 or log_base == 1:
        raise ValueError(f"log_base must be positive and not 1 (or None for ln), got {log_base}")
    return np.log(p) / np.log(log_base)


def mean_squared_error(y_true, y_pred, reduction: str = "mean"):
    """MSE = mean over the last axis of (y_true - y_pred)^2, then over samples."""
    y_true = as_float_array(y_true, "y_true")
    y_pred = as_float_array(y_pred, "y_pred")
    _same_shape(y_true, y_pred, "mean_squared_error")
    per_sample = np.mean((y_true - y_pred) ** 2, axis=-1) if y_pred.ndim else (y_true - y_pred) ** 2
    return _reduce(per_sample, reduction)


def binary_cross_entropy(
    y_true, p, from_logits: bool = False, log_base=None, reduction: str = "mean"
):
    """BCE = -[y log p + (1 - y) log(1 - p)], averaged over the last axis, then over samples.

    ``p`` is the predicted probability of class 1 (clipped to [1e-7, 1 - 1e-7] like Keras);
    with ``from_logits=True`` it is the raw score z and p = sigmoid(z), computed stably as
    max(z, 0) - z y + log(1 + exp(-|z|)).
    """
    y_true = as_float_array(y_true, "y_true")
    p = as_float_array(p, "p")
    _same_shape(y_true, p, "binary_cross_entropy")
    if from_logits:
        per_element = np.maximum(p, 0) - p * y_true + np.log1p(np.exp(-np.abs(p)))
        if log_base is not None:
            per_element = per_element / np.log(log_base)
    else:
        p = np.clip(p, EPSILON, 1 - EPSILON)
        per_element = -(y_true * _log(p, log_base) + (1 - y_true) * _log(1 - p, log_base))
    per_sample = np.mean(per_element, axis=-1) if per_element.ndim else per_element
    return _reduce(per_sample, reduction)


def categorical_cross_entropy(
    y_true_onehot, p, from_logits: bool = False, log_base=None, reduction: str = "mean"
):
    """CCE = -sum_i y_i log p_i over the classes; a one-hot y leaves the single term -log p_true.

    Worked example: the true class predicted with p = 0.9 costs -ln(0.9) = 0.105 (natural log,
    what Keras uses); ``log_base=10`` reproduces the students' notes, -log10(0.9) = 0.046.
    Like Keras, ``p`` is first rescaled to sum to 1 and clipped to [1e-7, 1 - 1e-7].
    """
    y = as_float_array(y_true_onehot, "y_true_onehot")
    p = as_float_array(p, "p")
    _same_shape(y, p, "categorical_cross_entropy")
    if p.ndim < 1:
        raise ValueError("categorical_cross_entropy: p must have a class axis (the last one)")
    if from_logits:
        log_p = log_softmax(p, axis=-1)
        if log_base is not None:
            log_p = log_p / np.log(log_base)
    else:
        p = p / np.sum(p, axis=-1, keepdims=True)
        log_p = _log(np.clip(p, EPSILON, 1 - EPSILON), log_base)
    return _reduce(-np.sum(y * log_p, axis=-1), reduction)


def sparse_categorical_cross_entropy(
    labels, p, from_logits: bool = False, log_base=None, reduction: str = "mean"
):
    """Categorical cross-entropy with integer labels: -log p[label] per sample.

    The same number as :func:`categorical_cross_entropy` with one-hot labels (Keras's
    ``sparse_categorical_crossentropy``; PyTorch's ``F.nll_loss`` is this with log p given).
    """
    labels = np.asarray(labels)
    p = as_float_array(p, "p")
    if p.ndim < 1:
        raise ValueError(
            "sparse_categorical_cross_entropy: p must have a class axis (the last one)"
        )
    if labels.shape == p.shape[:-1] + (1,):
        labels = labels[..., 0]
    if labels.shape != p.shape[:-1]:
        raise ValueError(
            f"labels must have the shape of p without its class axis, {p.shape[:-1]}, got {labels.shape}"
        )
    if not np.issubdtype(labels.dtype, np.integer):
        if np.any(labels != np.round(labels)):
            raise TypeError("labels must be integer class indices (0, 1, ...), not probabilities")
        labels = labels.astype(np.int64)
    n_classes = p.shape[-1]
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"labels must lie in 0..{n_classes - 1}, got values {labels.min()}..{labels.max()}"
        )
    onehot = np.eye(n_classes, dtype=p.dtype)[labels]
    return categorical_cross_entropy(onehot, p, from_logits, log_base, reduction)


def binary_cross_entropy_from_logits(y_true, logits, reduction: str = "mean"):
    """:func:`binary_cross_entropy` with raw scores (Keras's ``from_logits=True``)."""
    return binary_cross_entropy(y_true, logits, from_logits=True, reduction=reduction)


def categorical_cross_entropy_from_logits(y_true_onehot, logits, reduction: str = "mean"):
    """:func:`categorical_cross_entropy` with raw scores (Keras's ``from_logits=True``)."""
    return categorical_cross_entropy(y_true_onehot, logits, from_logits=True, reduction=reduction)


def sparse_categorical_cross_entropy_from_logits(labels, logits, reduction: str = "mean"):
    """:func:`sparse_categorical_cross_entropy` with raw scores (Keras's ``from_logits=True``)."""
    return sparse_categorical_cross_entropy(labels, logits, from_logits=True, reduction=reduction)
