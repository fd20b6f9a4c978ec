"""Update rules that had no practice: AdaGrad and Nesterov steps, and L2 weight-decay
arithmetic (chapter 07); the steps verified by a real Keras optimizer, L2 by
``keras.regularizers.L2`` and a NumPy finite difference."""

from __future__ import annotations

import math
import random

from cnnkit.review import sections
from cnnkit.review.problem import Draft, Source
from cnnkit.review.topics._checks import _keras, float_draft
from cnnkit.review.topics.by_hand import not_near_zero

L2_DECAY = Source(sections.OVERFIT, "L2 weight decay (权重衰减)")

SHEET = {
    "adagrad_nesterov": ("adagrad", "nesterov"),
    "l2_regularization": ("weight_decay",),
}


def _keras_steps(optimizer, w0: float, gradients) -> float:
    """The weight after Keras's optimizer applies ``gradients`` one after the other."""
    import numpy as np

    keras = _keras()
    variable = keras.Variable(np.array([w0], "float32"))
    for g in gradients:
        optimizer.apply_gradients(
            [(keras.ops.convert_to_tensor(np.array([g], "float32")), variable)]
        )
    return float(keras.ops.convert_to_numpy(variable)[0])


def adagrad(rng: random.Random) -> Draft:
    """Two AdaGrad steps as Keras: G ← G + g²; w ← w - α·g/√G, G starting at 0.1."""
    w0 = rng.choice([1.0, 0.5, -1.0, 2.0])
    g1, g2 = rng.choice([0.5, 1.0, -0.5, 2.0]), rng.choice([0.5, 1.0, -1.0, 0.2])
    lr = rng.choice([0.1, 0.5, 1.0])
    start = 0.1
    big1 = start + g1 * g1
    w1 = w0 - lr * g1 / math.sqrt(big1)
    big2 = big1 + g2 * g2
    exact = w1 - lr * g2 / math.sqrt(big2)
    statement = (
        f"A weight w = {w0:g} is trained with AdaGrad (自适应梯度算法), learning rate α = {lr:g}, "
        f"the accumulator G starting at {start:g} (Keras's initial_accumulator_value). The "
        f"gradients of the first two steps are {g1:g} and {g2:g}. What is w after the two steps "
        "(G ← G + g²; w ← w - α·g/√G, ε ≈ 0)? (4 decimals)"
    )
    solution = (
        f"Step 1: G = {start:g} + {g1:g}² = {big1:g}; w = {w0:g} - {lr:g}·{g1:g}/√{big1:g} = "
        f"{w1:.4f}.\n\nStep 2: G = {big1:g} + {g2:g}² = {big2:g}; w = {w1:.4f} - "
        f"{lr:g}·{g2:g}/√{big2:g} = {exact:.4f}.\n\n**Answer:** {round(exact, 4)}"
    )
    from_zero = w0 - lr * g1 / abs(g1) - lr * g2 / math.sqrt(g1 * g1 + g2 * g2)
    pairs = [
        (from_zero, "Keras's accumulator starts at 0.1, not 0 (the question says so)."),
        (
            w1 - lr * g2 / math.sqrt(start + g2 * g2),
            "G accumulates: add g² to the previous G, do not restart from 0.1.",
        ),
        (w0 - lr * g1 / big1 - lr * g2 / big2, "Divide by √G, not by G."),
        (w0 - lr * (g1 + g2), "That is plain SGD; AdaGrad divides each step by √G."),
        (w1, "That is after the first step only; apply the second one too."),
    ]

    def verify():
        keras = _keras()
        optimizer = keras.optimizers.Adagrad(
            learning_rate=lr, initial_accumulator_value=start, epsilon=1e-12
        )
        got = _keras_steps(optimizer, w0, [g1, g2])
        return abs(got - exact) < 1e-5, got

    data = dict(w0=w0, g=(g1, g2), lr=lr)
    return float_draft(
        statement,
        exact,
        solution,
        pairs,
        verify,
        data,
        tol=2e-4,
        digits=4,
        source=sections.OPTIMIZERS,
    )


def nesterov(rng: random.Random) -> Draft:
    """Two Nesterov steps as Keras: v ← m·v - α·g; w ← w + m·v - α·g."""
    w0 = rng.choice([1.0, 0.5, -1.0, 2.0])
    g1, g2 = rng.choice([0.5, 1.0, -0.5, 2.0]), rng.choice([0.5, 1.0, -1.0, 0.2])
    lr = rng.choice([0.1, 0.05, 0.2])
    m = 0.9
    v1 = -lr * g1
    w1 = w0 + m * v1 - lr * g1
    v2 = m * v1 - lr * g2
    exact = w1 + m * v2 - lr * g2
    statement = (
        f"A weight w = {w0:g} is trained with SGD with Nesterov momentum (Nesterov动量) m = 0.9, "
        f"learning rate α = {lr:g}, velocity starting at 0. The gradients of the first two steps "
        f"are {g1:g} and {g2:g}. What is w after the two steps (Keras: v ← m·v - α·g; "
        "w ← w + m·v - α·g)? (4 decimals)"
    )
    solution = (
        f"Step 1: v = -{lr:g}·{g1:g} = {v1:.4f}; w = {w0:g} + 0.9·({v1:.4f}) - {lr:g}·{g1:g} = "
        f"{w1:.4f}.\n\nStep 2: v = 0.9·({v1:.4f}) - {lr:g}·{g2:g} = {v2:.4f}; w = {w1:.4f} + "
        f"0.9·({v2:.4f}) - {lr:g}·{g2:g} = {exact:.4f}.\n\n**Answer:** {round(exact, 4)}"
    )
    classic = w0 + v1 + v2
    pairs = [
        (
            classic,
            "That is classical momentum (w ← w + v); Nesterov looks ahead: w ← w + m·v - α·g.",
        ),
        (w0 - lr * (g1 + g2), "That is plain SGD; Nesterov adds the momentum look-ahead."),
        (w1, "That is after the first step only; apply the second one too."),
        (w0 - m * v1 + lr * g1 - m * v2 + lr * g2, "Move against the gradient: v = m·v - α·g."),
    ]

    def verify():
        keras = _keras()
        optimizer = keras.optimizers.SGD(learning_rate=lr, momentum=m, nesterov=True)
        got = _keras_steps(optimizer, w0, [g1, g2])
        return abs(got - exact) < 1e-5, got

    data = dict(w0=w0, g=(g1, g2), lr=lr)
    return float_draft(
        statement,
        exact,
        solution,
        pairs,
        verify,
        data,
        tol=2e-4,
        digits=4,
        source=sections.OPTIMIZERS,
    )


def adagrad_nesterov(rng: random.Random) -> Draft:
    """Two steps of AdaGrad or of Nesterov momentum."""
    return not_near_zero(rng.choice([adagrad, nesterov]), rng)


# --------------------------------------------------------------------------- L2


def l2_penalty(rng: random.Random) -> Draft:
    """Keras L2(λ): penalty λ·Σ w² added to the loss."""
    weights = [rng.choice([-2, -1, -0.5, 0.5, 1, 2, 3]) for _ in range(rng.choice([3, 4]))]
    lam = rng.choice([0.01, 0.001, 0.1, 0.05])
    squares = sum(w * w for w in weights)
    exact = lam * squares
    statement = (
        f"A layer's weights are {weights}; it has `kernel_regularizer=keras.regularizers.L2"
        f"({lam:g})` (L2正则化). What does the penalty λ·Σ w² add to the loss?"
    )
    solution = (
        f"Σ w² = {' + '.join(f'{w * w:g}' for w in weights)} = {squares:g}; "
        f"λ·Σ w² = {lam:g}·{squares:g} = {exact:g}.\n\n**Answer:** {exact:.3g}"
    )
    pairs = [
        (
            lam * sum(abs(w) for w in weights),
            "That is the L1 penalty λ·Σ|w|; L2 squares the weights.",
        ),
        (exact / 2, "Keras's L2(λ) is λ·Σ w², without the 1/2 some books use."),
        (squares, "Multiply by λ."),
        (lam * sum(weights) ** 2, "Square each weight, then sum (not the square of the sum)."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        got = float(
            keras.ops.convert_to_numpy(keras.regularizers.L2(lam)(np.array(weights, "float32")))
        )
        return abs(got - exact) < 1e-5 * max(1.0, exact), got

    data = dict(weights=weights, lam=lam)
    return float_draft(
        statement,
        exact,
        solution,
        pairs,
        verify,
        data,
        tol=max(6e-3 * exact, 1e-6),  # 3 significant figures
        digits=3,  # 3 decimals from 0.1 up, 3 significant figures below
        source=L2_DECAY,
    )


def l2_step(rng: random.Random) -> Draft:
    """One gradient step with L2 weight decay: w ← w - α(g + 2λw)."""
    w0 = rng.choice([1.0, 2.0, -1.0, 0.5, 3.0])
    g = rng.choice([0.5, -0.5, 1.0, 0.0, 0.2])
    lam = rng.choice([0.01, 0.05, 0.1])
    lr = rng.choice([0.1, 0.5])
    exact = w0 - lr * (g + 2 * lam * w0)
    statement = (
        f"A weight w = {w0:g} has data-loss gradient ∂J/∂w = {g:g}. The loss also has the L2 "
        f"penalty λ·w² with λ = {lam:g} (权重衰减). What is w after one gradient-descent step "
        f"with learning rate α = {lr:g}? (4 decimals)"
    )
    solution = (
        f"The penalty's gradient is 2λw = 2·{lam:g}·{w0:g} = {2 * lam * w0:g}.\n\n"
        f"w ← w - α(g + 2λw) = {w0:g} - {lr:g}·({g:g} + {2 * lam * w0:g}) = {exact:.4f}."
        f"\n\n**Answer:** {round(exact, 4)}"
    )
    pairs = [
        (w0 - lr * g, "Add the penalty's gradient 2λw to the data gradient."),
        (w0 - lr * (g + lam * w0), "The derivative of λw² is 2λw (the factor 2)."),
        (w0 - lr * (g - 2 * lam * w0), "Weight decay pulls w toward 0: add +2λw to the gradient."),
        (w0 - lr * (g + 2 * lam), "The penalty's gradient is 2λw: multiply by w."),
    ]

    def verify():
        import numpy as np

        def loss(w):  # the data loss's slope g at w0, plus the penalty: a finite difference
            return g * w + lam * w * w

        h = 1e-6
        slope = (loss(np.float64(w0) + h) - loss(np.float64(w0) - h)) / (2 * h)
        got = float(w0 - lr * slope)
        return abs(got - exact) < 1e-7, got

    data = dict(w0=w0, g=g, lam=lam, lr=lr)
    return float_draft(
        statement, exact, solution, pairs, verify, data, tol=2e-4, digits=4, source=L2_DECAY
    )


def l2_regularization(rng: random.Random) -> Draft:
    """An L2 penalty value or one step with weight decay."""
    return not_near_zero(rng.choice([l2_penalty, l2_step]), rng, smallest=1e-4)
