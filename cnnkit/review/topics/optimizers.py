"""One optimizer step: SGD, momentum, Adam, RMSProp (chapter 07)."""

from __future__ import annotations

import math
import random

from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import (
    _keras,
    float_draft,
)

# --------------------------------------------------------------------------- optimizer_step


def _sgd(rng: random.Random, w0: float, g: float, lr: float):
    """Plain gradient descent: w ← w - α·g."""
    name = "SGD (随机梯度下降)"
    exact = w0 - lr * g
    question = f"A weight w = {w0:g} has gradient dL/dw = {g:g}. What is w after one {name} step with learning rate (学习率) {lr:g}?"
    steps = [f"w ← w - α·g = {w0:g} - {lr:g}×{g:g} = {exact:.4f}."]
    pairs = [
        (w0 + lr * g, "Gradient descent moves against the gradient: subtract α·g."),
        (w0 - g, "Multiply the gradient by the learning rate α."),
        (-lr * g, "That is the step; add it to the old weight."),
    ]
    grads = [g]
    return name, exact, question, steps, pairs, grads


def _momentum(rng: random.Random, w0: float, g: float, lr: float):
    """Two steps of SGD with momentum 0.9 (Keras: v ← m·v - α·g; w ← w + v)."""
    g2 = rng.choice([0.2, 0.5, 1.0, -0.5])
    m = 0.9
    v1 = -lr * g
    w1 = w0 + v1
    v2 = m * v1 - lr * g2
    exact = w1 + v2
    name = "SGD with momentum (动量) 0.9"
    question = (
        f"A weight w = {w0:g} is trained with {name} and learning rate {lr:g}, velocity starting at 0. "
        f"The gradients of the first two steps are {g:g} and {g2:g}. What is w after the two steps?"
    )
    steps = [
        "Keras: v ← m·v - α·g; w ← w + v.",
        f"Step 1: v = 0.9×0 - {lr:g}×{g:g} = {v1:.4f}; w = {w0:g} + ({v1:.4f}) = {w1:.4f}.",
        f"Step 2: v = 0.9×({v1:.4f}) - {lr:g}×{g2:g} = {v2:.4f}; w = {w1:.4f} + ({v2:.4f}) = {exact:.4f}.",
    ]
    pairs = [
        (
            w0 - lr * g - lr * g2,
            "That is two plain SGD steps: the second step also carries 0.9× the first velocity.",
        ),
        (
            w0 + lr * g + (m * lr * g + lr * g2),
            "Gradient descent moves against the gradient: v = m·v - α·g.",
        ),
        (w1, "That is after the first step only; apply the second one too."),
    ]
    grads = [g, g2]
    return name, exact, question, steps, pairs, grads


def _adam(rng: random.Random, w0: float, g: float, lr: float):
    """Adam's first step, bias-corrected: size α whatever the gradient."""
    name = "Adam (自适应矩估计)"
    b1, b2, eps = 0.9, 0.999, 1e-7
    m1 = (1 - b1) * g
    v1 = (1 - b2) * g * g
    m_hat, v_hat = m1 / (1 - b1), v1 / (1 - b2)
    exact = w0 - lr * m_hat / (math.sqrt(v_hat) + eps)
    question = (
        f"A weight w = {w0:g} has gradient {g:g}. What is w after the first {name} step with "
        f"learning rate {lr:g} (β1 = 0.9, β2 = 0.999, ε ≈ 0)? (4 decimals)"
    )
    steps = [
        f"m = (1 - β1)·g = {m1:.4f}; v = (1 - β2)·g² = {v1:.6f}.",
        f"Bias correction at t = 1: m̂ = m/(1 - 0.9) = {m_hat:g}; v̂ = v/(1 - 0.999) = {v_hat:g}.",
        f"w ← w - α·m̂/(√v̂ + ε) = {w0:g} - {lr:g}×{m_hat:g}/{math.sqrt(v_hat):g} = {exact:.4f}.",
        "Adam's first step has size α whatever the gradient's size: m̂/√v̂ = g/|g| = ±1.",
    ]
    pairs = [
        (
            w0 - lr * g,
            "That is plain SGD; Adam divides by √v̂ = |g| on the first step, so the step is α·sign(g).",
        ),
        (w0 + lr * math.copysign(1, g), "Adam moves against the gradient: subtract."),
        (
            w0 - lr * m1 / math.sqrt(v1),
            "Apply the bias correction: m̂ = m/(1 - β1), v̂ = v/(1 - β2).",
        ),
    ]
    grads = [g]
    return name, exact, question, steps, pairs, grads


def _rmsprop(rng: random.Random, w0: float, g: float, lr: float):
    """RMSProp's first step: w ← w - α·g/√v with v = (1 - ρ)·g²."""
    name = "RMSProp (均方根传播)"
    rho = 0.9
    v1 = (1 - rho) * g * g
    exact = w0 - lr * g / math.sqrt(v1)
    question = (
        f"A weight w = {w0:g} has gradient {g:g}. What is w after the first {name} step with "
        f"learning rate {lr:g}, ρ = 0.9, the average of squared gradients starting at 0, ε ≈ 0? (4 decimals)"
    )
    steps = [
        f"v ← ρ·v + (1 - ρ)·g² = 0.1×{g * g:g} = {v1:.4f}.",
        f"w ← w - α·g/√v = {w0:g} - {lr:g}×{g:g}/{math.sqrt(v1):.4f} = {exact:.4f}.",
        "On the first step g/√v = ±1/√0.1 ≈ ±3.162: the step is about 3.16·α.",
    ]
    pairs = [
        (
            w0 - lr * g,
            "That is plain SGD; RMSProp divides by √v, the root of the running average of g².",
        ),
        (
            w0 - lr * math.copysign(1, g),
            "Forgot the (1 - ρ) factor: v = 0.1·g² on the first step, not g².",
        ),
        (w0 + lr * g / math.sqrt(v1), "RMSProp moves against the gradient: subtract."),
    ]
    grads = [g]
    return name, exact, question, steps, pairs, grads


_STEPS = {"sgd": _sgd, "momentum": _momentum, "adam": _adam, "rmsprop": _rmsprop}


def optimizer_step(rng: random.Random) -> Draft:
    kind = rng.choice(["sgd", "momentum", "adam", "rmsprop"])
    w0 = rng.choice([0.5, 1.0, 1.5, 2.0, -1.0])
    g = rng.choice([0.2, 0.4, 0.5, 1.0, 2.0, -0.5, -1.0])
    lr = rng.choice([0.1, 0.05, 0.01]) if kind != "adam" else rng.choice([0.1, 0.01, 0.001])
    # Answers are given to 4 decimals; small learning rates need a tight tolerance.
    tol = max(6e-5, min(6e-4, lr * 0.05))
    name, exact, question, steps, pairs, grads = _STEPS[kind](rng, w0, g, lr)
    statement = question
    steps.append(f"**Answer:** {round(exact, 4):g}")

    def verify():
        import numpy as np

        keras = _keras()
        optimizer = {
            "sgd": lambda: keras.optimizers.SGD(learning_rate=lr),
            "momentum": lambda: keras.optimizers.SGD(learning_rate=lr, momentum=0.9),
            "adam": lambda: keras.optimizers.Adam(learning_rate=lr),
            "rmsprop": lambda: keras.optimizers.RMSprop(learning_rate=lr, rho=0.9),
        }[kind]()
        variable = keras.Variable(np.array([w0], dtype="float32"))
        for gradient in grads:
            optimizer.apply_gradients(
                [(keras.ops.convert_to_tensor(np.array([gradient], dtype="float32")), variable)]
            )
        got = float(np.asarray(variable.numpy())[0])
        return abs(got - exact) < 1e-4, got

    data = dict(kind=kind, w0=w0, grads=grads, lr=lr)
    return float_draft(statement, exact, "\n\n".join(steps), pairs, verify, data, tol=tol, digits=4)
