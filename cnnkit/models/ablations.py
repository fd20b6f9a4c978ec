"""Small networks that differ in exactly one design choice (chapter 04's CPU experiments).

Each builder returns a functional ``keras.Model`` for small grey images (14x14x1 by default)
ending in global average pooling and a softmax layer, so that two calls with different
arguments differ only in the choice the experiment measures:

- :func:`activation_net`: the same four-convolution CNN with ReLU, tanh or sigmoid.
- :func:`bn_order_net`: ``conv-BN-ReLU`` against ``conv-ReLU-BN`` in a plain stack.
- :func:`bn_residual_net`: in a residual block, batch normalisation *before* the addition
  (the ResNet paper) or *after* it.
- :func:`receptive_field_net`: one 7x7 convolution against three stacked 3x3 convolutions (the
  same 7x7 receptive field), and a strided convolution against max pooling for downsampling.
- :func:`padding_net`: ``'same'`` against ``'valid'`` padding; :func:`max_valid_depth` says how
  many 3x3 'valid' convolutions an image allows before nothing is left.
"""

from __future__ import annotations

import keras
from keras import layers

from cnnkit.models._validation import check_classes, check_input_shape

__all__ = [
    "activation_net",
    "bn_order_net",
    "bn_residual_net",
    "receptive_field_net",
    "max_valid_depth",
    "padding_net",
]

_ORDERS = ("conv-bn-relu", "conv-relu-bn")
_BN_POSITIONS = ("before-add", "after-add")


def _head(x, classes):
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    return layers.Dense(classes, activation="softmax", name="predictions")(x)


def activation_net(input_shape=(14, 14, 1), classes=10, *, activation="relu"):
    """Four 3x3 'same' convolutions (16, 16, 32, 32 filters, no batch normalisation) with the
    given ``activation``, then the head: only the activation differs between two calls."""
    classes = check_classes(classes, "activation_net")
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for i, filters in enumerate((16, 16, 32, 32), start=1):
        x = layers.Conv2D(filters, 3, padding="same", activation=activation, name=f"conv{i}")(x)
    return keras.Model(inputs, _head(x, classes), name=f"cnn_{activation}")


def bn_order_net(input_shape=(14, 14, 1), classes=10, *, order="conv-bn-relu", width=16, convs=6):
    """``convs`` 3x3 convolutions (``width`` filters, then ``2 * width`` after a 2x2 max pooling
    half-way), each followed by BN and ReLU in the given ``order``."""
    if order not in _ORDERS:
        raise ValueError(f"bn_order_net: order must be one of {_ORDERS}; got {order!r}")
    classes = check_classes(classes, "bn_order_net")
    check_input_shape(input_shape, 2, "bn_order_net", "one 2x2 max pooling")
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for i in range(1, convs + 1):
        if i == convs // 2 + 1:
            x = layers.MaxPooling2D(2, name="pool")(x)
        filters = width if i <= convs // 2 else 2 * width
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=f"conv{i}")(x)
        if order == "conv-bn-relu":
            x = layers.BatchNormalization(name=f"conv{i}_bn")(x)
            x = layers.ReLU(name=f"conv{i}_relu")(x)
        else:
            x = layers.ReLU(name=f"conv{i}_relu")(x)
            x = layers.BatchNormalization(name=f"conv{i}_bn")(x)
    return keras.Model(inputs, _head(x, classes), name=order.replace("-", "_"))


def bn_residual_net(
    input_shape=(14, 14, 1), classes=10, *, bn_position="before-add", width=16, blocks=3
):
    """A 3x3 conv-BN-ReLU stem, then ``blocks`` basic residual blocks of ``width`` filters.

    ``"before-add"`` (the ResNet paper): ``y = ReLU(BN(conv(ReLU(BN(conv(x))))) + x)``.
    ``"after-add"``: ``y = ReLU(BN(conv(ReLU(BN(conv(x)))) + x))``: the second BN moves behind
    the addition, so it also normalises the shortcut.
    """
    if bn_position not in _BN_POSITIONS:
        raise ValueError(
            f"bn_residual_net: bn_position must be one of {_BN_POSITIONS}; got {bn_position!r}"
        )
    classes = check_classes(classes, "bn_residual_net")
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(width, 3, padding="same", use_bias=False, name="stem")(inputs)
    x = layers.ReLU(name="stem_relu")(layers.BatchNormalization(name="stem_bn")(x))
    for b in range(1, blocks + 1):
        y = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{b}_conv1")(x)
        y = layers.ReLU(name=f"block{b}_relu1")(layers.BatchNormalization(name=f"block{b}_bn1")(y))
        y = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"block{b}_conv2")(y)
        if bn_position == "before-add":
            y = layers.BatchNormalization(name=f"block{b}_bn2")(y)
            x = layers.Add(name=f"block{b}_add")([x, y])
        else:
            x = layers.Add(name=f"block{b}_add")([x, y])
            x = layers.BatchNormalization(name=f"block{b}_bn2")(x)
        x = layers.ReLU(name=f"block{b}_out")(x)
    return keras.Model(inputs, _head(x, classes), name=bn_position.replace("-", "_"))


def receptive_field_net(
    input_shape=(14, 14, 1), classes=10, *, field="3x3-stack", downsample="pool", width=32
):
    """A 3x3 stem convolution (``width`` filters), then a 7x7 receptive field built either as
    ``field="7x7"`` (one 7x7 convolution, ``49 C^2`` weights) or ``"3x3-stack"`` (three 3x3
    convolutions, ``27 C^2`` weights, three ReLUs), all "same" with ``C = width`` filters; then
    a downsampling by 2, ``downsample="pool"`` (2x2 max pooling, no weights) or ``"stride"`` (a
    3x3 convolution with stride 2, which learns how to downsample); then one 3x3 convolution with
    ``2 * width`` filters and the head."""
    if field not in ("7x7", "3x3-stack"):
        raise ValueError(f"receptive_field_net: field must be '7x7' or '3x3-stack'; got {field!r}")
    if downsample not in ("pool", "stride"):
        raise ValueError(
            f"receptive_field_net: downsample must be 'pool' or 'stride'; got {downsample!r}"
        )
    classes = check_classes(classes, "receptive_field_net")
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(width, 3, padding="same", activation="relu", name="stem")(inputs)
    if field == "7x7":
        x = layers.Conv2D(width, 7, padding="same", activation="relu", name="conv7x7")(x)
    else:
        for i in (1, 2, 3):
            x = layers.Conv2D(width, 3, padding="same", activation="relu", name=f"conv3x3_{i}")(x)
    if downsample == "pool":
        x = layers.MaxPooling2D(2, name="pool")(x)
    else:
        x = layers.Conv2D(width, 3, strides=2, padding="same", activation="relu", name="stride")(x)
    x = layers.Conv2D(2 * width, 3, padding="same", activation="relu", name="conv_last")(x)
    return keras.Model(inputs, _head(x, classes), name=f"{field}_{downsample}".replace("-", "_"))


def max_valid_depth(size: int, kernel: int = 3) -> int:
    """How many ``kernel`` x ``kernel`` 'valid' convolutions (stride 1) fit on a ``size`` image:
    each removes ``kernel - 1`` pixels, and at least a 1x1 map must remain:
    ``(size - 1) // (kernel - 1)``."""
    if size < 1 or kernel < 2:
        raise ValueError(f"max_valid_depth: need size >= 1 and kernel >= 2; got {size}, {kernel}")
    return (size - 1) // (kernel - 1)


def padding_net(input_shape=(14, 14, 1), classes=10, *, padding="same", convs=6, width=32):
    """``convs`` 3x3 convolutions with ReLU and the given ``padding``, then the head.

    With ``'valid'`` every convolution shrinks the map by 2, so a 14x14 image allows at most
    :func:`max_valid_depth` (14) = 6 of them (down to 2x2); ``'same'`` keeps 14x14 at any depth.
    """
    if padding not in ("same", "valid"):
        raise ValueError(f"padding_net: padding must be 'same' or 'valid'; got {padding!r}")
    classes = check_classes(classes, "padding_net")
    if padding == "valid" and convs > max_valid_depth(input_shape[0]):
        raise ValueError(
            f"padding_net: {convs} 'valid' 3x3 convolutions need an input of at least "
            f"{2 * convs + 1}x{2 * convs + 1}; {input_shape[0]}x{input_shape[1]} allows "
            f"{max_valid_depth(input_shape[0])}. Use padding='same' or fewer convolutions."
        )
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for i in range(1, convs + 1):
        x = layers.Conv2D(width, 3, padding=padding, activation="relu", name=f"conv{i}")(x)
    return keras.Model(inputs, _head(x, classes), name=f"{padding}_{convs}")
