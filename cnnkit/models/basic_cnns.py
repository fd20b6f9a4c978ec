"""The small networks of chapters 02 and 03: the chapters show these builders with
``ck.show_code`` and train them on Fashion-MNIST (28×28×1, 10 classes).

- :func:`small_cnn`: conv-pool-conv-pool-conv, Flatten, Dense softmax (chapter 02's CNN).
- :func:`typical_stack`: the classic pattern [(Conv -> ReLU) × N -> Pool] × M -> (FC -> ReLU) × L
  -> FC -> Softmax.
- :func:`flat_mlp`: Flatten -> Dense -> Dense softmax, a network that sees no neighbourhoods.
- :func:`pooling_cnn`: chapter 03's two-block CNN with a choice of downsampling (none, 2×2 max
  pooling, overlapping 3×3/2 max pooling, average pooling, or stride-2 convolutions).
- :func:`two_block_cnn`: chapter 07's 'valid' conv-pool-conv-pool CNN with optional dropout after
  each block (the dropout sweep, and the network of the optimizer comparison).
- :func:`simple_convnet`, :func:`narrow_convnet`: the keras.io reference and the kit's recommended
  recipe's network (:mod:`cnnkit.training.recipes` compiles and trains them).
"""

from __future__ import annotations

import keras

from cnnkit.validation import check_int

# typical_stack's checks, under the name chapter 02 shows (ck.show_code prints this module's source).
_check_count = check_int


def small_cnn(
    input_shape=(28, 28, 1), classes=10, *, kernel_size=3, use_bias=True, name="small_cnn"
):
    """16 -> 32 -> 64 filters of F×F ('same', F = kernel_size), 2×2 max pooling after the first
    two, one Dense."""
    _check_count("kernel_size (F)", kernel_size, 1)
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(
        16, kernel_size, padding="same", activation="relu", use_bias=use_bias, name="conv1"
    )(inputs)
    x = keras.layers.MaxPooling2D(name="pool1")(x)
    x = keras.layers.Conv2D(
        32, kernel_size, padding="same", activation="relu", use_bias=use_bias, name="conv2"
    )(x)
    x = keras.layers.MaxPooling2D(name="pool2")(x)
    x = keras.layers.Conv2D(
        64, kernel_size, padding="same", activation="relu", use_bias=use_bias, name="conv3"
    )(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name=name)


def typical_stack(
    input_shape=(28, 28, 1),
    classes=10,
    *,
    convs_per_block=2,
    blocks=2,
    dense_layers=1,
    filters=16,
    dense_units=64,
):
    """[(Conv 3×3 -> ReLU) × N -> MaxPool 2×2] × M -> (Dense -> ReLU) × L -> Dense -> Softmax.

    N = ``convs_per_block``, M = ``blocks``, L = ``dense_layers``. Filters double after every
    pooling (16, 32, 64, ...), as the maps shrink; 'same' padding keeps the size inside a block.
    """
    _check_count("convs_per_block (N)", convs_per_block, 1)
    _check_count("blocks (M)", blocks, 1)
    _check_count("dense_layers (L)", dense_layers, 0)
    if input_shape[0] < 2**blocks or input_shape[1] < 2**blocks:
        raise ValueError(
            f"{blocks} poolings of 2×2 need an input of at least {2**blocks}×{2**blocks} pixels, "
            f"got {input_shape[:2]}; use fewer blocks (M)"
        )
    inputs = keras.Input(input_shape)
    x = inputs
    for block in range(1, blocks + 1):
        width = filters * 2 ** (block - 1)
        for conv in range(1, convs_per_block + 1):
            x = keras.layers.Conv2D(
                width, 3, padding="same", activation="relu", name=f"block{block}_conv{conv}"
            )(x)
        x = keras.layers.MaxPooling2D(name=f"block{block}_pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    for layer in range(1, dense_layers + 1):
        x = keras.layers.Dense(dense_units, activation="relu", name=f"fc{layer}")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name=f"stack_N{convs_per_block}_M{blocks}_L{dense_layers}")


def flat_mlp(input_shape=(28, 28, 1), classes=10, *, hidden_units=256, name="flat_mlp"):
    """Flatten -> Dense(ReLU) -> Dense(softmax): every pixel is just one more input number."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten(name="flatten")(inputs)
    x = keras.layers.Dense(hidden_units, activation="relu", name="hidden")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name=name)


DOWNSAMPLING = ("none", "max 2×2", "max 3×3/2 (overlapping)", "average 2×2", "stride-2 conv")


def pooling_cnn(input_shape=(28, 28, 1), classes=10, *, downsampling="max 2×2"):
    """Conv(32) -> downsample -> Conv(64) -> downsample -> Flatten -> Dense softmax.

    ``downsampling`` is one of :data:`DOWNSAMPLING`: no downsampling at all (the classifier
    then sees every position), 2×2 max pooling, AlexNet's overlapping 3×3 windows at stride 2
    ('same' padding, so the maps have the same size as with 2×2), 2×2 average pooling, or
    stride-2 convolutions that learn to downsample.
    """
    if downsampling not in DOWNSAMPLING:
        raise ValueError(f"downsampling must be one of {DOWNSAMPLING}, got {downsampling!r}")

    def downsample(x, index):
        if downsampling == "max 2×2":
            return keras.layers.MaxPooling2D(2, name=f"pool{index}")(x)
        if downsampling == "max 3×3/2 (overlapping)":
            return keras.layers.MaxPooling2D(3, strides=2, padding="same", name=f"pool{index}")(x)
        if downsampling == "average 2×2":
            return keras.layers.AveragePooling2D(2, name=f"pool{index}")(x)
        return x  # "none", and "stride-2 conv" (the stride sits in the convolution)

    stride = 2 if downsampling == "stride-2 conv" else 1
    inputs = keras.Input(input_shape)
    x = keras.layers.Conv2D(32, 3, strides=stride, padding="same", activation="relu", name="conv1")(
        inputs
    )
    x = downsample(x, 1)
    x = keras.layers.Conv2D(64, 3, strides=stride, padding="same", activation="relu", name="conv2")(
        x
    )
    x = downsample(x, 2)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="classifier")(x)
    return keras.Model(inputs, outputs, name="cnn_" + downsampling.split(" ")[0].replace("-", "_"))


def two_block_cnn(input_shape=(28, 28, 1), classes=10, *, dropout=0.0):
    """Conv(16) - pool - Conv(32) - pool - Dense(classes), 'valid' 3×3 convolutions, with
    Dropout(``dropout``) after each convolution block (Dropout(0) is the identity). On 28×28×1
    with 10 classes: 12,810 parameters, whatever the rate.

    Neighbouring pixels of a feature map are strongly correlated, so dropping single activations
    of a convolution removes less information than in a dense layer: the usual rates are lower.
    """
    inputs = keras.Input(input_shape)
    x = inputs
    for filters in (16, 32):
        x = keras.layers.Conv2D(filters, 3, activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs, name="two_block_cnn")


def simple_convnet(input_shape=(28, 28, 1), classes=10):
    """The keras.io "Simple MNIST convnet": conv 32 -> pool -> conv 64 -> pool -> dropout 0.5 -> softmax.

    The reference that :mod:`cnnkit.training.recipes` measures its recommended recipe against.
    """
    return keras.Sequential(
        [
            keras.Input(shape=input_shape),
            keras.layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            keras.layers.MaxPooling2D(pool_size=(2, 2)),
            keras.layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            keras.layers.MaxPooling2D(pool_size=(2, 2)),
            keras.layers.Flatten(),
            keras.layers.Dropout(0.5),
            keras.layers.Dense(classes, activation="softmax"),
        ],
        name="keras_io_simple_convnet",
    )


def narrow_convnet(
    input_shape=(28, 28, 1),
    classes=10,
    *,
    widths=(16, 64),
    kernel_sizes=(5, 3),
    dense_units=128,
    batch_norm=False,
):
    """The recommended recipe's network: :func:`simple_convnet`'s two convolutions made narrow where
    the image is large, conv ``kernel_sizes[0]`` x ``widths[0]`` -> pool -> conv ``kernel_sizes[1]``
    x ``widths[1]`` -> pool -> Dense(``dense_units``) -> softmax. ``batch_norm=True`` puts batch
    normalisation (批量归一化) after each convolution, without its bias (BN's beta does that job).
    On 28x28x1 with 10 classes and the defaults: 215,658 parameters."""
    if len(widths) != 2 or min(widths) < 1:
        raise ValueError(f"widths must be two positive channel counts, got {widths!r}.")
    if len(kernel_sizes) != 2 or min(kernel_sizes) < 1:
        raise ValueError(f"kernel_sizes must be two positive sizes, got {kernel_sizes!r}.")

    def conv_block(x, filters, kernel, name):
        if batch_norm:
            x = keras.layers.Conv2D(filters, kernel, use_bias=False, name=f"{name}_conv")(x)
            x = keras.layers.BatchNormalization(name=f"{name}_bn")(x)
            x = keras.layers.ReLU(name=f"{name}_relu")(x)
        else:
            x = keras.layers.Conv2D(filters, kernel, activation="relu", name=f"{name}_conv")(x)
        return keras.layers.MaxPooling2D(name=f"{name}_pool")(x)

    inputs = keras.Input(shape=input_shape)
    x = conv_block(inputs, widths[0], kernel_sizes[0], "block1")
    x = conv_block(x, widths[1], kernel_sizes[1], "block2")
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(dense_units, activation="relu", name="fc")(x)
    outputs = keras.layers.Dense(classes, activation="softmax", name="predictions")(x)
    name = "recommended_fashion_mnist" + ("_bn" if batch_norm else "")
    return keras.Model(inputs, outputs, name=name)
