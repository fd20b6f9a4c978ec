"""Why convolution: local connectivity and weight sharing arithmetic, and a fully connected
layer written as a convolution (chapter 02)."""

from __future__ import annotations

import random

from cnnkit.review import sections
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import _keras, _x, int_draft

_CASES = ("full", "local", "shared", "filters")


def local_connectivity(rng: random.Random) -> Draft:
    side = rng.choice([100, 200, 500, 1000])
    hidden = side * side  # one hidden unit per pixel position, as in the syllabus example
    k = rng.choice([3, 5, 10])
    filters = rng.choice([10, 32, 100])
    case = rng.choice(_CASES)
    full, local, shared = side * side * hidden, hidden * k * k, k * k
    expected = {"full": full, "local": local, "shared": shared, "filters": shared * filters}[case]
    question = {
        "full": "fully connected (全连接): every hidden unit sees every pixel",
        "local": f"locally connected (局部连接): each hidden unit sees a {k}×{k} patch, "
        "with its own weights",
        "shared": f"convolutional: each unit sees a {k}×{k} patch and all units share the same "
        "weights (权值共享)",
        "filters": f"convolutional with weight sharing and {filters} different {k}×{k} filters",
    }[case]
    statement = (
        f"A {_x(side, side)} grey image feeds {hidden:,} hidden units (one per pixel position). "
        f"How many weights (no biases) does the layer have if it is {question}?"
    )
    steps = [
        f"Fully connected: pixels × units = {side * side:,} × {hidden:,} = {full:,}.",
        f"Local {k}×{k} fields (局部感受野): units × {k * k} = {local:,}.",
        f"Shared weights: one {k}×{k} kernel = {shared} weights, whatever the number of positions.",
        f"{filters} filters: {shared} × {filters} = {shared * filters:,}.",
        f"**Answer:** {expected}",
    ]
    pairs = [
        (full, "That is the fully connected count; each unit here sees only a patch."),
        (local, "That is one set of weights per unit; with sharing all units use one kernel."),
        (shared, "That is one shared kernel; count every filter (or every unit if not shared)."),
        (shared * filters, "That counts several filters; read how many the question has."),
        (hidden, "That is the number of units; multiply by the weights each unit has."),
    ]

    def verify():
        from cnnkit import formulas

        keras = _keras()
        small = 8  # the same arithmetic on a small image that Keras can build
        dense = keras.layers.Dense(small * small, use_bias=False)
        dense.build((None, small * small))
        conv = keras.layers.Conv2D(filters, k, use_bias=False)
        conv.build((None, small + k, small + k, 1))
        dense_ok = dense.count_params() == small**4
        conv_ok = conv.count_params() == k * k * filters
        local_ok = formulas.locally_connected_params(hidden, k, 1, use_bias=False) == local
        return dense_ok and conv_ok and local_ok, (
            dense.count_params(),
            conv.count_params(),
            formulas.locally_connected_params(hidden, k, 1, use_bias=False),
        )

    data = dict(side=side, kernel=k, filters=filters, case=case)
    return int_draft(
        statement, expected, "\n\n".join(steps), pairs, verify, data, source=sections.WHY_NOT_FC
    )


def fc_as_conv(rng: random.Random) -> Draft:
    while True:  # Keras verifies by building the layer: keep it under ~3 million weights
        side = rng.choice([1, 3, 5, 6, 7])
        depth = rng.choice([16, 64, 256, 512])
        units = rng.choice([10, 84, 120, 1000, 4096])
        if side * side * depth * units <= 3_000_000:
            break
    weights = side * side * depth * units
    expected = weights + units
    statement = (
        f"A Dense layer with {units:,} units reads the flattened {_x(side, side, depth)} feature "
        "map (特征图). Written as a convolution, it is a Conv2D with how many kernels of which size? "
        "Answer with the parameter count of that Conv2D (weights and biases)."
    )
    solution = (
        f"Each unit becomes one kernel covering the whole map: {units:,} kernels of "
        f"{_x(side, side, depth)}, stride 1, no padding, giving a 1×1×{units:,} output.\n\n"
        f"Parameters: {side}×{side}×{depth}×{units:,} + {units:,} = {expected:,}, exactly the Dense "
        f"layer's {side * side * depth:,}×{units:,} + {units:,}.\n\n**Answer:** {expected}"
    )
    pairs = [
        (weights, "Did you forget the biases? One per kernel (= per unit)."),
        (side * side * units + units, "Each kernel spans all the map's channels: F×F×D1."),
        (
            depth * units + units,
            "The kernel covers the whole map: its size is the map's height × width.",
        ),
    ]

    def verify():
        keras = _keras()
        x = keras.Input((side, side, depth))
        conv = keras.layers.Conv2D(units, side)
        y = conv(x)
        dense = keras.layers.Dense(units)
        dense(keras.layers.Flatten()(x))
        same = conv.count_params() == dense.count_params() == expected
        return same and tuple(y.shape[1:]) == (1, 1, units), conv.count_params()

    data = dict(side=side, depth=depth, units=units)
    return int_draft(statement, expected, solution, pairs, verify, data, source=sections.FC_AS_CONV)
