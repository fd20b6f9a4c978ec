"""Parameter counts: convolution, dense and recurrent layers (chapters 01, 02, 05)."""

from __future__ import annotations

import random

from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import (
    _keras,
    _x,
    int_draft,
)
from cnnkit.review.topics.sizes import _SIZES

# --------------------------------------------------------------------------- conv_params


def _conv_param_pairs(kernel, in_channels, filters, use_bias, height):
    weights = kernel * kernel * in_channels * filters
    pairs = []
    if use_bias:
        pairs += [
            (weights, "Did you forget the bias? Each filter has one bias (偏置): add K."),
            (
                kernel * kernel * filters + filters,
                "Did you forget the input channels? Each filter spans all D1 input channels: F×F×D1.",
            ),
            (
                weights + in_channels,
                "There is one bias per filter (K of them), not per input channel.",
            ),
            (
                weights + kernel * kernel * filters,
                "There is one bias per filter, not per weight of a channel.",
            ),
            (
                kernel * kernel * in_channels + 1,
                "That is one filter; the layer has K filters: multiply by K.",
            ),
            (
                kernel * kernel * filters,
                "Each filter spans all input channels and has a bias: F×F×D1×K + K.",
            ),
        ]
    else:
        pairs += [
            (weights + filters, "This layer has use_bias=False: there are no biases to add."),
            (kernel * kernel * filters, "Did you forget the input channels? F×F×D1×K."),
        ]
    pairs.append(
        (
            (weights + (filters if use_bias else 0)) * height * height,
            "Parameters do not depend on the input's height and width: the kernel is shared "
            "over all positions (权值共享).",
        )
    )
    return pairs


def conv_params(rng: random.Random) -> Draft:
    kernel = rng.choice([1, 3, 3, 5, 5, 7, 11])
    in_channels = rng.choice([1, 3, 3, 6, 16, 32, 64, 128])
    filters = rng.choice([6, 8, 16, 32, 64, 96, 128, 256])
    use_bias = rng.random() >= 1 / 6
    height = rng.choice([s for s in _SIZES if s >= kernel])
    weights = kernel * kernel * in_channels * filters
    expected = weights + (filters if use_bias else 0)
    bias_text = "" if use_bias else " The layer is built with use_bias=False."
    statement = (
        f"A convolution layer (卷积层) with {filters} kernels (卷积核) of size {kernel}×{kernel} "
        f"is applied to a {_x(height, height, in_channels)} input.{bias_text} "
        "How many parameters (参数量) does it have?"
    )
    steps = [
        f"Each filter spans all input channels: F×F×D1 = {kernel}×{kernel}×{in_channels} = "
        f"{kernel * kernel * in_channels} weights.",
        f"K = {filters} filters: {kernel * kernel * in_channels}×{filters} = {weights:,} weights.",
        f"Biases: one per filter, K = {filters}." if use_bias else "use_bias=False: no biases.",
        f"Total F×F×D1×K{' + K' if use_bias else ''} = {expected:,}. The input's height and width "
        "do not matter (weight sharing).",
        f"**Answer:** {expected}",
    ]

    def verify():
        keras = _keras()
        layer = keras.layers.Conv2D(filters, kernel, use_bias=use_bias)
        layer(keras.Input((height, height, in_channels)))
        count = layer.count_params()
        return count == expected, count

    data = dict(kernel=kernel, in_channels=in_channels, filters=filters, use_bias=use_bias)
    return int_draft(
        statement,
        expected,
        "\n\n".join(steps),
        _conv_param_pairs(kernel, in_channels, filters, use_bias, height),
        verify,
        data,
    )


# --------------------------------------------------------------------------- dense_params


def dense_params(rng: random.Random) -> Draft:
    units = rng.choice([10, 32, 64, 84, 100, 120, 128, 256, 500, 1000, 4096])
    flatten = rng.random() < 0.5
    if flatten:
        side = rng.choice([1, 2, 4, 5, 6, 7])
        depth = rng.choice([8, 16, 32, 64, 128, 512])
        inputs = side * side * depth
        source = f"the flattened (展平) output of a {_x(side, side, depth)} feature map (特征图)"
    else:
        inputs = rng.choice([2, 4, 10, 64, 84, 100, 120, 128, 256, 400, 784, 1024, 4096])
        source = f"{inputs} inputs"
    expected = inputs * units + units
    statement = (
        f"A fully connected layer (全连接层, Dense) with {units} units takes {source}. "
        "How many parameters does it have (weights and biases)?"
    )
    steps = []
    if flatten:
        steps.append(f"Flattening gives {side}×{side}×{depth} = {inputs:,} inputs.")
    steps += [
        f"Weights: inputs × units = {inputs:,} × {units:,} = {inputs * units:,}.",
        f"Biases (偏置): one per unit = {units:,}.",
        f"Total = {inputs * units:,} + {units:,} = {expected:,}.",
        f"**Answer:** {expected}",
    ]
    pairs = [
        (inputs * units, "Did you forget the biases? One per unit: add the number of units."),
        (inputs * units + inputs, "There is one bias per unit (output), not per input."),
        (inputs + units, "Every input connects to every unit: multiply inputs × units."),
        ((inputs + 1) * (units + 1), "Only the units have biases: inputs × units + units."),
    ]
    if flatten:
        pairs += [
            (
                side * side * units + units,
                "Did you forget the input channels? Flattening gives H×W×D inputs.",
            ),
            (depth * units + units, "Flattening gives H×W×D inputs, not only D."),
        ]

    def verify():
        keras = _keras()
        x = keras.Input((side, side, depth)) if flatten else keras.Input((inputs,))
        y = keras.layers.Flatten()(x) if flatten else x
        layer = keras.layers.Dense(units)
        layer(y)
        count = layer.count_params()
        return count == expected, count

    data = dict(inputs=inputs, units=units, flatten=flatten)
    return int_draft(statement, expected, "\n\n".join(steps), pairs, verify, data)


# --------------------------------------------------------------------------- rnn_params

_RNN = {
    "SimpleRNN": (1, 1, "循环神经网络"),
    "LSTM": (4, 1, "长短期记忆网络"),
    "GRU": (3, 2, "门控循环单元"),
}


def rnn_params(rng: random.Random) -> Draft:
    kind = rng.choice(list(_RNN))
    gates, biases, chinese = _RNN[kind]
    inputs = rng.choice([1, 3, 8, 10, 16, 32, 50, 64, 100, 128])
    units = rng.choice([4, 8, 16, 20, 32, 64, 128])
    steps_t = rng.choice([10, 20, 50, 100])
    expected = gates * units * (inputs + units + biases)
    statement = (
        f"A Keras {kind} layer ({chinese}) with {units} units reads sequences (序列数据) of "
        f"{steps_t} time steps with {inputs} features each. How many parameters does it have "
        "(Keras defaults)?"
    )
    formula = {
        "SimpleRNN": "units × (inputs + units + 1)",
        "LSTM": "4 × units × (inputs + units + 1)  (input, forget, cell, output gates)",
        "GRU": "3 × units × (inputs + units + 2)  (update, reset, candidate; reset_after=True has two bias vectors)",
    }[kind]
    steps = [
        f"{kind}: {formula}.",
        f"Input weights U: {inputs}×{units}; recurrent weights W: {units}×{units}; biases per gate: {biases}×{units}.",
        f"{gates} × {units} × ({inputs} + {units} + {biases}) = {expected:,}.",
        f"The sequence length ({steps_t}) does not matter: the same weights are used at every step.",
        f"**Answer:** {expected}",
    ]
    pairs = [
        (
            gates * units * (inputs + biases),
            "Did you forget the recurrent weights W (units × units)? The state feeds back into the cell.",
        ),
        (gates * units * (inputs + units), "Did you forget the biases?"),
        (
            expected * steps_t,
            "Parameters do not grow with the sequence length: the weights are shared over time.",
        ),
    ]
    if gates > 1:
        pairs.append(
            (
                units * (inputs + units + biases),
                f"A {kind} has {gates} sets of weights (one per gate): multiply by {gates}.",
            )
        )
        pairs.append(
            (
                units * (inputs + units + 1),
                f"A {kind} has {gates} sets of weights (one per gate): multiply by {gates}.",
            )
        )
    if kind == "GRU":
        pairs.append(
            (
                3 * units * (inputs + units + 1),
                "Keras' GRU uses reset_after=True by default: two bias vectors per gate, so +2, not +1.",
            )
        )
    if kind == "LSTM":
        pairs.append(
            (
                3 * units * (inputs + units + 1),
                "An LSTM has four weight sets (input, forget, cell candidate, output), not three.",
            )
        )

    def verify():
        keras = _keras()
        layer = getattr(keras.layers, kind)(units)
        layer(keras.Input((steps_t, inputs)))
        count = layer.count_params()
        return count == expected, count

    data = dict(kind=kind, inputs=inputs, units=units)
    return int_draft(statement, expected, "\n\n".join(steps), pairs, verify, data)
