"""Layer arithmetic that had no practice: transposed-convolution output sizes (chapter 06),
multiply-accumulates of a convolution (chapter 04) and depthwise-separable counts (chapter 04),
each verified by building the layer in Keras."""

from __future__ import annotations

import random

from cnnkit.review import sections
from cnnkit.review.problem import Draft, Source
from cnnkit.review.topics._checks import _fmt_shape, _keras, _x, int_draft, shape_draft

TRANSPOSED = Source(sections.GAN, "2. Transposed convolution (转置卷积)")

#: The formula sheet rows each topic of this module asks for (tests check they are on the sheet).
SHEET = {
    "conv_transpose_size": ("conv_transpose_output_size",),
    "conv_macs": ("conv_macs", "conv_output_size"),
    "separable_conv": ("separable_conv_params", "depthwise_conv_params", "conv_params"),
}


# --------------------------------------------------------------------------- transposed conv


def conv_transpose_size(rng: random.Random) -> Draft:
    """W2 of Keras's Conv2DTranspose: 'same' W1·S, 'valid' (W1 - 1)·S + max(F, S)."""
    size = rng.choice([2, 3, 4, 7, 8, 14, 16])
    kernel = rng.choice([1, 2, 3, 4, 5])
    stride = rng.choice([1, 2, 2, 3])
    padding = rng.choice(["same", "valid", "valid"])
    filters = rng.choice([1, 3, 16, 32, 64])
    channels = rng.choice([8, 32, 64, 128])
    strip = (size - 1) * stride + kernel
    if padding == "same":
        out = size * stride
        steps = [f"Keras 'same': W2 = W1·S = {size}·{stride} = {out}."]
    else:
        out = (size - 1) * stride + max(kernel, stride)
        steps = [
            f"Keras 'valid' crops nothing: W2 = (W1 - 1)·S + max(F, S) = ({size} - 1)·{stride} "
            f"+ max({kernel}, {stride}) = {out}."
        ]
        if stride > kernel:
            steps.append(
                f"F = {kernel} < S = {stride}: the copies of the kernel leave gaps, and Keras "
                "keeps the last gap, so max(F, S) replaces F."
            )
    steps.append(f"Depth = number of filters = {filters}.")
    expected = (out, out, filters)
    steps.append(f"**Answer:** {_fmt_shape(expected)}")
    pairs = [
        (strip, "Keras's 'same' gives W1·S (it undoes a 'same' convolution of stride S)."),
        (size * stride, "That is the 'same' size; 'valid' crops nothing: (W1 - 1)·S + max(F, S)."),
        (
            (size - kernel) // stride + 1,
            "That is the size of an ordinary convolution; a transposed one enlarges the map.",
        ),
        (size * stride + kernel, "The first copy starts at 0: (W1 - 1)·S, not W1·S, then + F."),
        (strip - 2, "Keras crops nothing here; the -2P of the general formula is for P > 0."),
    ]
    if padding == "valid" and stride > kernel:
        pairs.insert(0, (strip, "F < S: Keras's 'valid' adds max(F, S), not F."))
    statement = (
        f"A transposed convolution (转置卷积) `keras.layers.Conv2DTranspose({filters}, {kernel}, "
        f'strides={stride}, padding="{padding}")` reads a {_x(size, size, channels)} map. What '
        "is its output shape (height, width, depth)?"
    )
    depth_message = (
        f"Height and width are right; the depth is the number of filters ({filters}), whatever "
        "the input depth."
    )

    def verify():
        keras = _keras()
        y = keras.layers.Conv2DTranspose(filters, kernel, strides=stride, padding=padding)(
            keras.Input((size, size, channels))
        )
        shape = tuple(y.shape[1:])
        return shape == expected, shape

    data = dict(size=size, kernel=kernel, stride=stride, padding=padding, filters=filters)
    return shape_draft(
        statement,
        expected,
        "\n\n".join(steps),
        pairs,
        depth_message,
        verify,
        data,
        source=TRANSPOSED,
    )


# --------------------------------------------------------------------------- MACs


def conv_macs(rng: random.Random) -> Draft:
    """MACs = H2·W2·F·F·D1·K: one multiply-accumulate per weight per output position."""
    size = rng.choice([7, 14, 28, 32, 56])
    kernel = rng.choice([1, 3, 3, 5])
    stride = rng.choice([1, 1, 2])
    padding = rng.choice(["same", "valid"])
    channels = rng.choice([1, 3, 16, 32, 64])
    filters = rng.choice([6, 16, 32, 64])
    out = -(-size // stride) if padding == "same" else (size - kernel) // stride + 1
    per_output = kernel * kernel * channels
    expected = out * out * per_output * filters
    statement = (
        f'A `Conv2D({filters}, {kernel}, strides={stride}, padding="{padding}")` reads a '
        f"{_x(size, size, channels)} map. How many multiply-accumulates (乘加次数, MACs) does it "
        "need per image (biases not counted)?"
    )
    solution = (
        f"Output side: {out} ({'ceil(W/S)' if padding == 'same' else 'floor((W - F)/S) + 1'}). "
        f"Each output value of each filter needs F·F·D1 = {kernel}·{kernel}·{channels} = "
        f"{per_output} MACs.\n\nMACs = H2·W2·F·F·D1·K = {out}·{out}·{per_output}·{filters} = "
        f"{expected:,}.\n\n**Answer:** {expected:,}"
    )
    pairs = [
        (
            size * size * per_output * filters,
            "Count per OUTPUT position: use the output size H2×W2, not the input size.",
        ),
        (out * out * kernel * kernel * filters, "Each filter spans all D1 input channels."),
        (
            per_output * filters + filters,
            "That is the parameter count; MACs repeat it at every output position.",
        ),
        (2 * expected, "That counts FLOPs (multiply and add separately); a MAC is both."),
        (out * out * per_output, "Multiply by the number of filters K."),
    ]

    def verify():
        keras = _keras()
        layer = keras.layers.Conv2D(filters, kernel, strides=stride, padding=padding)
        y = layer(keras.Input((size, size, channels)))
        weights = layer.count_params() - filters  # the kernel's weights, from Keras
        got = int(y.shape[1]) * int(y.shape[2]) * weights
        return got == expected, got

    data = dict(size=size, kernel=kernel, stride=stride, channels=channels, filters=filters)
    return int_draft(statement, expected, solution, pairs, verify, data, source=sections.TABLE)


# --------------------------------------------------------------------------- separable


def separable_conv(rng: random.Random) -> Draft:
    """Weights of a depthwise-separable convolution: F·F·D1 (depthwise) + D1·K (pointwise)."""
    kernel = rng.choice([3, 3, 5])
    channels = rng.choice([16, 32, 64, 128, 256])
    filters = rng.choice([32, 64, 128, 256, 512])
    depthwise = kernel * kernel * channels
    pointwise = channels * filters
    expected = depthwise + pointwise
    standard = kernel * kernel * channels * filters
    statement = (
        f"MobileNet replaces a {kernel}×{kernel} convolution from {channels} to {filters} "
        "channels by a depthwise-separable one (深度可分离卷积): a depthwise "
        f"{kernel}×{kernel} convolution, then a 1×1 pointwise convolution. How many weights "
        "(no biases) does the separable version have?"
    )
    solution = (
        f"Depthwise: one {kernel}×{kernel} filter per input channel: F·F·D1 = {depthwise:,}. "
        f"Pointwise 1×1: D1·K = {channels}·{filters} = {pointwise:,}.\n\nTotal "
        f"{expected:,}, against {standard:,} for the standard convolution (ratio 1/K + 1/F² = "
        f"{expected / standard:.3f}).\n\n**Answer:** {expected:,}"
    )
    pairs = [
        (
            standard,
            "That is the standard convolution F·F·D1·K; the question asks the separable one.",
        ),
        (
            depthwise * filters + pointwise,
            "The depthwise step has ONE filter per input channel, not K.",
        ),
        (depthwise, "Add the pointwise 1×1 convolution (D1·K)."),
        (pointwise, "Add the depthwise convolution (F·F·D1)."),
        (expected + filters + channels, "No biases here: count weights only."),
        (expected + filters, "No biases here: count weights only."),
    ]

    def verify():
        keras = _keras()
        inputs = keras.Input((8, 8, channels))
        dw = keras.layers.DepthwiseConv2D(kernel, padding="same", use_bias=False)(inputs)
        pw = keras.layers.Conv2D(filters, 1, use_bias=False)(dw)
        got = keras.Model(inputs, pw).count_params()
        return got == expected, got

    data = dict(kernel=kernel, channels=channels, filters=filters)
    return int_draft(statement, expected, solution, pairs, verify, data, source=sections.MOBILENET)
