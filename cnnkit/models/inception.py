"""GoogLeNet / Inception v1 (Szegedy et al., 2014)."""

from __future__ import annotations

import keras
from keras import layers

from cnnkit.models._validation import check_classes, check_input_shape

__all__ = ["GOOGLENET_TABLE1", "googlenet", "inception_module"]

_FILTER_KEYS = (
    "filters_1x1",
    "filters_3x3_reduce",
    "filters_3x3",
    "filters_5x5_reduce",
    "filters_5x5",
    "pool_proj",
)


def _row(name, kind, patch, output, depth, filters=None, params_k=None, ops_m=None):
    row = {"name": name, "type": kind, "patch_size_stride": patch, "output_size": output}
    row["depth"] = depth
    row.update(dict.fromkeys(_FILTER_KEYS))
    if filters is not None:
        row.update(zip(_FILTER_KEYS, filters, strict=True))
    row["params_k"] = params_k
    row["ops_m"] = ops_m
    return row


#: Table 1 of Szegedy et al. (2014), "Going deeper with convolutions", row by row: the
#: filter numbers of every inception module and the paper's own "params" (in thousands,
#: ``params_k``) and "ops" (millions of multiply-adds, ``ops_m``) columns. The conv2 row
#: (3x3 reduce 64, 3x3 192) is the 1x1 + 3x3 pair; unused entries are None.
#: The paper's params column is approximate: inception_4c has 510,104 parameters, not
#: 463K, and conv1's "2.7K" is far from 7*7*3*64 + 64 = 9,472; compare with the model.
GOOGLENET_TABLE1: list[dict] = [
    _row("conv1", "convolution", "7x7/2", "112x112x64", 1, params_k=2.7, ops_m=34),
    _row("pool1", "max pool", "3x3/2", "56x56x64", 0),
    _row("conv2", "convolution", "3x3/1", "56x56x192", 2, (None, 64, 192, None, None, None), 112, 360),
    _row("pool2", "max pool", "3x3/2", "28x28x192", 0),
    _row("inception_3a", "inception", None, "28x28x256", 2, (64, 96, 128, 16, 32, 32), 159, 128),
    _row("inception_3b", "inception", None, "28x28x480", 2, (128, 128, 192, 32, 96, 64), 380, 304),
    _row("pool3", "max pool", "3x3/2", "14x14x480", 0),
    _row("inception_4a", "inception", None, "14x14x512", 2, (192, 96, 208, 16, 48, 64), 364, 73),
    _row("inception_4b", "inception", None, "14x14x512", 2, (160, 112, 224, 24, 64, 64), 437, 88),
    _row("inception_4c", "inception", None, "14x14x512", 2, (128, 128, 256, 24, 64, 64), 463, 100),
    _row("inception_4d", "inception", None, "14x14x528", 2, (112, 144, 288, 32, 64, 64), 580, 119),
    _row("inception_4e", "inception", None, "14x14x832", 2, (256, 160, 320, 32, 128, 128), 840, 170),
    _row("pool4", "max pool", "3x3/2", "7x7x832", 0),
    _row("inception_5a", "inception", None, "7x7x832", 2, (256, 160, 320, 32, 128, 128), 1072, 54),
    _row("inception_5b", "inception", None, "7x7x1024", 2, (384, 192, 384, 48, 128, 128), 1388, 71),
    _row("avg_pool", "avg pool", "7x7/1", "1x1x1024", 0),
    _row("dropout", "dropout (40%)", None, "1x1x1024", 0),
    _row("linear", "linear", None, "1x1x1000", 1, params_k=1000, ops_m=1),
    _row("softmax", "softmax", None, "1x1x1000", 0),
]  # fmt: skip


def _conv(x, filters, kernel_size, name, strides=1):
    """Convolution with bias and ReLU, "same" padding (GoogLeNet has no batch norm)."""
    return layers.Conv2D(
        filters, kernel_size, strides=strides, padding="same", activation="relu", name=name
    )(x)


def inception_module(
    x,
    filters_1x1: int,
    filters_3x3_reduce: int,
    filters_3x3: int,
    filters_5x5_reduce: int,
    filters_5x5: int,
    pool_proj: int,
    name: str,
):
    """One inception module: four parallel branches concatenated along the channels.

    - ``{name}_branch_1x1``: 1x1 conv, ``filters_1x1``
    - ``{name}_branch_3x3_reduce`` -> ``{name}_branch_3x3``: 1x1 conv to reduce the channels,
      then 3x3 conv
    - ``{name}_branch_5x5_reduce`` -> ``{name}_branch_5x5``: 1x1 conv, then 5x5 conv
    - ``{name}_pool`` -> ``{name}_pool_proj``: 3x3 max pooling (stride 1), then 1x1 conv

    Output channels: ``filters_1x1 + filters_3x3 + filters_5x5 + pool_proj``; the spatial
    size is kept ("same" padding, stride 1). Parameters, with ``C`` input channels:
    ``(C + 1)(f1 + r3 + r5 + pp) + (9 r3 + 1) f3 + (25 r5 + 1) f5``. The 1x1 "reduce"
    convolutions are what keep this cheap: a 5x5 conv straight on C channels would cost
    25 C f5 weights.
    """
    b1 = _conv(x, filters_1x1, 1, f"{name}_branch_1x1")
    b3 = _conv(x, filters_3x3_reduce, 1, f"{name}_branch_3x3_reduce")
    b3 = _conv(b3, filters_3x3, 3, f"{name}_branch_3x3")
    b5 = _conv(x, filters_5x5_reduce, 1, f"{name}_branch_5x5_reduce")
    b5 = _conv(b5, filters_5x5, 5, f"{name}_branch_5x5")
    bp = layers.MaxPooling2D(3, strides=1, padding="same", name=f"{name}_pool")(x)
    bp = _conv(bp, pool_proj, 1, f"{name}_pool_proj")
    return layers.Concatenate(axis=-1, name=f"{name}_concat")([b1, b3, b5, bp])


def googlenet(
    input_shape: tuple[int, int, int] = (224, 224, 3),
    classes: int = 1000,
    *,
    dropout: float = 0.4,
) -> keras.Model:
    """GoogLeNet (Inception v1, 2014; ILSVRC-2014 winner), 22 weight layers deep.

    Key idea: the inception module runs 1x1, 3x3 and 5x5 convolutions and a 3x3 pooling in
    parallel (multi-scale features) and concatenates them, with 1x1 convolutions reducing
    the channels before the expensive ones. Global average pooling replaces the big fully
    connected layers, so the network has few parameters (about 12x fewer than AlexNet)
    but many operations (about 1.5 billion multiply-adds).

    Filter numbers of the paper's Table 1 (see :data:`GOOGLENET_TABLE1`); convolutions with
    bias and ReLU, no batch normalisation, no auxiliary classifiers; the two LRN layers
    are omitted (they have no parameters); dropout 0.4, then a linear layer with softmax.
    On 224x224x3 with 1,000 classes: **6,998,552 parameters**.

    Args:
        input_shape: ``(height, width, channels)``, at least 32x32 ("same" padding
            everywhere; five stride-2 steps divide the size by 32, so anything smaller
            would leave the last modules looking mostly at padding).
        classes: number of output units.
        dropout: dropout rate before the classifier (0.4 in the paper).
    """
    classes = check_classes(classes, "googlenet")
    check_input_shape(input_shape, 32, "googlenet", "five stride-2 steps divide it by 32")
    table = {row["name"]: row for row in GOOGLENET_TABLE1}

    def module(x, name):
        filters = [table[name][key] for key in _FILTER_KEYS]
        return inception_module(x, *filters, name=name)

    inputs = keras.Input(shape=input_shape, name="input")
    x = _conv(inputs, 64, 7, "conv1", strides=2)
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    x = _conv(x, 64, 1, "conv2_reduce")
    x = _conv(x, 192, 3, "conv2")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool2")(x)
    x = module(x, "inception_3a")
    x = module(x, "inception_3b")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool3")(x)
    for suffix in "abcde":
        x = module(x, f"inception_4{suffix}")
    x = layers.MaxPooling2D(3, strides=2, padding="same", name="pool4")(x)
    x = module(x, "inception_5a")
    x = module(x, "inception_5b")
    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    x = layers.Dropout(dropout, name="dropout")(x)
    outputs = layers.Dense(classes, activation="softmax", name="linear")(x)
    return keras.Model(inputs, outputs, name="googlenet")
