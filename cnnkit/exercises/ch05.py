"""Chapter 05 exercises: recurrent networks. The one source of the generated notebooks.

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
    as_integer,
    call_student,
    check_array,
    check_number,
    correct,
    dropped_terms,
    first_wins,
    fresh_generator,
    incorrect,
    per_input_bias,
)

# --- q1: SimpleRNN parameters -----------------------------------------------------------------


def _check_simple_rnn(answer):
    m, n = 32, 64
    return check_number(
        answer,
        n * (m + n) + n,
        integer=True,
        mistakes={
            m * n + n: "You counted U (32×64) and the biases but forgot the recurrent weights W "
            "(64×64): every unit also reads the previous state s_{t-1}.",
            m * n + n * n: "U and W are right; now add one bias per unit (+64).",
            n * n + n: "You forgot the input weights U (32×64) that read x_t.",
            20 * (m * n + n * n + n): "The count does not depend on the 20 steps: the same U, W, b "
            "are used at every step (weight sharing through time).",
        },
        variants=first_wins(
            dropped_terms({"input weights U": m * n, "recurrent weights W": n * n, "biases": n}),
            per_input_bias(m * n + n * n, m, n),
            per_input_bias(m * n + n * n, m + n, n),
        ),
        success="Correct: U 32×64 + W 64×64 + b 64 = 6,208, whatever the sequence length.",
    )


q1 = Problem(
    title="Parameters of a SimpleRNN (循环神经网络)",
    statement=(
        "`keras.layers.SimpleRNN(64)` reads sequences of 20 steps with 32 features per step.\n"
        "How many trainable parameters does it have? Assign the number to `answer`."
    ),
    starter="answer = ...  # a number",
    solution_code="answer = 64 * (32 + 64) + 64",
    checker=_check_simple_rnn,
    hints=(
        "s_t = tanh(U·x_t + W·s_{t-1} + b): count U, W and b.",
        "U is inputs × units, W is units × units, b has one entry per unit.",
    ),
    explanation="n(m + n) + n = 64·(32 + 64) + 64 = 6,208. The 20 steps do not matter.",
    wrong_answers=(
        WrongAnswer("answer = 32 * 64 + 64 * 64 + 32", "not one per input"),
        WrongAnswer("answer = 32 * 64 + 64", "forgot the recurrent weights"),
        WrongAnswer("answer = 32 * 64 + 64 * 64", "one bias per unit"),
        WrongAnswer("answer = 20 * (32 * 64 + 64 * 64 + 64)", "weight sharing through time"),
    ),
)

# --- q2: LSTM parameters ----------------------------------------------------------------------


def _check_lstm(answer):
    block = 64 * (32 + 64) + 64
    return check_number(
        answer,
        4 * block,
        integer=True,
        mistakes={
            block: "That is one SimpleRNN-sized block. An LSTM has 4 gates (input, forget, cell "
            "candidate, output), each with its own U, W and b: multiply by 4.",
            3 * block: "3 blocks is a GRU (with reset_after=False). The LSTM has 4 gates.",
            4 * (32 * 64 + 64 * 64): "You forgot the biases: 4 gates × 64 units.",
            4 * block + 64: "Only 4 blocks; there is no extra bias for the cell state.",
        },
        success="Correct: 4 × (64·(32 + 64) + 64) = 24,832.",
    )


q2 = Problem(
    title="Parameters of an LSTM (长短期记忆网络)",
    statement=(
        "Same input as Problem 1 (32 features per step), but `keras.layers.LSTM(64)`. "
        "How many trainable parameters?"
    ),
    starter="answer = ...",
    solution_code="answer = 4 * (64 * (32 + 64) + 64)",
    checker=_check_lstm,
    hints=(
        "An LSTM computes four gate-like vectors from x_t and h_{t-1}: i, f, c̃, o.",
        "Each of them is a SimpleRNN-sized block n(m + n) + n.",
    ),
    explanation="4 × (n(m + n) + n) = 4 × 6,208 = 24,832.",
    wrong_answers=(
        WrongAnswer("answer = 64 * (32 + 64) + 64", "4 gates"),
        WrongAnswer("answer = 4 * (32 * 64 + 64 * 64)", "forgot the biases"),
    ),
)

# --- q3: GRU parameters, Keras's reset_after --------------------------------------------------


def _check_gru(answer):
    m, n = 32, 64
    return check_number(
        answer,
        3 * (n * (m + n) + 2 * n),
        integer=True,
        mistakes={
            3 * (n * (m + n) + n): "That is the textbook GRU (reset_after=False). Keras's default "
            "reset_after=True keeps two bias vectors per gate (one for the input part, one for "
            "the recurrent part): +3×64.",
            4 * (n * (m + n) + n): "4 blocks is an LSTM; a GRU has 3 (update, reset, candidate).",
            n * (m + n) + n: "That is a SimpleRNN; a GRU has 3 blocks (update, reset, candidate).",
        },
        success="Correct: 3 × (64·96 + 2·64) = 18,816 with Keras's default reset_after=True.",
    )


q3 = Problem(
    title="Parameters of a GRU (门控循环单元) as Keras builds it",
    statement=(
        "Same input again, `keras.layers.GRU(64)` with Keras's defaults (`reset_after=True`). "
        "How many trainable parameters?"
    ),
    starter="answer = ...",
    solution_code="answer = 3 * (64 * (32 + 64) + 2 * 64)",
    checker=_check_gru,
    hints=(
        "A GRU has three blocks: update gate z, reset gate r, candidate h̃.",
        "With reset_after=True the reset gate is applied after the recurrent product, so each "
        "block has an input bias AND a recurrent bias.",
    ),
    explanation="3 × (n(m + n) + 2n) = 18,816; with reset_after=False it would be 3 × 6,208 = 18,624.",
    wrong_answers=(
        WrongAnswer("answer = 3 * (64 * (32 + 64) + 64)", "reset_after=True keeps two bias"),
        WrongAnswer("answer = 4 * (64 * (32 + 64) + 64)", "LSTM"),
    ),
)

# --- q4: weight sharing vs flattening -----------------------------------------------------------


def _check_sharing(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError("Expected a dict like {'dense': 123, 'rnn': 456}.")
    missing = sorted({"dense", "rnn"} - set(answer))
    if missing:
        return incorrect(f"Missing keys: {', '.join(missing)}.")
    dense = as_int(answer["dense"], "answer['dense']")
    rnn = as_int(answer["rnn"], "answer['rnn']")
    if dense == 8 * 16 + 16:
        return incorrect(
            "answer['dense']: the dense network sees the whole sequence flattened: 100 steps × 8 "
            "features = 800 inputs, each connected to 16 units."
        )
    if dense != 800 * 16 + 16:
        return incorrect(f"answer['dense'] = {dense:,}: count inputs (800) × units (16) + biases.")
    if rnn == 100 * (16 * (8 + 16) + 16):
        return incorrect(
            "answer['rnn']: the same U, W, b serve all 100 steps (weight sharing through time): "
            "do not multiply by the length."
        )
    if rnn != 16 * (8 + 16) + 16:
        return incorrect(f"answer['rnn'] = {rnn:,}: use n(m + n) + n with m = 8, n = 16.")
    return correct("Correct: 12,816 for the dense layer, 400 for the SimpleRNN, 32× fewer.")


def as_int(value, name):
    return as_integer(value, what=f"{name} as a whole number")


q4 = Problem(
    title="Flattened dense vs recurrent",
    statement=(
        "Sequences have 100 steps of 8 features. Network A flattens them and applies "
        "`Dense(16)`; network B applies `SimpleRNN(16)`. Give both layers' parameter counts as "
        "`answer = {'dense': ..., 'rnn': ...}`."
    ),
    starter="answer = {'dense': ..., 'rnn': ...}",
    solution_code="answer = {'dense': 100 * 8 * 16 + 16, 'rnn': 16 * (8 + 16) + 16}",
    checker=_check_sharing,
    hints=(
        "Flattened, the dense layer has 100 × 8 = 800 inputs.",
        "The RNN reads 8 features per step; its size does not depend on the 100 steps.",
    ),
    explanation="Dense: 800·16 + 16 = 12,816. SimpleRNN: 16·(8 + 16) + 16 = 400.",
    wrong_answers=(
        WrongAnswer("answer = {'dense': 8 * 16 + 16, 'rnn': 400}", "flattened"),
        WrongAnswer("answer = {'dense': 12816, 'rnn': 100 * 400}", "weight sharing"),
        WrongAnswer("answer = [12816, 400]", "Expected a dict"),
    ),
)

# --- q5: one RNN step in NumPy ----------------------------------------------------------------


def _check_rnn_step(rnn_step):
    # Fresh numbers for every check; each reference is computed before the student's function
    # runs and kept alive, so an np.empty answer never finds the right values in freed memory.
    rng = fresh_generator("ch05.q5")
    x, s, u, w, b = (rng.normal(size=shape) for shape in ((2, 3), (2, 4), (3, 4), (4, 4), 4))
    expected = np.tanh(x @ u + s @ w + b)
    output = call_student(
        rnn_step, x.copy(), s.copy(), u.copy(), w.copy(), b.copy(), output_like=[expected]
    )
    return check_array(
        output,
        expected,
        name="rnn_step(x_t, s_prev, U, W, b)",
        mistakes=[
            (x @ u + s @ w + b, "Apply the activation: s_t = tanh(...)."),
            (
                np.tanh(x @ u + b),
                "You forgot the recurrent term s_prev @ W: without it there is no memory.",
            ),
            (np.tanh(x @ u + s @ w), "You forgot the bias b."),
            (
                np.tanh(x @ u + s @ w.T + b),
                "W is stored as Keras's recurrent_kernel (units, units): use s_prev @ W, not W.T.",
            ),
        ],
        success="Correct: s_t = tanh(x_t·U + s_{t-1}·W + b), the same as keras.layers.SimpleRNN.",
    )


q5 = Problem(
    title="One RNN step in NumPy",
    statement=(
        "Write `rnn_step(x_t, s_prev, U, W, b)` returning s_t = tanh(x_t·U + s_prev·W + b) with "
        "Keras's layout: `x_t` (batch, inputs), `s_prev` (batch, units), `U` (inputs, units), "
        "`W` (units, units), `b` (units,)."
    ),
    starter="def rnn_step(x_t, s_prev, U, W, b):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code="def rnn_step(x_t, s_prev, U, W, b):\n    return np.tanh(x_t @ U + s_prev @ W + b)",
    checker=_check_rnn_step,
    answer_name="rnn_step",
    hints=(
        "Row vectors: x_t @ U has shape (batch, units).",
        "Add the recurrent term s_prev @ W and the bias, then apply np.tanh.",
    ),
    explanation="`np.tanh(x_t @ U + s_prev @ W + b)`; running it for t = 1..T is the whole SimpleRNN.",
    wrong_answers=(
        WrongAnswer(
            "def rnn_step(x_t, s_prev, U, W, b):\n    return x_t @ U + s_prev @ W + b", "activation"
        ),
        WrongAnswer(
            "def rnn_step(x_t, s_prev, U, W, b):\n    return np.tanh(x_t @ U + b)", "recurrent term"
        ),
        WrongAnswer(
            "def rnn_step(x_t, s_prev, U, W, b):\n    return np.tanh(U @ x_t + W @ s_prev + b)",
            "raised ValueError",
        ),
    ),
)

# --- q6: pick the sequence model --------------------------------------------------------------

_CHOICES = ("dense", "simple_rnn", "lstm")


def _check_choice(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError(
            "Expected a dict like {'a': ..., 'b': ..., 'c': ...} with a model name for each."
        )
    missing = sorted({"a", "b", "c"} - set(answer))
    if missing:
        return incorrect(f"Missing keys: {', '.join(missing)}.")
    given = {}
    for key in "abc":
        value = str(answer[key]).strip().lower().replace("simplernn", "simple_rnn")
        if value == "gru":
            value = "lstm"  # a GRU is as good an answer as an LSTM here
        if value not in _CHOICES:
            return incorrect(
                f"answer[{key!r}] must be one of {_CHOICES} (or 'gru'), got {answer[key]!r}."
            )
        given[key] = value
    if given["a"] != "dense":
        return incorrect(
            "(a) The 20 measurements have no order and a fixed size: a sequence model adds "
            "nothing; a dense network sees them all at once."
        )
    if given["b"] == "simple_rnn":
        return incorrect(
            "(b) 500 steps between the cue and the answer: a SimpleRNN's gradient vanishes over "
            "such distances. Use a gated cell (LSTM or GRU)."
        )
    if given["b"] != "lstm":
        return incorrect(
            "(b) Reviews have different lengths and order matters: a dense network cannot read them step by step."
        )
    if given["c"] == "dense":
        return incorrect(
            "(c) The streams have different lengths: a dense layer needs a fixed input size."
        )
    if given["c"] != "simple_rnn":
        return incorrect(
            "(c) Only the last few steps matter and the model must be small: a SimpleRNN is enough (an LSTM has 4× its parameters)."
        )
    return correct(
        "Correct: dense for unordered fixed-size inputs, LSTM/GRU for long memory, SimpleRNN for short memory on a budget."
    )


q6 = Problem(
    title="Pick the model for the task",
    statement=(
        "For each task choose `'dense'`, `'simple_rnn'` or `'lstm'` (`'gru'` counts as `'lstm'`):\n\n"
        "- (a) 20 blood-test values of a patient (fixed list, order meaningless) -> ill or not;\n"
        "- (b) movie reviews of 50 to 500 words -> positive or negative, where a 'not' near the "
        "start can flip the meaning of the last sentence;\n"
        "- (c) sensor streams of varying length -> was there a spike in the last 5 readings? "
        "The model must be as small as possible.\n\n"
        "`answer = {'a': ..., 'b': ..., 'c': ...}`"
    ),
    starter="answer = {'a': ..., 'b': ..., 'c': ...}",
    solution_code="answer = {'a': 'dense', 'b': 'lstm', 'c': 'simple_rnn'}",
    checker=_check_choice,
    hints=(
        "Does order matter? Does the length vary?",
        "How far back must the model remember? SimpleRNN gradients vanish over long distances.",
    ),
    explanation="(a) dense: no order, fixed size; (b) LSTM/GRU: long memory; (c) SimpleRNN: short memory, smallest.",
    wrong_answers=(
        WrongAnswer("answer = {'a': 'lstm', 'b': 'lstm', 'c': 'simple_rnn'}", "(a)"),
        WrongAnswer("answer = {'a': 'dense', 'b': 'simple_rnn', 'c': 'simple_rnn'}", "vanishes"),
        WrongAnswer("answer = {'a': 'dense', 'b': 'lstm', 'c': 'dense'}", "different lengths"),
        WrongAnswer("answer = {'a': 'dense', 'b': 'lstm', 'c': 'transformer'}", "must be one of"),
    ),
)

# --- q7: vanishing gradient arithmetic --------------------------------------------------------


def _check_vanishing(answer):
    return check_number(
        answer,
        0.5**29,
        rel_tol=1e-3,
        mistakes={
            0.5**30: "Between step 30 and step 1 there are 29 transitions, so 29 factors of 0.5.",
            0.5 * 29: "The factors multiply (chain rule), they do not add.",
            2.0**29: "The gradient shrinks: the ratio is 0.5^29, less than 1.",
        },
        success="Correct: 0.5^29 ≈ 1.9e-9: step 1 gets practically no learning signal (梯度消失).",
    )


q7 = Problem(
    title="How fast does the gradient vanish (梯度消失)?",
    statement=(
        "In a SimpleRNN, suppose each step back in time multiplies the gradient by 0.5. The loss "
        "is computed after step 30. By what factor is ||dL/ds_1|| smaller than ||dL/ds_30||? "
        "Give the ratio ||dL/ds_1|| / ||dL/ds_30||."
    ),
    starter="answer = ...",
    solution_code="answer = 0.5 ** 29",
    checker=_check_vanishing,
    hints=(
        "Chain rule: one factor per transition s_t -> s_{t+1}.",
        "From s_1 to s_30 there are 29 transitions.",
    ),
    explanation="0.5^29 ≈ 1.9·10⁻⁹. Gated cells (LSTM, GRU) keep this factor close to 1.",
    wrong_answers=(
        WrongAnswer("answer = 0.5 ** 30", "29 transitions"),
        WrongAnswer("answer = 0.5 * 29", "multiply"),
    ),
)


# --- q8: BPTT, the gradient of a shared weight is a sum over time -------------------------------


def _check_bptt(answer):
    # s_t = w·s_{t-1} + x_t, s_0 = 0, x = (1, 2, 3), w = 0.5, L = s_3.
    # dL/dw = Σ_t (dL/ds_t)·s_{t-1} with dL/ds_t = w^(3-t): 1·s_2 + 0.5·s_1 + 0.25·s_0 = 2.5 + 0.5 + 0
    return check_number(
        answer,
        3.0,
        rel_tol=1e-6,
        mistakes={
            2.5: "That is only the term of the last step, s_2. The same w is used at every step, so "
            "BPTT adds one term per step: (dL/ds_t)·s_{t-1} for t = 3, 2, 1.",
            3.5: "You added s_2 + s_1 + s_0 but forgot that the gradient reaching step t has passed "
            "back through w once per later step: dL/ds_t = w^(3-t), so the terms are 1·s_2, 0.5·s_1, "
            "0.25·s_0.",
            4.25: "4.25 is the loss L = s_3 itself, not its derivative with respect to w.",
        },
        success="Correct: dL/dw = 1·s_2 + 0.5·s_1 + 0.25·s_0 = 2.5 + 0.5 + 0 = 3.0, one term per step.",
    )


q8 = Problem(
    title="Backpropagation through time (随时间反向传播) by hand",
    statement=(
        "A one-unit linear RNN: s_t = w·s_{t-1} + x_t with s_0 = 0, w = 0.5, and the sequence "
        "x = (1, 2, 3). The loss is the last state, L = s_3.\n\n"
        "Compute dL/dw, counting that the same w is used at steps 1, 2 and 3. "
        "Assign the number to `answer`."
    ),
    starter="answer = ...  # a number",
    solution_code=(
        "w, x = 0.5, [1.0, 2.0, 3.0]\n"
        "s = [0.0]\n"
        "for x_t in x:\n"
        "    s.append(w * s[-1] + x_t)  # s_0, s_1, s_2, s_3\n"
        "# dL/ds_t = w ** (3 - t); step t contributes dL/ds_t * s_{t-1}\n"
        "answer = sum(w ** (3 - t) * s[t - 1] for t in (1, 2, 3))"
    ),
    checker=_check_bptt,
    hints=(
        "Run the forward pass first: s_1 = 1, s_2 = 0.5·1 + 2 = 2.5, s_3 = 0.5·2.5 + 3 = 4.25.",
        "w appears at every step: dL/dw = Σ_t (dL/ds_t)·(∂s_t/∂w directly) = Σ_t (dL/ds_t)·s_{t-1}.",
        "dL/ds_3 = 1, dL/ds_2 = w, dL/ds_1 = w²: each step back multiplies by w.",
    ),
    explanation=(
        "Unrolled, the RNN is a 3-layer network with the same weight w in every layer. The gradient "
        "of a shared weight is the sum of the gradients of its copies: 1·s_2 + 0.5·s_1 + 0.25·s_0 "
        "= 3.0. The factor w^(3-t) is the product of Jacobians that vanishes when |w| < 1."
    ),
    wrong_answers=(
        WrongAnswer("answer = 2.5", "only the term of the last step"),
        WrongAnswer("answer = 2.5 + 1 + 0", "forgot that the gradient reaching step t"),
        WrongAnswer("answer = 4.25", "the loss L = s_3 itself"),
    ),
)

# --- q9: gradient clipping: clipnorm vs clipvalue -----------------------------------------------

_GRADIENT = np.array([3.0, -4.0, 12.0])  # norm 13


def _check_clipping(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError("Expected a dict like {'clipnorm': [...], 'clipvalue': [...]}.")
    missing = sorted({"clipnorm", "clipvalue"} - set(answer))
    if missing:
        return incorrect(f"Missing keys: {', '.join(missing)}.")
    by_norm = _GRADIENT * 6.5 / 13.0
    by_value = np.clip(_GRADIENT, -5.0, 5.0)
    result = check_array(
        answer["clipnorm"],
        by_norm,
        name="answer['clipnorm']",
        mistakes=[
            (
                by_value,
                "answer['clipnorm'] is what clipvalue does. clipnorm rescales the WHOLE vector "
                "so that its norm is 6.5, keeping its direction: g · 6.5 / ||g||.",
            ),
            (
                _GRADIENT / 13.0,
                "answer['clipnorm'] has norm 1. clipnorm=6.5 rescales to norm 6.5: g · 6.5 / 13.",
            ),
            (
                _GRADIENT,
                "answer['clipnorm']: ||g|| = sqrt(9 + 16 + 144) = 13 > 6.5, so the vector IS rescaled.",
            ),
        ],
    )
    if result.status != "correct":
        return result
    result = check_array(
        answer["clipvalue"],
        by_value,
        name="answer['clipvalue']",
        mistakes=[
            (
                by_norm,
                "answer['clipvalue'] is what clipnorm does. clipvalue cuts every component "
                "separately to [-5, 5]; components inside the range stay as they are.",
            ),
            (
                _GRADIENT * 5.0 / 12.0,
                "answer['clipvalue'] rescales the whole vector by 5/12. clipvalue does not rescale: "
                "it only cuts the components outside [-5, 5].",
            ),
            (
                np.abs(by_value),
                "answer['clipvalue'] lost a sign: -4 lies inside [-5, 5] and stays -4.",
            ),
        ],
    )
    if result.status != "correct":
        return result
    return correct(
        "Correct: clipnorm gives [1.5, -2, 6] (same direction, norm 6.5); clipvalue gives "
        "[3, -4, 5] (only the 12 is cut, the direction changes)."
    )


q9 = Problem(
    title="Gradient clipping (梯度裁剪): clipnorm and clipvalue",
    statement=(
        "One weight's gradient is g = [3, -4, 12]. What does the optimizer use instead of g\n\n"
        "- with `keras.optimizers.SGD(clipnorm=6.5)`, and\n"
        "- with `keras.optimizers.SGD(clipvalue=5.0)`?\n\n"
        "`answer = {'clipnorm': [...], 'clipvalue': [...]}` (lists or NumPy arrays)."
    ),
    starter="g = np.array([3.0, -4.0, 12.0])\nanswer = {'clipnorm': ..., 'clipvalue': ...}",
    solution_code=(
        "g = np.array([3.0, -4.0, 12.0])\n"
        "norm = np.linalg.norm(g)  # 13\n"
        "answer = {\n"
        "    'clipnorm': g * min(1.0, 6.5 / norm),  # rescale the whole vector to norm 6.5\n"
        "    'clipvalue': np.clip(g, -5.0, 5.0),  # cut each component to [-5, 5]\n"
        "}"
    ),
    checker=_check_clipping,
    hints=(
        "||g|| = sqrt(3² + 4² + 12²) = 13.",
        "clipnorm: if ||g|| > c, use g · c / ||g|| (same direction, norm c).",
        "clipvalue: cut each component to [-c, c] separately (np.clip).",
    ),
    explanation=(
        "clipnorm=6.5: 13 > 6.5, so g · 6.5/13 = [1.5, -2, 6]. clipvalue=5: [3, -4, 5]. Both keep "
        "one exploding gradient (梯度爆炸) from throwing the weights far away; clipnorm keeps the "
        "direction, clipvalue can change it."
    ),
    wrong_answers=(
        WrongAnswer(
            "answer = {'clipnorm': [3, -4, 5], 'clipvalue': [3, -4, 5]}", "what clipvalue does"
        ),
        WrongAnswer(
            "answer = {'clipnorm': [3 / 13, -4 / 13, 12 / 13], 'clipvalue': [3, -4, 5]}",
            "has norm 1",
        ),
        WrongAnswer(
            "answer = {'clipnorm': [1.5, -2, 6], 'clipvalue': [1.5, -2, 6]}", "what clipnorm does"
        ),
        WrongAnswer("answer = {'clipnorm': [1.5, -2, 6], 'clipvalue': [3, 4, 5]}", "lost a sign"),
        WrongAnswer("answer = [1.5, -2, 6]", "Expected a dict"),
    ),
)

# --- q10: stateful layers and the reset ------------------------------------------------------------


def _check_stateful(answer):
    return check_number(
        answer,
        0.5,
        rel_tol=1e-6,
        mistakes={
            1.5: "Without the reset that would be right: 0.5·2.0 + 0.5, the state left by the first "
            "sequence would be the start of the second. After reset_states() the state starts at 0.",
            2.0: "2.0 is the state after the FIRST sequence. The question asks for the state after "
            "reading the second one, [0.5], from the reset state 0.",
        },
        success="Correct: after the reset s_0 = 0, so s_1 = 0.5·0 + 0.5 = 0.5.",
    )


q10 = Problem(
    title="State across batches: stateful=True and reset_states()",
    statement=(
        "A one-unit linear RNN s_t = 0.5·s_{t-1} + x_t is built with `stateful=True`. It reads "
        "the sequence [1.0, 1.5] (its state is now 0.5·1 + 1.5 = 2.0), then `reset_states()` is "
        "called, then it reads the independent sequence [0.5]. What is its state now?"
    ),
    starter="answer = ...",
    solution_code="answer = 0.5 * 0.0 + 0.5  # reset: s_0 = 0",
    checker=_check_stateful,
    hints=(
        "reset_states() sets the state to zeros.",
        "Then one step: s_1 = 0.5·s_0 + x_1.",
    ),
    explanation=(
        "Without the reset the answer would be 0.5·2.0 + 0.5 = 1.5: the new, independent sequence "
        "would be read as the continuation of the old one."
    ),
    wrong_answers=(
        WrongAnswer("answer = 2.0", "state after the FIRST sequence"),
        WrongAnswer("answer = 1.5", "Without the reset"),
    ),
)

CHAPTER = Chapter(
    number=5,
    slug="05_rnn",
    title="Recurrent networks (循环神经网络)",
    introduction=(
        "Practice for `notebooks/05_rnn.ipynb`: parameter counts of SimpleRNN, LSTM and GRU, "
        "weight sharing through time, one RNN step in NumPy, choosing a sequence model, "
        "vanishing gradients, backpropagation through time, gradient clipping and stateful layers."
    ),
    preamble="import numpy as np",
    problems=[q1, q2, q3, q4, q5, q6, q7, q8, q9, q10],
)
