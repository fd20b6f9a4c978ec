"""MobileNet (Howard et al., 2017): depthwise-separable convolutions."""

from __future__ import annotations

import keras
from keras import layers

from cnnkit.models._validation import check_classes, check_input_shape

__all__ = ["MOBILENET_BLOCKS", "mobilenet", "mobilenet_block", "separable_saving"]

#: (pointwise filters, stride) of MobileNet v1's 13 depthwise-separable blocks (Table 1).
MOBILENET_BLOCKS: tuple[tuple[int, int], ...] = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


def separable_saving(
    kernel_size: int, in_channels: int, filters: int, use_bias: bool = False
) -> tuple[int, int, float]:
    """Parameters of a standard convolution versus a depthwise-separable one doing the same
    job, and their ratio ``separable / standard``.

    With kernel ``F x F``, ``D1`` input channels and ``K`` filters (no biases, as in
    MobileNet where batch normalisation follows every convolution)::

        standard  = F*F*D1*K
        separable = F*F*D1 + D1*K          (depthwise F x F per channel, then 1x1 pointwise)
        ratio     = separable / standard = 1/K + 1/F**2

    Example: ``separable_saving(3, 32, 64)`` -> ``(18432, 2336, 0.1267...)``: about 8x fewer
    weights (and, at every output position, 8x fewer multiply-adds). With ``use_bias=True``
    both counts include ``K`` biases (``Conv2D`` and ``SeparableConv2D`` defaults).
    Uses :func:`cnnkit.formulas.conv_params` and :func:`cnnkit.formulas.separable_conv_params`.
    """
    from cnnkit.formulas import conv_params, separable_conv_params

    standard = conv_params(kernel_size, in_channels, filters, use_bias=use_bias)
    separable = separable_conv_params(kernel_size, in_channels, filters, use_bias=use_bias)
    return standard, separable, separable / standard


def mobilenet_block(x, filters: int, stride: int, name: str):
    """One depthwise-separable block of MobileNet v1:
    ``{name}_dw`` 3x3 depthwise conv (stride ``stride``) -> ``{name}_dw_bn`` ->
    ``{name}_dw_relu`` -> ``{name}_pw`` 1x1 pointwise conv to ``filters`` ->
    ``{name}_pw_bn`` -> ``{name}_pw_relu``. No biases (BN follows).

    Parameters with ``C`` input channels: ``9C + 4C`` (depthwise + BN) ``+ C*filters +
    4*filters`` (pointwise + BN; half of each BN's 4 per channel are trainable).
    """
    x = layers.DepthwiseConv2D(
        3, strides=stride, padding="same", use_bias=False, name=f"{name}_dw"
    )(x)
    x = layers.BatchNormalization(name=f"{name}_dw_bn")(x)
    x = layers.Activation("relu", name=f"{name}_dw_relu")(x)
    x = layers.Conv2D(filters, 1, padding="same", use_bias=False, name=f"{name}_pw")(x)
    x = layers.BatchNormalization(name=f"{name}_pw_bn")(x)
    return layers.Activation("relu", name=f"{name}_pw_relu")(x)


def mobilenet(
    input_shape: tuple[int, int, int] = (224, 224, 3),
    classes: int = 1000,
    *,
    alpha: float = 1.0,
    dropout: float = 1e-3,
) -> keras.Model:
    """MobileNet v1 (2017), an efficient network for phones. Key idea: replace each
    standard convolution by a depthwise-separable one (a 3x3 depthwise convolution per
    channel, then a 1x1 pointwise convolution that mixes channels), about 8-9x cheaper;
    a width multiplier ``alpha`` thins every layer.

    Layout: 3x3/2 conv with 32 filters, BN, ReLU; 13 :func:`mobilenet_block` s
    (:data:`MOBILENET_BLOCKS`); global average pooling, dropout, dense softmax.
    On 224x224x3 with 1,000 classes and ``alpha=1``: **4,253,864** parameters (4,231,976
    trainable), the same as ``keras.applications.MobileNet(weights=None)`` (which uses
    ReLU6; the paper, and this builder, use ReLU).

    Args:
        input_shape: ``(height, width, channels)``, at least 32x32 (five stride-2 steps).
        classes: number of output units.
        alpha: width multiplier (1.0, 0.75, 0.5, 0.25 in the paper).
        dropout: dropout rate before the classifier.
    """
    classes = check_classes(classes, "mobilenet")
    if not alpha > 0:
        raise ValueError(f"mobilenet: alpha must be > 0; got {alpha!r}")
    check_input_shape(input_shape, 32, "mobilenet", "five stride-2 steps divide it by 32")
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(int(32 * alpha), 3, strides=2, padding="same", use_bias=False, name="conv1")(
        inputs
    )
    x = layers.BatchNormalization(name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    for i, (filters, stride) in enumerate(MOBILENET_BLOCKS, start=1):
        x = mobilenet_block(x, int(filters * alpha), stride, name=f"block{i}")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    suffix = "" if alpha == 1.0 else f"_{alpha:g}"
    return keras.Model(inputs, outputs, name=f"mobilenet{suffix}")
