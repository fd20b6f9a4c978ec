"""AlexNet (Krizhevsky, Sutskever and Hinton, 2012) and ZFNet (Zeiler and Fergus, 2013)."""

from __future__ import annotations

from collections.abc import Sequence

import keras
import numpy as np
from keras import layers

from cnnkit.models._validation import check_classes, check_input_shape, minimum_input_size
from cnnkit.models.layers import LocalResponseNormalization

__all__ = ["alexnet", "pca_colour_augmentation", "rgb_principal_components", "zfnet"]

# (kernel, stride, padding) of every window operation on AlexNet's path.
_ALEXNET_PATH = [
    (11, 4, "valid"),  # conv1
    (3, 2, "valid"),  # pool1
    (5, 1, "same"),  # conv2
    (3, 2, "valid"),  # pool2
    (3, 1, "same"),  # conv3
    (3, 1, "same"),  # conv4
    (3, 1, "same"),  # conv5
    (3, 2, "valid"),  # pool5
]

_ZFNET_PATH = [
    (7, 2, 1),  # conv1 on a 1-pixel zero-padded input: 224 -> 110
    (3, 2, "same"),  # pool1: 110 -> 55
    (5, 2, "valid"),  # conv2: 55 -> 26
    (3, 2, "same"),  # pool2: 26 -> 13
    (3, 1, "same"),  # conv3
    (3, 1, "same"),  # conv4
    (3, 1, "same"),  # conv5
    (3, 2, "valid"),  # pool5: 13 -> 6
]


def _classifier(x, classes: int, dropout: float):
    """fc6 and fc7 (4096 ReLU units, dropout 0.5 after each) and the softmax output fc8."""
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dense(4096, activation="relu", name="fc6")(x)
    x = layers.Dropout(dropout, name="drop6")(x)
    x = layers.Dense(4096, activation="relu", name="fc7")(x)
    x = layers.Dropout(dropout, name="drop7")(x)
    return layers.Dense(classes, activation="softmax", name="fc8")(x)


def alexnet(
    input_shape: tuple[int, int, int] = (227, 227, 3),
    classes: int = 1000,
    *,
    groups: int = 1,
    dropout: float = 0.5,
) -> keras.Model:
    """AlexNet (2012), the network that won ImageNet (ILSVRC-2012) and started the deep
    learning era of computer vision. Key ideas: ReLU instead of tanh, dropout in the fully
    connected layers, data augmentation, local response normalisation (LRN), overlapping
    max pooling (3x3 windows with stride 2), and training on two GPUs.

    Five convolutions and three fully connected layers; on 227x227x3 with 1,000 classes::

        conv1  96@11x11 stride 4, ReLU, LRN, maxpool 3x3/2   55 -> 27    34,944
        conv2 256@5x5 "same",    ReLU, LRN, maxpool 3x3/2   27 -> 13   614,656
        conv3 384@3x3                                        13        885,120
        conv4 384@3x3                                        13      1,327,488
        conv5 256@3x3,           maxpool 3x3/2              13 -> 6    884,992
        fc6  4096 (from 6*6*256 = 9,216), dropout 0.5              37,752,832
        fc7  4096, dropout 0.5                                     16,781,312
        fc8  1000 softmax                                           4,097,000
                                                            total 62,378,344

    ``groups=1`` (default) builds the single-stream network (62,378,344 parameters, the
    "about 60 million" of the paper). ``groups=2`` reproduces the two-GPU split: conv2, conv4
    and conv5 only see the feature maps on their own GPU, i.e. ``Conv2D(groups=2)``, which
    halves their weights (conv2 307,456; conv4 663,936; conv5 442,624): 60,965,224
    parameters. (conv3 and the dense layers communicate across the GPUs in the paper.)
    The paper's 224x224 input only works out with 227x227 (or padding), so 227 is used.

    Args:
        input_shape: ``(height, width, channels)``, at least 67x67.
        classes: number of output units.
        groups: 1 for one stream, 2 for the paper's two-GPU grouping.
        dropout: dropout rate after fc6 and fc7 (0.5 in the paper).
    """
    classes = check_classes(classes, "alexnet")
    if groups not in (1, 2):
        raise ValueError(f"alexnet: groups must be 1 (one stream) or 2 (two GPUs); got {groups!r}")
    check_input_shape(
        input_shape,
        minimum_input_size(_ALEXNET_PATH),
        "alexnet",
        "an 11x11 stride-4 conv and three 3x3 stride-2 poolings",
    )
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.Conv2D(96, 11, strides=4, activation="relu", name="conv1")(inputs)
    x = LocalResponseNormalization(name="lrn1")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)
    x = layers.Conv2D(256, 5, padding="same", groups=groups, activation="relu", name="conv2")(x)
    x = LocalResponseNormalization(name="lrn2")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool2")(x)
    x = layers.Conv2D(384, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(384, 3, padding="same", groups=groups, activation="relu", name="conv4")(x)
    x = layers.Conv2D(256, 3, padding="same", groups=groups, activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    outputs = _classifier(x, classes, dropout)
    return keras.Model(inputs, outputs, name="alexnet" if groups == 1 else "alexnet_2gpu")


def zfnet(
    input_shape: tuple[int, int, int] = (224, 224, 3),
    classes: int = 1000,
    *,
    filters: Sequence[int] = (512, 1024, 512),
    dropout: float = 0.5,
) -> keras.Model:
    """ZFNet (Zeiler and Fergus, 2013; ILSVRC-2013 winner): AlexNet retuned after looking at
    what its layers learn (deconvnet visualisation). Key idea: conv1's 11x11 stride-4
    filters skipped frequencies and aliased, so conv1 becomes 7x7 with stride 2 (and, to
    keep the sizes, conv2 gets stride 2); the paper's best model (its Table 6) widens
    conv3-5 from 384, 384, 256 to 512, 1024, 512 filters, which is the default here.
    Dense connections everywhere (single GPU); LRN as "contrast normalisation".

    On 224x224x3 with 1,000 classes, sizes as in the paper's Figure 3::

        conv1  96@7x7 stride 2 (1-pixel zero padding), ReLU, LRN, maxpool 3x3/2  110 -> 55  14,208
        conv2 256@5x5 stride 2, ReLU, LRN, maxpool 3x3/2                   26 -> 13   614,656
        conv3 512@3x3                                                      13      1,180,160
        conv4 1024@3x3                                                     13      4,719,616
        conv5 512@3x3, maxpool 3x3/2                                       13 -> 6  4,719,104
        fc6 4096 (from 6*6*512 = 18,432), fc7 4096, fc8 1000        75,501,568 + 16,781,312 + 4,097,000
                                                                     total 107,627,624

    With ``filters=(384, 384, 256)`` (the paper's Figure 3 model): 62,357,608 parameters.

    Args:
        input_shape: ``(height, width, channels)``, at least 53x53.
        classes: number of output units.
        filters: filters of conv3, conv4, conv5.
        dropout: dropout rate after fc6 and fc7.
    """
    classes = check_classes(classes, "zfnet")
    if len(filters) != 3 or not all(isinstance(f, int) and f > 0 for f in filters):
        raise ValueError(f"zfnet: filters must be three positive integers; got {filters!r}")
    check_input_shape(
        input_shape,
        minimum_input_size(_ZFNET_PATH),
        "zfnet",
        "stride-2 conv1 and conv2 and three 3x3 stride-2 poolings",
    )
    f3, f4, f5 = filters
    inputs = keras.Input(shape=input_shape, name="input")
    x = layers.ZeroPadding2D(1, name="conv1_pad")(inputs)
    x = layers.Conv2D(96, 7, strides=2, activation="relu", name="conv1")(x)
    x = LocalResponseNormalization(name="lrn1")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    x = layers.Conv2D(256, 5, strides=2, activation="relu", name="conv2")(x)
    x = LocalResponseNormalization(name="lrn2")(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    x = layers.Conv2D(f3, 3, padding="same", activation="relu", name="conv3")(x)
    x = layers.Conv2D(f4, 3, padding="same", activation="relu", name="conv4")(x)
    x = layers.Conv2D(f5, 3, padding="same", activation="relu", name="conv5")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool5")(x)
    outputs = _classifier(x, classes, dropout)
    return keras.Model(inputs, outputs, name="zfnet")


def rgb_principal_components(images):
    """Eigenvalues (largest first) and eigenvectors (columns) of the 3x3 covariance of the RGB
    values of every pixel of ``images`` (values in [0, 1], last axis RGB): the colour
    directions along which a photo collection varies most."""
    pixels = np.asarray(images, dtype="float64").reshape(-1, 3)
    eigenvalues, eigenvectors = np.linalg.eigh(np.cov(pixels, rowvar=False))
    order = np.argsort(eigenvalues)[::-1]
    return eigenvalues[order], eigenvectors[:, order]


def pca_colour_augmentation(images, eigenvalues, eigenvectors, *, std=0.1, seed=None):
    """AlexNet's PCA colour augmentation ("fancy PCA", Krizhevsky et al. 2012, section 4.1):
    to every pixel of an image add the same RGB shift ``[p1 p2 p3] [a1 l1, a2 l2, a3 l3]^T``,
    with ``p_i, l_i`` the principal components of the training set's RGB values and one draw
    ``a_i ~ N(0, std)`` per image (std 0.1 in the paper). Lighting and colour change; the
    object does not. ``images``: shape (n, height, width, 3), values in [0, 1]."""
    images = np.asarray(images, dtype="float32")
    rng = np.random.default_rng(seed)
    alphas = rng.normal(0.0, std, size=(len(images), 3))
    shifts = (alphas * eigenvalues) @ eigenvectors.T  # one RGB shift per image
    return np.clip(images + shifts[:, None, None, :].astype("float32"), 0.0, 1.0)
