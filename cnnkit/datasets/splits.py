"""The course's data rule: validation is carved from the training data, never from the test set.

Whatever chooses (early stopping, a learning-rate schedule, a checkpoint, a search, "the best
epoch", a dropout rate) looks at validation data only; the test set gives the reported number
once per final model. :func:`train_validation_split` makes that the easy path.
"""

from __future__ import annotations

import numbers

import numpy as np

__all__ = ["train_validation_split"]


def _validation_count(validation, total: int) -> int:
    if isinstance(validation, bool) or not isinstance(validation, numbers.Real):
        raise TypeError(
            f"validation must be a number of examples (int) or a fraction (float), got "
            f"{type(validation).__name__}; pass for example validation=5000 or validation=0.1."
        )
    if isinstance(validation, numbers.Integral):
        count = int(validation)
    else:
        if not 0.0 < float(validation) < 1.0:
            raise ValueError(
                f"a validation fraction must lie strictly between 0 and 1, got {validation!r}."
            )
        count = int(round(float(validation) * total))
    if not 1 <= count < total:
        raise ValueError(
            f"validation={validation!r} leaves {total - count} of {total} examples for training; "
            "keep at least one example on each side."
        )
    return count


def train_validation_split(x, y, *, validation, seed: int = 0):
    """Split training data into ((x_train, y_train), (x_val, y_val)), stratified by label.

    ``validation`` is a number of examples or a fraction of ``len(x)``. Each class keeps its
    share in both parts (the validation count per class is proportional to the class's size,
    rounded so the total is exact); within a part the order is shuffled with ``seed``, so the
    same seed gives the same split on every machine. Pass the *training* arrays only: the test
    set is never split.
    """
    x = np.asarray(x)
    y = np.asarray(y)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(
            f"x and y must hold one example per row with the same length, got {len(x) if x.ndim else 'a scalar'} "
            f"images and {len(y) if y.ndim else 'a scalar'} labels."
        )
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"seed must be a non-negative int, got {seed!r}.")
    total = len(x)
    count = _validation_count(validation, total)
    labels = y.reshape(total, -1)[:, 0] if y.ndim > 1 else y
    rng = np.random.default_rng(int(seed))
    classes, inverse = np.unique(labels, return_inverse=True)
    class_sizes = np.bincount(inverse, minlength=len(classes))
    # Largest-remainder rounding: per-class shares sum to exactly `count`.
    exact = class_sizes * count / total
    per_class = np.floor(exact).astype(int)
    shortfall = count - per_class.sum()
    per_class[np.argsort(-(exact - per_class), kind="stable")[:shortfall]] += 1
    validation_index = []
    for label_index, take in enumerate(per_class):
        members = np.flatnonzero(inverse == label_index)
        validation_index.append(rng.permutation(members)[:take])
    validation_index = rng.permutation(np.concatenate(validation_index))
    in_validation = np.zeros(total, dtype=bool)
    in_validation[validation_index] = True
    train_index = rng.permutation(np.flatnonzero(~in_validation))
    return (x[train_index], y[train_index]), (x[validation_index], y[validation_index])
