"""Chapter 07's multilayer perceptrons: the baseline that overfits (过拟合) and one builder per remedy.

The baseline is a wide MLP (two Dense(256) layers, ~270k parameters, for 28x28x1 images): trained
for many epochs on a small subset of Fashion-MNIST it memorises the training set. Each remedy is
the baseline with one change, in its own short builder (chapter 07 writes the same models
inline in Keras; these builders serve the tests, KerasTuner's hypermodel and pruning):

    l2_mlp (L2 weight decay, 权重衰减)        dropout_mlp (随机失活)
    augmented_mlp (数据增强)                  batch_norm_mlp (批归一化)
    smaller_mlp (fewer parameters)            weak_mlp (one narrow layer, for ensembles)

Early stopping is a callback and "more data" is the baseline on more images: both train
:func:`baseline_mlp` (see :mod:`cnnkit.training.remedies`, which fits and compares them).
"""

from __future__ import annotations

import keras

INPUT_SHAPE = (28, 28, 1)


def baseline_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2, name="baseline"):
    """Flatten -> ``depth`` x Dense(units, relu) -> Dense(classes, softmax): big enough to memorise."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=name)


def l2_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2, l2=1e-3):
    """The baseline with L2 weight decay: the loss gains l2 * sum(w^2) for every hidden kernel."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(depth):
        x = keras.layers.Dense(
            units, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)
        )(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="L2")


def dropout_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2, rate=0.5):
    """The baseline with Dropout(rate) after each hidden layer (active only in training)."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
        x = keras.layers.Dropout(rate)(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="dropout")


def augmented_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2):
    """The baseline behind random flips and shifts: each epoch sees new variants of every image.

    Keras's preprocessing layers are active only in training (``model.fit``), so evaluation and
    prediction see the images unchanged.
    """
    augment = keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        ],
        name="augmentation",
    )
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(augment(inputs))
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="augmentation")


def batch_norm_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2):
    """The baseline with Dense -> BatchNormalization -> ReLU (the bias is BN's beta, so no bias)."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(depth):
        x = keras.layers.Dense(units, use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation("relu")(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="batch_norm")


def smaller_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=32, depth=2):
    """Fewer parameters: the baseline's architecture with 32 units per layer instead of 256."""
    return baseline_mlp(input_shape, classes, units=units, depth=depth, name="smaller")


def weak_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=8):
    """A deliberately weak model for ensembles (集成): the baseline with one hidden layer of ``units``."""
    return baseline_mlp(input_shape, classes, units=units, depth=1, name="weak_mlp")
