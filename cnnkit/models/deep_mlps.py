"""Deep plain MLPs for vanishing and exploding gradients (梯度消失, 梯度爆炸), chapter 07.

In a deep stack, backpropagation multiplies one factor per layer. With sigmoid (derivative at most
1/4) the factors are small and the gradient shrinks layer by layer towards the input; with weights
that are too large it grows instead. ReLU with He initialisation (Var w = 2 / fan_in) keeps the
scale roughly constant; batch normalisation re-centres and re-scales every layer on top of that.
:mod:`cnnkit.training.gradients` measures the per-layer gradient norms of these networks.
"""

from __future__ import annotations

import re

import keras

#: The four deep networks compared: (activation, kernel initializer, batch norm).
DEEP_VARIANTS = {
    "sigmoid (Glorot)": ("sigmoid", "glorot_uniform", False),
    "ReLU, too-large init N(0, 1)": ("relu", keras.initializers.RandomNormal(stddev=1.0), False),
    "ReLU (He)": ("relu", "he_normal", False),
    "ReLU + BN (He)": ("relu", "he_normal", True),
}


def deep_mlp(input_shape=(784,), classes=10, *, variant="ReLU (He)", depth=12, units=64):
    """A ``depth``-layer MLP on flat inputs, of one of ``DEEP_VARIANTS`` ("sigmoid (Glorot)", ...)."""
    if variant not in DEEP_VARIANTS:
        raise ValueError(f"unknown variant {variant!r}; choose one of {', '.join(DEEP_VARIANTS)}")
    activation, initializer, batch_norm = DEEP_VARIANTS[variant]
    inputs = keras.Input(input_shape)
    x = inputs
    for index in range(depth):
        x = keras.layers.Dense(
            units,
            kernel_initializer=initializer,
            use_bias=not batch_norm,
            name=f"dense_{index + 1}",
        )(x)
        if batch_norm:
            x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation(activation)(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="output")(x)
    # Keras model names must be valid scope names: "ReLU + BN (He)" -> "ReLU_BN_He"
    return keras.Model(inputs, outputs, name="_".join(re.findall(r"[A-Za-z0-9]+", variant)))
