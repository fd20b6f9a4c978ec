"""``ck.explain(model)``: the layer table of a Keras model with the arithmetic written out.

One row per layer: its name, type, output shape, parameter count (Keras's own count)
and the formula with the numbers filled in, e.g. ``5×5×3×6 + 6 = 456``. The numbers
after "=" come from :mod:`cnnkit.formulas`; when a formula's result and Keras's count
disagree (an unusual configuration such as LoRA or quantisation) the row keeps Keras's
count and says so, so the ``parameters`` column always sums to ``model.count_params()``.

Layers with no formula here (custom layers, Embedding, LayerNormalization, ...) are
listed with Keras's count and the marker :data:`NO_FORMULA`.
"""

from __future__ import annotations

import math

import keras
import pandas as pd

from cnnkit import formulas

COLUMNS = ["layer", "type", "output shape", "parameters", "formula"]
NO_FORMULA = "(Keras count; no formula)"

_POOLING = tuple(
    getattr(keras.layers, name)
    for name in (
        "MaxPooling1D",
        "MaxPooling2D",
        "MaxPooling3D",
        "AveragePooling1D",
        "AveragePooling2D",
        "AveragePooling3D",
        "GlobalMaxPooling1D",
        "GlobalMaxPooling2D",
        "GlobalMaxPooling3D",
        "GlobalAveragePooling1D",
        "GlobalAveragePooling2D",
        "GlobalAveragePooling3D",
    )
)


UNBUILT = "not built: its call() has not run, so it has no weights yet (call the model on data)"


def _n(value: int) -> str:
    """An int with thousands separators: 100480 -> '100,480'."""
    return f"{int(value):,}"


def _times(*factors) -> str:
    return "×".join(_n(f) for f in factors)


# Each rule takes a layer and returns (value from cnnkit.formulas, expression, note)
# or None when the layer is not its kind. The expression has no "= result".


def _dense(layer):
    n_in, units = (int(d) for d in layer.kernel.shape)
    value = formulas.dense_params(n_in, units, use_bias=layer.use_bias)
    expr = _times(n_in, units) + (f" + {_n(units)}" if layer.use_bias else "")
    return value, expr, ""


def _conv(layer):
    shape = tuple(int(d) for d in layer.kernel.shape)
    kernel = shape[:-2]
    if isinstance(layer, _CONV_TRANSPOSE):  # kernel is (..., filters, in_channels)
        filters, in_channels = shape[-2:]
    else:  # kernel is (..., in_channels / groups, filters)
        in_channels, filters = shape[-2:]
    value = formulas.conv_params(kernel, in_channels, filters, use_bias=layer.use_bias)
    expr = _times(*kernel, in_channels, filters) + (f" + {_n(filters)}" if layer.use_bias else "")
    groups = getattr(layer, "groups", 1)
    note = f" (groups={groups}: {in_channels} input channels per group)" if groups > 1 else ""
    return value, expr, note


def _depthwise(layer):
    shape = tuple(int(d) for d in layer.kernel.shape)
    kernel, (channels, multiplier) = shape[:-2], shape[-2:]
    value = formulas.depthwise_conv_params(
        kernel, channels, depth_multiplier=multiplier, use_bias=layer.use_bias
    )
    per = (channels,) if multiplier == 1 else (channels, multiplier)
    expr = _times(*kernel, *per) + (f" + {_times(*per)}" if layer.use_bias else "")
    return value, expr, ""


def _separable(layer):
    shape = tuple(int(d) for d in layer.depthwise_kernel.shape)
    kernel, (channels, multiplier) = shape[:-2], shape[-2:]
    filters = int(layer.pointwise_kernel.shape[-1])
    value = formulas.separable_conv_params(
        kernel, channels, filters, depth_multiplier=multiplier, use_bias=layer.use_bias
    )
    per = (channels,) if multiplier == 1 else (channels, multiplier)
    expr = f"{_times(*kernel, *per)} + {_times(*per, filters)}"
    expr += f" + {_n(filters)}" if layer.use_bias else ""
    return value, expr, ""


def _batchnorm(layer):
    channels = math.prod(int(d) for d in layer.moving_mean.shape)
    center, scale = bool(layer.center), bool(layer.scale)
    value = formulas.batchnorm_params(channels, center=center, scale=scale)
    trainable = formulas.batchnorm_trainable_params(channels, center=center, scale=scale)
    return value, _times(value // channels, channels), f" ({_n(trainable)} trainable)"


def _recurrent(layer):
    cell = layer.cell
    m, n = int(cell.kernel.shape[0]), int(cell.units)
    block = f"{_n(n)}×({_n(m)} + {_n(n)})"
    if isinstance(layer, keras.layers.LSTM):
        value = formulas.lstm_params(m, n, use_bias=cell.use_bias)
        expr = f"4×({block} + {_n(n)})" if cell.use_bias else f"4×{block}"
    elif isinstance(layer, keras.layers.GRU):
        value = formulas.gru_params(m, n, use_bias=cell.use_bias, reset_after=cell.reset_after)
        bias = f"2×{_n(n)}" if cell.reset_after else _n(n)
        expr = f"3×({block} + {bias})" if cell.use_bias else f"3×{block}"
    else:
        value = formulas.simple_rnn_params(m, n, use_bias=cell.use_bias)
        expr = f"{block} + {_n(n)}" if cell.use_bias else block
    return value, expr, ""


def _pooling(layer):
    return formulas.pooling_params(), "", ""


def _bidirectional(layer):
    forward, backward = _rule(layer.forward_layer), _rule(layer.backward_layer)
    if forward is None or backward is None:
        return None
    (fv, fe, _), (bv, be, _) = forward(layer.forward_layer), backward(layer.backward_layer)
    if fe == be:
        return 2 * fv, f"2×[{fe}]", " (forward + backward)"
    return fv + bv, f"[{fe}] + [{be}]", " (forward + backward)"


def _time_distributed(layer):
    inner = _rule(layer.layer)
    if inner is None:
        return None
    value, expr, note = inner(layer.layer)
    return value, expr, note + f" (one {type(layer.layer).__name__} shared by all time steps)"


_CONV_TRANSPOSE = (
    keras.layers.Conv1DTranspose,
    keras.layers.Conv2DTranspose,
    keras.layers.Conv3DTranspose,
)

_RULES = [
    (keras.layers.Dense, _dense),
    (
        (keras.layers.Conv1D, keras.layers.Conv2D, keras.layers.Conv3D, *_CONV_TRANSPOSE),
        _conv,
    ),
    ((keras.layers.DepthwiseConv1D, keras.layers.DepthwiseConv2D), _depthwise),
    ((keras.layers.SeparableConv1D, keras.layers.SeparableConv2D), _separable),
    (keras.layers.BatchNormalization, _batchnorm),
    ((keras.layers.SimpleRNN, keras.layers.LSTM, keras.layers.GRU), _recurrent),
    (_POOLING, _pooling),
    (keras.layers.Bidirectional, _bidirectional),
    (keras.layers.TimeDistributed, _time_distributed),
]


def _rule(layer):
    for kinds, rule in _RULES:
        if isinstance(layer, kinds):
            return rule
    return None


def _is_keras_builtin(layer) -> bool:
    return type(layer).__module__.startswith("keras.")


def _formula_text(layer, count: int) -> str:
    """The formula column for one layer whose Keras count is ``count``."""
    rule = _rule(layer)
    if rule is None and callable(getattr(layer, "parameter_formula", None)):
        # Course layers (LeNet's Subsampling, PartialConv2D, ...) explain themselves.
        rule = type(layer).parameter_formula
    result = rule(layer) if rule is not None else None
    if result is None:
        if count == 0 and not layer.weights and _is_keras_builtin(layer):
            return "0"
        return NO_FORMULA
    value, expr, note = result
    if value != count:
        return f"(Keras count; the formula {expr} = {_n(value)} does not match it)"
    if not expr:
        return _n(value)
    return f"{expr} = {_n(value)}{note}"


def _output_shape(layer) -> str:
    try:
        output = layer.output
    except (AttributeError, ValueError, RuntimeError):
        return "?"
    outputs = output if isinstance(output, (list, tuple)) else [output]
    try:
        return ", ".join(str(tuple(t.shape)) for t in outputs)
    except AttributeError:
        return "?"


def _size(variable) -> int:
    return math.prod(int(d) for d in variable.shape)


def _rows(model, prefix, expand_nested, seen_layers, seen_weights):
    for layer in model.layers:
        if id(layer) in seen_layers:
            continue
        seen_layers.add(id(layer))
        if prefix and isinstance(layer, keras.layers.InputLayer):
            continue  # a nested model's input is the previous row's output
        name = prefix + layer.name
        if expand_nested and isinstance(layer, keras.Model):
            yield from _rows(layer, name + "/", expand_nested, seen_layers, seen_weights)
            continue
        if not layer.built:
            # Keras creates a layer's weights on its first call; a subclassed model's layer that
            # its call() did not reach (yet) has none, and Keras's summary shows it as unbuilt.
            yield [name, type(layer).__name__, "?", 0, UNBUILT]
            continue
        new_weights = [w for w in layer.weights if id(w) not in seen_weights]
        seen_weights.update(id(w) for w in new_weights)
        count = sum(_size(w) for w in new_weights)
        keras_count = layer.count_params() if layer.built else count
        if isinstance(layer, keras.Model):
            formula = f"sum of its {len(layer.layers)} layers (expand_nested=True lists them)"
        elif count != keras_count:
            formula = (
                f"{_n(keras_count - count)} of its {_n(keras_count)} parameters are shared "
                f"with a layer above"
            )
        else:
            formula = _formula_text(layer, count)
        yield [name, type(layer).__name__, _output_shape(layer), count, formula]


def explain(model, expand_nested: bool = True, print_total: bool = True) -> pd.DataFrame:
    """Return the layer table of a built Keras model with each parameter count's arithmetic.

    Columns: ``layer``, ``type``, ``output shape``, ``parameters`` (Keras's count, an int
    column that sums to ``model.count_params()``) and ``formula`` (the arithmetic with the
    numbers filled in, e.g. ``5×5×3×6 + 6 = 456``; ``0`` for layers without weights;
    :data:`NO_FORMULA` for layers the course has no formula for).

    Args:
        model: a built ``keras.Model`` (Sequential, functional or subclassed).
        expand_nested: list the layers of nested models (a Sequential block inside a
            functional model) as ``block/conv2d`` rows instead of one row per nested model.
        print_total: print one line with the total, trainable and non-trainable counts.

    The totals are also in ``df.attrs``: ``total_parameters``, ``trainable_parameters``,
    ``non_trainable_parameters`` and ``model``. A weight shared by several layers is
    counted once, at its first layer, as Keras counts it.
    """
    if not isinstance(model, keras.Model):
        raise TypeError(
            f"explain() takes a keras.Model, got {type(model).__name__}. Wrap a single layer "
            f"in keras.Sequential([keras.Input(shape), layer])."
        )
    if not model.built:
        raise ValueError(
            f"Model {model.name!r} is not built yet, so its layers have no weights to count. "
            f"Start it with keras.Input(shape=...), or call it once on a batch of data, for "
            f"example model(keras.ops.zeros((1, 28, 28, 1))) for 28×28×1 images "
            f"(a subclassed model's model.build(shape) does not build the layers inside it)."
        )
    seen_weights: set[int] = set()
    rows = list(_rows(model, "", expand_nested, set(), seen_weights))
    own = [w for w in model.weights if id(w) not in seen_weights]
    if own:  # e.g. a subclassed model that creates weights itself
        seen_weights.update(id(w) for w in own)
        rows.append(
            [
                f"({model.name}'s own weights)",
                type(model).__name__,
                "",
                sum(map(_size, own)),
                NO_FORMULA,
            ]
        )
    table = pd.DataFrame(rows, columns=COLUMNS).astype({"parameters": "int64"})
    total = model.count_params()
    trainable = sum(_size(w) for w in model.trainable_weights)
    table.attrs.update(
        model=model.name,
        total_parameters=total,
        trainable_parameters=trainable,
        non_trainable_parameters=total - trainable,
    )
    if print_total:
        unbuilt = int((table["formula"] == UNBUILT).sum())
        note = (
            f"; {unbuilt} layer(s) not built yet: call the model on a batch of data to create "
            "their weights"
            if unbuilt
            else ""
        )
        print(
            f"{model.name}: {_n(total)} parameters "
            f"({_n(trainable)} trainable, {_n(total - trainable)} non-trainable){note}"
        )
    return table
