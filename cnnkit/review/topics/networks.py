"""Arithmetic of the classic networks' building blocks (chapters 03-04): pooling values,
inception concatenation, batch normalisation, a residual block's projection shortcut."""

from __future__ import annotations

import math
import random

from cnnkit.exercises.core import Result, correct, incorrect
from cnnkit.review import sections
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import (
    _keras,
    _x,
    as_numbers,
    bounded_items,
    float_draft,
    int_draft,
)


def pool_values(rng: random.Random) -> Draft:
    grid = [[rng.randint(0, 9) for _ in range(4)] for _ in range(4)]
    kind = rng.choice(["max", "average"])
    windows = [[grid[r + i][c + j] for i in (0, 1) for j in (0, 1)] for r in (0, 2) for c in (0, 2)]
    reduce = max if kind == "max" else (lambda w: sum(w) / 4)
    exact = [float(reduce(w)) for w in windows]
    rows = "\n".join("    " + " ".join(str(v) for v in row) for row in grid)
    chinese = "最大池化" if kind == "max" else "平均池化"
    statement = (
        f"Apply {kind} pooling ({chinese}) with a 2×2 window and stride 2 to this 4×4 feature map:"
        f"\n\n```\n{rows}\n```\n\nAnswer as a list of the 4 outputs, row by row "
        "(top-left, top-right, bottom-left, bottom-right)."
    )
    solution = (
        "\n".join(
            f"window {i + 1}: {w} → {v:g}"
            for i, (w, v) in enumerate(zip(windows, exact, strict=True))
        )
        + f"\n\n**Answer:** {[round(v, 2) for v in exact]}"
    )
    other = [float(max(w)) if kind != "max" else sum(w) / 4 for w in windows]

    def check(answer) -> Result:
        # Rows may be nested ([[a, b], [c, d]]); every length is bounded before it is read.
        if isinstance(answer, str):
            answer = as_numbers(answer, "a list of 4 numbers such as [4, 9, 7, 8]")
        rows = bounded_items(answer, "a list of 4 numbers such as [4, 9, 7, 8]", limit=16)
        flat = []
        for row in rows:
            if isinstance(row, (list, tuple)) or getattr(row, "ndim", 0) > 0:
                flat += as_numbers(row, "a list of 4 numbers")
            else:
                flat += as_numbers([row], "a list of 4 numbers")
        if len(flat) != 4:
            return incorrect(
                f"A 4×4 map pooled 2×2 with stride 2 gives 2×2 = 4 values; you gave {len(flat)}."
            )
        if all(abs(a - b) <= 0.01 for a, b in zip(flat, exact, strict=True)):
            return correct(f"Correct: the {kind} of each 2×2 window.")
        if all(abs(a - b) <= 0.01 for a, b in zip(flat, other, strict=True)):
            wrong = "average" if kind == "max" else "maximum"
            return incorrect(f"You took the {wrong}; this is {kind} pooling.")
        worst = next(i for i in range(4) if abs(flat[i] - exact[i]) > 0.01)
        return incorrect(f"Output {worst + 1} is wrong: look at window {windows[worst]}.")

    if any(abs(a - b) > 0.01 for a, b in zip(other, exact, strict=True)):
        check.typical_mistake = other
    else:
        check.typical_mistake = [v + 1 for v in exact]

    def verify():
        import numpy as np

        keras = _keras()
        layer = keras.layers.MaxPooling2D(2) if kind == "max" else keras.layers.AveragePooling2D(2)
        x = np.array(grid, dtype="float32").reshape(1, 4, 4, 1)
        got = keras.ops.convert_to_numpy(layer(x)).reshape(-1)
        return bool(np.allclose(got, exact, atol=1e-5)), got.tolist()

    data = dict(grid=grid, kind=kind)
    return Draft(
        statement,
        [round(v, 2) for v in exact],
        solution,
        check,
        verify,
        data,
        source=sections.POOL_GRID,
    )


def inception_depth(rng: random.Random) -> Draft:
    size = rng.choice([28, 14, 7])
    channels = rng.choice([192, 256, 480, 512])
    b1, b3r, b3, b5r, b5, bp = (
        rng.choice([64, 128, 192]),
        rng.choice([96, 128]),
        rng.choice([128, 192, 208]),
        rng.choice([16, 32]),
        rng.choice([32, 48, 96]),
        rng.choice([32, 64]),
    )
    depth = b1 + b3 + b5 + bp
    expected = (size, size, depth)
    statement = (
        f"An inception module (Inception模块) reads a {_x(size, size, channels)} map. Its branches "
        f"('same' padding, stride 1): 1×1 conv with {b1} filters; 1×1 conv ({b3r}) → 3×3 conv "
        f"({b3}); 1×1 conv ({b5r}) → 5×5 conv ({b5}); 3×3 max pool → 1×1 conv ({bp}). The "
        "branches are concatenated. What is the output depth?"
    )
    solution = (
        "'same' padding and stride 1 keep every branch at "
        f"{size}×{size}, so the maps stack along the channel axis: depth = {b1} + {b3} + {b5} + "
        f"{bp} = {depth}. The 1×1 reductions ({b3r}, {b5r}) are inside branches and do not add up."
        f"\n\n**Answer:** {depth}"
    )
    pairs = [
        (
            b1 + b3r + b3 + b5r + b5 + bp,
            "The 1×1 reductions feed the 3×3 and 5×5 convs; only each branch's last layer is concatenated.",
        ),
        (
            depth + channels,
            "The pooling branch's 1×1 conv replaces the input's depth; the input is not concatenated.",
        ),
        (
            b1 + b3 + b5 + channels,
            "The pooling branch ends in a 1×1 conv: count its filters, not the input's channels.",
        ),
        (
            max(b1, b3, b5, bp),
            "Concatenation adds the branch depths (it does not keep the largest).",
        ),
    ]

    def verify():
        keras = _keras()
        layers = keras.layers
        x = keras.Input((size, size, channels))
        branches = [
            layers.Conv2D(b1, 1, padding="same")(x),
            layers.Conv2D(b3, 3, padding="same")(layers.Conv2D(b3r, 1)(x)),
            layers.Conv2D(b5, 5, padding="same")(layers.Conv2D(b5r, 1)(x)),
            layers.Conv2D(bp, 1)(layers.MaxPooling2D(3, strides=1, padding="same")(x)),
        ]
        shape = tuple(layers.Concatenate()(branches).shape[1:])
        return shape == expected, shape

    data = dict(size=size, channels=channels, branches=(b1, b3r, b3, b5r, b5, bp))
    return int_draft(statement, depth, solution, pairs, verify, data, source=sections.INCEPTION)


def batchnorm_value(rng: random.Random) -> Draft:
    while True:  # a sample at the batch mean outputs β whatever the mistake: nothing to teach
        batch = sorted(rng.sample([0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 8.0], 4))
        index = rng.randrange(4)
        mean = sum(batch) / 4
        if abs(batch[index] - mean) >= 0.5:
            break
    gamma = rng.choice([1.0, 2.0, 0.5])
    beta = rng.choice([0.0, 1.0, -1.0])
    variance = sum((b - mean) ** 2 for b in batch) / 4
    eps = 1e-3
    exact = gamma * (batch[index] - mean) / math.sqrt(variance + eps) + beta
    statement = (
        f"A batch normalisation (批量归一化) unit in training mode sees the batch {batch} "
        f"(one feature, 4 samples). With γ = {gamma:g}, β = {beta:g} and ε = 0.001 (Keras's "
        f"default), what does it output for the sample x = {batch[index]:g}? (3 decimals)"
    )
    solution = (
        f"μ = {mean:g}; σ² = mean of squared deviations = {variance:g} (divide by n, not n - 1).\n\n"
        f"x̂ = (x - μ)/√(σ² + ε) = ({batch[index]:g} - {mean:g})/√({variance:g} + 0.001) = "
        f"{(batch[index] - mean) / math.sqrt(variance + eps):.4f}.\n\n"
        f"y = γ·x̂ + β = {exact:.4f}.\n\n**Answer:** {round(exact, 3)}"
    )
    sample_var = sum((b - mean) ** 2 for b in batch) / 3
    pairs = [
        (
            gamma * (batch[index] - mean) / math.sqrt(sample_var + eps) + beta,
            "Batch normalisation divides the squared deviations by n (the batch size), not n - 1.",
        ),
        (
            (batch[index] - mean) / math.sqrt(variance + eps),
            "Scale by γ and shift by β after normalising: y = γ·x̂ + β.",
        ),
        (
            gamma * (batch[index] - mean) / (variance + eps) + beta,
            "Divide by the standard deviation √(σ² + ε), not the variance.",
        ),
        (gamma * (batch[index] - mean) + beta, "Divide by the standard deviation √(σ² + ε) too."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        layer = keras.layers.BatchNormalization(
            epsilon=eps,
            gamma_initializer=keras.initializers.Constant(gamma),
            beta_initializer=keras.initializers.Constant(beta),
        )
        got = keras.ops.convert_to_numpy(
            layer(np.array(batch, dtype="float32").reshape(4, 1), training=True)
        )
        value = float(got[index, 0])
        return abs(value - exact) < 1e-4, value

    data = dict(batch=batch, index=index, gamma=gamma, beta=beta)
    return float_draft(statement, exact, solution, pairs, verify, data, source=sections.BATCH_NORM)


def projection_shortcut(rng: random.Random) -> Draft:
    channels = rng.choice([64, 128, 256])
    out = channels * 2
    size = rng.choice([56, 28, 14])
    use_bn = rng.random() < 0.5
    weights = channels * out
    bn = 2 * out if use_bn else 0
    expected = weights + bn if use_bn else weights + out
    tail = (
        "a 1×1 convolution with stride 2 and no bias, followed by batch normalisation "
        "(count only its trainable γ and β)"
        if use_bn
        else "a 1×1 convolution with stride 2 (with bias)"
    )
    statement = (
        f"A ResNet block (残差块) takes a {_x(size, size, channels)} input and outputs "
        f"{_x(size // 2, size // 2, out)}, so y = F(x) + x needs a projection shortcut: {tail}. "
        "How many trainable parameters does the shortcut have?"
    )
    bias_line = f"BN's γ and β: 2 × {out} = {bn}." if use_bn else f"Biases: {out}."
    solution = (
        f"The 1×1 kernel sees one position of all {channels} channels: 1×1×{channels}×{out} = "
        f"{weights:,} weights. {bias_line} The stride halves the size but adds no parameters."
        f"\n\n**Answer:** {expected}"
    )
    pairs = [
        (weights, "Add the biases (or BN's γ and β)."),
        (9 * weights + (bn if use_bn else out), "The projection is a 1×1 convolution, not 3×3."),
        (
            weights + 4 * out if use_bn else weights,
            "Count only the trainable parameters: γ and β (the moving mean and variance are not trained)."
            if use_bn
            else "Add the biases.",
        ),
    ]

    def verify():
        keras = _keras()
        x = keras.Input((size, size, channels))
        y = keras.layers.Conv2D(out, 1, strides=2, use_bias=not use_bn)(x)
        if use_bn:
            y = keras.layers.BatchNormalization()(y)
        model = keras.Model(x, y)
        trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
        return trainable == expected and tuple(y.shape[1:]) == (
            size // 2,
            size // 2,
            out,
        ), trainable

    data = dict(channels=channels, size=size, use_bn=use_bn)
    return int_draft(statement, expected, solution, pairs, verify, data, source=sections.RESNET)
