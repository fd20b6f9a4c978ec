"""Chapter 02 exercises: convolution. The one source of the generated notebooks.

Each problem: statement, starter code (what the student sees), solution code, hints, a checker,
and the typical wrong answers with the message they must get (the tests prove each one).
"""

from __future__ import annotations

import math

import numpy as np

from cnnkit.exercises.core import (
    Chapter,
    Problem,
    StudentCodeError,
    WrongAnswer,
    as_integer,
    as_number,
    call_student,
    check_array,
    check_number,
    correct,
    dropped_terms,
    first_wins,
    fresh_generator,
    incorrect,
    per_input_bias,
    shape_of,
    swapped_arguments,
)
from cnnkit.formulas.sizes import window_output_size


def _expect_dict(answer, keys, example):
    if not isinstance(answer, dict):
        raise StudentCodeError(f"Expected a dict like {example}, got {type(answer).__name__}.")
    missing = [key for key in keys if key not in answer]
    if missing:
        raise StudentCodeError(f"Missing key(s): {', '.join(map(repr, missing))}. Use {example}.")
    return answer


# --- q1: the output-size formula as a function ------------------------------------------------


def _output_size(w, f, p, s):
    """The exercise's argument order (W, F, P, S) for the kit's one output-size function."""
    return window_output_size(w, f, stride=s, padding=p)


def _configurations():
    rng = np.random.default_rng(2)
    configs = [(32, 5, 0, 1), (7, 3, 1, 2), (8, 3, 0, 2), (227, 11, 0, 4), (5, 5, 0, 1)]
    while len(configs) < 200:
        w, f = int(rng.integers(1, 65)), int(rng.integers(1, 12))
        p, s = int(rng.integers(0, 4)), int(rng.integers(1, 5))
        if f <= w + 2 * p:
            configs.append((w, f, p, s))
    return configs


def _check_output_size(function):
    configs = _configurations()
    outputs = []
    for w, f, p, s in configs:
        got = call_student(function, w, f, p, s)
        try:
            outputs.append((got, as_number(got, what="an integer output size")))
        except StudentCodeError:
            raise StudentCodeError(
                f"output_size({w}, {f}, {p}, {s}) returned {got!r}; return an int."
            ) from None

    def matches(formula):
        return all(
            math.isclose(value, formula(*config))
            for (_, value), config in zip(outputs, configs, strict=True)
        )

    if matches(_output_size):
        floats = [got for got, _ in outputs if isinstance(got, float)]
        if not floats:
            return correct(
                "Correct on 200 random configurations: W2 = floor((W1 - F + 2P)/S) + 1, as Keras "
                "'valid' convolution (after ZeroPadding2D(P)) computes it."
            )
        return incorrect(
            "The values are right but some are floats (e.g. 28.0); sizes are whole numbers: "
            "return an int (use // or int())."
        )
    candidates = [
        (
            lambda w, f, p, s: (w - f + 2 * p) // s,
            "you forgot the +1: the first window position counts too.",
        ),
        (
            lambda w, f, p, s: (w - f + p) // s + 1,
            "padding adds P zeros on BOTH sides, so the formula has 2P, not P.",
        ),
        (
            lambda w, f, p, s: (w - f + p) / s + 1,
            "padding adds P zeros on BOTH sides (2P, not P), and the division must be floored.",
        ),
        (
            lambda w, f, p, s: -(-(w - f + 2 * p) // s) + 1,
            "when (W - F + 2P)/S is not a whole number Keras floors it (the positions the window "
            "cannot reach are dropped); you rounded up.",
        ),
        (
            lambda w, f, p, s: (w - f + 2 * p) / s + 1,
            "(W - F + 2P)/S must be floored (Keras floors; use //) before adding 1.",
        ),
        (
            lambda w, f, p, s: round((w - f + 2 * p) / s) + 1,
            "round() is not what Keras does: it floors. Use //.",
        ),
    ]
    for formula, message in candidates:
        if matches(formula):
            return incorrect(f"Not yet: {message}")
    for (got, value), (w, f, p, s) in zip(outputs, configs, strict=True):
        expected = _output_size(w, f, p, s)
        if not math.isclose(value, expected):
            return incorrect(
                f"output_size(W={w}, F={f}, P={p}, S={s}) returned {got}, expected {expected}. "
                "Check each term of W2 = (W1 - F + 2P)/S + 1."
            )
    raise AssertionError("unreachable")


q1 = Problem(
    title="The output-size formula (输出尺寸) as a function",
    statement=(
        "Write `output_size(W, F, P, S)`: the width of a convolution's output for input width `W`, "
        "kernel size `F`, padding `P` zeros on each side and stride `S`, **as Keras computes it** "
        "(an int). It is checked on 200 random configurations, including ones where the division "
        "is not exact."
    ),
    starter="def output_size(W, F, P, S):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code="def output_size(W, F, P, S):\n    return (W - F + 2 * P) // S + 1",
    checker=_check_output_size,
    answer_name="output_size",
    hints=(
        "W2 = (W1 - F + 2P)/S + 1.",
        "When (W1 - F + 2P) is not divisible by S, Keras drops the positions the window cannot "
        "reach: floor division `//`.",
    ),
    explanation=(
        "W2 = floor((W1 - F + 2P)/S) + 1. Example: 32×32 with 5×5 kernels, P = 0, S = 1 -> 28; "
        "8 with F = 3, S = 2 -> floor(5/2) + 1 = 3."
    ),
    wrong_answers=(
        WrongAnswer("def output_size(W, F, P, S):\n    return (W - F + 2 * P) // S", "+1"),
        WrongAnswer("def output_size(W, F, P, S):\n    return (W - F + P) // S + 1", "2P"),
        WrongAnswer("def output_size(W, F, P, S):\n    return (W - F + 2 * P) / S + 1", "floored"),
        WrongAnswer(
            "def output_size(W, F, P, S):\n    return round((W - F + 2 * P) / S) + 1", "floors"
        ),
        WrongAnswer(
            "import math\ndef output_size(W, F, P, S):\n    return math.ceil((W - F + 2 * P) / S) + 1",
            "rounded up",
        ),
        WrongAnswer("output_size = 28", "Expected a function"),
    ),
)

# --- q2: parameters of a convolution layer (personal numbers) --------------------------------
# The chapter's worked example is Conv2D(6, 5) on 32×32×3: 456 parameters.


def _conv_numbers(rng):
    while True:
        numbers = {
            "size": int(rng.choice([28, 32, 48, 64, 96])),
            "channels": int(rng.choice([3, 8, 16, 32])),  # with 1, "× D1" could not be missed
            "filters": int(rng.choice([4, 6, 10, 12, 16, 24, 32, 64])),
            "kernel": int(rng.choice([3, 5, 7])),
        }
        answer = (
            numbers["kernel"] ** 2 * numbers["channels"] * numbers["filters"] + numbers["filters"]
        )
        if answer != 456 and (  # 456: the chapter's Conv2D(6, 5) on 32×32×3
            numbers["channels"] != numbers["filters"]  # else "per input" = "per filter"
        ):
            return numbers


def _check_conv_params(answer, given):
    size, d1, k, f = given.size, given.channels, given.filters, given.kernel
    weights = f * f * d1 * k
    output = size - f + 1
    return check_number(
        answer,
        weights + k,
        integer=True,
        mistakes={
            f * f * k + k: (
                f"Each filter spans all {d1} input channels: it is {f}×{f}×{d1}, not {f}×{f}. "
                "Multiply by the input channels D1."
            ),
            f
            * f
            * k: "Two terms missing: the input channels (× D1) and the biases (one per filter).",
            output * output * k: (
                f"That is the size of the output ({output}×{output}×{k}), not the number of parameters."
            ),
            weights + k * output * output: "One bias per filter, not one per output position.",
        },
        variants=first_wins(
            dropped_terms({f"biases (+{k}, one per filter)": k, "weights": weights}),
            per_input_bias(weights, d1, k, unit="filter"),
            {
                weights
                + k
                + size * size * d1: "The input size does not matter: a filter's weights are shared."
            },
        ),
        success=(
            f"Correct: {f}×{f}×{d1}×{k} + {k} = {weights + k:,}, exactly what Keras's "
            f"Conv2D({k}, {f}) reports. The {size}×{size} input size does not matter."
        ),
    )


q2 = Problem(
    title="Parameters of a convolution layer (卷积层参数量)",
    statement=(
        "A {size}×{size}×{channels} input goes through `Conv2D({filters}, kernel_size={kernel})` "
        "({filters} filters of {kernel}×{kernel}, with bias). How many trainable parameters does "
        "the layer have?"
    ),
    starter="answer = ...",
    solution_code=(
        "g = ch02.q2.given  # your numbers: g.size, g.channels, g.filters, g.kernel\n"
        "answer = g.kernel * g.kernel * g.channels * g.filters + g.filters"
    ),
    checker=_check_conv_params,
    parameters=_conv_numbers,
    hints=(
        "A filter spans all input channels: its weights are F × F × D1.",
        "Each filter has one bias (偏置).",
    ),
    explanation=(
        "F × F × D1 × K + K = {kernel}×{kernel}×{channels}×{filters} + {filters}. The "
        "{size}×{size} input size does not matter: the filter's weights are shared over positions."
    ),
    wrong_answers=(
        WrongAnswer("g = ch02.q2.given\nanswer = g.kernel**2 * g.channels * g.filters", "biases"),
        WrongAnswer(
            "g = ch02.q2.given\nanswer = g.kernel**2 * g.filters + g.filters", "input channels"
        ),
        WrongAnswer(
            "g = ch02.q2.given\nanswer = (g.size - g.kernel + 1) ** 2 * g.filters",
            "size of the output",
        ),
        WrongAnswer(
            "g = ch02.q2.given\nanswer = g.kernel**2 * g.channels * g.filters + g.channels",
            "not one per input",
        ),
    ),
)

# --- q3: 1x1 convolution ----------------------------------------------------------------------


def _check_one_by_one(answer):
    return check_number(
        answer,
        256 * 64 + 64,
        integer=True,
        mistakes={
            256 * 64: "Forgot the 64 biases (one per filter).",
            64 + 64: (
                "A 1×1 filter still spans all 256 input channels: 1×1×256 weights per filter. "
                "That channel mixing is the whole point of a 1×1 convolution."
            ),
            64: "A 1×1 filter still spans all 256 input channels, and each filter has a bias.",
            256 * 256 + 256: "There are 64 filters (the output depth), not 256.",
        },
        variants=first_wins(
            per_input_bias(256 * 64, 256, 64, unit="filter"),
            swapped_arguments(
                lambda d1, k: d1 * k + k, (256, 64), 0, 1, "input and output channels"
            ),
        ),
        success="Correct: 1×1×256×64 + 64 = 16,448. A 1×1 convolution mixes channels at each pixel.",
    )


q3 = Problem(
    title="A 1×1 convolution (1×1卷积)",
    statement=(
        "A 14×14×256 feature map goes through `Conv2D(64, kernel_size=1)`. How many parameters? "
        "(This is how inception modules shrink the depth before an expensive 3×3 or 5×5.)"
    ),
    starter="answer = ...",
    solution_code="answer = 1 * 1 * 256 * 64 + 64",
    checker=_check_one_by_one,
    hints=("Use F × F × D1 × K + K with F = 1.",),
    explanation="1×1×256×64 + 64 = 16,448; the output is 14×14×64.",
    wrong_answers=(
        WrongAnswer("answer = 256 * 64 + 256", "not one per input"),
        WrongAnswer("answer = 128", "spans all 256 input channels"),
        WrongAnswer("answer = 16384", "biases"),
    ),
)

# --- q4: shapes through a small stack ---------------------------------------------------------

_STACK_SHAPES = [(26, 26, 8), (13, 13, 8), (13, 13, 16), (6, 6, 16)]


def _as_shapes(answer):
    if not isinstance(answer, (list, tuple)) or len(answer) != 4:
        raise StudentCodeError(
            "Expected a list of 4 shapes, one per layer, each (height, width, channels)."
        )
    shapes = []
    for index, shape in enumerate(answer):
        if not isinstance(shape, (list, tuple)) or len(shape) != 3:
            raise StudentCodeError(
                f"Shape {index} is {shape!r}; write each shape as (height, width, channels)."
            )
        try:
            shapes.append(tuple(as_integer(d) for d in shape))
        except StudentCodeError:
            raise StudentCodeError(f"Shape {index} = {shape!r} must hold three integers.") from None
    return shapes


def _check_stack_shapes(answer):
    shapes = _as_shapes(answer)
    messages = {
        0: {
            (
                28,
                28,
                8,
            ): "Conv2D's default padding is 'valid' (no padding): the size shrinks by F - 1.",
            (26, 26, 1): "A Conv2D's output depth is its number of filters (8), not the input's.",
            (25, 25, 8): "W - F + 1: do not forget the +1.",
        },
        1: {
            (13, 13, 4): "Pooling keeps the depth (8); it only shrinks height and width.",
            (24, 24, 8): "MaxPooling2D(2) has stride 2 by default: the window jumps 2 cells.",
        },
        2: {
            (11, 11, 16): "padding='same' with stride 1 keeps the height and width of its input.",
            (13, 13, 8): "A Conv2D's output depth is its number of filters.",
        },
        3: {
            (
                7,
                7,
                16,
            ): "Keras pooling with 'valid' floors (W - F)/S before adding 1; you rounded up.",
            (6, 6, 8): "Pooling keeps the depth of its input.",
        },
    }
    for index, (got, expected) in enumerate(zip(shapes, _STACK_SHAPES, strict=True)):
        if got != expected:
            specific = messages[index].get(got)
            if specific:
                return incorrect(f"Layer {index + 1}: {specific}")
            return incorrect(
                f"Layer {index + 1}: {got} is not its output shape. Height and width: "
                "(W - F + 2P)/S + 1, floored; channels: the filters of a Conv2D, unchanged by pooling."
            )
    return correct(
        "Correct: 26×26×8 -> 13×13×8 -> 13×13×16 -> 6×6×16. `ck.explain(model)` shows the same."
    )


_Q4_MODEL_CODE = """model = keras.Sequential([
    keras.Input((28, 28, 1)),
    keras.layers.Conv2D(8, 3),
    keras.layers.MaxPooling2D(2),
    keras.layers.Conv2D(16, 3, padding="same"),
    keras.layers.MaxPooling2D(2),
])"""

q4 = Problem(
    title="Shapes through a small stack",
    statement=(
        "Predict the output shape (height, width, channels) after each layer, for a 28×28×1 input:\n\n"
        "```python\n"
        "import keras\n\n"
        "model = keras.Sequential([\n"
        "    keras.Input((28, 28, 1)),\n"
        "    keras.layers.Conv2D(8, 3),                    # 1\n"
        "    keras.layers.MaxPooling2D(2),                 # 2\n"
        "    keras.layers.Conv2D(16, 3, padding='same'),   # 3\n"
        "    keras.layers.MaxPooling2D(2),                 # 4\n"
        "])\n"
        "```\n\n"
        "Then build the model and compare with `ck.explain(model)`: the starter cell has the "
        "code, imports included, commented out."
    ),
    starter=(
        "answer = [..., ..., ..., ...]  # four (height, width, channels) tuples\n\n"
        "# Then compare with Keras: remove the # signs and run the cell again.\n"
        "# import keras\n"
        "# import cnnkit as ck\n"
        "#\n" + _Q4_MODEL_CODE.replace("\n", "\n# ").join(("# ", "\n")) + "# ck.explain(model)"
    ),
    solution_code=(
        "answer = [(26, 26, 8), (13, 13, 8), (13, 13, 16), (6, 6, 16)]\n\n"
        "import keras\n\nimport cnnkit as ck\n\n" + _Q4_MODEL_CODE + "\nck.explain(model)"
    ),
    checker=_check_stack_shapes,
    hints=(
        "Conv2D's default padding is 'valid' (P = 0); 'same' keeps the size at stride 1.",
        "MaxPooling2D(2) uses stride 2 by default and floors.",
    ),
    explanation="28-3+1 = 26; 26/2 = 13; 'same' keeps 13; floor((13-2)/2)+1 = 6. Depths: 8, 8, 16, 16.",
    wrong_answers=(
        WrongAnswer(
            "answer = [(28, 28, 8), (14, 14, 8), (14, 14, 16), (7, 7, 16)]", "'valid' (no padding)"
        ),
        WrongAnswer("answer = [(26, 26, 8), (13, 13, 8), (13, 13, 16), (7, 7, 16)]", "floors"),
        WrongAnswer("answer = [(26, 26, 8), (13, 13, 8), (11, 11, 16), (5, 5, 16)]", "'same'"),
        WrongAnswer(
            "answer = [(26, 26, 8), (13, 13, 8), (12, 12, 16), (6, 6, 16)]",
            "Layer 3: (12, 12, 16) is not its output shape",
        ),
        WrongAnswer("answer = (26, 26, 8)", "list of 4 shapes"),
    ),
)

# --- q5: conv2d on one channel in NumPy -------------------------------------------------------


def _reference_conv(x, kernel, stride):
    from cnnkit.scratch import correlate2d_single

    return correlate2d_single(x, kernel, stride=stride)


def _check_conv2d(conv2d_single):
    # Fresh numbers for every check; each reference is computed before the student's function
    # runs and kept alive, so an np.empty answer never finds the right values in freed memory.
    rng = fresh_generator("ch02.q5")
    cases = [
        (np.arange(16.0).reshape(4, 4) + rng.normal(), np.array([[1.0, 0.0], [0.0, -1.0]]), 1),
        (rng.normal(size=(6, 7)), rng.normal(size=(3, 3)), 1),
        (rng.normal(size=(7, 7)), rng.normal(size=(3, 3)), 2),
    ]
    references = [_reference_conv(x, kernel, stride) for x, kernel, stride in cases]
    for (x, kernel, stride), expected in zip(cases, references, strict=True):
        got = call_student(conv2d_single, x.copy(), kernel.copy(), stride, output_like=[expected])
        flipped = _reference_conv(x, kernel[::-1, ::-1], stride)
        if shape_of(got, expected.shape) == expected.shape and np.allclose(
            np.asarray(got, dtype=float), expected
        ):
            continue
        if shape_of(got, expected.shape) == expected.shape and np.allclose(
            np.asarray(got, dtype=float), flipped
        ):
            return incorrect(
                "You flipped the kernel (textbook convolution). Keras's Conv2D computes "
                "cross-correlation: the kernel slides without flipping."
            )
        if stride > 1 and shape_of(got, expected.shape) == _reference_conv(x, kernel, 1).shape:
            return incorrect(
                f"With stride {stride} the window jumps {stride} cells: output shape "
                f"{expected.shape}, you returned {shape_of(got, expected.shape)}."
            )
        if shape_of(got, expected.shape) != expected.shape:
            return incorrect(
                f"For a {x.shape} input, a {kernel.shape} kernel and stride {stride} the output "
                f"must be {expected.shape} (W2 = (W1 - F)/S + 1), you returned {shape_of(got, expected.shape)}."
            )
        return check_array(got, expected, name=f"conv2d_single on a {x.shape} input")
    return correct("Correct: each output cell is the sum of window × kernel, as Keras's Conv2D.")


q5 = Problem(
    title="Convolution of one channel in NumPy",
    statement=(
        "Write `conv2d_single(x, kernel, stride)` for a 2-D array `x` (H, W) and a 2-D kernel "
        "(F, F), with no padding: out[i, j] = sum of x[i·S : i·S+F, j·S : j·S+F] × kernel. "
        "Loops are fine."
    ),
    starter=(
        "def conv2d_single(x, kernel, stride=1):\n    # YOUR CODE HERE\n    raise NotImplementedError"
    ),
    solution_code=(
        "def conv2d_single(x, kernel, stride=1):\n"
        "    f = kernel.shape[0]\n"
        "    h2 = (x.shape[0] - f) // stride + 1\n"
        "    w2 = (x.shape[1] - f) // stride + 1\n"
        "    out = np.zeros((h2, w2))\n"
        "    for i in range(h2):\n"
        "        for j in range(w2):\n"
        "            window = x[i * stride : i * stride + f, j * stride : j * stride + f]\n"
        "            out[i, j] = np.sum(window * kernel)\n"
        "    return out"
    ),
    checker=_check_conv2d,
    answer_name="conv2d_single",
    hints=(
        "First compute the output size with W2 = (W1 - F)/S + 1.",
        "out[i, j] = np.sum(window * kernel), window starting at (i·S, j·S).",
    ),
    explanation="A sliding weighted sum (加权求和); deep-learning 'convolution' does not flip the kernel.",
    wrong_answers=(
        WrongAnswer(
            "def conv2d_single(x, kernel, stride=1):\n"
            "    from scipy.signal import convolve2d\n"
            "    return convolve2d(x, kernel, mode='valid')[::stride, ::stride]",
            "flipped the kernel",
        ),
        WrongAnswer(
            "def conv2d_single(x, kernel, stride=1):\n"
            "    from scipy.signal import correlate2d\n"
            "    return correlate2d(x, kernel, mode='valid')",
            "jumps",
        ),
    ),
)

# --- q6: the fewest parameters for a receptive field of 7 -------------------------------------


def _check_receptive_design(answer):
    if not isinstance(answer, (list, tuple)) or not answer:
        raise StudentCodeError("Expected a list of kernel sizes, first layer first, e.g. [5, 3].")
    sizes = []
    for size in answer:
        value = as_number(size, what="a kernel size")
        if not value.is_integer() or value < 1 or value % 2 == 0:
            return incorrect(f"{size!r} is not an odd kernel size (1, 3, 5, 7, ...).")
        sizes.append(int(value))
    field = 1 + sum(size - 1 for size in sizes)
    params = sum(size * size for size in sizes)
    if field != 7:
        return incorrect(
            f"Your stack {sizes} sees {field}×{field} pixels (r = 1 + Σ(F - 1) at stride 1), "
            "not 7×7."
        )
    if 1 in sizes:
        return incorrect(
            f"1×1 layers add {sizes.count(1)}·C² parameters but do not widen the receptive field; "
            "drop them."
        )
    if sizes == [7]:
        return incorrect(
            "One 7×7 layer needs 49·C² weights. Stacking smaller kernels reaches 7×7 with fewer."
        )
    if params > 27:
        return incorrect(
            f"{sizes} reaches 7×7 with {params}·C² weights; there is a stack with fewer."
        )
    return correct(
        "Correct: three 3×3 layers see 7×7 with 27·C² weights instead of 49·C² for one 7×7, "
        "and add two more non-linearities (VGG's argument)."
    )


q6 = Problem(
    title="Design a stack for a 7×7 receptive field (感受野)",
    statement=(
        "You want each output unit to see a 7×7 patch of the input. All layers are stride-1 "
        "convolutions with C input and C output channels and odd kernel sizes. Give the list of "
        "kernel sizes (first layer first) that reaches a 7×7 receptive field with the **fewest** "
        "weights (ignore biases)."
    ),
    starter="answer = ...  # e.g. [5, 3]",
    solution_code="answer = [3, 3, 3]",
    checker=_check_receptive_design,
    hints=(
        "At stride 1 the receptive field is r = 1 + Σ(F_i - 1).",
        "A layer's weights are F × F × C × C: compare Σ F² across stacks.",
    ),
    explanation="[3, 3, 3]: r = 1 + 2 + 2 + 2 = 7 with 3×9 = 27·C² weights; [5, 3] needs 34·C², [7] 49·C².",
    wrong_answers=(
        WrongAnswer("answer = [7]", "49·C²"),
        WrongAnswer("answer = [5, 3]", "fewer"),
        WrongAnswer("answer = [3, 3]", "not 7×7"),
        WrongAnswer("answer = [3, 3, 3, 1]", "1×1 layers"),
    ),
)

# --- q7: fully connected vs locally connected vs shared ---------------------------------------

_Q7_EXPECTED = {
    "fully_connected": 10**12,
    "locally_connected": 10**8,
    "shared": 100,
    "hundred_filters": 10**4,
}


def _check_sharing(answer):
    answer = _expect_dict(
        answer, _Q7_EXPECTED, "{'fully_connected': ..., 'locally_connected': ..., ...}"
    )
    mistakes = {
        "fully_connected": {
            10**6: "Every one of the 10^6 hidden units connects to all 10^6 pixels: 10^6 × 10^6.",
            2 * 10**6: "Connections multiply: 10^6 × 10^6, not 10^6 + 10^6.",
        },
        "locally_connected": {
            10**12: "Each unit now sees only a 10×10 patch: 10^6 × 100.",
            100: "Without weight sharing each of the 10^6 units has its own 100 weights.",
        },
        "shared": {
            10**8: "Weight sharing (权值共享): ONE 10×10 filter is used at every position.",
            10: "The filter is 10×10 = 100 weights.",
        },
        "hundred_filters": {
            100: "100 different filters of 100 weights each: 100 × 100.",
            10**10: "Weight sharing: each filter has 100 weights, whatever the image size.",
        },
    }
    for key, expected in _Q7_EXPECTED.items():
        value = as_number(answer[key])
        if value == expected:
            continue
        specific = mistakes[key].get(value)
        if specific:
            return incorrect(f"{key}: {specific}")
        return incorrect(f"{key}: {value:g} is not right. Recheck the worked example.")
    return correct("Correct: 10^12 -> 10^8 -> 100 -> 10^4 weights.")


q7 = Problem(
    title="Why not fully connected: 10^12, 10^8, 100, 10^4",
    statement=(
        "A 1000×1000 grey image feeds 10^6 hidden units (ignore biases). Give the number of weights "
        "when every unit is (a) fully connected to every pixel, (b) locally connected to its own "
        "10×10 patch (局部连接), (c) the 10×10 weights are shared by all units (权值共享, one "
        "filter), (d) 100 different shared filters."
    ),
    starter=(
        "answer = {'fully_connected': ..., 'locally_connected': ..., 'shared': ..., "
        "'hundred_filters': ...}"
    ),
    solution_code=(
        "answer = {\n"
        "    'fully_connected': 10**6 * 10**6,\n"
        "    'locally_connected': 10**6 * 10 * 10,\n"
        "    'shared': 10 * 10,\n"
        "    'hundred_filters': 100 * 10 * 10,\n"
        "}"
    ),
    checker=_check_sharing,
    hints=(
        "(a) pixels × units; (b) units × patch size.",
        "(c) a shared filter has patch-size weights, independent of the number of positions.",
    ),
    explanation="10^6×10^6 = 10^12; 10^6×100 = 10^8; 100; 100×100 = 10^4.",
    wrong_answers=(
        WrongAnswer(
            "answer = {'fully_connected': 10**12, 'locally_connected': 10**8, 'shared': 10**8, "
            "'hundred_filters': 10**4}",
            "ONE 10×10 filter",
        ),
        WrongAnswer(
            "answer = {'fully_connected': 10**6, 'locally_connected': 10**8, 'shared': 100, "
            "'hundred_filters': 10**4}",
            "all 10^6 pixels",
        ),
        WrongAnswer("answer = [10**12, 10**8, 100, 10**4]", "Expected a dict"),
    ),
)

# --- q8: a fully connected layer as a convolution ---------------------------------------------


def _check_fc_as_conv(answer):
    return check_number(
        answer,
        7 * 7 * 512 * 4096 + 4096,
        integer=True,
        mistakes={
            7 * 7 * 512 * 4096: "Forgot the 4,096 biases.",
            7 * 7 * 4096 + 4096: "Each 7×7 kernel spans all 512 input channels: ×512.",
            512 * 4096 + 4096: "The kernel covers the whole 7×7 map: ×7×7.",
        },
        variants=first_wins(
            per_input_bias(7 * 7 * 512 * 4096, 7 * 7 * 512, 4096, unit="filter"),
            per_input_bias(7 * 7 * 512 * 4096, 512, 4096, unit="filter"),
            dropped_terms({"kernel's 7×7 extent": 7 * 7 * 512 * 4096 - 512 * 4096}),
        ),
        success=(
            "Correct: 7×7×512×4096 + 4096 = 102,764,544, the same as Flatten + Dense(4096): a "
            "fully connected layer IS a convolution whose kernel covers the whole map."
        ),
    )


q8 = Problem(
    title="A fully connected layer as a convolution",
    statement=(
        "VGG's first FC layer maps a 7×7×512 feature map to 4,096 units. Written as "
        "`Conv2D(4096, kernel_size=7)` (valid) it gives a 1×1×4096 output. How many parameters does "
        "that convolution have?"
    ),
    starter="answer = ...",
    solution_code="answer = 7 * 7 * 512 * 4096 + 4096",
    checker=_check_fc_as_conv,
    hints=("F × F × D1 × K + K with F = 7, D1 = 512, K = 4096.",),
    explanation="102,764,544 = 25,088 × 4,096 + 4,096, exactly Dense(4096) after Flatten.",
    wrong_answers=(
        WrongAnswer("answer = 7 * 7 * 512 * 4096", "biases"),
        WrongAnswer("answer = 7 * 7 * 4096 + 4096", "×512"),
    ),
)

# --- q9: dropping the bias before batch normalisation -----------------------------------------


def _check_bias_before_bn(answer):
    conv = 3 * 3 * 16 * 32
    return check_number(
        answer,
        conv + 2 * 32,
        integer=True,
        mistakes={
            conv + 32 + 2 * 32: (
                "use_bias=False: the convolution has no bias. BatchNormalization's β would cancel "
                "it anyway (it subtracts the batch mean, bias included, then adds β)."
            ),
            conv + 4 * 32: (
                "Only γ and β are trainable; the moving mean and variance are non-trainable."
            ),
            conv: "BatchNormalization adds a trainable γ and β per channel: + 2×32.",
            3 * 3 * 32 + 2 * 32: "Each filter spans all 16 input channels: 3×3×16×32.",
        },
        success=(
            "Correct: 3×3×16×32 = 4,608 conv weights + 64 (γ, β) = 4,672 trainable. BN's β plays "
            "the role of the bias, so the conv's bias can be dropped."
        ),
    )


q9 = Problem(
    title="A bias-free convolution before batch normalisation (question 2)",
    statement=(
        "On a 16-channel input: `Conv2D(32, 3, use_bias=False)` followed by "
        "`BatchNormalization()`. How many **trainable** parameters do the two layers have together?"
    ),
    starter="answer = ...",
    solution_code="answer = 3 * 3 * 16 * 32 + 2 * 32",
    checker=_check_bias_before_bn,
    hints=(
        "No bias in the convolution.",
        "BatchNormalization has 4 numbers per channel; only γ (scale) and β (shift) are trained.",
    ),
    explanation="4,608 + 64 = 4,672 trainable (+ 64 non-trainable moving statistics).",
    wrong_answers=(
        WrongAnswer("answer = 3 * 3 * 16 * 32 + 32 + 64", "use_bias=False"),
        WrongAnswer("answer = 3 * 3 * 16 * 32 + 4 * 32", "non-trainable"),
    ),
)

# --- q10: Conv1D ------------------------------------------------------------------------------


def _check_conv1d(answer):
    return check_number(
        answer,
        5 * 8 * 16 + 16,
        integer=True,
        mistakes={
            5 * 5 * 8 * 16 + 16: "A Conv1D kernel has length F = 5, not 5×5: F × D1 × K + K.",
            5 * 8 * 16: "Forgot the 16 biases.",
            5 * 16 + 16: "Each 1-D filter spans all 8 input channels: ×8.",
        },
        variants=first_wins(
            per_input_bias(5 * 8 * 16, 8, 16, unit="filter"),
            swapped_arguments(
                lambda d1, k: 5 * d1 * k + k, (8, 16), 0, 1, "input and output channels"
            ),
        ),
        success="Correct: 5×8×16 + 16 = 656. In 1-D the kernel slides along one axis only.",
    )


q10 = Problem(
    title="Convolution in one dimension (question 5)",
    statement=(
        "A sequence of 100 time steps with 8 features per step (shape (100, 8)) goes through "
        "`Conv1D(16, kernel_size=5)`. How many parameters?"
    ),
    starter="answer = ...",
    solution_code="answer = 5 * 8 * 16 + 16",
    checker=_check_conv1d,
    hints=("The 1-D kernel is F × D1: it spans all channels but slides along time only.",),
    explanation="F × D1 × K + K = 5×8×16 + 16 = 656; the output is (96, 16).",
    wrong_answers=(
        WrongAnswer("answer = 5 * 8 * 16 + 8", "not one per input"),
        WrongAnswer("answer = 5 * 5 * 8 * 16 + 16", "not 5×5"),
        WrongAnswer("answer = 640", "biases"),
    ),
)


CHAPTER = Chapter(
    number=2,
    slug="02_convolution",
    title="Convolution (卷积)",
    introduction=(
        "Practice for `notebooks/02_convolution.ipynb`: output sizes, parameter counts, 1×1 and "
        "1-D convolution, receptive fields, a convolution in NumPy, and why weight sharing wins."
    ),
    preamble="import numpy as np",
    problems=[q1, q2, q3, q4, q5, q6, q7, q8, q9, q10],
)
