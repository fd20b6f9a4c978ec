"""Chapter 07 exercises: overfitting and optimizers. The one source of the generated notebooks.

Each problem: statement, starter code (what the student sees), solution code, hints, a checker,
and the typical wrong answers with the message they must get (the tests prove each one).
The update-rule problems are checked against ``cnnkit.scratch`` (itself equal to Keras to 1e-6).
"""

from __future__ import annotations

import math

import numpy as np

from cnnkit.exercises.core import (
    Chapter,
    Problem,
    StudentCodeError,
    WrongAnswer,
    as_number,
    call_student,
    check_number,
    correct,
    fresh_generator,
    incorrect,
)
from cnnkit.exercises.strict import read_array
from cnnkit.scratch.optimizers import SGD, Adam

# --- q1: momentum update ----------------------------------------------------------------------

_LR, _MU = 0.1, 0.9


def _momentum_case(rng):
    w, v, g = rng.normal(size=4), rng.normal(size=4) * 0.1, rng.normal(size=4)
    return w, v, g


def _reference_momentum(w, v, g, lr, mu):
    """One Keras SGD(momentum=mu) step from velocity v, via cnnkit.scratch (v is Keras's state)."""
    params = [w.copy()]
    optimizer = SGD(lr, momentum=mu)
    optimizer.state[("velocity", 0)] = v.copy()
    optimizer.step(params, [g])
    return params[0], optimizer.state[("velocity", 0)]


def _unpack_pair(output, what):
    if not isinstance(output, (tuple, list)) or len(output) != 2:
        raise StudentCodeError(
            f"{what} must return a pair (new_w, new_v), got {type(output).__name__}."
        )
    return read_array(output[0], 4), read_array(output[1], 4)


def _check_momentum(momentum_step):
    # Fresh numbers for every check; each reference is computed before the student's function
    # runs and kept alive, so an np.empty answer never finds the right values in freed memory.
    rng = fresh_generator("ch07.q1")
    for _ in range(2):
        w, v, g = _momentum_case(rng)
        expected_w, expected_v = _reference_momentum(w, v, g, _LR, _MU)
        new_w, new_v = _unpack_pair(
            call_student(momentum_step, w.copy(), v.copy(), g.copy(), _LR, _MU), "momentum_step"
        )
        if np.allclose(new_w, expected_w, atol=1e-9) and np.allclose(new_v, expected_v, atol=1e-9):
            continue
        if np.allclose(new_w, w - _LR * g, atol=1e-9):
            return incorrect(
                "Your step is plain SGD (w - lr·g): you are forgetting the velocity. Update "
                "v ← μ·v − lr·g first, then move w ← w + v."
            )
        if np.allclose(new_w, w - (_MU * v - _LR * g), atol=1e-9) or np.allclose(
            new_w, w + _MU * v + _LR * g, atol=1e-9
        ):
            return incorrect(
                "Wrong sign: the velocity already points downhill (v = μ·v − lr·g), so the "
                "weight moves by +v."
            )
        if np.allclose(new_w, w + v, atol=1e-9):
            return incorrect(
                "You moved w with the OLD velocity; update v first, then w ← w + v_new."
            )
        if np.allclose(new_w, expected_w, atol=1e-9):
            return incorrect(
                "new_w is right but new_v is not: return the updated velocity μ·v − lr·g."
            )
        return incorrect(
            "Your update differs from keras.optimizers.SGD(momentum=0.9). Recheck: "
            "v ← μ·v − lr·g; w ← w + v."
        )
    return correct("Correct: the same numbers as keras.optimizers.SGD(learning_rate, momentum).")


q1 = Problem(
    title="Implement momentum (动量)",
    statement=(
        "Write `momentum_step(w, v, g, lr, mu)` returning `(new_w, new_v)` for NumPy arrays w "
        "(weights), v (velocity) and g (gradient), with Keras's rule: v ← μ·v − lr·g, then w ← w + v."
    ),
    starter="def momentum_step(w, v, g, lr, mu):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code=(
        "def momentum_step(w, v, g, lr, mu):\n    v = mu * v - lr * g\n    return w + v, v"
    ),
    checker=_check_momentum,
    answer_name="momentum_step",
    hints=(
        "The velocity is a running sum of past steps, each shrunk by μ.",
        "Update the velocity first, then add it to the weights.",
    ),
    explanation="v ← μv − lr·g; w ← w + v (keras.optimizers.SGD with momentum, nesterov=False).",
    wrong_answers=(
        WrongAnswer(
            "def momentum_step(w, v, g, lr, mu):\n    return w - lr * g, v",
            "forgetting the velocity",
        ),
        WrongAnswer(
            "def momentum_step(w, v, g, lr, mu):\n    v = mu * v - lr * g\n    return w - v, v",
            "Wrong sign",
        ),
        WrongAnswer(
            "def momentum_step(w, v, g, lr, mu):\n    return w + v, mu * v - lr * g", "OLD velocity"
        ),
        WrongAnswer("def momentum_step(w, v, g, lr, mu):\n    return w", "must return a pair"),
    ),
)

# --- q2: Adam update --------------------------------------------------------------------------


def _adam_reference(w, g_list, lr=0.01):
    params = [w.copy()]
    optimizer = Adam(lr)
    for g in g_list:
        optimizer.step(params, [g])
    return params[0]


def _run_student_adam(adam_step, w, g_list, lr=0.01):
    m, v = np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(g_list, start=1):
        output = call_student(adam_step, w.copy(), m.copy(), v.copy(), g.copy(), t, lr)
        if not isinstance(output, (tuple, list)) or len(output) != 3:
            raise StudentCodeError("adam_step must return three arrays (new_w, new_m, new_v).")
        w, m, v = (read_array(value, np.size(w)) for value in output)
    return w


def _adam_without_correction(w, g_list, lr=0.01, b1=0.9, b2=0.999, eps=1e-7):
    m, v = np.zeros_like(w), np.zeros_like(w)
    for g in g_list:
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * m / (np.sqrt(v) + eps)
    return w


def _check_adam(adam_step):
    # Fresh numbers for every check; each reference is computed before the student's function
    # runs and kept alive, so an np.empty answer never finds the right values in freed memory.
    rng = fresh_generator("ch07.q2")
    w = rng.normal(size=5)
    g_list = [rng.normal(size=5) for _ in range(4)]
    expected = _adam_reference(w, g_list)
    got = _run_student_adam(adam_step, w, g_list)
    # Keras raises float32 betas to the power t: textbook float64 Adam differs by < 1e-6 here.
    if np.allclose(got, expected, rtol=0, atol=2e-6):
        return correct("Correct: four steps agree with keras.optimizers.Adam (to 2e-6).")
    if np.allclose(got, _adam_without_correction(w, g_list), rtol=0, atol=2e-6):
        return incorrect(
            "Missing bias correction: m and v start at 0, so early on they are too small. Divide "
            "m by (1 − β₁ᵗ) and v by (1 − β₂ᵗ) before the step."
        )
    if np.allclose(got - w, -(expected - w), rtol=0, atol=2e-6):
        return incorrect("Wrong sign: Adam moves against the gradient, w ← w − lr·m̂/(√v̂ + ε).")
    if np.allclose(got, w, atol=1e-12):
        return incorrect("The weights did not change: return the updated w (and m, v).")
    return incorrect(
        "Your Adam differs from keras.optimizers.Adam. Recheck: m ← β₁m + (1 − β₁)g, "
        "v ← β₂v + (1 − β₂)g², m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), w ← w − lr·m̂/(√v̂ + ε)."
    )


_ADAM_SOLUTION = (
    "def adam_step(w, m, v, g, t, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):\n"
    "    m = beta_1 * m + (1 - beta_1) * g\n"
    "    v = beta_2 * v + (1 - beta_2) * g**2\n"
    "    m_hat = m / (1 - beta_1**t)\n"
    "    v_hat = v / (1 - beta_2**t)\n"
    "    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v"
)

q2 = Problem(
    title="Implement Adam (自适应矩估计)",
    statement=(
        "Write `adam_step(w, m, v, g, t, lr, beta_1=0.9, beta_2=0.999, eps=1e-7)` returning "
        "`(new_w, new_m, new_v)`; t is the step number (1 for the first step). Use the first "
        "moment m, the second moment v, and their bias-corrected versions m̂ and v̂."
    ),
    starter=(
        "def adam_step(w, m, v, g, t, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):\n"
        "    # YOUR CODE HERE\n    raise NotImplementedError"
    ),
    solution_code=_ADAM_SOLUTION,
    checker=_check_adam,
    answer_name="adam_step",
    hints=(
        "m and v are exponential moving averages of g and g².",
        "Both start at 0; dividing by 1 − βᵗ undoes that start-up bias.",
        "w ← w − lr · m̂ / (√v̂ + ε)",
    ),
    explanation=(
        "m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g²; m̂ = m/(1−β₁ᵗ); v̂ = v/(1−β₂ᵗ); "
        "w ← w − lr·m̂/(√v̂ + ε). Keras puts ε on the uncorrected v, which differs by far less than 1e-6."
    ),
    wrong_answers=(
        WrongAnswer(
            _ADAM_SOLUTION.replace("m_hat = m / (1 - beta_1**t)", "m_hat = m").replace(
                "v_hat = v / (1 - beta_2**t)", "v_hat = v"
            ),
            "Missing bias correction",
        ),
        WrongAnswer(_ADAM_SOLUTION.replace("return w - lr", "return w + lr"), "Wrong sign"),
        WrongAnswer(
            "def adam_step(w, m, v, g, t, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):\n    return w",
            "three arrays",
        ),
    ),
)

# --- q3: one Adam step by hand ----------------------------------------------------------------


def _check_adam_by_hand(answer):
    return check_number(
        answer,
        0.9,
        abs_tol=1e-3,
        mistakes={
            round(1.0 - 0.1 * 0.05 / math.sqrt(0.00025), 4): (
                "You skipped the bias correction: m = 0.05 and v = 0.00025 are divided by "
                "1 − 0.9 = 0.1 and 1 − 0.999 = 0.001 first, giving m̂ = 0.5 and v̂ = 0.25."
            ),
            1.1: "Wrong sign: Adam moves against the gradient.",
            0.95: "That is one SGD step (w − lr·g); Adam divides m̂ by √v̂.",
        },
        success="Correct: m̂ = 0.5, v̂ = 0.25, step = 0.1 × 0.5 / 0.5 = 0.1, so w = 0.9.",
    )


q3 = Problem(
    title="One Adam step by hand",
    statement=(
        "A weight w = 1.0 has gradient g = 0.5 at the first step (t = 1) of Adam with lr = 0.1, "
        "β₁ = 0.9, β₂ = 0.999, ε ≈ 0, m and v starting at 0. What is w after the step? "
        "(Three decimals.)"
    ),
    starter="answer = ...",
    solution_code=(
        "m = 0.1 * 0.5  # (1 - beta_1) g\n"
        "v = 0.001 * 0.5**2  # (1 - beta_2) g^2\n"
        "m_hat, v_hat = m / (1 - 0.9), v / (1 - 0.999)\n"
        "answer = 1.0 - 0.1 * m_hat / v_hat**0.5"
    ),
    checker=_check_adam_by_hand,
    hints=(
        "m = (1 − β₁)·g and v = (1 − β₂)·g² after one step from 0.",
        "At t = 1 the bias correction divides by exactly (1 − β₁) and (1 − β₂).",
    ),
    explanation=(
        "m̂ = g = 0.5 and v̂ = g² = 0.25, so the first step is lr·g/|g| = lr·sign(g) = 0.1: "
        "Adam's first step has size lr whatever the gradient's scale."
    ),
    wrong_answers=(
        WrongAnswer("answer = 0.684", "skipped the bias correction"),
        WrongAnswer("answer = 1.1", "Wrong sign"),
        WrongAnswer("answer = 0.95", "one SGD step"),
    ),
)

# --- q4: dropout's expected activation (classic dropout) ---------------------------------------


def _check_classic_dropout(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError(
            "Expected a dict like {'expected_training': ..., 'test_scale': ...}."
        )
    missing = sorted({"expected_training", "test_scale"} - set(answer))
    if missing:
        return incorrect(f"Missing keys: {', '.join(missing)}.")
    result = check_number(
        answer["expected_training"],
        1.2,
        abs_tol=1e-6,
        mistakes={
            2.0: "Without inverted scaling nothing is divided: a unit survives with probability 0.6, so E = 0.6 × 2.",
            0.8: "0.4 is the probability of DROPPING the unit; it is kept with probability 0.6.",
        },
        success="",
    )
    if not result:
        return incorrect(f"expected_training: {result.message}")
    result = check_number(
        answer["test_scale"],
        0.6,
        abs_tol=1e-6,
        mistakes={
            1
            / 0.6: "Dividing by 0.6 at test time is backwards: the test output must MATCH the training average 0.6 × a.",
            0.4: "Scale by the keep probability 0.6, not by the drop rate.",
        },
        success="",
    )
    if not result:
        return incorrect(f"test_scale: {result.message}")
    return correct(
        "Correct: E[training output] = 0.6 × 2 = 1.2, so test time multiplies by 0.6 to match."
    )


q4 = Problem(
    title="Dropout's expected activation (随机失活)",
    statement=(
        "Classic (not inverted) dropout with rate 0.4 (the probability of dropping a unit) keeps "
        "the surviving activations unchanged in training. A unit's activation is 2.0.\n"
        "Give `expected_training`, its expected output during training, and `test_scale`, the "
        "factor by which activations must be multiplied at test time so the next layer sees the "
        "same average."
    ),
    starter="answer = {'expected_training': ..., 'test_scale': ...}",
    solution_code="answer = {'expected_training': 0.6 * 2.0, 'test_scale': 0.6}",
    checker=_check_classic_dropout,
    hints=(
        "The unit is kept with probability 1 − 0.4.",
        "E[out] = P(kept) × 2.0 + P(dropped) × 0.",
    ),
    explanation="E = (1 − 0.4) × 2.0 = 1.2; test time scales every activation by 0.6.",
    wrong_answers=(
        WrongAnswer("answer = {'expected_training': 2.0, 'test_scale': 0.6}", "nothing is divided"),
        WrongAnswer("answer = {'expected_training': 0.8, 'test_scale': 0.6}", "DROPPING"),
        WrongAnswer("answer = {'expected_training': 1.2, 'test_scale': 1 / 0.6}", "backwards"),
        WrongAnswer("answer = 1.2", "Expected a dict"),
    ),
)

# --- q5: inverted dropout's scale -------------------------------------------------------------


def _check_inverted(answer):
    return check_number(
        answer,
        2.0 / 0.6,
        abs_tol=1e-3,
        mistakes={
            2.0
            * 0.6: "That is the classic test-time scaling; inverted dropout DIVIDES the survivors by 1 − rate in training.",
            2.0 / 0.4: "Divide by the keep probability 1 − 0.4 = 0.6, not by the rate.",
            2.0: "Inverted dropout rescales the surviving units during training.",
        },
        success="Correct: 2.0 / 0.6 ≈ 3.333, so E[out] = 0.6 × 3.333 = 2.0 and test time is the identity.",
    )


q5 = Problem(
    title="Inverted dropout: the value of a surviving unit",
    statement=(
        "`keras.layers.Dropout(0.4)` in training mode. A unit's input is 2.0 and it survives. "
        "What value does the layer output for it? (Three decimals.)"
    ),
    starter="answer = ...",
    solution_code="answer = 2.0 / (1 - 0.4)",
    checker=_check_inverted,
    hints=("Keras uses inverted dropout: the scaling happens in training, not at test time.",),
    explanation="Survivors are divided by 1 − rate = 0.6: 2.0 / 0.6 ≈ 3.333; E[out] = 2.0.",
    wrong_answers=(
        WrongAnswer("answer = 1.2", "classic test-time scaling"),
        WrongAnswer("answer = 5.0", "keep probability"),
        WrongAnswer("answer = 2.0", "rescales"),
    ),
)

# --- q6/q7/q8: early stopping and an overfitting curve ----------------------------------------

_VAL_LOSS = [0.90, 0.70, 0.62, 0.63, 0.64, 0.58, 0.57, 0.59, 0.60, 0.61, 0.63, 0.66]
_TRAIN_LOSS = [0.95, 0.66, 0.52, 0.45, 0.39, 0.34, 0.30, 0.26, 0.22, 0.19, 0.16, 0.13]
_TABLE = "\n".join(
    ["| epoch | train loss | val loss |", "|---|---|---|"]
    + [
        f"| {i} | {t:.2f} | {v:.2f} |"
        for i, (t, v) in enumerate(zip(_TRAIN_LOSS, _VAL_LOSS, strict=True), 1)
    ]
)


def _stop_epoch(patience):
    """Epoch (1-based) after which Keras's EarlyStopping(monitor='val_loss', patience) stops."""
    best, wait = math.inf, 0
    for epoch, value in enumerate(_VAL_LOSS, start=1):
        if value < best:
            best, wait = value, 0
        else:
            wait += 1
            if wait >= patience:
                return epoch
    return len(_VAL_LOSS)


def _check_patience(answer):
    value = check_number(answer, 3, integer=True, success="")
    if value:
        return correct(
            "Correct: epochs 4 and 5 do not improve on 0.62, so patience 2 stops after epoch 5; "
            "patience 3 survives the bump and reaches 0.57 at epoch 7."
        )
    number = float(answer)
    if number < 3:
        return incorrect(
            f"With patience {number:g}, training stops after epoch {_stop_epoch(max(int(number), 1))}, "
            "before the validation loss reaches 0.58 at epoch 6."
        )
    return incorrect(
        f"Patience {number:g} works, but it is not the smallest: each extra epoch of patience costs "
        "training time after the best epoch."
    )


q6 = Problem(
    title="Pick a patience (早停法)",
    statement=(
        "The validation loss per epoch is below (the training loss too). You use "
        "`EarlyStopping(monitor='val_loss', patience=p, restore_best_weights=True)`. What is the "
        "**smallest** patience p that lets training reach the lowest validation loss?\n\n" + _TABLE
    ),
    starter="answer = ...",
    solution_code="answer = 3",
    checker=_check_patience,
    hints=(
        "Patience counts consecutive epochs without a new best validation loss.",
        "Find the longest run of non-improving epochs before the best epoch.",
    ),
    explanation="After 0.62 (epoch 3) two epochs do not improve; p = 3 tolerates them and reaches 0.57 at epoch 7.",
    wrong_answers=(
        WrongAnswer("answer = 2", "stops after epoch 5"),
        WrongAnswer("answer = 5", "not the smallest"),
    ),
)


def _check_stop_and_restore(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError("Expected a dict like {'stop': ..., 'restore': ...}.")
    missing = sorted({"stop", "restore"} - set(answer))
    if missing:
        return incorrect(f"Missing keys: {', '.join(missing)}.")
    stop, restore = answer["stop"], answer["restore"]
    if restore == 6:
        return incorrect(
            "Epochs are counted from 1 here: the lowest validation loss 0.57 is at epoch 7."
        )
    if restore == 12:
        return incorrect(
            "That is where the training loss is lowest; early stopping watches the VALIDATION loss."
        )
    if restore != 7:
        return incorrect(
            "restore_best_weights keeps the weights of the epoch with the lowest validation loss."
        )
    if stop == 7:
        return incorrect(
            "Training cannot know epoch 7 is the best until `patience` epochs fail to beat it."
        )
    if stop != 10:
        return incorrect(
            "Count: epochs 8, 9, 10 do not improve on 0.57; with patience 3 it stops after the third."
        )
    return correct("Correct: it stops after epoch 10 and restores the weights of epoch 7.")


q7 = Problem(
    title="Read an overfitting curve: where to stop (过拟合)",
    statement=(
        "Same curves as Problem 6, with patience 3. After which epoch does training stop "
        "(`stop`), and which epoch's weights does the model end with (`restore`)? Epochs count "
        "from 1."
    ),
    starter="answer = {'stop': ..., 'restore': ...}",
    solution_code="answer = {'stop': 10, 'restore': 7}",
    checker=_check_stop_and_restore,
    hints=(
        "Overfitting starts where the validation loss turns up while the training loss keeps falling.",
        "The stop comes `patience` epochs after the last improvement.",
    ),
    explanation="Lowest val loss 0.57 at epoch 7; epochs 8-10 do not improve; stop after 10, restore 7.",
    wrong_answers=(
        WrongAnswer("answer = {'stop': 10, 'restore': 6}", "counted from 1"),
        WrongAnswer("answer = {'stop': 12, 'restore': 12}", "VALIDATION"),
        WrongAnswer("answer = {'stop': 7, 'restore': 7}", "cannot know"),
    ),
)


def _check_gap(answer):
    return check_number(
        answer,
        0.66 - 0.13,
        abs_tol=1e-6,
        mistakes={
            0.13 - 0.66: "The gap is validation minus training loss: positive when overfitting.",
            0.57 - 0.30: "That is the gap at epoch 7; the question asks about the last epoch (12).",
        },
        success="Correct: 0.66 − 0.13 = 0.53, and it keeps widening: a clear sign of overfitting.",
    )


q8 = Problem(
    title="The generalisation gap (泛化差距) at the end",
    statement=(
        "In the curves of Problem 6, what is the gap between validation and training loss after "
        "the last epoch (12)?"
    ),
    starter="answer = ...",
    solution_code="answer = 0.66 - 0.13",
    checker=_check_gap,
    hints=("gap = validation loss − training loss.",),
    explanation="0.66 − 0.13 = 0.53 at epoch 12 (it was 0.27 at epoch 7).",
    wrong_answers=(
        WrongAnswer("answer = -0.53", "positive"),
        WrongAnswer("answer = 0.27", "epoch 7"),
    ),
)

# --- q9: L2 penalty ---------------------------------------------------------------------------

_W = np.array([[0.5, -1.0], [2.0, 0.0]])


def _check_l2(answer):
    total = float(np.sum(_W**2))
    return check_number(
        answer,
        0.01 * total,
        abs_tol=1e-6,
        mistakes={
            0.005 * total: "Keras's L2(l2=0.01) adds 0.01·Σw², without the ½ some textbooks use.",
            0.01
            * float(np.sum(np.abs(_W))): "That is the L1 penalty Σ|w|; L2 squares each weight.",
            0.01
            * float(np.sum(_W)): "Square the weights before adding: negative weights count too.",
            0.01 * math.sqrt(total): "No square root: the penalty is Σw², not the norm ‖w‖.",
        },
        success="Correct: 0.01 × (0.25 + 1 + 4 + 0) = 0.0525 is added to the loss.",
    )


q9 = Problem(
    title="An L2 penalty (权重衰减)",
    statement=(
        "A layer built with `kernel_regularizer=keras.regularizers.L2(0.01)` has the kernel "
        "W = [[0.5, −1.0], [2.0, 0.0]]. How much does the regulariser add to the loss?"
    ),
    starter="answer = ...",
    solution_code="answer = 0.01 * (0.5**2 + 1.0**2 + 2.0**2 + 0.0**2)",
    checker=_check_l2,
    hints=("keras.regularizers.L2(l2) computes l2 · sum(square(W)).",),
    explanation="0.01 × Σw² = 0.01 × 5.25 = 0.0525. Its gradient 2·0.01·w pulls every weight towards 0.",
    wrong_answers=(
        WrongAnswer("answer = 0.02625", "without the ½"),
        WrongAnswer("answer = 0.035", "L1"),
        WrongAnswer("answer = 0.015", "Square the weights"),
    ),
)

# --- q10: choose a learning rate from a range test --------------------------------------------

_RATES = [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0]
_RANGE_LOSS = [2.30, 2.30, 2.10, 1.20, 0.90, 2.80, float("nan")]


# The reasoning: the loss falls fastest between 1e-3 and 1e-1, is lowest at 0.1 and explodes at
# 1. Any rate clearly inside the falling part and clearly below the turning point 0.1 follows
# from it: the usual rules (one tenth of the lowest-loss rate, or the steepest part) give 0.01
# and 0.003-0.03; half of 0.1 still keeps a factor of 20 from the explosion. So 0.003-0.05.
_RATE_RANGE = (0.003, 0.05)


def _check_range_test(answer):
    number = as_number(answer, what="a number (a learning rate such as 1e-2)")
    low, high = _RATE_RANGE
    accepted = f"Accepted: any rate from {low:g} to {high:g}."
    if not math.isfinite(number):
        return incorrect(f"{number} is not a learning rate: give a positive number.")
    if low <= number <= high:
        return correct(
            "Correct: the loss is lowest near 0.1 and explodes at 1; a rate in the steep, falling "
            "part below 0.1 (the usual rule, one tenth of 0.1, gives 0.01) is fast and still "
            f"stable. {accepted}"
        )
    if number <= 0:
        return incorrect("A learning rate is positive: it scales the step downhill.")
    if math.isclose(number, 0.1):
        return incorrect(
            "0.1 is where the loss is lowest while the rate keeps rising; right after it the loss "
            "blows up. Take a rate well below it, in the steep, falling part."
        )
    if number >= 1:
        return incorrect("At this rate the loss has already exploded (diverged).")
    if number > high:
        return incorrect(
            "Too close to 0.1, where the loss stops falling and soon explodes: stay well below it."
        )
    if number <= 1e-3:
        return incorrect(
            "Too small: at this rate the loss has barely started to fall; training would crawl."
        )
    return incorrect(
        "A little too small: the loss is only starting to fall here. Pick a rate in the steep, "
        "falling part."
    )


q10 = Problem(
    title="Choose a learning rate from a range test (学习率)",
    statement=(
        "A learning-rate range test raised the rate every few batches and recorded the loss:\n\n"
        "| learning rate | 1e-5 | 1e-4 | 1e-3 | 1e-2 | 1e-1 | 1 | 10 |\n"
        "|---|---|---|---|---|---|---|---|\n"
        "| loss | 2.30 | 2.30 | 2.10 | 1.20 | 0.90 | 2.80 | nan |\n\n"
        "Which learning rate would you train with? Assign a number to `answer`. Every rate that "
        "this reasoning supports is accepted: a rate in the steep, falling part of the curve and "
        "well below the rate with the lowest loss "
        f"(the check accepts {_RATE_RANGE[0]:g} to {_RATE_RANGE[1]:g})."
    ),
    starter="answer = ...",
    solution_code="answer = 0.01",
    checker=_check_range_test,
    hints=(
        "Find the rate with the lowest loss, and where the loss explodes.",
        "A common rule: one tenth of the rate at the lowest loss.",
    ),
    explanation=(
        "Lowest loss at 0.1, explosion at 1: train with about 0.01 (one tenth of 0.1). Anything "
        f"from {_RATE_RANGE[0]:g} to {_RATE_RANGE[1]:g} follows from the same reasoning and is accepted."
    ),
    wrong_answers=(
        WrongAnswer("answer = 0.1", "well below it"),
        WrongAnswer("answer = 0.08", "Too close to 0.1"),
        WrongAnswer("answer = 1.0", "exploded"),
        WrongAnswer("answer = 1e-5", "Too small"),
        WrongAnswer("answer = 'auto'", "Expected a number"),
    ),
)


# --- q11: IoU of two boxes --------------------------------------------------------------------


def _check_iou(answer):
    from cnnkit.scratch.box_losses import iou

    expected = iou((0, 0, 4, 4), (2, 2, 6, 6))  # 4 / 28 = 1/7
    return check_number(
        answer,
        expected,
        abs_tol=1e-4,
        mistakes={
            4 / 32: "You divided by the sum of the two areas: the overlap is counted twice. "
            "The union is 16 + 16 - 4 = 28.",
            4 / 16: "That is the overlap over ONE box's area; IoU divides by the union of both.",
            4
            / 36: "36 is the area of the enclosing box C (GIoU uses it); IoU divides by the union.",
            2 / 28: "The overlap is a 2 x 2 square: its area is 4, not its side 2.",
        },
        success="Correct: intersection 2 x 2 = 4, union 16 + 16 - 4 = 28, IoU = 4/28 ≈ 0.143.",
    )


q11 = Problem(
    title="IoU of two boxes (交并比)",
    statement=(
        "A detector predicts the box B = (0, 0, 4, 4) for an object whose target box is "
        "G = (2, 2, 6, 6) (corners x1, y1, x2, y2). What is their IoU? Would the detection count "
        "as correct at the usual threshold IoU ≥ 0.5?"
    ),
    starter="answer = ...",
    solution_code="answer = (2 * 2) / (4 * 4 + 4 * 4 - 2 * 2)",
    checker=_check_iou,
    hints=(
        "The intersection is the overlap rectangle: from (2, 2) to (4, 4).",
        "|B ∪ G| = |B| + |G| - |B ∩ G|.",
    ),
    explanation="IoU = 4 / 28 ≈ 0.143 < 0.5: the detection does not count. `cnnkit.scratch.box_losses.iou` computes it.",
    wrong_answers=(
        WrongAnswer("answer = 4 / 32", "counted twice"),
        WrongAnswer("answer = 4 / 16", "ONE box"),
        WrongAnswer("answer = 4 / 36", "enclosing box"),
    ),
)

# --- q12: triplet loss ------------------------------------------------------------------------


def _check_triplet(answer):
    from cnnkit.scratch.embedding_losses import triplet_loss

    expected = float(triplet_loss([[0.0, 0.0]], [[0.3, 0.4]], [[0.6, 0.0]], margin=0.2)[0])
    return check_number(
        answer,
        expected,
        abs_tol=1e-6,
        mistakes={
            0.5 - 0.6 + 0.2: "FaceNet's triplet loss compares SQUARED distances: 0.25 and 0.36, "
            "not 0.5 and 0.6.",
            0.36 - 0.25 + 0.2: "The order is ‖a - p‖² - ‖a - n‖² + m: the positive distance comes "
            "first, so a far negative makes the loss smaller.",
            0.0: "Without the margin the loss would be 0, but the margin m = 0.2 must be added "
            "before the max(·, 0): the negative is not yet far enough.",
            0.25 - 0.36 - 0.2: "Add the margin, and then take max(·, 0).",
        },
        success="Correct: 0.25 - 0.36 + 0.2 = 0.09 > 0, so this triplet still costs.",
    )


q12 = Problem(
    title="A triplet loss (三元组损失)",
    statement=(
        "Embeddings: anchor a = (0, 0), positive p = (0.3, 0.4) (same person), negative "
        "n = (0.6, 0) (another person). With margin m = 0.2, what is the triplet loss "
        "max(‖a - p‖² - ‖a - n‖² + m, 0)?"
    ),
    starter="answer = ...",
    solution_code="answer = max((0.3**2 + 0.4**2) - (0.6**2 + 0.0**2) + 0.2, 0.0)",
    checker=_check_triplet,
    hints=(
        "‖a - p‖² = 0.3² + 0.4² and ‖a - n‖² = 0.6².",
        "Add the margin before clipping at 0.",
    ),
    explanation="0.25 - 0.36 + 0.2 = 0.09: the negative is farther than the positive, but not by the margin.",
    wrong_answers=(
        WrongAnswer("answer = 0.1", "SQUARED"),
        WrongAnswer("answer = 0.31", "positive distance comes first"),
        WrongAnswer("answer = 0", "margin m = 0.2 must be added"),
    ),
)

# --- q13: smooth L1 ---------------------------------------------------------------------------


def _check_smooth_l1(answer):
    from cnnkit.scratch.box_losses import smooth_l1_loss

    expected = smooth_l1_loss([0.0, 0.0], [0.5, 3.0], beta=1.0)
    return check_number(
        answer,
        expected,
        abs_tol=1e-6,
        mistakes={
            (0.25 + 9)
            / 2
            / 2: "That is half the L2 loss for both errors; beyond |d| = β smooth L1 "
            "is linear: |d| - β/2 = 2.5 for d = 3.",
            (0.5 + 3.0) / 2: "That is the L1 loss; below |d| = β smooth L1 is quadratic: "
            "0.5² / 2 = 0.125 for d = 0.5.",
            0.125 + 2.5: "Right terms, but Keras-style losses average over the coordinates: "
            "divide the sum by 2.",
        },
        success="Correct: (0.5²/2 + (3 - 0.5)) / 2 = (0.125 + 2.5) / 2 = 1.3125.",
    )


q13 = Problem(
    title="Smooth L1 box regression (平滑L1损失)",
    statement=(
        "A box regressor predicts offsets (0.5, 3.0) where the targets are (0, 0). With β = 1, "
        "smooth L1 is d²/(2β) for |d| < β and |d| - β/2 otherwise, averaged over the coordinates. "
        "What is the loss?"
    ),
    starter="answer = ...",
    solution_code="answer = (0.5**2 / 2 + (3.0 - 0.5)) / 2",
    checker=_check_smooth_l1,
    hints=(
        "d = 0.5 is below β: use the quadratic branch. d = 3 is above: use the linear one.",
        "Average the two terms.",
    ),
    explanation="(0.125 + 2.5) / 2 = 1.3125. The large error counts linearly, so one outlier cannot dominate.",
    wrong_answers=(
        WrongAnswer("answer = 2.3125", "linear"),
        WrongAnswer("answer = 1.75", "quadratic"),
        WrongAnswer("answer = 2.625", "divide the sum by 2"),
    ),
)


CHAPTER = Chapter(
    number=7,
    slug="07_overfitting_optimizers",
    title="Overfitting and optimizers (过拟合与优化算法)",
    introduction=(
        "Practice for `notebooks/07_overfitting_optimizers.ipynb`: momentum and Adam updates, "
        "dropout's scaling, early stopping, reading overfitting curves, L2 penalties, "
        "choosing a learning rate, IoU, triplet loss and smooth L1."
    ),
    preamble="import numpy as np",
    problems=[q1, q2, q3, q4, q5, q6, q7, q8, q9, q10, q11, q12, q13],
)
