"""Softmax and cross-entropy (chapter 01)."""

from __future__ import annotations

import math
import random

from cnnkit.exercises.core import Result, correct, incorrect
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import (
    _check_float,
    _keras,
    as_numbers,
)

# --------------------------------------------------------------------------- softmax


def softmax(rng: random.Random) -> Draft:
    size = rng.choice([3, 3, 4])
    logits = [float(rng.choice([-2, -1, 0, 0.5, 1, 1.5, 2, 3])) for _ in range(size)]
    exps = [math.exp(z) for z in logits]
    total = sum(exps)
    exact = [e / total for e in exps]
    expected = [round(p, 3) for p in exact]
    shown = ", ".join(f"{z:g}" for z in logits)
    statement = (
        f"A classifier outputs the logits (逻辑值) z = ({shown}). Compute softmax (归一化指数函数) "
        "of z. Answer as a list of probabilities rounded to 3 decimals."
    )
    steps = [
        "1. Exponentiate: "
        + ", ".join(f"e^{z:g} = {e:.4f}" for z, e in zip(logits, exps, strict=True)),
        f"2. Sum: {total:.4f}",
        "3. Divide: "
        + ", ".join(f"{e:.4f}/{total:.4f} = {p:.3f}" for e, p in zip(exps, exact, strict=True)),
        "The probabilities sum to 1 (up to rounding).",
        f"**Answer:** {expected}",
    ]
    tol = 0.0015

    def check(answer) -> Result:
        values = as_numbers(answer, f"a list of {size} probabilities such as [0.2, 0.3, 0.5]")
        if len(values) != size:
            return incorrect(
                f"There are {size} logits, so give {size} probabilities; you gave {len(values)}."
            )
        if all(abs(v - p) <= tol for v, p in zip(values, exact, strict=True)):
            return correct("Correct: exponentiate, sum, divide.")
        if all(abs(v - e) <= 0.01 for v, e in zip(values, exps, strict=True)):
            return incorrect("These are the exponentials: divide each by their sum (step 3).")
        plain_total = sum(logits)
        if plain_total and all(
            abs(v - z / plain_total) <= tol for v, z in zip(values, logits, strict=True)
        ):
            return incorrect(
                "Did you forget to exponentiate? softmax divides e^z_i by Σ e^z_j, not z_i by Σ z_j."
            )
        ten = [10**z for z in logits]
        if all(abs(v - t / sum(ten)) <= tol for v, t in zip(values, ten, strict=True)):
            return incorrect("Softmax uses e^z, not 10^z.")
        if abs(sum(values) - 1) > 0.01:
            return incorrect(f"Your values sum to {sum(values):.3f}; softmax outputs sum to 1.")
        worst = max(range(size), key=lambda i: abs(values[i] - exact[i]))
        return incorrect(
            f"Entry {worst + 1} (z = {logits[worst]:g}) is wrong: recheck e^z there and the sum."
        )

    check.typical_mistake = [round(e, 3) for e in exps]  # exponentials, never divided by the sum

    def verify():
        import numpy as np

        keras = _keras()
        got = np.asarray(keras.ops.softmax(np.array([logits], dtype="float32"), axis=-1))[0]
        return bool(np.allclose(got, exact, atol=1e-6)), got.round(6).tolist()

    data = dict(logits=logits)
    return Draft(statement, expected, "\n\n".join(steps), check, verify, data)


# --------------------------------------------------------------------------- cross_entropy


def _probabilities(rng: random.Random, size: int) -> list[float]:
    while True:
        parts = [rng.randint(1, 8) for _ in range(size)]
        if sum(parts) == 10:
            return [p / 10 for p in parts]


def cross_entropy(rng: random.Random) -> Draft:
    binary = rng.random() < 0.3
    tol = 0.0015
    if binary:
        p = rng.choice([0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99])
        y = rng.choice([0, 1])
        exact = -math.log(p) if y == 1 else -math.log(1 - p)
        statement = (
            f"A binary classifier (sigmoid output) predicts p = {p:g} for an image whose label "
            f"is y = {y}. Compute the binary cross-entropy (交叉熵) loss, rounded to 3 decimals."
        )
        kept = f"-ln({p:g})" if y == 1 else f"-ln(1 - {p:g}) = -ln({1 - p:g})"
        steps = [
            "BCE = -(y·ln p + (1 - y)·ln(1 - p)).",
            f"With y = {y} only one term survives: {kept} = {exact:.4f}.",
            f"**Answer:** {round(exact, 3)}",
        ]
        wrong_p = p if y == 0 else 1 - p
        pairs = [
            (
                -math.log10(p if y == 1 else 1 - p),
                "You used log10; Keras (and this course) use the natural log ln.",
            ),
            (
                -math.log2(p if y == 1 else 1 - p),
                "You used log2; Keras (and this course) use the natural log ln.",
            ),
            (-exact, "Cross-entropy has a minus sign: the loss is positive."),
            (
                -math.log(wrong_p),
                f"With y = {y} the surviving term is {'ln p' if y == 1 else 'ln(1 - p)'}.",
            ),
        ]
        data = dict(binary=True, p=p, y=y)
    else:
        size = rng.choice([3, 4])
        probs = _probabilities(rng, size)
        label = rng.randrange(size)
        p = probs[label]
        exact = -math.log(p)
        one_hot = [1 if i == label else 0 for i in range(size)]
        statement = (
            f"A {size}-class classifier outputs softmax probabilities {probs} for an image whose "
            f"one-hot label (独热编码) is {one_hot}. Compute the categorical cross-entropy (交叉熵) "
            "loss, rounded to 3 decimals."
        )
        steps = [
            "CE = -Σ y_i·ln p_i; the one-hot label leaves one term alive: the true class's.",
            f"CE = -ln({p:g}) = {exact:.4f}.",
            f"(With log base 10 as some notes compute it: {-math.log10(p):.4f}; Keras uses ln.)",
            f"**Answer:** {round(exact, 3)}",
        ]
        pairs = [
            (-math.log10(p), "You used log10 instead of ln: Keras uses the natural log."),
            (-exact, "Cross-entropy has a minus sign: -ln p is positive for p < 1."),
            (-math.log2(p), "You used log2 instead of ln: Keras uses the natural log."),
            (-math.log(1 - p), "Use the probability of the true class, p, not 1 - p."),
        ]
        pairs += [
            (
                -math.log(q),
                "That is the log of another class's probability; the one-hot label picks the true class.",
            )
            for i, q in enumerate(probs)
            if i != label
        ]
        pairs.append(
            (
                -sum(math.log(q) for q in probs),
                "Only the true class's term survives: the other y_i are 0.",
            )
        )
        data = dict(binary=False, probs=probs, label=label)
    expected = round(exact, 3)

    def verify():
        import numpy as np

        keras = _keras()
        if binary:
            loss = keras.losses.BinaryCrossentropy()(
                np.array([[float(y)]]), np.array([[p]], dtype="float32")
            )
        else:
            loss = keras.losses.CategoricalCrossentropy()(
                np.array([one_hot], dtype="float32"), np.array([probs], dtype="float32")
            )
        got = float(loss)
        return abs(got - exact) < 1e-4, got

    return Draft(
        statement,
        expected,
        "\n\n".join(steps),
        _check_float(exact, pairs, tol, rounding=0.0005 * (1 + 1e-9)),  # asked to 3 decimals
        verify,
        data,
    )
