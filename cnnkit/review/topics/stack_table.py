"""A whole LeNet-style layer table: output shape and parameters of every layer (chapter 04)."""

from __future__ import annotations

import random

from cnnkit.exercises.core import Result, correct, incorrect
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import (
    _as_int,
    _as_shape,
    _fmt_shape,
    _keras,
    _mistakes,
    _x,
    bounded_items,
)
from cnnkit.review.topics.parameters import _conv_param_pairs

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


def _layer_rows(input_shape, layers):
    """(output shape, parameters) per layer, and the worked note of each."""
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
    return rows, notes


def _table_checker(input_shape, layers, rows, total):
    """Check a layer table row by row; the first wrong row is named with a hint."""

    def check(answer) -> Result:
        answer = bounded_items(answer, f"a list of {len(rows)} rows (shape, params)")
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

    return check


def _table_verifier(input_shape, layers, rows, total):
    """Build the network in Keras and read every layer's output shape and count."""

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

    return verify


def stack_table(rng: random.Random) -> Draft:
    input_shape, layers = _stack_layers(rng)
    rows, notes = _layer_rows(input_shape, layers)
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

    check = _table_checker(input_shape, layers, rows, total)
    # Typical mistake: the first Dense layer's biases forgotten.
    first_dense = next(i for i, (kind, _) in enumerate(layers) if kind == "Dense")
    check.typical_mistake = [
        (shape, params - (shape[0] if i == first_dense else 0))
        for i, (shape, params) in enumerate(rows)
    ]

    verify = _table_verifier(input_shape, layers, rows, total)

    data = dict(input_shape=input_shape, layers=layers)
    return Draft(statement, expected, solution, check, verify, data)
