"""Three later ideas, one block each (DenseNet 2017, SENet 2018, EfficientNet 2019).

- :func:`dense_block`: every layer reads the concatenation of all earlier maps and adds
  ``growth`` new channels (DenseNet): ``C_out = C_in + layers * growth``.
- :func:`squeeze_excitation`: global average pooling ("squeeze") to one number per channel, two
  dense layers ("excitation", ``C -> C/r -> C``, sigmoid), then every channel is multiplied by
  its weight (channel attention): ``2 C^2 / r + C / r + C`` parameters.
- :func:`mbconv_block`: EfficientNet's inverted residual block (from MobileNetV2): 1x1
  expansion to ``t * C``, depthwise ``k x k``, squeeze-excitation, 1x1 projection, and an
  identity shortcut when the shape allows it.
"""

from __future__ import annotations

from keras import layers

__all__ = ["dense_block", "mbconv_block", "squeeze_excitation"]


def dense_block(x, n_layers: int, growth: int, name: str = "dense"):
    """DenseNet block: ``n_layers`` times BN-ReLU-3x3 conv (``growth`` filters, no bias), each
    output concatenated to everything before it. Conv weights of layer ``i`` (from 0):
    ``9 * (C_in + i * growth) * growth``."""
    for i in range(1, n_layers + 1):
        y = layers.BatchNormalization(name=f"{name}_{i}_bn")(x)
        y = layers.ReLU(name=f"{name}_{i}_relu")(y)
        y = layers.Conv2D(growth, 3, padding="same", use_bias=False, name=f"{name}_{i}_conv")(y)
        x = layers.Concatenate(name=f"{name}_{i}_concat")([x, y])
    return x


def squeeze_excitation(x, ratio: int = 16, name: str = "se", squeezed: int | None = None):
    """SENet block: ``x * sigmoid(W2 relu(W1 GAP(x)))``, one weight in (0, 1) per channel.
    ``squeezed`` (default ``C // ratio``) is the width of the bottleneck dense layer."""
    channels = x.shape[-1]
    squeezed = squeezed or max(1, channels // ratio)
    s = layers.GlobalAveragePooling2D(keepdims=True, name=f"{name}_squeeze")(x)
    s = layers.Dense(squeezed, activation="relu", name=f"{name}_reduce")(s)
    s = layers.Dense(channels, activation="sigmoid", name=f"{name}_expand")(s)
    return layers.Multiply(name=f"{name}_scale")([x, s])


def mbconv_block(
    x,
    filters: int,
    *,
    expand: int = 6,
    kernel: int = 3,
    strides: int = 1,
    se_ratio: float = 0.25,
    name: str = "mbconv",
):
    """EfficientNet's MBConv: 1x1 conv to ``expand * C_in`` (BN, swish), depthwise
    ``kernel x kernel`` (BN, swish), squeeze-excitation squeezing to ``C_in * se_ratio``
    channels, 1x1 conv to ``filters`` (BN, no activation: a linear bottleneck), plus the input
    when ``strides == 1`` and ``filters == C_in``."""
    channels = x.shape[-1]
    y = layers.Conv2D(channels * expand, 1, use_bias=False, name=f"{name}_expand")(x)
    y = layers.Activation("swish", name=f"{name}_expand_swish")(
        layers.BatchNormalization(name=f"{name}_expand_bn")(y)
    )
    y = layers.DepthwiseConv2D(
        kernel, strides=strides, padding="same", use_bias=False, name=f"{name}_depthwise"
    )(y)
    y = layers.Activation("swish", name=f"{name}_depthwise_swish")(
        layers.BatchNormalization(name=f"{name}_depthwise_bn")(y)
    )
    y = squeeze_excitation(y, name=f"{name}_se", squeezed=max(1, int(channels * se_ratio)))
    y = layers.Conv2D(filters, 1, use_bias=False, name=f"{name}_project")(y)
    y = layers.BatchNormalization(name=f"{name}_project_bn")(y)
    if strides == 1 and filters == channels:
        y = layers.Add(name=f"{name}_add")([x, y])
    return y
