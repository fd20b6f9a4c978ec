"""One step of an LSTM or a GRU cell by hand (chapter 05), verified by Keras's LSTMCell and
GRUCell with weights set so that the gates' pre-activations are the numbers given."""

from __future__ import annotations

import math
import random

from cnnkit.review import sections
from cnnkit.review.problem import Draft, Source
from cnnkit.review.topics._checks import _keras, float_draft

GATED_CELLS = Source(sections.RNN, "The gated cells: LSTM and GRU")

SHEET = {"lstm_gru_gates": ("lstm_gru_gates",)}


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def _values(rng, count):
    return [rng.choice([-2.0, -1.0, 0.0, 0.5, 1.0, 2.0]) for _ in range(count)]


def lstm_step(rng: random.Random) -> Draft:
    """c_t = f·c_(t-1) + i·g; h_t = o·tanh(c_t), f, i, o = σ(pre-activation), g = tanh(...)."""
    while True:  # |c_t| ≥ 0.3: for a small c_t, tanh(c_t) ≈ c_t hides the squashing mistake
        a_i, a_f, a_g, a_o = _values(rng, 4)
        c_prev = rng.choice([-1.0, 0.5, 1.0, 2.0])
        i, f, g, o = _sigmoid(a_i), _sigmoid(a_f), math.tanh(a_g), _sigmoid(a_o)
        c = f * c_prev + i * g
        sigmoid_candidate = o * math.tanh(f * c_prev + i * _sigmoid(a_g))
        if abs(c) >= 0.3 and abs(sigmoid_candidate - o * math.tanh(c)) > 5e-4:
            break
    h = o * math.tanh(c)
    statement = (
        f"One LSTM step (长短期记忆网络), one unit. The gates' pre-activations (W·x + U·h + b) are: "
        f"input {a_i:g}, forget {a_f:g}, candidate {a_g:g}, output {a_o:g}; the previous cell "
        f"state is c = {c_prev:g}. With i, f, o = σ(·), g = tanh(·), c_t = f·c_(t-1) + i·g and "
        "h_t = o·tanh(c_t), what is h_t? (4 decimals)"
    )
    solution = (
        f"i = σ({a_i:g}) = {i:.4f}, f = σ({a_f:g}) = {f:.4f}, g = tanh({a_g:g}) = {g:.4f}, "
        f"o = σ({a_o:g}) = {o:.4f}.\n\nc_t = {f:.4f}·{c_prev:g} + {i:.4f}·{g:.4f} = {c:.4f}.\n\n"
        f"h_t = {o:.4f}·tanh({c:.4f}) = {h:.4f}.\n\n**Answer:** {round(h, 4)}"
    )
    pairs = [
        (c, "That is the cell state c_t; h_t = o·tanh(c_t)."),
        (o * c, "Squash the cell state: h_t = o·tanh(c_t), not o·c_t."),
        (o * math.tanh(c_prev + i * g), "The forget gate scales the old state: f·c_(t-1)."),
        (o * math.tanh(f * c_prev + i * _sigmoid(a_g)), "The candidate g uses tanh, not σ."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        cell = keras.layers.LSTMCell(1)
        cell.build((None, 1))
        # x = 1, U = 0, b = 0: the kernel holds the pre-activations (Keras order i, f, c, o)
        cell.set_weights(
            [
                np.array([[a_i, a_f, a_g, a_o]], "float32"),
                np.zeros((1, 4), "float32"),
                np.zeros(4, "float32"),
            ]
        )
        state = [np.zeros((1, 1), "float32"), np.array([[c_prev]], "float32")]
        out, _ = cell(np.ones((1, 1), "float32"), state)
        got = float(keras.ops.convert_to_numpy(out)[0, 0])
        return abs(got - h) < 1e-5, got

    data = dict(pre=(a_i, a_f, a_g, a_o), c_prev=c_prev)
    return float_draft(
        statement, h, solution, pairs, verify, data, tol=2e-4, digits=4, source=GATED_CELLS
    )


def gru_step(rng: random.Random) -> Draft:
    """Keras's GRU: h_t = z·h_(t-1) + (1 - z)·h̃, z = σ(update pre-activation)."""
    a_z = rng.choice([-2.0, -1.0, 0.5, 1.0, 2.0])
    candidate = rng.choice([-0.8, -0.5, 0.3, 0.6, 0.9])
    h_prev = rng.choice([v for v in (-1.0, -0.5, 0.5, 1.0) if v != candidate])  # z's role shows
    z = _sigmoid(a_z)
    h = z * h_prev + (1 - z) * candidate
    statement = (
        f"One GRU step (门控循环单元), one unit, as Keras defines it: h_t = z·h_(t-1) + (1 - z)·h̃ "
        f"with the update gate z = σ(a_z). The update gate's pre-activation is a_z = {a_z:g}, the "
        f"candidate h̃ = {candidate:g} and h_(t-1) = {h_prev:g}. What is h_t? (4 decimals)"
    )
    solution = (
        f"z = σ({a_z:g}) = {z:.4f}.\n\nh_t = {z:.4f}·{h_prev:g} + (1 - {z:.4f})·{candidate:g} = "
        f"{h:.4f}.\n\n**Answer:** {round(h, 4)}"
    )
    pairs = [
        (
            (1 - z) * h_prev + z * candidate,
            "Keras's convention: z keeps the OLD state (z·h_(t-1)); some books swap the roles.",
        ),
        (a_z * h_prev + (1 - a_z) * candidate, "Apply σ to the pre-activation first: z = σ(a_z)."),
        (z * h_prev + candidate, "The candidate is weighted by (1 - z)."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        cell = keras.layers.GRUCell(1, reset_after=True)
        cell.build((None, 1))
        # x = 1, U = 0: z's pre-activation a_z; the candidate's pre-activation atanh(h̃)
        kernel = np.array([[a_z, 0.0, math.atanh(candidate)]], "float32")
        cell.set_weights([kernel, np.zeros((1, 3), "float32"), np.zeros((2, 3), "float32")])
        out, _ = cell(np.ones((1, 1), "float32"), [np.array([[h_prev]], "float32")])
        got = float(keras.ops.convert_to_numpy(out)[0, 0])
        return abs(got - h) < 1e-5, got

    data = dict(a_z=a_z, candidate=candidate, h_prev=h_prev)
    return float_draft(
        statement, h, solution, pairs, verify, data, tol=2e-4, digits=4, source=GATED_CELLS
    )


def lstm_gru_gates(rng: random.Random) -> Draft:
    """One LSTM or GRU step."""
    from cnnkit.review.topics.by_hand import not_near_zero

    return not_near_zero(rng.choice([lstm_step, gru_step]), rng)
