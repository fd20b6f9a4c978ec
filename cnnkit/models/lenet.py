"""LeNet-5 (LeCun, Bottou, Bengio and Haffner, 1998): the usual Keras version and the
paper's network."""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from cnnkit.models._validation import check_classes, check_input_shape, minimum_input_size
from cnnkit.models.layers import LENET_C3_TABLE, EuclideanRBF, PartialConv2D, Subsampling

__all__ = ["lenet5", "lenet5_rbf", "rbf_loss", "rbf_prototypes"]


def lenet5(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    classes: int = 10,
    *,
    activation: str = "tanh",
    faithful: bool = False,
) -> keras.Model:
    """LeNet-5 as most Keras courses build it, after LeCun et al. (1998), the network built to
    read the digits on bank cheques. Key idea: local receptive fields, shared weights and
    subsampling, alternating convolution and pooling, then fully connected layers. The paper's
    own network is :func:`lenet5_1998`. Layers and parameters for 28x28x1 and 10 classes::

        C1  Conv2D 6@5x5, padding="same"  -> 28x28x6     5*5*1*6 + 6     =    156
        S2  MaxPooling 2x2                -> 14x14x6                          0
        C3  Conv2D 16@5x5 "valid"         -> 10x10x16    5*5*6*16 + 16   =  2,416
        S4  MaxPooling 2x2                -> 5x5x16                           0
        F5  Dense 120 (from 400)                         400*120 + 120   = 48,120
        F6  Dense 84                                     120*84 + 84     = 10,164
        out Dense 10, softmax                            84*10 + 10      =    850
                                                                    total  61,706

    Args:
        input_shape: ``(height, width, channels)``, at least 12x12.
        classes: number of output units.
        activation: activation of the convolution and hidden dense layers ("tanh" as in
            the paper, or "relu").
        faithful: build the paper's network instead, :func:`lenet5_1998` (the public API's
            ``ck.models.lenet5(faithful=True)``); a 28x28 input becomes the paper's 32x32, the
            size to which LeCun et al. padded the MNIST digits.
    """
    if faithful:
        paper_input = (
            (32, 32, input_shape[2]) if tuple(input_shape[:2]) == (28, 28) else input_shape
        )
        return lenet5_1998(paper_input, classes, activation=activation)
    classes = check_classes(classes, "lenet5")
    minimum = minimum_input_size(
        [(5, 1, "same"), (2, 2, "valid"), (5, 1, "valid"), (2, 2, "valid")]
    )
    check_input_shape(input_shape, minimum, "lenet5", "two 2x2 poolings and a 5x5 valid conv")
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(6, 5, padding="same", activation=activation, name="C1")(inputs)
    x = layers.MaxPooling2D(2, name="S2")(x)
    x = layers.Conv2D(16, 5, activation=activation, name="C3")(x)
    x = layers.MaxPooling2D(2, name="S4")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(120, activation=activation, name="F5")(x)
    x = layers.Dense(84, activation=activation, name="F6")(x)
    outputs = layers.Dense(classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="lenet5")


def lenet5_1998(
    input_shape: tuple[int, int, int] = (32, 32, 1),
    classes: int = 10,
    *,
    activation: str = "tanh",
) -> keras.Model:
    """LeNet-5 as LeCun et al. (1998) built it (at least 32x32 inputs)::

        C1  Conv2D 6@5x5 "valid"          -> 28x28x6     5*5*6 + 6       =    156
        S2  Subsampling (trainable)       -> 14x14x6     6 coeffs + 6 biases = 12
        C3  PartialConv2D, Table I        -> 10x10x16    5*5*60 + 16     =  1,516
        S4  Subsampling (trainable)       -> 5x5x16      16 + 16         =     32
        C5  Conv2D 120@5x5                -> 1x1x120     5*5*16*120 + 120 = 48,120
        F6  Dense 84                                     120*84 + 84     = 10,164
        out Dense 10, softmax                            84*10 + 10      =    850
                                                                    total  60,850

    The paper's output layer is 10 Euclidean radial basis function (RBF) units, each
    comparing F6 with a fixed 84-pixel (7x12) bitmap of its digit (:func:`lenet5_rbf`); a
    Dense softmax layer stands in for it here, as in every modern reproduction. The paper's
    squashing function is a scaled tanh, ``1.7159 * tanh(2/3 * a)``; plain ``tanh`` is the
    default here.
    """
    classes = check_classes(classes, "lenet5_1998")
    minimum = minimum_input_size(
        [(5, 1, "valid"), (2, 2, "valid"), (5, 1, "valid"), (2, 2, "valid"), (5, 1, "valid")]
    )
    check_input_shape(input_shape, minimum, "lenet5_1998", "C1, C3 and C5 are 5x5 valid convs")
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(6, 5, activation=activation, name="C1")(inputs)
    x = Subsampling(2, activation="sigmoid", name="S2")(x)
    x = PartialConv2D(LENET_C3_TABLE, kernel_size=5, activation=activation, name="C3")(x)
    x = Subsampling(2, activation="sigmoid", name="S4")(x)
    x = layers.Conv2D(120, 5, activation=activation, name="C5")(x)
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(84, activation=activation, name="F6")(x)
    outputs = layers.Dense(classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="lenet5_1998")


def rbf_prototypes(images, labels, classes: int, shape: tuple[int, int] = (12, 7)):
    """One stylised +-1 bitmap per class, as the paper's 7x12 RBF prototypes: the class's mean
    image shrunk to ``shape`` (12 rows, 7 columns) and thresholded at its median. Returns an
    array of shape ``(classes, 84)``."""
    images = np.asarray(images, dtype="float32")
    prototypes = []
    for k in range(classes):
        mean = images[np.asarray(labels) == k].mean(axis=0)
        if mean.ndim == 2:
            mean = mean[..., None]
        small = keras.ops.convert_to_numpy(keras.ops.image.resize(mean, shape))[..., 0]
        prototypes.append(np.where(small > np.median(small), 1.0, -1.0).ravel())
    return np.stack(prototypes).astype("float32")


def lenet5_rbf(input_shape=(32, 32, 1), classes=10, *, prototypes) -> keras.Model:
    """The 1998 LeNet-5 with its real output layer: the paper's trunk up to F6 (84 units, scaled
    tanh ``1.7159 tanh(2a/3)``) followed by :class:`EuclideanRBF` with the fixed ``prototypes``
    (one 84-value row per class, :func:`rbf_prototypes`). The model outputs squared distances:
    predict with ``argmin``, train with :func:`rbf_loss`."""
    if len(prototypes) != classes:
        raise ValueError(
            f"lenet5_rbf: {len(prototypes)} prototypes for {classes} classes; pass one "
            "prototype per class (rbf_prototypes(images, labels, classes))"
        )
    trunk = lenet5_1998(input_shape, classes, activation=_scaled_tanh)
    f6 = trunk.get_layer("F6").output
    distances = EuclideanRBF(prototypes, name="RBF")(f6)
    return keras.Model(trunk.input, distances, name="lenet5_rbf")


def _scaled_tanh(a):
    """LeNet-5's squashing function ``f(a) = A tanh(S a)`` with A = 1.7159 and S = 2/3."""
    return 1.7159 * keras.ops.tanh(2.0 / 3.0 * a)


def rbf_loss(y_true, distances):
    """The paper's MAP criterion without its "rubbish class" constant: the penalty of the
    correct class, plus ``log(sum_i exp(-y_i))`` pushing the other penalties up. This equals the
    softmax cross-entropy of ``-distances``."""
    return keras.losses.sparse_categorical_crossentropy(y_true, -distances, from_logits=True)
