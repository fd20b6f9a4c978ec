"""Design questions (分析设计题): a goal and constraints; the student's Keras model (or list of
layers) is built and measured on its real graph, and checked constraint by constraint.

Three templates: a CNN under a parameter and receptive-field budget (:func:`cnn_design`), a
sequence model (:func:`sequence_design`) and a GAN pair (:func:`gan_design`). The analysis
templates (curves, a bug, a parameter table) are in :mod:`cnnkit.review.topics.analysis`.

Grading (:class:`Constraint`, :func:`constraint_report`): every constraint is checked and gets
its own line; the answer is correct only when all hold, otherwise the message says which hold
("4 of 6 constraints hold") — the partial credit a marker gives, ``held / total``. The checker
also exposes ``check.grade(answer)`` -> list of :class:`Constraint` for a mock exam's points.

The receptive field is computed through the model's graph (:func:`receptive_field_of`): each
tensor carries its field and jump per spatial axis; a k×k layer of stride s and dilation d maps
(r, j) to (r + (k - 1)·d·j, j·s); parallel branches are kept as separate candidates (six
parallel 5×5 convolutions see 5×5, not 25×25); the field of a map is the largest min(r_h, r_w)
over its candidates (a 32×1 kernel does not see 32×32).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from cnnkit.exercises.core import Result, StudentCodeError, correct, incorrect
from cnnkit.review import sections
from cnnkit.review.problem import Draft, Source
from cnnkit.review.topics._checks import _keras, _x

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: Non-linearities that make a hidden layer more than a linear map.
_LINEAR = {"linear", None, ""}
_CONV_TYPES = ("Conv2D", "DepthwiseConv2D", "SeparableConv2D")

LONG_MEMORY = Source(sections.RNN, "7. Long memory: the adding problem")
GATED_CELLS = Source(sections.RNN, "The gated cells: LSTM and GRU")
TRANSPOSED = Source(sections.GAN, "2. Transposed convolution (转置卷积)")


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class Constraint:
    """One constraint of a design question: its number, whether it holds, and what to do."""

    number: int
    holds: bool
    message: str  # "Constraint 3 fails: ..." or a short "holds" note


def constraint_report(constraints: list[Constraint], what: str = "constraints hold") -> Result:
    """Correct when every constraint holds; otherwise one line per failing constraint, after
    the partial credit ("k of n constraints hold"; ``what`` = "parts are right" for analysis)."""
    held = [c for c in constraints if c.holds]
    if len(held) == len(constraints):
        return correct(
            f"Correct: all {len(constraints)} {what} ("
            + "; ".join(c.message for c in constraints)
            + ")."
        )
    failing = " ".join(c.message for c in constraints if not c.holds)
    return incorrect(
        f"Partial credit {len(held)}/{len(constraints)}: {len(held)} of {len(constraints)} {what}. "
        f"{failing}"
    )


def _fails(number: int, text: str) -> Constraint:
    return Constraint(number, False, f"Constraint {number} fails: {text}")


def _holds(number: int, text: str) -> Constraint:
    return Constraint(number, True, text)


# --------------------------------------------------------------------------- the graph


def _spec(layer):
    """(kh, kw, sh, sw, dh, dw) of a layer that grows the field, "up" specs for upsampling,
    or None for a layer that keeps each position's field (activation, BN, merge, Dense ...)."""
    keras = _keras()
    name = type(layer).__name__
    if name.startswith("Global") or isinstance(layer, keras.layers.Flatten):
        return None
    if isinstance(layer, keras.layers.Conv2DTranspose):
        return None  # upsampling maps are not the classifier's feature maps
    if isinstance(
        layer, keras.layers.Conv2D | keras.layers.DepthwiseConv2D | keras.layers.SeparableConv2D
    ):
        return (*layer.kernel_size, *layer.strides, *layer.dilation_rate)
    if "Pooling2D" in name and hasattr(layer, "pool_size"):
        return (*layer.pool_size, *layer.strides, 1, 1)
    return None


def _step(field, spec):
    rh, rw, jh, jw = field
    kh, kw, sh, sw, dh, dw = spec
    return (rh + (kh - 1) * dh * jh, rw + (kw - 1) * dw * jw, jh * sh, jw * sw)


def _prune(fields: set) -> frozenset:
    """Drop candidates another one dominates (keeps the set small through many branches)."""
    kept = [
        f
        for f in fields
        if not any(g != f and all(a >= b for a, b in zip(g, f, strict=True)) for g in fields)
    ]
    return frozenset(kept)


def _layer_parents(model):
    """Each layer of ``model`` with the layers producing its inputs (public API: layer.input,
    layer.output); a layer used twice is refused (its input is ambiguous)."""
    keras = _keras()
    producers = {}
    for layer in model.layers:
        for tensor in keras.tree.flatten(layer.output):
            producers[id(tensor)] = layer
    parents = {}
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            parents[id(layer)] = []
            continue
        try:
            inputs = keras.tree.flatten(layer.input)
        except (AttributeError, ValueError, RuntimeError):
            raise StudentCodeError(
                f"Layer {layer.name} is called more than once; give each use its own layer."
            ) from None
        parents[id(layer)] = [producers[id(t)] for t in inputs if id(t) in producers]
    return parents


def _fields(model) -> dict:
    """id(layer) -> candidate (r_h, r_w, j_h, j_w) of its output, walking the graph in order."""
    keras = _keras()
    parents = _layer_parents(model)
    start = frozenset({(1, 1, 1, 1)})
    fields: dict = {}
    for layer in model.layers:  # Keras lists layers in topological order
        incoming = [fields[id(p)] for p in parents[id(layer)] if id(p) in fields]
        merged = frozenset().union(*incoming) if incoming else start
        if isinstance(layer, keras.Model):  # a nested model: compose its own field
            inner = receptive_field_candidates(layer)
            merged = frozenset(
                (rh + (ih - 1) * jh, rw + (iw - 1) * jw, jh * ijh, jw * ijw)
                for rh, rw, jh, jw in merged
                for ih, iw, ijh, ijw in inner
            )
        elif (spec := _spec(layer)) is not None:
            merged = frozenset(_step(f, spec) for f in merged)
        fields[id(layer)] = _prune(set(merged))
    return fields


def receptive_field_candidates(model) -> frozenset:
    """The (r_h, r_w, j_h, j_w) candidates of the model's spatial maps (rank-4 outputs)."""
    fields = _fields(model)
    spatial = [
        fields[id(layer)]
        for layer in model.layers
        if len(getattr(layer.output, "shape", ())) == 4 and id(layer) in fields
    ]
    found = frozenset().union(*spatial) if spatial else frozenset({(1, 1, 1, 1)})
    return _prune(set(found))


def receptive_field_of(model) -> int:
    """Receptive field side r of the model's deepest feature maps, through its graph:
    the largest min(r_h, r_w) over the parallel candidates (1 for a model without any)."""
    return max(min(rh, rw) for rh, rw, _, _ in receptive_field_candidates(model))


def _is_nonlinear(layer) -> bool:
    keras = _keras()
    if isinstance(
        layer,
        keras.layers.ReLU | keras.layers.LeakyReLU | keras.layers.PReLU | keras.layers.ELU,
    ):
        return True
    activation = getattr(layer, "activation", None)
    name = getattr(activation, "__name__", None) if activation is not None else None
    return name not in _LINEAR


def _all_layers(model):
    keras = _keras()
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            yield from _all_layers(layer)
        else:
            yield layer


def _hidden_nonlinearity(model) -> bool:
    """True when some layer before the output layer is non-linear (an activation)."""
    layers = list(_all_layers(model))
    return any(_is_nonlinear(layer) for layer in layers[:-1])


def _output_activation(model) -> str:
    last = list(_all_layers(model))[-1]
    if type(last).__name__ == "Softmax":
        return "softmax"
    activation = getattr(last, "activation", None)
    return getattr(activation, "__name__", "") or ""


def _count(model, types: tuple[str, ...], square_kernel: bool = False) -> int:
    found = 0
    for layer in _all_layers(model):
        if type(layer).__name__ in types:
            kernel = getattr(layer, "kernel_size", (2, 2))
            if not square_kernel or min(kernel) > 1:
                found += 1
    return found


# --------------------------------------------------------------------------- building answers


class LayerList(list):
    """A reference answer: Keras layers that compare equal when their types and configurations
    (names aside) are equal; Keras layers themselves compare by identity, so two draws of the
    same problem would otherwise never have equal answers."""

    @staticmethod
    def _key(layers) -> list:
        return [
            (type(layer).__name__, {k: v for k, v in layer.get_config().items() if k != "name"})
            if hasattr(layer, "get_config")
            else layer
            for layer in layers
        ]

    def __eq__(self, other) -> bool:
        if not isinstance(other, list) or len(other) != len(self):
            return False
        return self._key(self) == self._key(other)

    def __ne__(self, other) -> bool:
        return not self == other

    __hash__ = None  # mutable, like list


def build(answer, input_shape, what: str = "model"):
    """A built Keras model from a model or a list of layers (copied, so they can be reused).

    A model whose input shape differs from ``input_shape`` raises StudentCodeError naming it.
    """
    keras = _keras()
    if isinstance(answer, keras.Model):
        if not answer.built or not answer.inputs:
            raise StudentCodeError(
                f"Your {what} is not built: start it with keras.Input(shape=...)."
            )
        shapes = [tuple(t.shape[1:]) for t in answer.inputs]
        if shapes != [tuple(input_shape)]:
            raise StudentCodeError(
                f"Constraint 1 fails: the {what}'s input is {shapes[0] if len(shapes) == 1 else shapes}"
                f", the goal is {tuple(input_shape)}."
            )
        return answer
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)) or not answer:
        raise StudentCodeError(
            f"Answer the {what} with a Keras model or a list of Keras layers, e.g. "
            "[keras.layers.Conv2D(16, 3, activation='relu'), ...]; got "
            f"{type(answer).__name__} {str(answer)[:40]!r}."
        )
    layers = []
    for index, layer in enumerate(answer):
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if not isinstance(layer, keras.layers.Layer):
            raise StudentCodeError(
                f"Item {index} of your list is {type(layer).__name__} {str(layer)[:30]!r}, not a "
                "Keras layer."
            )
        config = layer.get_config()
        config.pop("name", None)  # a fresh name: the same layer listed twice still builds
        layers.append(type(layer).from_config(config))
    try:
        return keras.Sequential([keras.Input(input_shape), *layers])
    except Exception as error:  # the layers do not fit together: say where, without a traceback
        text = _ANSI.sub("", str(error)).strip().splitlines()[0][:160]
        raise StudentCodeError(
            f"Keras cannot build these layers on {input_shape}: {text}"
        ) from None


def _output_shape(model):
    outputs = model.outputs
    return tuple(outputs[0].shape) if len(outputs) == 1 else [tuple(o.shape) for o in outputs]


def _budget_constraint(number, model, budget) -> Constraint:
    from cnnkit.layer_table import explain

    table = explain(model, print_total=False)
    total = int(table["parameters"].sum())
    if total <= budget:
        return _holds(number, f"{total:,} parameters ≤ {budget:,}")
    position = int(table["parameters"].to_numpy().argmax())
    worst = table.iloc[position]
    # Named by position and type: Keras's automatic layer names change from run to run.
    return _fails(
        number,
        f"{total:,} parameters > {budget:,} (largest: layer {position + 1}, {worst['type']}, "
        f"{int(worst['parameters']):,}).",
    )


def _classes_constraint(number, model, classes, activation="softmax") -> Constraint:
    shape = _output_shape(model)
    want = f"(None, {classes})"
    if isinstance(shape, list) or tuple(shape[1:]) != (classes,):
        return _fails(number, f"the output shape is {shape}, it must be {want}.")
    if _output_activation(model) != activation:
        return _fails(
            number, f"the output layer must give probabilities: activation='{activation}'."
        )
    return _holds(number, f"output {want} with {activation}")


def _layers_code(lines) -> str:
    return "[\n    " + "\n    ".join(lines) + "\n]"


def _design_draft(statement, layers, solution, check, data, source) -> Draft:
    def verify():
        result = check(layers)
        return result.status == "correct", result.message

    return Draft(statement, layers, solution, check, verify, data, kind="design", source=source)


def _checker(grade, what: str = "constraints hold"):
    """A checker from ``grade(answer) -> list[Constraint]`` (kept as ``check.grade``)."""

    def check(answer) -> Result:
        return constraint_report(grade(answer), what)

    check.grade = grade
    return check


# --------------------------------------------------------------------------- 1. a CNN


def _reference_layers(input_shape, classes, field):
    """Blocks of 3×3 conv + 2×2 max pooling until the field is reached, then GAP and softmax."""
    from cnnkit import formulas

    keras = _keras()
    layers, code, stack, filters = [], [], [], 16
    while True:
        layers.append(keras.layers.Conv2D(filters, 3, padding="same", activation="relu"))
        code.append(f'keras.layers.Conv2D({filters}, 3, padding="same", activation="relu"),')
        stack.append((3, 1))
        if formulas.receptive_field(stack) >= field:
            break
        layers.append(keras.layers.MaxPooling2D(2))
        code.append("keras.layers.MaxPooling2D(2),")
        stack.append((2, 2))
        filters = min(filters * 2, 64)
    layers += [
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(classes, activation="softmax"),
    ]
    code += [
        "keras.layers.GlobalAveragePooling2D(),",
        f'keras.layers.Dense({classes}, activation="softmax"),',
    ]
    return layers, _layers_code(code)


def cnn_design(rng: random.Random) -> Draft:
    """A CNN for an image size and classes, under a parameter budget and a minimum field."""
    keras = _keras()
    input_shape = rng.choice([(28, 28, 1), (32, 32, 3), (64, 64, 3)])
    classes = rng.choice([10, 10, 5, 20])
    field = rng.choice([16, 24, 32]) if input_shape[0] >= 32 else rng.choice([12, 16, 20])
    layers, code = _reference_layers(input_shape, classes, field)
    reference = keras.Sequential([keras.Input(input_shape), *layers])
    budget = int(math.ceil(reference.count_params() * 1.6 / 10_000) * 10_000)
    constraints = [
        f"input {_x(*input_shape)}",
        f"{classes} classes, probabilities out (softmax)",
        f"at most {budget:,} parameters",
        f"receptive field of the last convolutional feature map at least {field}×{field} "
        "(computed through the graph: parallel branches do not add up)",
        "a CNN: at least one 2-D convolution with a kernel larger than 1 in both directions",
        "non-linear: a hidden layer with a non-linear activation (e.g. ReLU)",
    ]
    statement = (
        f"Design a CNN (分析设计题) for {_x(*input_shape)} images and {classes} classes.\n\n"
        + "\n".join(f"{i}. {c}" for i, c in enumerate(constraints, 1))
        + "\n\nAnswer with a Keras model or a list of Keras layers (without the Input); it is "
        "built and measured with `ck.explain`. Each constraint is marked on its own."
    )
    solution = (
        "Stack 3×3 convolutions ('same' padding, ReLU) with 2×2 max pooling: each pooling "
        "doubles the jump, so the receptive field grows fast (r = 1 + Σ (k - 1)·jump). Global "
        "average pooling instead of Flatten + Dense keeps the parameters low, and a softmax Dense "
        f"gives the classes. One answer ({reference.count_params():,} parameters, receptive "
        f"field {receptive_field_of(reference)}):\n\n```python\n{code}\n```\n\n"
        "**Answer:** the list above."
    )

    def grade(answer) -> list[Constraint]:
        model = build(answer, input_shape)
        got = receptive_field_of(model)
        field_check = (
            _holds(4, f"receptive field {got} ≥ {field}")
            if got >= field
            else _fails(
                4,
                f"receptive field {got}×{got} < {field}×{field} (parallel branches do not add).",
            )
        )
        convs = _count(model, _CONV_TYPES, square_kernel=True)
        return [
            _holds(1, f"input {_x(*input_shape)}"),
            _classes_constraint(2, model, classes),
            _budget_constraint(3, model, budget),
            field_check,
            _holds(5, f"{convs} convolutions")
            if convs
            else _fails(5, "no k×k convolution (k > 1): not a CNN."),
            _holds(6, "non-linear")
            if _hidden_nonlinearity(model)
            else _fails(6, "no hidden activation: one linear map. Add activation='relu'."),
        ]

    check = _checker(grade)
    check.typical_mistake = [
        keras.layers.Flatten(),
        keras.layers.Dense(classes, activation="softmax"),
    ]
    data = dict(input_shape=input_shape, classes=classes, budget=budget, field=field)
    return _design_draft(
        statement, LayerList(layers), solution, check, data, sections.TYPICAL_STACK
    )


# --------------------------------------------------------------------------- 2. a sequence model


_SEQUENCE_TASKS = [
    ("sensor readings of a machine (normal / 3 fault kinds)", 4),
    ("the words of a review as embedding vectors (5 star ratings)", 5),
    ("the rows of a Fashion-MNIST image read top to bottom (10 classes)", 10),
]


def sequence_design(rng: random.Random) -> Draft:
    """A recurrent classifier for sequences under a parameter budget; long dependencies need a
    gated cell (LSTM or GRU)."""
    keras = _keras()
    task, classes = rng.choice(_SEQUENCE_TASKS)
    steps = rng.choice([28, 50, 100, 200])
    features = 28 if "Fashion" in task else rng.choice([4, 8, 16, 32])
    if "Fashion" in task:
        steps = 28
    units = rng.choice([16, 32])
    long_memory = steps >= 100
    cell = "LSTM"
    layers = [keras.layers.LSTM(units), keras.layers.Dense(classes, activation="softmax")]
    reference = keras.Sequential([keras.Input((steps, features)), *layers])
    budget = int(math.ceil(reference.count_params() * 1.5 / 1_000) * 1_000)
    constraints = [
        f"input {steps} time steps × {features} features",
        f"{classes} classes, probabilities out (softmax), one prediction per sequence",
        f"at most {budget:,} parameters",
        "weights shared through time: a recurrent layer (SimpleRNN, LSTM or GRU)",
        (
            f"the label depends on steps {steps} apart: a gated cell (LSTM or GRU)"
            if long_memory
            else "no Flatten of the raw sequence into a Dense layer (the model must accept "
            "the sequence step by step)"
        ),
    ]
    statement = (
        f"Design a sequence model (分析设计题) for {task}.\n\n"
        + "\n".join(f"{i}. {c}" for i, c in enumerate(constraints, 1))
        + "\n\nAnswer with a Keras model or a list of Keras layers (without the Input)."
    )
    code = _layers_code(
        [f"keras.layers.{cell}({units}),", f'keras.layers.Dense({classes}, activation="softmax"),']
    )
    solution = (
        f"A recurrent layer reads the {steps} steps with the same weights at every step; its "
        "last state summarises the sequence, and a softmax Dense classifies it. A gated cell "
        "(LSTM: forget, input, output gates) keeps information over long spans where a "
        f"SimpleRNN's gradient vanishes. One answer ({reference.count_params():,} parameters):"
        f"\n\n```python\n{code}\n```"
        "\n\n**Answer:** the list above."
    )

    def grade(answer) -> list[Constraint]:
        model = build(answer, (steps, features))
        names = [type(layer).__name__ for layer in _all_layers(model)]
        wrapped = [
            type(layer.forward_layer).__name__
            for layer in _all_layers(model)
            if hasattr(layer, "forward_layer")
        ]
        recurrent = {n for n in names + wrapped if n in ("SimpleRNN", "LSTM", "GRU")}
        fifth_ok = (
            bool(recurrent & {"LSTM", "GRU"})
            if long_memory
            else not (names and names[0] in ("Flatten", "Dense"))
        )
        fifth_fail = (
            "no LSTM/GRU: a SimpleRNN's gradient vanishes over this span."
            if long_memory
            else "the first layer flattens the raw sequence: start with a recurrent layer."
        )
        return [
            _holds(1, f"input {steps}×{features}"),
            _classes_constraint(2, model, classes),
            _budget_constraint(3, model, budget),
            _holds(4, "recurrent")
            if recurrent
            else _fails(
                4,
                "no recurrent layer (weights not shared through time): add keras.layers.LSTM.",
            ),
            _holds(5, "gated" if long_memory else "reads step by step")
            if fifth_ok
            else _fails(5, fifth_fail),
        ]

    check = _checker(grade)
    check.typical_mistake = [
        keras.layers.Flatten(),
        keras.layers.Dense(classes, activation="softmax"),
    ]
    data = dict(steps=steps, features=features, classes=classes, budget=budget)
    source = LONG_MEMORY if long_memory else GATED_CELLS
    return _design_draft(statement, LayerList(layers), solution, check, data, source)


# --------------------------------------------------------------------------- 3. a GAN pair


def _reference_gan(latent, channels, size):
    keras = _keras()
    start = size // 4
    generator = [
        keras.layers.Dense(start * start * 32, activation="relu"),
        keras.layers.Reshape((start, start, 32)),
        keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu"),
        keras.layers.Conv2DTranspose(channels, 4, strides=2, padding="same", activation="tanh"),
    ]
    discriminator = [
        keras.layers.Conv2D(16, 4, strides=2, padding="same"),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Conv2D(32, 4, strides=2, padding="same"),
        keras.layers.LeakyReLU(0.2),
        keras.layers.Flatten(),
        keras.layers.Dense(1, activation="sigmoid"),
    ]
    code = (
        "generator = [\n"
        f'    keras.layers.Dense({start}*{start}*32, activation="relu"),\n'
        f"    keras.layers.Reshape(({start}, {start}, 32)),\n"
        '    keras.layers.Conv2DTranspose(16, 4, strides=2, padding="same", activation="relu"),\n'
        f'    keras.layers.Conv2DTranspose({channels}, 4, strides=2, padding="same", '
        'activation="tanh"),\n]\n'
        "discriminator = [\n"
        '    keras.layers.Conv2D(16, 4, strides=2, padding="same"), keras.layers.LeakyReLU(0.2),\n'
        '    keras.layers.Conv2D(32, 4, strides=2, padding="same"), keras.layers.LeakyReLU(0.2),\n'
        '    keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid"),\n]\n'
        "answer = (generator, discriminator)"
    )
    return generator, discriminator, code


def gan_design(rng: random.Random) -> Draft:
    """A DCGAN generator and discriminator for an image size, under a parameter budget."""
    keras = _keras()
    size = rng.choice([28, 32])
    channels = 1 if size == 28 else 3
    latent = rng.choice([32, 64, 100])
    image = (size, size, channels)
    generator, discriminator, code = _reference_gan(latent, channels, size)
    total = keras.Sequential([keras.Input((latent,)), *generator]).count_params() + (
        keras.Sequential([keras.Input(image), *discriminator]).count_params()
    )
    budget = int(math.ceil(total * 1.5 / 10_000) * 10_000)
    constraints = [
        f"generator: noise z of {latent} numbers in, a {_x(*image)} image out",
        "generator: pixels in [-1, 1] (tanh output), upsampled by Conv2DTranspose or UpSampling2D",
        f"discriminator: a {_x(*image)} image in, one probability out (Dense(1, sigmoid))",
        "discriminator: convolutional (Conv2D) with a non-linear hidden activation (LeakyReLU)",
        f"at most {budget:,} parameters in the two networks together",
    ]
    statement = (
        f"Design a GAN pair (生成对抗网络, 分析设计题) for {_x(*image)} images.\n\n"
        + "\n".join(f"{i}. {c}" for i, c in enumerate(constraints, 1))
        + "\n\nAnswer with a pair (generator, discriminator), each a Keras model or a list of "
        "Keras layers (without the Input)."
    )
    solution = (
        "The generator maps z through a Dense layer to a small map and doubles it twice with "
        "stride-2 transposed convolutions (W2 = W1·S with 'same'), ending in tanh; the "
        "discriminator halves the image twice with strided convolutions and LeakyReLU and ends "
        f"in one sigmoid unit. One answer ({total:,} parameters):\n\n```python\n{code}\n```\n\n"
        "**Answer:** the pair above."
    )

    def grade(answer) -> list[Constraint]:
        if (
            isinstance(answer, (str, bytes, dict))
            or not isinstance(answer, (list, tuple))
            or len(answer) != 2
        ):
            raise StudentCodeError(
                "Answer with a pair (generator, discriminator): two Keras models or two lists "
                f"of layers; got {type(answer).__name__} {str(answer)[:40]!r}."
            )
        g = build(answer[0], (latent,), "generator")
        d = build(answer[1], image, "discriminator")
        g_shape = _output_shape(g)
        first = (
            _holds(1, "generator shapes")
            if not isinstance(g_shape, list) and tuple(g_shape[1:]) == image
            else _fails(
                1,
                f"the generator gives {g_shape}, it must give (None, {', '.join(map(str, image))}).",
            )
        )
        upsamples = _count(g, ("Conv2DTranspose", "UpSampling2D"))
        g_act = _output_activation(g)
        if g_act != "tanh":
            second = _fails(
                2, "the generator's last layer needs activation='tanh' (pixels in [-1, 1])."
            )
        elif not upsamples:
            second = _fails(
                2, "the generator never upsamples: use Conv2DTranspose(..., strides=2)."
            )
        else:
            second = _holds(2, "tanh, upsampled")
        third = _classes_constraint(3, d, 1, "sigmoid")
        fourth = (
            _holds(4, "convolutional discriminator")
            if _count(d, _CONV_TYPES, square_kernel=True) and _hidden_nonlinearity(d)
            else _fails(
                4, "the discriminator needs a Conv2D and a hidden non-linearity (LeakyReLU)."
            )
        )
        params = g.count_params() + d.count_params()
        fifth = (
            _holds(5, f"{params:,} parameters ≤ {budget:,}")
            if params <= budget
            else _fails(
                5, f"{params:,} parameters > {budget:,}: a Dense on a large map costs most."
            )
        )
        return [first, second, third, fourth, fifth]

    check = _checker(grade)
    check.typical_mistake = (
        [
            keras.layers.Dense(size * size * channels, activation="sigmoid"),
            keras.layers.Reshape(image),
        ],
        [keras.layers.Flatten(), keras.layers.Dense(1, activation="sigmoid")],
    )
    answer = (LayerList(generator), LayerList(discriminator))
    data = dict(latent=latent, image=image, budget=budget)
    return _design_draft(statement, answer, solution, check, data, sections.GAN_ALTERNATE)
