"""Batch, iteration and epoch arithmetic (批大小, 迭代, 轮).

An iteration processes one batch; an epoch is one pass over all training samples.
"""

from __future__ import annotations

from cnnkit.formulas._checks import check_bool, check_int
from cnnkit.formulas.registry import formula


@formula(
    title="Iterations per epoch",
    chinese="每轮迭代次数",
    text="iterations per epoch = ceil(N / B)",
    legend="N training samples, B batch size (floor(N / B) when the last partial batch is dropped)",
    example=dict(samples=1840, batch_size=8),
    chapter="01",
)
def iterations_per_epoch(samples, batch_size, drop_remainder=False) -> int:
    """Iterations (batches) per epoch: ceil(N / B), or floor(N / B) with drop_remainder.

    Keras's ``fit`` runs the last, smaller batch too (ceil); ``tf.data``'s
    ``batch(..., drop_remainder=True)`` drops it (floor).
    Example: 1,840 samples with batch size 8 -> 230 iterations per epoch.
    """
    n = check_int("samples", samples, 1)
    b = check_int("batch_size", batch_size, 1)
    if check_bool("drop_remainder", drop_remainder):
        if b > n:
            raise ValueError(
                f"batch_size={b} is larger than samples={n}, so drop_remainder=True leaves "
                f"no batch at all. Use a smaller batch_size or drop_remainder=False."
            )
        return n // b
    return -(-n // b)


@formula(
    title="Epochs for a number of iterations",
    chinese="迭代次数对应的轮数",
    text="epochs = iterations / ceil(N / B)",
    legend="N training samples, B batch size",
    example=dict(iterations=4000, samples=1840, batch_size=8),
    chapter="01",
)
def epochs_for_iterations(iterations, samples, batch_size, drop_remainder=False) -> float:
    """Epochs that a number of iterations amounts to: iterations / iterations_per_epoch.

    Returns a float: 4,000 iterations with 1,840 samples and batch size 8 are
    4000 / 230 ≈ 17.39, i.e. "about 17 epochs".
    """
    i = check_int("iterations", iterations, 0)
    return i / iterations_per_epoch(samples, batch_size, drop_remainder=drop_remainder)
