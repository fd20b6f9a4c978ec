"""Chapter 03 exercises: pooling. The one source of the generated notebooks.

Each problem: statement, starter code (what the student sees), solution code, hints, a checker,
and the typical wrong answers with the message they must get (the tests prove each one).
"""

from __future__ import annotations

import numpy as np

from cnnkit.exercises.core import (
    Chapter,
    Problem,
    StudentCodeError,
    WrongAnswer,
    as_number,
    call_student,
    check_array,
    check_number,
    correct,
    first_wins,
    fresh_generator,
    incorrect,
    off_by_one,
    rounding_variants,
    shape_of,
    swapped_arguments,
)


def _expect_dict(answer, keys, example):
    if not isinstance(answer, dict):
        raise StudentCodeError(f"Expected a dict like {example}, got {type(answer).__name__}.")
    missing = [key for key in keys if key not in answer]
    if missing:
        raise StudentCodeError(f"Missing key(s): {', '.join(map(repr, missing))}. Use {example}.")
    return {key: as_number(answer[key], what=f"a number for {key!r}") for key in keys}


# --- q1: max, average, min of one window (personal numbers) -----------------------------------
# The chapter's worked example is the syllabus's window [[1, 3], [2, 2]].


def _window_numbers(rng):
    while True:
        window = [[int(v) for v in row] for row in rng.integers(0, 10, size=(2, 2))]
        values = sorted(v for row in window for v in row)
        average = sum(values) / 4
        distinct = len({values[-1], average, values[0], sum(values), sum(values[-2:]) / 2}) == 5
        if distinct and (values[-1], average, values[0]) != (3, 2, 1):  # the syllabus's answer
            return {"window": window}


def _check_window(answer, given):
    values = _expect_dict(
        answer, ("max", "average", "min"), "{'max': ..., 'average': ..., 'min': ...}"
    )
    cells = [v for row in given.window for v in row]
    largest, smallest, total = max(cells), min(cells), sum(cells)
    average = total / 4
    if values["average"] == total:
        return incorrect(
            "That average is the SUM of the window; average pooling divides by the 4 cells."
        )
    if values["average"] == sum(sorted(cells)[-2:]) / 2:
        return incorrect(
            "You averaged only the two largest values; average pooling averages all four."
        )
    if values["max"] == average and values["average"] == largest:
        return incorrect("You swapped the max and the average.")
    if values["max"] == smallest and values["min"] == largest:
        return incorrect("You swapped the max and the min.")
    for key, expected in (("max", largest), ("average", average), ("min", smallest)):
        if not np.isclose(values[key], expected):
            return incorrect(
                f"{key}: {values[key]:g} is not the {key} of the window {given.window}; recompute it."
            )
    return correct(
        f"Correct: max {largest:g}, average {average:g}, min {smallest:g}. The same window can be "
        "summarised very differently."
    )


q1 = Problem(
    title="Max, average and min pooling of one window (最大池化, 平均池化)",
    statement=(
        "A 2×2 pooling window holds {window}. What do max pooling, average pooling and min "
        "pooling output for it?"
    ),
    starter="answer = {'max': ..., 'average': ..., 'min': ...}",
    solution_code=(
        "g = ch03.q1.given  # your numbers: g.window\n"
        "cells = [value for row in g.window for value in row]\n"
        "answer = {'max': max(cells), 'average': sum(cells) / 4, 'min': min(cells)}"
    ),
    checker=_check_window,
    parameters=_window_numbers,
    hints=("Average = sum of the 4 values / 4.",),
    explanation=(
        "max, average (sum / 4) and min of {window}; the syllabus's window [[1, 3], [2, 2]] "
        "shows the same contrast: average 2 where the max is 3."
    ),
    wrong_answers=(
        WrongAnswer(
            "c = sum(ch03.q1.given.window, [])\nanswer = {'max': max(c), 'average': sum(c), 'min': min(c)}",
            "SUM",
        ),
        WrongAnswer(
            "c = sum(ch03.q1.given.window, [])\n"
            "answer = {'max': sum(c) / 4, 'average': max(c), 'min': min(c)}",
            "swapped",
        ),
        WrongAnswer("answer = [3, 2, 1]", "Expected a dict"),
    ),
)

# --- q2: overlapping pooling output size (personal numbers) -----------------------------------
# The chapter's worked example is AlexNet's 55×55 pooled 3×3 with stride 2: 27.

_OVERLAPPING = [(3, 2), (5, 3), (4, 3), (5, 4)]


def _pool_numbers(rng):
    while True:
        window, stride = _OVERLAPPING[int(rng.integers(len(_OVERLAPPING)))]
        width = int(rng.integers(13, 120))
        answer = (width - window) // stride + 1
        mistakes = {answer - 1, width // window, -(-width // stride), width - window + 1}
        if answer != 27 and answer not in mistakes and len(mistakes) == 4:  # 27: AlexNet's
            channels = int(rng.choice([32, 64, 96, 128, 256]))
            return {"width": width, "window": window, "stride": stride, "channels": channels}


def _pool_size(width, window, stride):
    return (width - window) // stride + 1


def _check_overlapping(answer, given):
    w, f, s = given.width, given.window, given.stride
    expected = _pool_size(w, f, s)
    return check_number(
        answer,
        expected,
        integer=True,
        mistakes={
            w // f: (
                f"The stride is {s}, not the window size {f}: overlapping pooling (重叠池化) has S < F, "
                "so neighbouring windows share cells."
            ),
            -(-w // s): "That is ceil(W/S), the size with padding='same'; this pooling is 'valid'.",
            w - f + 1: f"With stride {s} the window jumps {s} cells: divide by S.",
        },
        variants=first_wins(
            off_by_one(expected, where="the +1 (the first window position counts too)"),
            rounding_variants(
                (w - f) / s,
                rounding="floor",
                plus=1,
                why="Keras drops the positions a 'valid' window cannot reach.",
            ),
            swapped_arguments(_pool_size, (w, f, s), 1, 2, "the window size F and the stride S"),
        ),
        success=f"Correct: floor(({w} - {f})/{s}) + 1 = {expected}: {f}×{f} windows, stride {s}, overlapping.",
    )


q2 = Problem(
    title="Overlapping pooling (重叠池化)",
    statement=(
        "A network pools its {width}×{width}×{channels} feature maps with "
        "`MaxPooling2D(pool_size={window}, strides={stride})` ('valid'), overlapping like "
        "AlexNet's. What is the output width?"
    ),
    starter="answer = ...",
    solution_code=(
        "g = ch03.q2.given  # your numbers: g.width, g.window, g.stride\n"
        "answer = (g.width - g.window) // g.stride + 1"
    ),
    checker=_check_overlapping,
    parameters=_pool_numbers,
    hints=("Pooling uses the convolution size formula with P = 0: (W1 - F)/S + 1.",),
    explanation=(
        "floor(({width} - {window})/{stride}) + 1; neighbouring {window}×{window} windows overlap "
        "because the stride {stride} is smaller than the window."
    ),
    wrong_answers=(
        WrongAnswer("g = ch03.q2.given\nanswer = (g.width - g.window) // g.stride", "+1"),
        WrongAnswer("g = ch03.q2.given\nanswer = g.width // g.window", "not the window size"),
        WrongAnswer("g = ch03.q2.given\nanswer = -(-g.width // g.stride)", "padding='same'"),
    ),
)

# --- q3: implement max pooling ----------------------------------------------------------------


def _check_max_pool(max_pool):
    from cnnkit.scratch import average_pool2d, max_pool2d

    # Fresh numbers for every check; each reference is computed before the student's function
    # runs and kept alive, so an np.empty answer never finds the right values in freed memory.
    rng = fresh_generator("ch03.q3")
    cases = [
        (np.array([[1.0, 3, 0, 1], [2, 2, 4, 1], [0, 1, 5, 6], [1, 0, 7, 8]]), 2, 2),
        (rng.normal(size=(6, 6)), 2, 2),
        (rng.normal(size=(7, 7)), 3, 2),
        (rng.normal(size=(5, 6)), 2, 2),
    ]
    references = [max_pool2d(x, size, stride) for x, size, stride in cases]
    for (x, size, stride), expected in zip(cases, references, strict=True):
        got = call_student(max_pool, x.copy(), size, stride, output_like=[expected])
        shape = shape_of(got, expected.shape)
        if shape == expected.shape and np.allclose(np.asarray(got, dtype=float), expected):
            continue
        if shape == expected.shape and np.allclose(
            np.asarray(got, dtype=float), average_pool2d(x, size, stride)
        ):
            return incorrect(
                "That is average pooling; max pooling keeps the largest value of each window."
            )
        if shape == max_pool2d(x, size, 1).shape:
            return incorrect(
                f"The window must move by the stride ({stride}), not by 1: expected shape "
                f"{expected.shape}, got {shape}."
            )
        if shape != expected.shape:
            return incorrect(
                f"For a {x.shape} input, window {size} and stride {stride} the output must be "
                f"{expected.shape} (floor((W - F)/S) + 1), got {shape}."
            )
        return check_array(got, expected, name=f"max_pool of a {x.shape} input")
    return correct(
        "Correct: each output cell is the max of its window, channels untouched, no weights."
    )


q3 = Problem(
    title="Max pooling in NumPy",
    statement=(
        "Write `max_pool(x, size, stride)` for a 2-D array `x`: 'valid' windows of size×size, "
        "moved by `stride`, each replaced by its maximum."
    ),
    starter="def max_pool(x, size=2, stride=2):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code=(
        "def max_pool(x, size=2, stride=2):\n"
        "    h2 = (x.shape[0] - size) // stride + 1\n"
        "    w2 = (x.shape[1] - size) // stride + 1\n"
        "    out = np.zeros((h2, w2))\n"
        "    for i in range(h2):\n"
        "        for j in range(w2):\n"
        "            out[i, j] = x[i * stride : i * stride + size, j * stride : j * stride + size].max()\n"
        "    return out"
    ),
    checker=_check_max_pool,
    answer_name="max_pool",
    hints=(
        "Output size: (W - F)/S + 1, floored.",
        "out[i, j] = x[i·S : i·S+F, j·S : j·S+F].max()",
    ),
    explanation="The same sliding window as convolution, but max() replaces the weighted sum.",
    wrong_answers=(
        WrongAnswer(
            "def max_pool(x, size=2, stride=2):\n"
            "    h2 = (x.shape[0] - size) // stride + 1\n"
            "    w2 = (x.shape[1] - size) // stride + 1\n"
            "    return np.array([[x[i*stride:i*stride+size, j*stride:j*stride+size].mean()\n"
            "                      for j in range(w2)] for i in range(h2)])",
            "average pooling",
        ),
        WrongAnswer(
            "def max_pool(x, size=2, stride=2):\n"
            "    h2, w2 = x.shape[0] - size + 1, x.shape[1] - size + 1\n"
            "    return np.array([[x[i:i+size, j:j+size].max() for j in range(w2)] for i in range(h2)])",
            "not by 1",
        ),
    ),
)

# --- q4: LeNet's trainable subsampling --------------------------------------------------------


def _check_subsampling(answer):
    return check_number(
        answer,
        12,
        integer=True,
        mistakes={
            0: (
                "Keras's pooling layers have 0 parameters, but LeNet's subsampling is trainable: "
                "a coefficient and a bias per feature map."
            ),
            6: "One coefficient AND one bias per map: 2 × 6.",
            30: "The 2×2 window is summed, not weighted: one coefficient per map, not 4.",
            2: "One coefficient and one bias per feature map, and S2 has 6 maps.",
        },
        success="Correct: 2 × 6 = 12 (S2 of LeNet-5); S4 with 16 maps has 32.",
    )


q4 = Problem(
    title="LeNet's trainable subsampling",
    statement=(
        "LeNet-5's S2 layer takes C1's 6 feature maps of 28×28; for each map it adds up each 2×2 "
        "window, multiplies by a trainable coefficient, adds a trainable bias and applies a sigmoid. "
        "How many parameters does S2 have? (`cnnkit.models.layers.Subsampling` implements it.)"
    ),
    starter="answer = ...",
    solution_code="answer = 6 * (1 + 1)",
    checker=_check_subsampling,
    hints=("Parameters are per feature map, not per position or per window cell.",),
    explanation="(1 coefficient + 1 bias) × 6 maps = 12.",
    wrong_answers=(
        WrongAnswer("answer = 0", "trainable"),
        WrongAnswer("answer = 6", "AND one bias"),
        WrongAnswer("answer = 30", "not weighted"),
    ),
)

# --- q5: global average pooling vs Flatten ----------------------------------------------------


def _check_gap(answer):
    values = _expect_dict(answer, ("flatten", "gap"), "{'flatten': ..., 'gap': ...}")
    flatten, gap = 7 * 7 * 64 * 10 + 10, 64 * 10 + 10
    if values["flatten"] != flatten:
        if values["flatten"] == 7 * 7 * 64 * 10:
            return incorrect("flatten: forgot the 10 biases of Dense(10).")
        if values["flatten"] == 64 * 10 + 10:
            return incorrect(
                "flatten: Flatten keeps every position: 7×7×64 = 3,136 inputs to the Dense layer."
            )
        return incorrect(
            f"flatten: {values['flatten']:g} is not right: 7×7×64 inputs × 10 units + 10."
        )
    if values["gap"] != gap:
        if values["gap"] == flatten:
            return incorrect(
                "gap: global average pooling (全局平均池化) averages each 7×7 map to ONE number: "
                "64 inputs, not 3,136."
            )
        if values["gap"] == 64 * 10:
            return incorrect("gap: forgot the 10 biases of Dense(10).")
        if values["gap"] == 0:
            return incorrect(
                "gap: the pooling has 0 parameters, but the Dense(10) after it has 64×10 + 10."
            )
        return incorrect(f"gap: {values['gap']:g} is not right: 64 inputs × 10 units + 10.")
    return correct("Correct: 31,370 vs 650 parameters, 48 times fewer with global average pooling.")


q5 = Problem(
    title="Global average pooling vs Flatten (全局平均池化)",
    statement=(
        "The last convolution outputs 7×7×64. Count the parameters of the head for 10 classes:\n"
        "(a) `Flatten()` + `Dense(10)`; (b) `GlobalAveragePooling2D()` + `Dense(10)`."
    ),
    starter="answer = {'flatten': ..., 'gap': ...}",
    solution_code="answer = {'flatten': 7 * 7 * 64 * 10 + 10, 'gap': 64 * 10 + 10}",
    checker=_check_gap,
    hints=(
        "Flatten turns 7×7×64 into 3,136 numbers; global average pooling into 64.",
        "Dense: inputs × units + units.",
    ),
    explanation="Flatten: 3,136×10 + 10 = 31,370; GAP: 64×10 + 10 = 650 (GoogLeNet's trick).",
    wrong_answers=(
        WrongAnswer("answer = {'flatten': 31370, 'gap': 31370}", "ONE number"),
        WrongAnswer("answer = {'flatten': 31360, 'gap': 650}", "biases"),
        WrongAnswer("answer = {'flatten': 31370, 'gap': 0}", "Dense(10) after it"),
    ),
)

# --- q6: 'valid' vs 'same' pooling ------------------------------------------------------------


def _check_valid_same(answer):
    if not isinstance(answer, (list, tuple)) or len(answer) != 2:
        raise StudentCodeError("Expected a pair of two widths: (valid, same).")
    valid, same = (as_number(value) for value in answer)
    if (valid, same) == (4, 3):
        return incorrect(
            "Swapped: 'valid' drops the last row (floor), 'same' pads and keeps it (ceil)."
        )
    if valid == 3.5 or same == 3.5:
        return incorrect("Sizes are whole numbers: 'valid' floors 7/2, 'same' rounds it up.")
    if valid != 3:
        return incorrect(
            f"valid: not {valid:g}. 'valid' computes floor((W - F)/S) + 1: the 7th row is dropped."
        )
    if same != 4:
        return incorrect(
            f"same: not {same:g}. 'same' computes ceil(W/S): the 7th row gets a window of its own."
        )
    return correct(
        "Correct: 'valid' gives 3 (the last row and column are dropped), 'same' gives 4."
    )


q6 = Problem(
    title="When the window does not fit: 'valid' vs 'same'",
    statement=(
        "A 7×7 feature map goes through `MaxPooling2D(2)` with `padding='valid'` and, separately, "
        "with `padding='same'`. Give the two output widths as a pair `(valid, same)`."
    ),
    starter="answer = (..., ...)",
    solution_code="answer = (3, 4)",
    checker=_check_valid_same,
    hints=("'valid': floor((W - F)/S) + 1. 'same': ceil(W/S).",),
    explanation="(7 - 2)/2 = 2.5 -> 2, +1 = 3 for 'valid'; ceil(7/2) = 4 for 'same'.",
    wrong_answers=(
        WrongAnswer("answer = (4, 3)", "Swapped"),
        WrongAnswer("answer = (3.5, 3.5)", "whole numbers"),
    ),
)

# --- q7: receptive field through conv-pool-conv -----------------------------------------------


def _check_receptive_field(answer):
    return check_number(
        answer,
        8,
        integer=True,
        mistakes={
            6: (
                "After the stride-2 pooling, neighbouring units are 2 input pixels apart, so the "
                "second 3×3 conv adds (3 - 1)×2 = 4, not 2."
            ),
            5: "The pooling layer counts too: it widens the field by (2 - 1) = 1.",
            7: "Close: 3 -> +1 (pool) = 4 -> +(3-1)×2 = 8.",
        },
        success="Correct: 3 -> 4 -> 8. Pooling makes later layers see farther for the same kernel size.",
    )


q7 = Problem(
    title="Receptive field through conv, pool, conv (感受野)",
    statement=(
        "A stack is Conv 3×3 (stride 1) -> MaxPool 2×2 (stride 2) -> Conv 3×3 (stride 1). How wide is "
        "the receptive field of one output unit on the input?"
    ),
    starter="answer = ...",
    solution_code="answer = 1 + (3 - 1) * 1 + (2 - 1) * 1 + (3 - 1) * 2",
    checker=_check_receptive_field,
    hints=(
        "r = 1 + Σ (k_i - 1) × J_i, where J_i is the product of the strides BEFORE layer i.",
        "J is 1 for the first conv and the pool, 2 for the second conv.",
    ),
    explanation="r = 1 + 2·1 + 1·1 + 2·2 = 8 (`ck.formulas.receptive_field([(3, 1), (2, 2), (3, 1)])`).",
    wrong_answers=(
        WrongAnswer("answer = 6", "2 input pixels apart"),
        WrongAnswer("answer = 5", "pooling layer counts"),
    ),
)

# --- q8: pooling vs strided convolution -------------------------------------------------------


def _check_strided(answer):
    values = _expect_dict(answer, ("pool", "strided_conv"), "{'pool': ..., 'strided_conv': ...}")
    if values["pool"] != 0:
        return incorrect("pool: MaxPooling2D learns nothing: 0 parameters.")
    expected = 3 * 3 * 32 * 32 + 32
    mistakes = {
        3 * 3 * 32 * 32: "strided_conv: forgot the 32 biases.",
        3 * 3 * 32 + 32: "strided_conv: each filter spans all 32 input channels: 3×3×32×32.",
        0: "strided_conv: the convolution has weights even though it only downsamples.",
    }
    if values["strided_conv"] != expected:
        message = mistakes.get(values["strided_conv"])
        return incorrect(
            message or f"strided_conv: 3×3×32×32 + 32, not {values['strided_conv']:g}."
        )
    return correct(
        "Correct: 0 vs 9,248. Both halve 16×16 to 8×8; the strided convolution learns HOW to "
        "downsample, pooling uses a fixed rule."
    )


q8 = Problem(
    title="Pooling vs strided convolution",
    statement=(
        "A 16×16×32 feature map is halved to 8×8×32 either by `MaxPooling2D(2)` or by "
        "`Conv2D(32, 3, strides=2, padding='same')`. Give the parameters of each."
    ),
    starter="answer = {'pool': ..., 'strided_conv': ...}",
    solution_code="answer = {'pool': 0, 'strided_conv': 3 * 3 * 32 * 32 + 32}",
    checker=_check_strided,
    hints=("Pooling has no weights.", "F × F × D1 × K + K for the convolution."),
    explanation="0 and 9,248: the convolution learns its downsampling (all-convolutional nets, ResNet).",
    wrong_answers=(
        WrongAnswer("answer = {'pool': 0, 'strided_conv': 9216}", "biases"),
        WrongAnswer("answer = {'pool': 4, 'strided_conv': 9248}", "learns nothing"),
    ),
)

# --- q9: global average pooling in NumPy ------------------------------------------------------


def _check_gap_function(gap):
    # Fresh numbers for every check, and the reference computed first and kept alive while the
    # student's function runs: an np.empty answer can never find the right values in freed memory.
    rng = fresh_generator("ch03.q9")
    x = rng.normal(size=(5, 4, 3))
    expected = x.mean(axis=(0, 1))
    got = call_student(gap, x.copy(), output_like=[expected])
    if shape_of(got, expected.shape) == (5, 4):
        return incorrect(
            "You averaged over the channels; average over height and width (axes 0 and 1)."
        )
    if shape_of(got, expected.shape) == expected.shape and np.allclose(
        np.asarray(got, dtype=float), x.sum(axis=(0, 1))
    ):
        return incorrect("That is the sum of each map; divide by H × W for the average.")
    if shape_of(got, expected.shape) == ():
        return incorrect("One number per channel: average over axes 0 and 1 only (axis=(0, 1)).")
    return check_array(
        got,
        expected,
        name="global_average_pool(x)",
        success="Correct: one average per feature map, (H, W, C) -> (C,).",
    )


q9 = Problem(
    title="Global average pooling in NumPy",
    statement=(
        "Write `global_average_pool(x)` for a feature map `x` of shape (H, W, C): return one number "
        "per channel, shape (C,)."
    ),
    starter="def global_average_pool(x):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code="def global_average_pool(x):\n    return x.mean(axis=(0, 1))",
    checker=_check_gap_function,
    answer_name="global_average_pool",
    hints=("`x.mean(axis=...)` averages over the axes you name.",),
    explanation="`x.mean(axis=(0, 1))`: each map becomes its average; the channels stay.",
    wrong_answers=(
        WrongAnswer("def global_average_pool(x):\n    return x.mean(axis=-1)", "over the channels"),
        WrongAnswer("def global_average_pool(x):\n    return x.sum(axis=(0, 1))", "sum"),
        WrongAnswer("def global_average_pool(x):\n    return x.mean()", "One number per channel"),
    ),
)


CHAPTER = Chapter(
    number=3,
    slug="03_pooling",
    title="Pooling (池化)",
    introduction=(
        "Practice for `notebooks/03_pooling.ipynb`: max/average/min pooling, output sizes, LeNet's "
        "trainable subsampling, global average pooling, receptive fields and strided convolution."
    ),
    preamble="import numpy as np",
    problems=[q1, q2, q3, q4, q5, q6, q7, q8, q9],
)
