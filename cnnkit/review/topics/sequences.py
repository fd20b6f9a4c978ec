"""Recurrence, vanishing gradients and the GAN objective by hand (chapters 05-07)."""

from __future__ import annotations

import math
import random

from cnnkit.exercises.core import check_number
from cnnkit.review import sections
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import _keras, float_draft, read_number_text


def rnn_step(rng: random.Random) -> Draft:
    u = rng.choice([0.5, 1.0, 2.0, -1.0])
    w = rng.choice([0.5, 0.8, 1.0, -0.5])
    xs = [float(rng.choice([1, 2, -1, 0.5])) for _ in range(rng.choice([2, 3]))]
    states = [0.0]
    for x in xs:
        states.append(u * x + w * states[-1])
    exact = states[-1]
    statement = (
        "A one-unit recurrent layer (循环神经网络) with identity activation computes "
        f"s_t = U·x_t + W·s_(t-1), with U = {u:g}, W = {w:g}, s_0 = 0 and no bias. The input "
        f"sequence is x = {xs}. What is the last state s_{len(xs)}?"
    )
    lines = [
        f"s_{t} = {u:g}×{x:g} + {w:g}×{states[t - 1]:g} = {states[t]:g}"
        for t, x in enumerate(xs, start=1)
    ]
    solution = (
        "The same U and W at every step (weight sharing through time):\n\n"
        + "\n\n".join(lines)
        + f"\n\n**Answer:** {round(exact, 4):g}"
    )
    pairs = [
        (u * xs[-1], "The state carries the past: add W·s_(t-1) at every step."),
        (
            sum(u * x for x in xs),
            "The earlier inputs reach the last state through W, once per step: multiply by W.",
        ),
        (states[-2], "That is one step early; apply the recurrence to every input."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        layer = keras.layers.SimpleRNN(1, activation=None, use_bias=False)
        layer.build((None, len(xs), 1))
        layer.set_weights([np.array([[u]], "float32"), np.array([[w]], "float32")])
        got = float(
            keras.ops.convert_to_numpy(layer(np.array(xs, "float32").reshape(1, -1, 1)))[0, 0]
        )
        return abs(got - exact) < 1e-4, got

    data = dict(u=u, w=w, xs=xs)
    return float_draft(
        statement,
        exact,
        solution,
        pairs,
        verify,
        data,
        tol=1e-3,
        digits=4,
        source=sections.RECURRENCE,
    )


def sigmoid_chain(rng: random.Random) -> Draft:
    layers = rng.choice([2, 3, 4, 5, 6, 8])
    z = rng.choice([0.0, 0.0, 1.0, 2.0])
    sigma = 1 / (1 + math.exp(-z))
    factor = sigma * (1 - sigma)
    exact = factor**layers
    statement = (
        f"A gradient flows back through {layers} sigmoid layers whose pre-activations are all z = "
        f"{z:g} (weights 1, so only the activations scale it). By what factor is the gradient "
        "multiplied (梯度消失)? Answer to 3 significant figures (1% tolerance)."
    )
    solution = (
        f"σ'(z) = σ(z)(1 - σ(z)); σ({z:g}) = {sigma:.4f}, so σ'({z:g}) = {factor:.4f} "
        f"(at most 0.25, at z = 0).\n\nThe chain rule multiplies one factor per layer: "
        f"{factor:.4f}^{layers} = {exact:.3e}.\n\n**Answer:** {exact:.3e}"
    )
    pairs = [
        (
            factor * layers,
            "The chain rule multiplies the factors: raise to the power, not times the number of layers.",
        ),
        (sigma**layers, "Use the derivative σ' = σ(1 - σ), not σ itself."),
        (
            0.25**layers if z else 0.5**layers,
            "Compute σ'(z) at the given z; the maximum 0.25 holds only at z = 0."
            if z
            else "σ'(0) = 0.5 × 0.5 = 0.25, not 0.5.",
        ),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        x = keras.ops.convert_to_tensor(np.array([z], "float32"))
        s = keras.ops.sigmoid(x)
        derivative = float(np.asarray(s * (1 - s))[0])
        return abs(derivative**layers - exact) <= 1e-6 * max(
            exact, 1e-12
        ) + 1e-9, derivative**layers

    mistakes = {
        value: message
        for value, message in reversed(pairs)
        if not math.isclose(value, exact, rel_tol=0.02)
    }

    def check(answer):
        value = read_number_text(answer) if isinstance(answer, str) else answer
        return check_number(value, exact, mistakes=mistakes, rel_tol=0.01)

    check.typical_mistake = next(iter(reversed(list(mistakes))), None)
    data = dict(layers=layers, z=z)
    return Draft(
        statement, float(f"{exact:.3e}"), solution, check, verify, data, source=sections.VANISHING
    )


def gan_losses(rng: random.Random) -> Draft:
    d_real = rng.choice([0.6, 0.7, 0.8, 0.9, 0.95])
    d_fake = rng.choice([0.05, 0.1, 0.2, 0.3, 0.4])
    who = rng.choice(["discriminator", "generator"])
    if who == "discriminator":
        exact = -math.log(d_real) - math.log(1 - d_fake)
        question = (
            "the discriminator's loss: binary cross-entropy with label 1 for the real image and "
            "0 for the fake one, summed"
        )
        solution = (
            f"D wants D(x) → 1 and D(G(z)) → 0: L_D = -ln D(x) - ln(1 - D(G(z))) = -ln {d_real:g} - "
            f"ln {1 - d_fake:g} = {exact:.4f}."
        )
        pairs = [
            (
                -math.log(d_real) - math.log(d_fake),
                "The fake image's label is 0: its term is -ln(1 - D(G(z))).",
            ),
            (
                -math.log10(d_real) - math.log10(1 - d_fake),
                "Keras uses the natural log, not log10.",
            ),
            (exact / 2, "Sum the two terms (the question asks for the sum, not the mean)."),
        ]
    else:
        exact = -math.log(d_fake)
        question = (
            "the generator's (non-saturating) loss: binary cross-entropy of D(G(z)) against "
            "the label 1"
        )
        solution = (
            f"G wants D to call its sample real: L_G = -ln D(G(z)) = -ln {d_fake:g} = {exact:.4f}."
        )
        pairs = [
            (
                -math.log(1 - d_fake),
                "G trains against the label 1 (real): -ln D(G(z)), not -ln(1 - D(G(z))).",
            ),
            (
                -math.log(d_real),
                "The generator's loss is about its own sample G(z), not the real image.",
            ),
            (-math.log10(d_fake), "Keras uses the natural log, not log10."),
        ]
    statement = (
        f"In a GAN (生成对抗网络), the discriminator gives D(x) = {d_real:g} on a real image and "
        f"D(G(z)) = {d_fake:g} on a generated one. Compute {question}. (3 decimals)"
    )

    def verify():
        import numpy as np

        keras = _keras()
        bce = keras.losses.BinaryCrossentropy()
        if who == "discriminator":
            real = float(bce(np.array([[1.0]]), np.array([[d_real]], "float32")))
            fake = float(bce(np.array([[0.0]]), np.array([[d_fake]], "float32")))
            got = real + fake
        else:
            got = float(bce(np.array([[1.0]]), np.array([[d_fake]], "float32")))
        return abs(got - exact) < 1e-4, got

    data = dict(d_real=d_real, d_fake=d_fake, who=who)
    return float_draft(
        statement,
        exact,
        solution + f"\n\n**Answer:** {round(exact, 3)}",
        pairs,
        verify,
        data,
        source=sections.GAN_GAME,
    )
