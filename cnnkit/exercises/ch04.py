"""Chapter 04 exercises: classic CNNs. The one source of the generated notebooks.

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
    as_shape,
    call_student,
    check_number,
    correct,
    fresh_generator,
    incorrect,
)

# --- q1: LeNet-5's table ----------------------------------------------------------------------

_LENET = {
    "C1": ((28, 28, 6), 156),
    "S2": ((14, 14, 6), 12),
    "C3": ((10, 10, 16), 1516),
    "S4": ((5, 5, 16), 32),
    "C5": ((1, 1, 120), 48120),
    "F6": ((84,), 10164),
}
_LENET_MISTAKES = {
    ("C1", 150): "C1: 5×5×1×6 = 150 weights, plus one bias per map.",
    (
        "S2",
        0,
    ): "S2 in the paper is a *trainable* subsampling: one coefficient and one bias per map.",
    ("S2", 6): "S2 has one coefficient AND one bias per map.",
    (
        "C3",
        2416,
    ): "C3 is not fully connected: its table connects 60 (S2 map, C3 map) pairs of 5×5 weights, plus biases.",
    ("C3", 1500): "C3: 25×60 = 1,500 weights plus one bias per map (16 maps).",
    ("S4", 0): "S4 is trainable like S2: a coefficient and a bias per map.",
    ("C5", 48000): "C5: 5×5×16×120 = 48,000 weights plus 120 biases.",
    ("F6", 10080): "F6: 120×84 weights plus one bias per unit.",
}


def _check_lenet_table(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError(
            "Expected a dict like {'C1': ((height, width, channels), parameters), ...}."
        )
    missing = [name for name in _LENET if name not in answer]
    if missing:
        return incorrect(f"Missing layers: {', '.join(missing)}.")
    for name, (shape, count) in _LENET.items():
        entry = answer[name]
        if not isinstance(entry, (list, tuple)) or len(entry) != 2:
            raise StudentCodeError(f"{name}: give (output shape, parameters), got {entry!r}.")
        given_shape = as_shape(entry[0])
        given_count = as_integer(entry[1], what=f"{name}'s parameter count (an integer)")
        if given_shape != shape:
            if name == "C1" and given_shape == (32, 32, 6):
                return incorrect("C1 is a 5×5 'valid' convolution: the size shrinks by F - 1.")
            return incorrect(
                f"{name}: {given_shape} is not its output shape; apply (W - F + 2P)/S + 1 to the "
                "layer before it."
            )
        if given_count != count:
            message = _LENET_MISTAKES.get((name, given_count))
            return incorrect(
                message or f"{name}: {given_count} is not its parameter count; recount its terms."
            )
    return correct(
        "Correct: 156 + 12 + 1,516 + 32 + 48,120 + 10,164 = 60,000 before the output layer."
    )


q1 = Problem(
    title="LeNet-5's table (the 1998 paper)",
    statement=(
        "Fill in the output shape and the trainable parameters of each layer of the paper's LeNet-5 "
        "on a 32×32×1 input: C1 (6 maps, 5×5), S2 (trainable 2×2 subsampling: one coefficient "
        "and one bias per map), C3 (16 maps, 5×5, the paper's table connects 60 (S2, C3) map "
        "pairs), S4, C5 (120 maps, 5×5) and F6 (84 units). Check with "
        "`ck.explain(ck.models.lenet5_1998())`."
    ),
    starter=(
        "# each entry: (output shape, parameters), e.g. 'C1': ((height, width, channels), count)\n"
        "answer = {'C1': ..., 'S2': ..., 'C3': ..., 'S4': ..., 'C5': ..., 'F6': ...}"
    ),
    solution_code=(
        "answer = {\n"
        "    'C1': ((28, 28, 6), 5 * 5 * 1 * 6 + 6),\n"
        "    'S2': ((14, 14, 6), 2 * 6),\n"
        "    'C3': ((10, 10, 16), 5 * 5 * 60 + 16),\n"
        "    'S4': ((5, 5, 16), 2 * 16),\n"
        "    'C5': ((1, 1, 120), 5 * 5 * 16 * 120 + 120),\n"
        "    'F6': ((84,), 120 * 84 + 84),\n"
        "}"
    ),
    checker=_check_lenet_table,
    hints=(
        "A 5×5 'valid' convolution shrinks each side by 4; a 2×2 subsampling halves it.",
        "C3 has one 5×5 kernel per connection in the table (60) and one bias per map (16).",
    ),
    explanation=(
        "C1 5×5×6 + 6 = 156; S2 2×6 = 12; C3 25×60 + 16 = 1,516; S4 2×16 = 32; "
        "C5 25×16×120 + 120 = 48,120; F6 120×84 + 84 = 10,164."
    ),
    wrong_answers=(
        WrongAnswer(
            "answer = {'C1': ((28, 28, 6), 156), 'S2': ((14, 14, 6), 0), 'C3': ((10, 10, 16), 1516),"
            " 'S4': ((5, 5, 16), 32), 'C5': ((1, 1, 120), 48120), 'F6': ((84,), 10164)}",
            "trainable",
        ),
        WrongAnswer(
            "answer = {'C1': ((28, 28, 6), 156), 'S2': ((14, 14, 6), 12), 'C3': ((10, 10, 16), 2416),"
            " 'S4': ((5, 5, 16), 32), 'C5': ((1, 1, 120), 48120), 'F6': ((84,), 10164)}",
            "not fully connected",
        ),
        WrongAnswer(
            "answer = {'C1': ((32, 32, 6), 156), 'S2': ((16, 16, 6), 12), 'C3': ((12, 12, 16), 1516),"
            " 'S4': ((6, 6, 16), 32), 'C5': ((2, 2, 120), 48120), 'F6': ((84,), 10164)}",
            "shrinks by F - 1",
        ),
        WrongAnswer("answer = [156, 12, 1516]", "Expected a dict"),
    ),
)

# --- q2: a VGG block with a parameter budget --------------------------------------------------

_VGG_BUDGET = 9 * 32 * 64 + 64 + 9 * 64 * 64 + 64  # 55,424


def _build(function, shape):
    import keras

    model = call_student(function, shape, plain_result=False)
    if not isinstance(model, keras.Model):
        raise StudentCodeError(
            f"vgg_block must return a keras.Model, got {type(model).__name__}. "
            "End with `return keras.Model(inputs, x)` or a keras.Sequential."
        )
    return model


_VGG_CONV = {
    "kind": "Conv2D",
    "filters": 64,
    "kernel": (3, 3),
    "strides": (1, 1),
    "padding": "same",
    "dilation": (1, 1),
    "activation": "relu",
    "groups": 1,
}
_VGG_POOL = {"kind": "MaxPooling2D", "pool": (2, 2), "strides": (2, 2), "padding": "valid"}
_VGG_LAYERS = "Conv2D → Conv2D → MaxPooling2D"


def _vgg_architecture(model) -> str:
    """What differs between the student's layers and conv(ReLU) → conv(ReLU) → max pool ('' if nothing)."""
    from cnnkit.exercises.architecture import chain, layer_graph, merged_steps

    _, output = layer_graph(model)
    nodes = chain(output)
    if nodes is None:
        return f"The block is one chain of layers, {_VGG_LAYERS}; yours branches."
    steps = merged_steps(nodes)
    kinds = [described["kind"] for described in steps]
    if "AveragePooling2D" in kinds:
        return "AveragePooling2D: a VGG block ends with MAX pooling (keras.layers.MaxPooling2D(2))."
    odd = [kind for kind in kinds if kind not in ("Conv2D", "MaxPooling2D")]
    if odd:
        return f"Unexpected {odd[0]} layer: the block is {_VGG_LAYERS} (ReLU inside each conv)."
    if kinds != ["Conv2D", "Conv2D", "MaxPooling2D"]:
        if "MaxPooling2D" not in kinds:
            return f"There is no max pooling: yours is {' → '.join(kinds)}; VGG halves the size with MaxPooling2D(2), not a strided conv."
        return f"Wrong order: yours is {' → '.join(kinds)}; the block is {_VGG_LAYERS}."
    for number, described in enumerate(steps[:2], start=1):
        for key, wanted in _VGG_CONV.items():
            if described[key] != wanted:
                if key == "activation" and described[key] == "linear":
                    return f"Convolution {number} has no ReLU: use activation='relu'."
                if key == "activation":
                    return f"Convolution {number} uses {described[key]!s:.20}; VGG uses ReLU."
                return f"Convolution {number}: {key} is {described[key]}, expected {wanted}."
    for key, wanted in _VGG_POOL.items():
        if steps[2][key] != wanted:
            return (
                f"The max pooling's {key} is {steps[2][key]}, expected {wanted} (MaxPooling2D(2))."
            )
    return ""


def _vgg_input_honoured(vgg_block) -> str:
    """'' when vgg_block builds its model for the input shape it is given."""
    other = (12, 12, 16)
    model = _build(vgg_block, other)
    shape = tuple(model.input_shape[1:]) if not isinstance(model.input_shape, list) else None
    if shape != other:
        return (
            f"vgg_block ignores its input_shape: vgg_block({other}) built a model for {shape}. "
            "Use keras.Input(input_shape)."
        )
    if tuple(model.output_shape[1:]) != (6, 6, 64):
        return f"vgg_block({other}) should output 6×6×64, yours is {tuple(model.output_shape[1:])}."
    return ""


def _vgg_computation(model) -> str:
    """'' when the model computes conv → ReLU → conv → ReLU → max pool with its own weights."""
    from cnnkit.exercises.architecture import (
        chain,
        conv,
        layer_graph,
        max_pool,
        outputs_of,
        randomise,
    )

    rng = fresh_generator("ch04.q2")
    randomise(model, rng)
    x = rng.normal(size=(2, 16, 16, 32)).astype("float32")
    first, second = (node.layer for node in chain(layer_graph(model)[1]) if node.kind == "Conv2D")
    expected = max_pool(conv(conv(x, first, activation=True), second, activation=True))
    got = outputs_of(model, x)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-3, atol=1e-3):
        return (
            "Your model's output differs from conv → ReLU → conv → ReLU → max pooling computed "
            "with its own weights: is a layer doing something else than its name says?"
        )
    return ""


def _check_vgg_block(vgg_block):
    model = _build(vgg_block, (16, 16, 32))
    shape = tuple(model.output_shape[1:])
    count = model.count_params()
    if shape == (16, 16, 64):
        return incorrect("The block must end with a 2×2 max pooling that halves the size: 8×8×64.")
    if shape == (6, 6, 64):
        return incorrect("Use padding='same' so each 3×3 convolution keeps the 16×16 size.")
    if shape != (8, 8, 64):
        return incorrect(f"The output should be 8×8×64, yours is {shape}.")
    if count == 25 * 32 * 64 + 64:
        return incorrect("That is one 5×5 convolution; VGG stacks two 3×3 convolutions instead.")
    if count == _VGG_BUDGET - 128:
        return incorrect("Keep the biases (Keras's default use_bias=True): the budget is 55,424.")
    if count != _VGG_BUDGET:
        return incorrect(
            f"Your block has {count:,} parameters; the budget is exactly {_VGG_BUDGET:,}."
        )
    problem = _vgg_architecture(model) or _vgg_input_honoured(vgg_block)
    if problem:
        return incorrect(problem)
    problem = _vgg_computation(model)
    if problem:
        return incorrect(problem)
    return correct("Correct: 3×3×32×64 + 64 = 18,496 and 3×3×64×64 + 64 = 36,928; pooling adds 0.")


q2 = Problem(
    title="A VGG block within a parameter budget",
    statement=(
        "Write `vgg_block(input_shape)` returning a Keras model for the input shape (16, 16, 32): "
        "two 3×3 convolutions with 64 filters, 'same' padding and ReLU, then a 2×2 max pooling. "
        "It must output 8×8×64 and have exactly 55,424 parameters."
    ),
    starter=(
        "def vgg_block(input_shape):\n"
        "    # YOUR CODE HERE: keras.Input, two Conv2D, MaxPooling2D, return keras.Model\n"
        "    raise NotImplementedError"
    ),
    solution_code=(
        "def vgg_block(input_shape):\n"
        "    inputs = keras.Input(input_shape)\n"
        "    x = keras.layers.Conv2D(64, 3, padding='same', activation='relu')(inputs)\n"
        "    x = keras.layers.Conv2D(64, 3, padding='same', activation='relu')(x)\n"
        "    x = keras.layers.MaxPooling2D(2)(x)\n"
        "    return keras.Model(inputs, x)"
    ),
    checker=_check_vgg_block,
    answer_name="vgg_block",
    hints=(
        "Parameters of a conv: F×F×D1×K + K. The second conv sees 64 channels, not 32.",
        "MaxPooling2D(2) halves height and width and has no parameters.",
    ),
    explanation="18,496 + 36,928 = 55,424 parameters; 16×16 kept by 'same', halved by pooling to 8×8×64.",
    wrong_answers=(
        WrongAnswer(
            "def vgg_block(input_shape):\n"
            "    inputs = keras.Input(input_shape)\n"
            "    x = keras.layers.Conv2D(64, 3, activation='relu')(inputs)\n"
            "    x = keras.layers.Conv2D(64, 3, activation='relu')(x)\n"
            "    return keras.Model(inputs, keras.layers.MaxPooling2D(2)(x))",
            "padding='same'",
        ),
        WrongAnswer(
            "def vgg_block(input_shape):\n"
            "    inputs = keras.Input(input_shape)\n"
            "    x = keras.layers.Conv2D(64, 5, padding='same', activation='relu')(inputs)\n"
            "    return keras.Model(inputs, keras.layers.MaxPooling2D(2)(x))",
            "one 5×5 convolution",
        ),
        WrongAnswer(
            "def vgg_block(input_shape):\n"
            "    inputs = keras.Input(input_shape)\n"
            "    x = keras.layers.Conv2D(64, 3, padding='same')(inputs)\n"
            "    x = keras.layers.Conv2D(64, 3, padding='same')(x)\n"
            "    return keras.Model(inputs, x)",
            "max pooling",
        ),
        WrongAnswer("vgg_block = 55424", "Expected a function"),
    ),
)

# --- q3: residual block with a projection shortcut ---------------------------------------------


_MAIN_PATH = ("conv 3×3 stride 2", "BN", "ReLU", "conv 3×3 stride 1", "BN")
_SHORTCUT = ("conv 1×1 stride 2", "BN")
_BLOCK_KINDS = ("InputLayer", "Conv2D", "BatchNormalization", "ReLU", "Activation", "Add")


def _token(node) -> str:
    """One layer of a path as the statement names it: 'conv 3×3 stride 2', 'BN', 'ReLU'."""
    from cnnkit.exercises.architecture import activation_name

    if node.kind == "Conv2D":
        size, stride = node.layer.kernel_size[0], node.layer.strides[0]
        return f"conv {size}×{size} stride {stride}"
    if node.kind == "BatchNormalization":
        return "BN"
    return "ReLU" if activation_name(node.layer) == "relu" else node.kind


def _path(node):
    """The nodes from the block's input to ``node`` (None when the path branches)."""
    nodes = []
    while node.kind != "InputLayer":
        if len(node.inputs) != 1:
            return None
        nodes.append(node)
        node = node.inputs[0]
    return nodes[::-1]


def _residual_paths(model):
    """(main path nodes, shortcut nodes, message): the two paths into the Add, or what is wrong."""
    from cnnkit.exercises.architecture import activation_name, layer_graph

    nodes, output = layer_graph(model)
    odd = sorted({node.kind[:20] for node in nodes if node.kind not in _BLOCK_KINDS})
    if odd:
        return (
            None,
            None,
            (
                f"Unexpected layer {', '.join(odd[:3])}: the block uses only Conv2D, BatchNormalization, ReLU and "
                "one Add (F(x) + shortcut(x))."
            ),
        )
    for node in nodes:
        name = activation_name(node.layer) if node.layer is not None else "linear"
        if node.kind == "Activation" and name != "relu":
            return None, None, f"A {name!s:.20} activation: this block uses ReLU."
        if node.kind == "Conv2D" and name != "linear":
            return (
                None,
                None,
                (
                    f"A convolution has activation {name!s:.20} inside it: here ReLU comes after BN, "
                    "as its own layer (keras.layers.ReLU())."
                ),
            )
    if sum(node.kind == "Add" for node in nodes) != 1:
        return None, None, "The block has exactly one Add: F(x) + shortcut(x)."
    if _token(output) != "ReLU" or output.inputs[0].kind != "Add":
        return (
            None,
            None,
            "The block ends with a ReLU right after the addition: ReLU(F(x) + shortcut(x)).",
        )
    paths = [_path(node) for node in output.inputs[0].inputs]
    if len(paths) != 2 or any(path is None for path in paths):
        return None, None, "The Add takes two paths that each start at x: F(x) and the shortcut."
    main, shortcut = sorted(paths, key=len, reverse=True)
    return main, shortcut, ""


def _residual_architecture(model) -> str:
    """What differs from F(x) = conv3×3/2 → BN → ReLU → conv3×3 → BN and shortcut 1×1/2 → BN."""
    main, shortcut, problem = _residual_paths(model)
    if problem:
        return problem
    main_tokens = tuple(_token(node) for node in main)
    shortcut_tokens = tuple(_token(node) for node in shortcut)
    if main_tokens == _MAIN_PATH and shortcut_tokens == _SHORTCUT:
        return ""
    if any("1×1" in token for token in main_tokens) and any("3×3" in t for t in shortcut_tokens):
        return (
            "The 1×1 and 3×3 paths are swapped: F(x) starts with the 3×3 convolution, the shortcut "
            "is the 1×1 projection (1×1 conv stride 2 → BN)."
        )
    if "conv 3×3 stride 1" in main_tokens[:1] and "conv 3×3 stride 2" in main_tokens:
        return (
            "The stride is on the wrong convolution: stride 2 belongs on F's FIRST 3×3 convolution."
        )
    if "ReLU" not in main_tokens:
        return "F(x) needs a ReLU between its two convolutions, after the first BN."
    if shortcut_tokens != _SHORTCUT:
        return (
            f"The shortcut should be 1×1 conv stride 2 → BN, straight from x; yours is "
            f"{' → '.join(shortcut_tokens)}."
        )
    return f"F(x) should be {' → '.join(_MAIN_PATH)}; yours is {' → '.join(main_tokens)}."[:280]


def _residual_computation(model) -> str:
    """'' when the model computes ReLU(F(x) + shortcut(x)) with its own (randomised) weights."""
    from cnnkit.exercises.architecture import batch_norm, conv, outputs_of, randomise

    rng = fresh_generator("ch04.q3")
    randomise(model, rng)
    main, shortcut, _ = _residual_paths(model)
    conv_a, bn_a, _, conv_b, bn_b = (node.layer for node in main)
    projection, bn_p = (node.layer for node in shortcut)
    x = rng.normal(size=(2, 16, 16, 32)).astype("float32")
    y = np.maximum(batch_norm(conv(x, conv_a, activation=False), bn_a), 0.0)
    y = batch_norm(conv(y, conv_b, activation=False), bn_b)
    expected = np.maximum(y + batch_norm(conv(x, projection, activation=False), bn_p), 0.0)
    got = outputs_of(model, x)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-3, atol=1e-3):
        return (
            "Your block's output differs from ReLU(F(x) + shortcut(x)) computed with its own "
            "weights: is a layer doing something else than its name says?"
        )
    return ""


def _check_residual_block(residual_block):
    import keras

    inputs = keras.Input((16, 16, 32))
    outputs = call_student(residual_block, inputs, plain_result=False)
    try:
        model = keras.Model(inputs, outputs)
    except Exception as error:  # noqa: BLE001 - a student's return value, reported
        raise StudentCodeError(
            f"residual_block must return the block's output tensor ({type(error).__name__})."
        ) from None
    kinds = [type(layer).__name__ for layer in model.layers]
    if "Add" not in kinds:
        return incorrect(
            "There is no addition: a residual block computes F(x) + shortcut(x) with keras.layers.Add."
        )
    shape = tuple(model.output_shape[1:])
    if shape != (8, 8, 64):
        return incorrect(f"The output should be 8×8×64 (stride 2, 64 filters), yours is {shape}.")
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    if any(layer.use_bias for layer in convs):
        return incorrect(
            "Batch normalisation follows every convolution: use use_bias=False (BN's β is the bias)."
        )
    if kinds.count("BatchNormalization") != 3:
        return incorrect(
            "Each of the three convolutions (two in F, one projection) is followed by BN."
        )
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    if trainable != 57_728:
        return incorrect(f"Your block has {trainable:,} trainable parameters; expected 57,728.")
    problem = _residual_architecture(model)
    if problem:
        return incorrect(problem)
    problem = _residual_computation(model)
    if problem:
        return incorrect(problem)
    return correct(
        "Correct: 18,432 + 36,864 + 2,048 (projection) conv weights + 3 × 128 BN γ/β = 57,728."
    )


q3 = Problem(
    title="A residual block with a projection shortcut",
    statement=(
        "Write `residual_block(x)` for an input tensor x of shape (16, 16, 32) that halves the size "
        "and goes to 64 channels: F(x) = 3×3 conv (64, stride 2) → BN → ReLU → 3×3 conv (64) → BN; "
        "the shortcut is a projection: 1×1 conv (64, stride 2) → BN; then add and ReLU. "
        "Convolutions use padding='same' and no bias. Return the output tensor."
    ),
    starter="def residual_block(x):\n    # YOUR CODE HERE\n    raise NotImplementedError",
    solution_code=(
        "def residual_block(x):\n"
        "    L = keras.layers\n"
        "    y = L.Conv2D(64, 3, strides=2, padding='same', use_bias=False)(x)\n"
        "    y = L.ReLU()(L.BatchNormalization()(y))\n"
        "    y = L.BatchNormalization()(L.Conv2D(64, 3, padding='same', use_bias=False)(y))\n"
        "    shortcut = L.Conv2D(64, 1, strides=2, use_bias=False)(x)\n"
        "    shortcut = L.BatchNormalization()(shortcut)\n"
        "    return L.ReLU()(L.Add()([y, shortcut]))"
    ),
    checker=_check_residual_block,
    answer_name="residual_block",
    hints=(
        "F(x) has shape 8×8×64 but x is 16×16×32: the identity cannot be added, hence the projection.",
        "keras.layers.Add()([a, b]) adds two tensors of the same shape.",
    ),
    explanation=(
        "Conv weights 3×3×32×64 = 18,432, 3×3×64×64 = 36,864, 1×1×32×64 = 2,048; "
        "BN 2×64 trainable each (×3): 57,728 trainable."
    ),
    wrong_answers=(
        WrongAnswer(
            "def residual_block(x):\n"
            "    y = keras.layers.Conv2D(64, 3, strides=2, padding='same', use_bias=False)(x)\n"
            "    return keras.layers.ReLU()(keras.layers.Add()([y, x]))",
            "Your function raised ValueError",
        ),
        WrongAnswer(
            "def residual_block(x):\n"
            "    y = keras.layers.Conv2D(64, 3, strides=2, padding='same')(x)\n"
            "    return keras.layers.ReLU()(y)",
            "no addition",
        ),
        WrongAnswer(
            "def residual_block(x):\n"
            "    L = keras.layers\n"
            "    y = L.Conv2D(64, 3, strides=2, padding='same')(x)\n"
            "    s = L.Conv2D(64, 1, strides=2)(x)\n"
            "    return L.ReLU()(L.Add()([y, s]))",
            "use_bias=False",
        ),
    ),
)

# --- q4: what inception's reductions save ------------------------------------------------------


def _check_inception_saving(answer):
    direct = 5 * 5 * 192 * 32
    reduced = 192 * 16 + 5 * 5 * 16 * 32
    return check_number(
        answer,
        direct - reduced,
        integer=True,
        mistakes={
            direct: "That is the direct 5×5 conv's weights; subtract the reduced branch's weights.",
            reduced: "That is what the reduced branch costs; the question asks for the saving.",
            direct - 5 * 5 * 16 * 32: "The 1×1 reduction has weights too: 192×16 = 3,072.",
        },
        success="Correct: 153,600 - (3,072 + 12,800) = 137,728 weights saved, about 90%.",
    )


q4 = Problem(
    title="What a 1×1 reduction saves (inception 3a)",
    statement=(
        "Inception 3a's 5×5 branch sees 192 channels and outputs 32. Directly that is a 5×5 "
        "convolution 192 → 32; GoogLeNet first reduces to 16 channels with a 1×1 convolution. "
        "How many weights (no biases) does the reduction save?"
    ),
    starter="answer = ...",
    solution_code="answer = 5 * 5 * 192 * 32 - (192 * 16 + 5 * 5 * 16 * 32)",
    checker=_check_inception_saving,
    hints=("Direct: 5×5×192×32.", "Reduced: 1×1×192×16 plus 5×5×16×32."),
    explanation="153,600 - 15,872 = 137,728 weights saved (about 90%); the multiply-adds drop by the same factor.",
    wrong_answers=(
        WrongAnswer("answer = 153600", "subtract"),
        WrongAnswer("answer = 153600 - 12800", "1×1 reduction has weights"),
    ),
)

# --- q5: ResNet stage shapes ---------------------------------------------------------------------

_STAGES = {
    "stage1": (32, 32, 64),
    "stage2": (16, 16, 128),
    "stage3": (8, 8, 256),
    "stage4": (4, 4, 512),
}


def _check_stage_shapes(answer):
    if not isinstance(answer, dict):
        raise StudentCodeError("Expected a dict like {'stage1': (height, width, channels), ...}.")
    for stage, shape in _STAGES.items():
        if stage not in answer:
            return incorrect(f"Missing {stage}.")
        given = as_shape(answer[stage])
        if stage == "stage1" and given == (16, 16, 64):
            return incorrect(
                "The small-input stem is a 3×3 stride-1 conv without max pooling, and "
                "stage 1 has stride 1: the input's height and width stay."
            )
        if given == (shape[0] * 2, shape[1] * 2, shape[2]):
            return incorrect(
                f"{stage}: the first block of stages 2-4 has stride 2, halving the size."
            )
        if given != shape:
            return incorrect(
                f"{stage}: {given} is not its output shape. Stride 2 halves the size; the "
                "channels double from stage to stage."
            )
    return correct(
        "Correct: 32, 16, 8, 4 with 64, 128, 256, 512 channels (check with ck.models.stage_shapes(model))."
    )


q5 = Problem(
    title="Predict the ResNet-18 stage shapes (32×32 input)",
    statement=(
        "`ck.models.resnet(depth=18, input_shape=(32, 32, 3), classes=10, small_input=True)`: a 3×3 "
        "stride-1 stem with 64 filters, then four stages of two basic blocks; stages 2-4 start with "
        "stride 2 and double the channels. Give each stage's output shape."
    ),
    starter="answer = {'stage1': ..., 'stage2': ..., 'stage3': ..., 'stage4': ...}",
    solution_code=(
        "answer = {'stage1': (32, 32, 64), 'stage2': (16, 16, 128), "
        "'stage3': (8, 8, 256), 'stage4': (4, 4, 512)}"
    ),
    checker=_check_stage_shapes,
    hints=("Stage 1 keeps the size; each later stage halves it and doubles the channels.",),
    explanation="32×32×64, 16×16×128, 8×8×256, 4×4×512: the CIFAR port of ResNet-18.",
    wrong_answers=(
        WrongAnswer(
            "answer = {'stage1': (16, 16, 64), 'stage2': (8, 8, 128), 'stage3': (4, 4, 256), "
            "'stage4': (2, 2, 512)}",
            "stride-1 conv without max pooling",
        ),
        WrongAnswer(
            "answer = {'stage1': (32, 32, 64), 'stage2': (32, 32, 128), 'stage3': (8, 8, 256), "
            "'stage4': (4, 4, 512)}",
            "halving the size",
        ),
        WrongAnswer("answer = [(32, 32, 64)]", "Expected a dict"),
    ),
)

# --- q6: batch-normalisation parameters ----------------------------------------------------------


def _check_bn_params(answer):
    return check_number(
        answer,
        4 * 128,
        integer=True,
        mistakes={
            2
            * 128: "256 are the trainable ones (γ, β); Keras also counts the moving mean and variance.",
            128: "BN keeps four numbers per channel: γ, β, moving mean, moving variance.",
            4: "Four numbers per channel, and there are 128 channels.",
        },
        success="Correct: 4 × 128 = 512, of which 256 (γ and β) are trainable.",
    )


q6 = Problem(
    title="Parameters of batch normalisation (批量归一化)",
    statement=(
        "A `BatchNormalization()` follows a convolution with 128 filters. What does Keras's "
        "`count_params()` report for the BN layer?"
    ),
    starter="answer = ...",
    solution_code="answer = 4 * 128",
    checker=_check_bn_params,
    hints=("Per channel: scale γ, shift β, and the moving mean and variance used at inference.",),
    explanation="4 per channel: γ and β are trained; the moving statistics are updated, not trained. 512 in all.",
    wrong_answers=(
        WrongAnswer("answer = 256", "trainable ones"),
        WrongAnswer("answer = 128", "four numbers"),
    ),
)

# --- q7: two 3×3 vs one 5×5 ------------------------------------------------------------------------


def _check_stacked_saving(answer):
    stacked, single = 2 * 9 * 64 * 64, 25 * 64 * 64
    return check_number(
        answer,
        single - stacked,
        integer=True,
        mistakes={
            single - 9 * 64 * 64: "Two 3×3 layers are stacked: 2 × 9C², not 9C².",
            25
            - 18: "Multiply by C² = 64×64: each kernel connects all input to all output channels.",
            stacked - single: "The stack is cheaper: 5×5 minus 2×3×3 is positive.",
        },
        success="Correct: 25C² - 18C² = 7C² = 28,672 fewer weights, and two ReLUs instead of one.",
    )


q7 = Problem(
    title="Two 3×3 convolutions vs one 5×5",
    statement=(
        "Both see a 5×5 receptive field. With 64 input and 64 output channels and no biases, "
        "how many fewer weights do two stacked 3×3 convolutions need than one 5×5 convolution?"
    ),
    starter="answer = ...",
    solution_code="answer = 5 * 5 * 64 * 64 - 2 * 3 * 3 * 64 * 64",
    checker=_check_stacked_saving,
    hints=("One F×F convolution from C to C channels has F²C² weights.",),
    explanation="25×4,096 = 102,400 vs 2×9×4,096 = 73,728: 28,672 fewer (28%).",
    wrong_answers=(
        WrongAnswer("answer = 7", "Multiply by C²"),
        WrongAnswer("answer = -28672", "cheaper"),
    ),
)

# --- q8: a ResNet's paper count vs Keras's count_params() (personal numbers) ------------------
# The chapter's worked example is ResNet-50: 25,557,032 vs 25,636,712 (26,560 filters).


def _resnet_numbers(rng):
    while True:
        convolutions = int(rng.integers(18, 160))
        filters = int(rng.integers(40, 320)) * convolutions // 2 * 2
        paper = int(rng.integers(5_000_000, 60_000_000))
        if filters != 26_560 and filters > 2 * convolutions:
            return {"paper": paper, "convolutions": convolutions, "filters": filters}


def _check_resnet_difference(answer, given):
    k = given.filters
    return check_number(
        answer,
        3 * k,
        integer=True,
        mistakes={
            k: "That counts the conv biases only; Keras's count_params() also includes BN's moving mean and variance.",
            2
            * k: "That counts the moving statistics only; Keras's convolutions also keep a bias each.",
            4
            * k: "BN's γ and β are already in the paper's trainable count; add only biases and moving statistics.",
            given.convolutions + 2 * k: "One bias per filter, not one per convolution.",
            given.paper + 3 * k: "That is Keras's count; the question asks for the difference.",
        },
        success=(
            f"Correct: {k:,} conv biases + 2 × {k:,} moving statistics = {3 * k:,}; Keras reports "
            f"{given.paper + 3 * k:,}."
        ),
    )


q8 = Problem(
    title="A ResNet: the paper's count vs keras count_params()",
    statement=(
        "A ResNet's paper reports {paper:,} trainable parameters and uses no conv biases. Its "
        "Keras version's `count_params()` counts its {convolutions} convolutions *with* a bias "
        "each (their filters add up to {filters:,}) and the moving mean and variance of the BN "
        "layer after each convolution ({filters:,} channels in all). By how many parameters do "
        "the two counts differ?"
    ),
    starter="answer = ...",
    solution_code=(
        "g = ch04.q8.given  # your numbers: g.paper, g.convolutions, g.filters\n"
        "answer = g.filters + 2 * g.filters"
    ),
    checker=_check_resnet_difference,
    parameters=_resnet_numbers,
    hints=(
        "One bias per filter.",
        "Two moving statistics per BN channel; γ and β are in both counts.",
    ),
    explanation=(
        "{filters:,} biases (useless before BN, whose β shifts anyway) + 2 × {filters:,} moving "
        "statistics; the chapter's ResNet-50 gives 26,560 + 53,120 = 79,680 the same way."
    ),
    wrong_answers=(
        WrongAnswer("answer = ch04.q8.given.filters", "conv biases only"),
        WrongAnswer("answer = 2 * ch04.q8.given.filters", "moving statistics only"),
        WrongAnswer(
            "g = ch04.q8.given\nanswer = g.convolutions + 2 * g.filters", "per convolution"
        ),
        WrongAnswer("answer = str(3 * ch04.q8.given.filters)", "Remove the quotes"),
    ),
)

# --- q9: depth-wise concatenation ----------------------------------------------------------------


def _check_concat_channels(answer):
    return check_number(
        answer,
        128 + 192 + 96 + 64,
        integer=True,
        mistakes={
            192: "Concatenation does not take the widest branch: it stacks all four.",
            128
            + 128
            + 192
            + 32
            + 96
            + 64: "The reduce convolutions (128, 32) feed the 3×3 and 5×5 convs; only the branches' last layers reach the concatenation.",
        },
        success="Correct: 128 + 192 + 96 + 64 = 480 channels, 28×28×480.",
    )


q9 = Problem(
    title="Inception's depth-wise concatenation",
    statement=(
        "Inception 3b: 1×1: 128; 3×3 reduce: 128, 3×3: 192; 5×5 reduce: 32, 5×5: 96; pool proj: 64. "
        "How many channels does its output have?"
    ),
    starter="answer = ...",
    solution_code="answer = 128 + 192 + 96 + 64",
    checker=_check_concat_channels,
    hints=("The four branches' outputs are stacked along the channel axis.",),
    explanation="Concatenation adds channel counts of the four branch outputs: 480.",
    wrong_answers=(
        WrongAnswer("answer = 192", "widest branch"),
        WrongAnswer("answer = 640", "reduce convolutions"),
    ),
)


CHAPTER = Chapter(
    number=4,
    slug="04_classic_cnns",
    title="Classic CNNs (经典卷积网络)",
    introduction=(
        "Practice for `notebooks/04_classic_cnns.ipynb`: LeNet-5's table, VGG blocks, residual "
        "blocks, inception reductions and concatenation, ResNet shapes, batch normalisation."
    ),
    preamble="import numpy as np\nimport keras",
    problems=[q1, q2, q3, q4, q5, q6, q7, q8, q9],
)
