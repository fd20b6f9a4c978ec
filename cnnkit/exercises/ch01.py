"""Chapter 01 exercises: neural-network basics. The one source of the generated notebooks.

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
    as_shape,
    call_student,
    check_array,
    check_number,
    correct,
    dropped_terms,
    first_wins,
    fresh_generator,
    incorrect,
    log_base_variants,
    off_by_one,
    per_input_bias,
    rounding_variants,
    shape_of,
    swapped_arguments,
)
from cnnkit.exercises.strict import read_array

# --- q1: dense parameters ---------------------------------------------------------------------


def _check_dense_params(answer):
    return check_number(
        answer,
        784 * 128 + 128,
        integer=True,
        mistakes={
            784
            * 128: "You counted the weights (784×128) but forgot the biases: one per unit, +128.",
            784
            + 128: "Parameters multiply: every input connects to every unit (784×128), plus 128 biases.",
            784 * 128 + 784: "One bias per unit (128), not per input (784).",
        },
        variants=first_wins(
            dropped_terms({"weights (784×128)": 784 * 128, "biases (+128)": 128}),
            per_input_bias(784 * 128, 784, 128),
            {784 * 129: "One bias per unit: + 128, not 784 more weights."},
        ),
        success="Correct: 784×128 weights + 128 biases = 100,480.",
    )


q1 = Problem(
    title="Parameters of a dense layer (全连接层)",
    statement=(
        "A Fashion-MNIST image (28×28 = 784 pixels) is flattened and fed to `Dense(128)`.\n"
        "How many trainable parameters does this layer have? Assign the number to `answer`."
    ),
    starter="answer = ...  # a number",
    solution_code="answer = 784 * 128 + 128",
    checker=_check_dense_params,
    hints=(
        "Each of the 128 units has one weight per input.",
        "Each unit also has one bias (偏置).",
    ),
    explanation="Dense parameters = inputs × units + units (biases) = 784×128 + 128 = 100,480.",
    wrong_answers=(
        WrongAnswer("answer = 784 * 128 + 784", "not per input"),
        WrongAnswer("answer = 784 * 128", "forgot the biases"),
        WrongAnswer("answer = 784 + 128", "Parameters multiply"),
        WrongAnswer("answer = '100480'", "Remove the quotes"),
    ),
)

# --- q2: iterations per epoch (personal numbers) ---------------------------------------------
# The chapter's worked example is 1,840 samples / batch 8 = 230; each student gets other numbers,
# and never an exact division, so the last, smaller batch matters.

_BATCH_SIZES = (16, 32, 64, 100, 128)


def _iteration_numbers(rng):
    batch_size = int(rng.choice(_BATCH_SIZES))
    while True:
        samples = int(rng.integers(1_000, 30_000))
        per_epoch = -(-samples // batch_size)
        near = (batch_size, batch_size + 1, 230)  # 230: the chapter's answer
        if samples % batch_size and per_epoch not in near:
            return {"samples": samples, "batch_size": batch_size}


def _check_iterations(answer, given):
    samples, batch_size = given.samples, given.batch_size
    expected = math.ceil(samples / batch_size)
    return check_number(
        answer,
        expected,
        integer=True,
        mistakes={
            samples * batch_size: (
                "An iteration (迭代) processes one batch: divide the samples by the batch size."
            ),
            batch_size: (
                f"{batch_size} is the batch size (批大小); how many batches of {batch_size} "
                f"does it take to cover {samples:,} samples?"
            ),
        },
        variants=first_wins(
            rounding_variants(
                samples / batch_size,
                rounding="ceil",
                why=f"{samples:,} is not a multiple of {batch_size}: Keras's fit also runs the "
                "last, smaller batch, and it is an iteration too.",
            ),
            swapped_arguments(
                lambda n, b: n / b, (samples, batch_size), 0, 1, "samples and batch size"
            ),
            off_by_one(expected, where="how you rounded the last, smaller batch"),
        ),
        success=(
            f"Correct: ceil({samples:,} / {batch_size}) = {expected:,} iterations make one epoch "
            f"(轮); the last batch holds the {samples % batch_size} remaining samples."
        ),
    )


q2 = Problem(
    title="Iterations in one epoch (迭代, 轮)",
    statement=(
        "A training set has {samples:,} samples and the batch size is {batch_size}. How many "
        "iterations (weight updates) does `model.fit(x, y, batch_size={batch_size}, epochs=1)` "
        "run? Assign it to `answer`."
    ),
    starter="answer = ...",
    solution_code=(
        "import math\n\n"
        "g = ch01.q2.given  # your numbers: g.samples, g.batch_size\n"
        "answer = math.ceil(g.samples / g.batch_size)"
    ),
    checker=_check_iterations,
    parameters=_iteration_numbers,
    hints=(
        "One iteration = one batch = one update.",
        "One epoch = every sample seen once; does Keras drop the last, smaller batch?",
    ),
    explanation=(
        "Iterations per epoch = ceil(samples / batch size) = ceil({samples:,} / {batch_size}): "
        "Keras's fit runs the last, smaller batch too (the chapter's 1,840 / 8 = 230 divides "
        "exactly, so the rounding did not show there)."
    ),
    wrong_answers=(
        WrongAnswer("g = ch01.q2.given\nanswer = g.samples * g.batch_size", "divide the samples"),
        WrongAnswer("answer = ch01.q2.given.samples // ch01.q2.given.batch_size", "Floor vs ceil"),
        WrongAnswer("answer = ch01.q2.given.samples / ch01.q2.given.batch_size", "rounded"),
        WrongAnswer(
            "g = ch01.q2.given\nanswer = str(-(-g.samples // g.batch_size))", "Remove the quotes"
        ),
    ),
)

# --- q3: epochs for a number of iterations (personal numbers, from q2's set-up) ---------------


def _epoch_numbers(rng):
    numbers = dict(q2.given)
    per_epoch = math.ceil(numbers["samples"] / numbers["batch_size"])
    while True:
        iterations = int(rng.integers(5 * per_epoch, 40 * per_epoch))
        full = iterations // per_epoch
        mistakes = {full + 1, iterations // numbers["batch_size"]}
        distinct = len(mistakes) == 2 and full not in mistakes and full != 17  # the chapter's 17
        if iterations % per_epoch and iterations != 4000 and distinct:
            return numbers | {"iterations": iterations}


def _check_epochs(answer, given):
    per_epoch = math.ceil(given.samples / given.batch_size)
    expected = given.iterations // per_epoch
    return check_number(
        answer,
        expected,
        integer=True,
        mistakes={
            expected + 1: (
                f"{given.iterations:,} / {per_epoch:,} is not a whole number: the last epoch is "
                "not finished, so count only the full ones (round down)."
            ),
            given.iterations // given.batch_size: (
                "Dividing by the batch size counts batches; divide by the iterations per epoch "
                "(Problem 2's answer)."
            ),
            given.iterations
            / per_epoch: "Close: the question asks for full epochs, a whole number.",
        },
        variants=first_wins(
            {
                given.iterations // (given.samples // given.batch_size): (
                    "You used the iterations per epoch without the last, smaller batch; "
                    "Keras runs it (Problem 2)."
                ),
            },
            rounding_variants(given.iterations / per_epoch, rounding="floor"),
        ),
        success=(
            f"Correct: {given.iterations:,} / {per_epoch:,} ≈ {given.iterations / per_epoch:.1f}, "
            f"so {expected} full epochs."
        ),
    )


q3 = Problem(
    title="Epochs from iterations",
    statement=(
        "With your set-up of Problem 2 ({samples:,} samples, batch size {batch_size}), training "
        "runs for {iterations:,} iterations. How many **full** epochs does the network complete? "
        "Assign the whole number to `answer`."
    ),
    starter="answer = ...",
    solution_code=(
        "import math\n\n"
        "g = ch01.q3.given  # your numbers: g.samples, g.batch_size, g.iterations\n"
        "per_epoch = math.ceil(g.samples / g.batch_size)\n"
        "answer = g.iterations // per_epoch"
    ),
    checker=_check_epochs,
    parameters=_epoch_numbers,
    hints=("Use the iterations per epoch from Problem 2.", "A full epoch is a finished one."),
    explanation=(
        "{iterations:,} iterations / ceil({samples:,} / {batch_size}) iterations per epoch, "
        "rounded down: only finished epochs count."
    ),
    wrong_answers=(
        WrongAnswer(
            "g = ch01.q3.given\nanswer = g.iterations // -(-g.samples // g.batch_size) + 1",
            "not finished",
        ),
        WrongAnswer(
            "g = ch01.q3.given\nanswer = g.iterations // g.batch_size", "divide by the iterations"
        ),
    ),
)

# --- q4: the step function on a personal pre-activation vector -------------------------------
# The chapter's worked example is H = (1, -2, 3, -4, 7).


def _step_numbers(rng):
    while True:
        values = [
            int(v)
            for v in rng.choice([-9, -8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5)
        ]
        positives = [v for v in values if v > 0]
        pattern = [v > 0 for v in values]  # the worked example's is (+, -, +, -, +)
        if len(positives) in (2, 3) and max(positives) >= 2 and pattern != [1, 0, 1, 0, 1]:
            return {"H": values, "H_text": ", ".join(str(v) for v in values)}


def _check_step(answer, given):
    h = np.array(given.H, dtype=float)
    step = (h >= 0).astype(float)
    return check_array(
        answer,
        step,
        name="your step output",
        mistakes=[
            (
                np.maximum(h, 0),
                "That is ReLU's output; a step function (阶跃函数) outputs only 0 or 1.",
            ),
            (
                1 / (1 + np.exp(-h)),
                "That is the sigmoid; the step function jumps straight to 0 or 1.",
            ),
            (
                np.sign(h),
                "The step function outputs 0 for negative inputs, not -1 (that is sign(x)).",
            ),
            (1 - step, "Swapped: positive inputs give 1, the others 0."),
        ],
        success=f"Correct: the step function keeps only the sign: ({', '.join(f'{v:g}' for v in step)}).",
    )


q4 = Problem(
    title="The step function (阶跃函数) by hand",
    statement=(
        "The pre-activations of a layer are H = ({H_text}). Write the output of a step function, "
        "step(z) = 1 if z ≥ 0 else 0, as a list of five numbers."
    ),
    starter="answer = ...  # e.g. [0, 0, 0, 0, 0]",
    solution_code=(
        "g = ch01.q4.given  # your numbers: g.H\nanswer = [1 if h >= 0 else 0 for h in g.H]"
    ),
    checker=_check_step,
    parameters=_step_numbers,
    hints=("Only the sign of each value matters.",),
    explanation="step(z) = 1 if z ≥ 0 else 0, element by element; ReLU would keep the positive values of ({H_text}) as they are.",
    wrong_answers=(
        WrongAnswer("answer = list(np.maximum(ch01.q4.given.H, 0))", "That is ReLU"),
        WrongAnswer("answer = list(np.sign(ch01.q4.given.H))", "not -1"),
        WrongAnswer("answer = [1, 0, 1]", "shape"),
    ),
)

# --- q5: implement ReLU -----------------------------------------------------------------------


def _check_relu(relu):
    # Fresh numbers for every check, each reference computed before the student's function runs
    # and kept alive: an np.empty answer can never find the right values in freed memory.
    rng = fresh_generator("ch01.q5")
    cases = [
        np.array([1.0, -2.0, 3.0, -4.0, 7.0]) * rng.uniform(0.5, 2.0),
        rng.normal(size=(4, 3)),
        np.array([-0.0, 0.0, rng.uniform(0.5, 3.0), -rng.uniform(0.5, 3.0)]),
    ]
    references = [np.maximum(case, 0) for case in cases]
    for case, expected in zip(cases, references, strict=True):
        output = call_student(relu, case.copy())
        if shape_of(output, case.shape) != case.shape:
            return incorrect(
                f"relu(x) must keep x's shape {case.shape}; yours returned shape {shape_of(output, case.shape)}. "
                "Use an element-wise operation such as np.maximum."
            )
        output = read_array(output, case.size)
        if np.allclose(output, expected):
            continue
        if np.allclose(output, (case > 0).astype(float)) or np.allclose(
            output, (case >= 0).astype(float)
        ):
            return incorrect(
                "Your function returns 0/1: that is the step function. ReLU keeps positive values as they are."
            )
        if np.allclose(output, np.abs(case)):
            return incorrect("Negative inputs must become 0, not their absolute value.")
        return check_array(output, expected, name="relu(x)")
    return correct("Correct: ReLU(x) = max(0, x), element by element.")


q5 = Problem(
    title="Implement ReLU",
    statement=(
        "Write `relu(x)` for a NumPy array `x` of any shape: ReLU(x) = max(0, x) element by element. "
        "No loops needed."
    ),
    starter="def relu(x):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code="def relu(x):\n    return np.maximum(0, x)",
    checker=_check_relu,
    answer_name="relu",
    hints=(
        "`np.maximum(a, b)` takes the larger of two arrays (or an array and a number) element by element.",
    ),
    explanation="`np.maximum(0, x)` broadcasts 0 against x and keeps the larger value.",
    wrong_answers=(
        WrongAnswer("def relu(x):\n    return (x > 0).astype(float)", "step function"),
        WrongAnswer("def relu(x):\n    return np.abs(x)", "absolute value"),
        WrongAnswer("def relu(x):\n    return max(0, x)", "Your function raised ValueError"),
        WrongAnswer("relu = 3", "Expected a function"),
    ),
)

# --- q6: stable softmax -----------------------------------------------------------------------


def _reference_softmax(logits):
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / exponentials.sum(axis=-1, keepdims=True)


def _as_probabilities(output, shape):
    """The student's softmax output as an array; an object claiming a huge shape is not converted."""
    returned = shape_of(output, shape)
    if math.prod(returned) > 100 * math.prod(shape):
        raise StudentCodeError(
            f"softmax of shape {shape} returned an object of shape {returned}; it must return "
            "one probability per logit."
        )
    return read_array(output, math.prod(shape))


def _check_softmax(softmax):
    # Fresh logits for every check (the chapter's [2, 1, 0.1] moved a little), every reference
    # computed before the student's function runs and kept alive: np.empty never finds them.
    rng = fresh_generator("ch01.q6")
    small = np.array([2.0, 1.0, 0.1]) + rng.uniform(-0.05, 0.05, 3)
    batch = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]) + rng.uniform(-0.05, 0.05, (2, 3))
    large = np.array([1000.0, 1001.0, 1002.0]) + rng.uniform(-0.05, 0.05, 3)
    references = [_reference_softmax(logits) for logits in (small, batch, large)]
    output = _as_probabilities(call_student(softmax, small.copy()), small.shape)
    if output.shape != small.shape:
        return incorrect(
            f"softmax of 3 logits must return 3 probabilities, got shape {output.shape}."
        )
    if np.allclose(output, np.exp(small)):
        return incorrect(
            "You exponentiated but did not divide by the sum: the outputs must sum to 1."
        )
    if not np.isclose(output.sum(), 1.0):
        return incorrect(f"Your probabilities sum to {output.sum():.4f}; softmax outputs sum to 1.")
    result = check_array(output, references[0], name="softmax([2, 1, 0.1])")
    if not result:
        return result
    output = _as_probabilities(call_student(softmax, batch.copy()), batch.shape)
    if output.shape == batch.shape and np.isclose(output.sum(), 1.0):
        return incorrect(
            "For a batch (2×3) each ROW must sum to 1; you normalised over the whole array. "
            "Use axis=-1 with keepdims=True."
        )
    result = check_array(output, references[1], name="softmax of a batch")
    if not result:
        return result
    with np.errstate(all="ignore"):
        output = _as_probabilities(call_student(softmax, large.copy()), large.shape)
    if not np.all(np.isfinite(output)):
        return incorrect(
            "softmax([1000, 1001, 1002]) gave inf/nan: exp(1000) overflows. Subtract the maximum logit "
            "first; it does not change the result because it cancels in the division."
        )
    result = check_array(output, references[2], name="softmax of large logits")
    if not result:
        return result
    return correct(
        "Correct, and numerically stable: exponentiate (after subtracting the max), sum, divide."
    )


q6 = Problem(
    title="A numerically stable softmax (归一化指数函数)",
    statement=(
        "Write `softmax(logits)` for a NumPy array whose last axis holds the logits of one sample "
        "(shape `(classes,)` or `(batch, classes)`). It must not overflow for logits like 1000."
    ),
    starter="def softmax(logits):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code=(
        "def softmax(logits):\n"
        "    shifted = logits - np.max(logits, axis=-1, keepdims=True)\n"
        "    exponentials = np.exp(shifted)\n"
        "    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)"
    ),
    checker=_check_softmax,
    answer_name="softmax",
    hints=(
        "Three steps: exponentiate, sum, divide.",
        "Reduce over the last axis with `axis=-1, keepdims=True` so batches work.",
        "softmax(z) = softmax(z - max(z)): subtracting the maximum keeps exp() from overflowing.",
    ),
    explanation="Subtracting the per-row maximum leaves the result unchanged and keeps every exponent ≤ 0.",
    wrong_answers=(
        WrongAnswer("def softmax(logits):\n    return np.exp(logits)", "did not divide"),
        WrongAnswer(
            "def softmax(logits):\n    e = np.exp(logits)\n    return e / e.sum(axis=-1, keepdims=True)",
            "overflows",
        ),
        WrongAnswer(
            "def softmax(logits):\n    e = np.exp(logits - logits.max())\n    return e / e.sum()",
            "each ROW",
        ),
    ),
)

# --- q7: cross-entropy value ------------------------------------------------------------------


def _check_cross_entropy(answer):
    value = -math.log(0.9)
    return check_number(
        answer,
        value,
        abs_tol=5e-4,
        mistakes={
            round(-math.log10(0.9), 3): (
                "That is -log10(0.9) ≈ 0.046, the students' notes' base-10 logarithm; Keras "
                "uses the natural logarithm, ln."
            ),
            round(math.log(0.9), 3): "Cross-entropy (交叉熵) is -log(p): mind the minus sign.",
            0.1: "0.1 is 1 - p; cross-entropy is -ln(p) for the true class.",
        },
        variants=first_wins(
            {
                round(v, 3): "Mind the sign: cross-entropy is -log(p)."
                for v in (math.log10(0.9), math.log2(0.9))
            },
            log_base_variants(lambda log: round(-log(0.9), 3), base="e"),
            {
                round(
                    -math.log(0.05), 3
                ): "That is -ln of a wrong class's probability; use the true class's p = 0.9."
            },
        ),
        success="Correct: -ln(0.9) ≈ 0.105, as keras.losses.CategoricalCrossentropy computes it.",
    )


q7 = Problem(
    title="Cross-entropy (交叉熵) of one prediction",
    statement=(
        "The one-hot label is (0, 1, 0) and the network predicts (0.05, 0.9, 0.05). What "
        "categorical cross-entropy does **Keras** report? Give three decimals."
    ),
    starter="answer = ...",
    solution_code="import math\n\nanswer = -math.log(0.9)",
    checker=_check_cross_entropy,
    hints=(
        "With a one-hot label only the true class's term -y·log(p) survives.",
        "Which logarithm does Keras use, base 10 or base e?",
    ),
    explanation="CE = -Σ y_i log p_i = -ln(0.9) ≈ 0.105 (natural log, as in Keras); base 10 would give 0.046.",
    wrong_answers=(
        WrongAnswer("answer = 0.046", "base-10"),
        WrongAnswer("answer = -0.105", "minus sign"),
    ),
)

# --- q8: one gradient-descent step ------------------------------------------------------------


def _check_gradient_step(answer):
    return check_number(
        answer,
        2.0 - 0.1 * 0.5,
        abs_tol=1e-9,
        mistakes={
            2.0 + 0.1 * 0.5: "You moved uphill: gradient descent (梯度下降) subtracts α·dJ/dw.",
            2.0 - 0.5: "You forgot the learning rate (学习率): the step is α·dJ/dw = 0.1×0.5.",
            0.05: "0.05 is the size of the step; the new weight is w minus it.",
        },
        variants=first_wins(
            dropped_terms({"weight w": 2.0, "step -α·dJ/dw": -0.1 * 0.5}),
            {2.0 - 0.1 / 0.5: "The step multiplies: α × dJ/dw, not α / dJ/dw."},
            {2.0 - 0.5 / 0.1: "The step multiplies: α × dJ/dw, not dJ/dw / α."},
        ),
        success="Correct: w ← w - α·dJ/dw = 2 - 0.1×0.5 = 1.95.",
    )


q8 = Problem(
    title="One step of gradient descent (梯度下降)",
    statement=(
        "A weight is w = 2.0, the gradient of the loss is dJ/dw = 0.5 and the learning rate is "
        "α = 0.1. What is w after one gradient-descent step?"
    ),
    starter="answer = ...",
    solution_code="answer = 2.0 - 0.1 * 0.5",
    checker=_check_gradient_step,
    hints=("w ← w - α·dJ/dw",),
    explanation="The ball rolls downhill: w - α·dJ/dw = 2 - 0.05 = 1.95.",
    wrong_answers=(
        WrongAnswer("answer = 2.0 - 0.1 / 0.5", "multiplies"),
        WrongAnswer("answer = 2.05", "uphill"),
        WrongAnswer("answer = 1.5", "learning rate"),
    ),
)


def _check_network_shapes(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError(
            "Expected a dict like {'W1': (rows, columns), 'b1': (length,), ...}."
        )
    expected = {"W1": (784, 64), "b1": (64,), "W2": (64, 10), "b2": (10,)}
    missing = sorted(set(expected) - set(answer))
    if missing:
        return incorrect(f"Missing keys: {', '.join(missing)}.")
    for key, shape in expected.items():
        given = as_shape(answer[key], what=f"{key}'s shape as a tuple such as (3, 4)")
        if given == shape[::-1] and len(shape) == 2:
            return incorrect(
                f"{key} is transposed: with H = X·W1 + b1 and X of shape (batch, 784), W1 must be "
                "(inputs, outputs)."
            )
        if given != shape:
            return incorrect(
                f"{key}: {given} is not its shape. X·W1 needs W1's first axis to match X's last "
                "axis; a bias has one value per unit of its layer."
            )
    return correct("Correct: 784×64 + 64 + 64×10 + 10 = 50,890 parameters in all.")


q9 = Problem(
    title="Shapes of the two-layer network",
    statement=(
        "The two-layer network H = X·W1 + b1, Y = relu(H)·W2 + b2 takes flattened 28×28 images "
        "(X has shape `(batch, 784)`), has 64 hidden units and 10 classes. Give the shape of each "
        "parameter as a dict of tuples."
    ),
    starter="answer = {'W1': ..., 'b1': ..., 'W2': ..., 'b2': ...}",
    solution_code="answer = {'W1': (784, 64), 'b1': (64,), 'W2': (64, 10), 'b2': (10,)}",
    checker=_check_network_shapes,
    hints=("X·W1 must be defined: W1's first axis matches X's last axis.",),
    explanation="W1: (784, 64), b1: (64,), W2: (64, 10), b2: (10,).",
    wrong_answers=(
        WrongAnswer(
            "answer = {'W1': (64, 784), 'b1': (64,), 'W2': (64, 10), 'b2': (10,)}", "transposed"
        ),
        WrongAnswer("answer = [(784, 64)]", "Expected a dict"),
    ),
)


CHAPTER = Chapter(
    number=1,
    slug="01_nn_basics",
    title="Neural-network basics (神经网络基础)",
    introduction=(
        "Practice for `notebooks/01_nn_basics.ipynb`: parameter counts, batches and epochs, "
        "activations, softmax, cross-entropy and gradient descent."
    ),
    preamble="import numpy as np",
    problems=[q1, q2, q3, q4, q5, q6, q7, q8, q9],
)
