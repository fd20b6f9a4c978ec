"""Design questions (分析设计题): a goal and constraints; the student's Keras model (or list of
layers) is built, measured with ``ck.explain`` and checked constraint by constraint.

Constraints: the input shape, the number of classes (softmax output), a parameter budget and a
minimum receptive field of the last convolutional feature map (before global pooling/Flatten,
which see the whole image by construction).
"""

from __future__ import annotations

import math
import random
import re

from cnnkit.exercises.core import Result, StudentCodeError, correct, incorrect
from cnnkit.review import sections
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import _keras, _x

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _conv_like(layer) -> tuple[int, int, int] | None:
    """(kernel, stride, dilation) along the first spatial axis for conv and local pooling layers."""
    keras = _keras()
    name = type(layer).__name__
    if name.startswith("Global"):
        return None
    if isinstance(
        layer, keras.layers.Conv2D | keras.layers.DepthwiseConv2D | keras.layers.SeparableConv2D
    ):
        return layer.kernel_size[0], layer.strides[0], layer.dilation_rate[0]
    if "Pooling2D" in name:
        return layer.pool_size[0], layer.strides[0], 1
    return None


def receptive_field_of(model) -> int:
    """Receptive field of the last convolutional map, walking the layers in order."""
    from cnnkit import formulas

    stack = [spec for layer in model.layers if (spec := _conv_like(layer)) is not None]
    return formulas.receptive_field(stack) if stack else 1


def _build(answer, input_shape):
    """A built Keras model from a model or a list of layers (copied, so they can be reused)."""
    keras = _keras()
    if isinstance(answer, keras.Model):
        if not answer.built:
            raise StudentCodeError("Your model is not built: start it with keras.Input(shape=...).")
        got = tuple(answer.input_shape[1:]) if not isinstance(answer.input_shape, list) else None
        if got != tuple(input_shape):
            raise StudentCodeError(
                f"Constraint 1 fails: the model's input is {got}, the goal is {input_shape}."
            )
        return answer
    if isinstance(answer, (str, bytes)) or not isinstance(answer, (list, tuple)) or not answer:
        raise StudentCodeError(
            "Answer with a Keras model or a list of Keras layers, e.g. "
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
        layers.append(type(layer).from_config(layer.get_config()))
    try:
        return keras.Sequential([keras.Input(input_shape), *layers])
    except Exception as error:  # the layers do not fit together: say where, without a traceback
        text = _ANSI.sub("", str(error)).strip().splitlines()[0][:200]
        raise StudentCodeError(
            f"Keras cannot build these layers on {input_shape}: {text}"
        ) from None


def _reference_layers(input_shape, classes, field):
    """Blocks of 3×3 conv + 2×2 max pooling until the field is reached, then GAP and softmax."""
    keras = _keras()
    layers, code, stack, filters = [], [], [], 16
    while True:
        layers.append(keras.layers.Conv2D(filters, 3, padding="same", activation="relu"))
        code.append(f'keras.layers.Conv2D({filters}, 3, padding="same", activation="relu"),')
        stack.append((3, 1))
        from cnnkit import formulas

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
    return layers, "[\n    " + "\n    ".join(code) + "\n]"


def cnn_design(rng: random.Random) -> Draft:
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
        f"receptive field of the last convolutional feature map at least {field}×{field}",
    ]
    statement = (
        f"Design a CNN (分析设计题) for {_x(*input_shape)} images and {classes} classes.\n\n"
        + "\n".join(f"{i}. {c}" for i, c in enumerate(constraints, 1))
        + "\n\nAnswer with a Keras model or a list of Keras layers (without the Input); it is "
        "built and measured with `ck.explain`."
    )
    solution = (
        "Stack 3×3 convolutions ('same' padding) with 2×2 max pooling: each pooling doubles the "
        "jump, so the receptive field grows fast (r = 1 + Σ (k - 1)·jump). Global average pooling "
        "instead of Flatten + Dense keeps the parameters low, and a softmax Dense gives the "
        f"classes. One answer ({reference.count_params():,} parameters, receptive field "
        f"{receptive_field_of(reference)}):\n\n```python\n{code}\n```\n\n**Answer:** the list above."
    )

    def check(answer) -> Result:
        from cnnkit.layer_table import explain

        model = _build(answer, input_shape)
        outputs = model.output_shape
        if isinstance(outputs, list) or tuple(outputs[1:]) != (classes,):
            return incorrect(
                f"Constraint 2 fails: the output shape is {outputs}, it must be (None, {classes})."
            )
        activation = getattr(getattr(model.layers[-1], "activation", None), "__name__", "")
        if activation != "softmax" and type(model.layers[-1]).__name__ != "Softmax":
            return incorrect(
                "Constraint 2 fails: the last layer must output probabilities: activation='softmax'."
            )
        table = explain(model, print_total=False)
        total = int(table["parameters"].sum())
        if total > budget:
            position = int(table["parameters"].to_numpy().argmax())
            worst = table.iloc[position]
            # Named by position and type: Keras's automatic layer names change from run to run.
            return incorrect(
                f"Constraint 3 fails: {total:,} parameters > {budget:,}. The largest layer is "
                f"layer {position + 1}, {worst['type']}: {worst['formula']}. Global average "
                "pooling instead of Flatten, or fewer filters, saves most."
            )
        got_field = receptive_field_of(model)
        if got_field < field:
            return incorrect(
                f"Constraint 4 fails: the receptive field is {got_field}×{got_field} < "
                f"{field}×{field}. Add a 3×3 convolution or a pooling layer (pooling doubles the jump)."
            )
        return correct(
            f"Correct: every constraint holds ({total:,} parameters ≤ {budget:,}; receptive field "
            f"{got_field} ≥ {field}; output {classes} probabilities)."
        )

    check.typical_mistake = [
        keras.layers.Flatten(),
        keras.layers.Dense(classes, activation="softmax"),
    ]

    def verify():
        result = check(layers)
        return result.status == "correct", result.message

    data = dict(input_shape=input_shape, classes=classes, budget=budget, field=field)
    return Draft(
        statement,
        layers,
        solution,
        check,
        verify,
        data,
        kind="design",
        source=sections.TYPICAL_STACK,
    )
