"""Output sizes and receptive fields: convolution, pooling, stacked layers (chapters 02-04)."""

from __future__ import annotations

import math
import random

from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import (
    _fmt_shape,
    _keras,
    _pick_padding_case,
    _x,
    int_draft,
    shape_draft,
)

# --------------------------------------------------------------------------- conv_output_size

_SIZES = [5, 6, 7, 8, 10, 12, 13, 14, 15, 16, 20, 24, 27, 28, 31, 32, 48, 55, 56, 64, 224]


def _conv_size_steps(size, kernel, stride, padding, divides):
    """The worked steps, the output side and the typical wrong sides of a conv size problem."""
    steps = []
    pairs = []
    if padding == "same":
        out = -(-size // stride)
        steps.append(
            f"'same' padding: Keras pads just enough that W2 = ceil(W1 / S) = ceil({size}/{stride}) = {out}."
        )
        if stride > 1:
            pairs.append(
                (size, "With 'same' padding the size is kept only for stride 1: divide by S.")
            )
        pairs.append(
            ((size - kernel) // stride + 1, "'same' pads the input: this is the 'valid' size.")
        )
    else:
        pad = 0 if padding == "valid" else padding
        numerator = size - kernel + 2 * pad
        out = numerator // stride + 1
        line = (
            f"W2 = floor((W1 - F + 2P)/S) + 1 = floor(({size} - {kernel} + 2·{pad})/{stride}) + 1 "
            f"= floor({numerator}/{stride}) + 1 = {numerator // stride} + 1 = {out}."
        )
        steps.append(line)
        if not divides:
            steps.append(
                f"{numerator}/{stride} = {numerator / stride:g} is not an integer: Keras floors it "
                "(the last positions where the kernel would not fit are dropped)."
            )
            pairs.append(
                (
                    -(-numerator // stride) + 1,
                    "Rounded up? Keras floors (W - F + 2P)/S: the kernel never hangs over the edge.",
                )
            )
        pairs.append((numerator // stride, "Off by one: did you forget the +1?"))
        if pad:
            pairs.append(
                (
                    (size - kernel) // stride + 1,
                    "Did you forget 2P? Padding adds P pixels on both sides.",
                )
            )
            pairs.append(
                ((size - kernel + pad) // stride + 1, "Padding adds P on each side: use 2P, not P.")
            )
        if stride > 1:
            pairs.append((numerator + 1, "Did you forget to divide by the stride S?"))
    return out, steps, pairs


def conv_output_size(rng: random.Random) -> Draft:
    def candidate():
        size = rng.choice(_SIZES)
        kernel = rng.choice([1, 3, 3, 5, 5, 7, 11])
        stride = rng.choice([1, 1, 2, 2, 4])
        padding = rng.choice([0, 0, 1, 2, "same", "valid"])
        if kernel == 11 and size < 32 or kernel == 1 and padding not in (0, "valid"):
            return None
        if stride == 4 and size < 27:
            return None
        if padding == "same":
            return size, kernel, stride, padding, size % stride == 0
        pad = 0 if padding == "valid" else padding
        if size + 2 * pad < kernel:
            return None
        return size, kernel, stride, padding, (size - kernel + 2 * pad) % stride == 0

    size, kernel, stride, padding, divides = _pick_padding_case(rng, candidate)
    channels = rng.choice([1, 3, 3, 16, 32, 64])
    filters = rng.choice([6, 8, 16, 32, 64, 96, 128])
    pad_text = (
        f'padding="{padding}"' if isinstance(padding, str) else f"padding (填充) P = {padding}"
    )
    statement = (
        f"A convolution layer (卷积层) has {filters} filters (滤波器) of size {kernel}×{kernel}, "
        f"stride (步长) S = {stride} and {pad_text}. Its input is {_x(size, size, channels)}. "
        "What is the output shape (height, width, depth)? Answer as a tuple, e.g. (28, 28, 6)."
    )
    out, steps, pairs = _conv_size_steps(size, kernel, stride, padding, divides)
    steps.append(f"Depth D2 = number of filters K = {filters}.")
    expected = (out, out, filters)
    steps.append(f"**Answer:** {_fmt_shape(expected)}")
    depth_message = (
        f"Height and width are right; the depth is the number of filters (K = {filters}), "
        "whatever the input depth: each filter gives one feature map (特征图)."
    )

    def verify():
        keras = _keras()
        x = keras.Input((size, size, channels))
        y = x
        mode = padding if isinstance(padding, str) else "valid"
        if isinstance(padding, int) and padding > 0:
            y = keras.layers.ZeroPadding2D(padding)(y)
        y = keras.layers.Conv2D(filters, kernel, strides=stride, padding=mode)(y)
        shape = tuple(y.shape[1:])
        return shape == expected, shape

    data = dict(
        size=size,
        kernel=kernel,
        stride=stride,
        padding=padding,
        channels=channels,
        filters=filters,
    )
    return shape_draft(statement, expected, "\n\n".join(steps), pairs, depth_message, verify, data)


# --------------------------------------------------------------------------- pool_output_size


def pool_output_size(rng: random.Random) -> Draft:
    def candidate():
        size = rng.choice([4, 6, 8, 12, 13, 14, 16, 24, 27, 28, 32, 55, 56, 112, 224])
        pool = rng.choice([2, 2, 2, 3])
        stride = rng.choice([None, None, 1, 2]) if pool == 3 else rng.choice([None, None, 2, 1])
        padding = rng.choice(["valid", "valid", "valid", "same"])
        s = stride or pool
        if padding == "same":
            return size, pool, stride, padding, size % s == 0
        return size, pool, stride, padding, (size - pool) % s == 0

    size, pool, stride, padding, divides = _pick_padding_case(rng, candidate)
    channels = rng.choice([6, 16, 32, 64, 96, 128, 256])
    kind = rng.choice(["max", "average"])
    s = stride or pool
    chinese = "最大池化" if kind == "max" else "平均池化"
    stride_text = f"stride (步长) {stride}" if stride else "the default stride (= pool size)"
    statement = (
        f"A {kind} pooling layer ({chinese}) with a {pool}×{pool} window, {stride_text} and "
        f'padding="{padding}" is applied to a {_x(size, size, channels)} feature map (特征图). '
        "What is the output shape (height, width, depth)?"
    )
    steps = []
    pairs = []
    if not stride:
        steps.append(f"Keras pooling uses stride = pool size when none is given: S = {pool}.")
    if padding == "same":
        out = -(-size // s)
        steps.append(f"'same' padding: W2 = ceil(W1 / S) = ceil({size}/{s}) = {out}.")
        pairs.append(((size - pool) // s + 1, "This is the 'valid' size; 'same' gives ceil(W/S)."))
    else:
        numerator = size - pool
        out = numerator // s + 1
        steps.append(
            f"Same formula as convolution with P = 0: W2 = floor((W1 - F)/S) + 1 = "
            f"floor(({size} - {pool})/{s}) + 1 = {numerator // s} + 1 = {out}."
        )
        if not divides:
            steps.append(
                f"{numerator}/{s} = {numerator / s:g} is not an integer: Keras floors it, "
                "dropping the incomplete window at the edge."
            )
            pairs.append((-(-numerator // s) + 1, "Rounded up? Keras floors with 'valid' padding."))
        pairs.append((numerator // s, "Off by one: did you forget the +1?"))
        if stride == 1:
            pairs.append((size // pool, "The stride here is 1, not the pool size."))
        pairs.append((numerator + 1, "Did you forget to divide by the stride?"))
    steps.append(f"Pooling works on each channel separately: the depth stays {channels}.")
    expected = (out, out, channels)
    steps.append(f"**Answer:** {_fmt_shape(expected)}")
    depth_message = (
        f"Height and width are right, but pooling keeps the depth: {channels} channels in, "
        f"{channels} out (each channel is pooled separately)."
    )

    def verify():
        keras = _keras()
        layer = keras.layers.MaxPooling2D if kind == "max" else keras.layers.AveragePooling2D
        x = keras.Input((size, size, channels))
        y = layer(pool, strides=stride, padding=padding)(x)
        shape = tuple(y.shape[1:])
        return shape == expected, shape

    data = dict(size=size, pool=pool, stride=stride, padding=padding, channels=channels, kind=kind)
    return shape_draft(statement, expected, "\n\n".join(steps), pairs, depth_message, verify, data)


# --------------------------------------------------------------------------- receptive_field

_RF_LAYERS = [
    ("conv", 3, 1),
    ("conv", 3, 1),
    ("conv", 3, 1),
    ("conv", 5, 1),
    ("conv", 3, 2),
    ("conv", 7, 2),
    ("conv", 1, 1),
    ("pool", 2, 2),
    ("pool", 3, 2),
]


def receptive_field(rng: random.Random) -> Draft:
    if rng.random() < 0.25:
        stack = [("conv", 3, 1)] * rng.choice([2, 3, 4])
    else:
        stack = [rng.choice(_RF_LAYERS) for _ in range(rng.choice([2, 3, 3, 4]))]
    r, jump = 1, 1
    steps = [
        "Start with r = 1 and jump j = 1 (distance in input pixels between neighbouring units)."
    ]
    for kind, k, s in stack:
        new_r = r + (k - 1) * jump
        steps.append(
            f"{kind} {k}×{k}, stride {s}: r = {r} + ({k} - 1)×{jump} = {new_r}; "
            f"j = {jump}×{s} = {jump * s}."
        )
        r, jump = new_r, jump * s
    expected = r
    steps.append(f"**Answer:** {expected} (the field is {expected}×{expected}).")
    names = ", then ".join(
        f"{'a convolution' if kind == 'conv' else 'a max pooling'} {k}×{k} with stride {s}"
        for kind, k, s in stack
    )
    statement = (
        f"A network applies {names} (no padding). What is the receptive field (感受野) of one "
        "unit of the last layer, i.e. the side r of the r×r input region it sees?"
    )
    no_stride = 1 + sum(k - 1 for _, k, _ in stack)
    pairs = [
        (
            no_stride,
            "Strides matter: after a stride-s layer each further kernel step covers s input pixels (multiply by the jump).",
        ),
        (
            sum(k for _, k, _ in stack),
            "Neighbouring windows overlap: add (k - 1)×jump per layer, starting from 1.",
        ),
        (expected - 1, "Off by one: start from r = 1 (one pixel sees itself)."),
        (
            math.prod(k for _, k, _ in stack),
            "Receptive fields grow by adding (k - 1)×jump, not by multiplying kernels.",
        ),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        length = expected + 8
        model = keras.Sequential(
            [keras.Input((length, 1))]
            + [
                keras.layers.Conv1D(1, k, strides=s, use_bias=False, kernel_initializer="ones")
                if kind == "conv"
                else keras.layers.AveragePooling1D(k, strides=s)
                for kind, k, s in stack
            ]
        )
        # One impulse per sample: output unit 0 responds exactly to the inputs in its field.
        response = keras.ops.convert_to_numpy(model(np.eye(length, dtype="float32")[..., None]))[
            :, 0, 0
        ]
        seen = np.flatnonzero(response > 0)
        field = int(seen.max() - seen.min() + 1) if seen.size else 0
        return field == expected and seen.size == expected, field

    data = dict(stack=stack)
    return int_draft(statement, expected, "\n\n".join(steps), pairs, verify, data)
