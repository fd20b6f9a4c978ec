"""Computations by hand that had no practice: convolution output values (chapter 02), a neuron,
a two-layer forward pass and one backpropagation gradient (chapter 01), MSE and KL divergence
(chapter 01); each verified by Keras (layers, losses) or by NumPy written apart."""

from __future__ import annotations

import math
import random
import re

from cnnkit.exercises.core import Result, correct, incorrect
from cnnkit.review import sections
from cnnkit.review.problem import Draft, Source
from cnnkit.review.topics._checks import _keras, as_numbers, bounded_items, float_draft

CONV_BY_HAND = Source(sections.CONV, "2. Convolution by hand")
NEURON = Source(sections.BASICS, "2. The neuron and logistic regression")
FORWARD_BACKWARD = Source(sections.BASICS, "3. Forward and backward propagation")
TWO_LAYER = Source(sections.BASICS, "12. The two-layer network by hand")

SHEET = {
    "conv_values": ("conv_value",),
    "forward_backward": ("neuron", "backprop"),
    "mse_kl": ("mse", "kl_divergence"),
}


def _grid(rows) -> str:
    return "```\n" + "\n".join(" ".join(f"{v:>3}" for v in row) for row in rows) + "\n```"


def _numbers(answer, count: int) -> list[float]:
    """The student's numbers row by row: a flat or nested list/array, or a text such as
    '[[-4, 3], [2, 14]]' or '-4 3 2 14' (read by the practice's bounded readers)."""
    what = f"a list of {count} numbers (row by row)"
    if isinstance(answer, str):
        return as_numbers(re.sub(r"[\[\]()]", " ", answer), what)
    flat = []
    for item in bounded_items(answer, what):
        if hasattr(item, "__len__") and not isinstance(item, (str, bytes)):
            flat.extend(as_numbers(item, what))
        else:
            flat.extend(as_numbers([item], what))
    return flat


# --------------------------------------------------------------------------- conv values


def _correlate(image, kernel, bias):
    k = len(kernel)
    n = len(image) - k + 1
    return [
        sum(image[i + a][j + b] * kernel[a][b] for a in range(k) for b in range(k)) + bias
        for i in range(n)
        for j in range(n)
    ]


def conv_values(rng: random.Random) -> Draft:
    """A 2×2 output of a 3×3 kernel on a 4×4 input (stride 1, 'valid', one channel, bias b)."""
    image = [[rng.randint(0, 3) for _ in range(4)] for _ in range(4)]
    while True:
        kernel = [[rng.choice([-1, 0, 1, 2]) for _ in range(3)] for _ in range(3)]
        flipped = [row[::-1] for row in kernel[::-1]]
        if flipped != kernel:
            break
    bias = rng.choice([0, 1, -1, 2])
    expected = _correlate(image, kernel, bias)
    statement = (
        "A convolution layer (卷积层) with one 3×3 kernel (卷积核), stride 1, no padding and bias "
        f"b = {bias} reads this 4×4 input:\n\n{_grid(image)}\n\nkernel:\n\n{_grid(kernel)}\n\n"
        "What is its 2×2 output (before any activation)? Answer as a list of the 4 values, "
        "row by row. (Keras and the course compute cross-correlation: the kernel is not flipped.)"
    )
    first = " + ".join(
        f"{image[a][b]}·{kernel[a][b]}" for a in range(3) for b in range(3) if kernel[a][b]
    )
    solution = (
        "Slide the kernel over the 4 positions; at each, multiply element by element, sum, add b."
        f"\n\nTop-left: {first or '0'} + {bias} = {expected[0]}.\n\nThe four: {expected}."
        f"\n\n**Answer:** {expected}"
    )
    mistakes = [
        (
            _correlate(image, flipped, bias),
            "You flipped the kernel (textbook convolution); Keras slides it as it is "
            "(cross-correlation).",
        ),
        (_correlate(image, kernel, 0), "Add the bias b to every output value."),
    ]
    mistakes = [(values, text) for values, text in mistakes if values != expected]

    def check(answer) -> Result:
        got = _numbers(answer, 4)
        if len(got) != 4:
            return incorrect(f"The output is 2×2: give 4 values row by row; you gave {len(got)}.")
        if all(abs(a - b) < 1e-6 for a, b in zip(got, expected, strict=True)):
            return correct("Correct: multiply, sum over the window, add the bias.")
        for values, message in mistakes:
            if all(abs(a - b) < 1e-6 for a, b in zip(got, values, strict=True)):
                return incorrect(message)
        if sorted(got) == sorted(expected):
            return incorrect("The right values in the wrong order: give them row by row.")
        wrong = [i + 1 for i in range(4) if abs(got[i] - expected[i]) > 1e-6]
        return incorrect(
            f"Value(s) {wrong} are wrong: at each position multiply the 3×3 window element by "
            "element with the kernel, sum the 9 products, add b."
        )

    check.typical_mistake = mistakes[0][0] if mistakes else [v + 1 for v in expected]

    def verify():
        import numpy as np

        keras = _keras()
        layer = keras.layers.Conv2D(1, 3)
        layer.build((None, 4, 4, 1))
        layer.set_weights(
            [np.array(kernel, "float32")[:, :, None, None], np.array([bias], "float32")]
        )
        got = keras.ops.convert_to_numpy(layer(np.array(image, "float32")[None, :, :, None]))
        got = got.reshape(-1).round(4).tolist()
        return got == [float(v) for v in expected], got

    data = dict(image=image, kernel=kernel, bias=bias)
    return Draft(statement, expected, solution, check, verify, data, source=CONV_BY_HAND)


# --------------------------------------------------------------------------- forward, backward


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def neuron_output(rng: random.Random) -> Draft:
    """a = f(w·x + b) for one neuron with a sigmoid or ReLU activation."""
    name = rng.choice(["sigmoid", "ReLU"])
    while True:  # |z| ≤ 3: a saturated sigmoid would hide the bias mistake in the 3rd decimal
        x = [rng.choice([-2, -1, 0.5, 1, 2, 3]) for _ in range(3)]
        w = [rng.choice([-1, -0.5, 0.5, 1, 2]) for _ in range(3)]
        b = rng.choice([-1, -0.5, 0, 0.5, 1])
        z = sum(a * c for a, c in zip(w, x, strict=True)) + b
        if abs(z) <= 3:
            break
    if name == "ReLU" and z <= 0:
        b = b + abs(z) + 1  # a ReLU problem with a positive z teaches more than a 0
        z = sum(a * c for a, c in zip(w, x, strict=True)) + b
    exact = _sigmoid(z) if name == "sigmoid" else max(0.0, z)
    statement = (
        f"A neuron (神经元) has weights w = {tuple(w)}, bias b = {b:g} and a {name} activation. "
        f"Its input is x = {tuple(x)}. What is its output a = f(w·x + b)? (3 decimals)"
    )
    products = " + ".join(f"({a:g})·({c:g})" for a, c in zip(w, x, strict=True))
    solution = (
        f"z = w·x + b = {products} + ({b:g}) = {z:g}.\n\n"
        f"a = {name}({z:g}) = {exact:.4f}.\n\n**Answer:** {round(exact, 3)}"
    )
    pairs = [
        (z, f"That is z = w·x + b; apply the {name} activation to it."),
        (
            (_sigmoid(z - b) if name == "sigmoid" else max(0.0, z - b)),
            "Add the bias b before the activation.",
        ),
    ]
    if name == "sigmoid":
        pairs.append((1 - exact, "σ(z) = 1/(1 + e^-z): the sign of the exponent is minus z."))

    def verify():
        import numpy as np

        keras = _keras()
        layer = keras.layers.Dense(1, activation="sigmoid" if name == "sigmoid" else "relu")
        layer.build((None, 3))
        layer.set_weights([np.array(w, "float32")[:, None], np.array([b], "float32")])
        got = float(keras.ops.convert_to_numpy(layer(np.array([x], "float32")))[0, 0])
        return abs(got - exact) < 1e-5, got

    data = dict(x=x, w=w, b=b, activation=name)
    return float_draft(statement, exact, solution, pairs, verify, data, source=NEURON)


def two_layer_forward(rng: random.Random) -> Draft:
    """y = w2·ReLU(W1·x + b1) + b2 for 2 inputs, 2 hidden ReLU units, one linear output."""
    while True:  # one hidden unit active, one cut by ReLU: the ReLU step matters
        x = [rng.choice([-1, 1, 2]) for _ in range(2)]
        w1 = [[rng.choice([-1, 0.5, 1, 2]) for _ in range(2)] for _ in range(2)]
        b1 = [rng.choice([-1, 0, 1]) for _ in range(2)]
        w2 = [rng.choice([-1, 0.5, 1, 2]) for _ in range(2)]
        b2 = rng.choice([0, 0.5, -0.5])
        z = [sum(w1[i][j] * x[j] for j in range(2)) + b1[i] for i in range(2)]
        if min(z) < 0 < max(z):
            break
    h = [max(0.0, v) for v in z]
    exact = sum(w2[i] * h[i] for i in range(2)) + b2
    no_relu = sum(w2[i] * z[i] for i in range(2)) + b2
    statement = (
        "A two-layer network: 2 inputs, 2 hidden ReLU units, 1 linear output. Hidden unit i "
        f"computes h_i = ReLU(w_i1·x_1 + w_i2·x_2 + b_i) with (w_11, w_12) = {tuple(w1[0])}, "
        f"(w_21, w_22) = {tuple(w1[1])}, b = {tuple(b1)}; the output is y = v_1·h_1 + v_2·h_2 + c "
        f"with v = {tuple(w2)}, c = {b2:g}. What is y for x = {tuple(x)}? (3 decimals)"
    )
    solution = (
        f"Hidden pre-activations: z = ({z[0]:g}, {z[1]:g}); after ReLU h = ({h[0]:g}, {h[1]:g})."
        f"\n\ny = {w2[0]:g}·{h[0]:g} + {w2[1]:g}·{h[1]:g} + {b2:g} = {exact:g}.\n\n"
        f"**Answer:** {round(exact, 3)}"
    )
    pairs = [
        (no_relu, "Apply ReLU to the hidden units: negative pre-activations become 0."),
        (exact - b2, "Add the output bias c."),
    ]

    def verify():
        import numpy as np

        hidden = np.maximum(np.array(w1) @ np.array(x, float) + np.array(b1), 0.0)
        got = float(np.array(w2) @ hidden + b2)
        return abs(got - exact) < 1e-9, got

    data = dict(x=x, w1=w1, b1=b1, w2=w2, b2=b2)
    return float_draft(statement, exact, solution, pairs, verify, data, source=TWO_LAYER)


def backprop_gradient(rng: random.Random) -> Draft:
    """dL/dw for L = (a - y)², a = σ(w·x + b): chain rule 2(a - y)·σ(1 - σ)·x."""
    x = rng.choice([-2, -1, 0.5, 1, 2])
    w = rng.choice([-1, -0.5, 0.5, 1])
    b = rng.choice([-0.5, 0, 0.5])
    y = rng.choice([0, 1])
    z = w * x + b
    a = _sigmoid(z)
    exact = 2 * (a - y) * a * (1 - a) * x
    statement = (
        f"One sigmoid neuron a = σ(w·x + b) with w = {w:g}, b = {b:g} sees x = {x:g} with target "
        f"y = {y}; the loss is L = (a - y)². What is the gradient ∂L/∂w (反向传播, the chain "
        "rule)? (4 decimals)"
    )
    solution = (
        f"Forward: z = {w:g}·{x:g} + {b:g} = {z:g}; a = σ(z) = {a:.4f}.\n\n"
        "Chain rule: ∂L/∂w = ∂L/∂a · ∂a/∂z · ∂z/∂w = 2(a - y) · σ(z)(1 - σ(z)) · x\n\n"
        f"= 2·({a:.4f} - {y}) · {a * (1 - a):.4f} · {x:g} = {exact:.4f}.\n\n"
        f"**Answer:** {round(exact, 4)}"
    )
    pairs = [
        (2 * (a - y) * x, "Multiply by the sigmoid's derivative σ(z)(1 - σ(z)) (the middle link)."),
        (2 * (a - y) * a * (1 - a), "Multiply by ∂z/∂w = x (the last link)."),
        ((a - y) * a * (1 - a) * x, "The derivative of (a - y)² is 2(a - y)."),
        (-exact, "Sign: ∂L/∂a = 2(a - y), prediction minus target."),
    ]

    def verify():
        # Central finite difference of the loss, in float64 NumPy (independent of the chain rule).
        import numpy as np

        def loss(weight):
            return (1 / (1 + np.exp(-(weight * x + b))) - y) ** 2

        h = 1e-6
        got = float((loss(w + h) - loss(w - h)) / (2 * h))
        return abs(got - exact) < 1e-6, got

    data = dict(x=x, w=w, b=b, y=y)
    return float_draft(
        statement, exact, solution, pairs, verify, data, tol=2e-4, digits=4, source=FORWARD_BACKWARD
    )


def not_near_zero(make, rng: random.Random, smallest: float = 0.01) -> Draft:
    """Draw with ``make`` until the answer is at least ``smallest`` away from 0, so that 0 (a
    blank guess) is never within the tolerance of the right answer, and a typical mistake
    differs from it."""
    while True:
        draft = make(rng)
        # ... and until a typical mistake is left to teach (a neuron whose pre-activation is
        # negative gives 0 with or without the ReLU: no mistake message would apply).
        if abs(draft.answer) >= smallest and draft.checker.typical_mistake is not None:
            return draft


def forward_backward(rng: random.Random) -> Draft:
    """A neuron's output, a two-layer forward pass, or one backpropagation gradient."""
    return not_near_zero(rng.choice([neuron_output, two_layer_forward, backprop_gradient]), rng)


# --------------------------------------------------------------------------- MSE and KL


def mse(rng: random.Random) -> Draft:
    while True:  # MSE, MAE and RMSE all differ (they coincide when every |error| is 1)
        n = rng.choice([3, 4])
        y = [rng.choice([0, 1, 2, 3]) for _ in range(n)]
        p = [round(v + rng.choice([-1, -0.5, 0.5, 1, 0, 2]), 1) for v in y]
        errors = [a - b for a, b in zip(y, p, strict=True)]
        exact = sum(e * e for e in errors) / n
        mae = sum(abs(e) for e in errors) / n
        if min(abs(exact - mae), abs(exact - math.sqrt(exact)), exact) > 0.01:
            break
    statement = (
        f"A regression network predicts ŷ = {p} for targets y = {y}. What is the mean squared "
        "error (均方误差) MSE = (1/n) Σ (y_i - ŷ_i)²? (3 decimals)"
    )
    solution = (
        "Errors: "
        + ", ".join(f"{e:g}" for e in errors)
        + "; squares: "
        + ", ".join(f"{e * e:g}" for e in errors)
        + f".\n\nMSE = {sum(e * e for e in errors):g}/{n} = {exact:.4f}.\n\n**Answer:** {round(exact, 3)}"
    )
    pairs = [
        (sum(e * e for e in errors), "Mean: divide the sum of squares by n."),
        (sum(abs(e) for e in errors) / n, "That is the mean absolute error; square the errors."),
        (math.sqrt(exact), "That is the RMSE; MSE has no square root."),
        (sum(e * e for e in errors) / (2 * n), "No factor 1/2 here: MSE = (1/n) Σ (y - ŷ)²."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        loss = keras.losses.MeanSquaredError()(np.array([y], "float32"), np.array([p], "float32"))
        got = float(keras.ops.convert_to_numpy(loss))
        return abs(got - exact) < 1e-5, got

    data = dict(y=y, p=p)
    return float_draft(statement, exact, solution, pairs, verify, data, source=sections.LOSSES)


_DISTRIBUTIONS = [(0.5, 0.5), (0.2, 0.8), (0.9, 0.1), (0.6, 0.4), (0.3, 0.7), (0.25, 0.75)]


def kl(rng: random.Random) -> Draft:
    while True:  # the reversed KL must differ clearly, so that its message can be given
        p, q = rng.sample(_DISTRIBUTIONS, 2)
        exact = sum(a * math.log(a / b) for a, b in zip(p, q, strict=True))
        reverse = sum(b * math.log(b / a) for a, b in zip(p, q, strict=True))
        if abs(reverse - exact) > 0.005:
            break
    statement = (
        f"Two distributions over two classes: p = {p} (the target) and q = {q} (the model). "
        "What is the KL divergence (KL散度) D_KL(p‖q) = Σ p_i ln(p_i / q_i)? (4 decimals)"
    )
    terms = " + ".join(f"{a:g}·ln({a:g}/{b:g})" for a, b in zip(p, q, strict=True))
    solution = f"D_KL = {terms} = {exact:.4f}.\n\n**Answer:** {round(exact, 4)}"
    pairs = [
        (reverse, "KL is not symmetric: D_KL(p‖q) weights by p and divides p by q."),
        (
            sum(a * math.log10(a / b) for a, b in zip(p, q, strict=True)),
            "Wrong logarithm base: use ln (Keras and the course use natural logs).",
        ),
        (
            -sum(a * math.log(b) for a, b in zip(p, q, strict=True)),
            "That is the cross-entropy CE(p, q); KL = CE(p, q) - H(p).",
        ),
        (-exact, "Sign: ln(p/q), the target over the model."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        loss = keras.losses.KLDivergence()(np.array([p], "float32"), np.array([q], "float32"))
        got = float(keras.ops.convert_to_numpy(loss))
        return abs(got - exact) < 1e-5, got

    data = dict(p=p, q=q)
    return float_draft(
        statement, exact, solution, pairs, verify, data, tol=2e-4, digits=4, source=sections.LOSSES
    )


def mse_kl(rng: random.Random) -> Draft:
    """An MSE or a KL divergence value."""
    return not_near_zero(rng.choice([mse, kl]), rng)


# --------------------------------------------------------------------------- softmax overflow

SOFTMAX = sections.SOFTMAX
POOL_GRID = sections.POOL_GRID
SHEET.update({"softmax_overflow": ("softmax",), "min_pooling": ("pooling_values",)})


def softmax_overflow(rng: random.Random) -> Draft:
    """The largest softmax probability of logits near 1000: subtract the max first."""
    base = rng.choice([800, 1000, 1200])
    offsets = sorted(rng.sample([0, 1, 2, 3, -1], 3))
    z = [base + o for o in offsets]
    shifted = [v - max(z) for v in z]
    exps = [math.exp(s) for s in shifted]
    exact = exps[-1] / sum(exps)
    statement = (
        f"Logits z = {tuple(z)}. In float64, e^{base} overflows to inf (e^710 already does), so "
        "softmax computed as e^z / Σ e^z gives inf/inf = nan. Compute the probability of the last "
        "class the stable way (归一化指数函数). (3 decimals)"
    )
    solution = (
        f"Softmax is unchanged when a constant is subtracted from every logit: z - max z = "
        f"{tuple(shifted)}; e^(z - max z) = ({', '.join(f'{e:.4f}' for e in exps)}); "
        f"p_last = {exps[-1]:.4f}/{sum(exps):.4f} = {exact:.4f}.\n\n**Answer:** {round(exact, 3)}"
    )
    pairs = [
        (1 / len(z), "The logits differ: subtracting max z keeps their differences."),
        (1.0, "The other classes still get e^(z_i - max z) > 0: divide by the whole sum."),
        (exps[0] / sum(exps), "That is the first class; the question asks for the last."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        got = float(keras.ops.convert_to_numpy(keras.ops.softmax(np.array(z, "float32")))[-1])
        return abs(got - exact) < 1e-5, got

    data = dict(z=z)
    return float_draft(statement, exact, solution, pairs, verify, data, source=SOFTMAX)


# --------------------------------------------------------------------------- min pooling


def min_pooling(rng: random.Random) -> Draft:
    """2×2 min pooling with stride 2 on a 4×4 map: the smallest value of each window."""
    while True:  # every window holds different values: min, max and mean all differ
        grid = [[rng.randint(0, 9) for _ in range(4)] for _ in range(4)]
        windows = [
            [grid[i + a][j + b] for a in range(2) for b in range(2)] for i in (0, 2) for j in (0, 2)
        ]
        if all(min(w) < max(w) for w in windows):
            break
    expected = [min(w) for w in windows]
    statement = (
        "Apply min pooling (最小池化) with a 2×2 window and stride 2 to this 4×4 feature map:"
        f"\n\n{_grid(grid)}\n\nAnswer as a list of the 4 outputs, row by row."
    )
    solution = (
        "Each output is the smallest value of its 2×2 window: "
        + "; ".join(f"min{tuple(w)} = {m}" for w, m in zip(windows, expected, strict=True))
        + f".\n\n**Answer:** {expected}"
    )
    maxima = [max(w) for w in windows]
    means = [sum(w) / 4 for w in windows]

    def check(answer) -> Result:
        got = _numbers(answer, 4)
        if len(got) != 4:
            return incorrect(
                f"A 4×4 map pooled 2×2 with stride 2 gives 4 values; you gave {len(got)}."
            )
        if got == expected:
            return correct("Correct: the minimum of each window.")
        if got == maxima:
            return incorrect("That is max pooling; min pooling keeps the smallest value.")
        if all(abs(a - b) < 1e-6 for a, b in zip(got, means, strict=True)):
            return incorrect("That is average pooling; min pooling keeps the smallest value.")
        if sorted(got) == sorted(expected):
            return incorrect("The right values in the wrong order: give them row by row.")
        return incorrect("Some windows are wrong: the windows are the four 2×2 corners.")

    check.typical_mistake = maxima

    def verify():
        import numpy as np

        keras = _keras()
        x = -np.array(grid, "float32")[None, :, :, None]  # min pooling = -max pooling of -x
        got = -keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(x)).reshape(-1)
        return got.tolist() == [float(v) for v in expected], got.tolist()

    data = dict(grid=grid)
    return Draft(statement, expected, solution, check, verify, data, source=POOL_GRID)
