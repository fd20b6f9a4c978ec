"""Counting in training: updates of batch, stochastic and mini-batch gradient descent and the
weights magnitude pruning keeps (chapter 07), verified by NumPy written apart."""

from __future__ import annotations

import math
import random

from cnnkit.review import sections
from cnnkit.review.problem import Draft, Source
from cnnkit.review.topics._checks import int_draft

GD_VARIANTS = Source(sections.OVERFIT, "Batch, stochastic and mini-batch gradient descent")
PRUNING = Source(sections.OVERFIT, "Fewer parameters after training: magnitude pruning (剪枝)")

SHEET = {
    "gd_variants": ("iterations_per_epoch", "gradient_descent"),
    "pruning": ("pruning",),
}


def gd_variants(rng: random.Random) -> Draft:
    """Weight updates in E epochs: batch GD 1 per epoch, SGD N, mini-batch ceil(N/B)."""
    samples = rng.choice([1000, 1840, 5000, 60000, 50000, 2500])
    batch = rng.choice([32, 64, 100, 128])
    epochs = rng.choice([1, 3, 5, 10])
    variant = rng.choice(["batch", "stochastic", "mini-batch"])
    per_epoch = {"batch": 1, "stochastic": samples, "mini-batch": math.ceil(samples / batch)}
    expected = per_epoch[variant] * epochs
    names = {
        "batch": "batch gradient descent (批量梯度下降: the whole training set per update)",
        "stochastic": "stochastic gradient descent (随机梯度下降: one sample per update)",
        "mini-batch": f"mini-batch gradient descent (小批量梯度下降) with batch size {batch}",
    }
    statement = (
        f"A training set has {samples:,} samples. How many weight updates (iterations, 迭代) do "
        f"{epochs} {'epoch' if epochs == 1 else 'epochs'} (轮) of {names[variant]} make?"
    )
    solution = (
        f"Per epoch: {per_epoch[variant]:,} update(s)"
        + (
            f" (ceil({samples:,}/{batch}) = {per_epoch[variant]:,}; the last batch is smaller)"
            if variant == "mini-batch"
            else ""
        )
        + f"; {epochs} epochs: {expected:,}.\n\n**Answer:** {expected:,}"
    )
    if variant == "mini-batch":
        pairs = [
            (samples // batch * epochs, "Round up: the last, smaller batch is one more update."),
            (per_epoch[variant], "Multiply by the number of epochs."),
            (samples * epochs, "Stochastic GD updates per sample; this variant does not."),
            (epochs, "Batch GD makes one update per epoch; this variant makes more."),
        ]
    else:  # the batch size is not part of these questions: no mini-batch mistake applies
        pairs = [
            (per_epoch[variant], "Multiply by the number of epochs."),
            (samples * epochs, "Stochastic GD updates once per sample; this variant does not."),
            (epochs, "Batch GD makes one update per epoch; this variant makes more."),
        ]

    def verify():
        import numpy as np

        size = {"batch": samples, "stochastic": 1, "mini-batch": batch}[variant]
        got = len(np.array_split(np.arange(samples), math.ceil(samples / size))) * epochs
        return got == expected, got

    data = dict(samples=samples, batch=batch, epochs=epochs, variant=variant)
    return int_draft(statement, expected, solution, pairs, verify, data, source=GD_VARIANTS)


def pruning(rng: random.Random) -> Draft:
    """Magnitude pruning of a Dense kernel: zero the fraction p of smallest |w|; count kept."""
    while True:  # a whole number of weights to prune, so the count is not a rounding question
        inputs = rng.choice([784, 256, 512, 100, 400])
        units = rng.choice([128, 64, 100, 10, 50])
        fraction = rng.choice([0.6, 0.8, 0.9, 0.75])  # not 0.5: kept and pruned would be equal
        weights = inputs * units
        if (round(fraction * 100) * weights) % 100 == 0:
            break
    pruned = round(fraction * weights)
    expected = weights - pruned
    statement = (
        f"Magnitude pruning (剪枝) sets the {fraction:.0%} of a Dense layer's kernel weights with "
        f"the smallest |w| to zero. The layer maps {inputs} inputs to {units} units (biases are "
        "not pruned). How many kernel weights stay non-zero?"
    )
    solution = (
        f"Kernel weights: {inputs}·{units} = {weights:,}; pruned: {fraction:g}·{weights:,} = "
        f"{pruned:,}; kept: {expected:,}.\n\n**Answer:** {expected:,}"
    )
    pairs = [
        (pruned, "That is the number set to zero; the question asks how many stay."),
        (expected + units, "Biases are not kernel weights: count the kernel only."),
        (weights + units - pruned, "Biases are not kernel weights: count the kernel only."),
        (weights, "Pruning zeroes some weights: subtract them."),
    ]

    def verify():
        import numpy as np

        kernel = np.random.default_rng(0).normal(size=(inputs, units))
        threshold = np.sort(np.abs(kernel), axis=None)[pruned - 1]
        got = int(np.count_nonzero(np.where(np.abs(kernel) <= threshold, 0.0, kernel)))
        return got == expected, got

    data = dict(inputs=inputs, units=units, fraction=fraction)
    return int_draft(statement, expected, solution, pairs, verify, data, source=PRUNING)


SEARCH = Source(
    sections.OVERFIT,
    "5. Hyperparameters (超参数): grid, random and Bayesian search with KerasTuner",
)
SHEET["hyperparameter_search"] = ("search",)

_SPACES = {
    "learning rate": (0.1, 0.01, 0.001, 0.0001),
    "units": (16, 32, 64, 128, 256),
    "dropout": (0.0, 0.2, 0.3, 0.5),
    "batch size": (32, 64, 128),
    "optimizer": ("SGD", "Adam"),
}


def search_trials(rng: random.Random) -> Draft:
    """Trials of a grid search: the product of the numbers of values (every combination)."""
    names = rng.sample(list(_SPACES), 3)
    sizes = [rng.randint(2, len(_SPACES[name])) for name in names]
    expected = math.prod(sizes)
    listed = "; ".join(
        f"{name} ∈ {{{', '.join(map(str, _SPACES[name][:k]))}}}"
        for name, k in zip(names, sizes, strict=True)
    )
    statement = (
        f"A grid search (网格搜索) over {listed}. How many trials (training runs) does it make?"
    )
    solution = (
        "A grid tries every combination: "
        + " × ".join(map(str, sizes))
        + f" = {expected}. (Random search makes as many trials as its budget; Bayesian "
        "optimisation too, choosing each from the results so far.)\n\n"
        f"**Answer:** {expected}"
    )
    pairs = [
        (sum(sizes), "A grid tries every combination: multiply the numbers of values, not add."),
        (max(sizes), "A grid tries every combination of the values of all hyperparameters."),
        (expected - 1, "Count every combination, the first included."),
    ]

    def verify():
        import itertools

        got = len(
            list(itertools.product(*(_SPACES[n][:k] for n, k in zip(names, sizes, strict=True))))
        )
        return got == expected, got

    data = dict(names=names, sizes=sizes)
    return int_draft(statement, expected, solution, pairs, verify, data, source=SEARCH)
