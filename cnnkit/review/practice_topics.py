"""One generator per practice topic: draw numbers, write the statement and the worked solution,
build the checker with its typical mistakes, and say how Keras verifies the answer.

Every generator takes a ``random.Random`` and returns a :class:`cnnkit.review.practice.Draft`.
Keras is imported inside the ``verify`` functions only, so importing this module stays cheap.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

from cnnkit.exercises.core import (
    Result,
    StudentCodeError,
    as_number,
    check_number,
    correct,
    incorrect,
)
from cnnkit.review.practice import Draft

# --------------------------------------------------------------------------- helpers


def _keras():
    import keras

    return keras


def _mistakes(expected, pairs) -> dict:
    """Typical wrong values -> message, without the correct value and keeping the first message."""
    table: dict = {}
    for value, message in pairs:
        if value != expected and value not in table:
            table[value] = message
    return table


def _as_int(answer, what: str = "an integer") -> int:
    value = as_number(answer, what=what)
    if not float(value).is_integer():
        raise StudentCodeError(f"{answer} is not a whole number; {what} is an integer.")
    return int(value)


def _as_shape(answer) -> tuple[int, ...]:
    """A shape given as tuple/list (a leading None batch dimension is allowed) or an int."""
    if isinstance(answer, str):
        raise StudentCodeError(
            f"Expected a shape such as (28, 28, 6), got the text {answer!r}. Remove the quotes."
        )
    if isinstance(answer, int) and not isinstance(answer, bool):
        return (answer,)
    try:
        items = list(answer)
    except TypeError:
        raise StudentCodeError(
            f"Expected a shape such as (28, 28, 6), got {type(answer).__name__} {answer!r}."
        ) from None
    if items and items[0] is None:
        items = items[1:]
    return tuple(_as_int(item, "each dimension") for item in items)


def _fmt_shape(shape) -> str:
    return "(" + ", ".join(str(d) for d in shape) + (",)" if len(shape) == 1 else ")")


def _x(*dims) -> str:
    return "×".join(str(d) for d in dims)


def _check_int(expected: int, pairs, success: str = "Correct.") -> Callable[[object], Result]:
    mistakes = _mistakes(expected, pairs)

    def check(answer) -> Result:
        _as_int(answer, "an integer")
        return check_number(answer, expected, mistakes=mistakes, integer=True, success=success)

    check.typical_mistake = next(iter(mistakes), None)
    return check


def _check_float(expected: float, pairs, tol: float, success: str = "Correct.") -> Callable:
    mistakes = {
        round(value, 6): message
        for value, message in reversed(list(pairs))
        if abs(value - expected) > 2 * tol
    }

    def check(answer) -> Result:
        return check_number(answer, expected, mistakes=mistakes, abs_tol=tol, success=success)

    # The first typical mistake in the order given (``mistakes`` above is built in reverse).
    check.typical_mistake = next(
        (round(value, 6) for value, _ in pairs if abs(value - expected) > 2 * tol), None
    )
    return check


def _check_shape(expected: tuple[int, ...], spatial_pairs, depth_message: str) -> Callable:
    """Check an output shape (H, W, D): spatial mistakes by value, then the depth."""
    spatial = expected[0]
    mistakes = _mistakes(spatial, spatial_pairs)

    def check(answer) -> Result:
        shape = _as_shape(answer)
        if shape == expected:
            return correct(f"Correct: {_fmt_shape(expected)}.")
        if len(shape) != len(expected):
            return incorrect(
                f"Give all {len(expected)} dimensions (height, width, depth), e.g. "
                f"{_fmt_shape(tuple(range(1, len(expected) + 1)))}; you gave {len(shape)}: "
                f"{_fmt_shape(shape)}."
            )
        if shape[0] != shape[1]:
            return incorrect("The input and the window are square, so height and width are equal.")
        if shape[0] != spatial:
            message = mistakes.get(shape[0])
            if message:
                return incorrect(message)
            direction = "too large" if shape[0] > spatial else "too small"
            return incorrect(
                f"Height/width {shape[0]} is {direction}. Use floor((W - F + 2P)/S) + 1 "
                "and check each term."
            )
        return incorrect(depth_message)

    wrong = next(iter(mistakes), None)
    check.typical_mistake = (
        (wrong, wrong, expected[2])
        if wrong is not None
        else (*expected[:2], expected[2] * 2 if expected[2] > 1 else 2)
    )
    return check


def _pick_padding_case(rng: random.Random, candidates: Callable[[], tuple | None]) -> tuple:
    """Draw a case; about 1 in 6 is a non-dividing one (teaches the floor), the rest divide."""
    want_divides = rng.random() >= 1 / 6
    fallback = None
    for _ in range(500):
        case = candidates()
        if case is None:
            continue
        fallback = case
        if case[-1] == want_divides:
            return case
    return fallback


# --------------------------------------------------------------------------- conv_output_size

_SIZES = [5, 6, 7, 8, 10, 12, 13, 14, 15, 16, 20, 24, 27, 28, 31, 32, 48, 55, 56, 64, 224]


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

    return Draft(
        statement,
        expected,
        "\n\n".join(steps),
        _check_shape(expected, pairs, depth_message),
        verify,
        dict(
            size=size,
            kernel=kernel,
            stride=stride,
            padding=padding,
            channels=channels,
            filters=filters,
        ),
    )


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

    return Draft(
        statement,
        expected,
        "\n\n".join(steps),
        _check_shape(expected, pairs, depth_message),
        verify,
        dict(size=size, pool=pool, stride=stride, padding=padding, channels=channels, kind=kind),
    )


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

    return Draft(
        statement,
        expected,
        "\n\n".join(steps),
        _check_int(expected, _conv_param_pairs(kernel, in_channels, filters, use_bias, height)),
        verify,
        dict(kernel=kernel, in_channels=in_channels, filters=filters, use_bias=use_bias),
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

    return Draft(
        statement,
        expected,
        "\n\n".join(steps),
        _check_int(expected, pairs),
        verify,
        dict(inputs=inputs, units=units, flatten=flatten),
    )


# --------------------------------------------------------------------------- stack_table


def _stack_layers(rng: random.Random):
    size, channels = rng.choice([(28, 1), (32, 1), (32, 3)])
    k1 = rng.choice([3, 5, 5])
    pad1 = "same" if (size == 28 and rng.random() < 0.5) else "valid"
    f1 = rng.choice([6, 8, 16, 32])
    k2 = rng.choice([3, 5])
    f2 = rng.choice([16, 32, 64])
    u1 = rng.choice([64, 84, 120, 128])
    layers = [
        ("Conv2D", dict(filters=f1, kernel=k1, padding=pad1)),
        ("MaxPooling2D", dict(pool=2)),
        ("Conv2D", dict(filters=f2, kernel=k2, padding="valid")),
        ("MaxPooling2D", dict(pool=2)),
        ("Flatten", {}),
        ("Dense", dict(units=u1)),
        ("Dense", dict(units=10)),
    ]
    return (size, size, channels), layers


def _describe(kind: str, spec: dict) -> str:
    if kind == "Conv2D":
        return f"Conv2D({spec['filters']}, {spec['kernel']}×{spec['kernel']}, padding='{spec['padding']}')"
    if kind == "MaxPooling2D":
        return "MaxPooling2D(2×2)"
    if kind == "Dense":
        return f"Dense({spec['units']})"
    return "Flatten()"


def stack_table(rng: random.Random) -> Draft:
    input_shape, layers = _stack_layers(rng)
    rows = []
    notes = []
    shape = input_shape
    for kind, spec in layers:
        if kind == "Conv2D":
            k, f = spec["kernel"], spec["filters"]
            side = shape[0] if spec["padding"] == "same" else shape[0] - k + 1
            params = k * k * shape[2] * f + f
            how = (
                f"'same': size kept {side}"
                if spec["padding"] == "same"
                else f"{shape[0]} - {k} + 1 = {side}"
            )
            notes.append(
                f"{_describe(kind, spec)}: {how}; params {k}×{k}×{shape[2]}×{f} + {f} = {params:,}"
            )
            shape = (side, side, f)
        elif kind == "MaxPooling2D":
            side = shape[0] // 2
            params = 0
            notes.append(f"MaxPooling2D(2×2): floor({shape[0]}/2) = {side}; no parameters")
            shape = (side, side, shape[2])
        elif kind == "Flatten":
            n = shape[0] * shape[1] * shape[2]
            notes.append(f"Flatten: {shape[0]}×{shape[1]}×{shape[2]} = {n:,}; no parameters")
            shape, params = (n,), 0
        else:
            u = spec["units"]
            params = shape[0] * u + u
            notes.append(f"Dense({u}): {shape[0]:,}×{u} + {u} = {params:,}")
            shape = (u,)
        rows.append((shape, params))
    total = sum(p for _, p in rows)
    listing = "\n".join(f"{i}. {_describe(kind, spec)}" for i, (kind, spec) in enumerate(layers, 1))
    statement = (
        f"A LeNet-style network (经典卷积网络) takes {_x(*input_shape)} images (ReLU activations, "
        f"stride 1 convolutions):\n\n{listing}\n\n"
        "Fill in the layer table: for each layer give (output shape without the batch dimension, "
        "number of parameters), e.g. `[((28, 28, 6), 156), ((14, 14, 6), 0), ...]`."
    )
    solution = "\n".join(f"{i}. {note}" for i, note in enumerate(notes, 1))
    solution += f"\n\nTotal parameters: {total:,}.\n\n**Answer:** {rows!r}"
    expected = rows

    def check(answer) -> Result:
        if isinstance(answer, str) or not hasattr(answer, "__len__"):
            raise StudentCodeError(
                f"Expected a list of {len(rows)} rows (shape, params), got {type(answer).__name__} "
                f"{str(answer)[:40]!r}."
            )
        if len(answer) != len(rows):
            return incorrect(
                f"The network has {len(rows)} layers, so the table needs {len(rows)} rows; "
                f"you gave {len(answer)}."
            )
        previous = input_shape
        for number, (row, (shape, params), (kind, spec)) in enumerate(
            zip(answer, rows, layers, strict=True), 1
        ):
            try:
                got_shape, got_params = row
            except (TypeError, ValueError):
                return incorrect(
                    f"Row {number} should be a pair (output shape, params), got {row!r}."
                )
            got_shape = _as_shape(got_shape)
            where = f"Row {number} ({_describe(kind, spec)})"
            if got_shape != shape:
                hint = ""
                if kind == "Conv2D" and got_shape[-1:] == (previous[-1],) and len(got_shape) == 3:
                    hint = " The depth is the number of filters."
                elif (
                    kind == "Conv2D"
                    and spec["padding"] == "valid"
                    and got_shape[:1] == (shape[0] - 1,)
                ):
                    hint = " Off by one: W - F + 1."
                elif kind == "MaxPooling2D" and got_shape[-1:] != shape[-1:]:
                    hint = " Pooling keeps the depth."
                elif kind == "Flatten":
                    hint = " Flatten multiplies height × width × depth."
                return incorrect(
                    f"{where}: output shape {_fmt_shape(shape)} expected, got {_fmt_shape(got_shape)}.{hint}"
                )
            got_params = _as_int(got_params, f"the parameter count of row {number}")
            if got_params != params:
                hint = ""
                if kind in ("MaxPooling2D", "Flatten"):
                    hint = " This layer has no parameters."
                elif kind == "Conv2D":
                    k, f = spec["kernel"], spec["filters"]
                    message = _mistakes(
                        params, _conv_param_pairs(k, previous[-1], f, True, previous[0])
                    ).get(got_params)
                    hint = f" {message}" if message else " F×F×D1×K + K."
                elif kind == "Dense":
                    if got_params == previous[0] * spec["units"]:
                        hint = " Did you forget the biases?"
                    else:
                        hint = " inputs × units + units."
                return incorrect(
                    f"{where}: the shape is right but the parameter count is wrong.{hint}"
                )
            previous = shape
        return correct(f"Correct: every row matches; {total:,} parameters in total.")

    # Typical mistake: the first Dense layer's biases forgotten.
    first_dense = next(i for i, (kind, _) in enumerate(layers) if kind == "Dense")
    check.typical_mistake = [
        (shape, params - (shape[0] if i == first_dense else 0))
        for i, (shape, params) in enumerate(rows)
    ]

    def verify():
        keras = _keras()
        model_layers = [keras.Input(input_shape)]
        for kind, spec in layers:
            if kind == "Conv2D":
                model_layers.append(
                    keras.layers.Conv2D(
                        spec["filters"], spec["kernel"], padding=spec["padding"], activation="relu"
                    )
                )
            elif kind == "MaxPooling2D":
                model_layers.append(keras.layers.MaxPooling2D(2))
            elif kind == "Flatten":
                model_layers.append(keras.layers.Flatten())
            else:
                model_layers.append(keras.layers.Dense(spec["units"]))
        model = keras.Sequential(model_layers)
        got = [(tuple(layer.output.shape[1:]), layer.count_params()) for layer in model.layers]
        return got == rows and model.count_params() == total, got

    return Draft(
        statement,
        expected,
        solution,
        check,
        verify,
        dict(input_shape=input_shape, layers=layers),
    )


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
        response = np.asarray(model(np.eye(length, dtype="float32")[..., None]))[:, 0, 0]
        seen = np.flatnonzero(response > 0)
        field = int(seen.max() - seen.min() + 1) if seen.size else 0
        return field == expected and seen.size == expected, field

    return Draft(
        statement,
        expected,
        "\n\n".join(steps),
        _check_int(expected, pairs),
        verify,
        dict(stack=stack),
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
        if isinstance(answer, str):
            raise StudentCodeError(f"Expected a list of {size} numbers, got the text {answer!r}.")
        try:
            values = [as_number(v) for v in answer]
        except TypeError:
            raise StudentCodeError(
                f"Expected a list of {size} probabilities, got {type(answer).__name__} {answer!r}."
            ) from None
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
            f"Entry {worst} is {values[worst]:g}, expected about {exact[worst]:.3f}. Recheck e^z there."
        )

    check.typical_mistake = [round(e, 3) for e in exps]  # exponentials, never divided by the sum

    def verify():
        import numpy as np

        keras = _keras()
        got = np.asarray(keras.ops.softmax(np.array([logits], dtype="float32"), axis=-1))[0]
        return bool(np.allclose(got, exact, atol=1e-6)), got.round(6).tolist()

    return Draft(statement, expected, "\n\n".join(steps), check, verify, dict(logits=logits))


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
        statement, expected, "\n\n".join(steps), _check_float(exact, pairs, tol), verify, data
    )


# --------------------------------------------------------------------------- batch_epoch

_SAMPLES = [1840, 60000, 50000, 10000, 5000, 2500, 1000, 12000, 800, 1500, 3000, 45000, 1234, 999]


def batch_epoch(rng: random.Random) -> Draft:
    samples = rng.choice(_SAMPLES)
    batch = rng.choice([8, 16, 32, 64, 100, 128, 256])
    per_epoch = -(-samples // batch)
    divides = samples % batch == 0
    if rng.random() < 0.5:
        statement = (
            f"A training set has {samples:,} samples and the batch size (批大小) is {batch}. "
            "How many iterations (迭代, gradient steps) does one epoch (轮) take in Keras?"
        )
        steps = [
            f"iterations per epoch = ceil(N / B) = ceil({samples:,} / {batch}) = {per_epoch:,}."
        ]
        if not divides:
            steps.append(
                f"{samples:,}/{batch} = {samples / batch:.3f}: the last batch is smaller "
                f"({samples - (per_epoch - 1) * batch} samples) but still one step, so round up."
            )
        steps.append(f"**Answer:** {per_epoch}")
        pairs = [
            (
                samples // batch,
                "Keras also runs the last, smaller batch: round up (ceil), not down.",
            ),
            (samples * batch, "Divide the samples by the batch size."),
            (samples, "One iteration processes a whole batch, not one sample."),
        ]
        expected = per_epoch
        checker = _check_int(expected, pairs)
        data = dict(kind="iterations", samples=samples, batch=batch)
    else:
        iterations = rng.choice([1000, 2000, 4000, 5000, 10000, 20000])
        exact = iterations / per_epoch
        statement = (
            f"A training set has {samples:,} samples, the batch size (批大小) is {batch}, and "
            f"training runs {iterations:,} iterations (迭代). How many epochs (轮) is that? "
            "Answer to one decimal."
        )
        steps = [
            f"iterations per epoch = ceil({samples:,} / {batch}) = {per_epoch:,}.",
            f"epochs = {iterations:,} / {per_epoch:,} = {exact:.3f}, about {exact:.1f}.",
            f"**Answer:** {round(exact, 1)}",
        ]
        pairs = [
            (
                iterations / samples,
                "One iteration uses a batch of samples: first compute iterations per epoch = ceil(N/B).",
            ),
            (iterations * per_epoch, "Divide the iterations by the iterations per epoch."),
            (
                iterations / (samples // batch) if samples >= batch else 0.0,
                "Keras runs the last partial batch too: ceil(N/B) iterations per epoch.",
            ),
        ]
        expected = round(exact, 1)
        checker = _check_float(exact, pairs, 0.051 + abs(expected - exact))
        data = dict(kind="epochs", samples=samples, batch=batch, iterations=iterations)

    def verify():
        import numpy as np

        try:
            from keras.src.trainers.data_adapters import get_data_adapter

            x = np.zeros((samples, 1), dtype="float32")
            got = get_data_adapter(x, x, batch_size=batch).num_batches
        except ImportError:  # a Keras without the adapter: count the steps of a real fit
            keras = _keras()
            steps_seen = []
            model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
            model.compile("sgd", "mse")
            x = np.zeros((samples, 1), dtype="float32")
            model.fit(
                x,
                x,
                batch_size=batch,
                epochs=1,
                verbose=0,
                callbacks=[
                    keras.callbacks.LambdaCallback(
                        on_train_batch_end=lambda b, _: steps_seen.append(b)
                    )
                ],
            )
            got = len(steps_seen)
        return got == per_epoch, got

    return Draft(statement, expected, "\n\n".join(steps), checker, verify, data)


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

    return Draft(
        statement,
        expected,
        "\n\n".join(steps),
        _check_int(expected, pairs),
        verify,
        dict(kind=kind, inputs=inputs, units=units),
    )


# --------------------------------------------------------------------------- dropout_expectation


def dropout_expectation(rng: random.Random) -> Draft:
    rate = rng.choice([0.2, 0.25, 0.3, 0.4, 0.5])
    x = rng.choice([0.6, 1.0, 1.2, 2.0, 3.0, 4.0])
    kind = rng.choice(["kept", "kept", "mean", "inference", "count"])
    units = rng.choice([100, 200, 500, 1000])
    kept = x / (1 - rate)
    intro = (
        f"A Keras Dropout layer (随机失活) with rate p = {rate:g} receives a vector of {units} "
        f"activations, all equal to {x:g}."
    )
    tol = 0.0015
    base = [
        "Keras uses inverted dropout: during training each unit is zeroed with probability p "
        "and the kept ones are scaled by 1/(1 - p); at inference the layer does nothing."
    ]
    if kind == "kept":
        exact = kept
        question = "During training, what value does a unit that is kept have? (3 decimals)"
        steps = base + [f"kept value = x/(1 - p) = {x:g}/{1 - rate:g} = {kept:.4f}."]
        pairs = [
            (x, "Keras scales the kept units during training by 1/(1 - p) (inverted dropout)."),
            (
                x * (1 - rate),
                "Multiplying by (1 - p) is the old test-time scaling; Keras divides the kept units by (1 - p) during training.",
            ),
            (x / rate, "Divide by the keep probability 1 - p, not by p."),
            (x * rate, "The kept units are scaled up by 1/(1 - p)."),
        ]
    elif kind == "mean":
        exact = x
        question = "During training, what is the expected value of one output unit? (3 decimals)"
        steps = base + [
            f"E[out] = (1 - p)·x/(1 - p) + p·0 = x = {x:g}: the scaling keeps the expectation."
        ]
        pairs = [
            (
                x * (1 - rate),
                "The kept units are scaled by 1/(1 - p), which cancels the (1 - p) chance of being kept.",
            ),
            (kept, "That is the value of a kept unit; average over dropped (0) and kept units."),
        ]
    elif kind == "inference":
        exact = x
        question = "At inference (test time, training=False), what is the value of an output unit?"
        steps = base + [f"At inference dropout is the identity: {x:g}."]
        pairs = [
            (
                x * (1 - rate),
                "Keras already scaled during training (inverted dropout): nothing changes at test time.",
            ),
            (kept, "The 1/(1 - p) scaling is applied during training only."),
        ]
    else:
        exact = rate * units
        question = "During training, how many of the units are zeroed on average?"
        steps = base + [
            f"Each unit is dropped with probability p: p × n = {rate:g} × {units} = {exact:g}."
        ]
        pairs = [
            (
                (1 - rate) * units,
                "That is the number kept; the rate p is the probability of dropping.",
            ),
            (rate, "That is the probability p of dropping one unit; multiply it by the n units."),
        ]
    statement = f"{intro} {question}"
    steps.append(f"**Answer:** {round(exact, 3):g}")

    def verify():
        import numpy as np

        keras = _keras()
        layer = keras.layers.Dropout(rate, seed=1234)
        inputs = np.full((1, 20000), x, dtype="float32")
        trained = np.asarray(layer(inputs, training=True))
        inferred = np.asarray(layer(inputs, training=False))
        nonzero = trained[trained != 0]
        scale_ok = bool(np.allclose(nonzero, kept, rtol=1e-5))
        identity_ok = bool(np.allclose(inferred, x))
        dropped = float(np.mean(trained == 0))
        rate_ok = abs(dropped - rate) < 0.03
        mean_ok = abs(float(trained.mean()) - x) < 0.05 * x
        values = {
            "kept": float(nonzero[0]),
            "mean": float(trained.mean()),
            "inference": float(inferred[0, 0]),
            "count": dropped * units,
        }
        agrees = scale_ok and identity_ok and rate_ok and mean_ok
        return agrees, values[kind]

    return Draft(
        statement,
        round(exact, 3),
        "\n\n".join(steps),
        _check_float(exact, pairs, tol if kind != "count" else 0.5),
        verify,
        dict(rate=rate, x=x, kind=kind, units=units),
    )


# --------------------------------------------------------------------------- optimizer_step


def optimizer_step(rng: random.Random) -> Draft:
    kind = rng.choice(["sgd", "momentum", "adam", "rmsprop"])
    w0 = rng.choice([0.5, 1.0, 1.5, 2.0, -1.0])
    g = rng.choice([0.2, 0.4, 0.5, 1.0, 2.0, -0.5, -1.0])
    lr = rng.choice([0.1, 0.05, 0.01]) if kind != "adam" else rng.choice([0.1, 0.01, 0.001])
    # Answers are given to 4 decimals; small learning rates need a tight tolerance.
    tol = max(6e-5, min(6e-4, lr * 0.05))
    if kind == "sgd":
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
    elif kind == "momentum":
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
    elif kind == "adam":
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
    else:
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

    return Draft(
        statement,
        round(exact, 4),
        "\n\n".join(steps),
        _check_float(exact, pairs, tol),
        verify,
        dict(kind=kind, w0=w0, grads=grads, lr=lr),
    )


# --------------------------------------------------------------------------- registry

GENERATORS: dict[str, Callable[[random.Random], Draft]] = {
    "conv_output_size": conv_output_size,
    "pool_output_size": pool_output_size,
    "conv_params": conv_params,
    "dense_params": dense_params,
    "stack_table": stack_table,
    "receptive_field": receptive_field,
    "softmax": softmax,
    "cross_entropy": cross_entropy,
    "batch_epoch": batch_epoch,
    "rnn_params": rnn_params,
    "dropout_expectation": dropout_expectation,
    "optimizer_step": optimizer_step,
}

#: The practice topics, in course order.
TOPICS: tuple[str, ...] = tuple(GENERATORS)
