"""Activation values by hand: step, ReLU, sigmoid, tanh (chapter 01)."""

from __future__ import annotations

import math
import random

from cnnkit.exercises.core import Result, correct, incorrect
from cnnkit.review import sections
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import _keras, as_numbers

_FUNCTIONS = {
    # Chapter 01, cnnkit.scratch.step, the exercises and the formula sheet: step(0) = 1.
    "step": (lambda z: 1.0 if z >= 0 else 0.0, "step(z) = 1 if z ≥ 0 else 0", "阶跃函数"),
    "ReLU": (lambda z: max(0.0, z), "ReLU(z) = max(0, z)", "ReLU"),
    "sigmoid": (lambda z: 1 / (1 + math.exp(-z)), "σ(z) = 1/(1 + e^-z)", "Sigmoid"),
    "tanh": (math.tanh, "tanh(z) = (e^z - e^-z)/(e^z + e^-z)", "双曲正切"),
}


def activation_values(rng: random.Random) -> Draft:
    name = rng.choice(list(_FUNCTIONS))
    function, formula, chinese = _FUNCTIONS[name]
    values = [float(rng.choice([-4, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 7])) for _ in range(4)]
    exact = [function(z) for z in values]
    expected = [round(v, 3) for v in exact]
    shown = ", ".join(f"{z:g}" for z in values)
    statement = (
        f"The pre-activations of four units are H = ({shown}). Apply the {name} activation "
        f"(激活函数, {chinese}) to each. Answer as a list rounded to 3 decimals."
    )
    solution = (
        f"{formula}, element by element: "
        + ", ".join(f"{name}({z:g}) = {v:.3f}" for z, v in zip(values, exact, strict=True))
        + f".\n\n**Answer:** {expected}"
    )

    def check(answer) -> Result:
        got = as_numbers(answer, "a list of 4 numbers such as [0.5, 0, 1, 0.119]")
        if len(got) != 4:
            return incorrect(f"There are 4 units, so give 4 values; you gave {len(got)}.")
        if all(abs(a - b) <= 0.0015 for a, b in zip(got, exact, strict=True)):
            return correct(f"Correct: {name} applied element by element.")
        if all(abs(a - b) <= 0.0015 for a, b in zip(got, values, strict=True)):
            return incorrect("These are the inputs unchanged: apply the activation to each.")
        for other, (function, _, _) in _FUNCTIONS.items():
            values_of_other = [function(z) for z in values]
            if other != name and all(
                abs(a - b) <= 0.0015 for a, b in zip(got, values_of_other, strict=True)
            ):
                return incorrect(f"That is {other}; the problem asks for {name}.")
        worst = max(range(4), key=lambda i: abs(got[i] - exact[i]))
        return incorrect(f"Entry {worst + 1} (z = {values[worst]:g}) is wrong: use {formula}.")

    confusions = {"step": "ReLU", "ReLU": "step", "sigmoid": "ReLU", "tanh": "ReLU"}
    typical = [_FUNCTIONS[confusions[name]][0](z) for z in values]
    if all(abs(a - b) <= 0.0015 for a, b in zip(typical, exact, strict=True)):
        typical = [v + 1 for v in expected]
    check.typical_mistake = typical

    def verify():
        # Keras for the smooth functions; for step, NumPy's heaviside with h(0) = 1 written here
        # apart from the table above (Keras has no step op, and sign(relu(z)) > 0 would share
        # a z > 0 convention instead of checking it).
        import numpy as np

        keras = _keras()
        z = np.array(values, dtype="float32")
        ops = {
            "step": lambda: np.heaviside(z.astype(float), 1.0),
            "ReLU": lambda: keras.ops.relu(z),
            "sigmoid": lambda: keras.ops.sigmoid(z),
            "tanh": lambda: keras.ops.tanh(z),
        }
        got = np.asarray(ops[name](), dtype=float)
        return bool(np.allclose(got, exact, atol=1e-5)), got.round(4).tolist()

    data = dict(function=name, values=values)
    return Draft(statement, expected, solution, check, verify, data, source=sections.ACTIVATIONS)
