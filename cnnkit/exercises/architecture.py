"""Read a student's Keras model as a graph of layers, so a checker can compare its architecture.

A model checker must not stop at the output shape and the parameter count: pooling before the
convolutions, a missing ReLU, average instead of max pooling or a stride in the wrong place keep
both. :func:`layer_graph` gives each layer with the layers that feed it (through the public
``layer.input``/``layer.output`` tensors), :func:`chain` the layers from the input to the output
of a model without branches, :func:`step` one layer as a comparable description (kind, kernel,
filters, stride, padding, activation), and :func:`randomise` gives every weight random values, so
that comparing the model's outputs with a reference computed from the same weights tests the
computation itself (a zero bias or a BN that starts as the identity hides nothing).

Keras is imported inside the functions: importing the exercises stays instant.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnkit.exercises.core import StudentCodeError

#: Layers a checker understands; every other kind is named as unexpected.
KNOWN_KINDS = (
    "InputLayer",
    "Conv2D",
    "BatchNormalization",
    "ReLU",
    "Activation",
    "Add",
    "MaxPooling2D",
)


@dataclass
class Node:
    """One layer of the student's model and the nodes whose outputs it takes."""

    layer: object
    kind: str
    inputs: list = field(default_factory=list)


def _tensors(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else [value]


def layer_graph(model) -> tuple[list[Node], Node]:
    """(every node, the output node) of a functional or Sequential Keras model."""
    producers: dict[int, Node] = {}
    nodes: list[Node] = []
    for tensor in _tensors(model.inputs):
        node = Node(None, "InputLayer")
        producers[id(tensor)] = node
        nodes.append(node)
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        try:
            inputs = _tensors(layer.input)
            outputs = _tensors(layer.output)
        except (AttributeError, ValueError) as error:
            raise StudentCodeError(
                f"The {kind} layer is not part of one graph from the input to the output "
                f"({type(error).__name__}); build the model with keras.Input and keras.Model."
            ) from None
        node = Node(layer, kind, [producers.get(id(tensor)) for tensor in inputs])
        if any(source is None for source in node.inputs):
            raise StudentCodeError(
                f"The {kind} layer takes a tensor that does not come from the model's input: use "
                "each layer once, on the previous layer's output."
            )
        for tensor in outputs:
            producers[id(tensor)] = node
        nodes.append(node)
    output = producers.get(id(_tensors(model.outputs)[0]))
    if output is None:
        raise StudentCodeError("The model's output does not come from its layers.")
    return nodes, output


def activation_name(layer) -> str:
    """'relu', 'sigmoid', 'linear'... of a layer's ``activation`` (or of a ReLU/Activation layer)."""
    kind = type(layer).__name__
    if kind == "ReLU":
        plain = (
            getattr(layer, "max_value", None) is None
            and not float(getattr(layer, "negative_slope", 0.0) or 0.0)
            and not float(getattr(layer, "threshold", 0.0) or 0.0)
        )
        return "relu" if plain else "a modified ReLU"
    function = getattr(layer, "activation", None)
    return getattr(function, "__name__", "linear") if function is not None else "linear"


def chain(output: Node) -> list[Node] | None:
    """The nodes from the first layer after the input to ``output``; None if the model branches."""
    steps = []
    node = output
    while node.kind != "InputLayer":
        if len(node.inputs) != 1:
            return None
        steps.append(node)
        node = node.inputs[0]
    return steps[::-1]


def step(node: Node) -> dict:
    """A comparable description of one layer: kind plus the settings that matter for it."""
    layer = node.layer
    kind = node.kind
    if kind == "Activation":
        kind = "ReLU" if activation_name(layer) == "relu" else "Activation"
    description = {"kind": kind}
    if kind == "Conv2D":
        description.update(
            filters=int(layer.filters),
            kernel=tuple(int(k) for k in layer.kernel_size),
            strides=tuple(int(s) for s in layer.strides),
            padding=str(layer.padding),
            dilation=tuple(int(d) for d in layer.dilation_rate),
            activation=activation_name(layer),
            groups=int(getattr(layer, "groups", 1)),
        )
    elif kind in ("MaxPooling2D", "AveragePooling2D"):
        description.update(
            pool=tuple(int(p) for p in layer.pool_size),
            strides=tuple(int(s) for s in layer.strides),
            padding=str(layer.padding),
        )
    elif kind == "Activation":
        description.update(activation=activation_name(layer))
    return description


def merged_steps(nodes: list[Node]) -> list[dict]:
    """The chain's steps, with a ReLU layer that directly follows a linear convolution folded into
    that convolution (``Conv2D(..., activation='relu')`` and ``Conv2D`` + ``ReLU()`` are the same)."""
    steps: list[dict] = []
    for node in nodes:
        described = step(node)
        previous = steps[-1] if steps else None
        if (
            described["kind"] == "ReLU"
            and previous is not None
            and previous["kind"] == "Conv2D"
            and previous["activation"] == "linear"
        ):
            previous["activation"] = "relu"
            continue
        steps.append(described)
    return steps


def randomise(model, rng: np.random.Generator) -> None:
    """Give every weight of ``model`` random values (BN variances and scales stay positive)."""
    for variable in model.weights:
        shape = tuple(variable.shape)
        name = variable.path if hasattr(variable, "path") else variable.name
        if "moving_variance" in name or "gamma" in name:
            values = rng.uniform(0.5, 1.5, shape)
        elif "kernel" in name and len(shape) >= 2:
            values = rng.normal(0.0, 1.0 / np.sqrt(np.prod(shape[:-1])), shape)
        else:
            values = rng.normal(0.0, 0.3, shape)
        variable.assign(values.astype(str(variable.dtype)))


def outputs_of(model, x: np.ndarray) -> np.ndarray:
    """``model(x)`` in inference mode as a float64 NumPy array (the student's code may fail)."""
    import keras

    try:
        return np.asarray(keras.ops.convert_to_numpy(model(x, training=False)), dtype=float)
    except Exception as error:  # the student's model, reported
        raise StudentCodeError(
            f"Your model failed on a batch of inputs ({type(error).__name__})."
        ) from None


def conv(x, layer, *, activation: bool):
    """A Conv2D layer's computation written out with its own weights (NumPy in, NumPy out)."""
    import keras

    kernel = np.asarray(layer.kernel.numpy())
    x = np.asarray(x, dtype=kernel.dtype)
    y = keras.ops.conv(
        x, kernel, strides=tuple(layer.strides), padding=layer.padding, data_format="channels_last"
    )
    y = np.asarray(keras.ops.convert_to_numpy(y), dtype=float)
    if layer.use_bias:
        y = y + np.asarray(layer.bias.numpy(), dtype=float)
    return np.maximum(y, 0.0) if activation else y


def batch_norm(x, layer):
    """A BatchNormalization layer in inference mode, with its own (moving) statistics."""

    def value(variable):
        return np.asarray(variable.numpy(), dtype=float)

    normalised = (x - value(layer.moving_mean)) / np.sqrt(
        value(layer.moving_variance) + layer.epsilon
    )
    gamma = value(layer.gamma) if layer.scale else 1.0
    beta = value(layer.beta) if layer.center else 0.0
    return normalised * gamma + beta


def max_pool(x, size: int = 2):
    """2×2 max pooling with stride 2 ('valid'), channels last."""
    batch, height, width, channels = x.shape
    h, w = height // size, width // size
    windows = x[:, : h * size, : w * size, :].reshape(batch, h, size, w, size, channels)
    return windows.max(axis=(2, 4))
