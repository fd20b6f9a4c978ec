"""VGG (Simonyan and Zisserman, 2014): configurations A to E, and a small BN VGG for
Fashion-MNIST."""

from __future__ import annotations

import keras
from keras import layers

from cnnkit.models._validation import check_classes, check_input_shape, minimum_input_size
from cnnkit.models.layers import LocalResponseNormalization

__all__ = ["VGG_CONFIGS", "VGG_LETTERS", "VGG_PAPER_MILLIONS", "vgg", "vgg_block", "vgg_small"]

#: Table 1 of the paper, in its own notation, one tuple per block (each block ends with a 2x2
#: max pooling): "conv3-64" is a 3x3 convolution with 64 filters, "conv1-256" a 1x1
#: convolution, "LRN" local response normalisation.
VGG_CONFIGS: dict[str, tuple[tuple[str, ...], ...]] = {
    "A": (
        ("conv3-64",),
        ("conv3-128",),
        ("conv3-256",) * 2,
        ("conv3-512",) * 2,
        ("conv3-512",) * 2,
    ),
    "A-LRN": (
        ("conv3-64", "LRN"),
        ("conv3-128",),
        ("conv3-256",) * 2,
        ("conv3-512",) * 2,
        ("conv3-512",) * 2,
    ),
    "B": (("conv3-64",) * 2, ("conv3-128",) * 2, ("conv3-256",) * 2) + (("conv3-512",) * 2,) * 2,
    "C": (
        ("conv3-64",) * 2,
        ("conv3-128",) * 2,
        ("conv3-256", "conv3-256", "conv1-256"),
        ("conv3-512", "conv3-512", "conv1-512"),
        ("conv3-512", "conv3-512", "conv1-512"),
    ),
    "D": (("conv3-64",) * 2, ("conv3-128",) * 2, ("conv3-256",) * 3) + (("conv3-512",) * 3,) * 2,
    "E": (("conv3-64",) * 2, ("conv3-128",) * 2, ("conv3-256",) * 4) + (("conv3-512",) * 4,) * 2,
}
#: The paper's letter for each depth that names a single configuration (VGG-16 is D; C is the
#: other 16-layer configuration, with three 1x1 convolutions).
VGG_LETTERS = {11: "A", 13: "B", 16: "D", 19: "E"}
#: "Number of parameters (in millions)", Table 2 of the paper.
VGG_PAPER_MILLIONS = {"A": 133, "A-LRN": 133, "B": 133, "C": 134, "D": 138, "E": 144}
_NAMES = {
    "A": "vgg11",
    "A-LRN": "vgg11_lrn",
    "B": "vgg13",
    "C": "vgg16_c",
    "D": "vgg16",
    "E": "vgg19",
}


def vgg_block(x, layer_specs, block: int, batch_norm: bool = False):
    """One VGG block: its convolutions (stride 1, "same" padding, ReLU), then 2x2 max pooling.

    ``layer_specs`` in the paper's notation, e.g. ``("conv3-256", "conv3-256", "conv1-256")``.
    Layers are named ``block3_conv1`` ... and ``block3_pool``, as in keras.applications.
    """
    conv = 0
    for spec in layer_specs:
        if spec == "LRN":
            x = LocalResponseNormalization(name=f"block{block}_lrn")(x)
            continue
        kernel, filters = (int(n) for n in spec.removeprefix("conv").split("-"))
        conv += 1
        name = f"block{block}_conv{conv}"
        if batch_norm:
            x = layers.Conv2D(filters, kernel, padding="same", name=name)(x)
            x = layers.BatchNormalization(name=f"{name}_bn")(x)
            x = layers.Activation("relu", name=f"{name}_relu")(x)
        else:
            x = layers.Conv2D(filters, kernel, padding="same", activation="relu", name=name)(x)
    return layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)


def vgg(
    config: int | str = 16,
    input_shape: tuple[int, int, int] = (224, 224, 3),
    classes: int = 1000,
    *,
    batch_norm: bool = False,
) -> keras.Model:
    """VGG (2014), configurations A, A-LRN, B, C, D, E of the paper (``config`` is the letter,
    or the depth 11, 13, 16, 19 for A, B, D, E). Key idea: only 3x3 convolutions (stride 1,
    padding 1) and 2x2 max pooling, so depth is the one thing that varies: two stacked 3x3
    convolutions see a 5x5 field and three see 7x7, with fewer parameters (3 * 9C^2 = 27C^2
    instead of 49C^2) and more non-linearities. Channels double after each pooling,
    64 -> 512; then three fully connected layers 4096-4096-classes.

    Parameter counts on 224x224x3 with 1,000 classes (``batch_norm=False``), beside the
    paper's Table 2 (133, 133, 133, 134, 138, 144 million): A 132,863,336; A-LRN 132,863,336
    (LRN has no parameters); B 133,047,848; C 133,638,952; D 138,357,544; E 143,667,240.
    D and E equal ``keras.applications.VGG16/VGG19(weights=None)``, with the same layer names.

    ``batch_norm=True`` puts a BatchNormalization between every convolution and its ReLU
    (the later "VGG-BN" variant); the convolutions then keep their biases, as in
    torchvision's ``vgg16_bn``.
    """
    letter = VGG_LETTERS.get(config, config) if isinstance(config, int) else config
    if letter not in VGG_CONFIGS:
        raise ValueError(
            f"vgg: depth must be one of {sorted(VGG_LETTERS)} or a configuration letter "
            f"{list(VGG_CONFIGS)}; got {config!r}"
        )
    classes = check_classes(classes, "vgg")
    poolings = [(2, 2, "valid")] * len(VGG_CONFIGS[letter])
    check_input_shape(
        input_shape,
        minimum_input_size(poolings),
        f"vgg(config={config!r})",
        "five 2x2 max poolings",
    )
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for block, layer_specs in enumerate(VGG_CONFIGS[letter], start=1):
        x = vgg_block(x, layer_specs, block, batch_norm=batch_norm)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc1")(x)
    x = layers.Dropout(0.5, name="drop1")(x)
    x = layers.Dense(4096, activation="relu", name="fc2")(x)
    x = layers.Dropout(0.5, name="drop2")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=_NAMES[letter] + ("_bn" if batch_norm else ""))


def vgg_small(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    classes: int = 10,
    *,
    filters: tuple[int, int] = (32, 64),
    units: int = 128,
    dropout: float = 0.3,
) -> keras.Model:
    """A VGG-style network small enough to train on a laptop CPU (Fashion-MNIST).

    The VGG recipe scaled down: two blocks of two 3x3 "same" convolutions (no bias), each
    followed by batch normalisation and ReLU, and a 2x2 max pooling, channels doubling
    (32-32-pool-64-64-pool), then VGG's fully connected head made small: Flatten, dropout,
    ``Dense(units)`` with ReLU, softmax. On 28x28x1 with 10 classes: 468,394 parameters
    (468,010 trainable; the other 384 are the BN moving statistics). Chapter 04 trains it with
    Adam and a one-cycle learning rate and states the test accuracy it reaches as a claim.

    Args:
        input_shape: ``(height, width, channels)``, at least 4x4 (two 2x2 poolings).
        classes: number of output units.
        filters: channels of the two blocks.
        units: width of the hidden dense layer.
        dropout: dropout rate before the hidden dense layer.
    """
    classes = check_classes(classes, "vgg_small")
    check_input_shape(input_shape, 4, "vgg_small", "two 2x2 max poolings")
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for block, n in enumerate(filters, start=1):
        for conv in (1, 2):
            name = f"block{block}_conv{conv}"
            x = layers.Conv2D(n, 3, padding="same", use_bias=False, name=name)(x)
            x = layers.BatchNormalization(name=f"{name}_bn")(x)
            x = layers.Activation("relu", name=f"{name}_relu")(x)
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    x = layers.Dense(units, activation="relu", name="fc1")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="vgg_small")
