"""Analysis questions (分析设计题, analysis part): read training curves and choose remedies
(:func:`training_curves`), find the bug in a network or a training loop (:func:`find_the_bug`),
read a parameter table (:func:`parameter_table`).

Each answer has several parts, each marked on its own with its own message (partial credit
``parts right / parts``, see :func:`cnnkit.review.topics.design.constraint_report`). The
network bugs and the parameter table are checked on real Keras models; the curves' diagnosis
is recomputed from the numbers by an independent rule, the loop bug by running the loop in NumPy.
"""

from __future__ import annotations

import random
import warnings

from cnnkit.exercises.core import StudentCodeError
from cnnkit.review import sections
from cnnkit.review.problem import LETTERS, Draft, Source
from cnnkit.review.topics._checks import _as_int, _as_shape, _fmt_shape, _keras, _x, bounded_items
from cnnkit.review.topics.design import Constraint, _checker, constraint_report

GRADIENT_DESCENT = Source(sections.BASICS, "9. Gradient descent (梯度下降)")
PARTS = "parts are right"


def _fails(number: int, text: str) -> Constraint:
    return Constraint(number, False, f"Part {number} wrong: {text}")


def _holds(number: int, text: str) -> Constraint:
    return Constraint(number, True, text)


def _letter(answer, count: int, what: str) -> str:
    if isinstance(answer, str) and answer.strip().upper()[:1] in LETTERS[:count]:
        if len(answer.strip()) == 1:
            return answer.strip().upper()
    if isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < count:
        return LETTERS[answer]
    raise StudentCodeError(
        f"{what} is one letter from A to {LETTERS[count - 1]}; got {str(answer)[:30]!r}."
    )


def _pair(answer, what: str):
    if isinstance(answer, dict) or isinstance(answer, (str, bytes)):
        raise StudentCodeError(f"Answer with a pair {what}; got {str(answer)[:40]!r}.")
    # Length checked before any item is read: range(10**9) must not become a list.
    items = bounded_items(answer, f"a pair {what}", limit=2)
    if len(items) != 2:
        raise StudentCodeError(f"Answer with a pair {what}; got {len(items)} items.")
    return items


def _analysis_draft(statement, answer, solution, check, verify, data, source) -> Draft:
    return Draft(statement, answer, solution, check, verify, data, kind="design", source=source)


# --------------------------------------------------------------------------- 1. curves

_DIAGNOSES = (
    "overfitting (过拟合): the network memorises the training set",
    "underfitting (欠拟合): the network is too weak or trained too little",
    "the learning rate (学习率) is too high: the loss jumps or diverges",
    "nothing is wrong: keep the model as it is",
)
_SCENARIOS = ("overfitting", "underfitting", "learning_rate")
#: (remedy, scenarios it helps)
_REMEDIES = (
    ("add dropout or L2 weight decay (权重衰减)", {"overfitting"}),
    ("data augmentation (数据增强) or more training data", {"overfitting"}),
    ("early stopping (早停法) with the best weights restored", {"overfitting"}),
    ("a larger network (more filters or layers)", {"underfitting"}),
    ("train for more epochs", {"underfitting"}),
    ("lower the learning rate, or a decay schedule (学习率衰减)", {"learning_rate"}),
    ("raise the learning rate tenfold", set()),
    ("lower the dropout rate and the L2 factor the model already uses", {"underfitting"}),
)


def _curves(rng: random.Random, scenario: str, epochs: int):
    train, val = [], []
    if scenario == "overfitting":
        turn = rng.randint(3, epochs - 4)
        for e in range(epochs):
            t = 1.6 * 0.72**e + 0.02
            v = (1.7 * 0.78**e + 0.25) if e <= turn else val[-1] + rng.uniform(0.05, 0.12)
            train.append(t)
            val.append(v)
    elif scenario == "underfitting":
        level = rng.uniform(1.2, 1.6)
        for e in range(epochs):
            t = level + 0.6 * 0.8**e  # still falling slowly: too weak, or stopped too soon
            train.append(t)
            val.append(t + rng.uniform(0.0, 0.05))
    else:
        t = rng.uniform(1.8, 2.3)
        for e in range(epochs):
            train.append(t)
            val.append(t + rng.uniform(0.05, 0.3))
            # each up-down pair grows (1.3 × 0.8 > 1): the steps overshoot and the loss climbs
            t *= rng.uniform(1.3, 1.6) if e % 2 == 0 else rng.uniform(0.8, 0.95)
    return [round(x, 2) for x in train], [round(x, 2) for x in val]


def diagnose(train, val) -> str:
    """The rule a marker applies to the curves (independent of how they were drawn):
    a training loss that ends above where it started -> learning rate too high; a validation
    minimum well before the end while the training loss keeps falling -> overfitting; a final
    training loss above 1 with a small gap -> underfitting; otherwise none."""
    rises = sum(train[i + 1] > train[i] for i in range(len(train) - 1))
    if train[-1] >= train[0] or rises >= len(train) // 3:
        return "learning_rate"
    best = min(range(len(val)), key=val.__getitem__)
    if best <= len(val) - 3 and val[-1] > val[best] + 0.1 and train[-1] < train[best]:
        return "overfitting"
    if train[-1] > 1.0 and abs(val[-1] - train[-1]) < 0.2:
        return "underfitting"
    return "none"


def _remedy_numbers(answer, count: int) -> set[int]:
    if isinstance(answer, str):  # "1, 3" or "1 3": the numbers a student types
        parts = [p for p in answer.replace(",", " ").split() if p]
        if not all(p.isdigit() for p in parts):
            raise StudentCodeError(
                f"The remedies are numbers such as [1, 3] or '1, 3'; got {answer[:30]!r}."
            )
        parts = [int(p) for p in parts]
    elif isinstance(answer, int) and not isinstance(answer, bool):
        parts = [answer]
    else:
        parts = bounded_items(answer, "a list of remedy numbers such as [1, 3]", limit=count)
    numbers = {_as_int(p, "each remedy number") for p in parts}
    outside = sorted(n for n in numbers if not 1 <= n <= count)
    if outside:
        raise StudentCodeError(f"Remedy numbers go from 1 to {count}; {outside} is not one.")
    return numbers


def training_curves(rng: random.Random) -> Draft:
    """Diagnose a run from its loss table, then choose every remedy that helps."""
    scenario = rng.choice(_SCENARIOS)
    epochs = rng.choice([10, 12])
    train, val = _curves(rng, scenario, epochs)
    remedies = list(_REMEDIES)
    rng.shuffle(remedies)
    right_letter = LETTERS[_SCENARIOS.index(scenario)]
    helpful = {i + 1 for i, (_, helps) in enumerate(remedies) if scenario in helps}
    table = "\n".join(
        f"| {e + 1} | {t:.2f} | {v:.2f} |" for e, (t, v) in enumerate(zip(train, val, strict=True))
    )
    statement = (
        "A CNN with dropout 0.2 and a small L2 factor was trained; its losses per epoch (轮):\n\n"
        "| epoch | training loss | validation loss |\n|---|---|---|\n"
        f"{table}\n\nDiagnosis:\n"
        + "\n".join(f"- **{LETTERS[i]}.** {d}" for i, d in enumerate(_DIAGNOSES))
        + "\n\nRemedies:\n"
        + "\n".join(f"{i + 1}. {r}" for i, (r, _) in enumerate(remedies))
        + "\n\nAnswer with a pair (diagnosis letter, list of every remedy that helps), e.g. "
        '("A", [2, 5]). Each part is marked on its own.'
    )
    reasons = {
        "overfitting": "the training loss keeps falling while the validation loss reaches its "
        "minimum and then rises: the gap is memorisation",
        "underfitting": "both losses stay high and close together: the model cannot even fit "
        "the training set",
        "learning_rate": "the training loss does not fall steadily; it jumps up and ends above "
        "where it started: the steps overshoot",
    }
    solution = (
        f"Diagnosis {right_letter}: {reasons[scenario]}.\n\nRemedies that help: "
        + ", ".join(f"{n} ({remedies[n - 1][0]})" for n in sorted(helpful))
        + f".\n\n**Answer:** ({right_letter!r}, {sorted(helpful)})"
    )
    answer = (right_letter, sorted(helpful))

    def grade(given) -> list[Constraint]:
        diagnosis, chosen = _pair(given, "(diagnosis letter, [remedy numbers])")
        letter = _letter(diagnosis, len(_DIAGNOSES), "The diagnosis")
        numbers = _remedy_numbers(chosen, len(remedies))
        wrong_letter_notes = {
            "A": "overfitting shows a validation loss that rises while the training loss falls.",
            "B": "underfitting shows both losses high and flat; here they are not.",
            "C": "a too-high learning rate makes the training loss jump up; here it does not.",
            "D": "these curves show a problem; compare the two columns epoch by epoch.",
        }
        first = (
            _holds(1, f"diagnosis {letter}")
            if letter == right_letter
            else _fails(1, wrong_letter_notes[letter])
        )
        harmful = sorted(numbers - helpful)
        missing = sorted(helpful - numbers)
        second = (
            _holds(2, "every chosen remedy helps")
            if not harmful
            else _fails(
                2, f"remedy {harmful[0]} ({remedies[harmful[0] - 1][0]}) does not help here."
            )
        )
        third = (
            _holds(3, "no helpful remedy left out")
            if not missing
            else _fails(3, f"{len(missing)} remedy(ies) that help are missing.")
        )
        return [first, second, third]

    check = _checker(grade, PARTS)
    wrong_scenario = _SCENARIOS[(_SCENARIOS.index(scenario) + 1) % 3]
    check.typical_mistake = (
        LETTERS[_SCENARIOS.index(wrong_scenario)],
        sorted(i + 1 for i, (_, h) in enumerate(remedies) if wrong_scenario in h),
    )

    def verify():
        agrees = diagnose(train, val) == scenario and check(answer).status == "correct"
        return agrees, diagnose(train, val)

    data = dict(scenario=scenario, train=train, val=val)
    return _analysis_draft(statement, answer, solution, check, verify, data, sections.REMEDIES)


# --------------------------------------------------------------------------- 2. find the bug

_FIXES = {
    "units": 'make the output layer Dense({classes}, activation="softmax")',
    "activation": 'give the output layer activation="softmax"',
    "flatten": "put keras.layers.Flatten() before the Dense layer",
    "loss": 'use loss="sparse_categorical_crossentropy" for integer labels',
    "sign": "subtract the step: w = w - learning_rate * gradient",
    "distractor_pool": "use average pooling instead of max pooling",
    "distractor_lr": "raise the learning rate",
    "distractor_kernel": "use 5×5 kernels instead of 3×3",
}


def _network_lines(shape, classes, bug):
    out_units = classes if bug != "units" else classes - 1
    out_act = "softmax" if bug != "activation" else "relu"
    lines = [
        "model = keras.Sequential([",
        f"    keras.Input({shape}),",
        '    keras.layers.Conv2D(16, 3, activation="relu"),',
        "    keras.layers.MaxPooling2D(2),",
        '    keras.layers.Conv2D(32, 3, activation="relu"),',
        "    keras.layers.MaxPooling2D(2),",
        "    keras.layers.Flatten()," if bug != "flatten" else "    keras.layers.Dropout(0.3),",
        f'    keras.layers.Dense({out_units}, activation="{out_act}"),',
        "])",
        'model.compile(optimizer="adam", loss='
        + ('"categorical_crossentropy"' if bug == "loss" else '"sparse_categorical_crossentropy"')
        + ', metrics=["accuracy"])',
        "model.fit(x_train, y_train, epochs=10, batch_size=64)",
    ]
    bug_line = {"units": 8, "activation": 8, "flatten": 7, "loss": 10}[bug]
    return lines, bug_line


def _network_model(shape, classes, bug):
    """The network of the listing, built by Keras (the bug included)."""
    keras = _keras()
    layers = keras.layers
    out_units = classes if bug != "units" else classes - 1
    return keras.Sequential(
        [
            keras.Input(shape),
            layers.Conv2D(16, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(32, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten() if bug != "flatten" else layers.Dropout(0.3),
            layers.Dense(out_units, activation="softmax" if bug != "activation" else "relu"),
        ]
    )


def _symptom(shape, classes, bug) -> bool:
    """Keras shows the bug: a wrong output shape, outputs that are not probabilities, or a loss
    that refuses integer labels; and the listing without the bug has none of these."""
    import numpy as np

    keras = _keras()
    model = _network_model(shape, classes, bug)
    x = np.random.default_rng(0).normal(size=(4, *shape)).astype("float32")
    out = keras.ops.convert_to_numpy(model(x))
    if bug == "units" or bug == "flatten":
        return tuple(out.shape[1:]) != (classes,)
    if bug == "activation":
        return not np.allclose(out.sum(axis=-1), 1.0, atol=1e-4)
    labels = np.array([0, 1, 2, 3])
    try:
        keras.losses.CategoricalCrossentropy()(labels, out)
    except Exception:  # the shapes (4,) and (4, classes) do not match: the bug shows
        return True
    return False


def _loop_lines():
    return [
        "w = np.zeros(x.shape[1])",
        "for epoch in range(100):",
        "    predictions = x @ w",
        "    gradient = 2 * x.T @ (predictions - y) / len(y)",
        "    w = w + learning_rate * gradient",
    ], 5


def _loop_symptom() -> bool:
    """Run the loop in NumPy: with '+' the MSE grows, with '-' it falls."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.normal(size=(32, 3))
    y = x @ np.array([1.0, -2.0, 0.5])

    def final_loss(sign):
        w = np.zeros(3)
        for _ in range(20):
            w = w + sign * 0.05 * 2 * x.T @ (x @ w - y) / len(y)
        return float(np.mean((x @ w - y) ** 2))

    start = float(np.mean(y**2))
    return final_loss(+1) > start > final_loss(-1)


def find_the_bug(rng: random.Random) -> Draft:
    """One bug in a Keras network listing or a NumPy gradient-descent loop: its line and fix."""
    bug = rng.choice(["units", "activation", "flatten", "loss", "sign"])
    shape = rng.choice([(28, 28, 1), (32, 32, 3)])
    classes = rng.choice([10, 5, 20])
    if bug == "sign":
        lines, bug_line = _loop_lines()
        goal = (
            "This NumPy loop should fit a linear model y ≈ x·w by gradient descent on the mean "
            "squared error, but the loss grows every epoch."
        )
    else:
        lines, bug_line = _network_lines(shape, classes, bug)
        goal = (
            f"This network should classify {_x(*shape)} images into {classes} classes; "
            f"y_train holds integer labels 0 to {classes - 1}. It has exactly one bug."
        )
    fixes = [bug, *rng.sample(["distractor_pool", "distractor_lr", "distractor_kernel"], 2)]
    others = [b for b in ("units", "activation", "flatten", "loss") if b != bug]
    fixes.append(rng.choice(others))
    rng.shuffle(fixes)
    fix_letter = LETTERS[fixes.index(bug)]
    listing = "\n".join(f"{i:>2}  {line}" for i, line in enumerate(lines, 1))
    statement = (
        f"Find the bug (分析题). {goal}\n\n```text\n{listing}\n```\n\nFixes:\n"
        + "\n".join(
            f"- **{LETTERS[i]}.** {_FIXES[f].format(classes=classes)}" for i, f in enumerate(fixes)
        )
        + '\n\nAnswer with a pair (line number of the bug, letter of its fix), e.g. (4, "B").'
    )
    why = {
        "units": f"the output layer has the wrong number of units: Keras gives an output that is "
        f"not (None, {classes}), one probability per class",
        "activation": "ReLU outputs are not probabilities (they do not sum to 1); the "
        "cross-entropy needs softmax",
        "flatten": "without Flatten the Dense layer acts at every position: Keras gives a "
        "4-D output (None, h, w, classes) instead of (None, classes)",
        "loss": "categorical_crossentropy expects one-hot labels; integer labels need "
        "sparse_categorical_crossentropy (Keras refuses the shapes)",
        "sign": "gradient descent moves against the gradient; adding the step climbs the loss",
    }
    solution = (
        f"Line {bug_line}: {why[bug]}. Fix {fix_letter}: {_FIXES[bug].format(classes=classes)}."
        f"\n\n**Answer:** ({bug_line}, {fix_letter!r})"
    )
    answer = (bug_line, fix_letter)

    def grade(given) -> list[Constraint]:
        line, fix = _pair(given, "(line number, fix letter)")
        number = _as_int(line, "the line number")
        letter = _letter(fix, len(fixes), "The fix")
        if not 1 <= number <= len(lines):
            raise StudentCodeError(f"Lines go from 1 to {len(lines)}; {number} is not one.")
        first = (
            _holds(1, f"line {number}")
            if number == bug_line
            else _fails(1, f"line {number} is fine; run each line in your head with the shapes.")
        )
        second = (
            _holds(2, f"fix {letter}")
            if letter == fix_letter
            else _fails(2, f"fix {letter} does not repair what goes wrong.")
        )
        return [first, second]

    check = _checker(grade, PARTS)
    check.typical_mistake = (bug_line - 1, LETTERS[(fixes.index(bug) + 1) % len(fixes)])

    def verify():
        shown = _loop_symptom() if bug == "sign" else _symptom(shape, classes, bug)
        if bug != "sign":  # the listing's other lines are right: Keras builds a sound model
            import numpy as np

            keras = _keras()
            sound = _network_model(shape, classes, "none")
            out = keras.ops.convert_to_numpy(sound(np.zeros((1, *shape), "float32")))
            shown = shown and out.shape == (1, classes) and abs(out.sum() - 1) < 1e-4
        return shown and check(answer).status == "correct", shown

    data = dict(bug=bug, shape=shape, classes=classes)
    source = GRADIENT_DESCENT if bug == "sign" else sections.TYPICAL_STACK
    return _analysis_draft(statement, answer, solution, check, verify, data, source)


# --------------------------------------------------------------------------- 3. a parameter table


def parameter_table(rng: random.Random) -> Draft:
    """A ck.explain-style table of a real Keras model with three cells to fill in."""
    from cnnkit import formulas

    keras = _keras()
    size = rng.choice([28, 32, 36])
    channels = 1 if size == 28 else 3
    f1, k1 = rng.choice([6, 8, 16]), rng.choice([3, 5])
    f2 = rng.choice([16, 32])
    units, classes = rng.choice([32, 64, 120]), rng.choice([10, 5])
    layers = keras.layers
    model = keras.Sequential(
        [
            keras.Input((size, size, channels)),
            layers.Conv2D(f1, k1, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Conv2D(f2, 3, activation="relu"),
            layers.MaxPooling2D(2),
            layers.Flatten(),
            layers.Dense(units, activation="relu"),
            layers.Dense(classes, activation="softmax"),
        ]
    )
    rows = [
        (type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params())
        for layer in model.layers
    ]
    # The same table by the course's arithmetic (no Keras): what the blanks are checked against.
    with warnings.catch_warnings():  # an odd size floors: expected here, not news
        warnings.simplefilter("ignore")
        s1 = formulas.conv_output_size(size, k1)
        p1 = formulas.pool_output_size(s1, 2)
        s2 = formulas.conv_output_size(p1, 3)
        p2 = formulas.pool_output_size(s2, 2)
    flat = p2 * p2 * f2
    by_hand = [
        ("Conv2D", (s1, s1, f1), formulas.conv_params(k1, channels, f1)),
        ("MaxPooling2D", (p1, p1, f1), 0),
        ("Conv2D", (s2, s2, f2), formulas.conv_params(3, f1, f2)),
        ("MaxPooling2D", (p2, p2, f2), 0),
        ("Flatten", (flat,), 0),
        ("Dense", (units,), formulas.dense_params(flat, units)),
        ("Dense", (classes,), formulas.dense_params(units, classes)),
    ]
    blanks = {"a": (2, "parameters"), "b": (3, "shape"), "c": (5, "parameters")}
    if rng.random() < 0.5:
        blanks = {"a": (0, "parameters"), "b": (4, "shape"), "c": (5, "parameters")}
    expected = {
        key: (rows[row][2] if column == "parameters" else rows[row][1])
        for key, (row, column) in blanks.items()
    }
    mistakes = {
        2: {rows[2][2] - f2: "forgot the biases: one per filter, K."},
        0: {rows[0][2] - f1: "forgot the biases: one per filter, K."},
        5: {
            rows[5][2] - units: "forgot the biases: one per unit.",
            (s2 * s2 * f2) * units + units: "Flatten comes after the last pooling: use its size.",
        },
        3: {},
        4: {},
    }
    cells = []
    for index, (name, shape, params) in enumerate(rows):
        shape_cell, param_cell = _fmt_shape(shape), f"{params:,}"
        for key, (row, column) in blanks.items():
            if row == index and column == "shape":
                shape_cell = f"**({key})**"
            if row == index and column == "parameters":
                param_cell = f"**({key})**"
        cells.append(f"| {index + 1} | {name} | {shape_cell} | {param_cell} |")
    statement = (
        f"Read the layer table (层表) of a CNN on {_x(size, size, channels)} images "
        f"(convolutions {k1}×{k1} then 3×3, 'valid' padding; 2×2 max pooling):\n\n"
        "| # | layer | output shape | parameters |\n|---|---|---|---|\n"
        + "\n".join(cells)
        + f"\n\nTotal: {model.count_params():,} parameters. Fill in the blanks: answer with a "
        'dict {"a": ..., "b": ..., "c": ...} (a shape as a tuple). Each blank is marked on its own.'
    )
    solution = (
        f"Conv 1: {k1}·{k1}·{channels}·{f1} + {f1} = {rows[0][2]:,}; output {s1}×{s1}×{f1}. "
        f"Pool: {p1}. Conv 2: 3·3·{f1}·{f2} + {f2} = {rows[2][2]:,}; output {s2}. Pool: {p2}. "
        f"Flatten: {p2}·{p2}·{f2} = {flat}. Dense: {flat}·{units} + {units} = {rows[5][2]:,}."
        f"\n\n**Answer:** {expected!r}"
    )

    def grade(given) -> list[Constraint]:
        if isinstance(given, dict):
            missing = [k for k in blanks if k not in given]
            if missing:
                raise StudentCodeError(f'Give every blank: {missing} missing, e.g. {{"a": 456}}.')
            values = [given[k] for k in blanks]
        elif isinstance(given, (list, tuple)) and len(given) == len(blanks):
            values = list(given)
        else:
            raise StudentCodeError(
                'Answer with a dict {"a": ..., "b": ..., "c": ...}; got '
                f"{type(given).__name__} {str(given)[:40]!r}."
            )
        result = []
        for number, ((key, (row, column)), value) in enumerate(
            zip(blanks.items(), values, strict=True), 1
        ):
            want = expected[key]
            got = _as_shape(value) if column == "shape" else _as_int(value, f"blank ({key})")
            if got == want:
                result.append(Constraint(number, True, f"({key}) right"))
                continue
            note = mistakes.get(row, {}).get(got) if column == "parameters" else None
            if note is None and column == "shape":
                note = (
                    "pooling keeps the depth and halves (floors) the size."
                    if row == 3
                    else "Flatten multiplies height × width × depth."
                )
            result.append(
                Constraint(
                    number,
                    False,
                    f"Blank ({key}) wrong: {note or 'recount with F·F·D1·K + K or N_in·N_out + N_out.'}",
                )
            )
        return result

    def check(given):
        return constraint_report(grade(given), PARTS)

    check.grade = grade
    first_row = blanks["a"][0]
    check.typical_mistake = {
        "a": next(iter(mistakes[first_row]), expected["a"] + 1),
        "b": expected["b"],
        "c": expected["c"],
    }

    def verify():
        agrees = [(n, s, p) for n, s, p in rows] == by_hand
        return agrees and check(expected).status == "correct", rows

    data = dict(size=size, f1=f1, k1=k1, f2=f2, units=units, classes=classes)
    return _analysis_draft(statement, expected, solution, check, verify, data, sections.LENET)
