"""Transfer learning (迁移学习) that works offline: a backbone the course pretrained itself.

Fashion-MNIST's ten classes are split in two tasks. The **source task** is the seven classes
T-shirt/top, trouser, pullover, dress, sandal, sneaker and bag: the course trained
:func:`fashion_backbone` on all their 42,000 training images and ships the weights inside the
package (``cnnkit/data/fashion7_backbone.npz``, with a checksum; regenerate with
``python data/make_backbone.py``). The **target task** is the three classes the backbone has never
seen, coat, shirt and ankle boot, learned from a few hundred labelled images. Each target class
has a relative in the source task (coat and pullover, shirt and T-shirt, ankle boot and sneaker):
transfer pays when the source task needed the features that the target task needs::

    backbone = transfer.pretrained_backbone()              # weights from the source task
    early = transfer.cut_backbone(backbone, "block2_pool") # keep the general, early blocks
    model = transfer.transfer_classifier(early, 3)         # same features, a new softmax head

:func:`imagenet_backbone` is the optional large-scale version: a ``keras.applications`` network
with ImageNet weights, used only when the weights file is already in the Keras cache (Colab
downloads it; this machine has no internet), so no download is ever attempted.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
import numpy as np
from keras import layers

from cnnkit.datasets.sources import file_sha256

__all__ = [
    "BACKBONE_FILE",
    "BACKBONE_SHA256",
    "SOURCE_CLASSES",
    "TARGET_CLASSES",
    "cut_backbone",
    "fashion_backbone",
    "imagenet_backbone",
    "imagenet_weights_cached",
    "pretrained_backbone",
    "transfer_classifier",
    "unfreeze_for_fine_tuning",
]

#: Fashion-MNIST labels of the source task (pretraining) and of the target task (transfer).
SOURCE_CLASSES = (
    0,
    1,
    2,
    3,
    5,
    7,
    8,
)  # T-shirt/top, trouser, pullover, dress, sandal, sneaker, bag
TARGET_CLASSES = (4, 6, 9)  # coat, shirt, ankle boot: never seen by the pretrained backbone
BACKBONE_FILE = Path(__file__).resolve().parents[1] / "data" / "fashion7_backbone.npz"
#: SHA-256 of the shipped weights (data/README.md records provenance and licence).
BACKBONE_SHA256 = "5156dfd5ce173cee5658b061350ed856a4ae76089b9f2ea34b8af8a86e280d96"


def fashion_backbone(input_shape=(28, 28, 1), *, width: int = 32) -> keras.Model:
    """Three VGG-style blocks (two 3x3 conv-BN-ReLU each; 2x2 max pooling after the first two),
    then global average pooling: an image in, a ``4 * width`` feature vector out (128 numbers).

    With ``width=32`` on 28x28x1: 287,776 parameters (286,880 trainable; 285,984 of them are
    convolution weights: 9 * (1*32 + 32*32 + 32*64 + 64*64 + 64*128 + 128*128)).
    """
    inputs = keras.Input(shape=input_shape, name="input")
    x = inputs
    for block, filters in enumerate((width, 2 * width, 4 * width), start=1):
        for conv in (1, 2):
            name = f"block{block}_conv{conv}"
            x = layers.Conv2D(filters, 3, padding="same", use_bias=False, name=name)(x)
            x = layers.BatchNormalization(name=f"{name}_bn")(x)
            x = layers.Activation("relu", name=f"{name}_relu")(x)
        if block < 3:
            x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    features = layers.GlobalAveragePooling2D(name="features")(x)
    return keras.Model(inputs, features, name="fashion_backbone")


def cut_backbone(backbone: keras.Model, last_layer: str) -> keras.Model:
    """The backbone's layers from its input up to ``last_layer`` (inclusive), as a model that
    shares their weights: early blocks hold general features (edges, textures, parts), the last
    ones features specific to the source task."""
    names = [layer.name for layer in backbone.layers]
    if last_layer not in names:
        raise ValueError(
            f"The backbone has no layer {last_layer!r}; choose one of {', '.join(names[1:])}."
        )
    return keras.Model(
        backbone.input,
        backbone.get_layer(last_layer).output,
        name=f"{backbone.name}_to_{last_layer}",
    )


def transfer_classifier(backbone: keras.Model, classes: int, *, name: str = "transfer"):
    """The backbone's features, then a new softmax head with ``classes`` outputs.

    Feature maps (from :func:`cut_backbone`) are flattened and get dropout 0.5 before the head:
    thousands of features against a few hundred labelled images. ``backbone.trainable = False``
    before compiling freezes it (feature extraction: only the head learns, and the frozen batch
    normalisation runs in inference mode). For fine-tuning use :func:`unfreeze_for_fine_tuning`.
    """
    inputs = keras.Input(shape=backbone.input_shape[1:], name="image")
    features = backbone(inputs)
    if len(features.shape) > 2:
        features = layers.Flatten(name="flatten")(features)
        features = layers.Dropout(0.5, name="dropout")(features)
    outputs = layers.Dense(classes, activation="softmax", name="new_head")(features)
    return keras.Model(inputs, outputs, name=name)


def unfreeze_for_fine_tuning(backbone: keras.Model) -> keras.Model:
    """Make every layer of the backbone trainable again except batch normalisation.

    A BatchNormalization layer with ``trainable = False`` runs in inference mode in Keras: it
    keeps the source task's moving statistics instead of replacing them by those of a few
    hundred target images (and its gamma and beta stay fixed). Compile again afterwards.
    """
    backbone.trainable = True
    for layer in backbone.layers:
        if isinstance(layer, layers.BatchNormalization):
            layer.trainable = False
    return backbone


def pretrained_backbone(path: Path | None = None) -> keras.Model:
    """:func:`fashion_backbone` with the weights the course pretrained on the source task.

    The file's SHA-256 is checked first; a missing or changed file raises with what to do.
    """
    path = BACKBONE_FILE if path is None else Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f"The pretrained backbone {path.name} is missing; reinstall cnnkit or run "
            "`python data/make_backbone.py` in the repository."
        )
    if path == BACKBONE_FILE and file_sha256(path) != BACKBONE_SHA256:
        raise ValueError(
            f"The pretrained backbone {path.name} does not match its checksum; reinstall cnnkit "
            "or regenerate it with `python data/make_backbone.py` (it prints the new checksum)."
        )
    backbone = fashion_backbone()
    with np.load(path, allow_pickle=False) as arrays:
        weights = [arrays[f"w{i:02d}"] for i in range(len(arrays.files))]
    backbone.set_weights(weights)
    return backbone


def save_backbone(backbone: keras.Model, path: Path) -> str:
    """Write the backbone's weights (trainable and BN statistics, in order) and return the
    file's SHA-256."""
    arrays = {f"w{i:02d}": w for i, w in enumerate(backbone.get_weights())}
    np.savez_compressed(path, **arrays)
    return file_sha256(path)


def imagenet_weights_cached(file_name: str) -> bool:
    """True when ``file_name`` is already in the Keras cache (``$KERAS_HOME`` or ``~/.keras``,
    sub-folder ``models``): then ``weights="imagenet"`` loads it without any download."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return os.path.isfile(os.path.join(home, "models", file_name))


#: The ImageNet weights file of MobileNetV2 (alpha 0.35, 96x96 input, no top).
MOBILENET_V2_FILE = "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_0.35_96_no_top.h5"


def imagenet_backbone():
    """``keras.applications.MobileNetV2(alpha=0.35, 96x96x3, ImageNet weights, no top)`` when
    its weights file is already cached, else ``None`` (no download is attempted)."""
    if not imagenet_weights_cached(MOBILENET_V2_FILE):
        return None
    return keras.applications.MobileNetV2(
        input_shape=(96, 96, 3), alpha=0.35, include_top=False, weights="imagenet", pooling="avg"
    )
