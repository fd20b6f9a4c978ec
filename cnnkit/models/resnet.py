"""ResNet (He, Zhang, Ren and Sun, 2015), its plain counterpart, and a small ResNet for
Fashion-MNIST."""

from __future__ import annotations

from collections.abc import Sequence

import keras
from keras import layers

from cnnkit.models._validation import check_classes, check_input_shape

__all__ = ["RESNET_STAGES", "residual_block", "resnet", "resnet_small", "stage_shapes"]

#: Block type and number of blocks per stage (conv2_x ... conv5_x in the paper's Table 1).
RESNET_STAGES: dict[int, tuple[str, tuple[int, ...]]] = {
    18: ("basic", (2, 2, 2, 2)),
    34: ("basic", (3, 4, 6, 3)),
    50: ("bottleneck", (3, 4, 6, 3)),
    101: ("bottleneck", (3, 4, 23, 3)),
    152: ("bottleneck", (3, 8, 36, 3)),
}
_EXPANSION = {"basic": 1, "bottleneck": 4}
_INIT = "he_normal"  # He (MSRA) initialisation, as in the paper


def _conv_bn(x, filters, kernel_size, strides, name, relu=True, batch_norm=True):
    """Conv (no bias: the BN's beta plays that role) -> BatchNormalization [-> ReLU].
    ``batch_norm=False``: conv with bias [-> ReLU] (for the with/without-BN experiment)."""
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=not batch_norm,
        kernel_initializer=_INIT,
        name=f"{name}_conv",
    )(x)
    if batch_norm:
        x = layers.BatchNormalization(epsilon=1e-5, name=f"{name}_bn")(x)
    if relu:
        x = layers.Activation("relu", name=f"{name}_relu")(x)
    return x


def residual_block(x, filters, strides, name, bottleneck=False, plain=False, batch_norm=True):
    """One residual block, ``y = ReLU(F(x) + shortcut(x))``.

    Basic block (ResNet-18/34): ``F`` = 3x3 conv-BN-ReLU, 3x3 conv-BN; ``filters`` output
    channels. Bottleneck (ResNet-50+): 1x1 conv to ``filters``, 3x3 conv (carrying the
    stride, as torchvision's "v1.5"), 1x1 conv to ``4 * filters``, each with BN.
    The shortcut is the identity when the shape is unchanged, otherwise a projection:
    1x1 conv with the block's stride, then BN (the paper's option B).
    ``plain=True`` drops the shortcut: ``y = ReLU(F(x))`` (the paper's plain network).
    ``batch_norm=False`` drops every BN (the convolutions then get biases).
    Layer names: ``{name}_1_conv``, ``{name}_1_bn``, ..., ``{name}_proj_conv``,
    ``{name}_add`` and ``{name}_out`` (the block's output).
    """
    out_channels = filters * (4 if bottleneck else 1)
    if bottleneck:
        y = _conv_bn(x, filters, 1, 1, f"{name}_1", batch_norm=batch_norm)
        y = _conv_bn(y, filters, 3, strides, f"{name}_2", batch_norm=batch_norm)
        y = _conv_bn(y, out_channels, 1, 1, f"{name}_3", relu=False, batch_norm=batch_norm)
    else:
        y = _conv_bn(x, filters, 3, strides, f"{name}_1", batch_norm=batch_norm)
        y = _conv_bn(y, filters, 3, 1, f"{name}_2", relu=False, batch_norm=batch_norm)
    if not plain:
        if strides != 1 or x.shape[-1] != out_channels:
            shortcut = _conv_bn(
                x, out_channels, 1, strides, f"{name}_proj", relu=False, batch_norm=batch_norm
            )
        else:
            shortcut = x
        y = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(y)


def resnet(
    depth: int = 18,
    input_shape: tuple[int, int, int] = (224, 224, 3),
    classes: int = 1000,
    *,
    small_input: bool = False,
    width: int = 64,
    stages: Sequence[int] | None = None,
    plain: bool = False,
    name: str | None = None,
    batch_norm: bool = True,
) -> keras.Model:
    """ResNet (2015; ILSVRC-2015 winner). Key idea: residual learning, ``y = F(x) + x``:
    each block learns only a correction to its input, carried forward by an identity
    shortcut, which solves the *degradation problem* (deeper plain networks having a
    *higher* training error) and made 152 layers trainable. Every convolution is followed
    by batch normalisation (so it has no bias), He initialisation, no dropout; the paper
    trains with SGD, momentum 0.9, learning rate 0.1 divided by 10 on plateaus, batch 256,
    weight decay 1e-4.

    Layout: stem (7x7/2 conv, 64, BN, ReLU; 3x3/2 max pooling), four stages of blocks
    (64, 128, 256, 512 filters; stages 2-4 halve the size with stride 2 and a projection
    shortcut), global average pooling, one dense softmax layer. Stages are named
    ``stage1`` ... ``stage4`` (the paper's conv2_x ... conv5_x), blocks
    ``stage2_block1_...``.

    Trainable parameters on 224x224x3 with 1,000 classes (the ResNet paper's and
    torchvision's counts): ResNet-18 **11,689,512**; ResNet-34 **21,797,672**;
    ResNet-50 **25,557,032**; ResNet-101 44,549,160; ResNet-152 60,192,808.
    ``model.count_params()`` is larger because it includes the BN moving means and
    variances (non-trainable): 11,699,112 / 21,814,696 / 25,610,152 for 18 / 34 / 50.

    Options for small images and quick CPU training (the defaults are the paper's):

    - ``small_input=True``: a 3x3 stride-1 stem without max pooling, for 28x28 / 32x32
      images (the CIFAR port of ResNet-18); 32x32 gives stage shapes 32, 16, 8, 4.
    - ``width``: filters of the first stage (64 in the paper); stage ``i`` has
      ``width * 2**(i-1)`` (times 4 at a bottleneck's output).
    - ``stages``: blocks per stage, e.g. ``(2, 2, 2)`` for a three-stage network; the block
      type still comes from ``depth`` (basic for 18/34, bottleneck for 50+).
    - ``plain=True``: the same network without shortcuts, to show the degradation problem.
    - ``batch_norm=False``: no batch normalisation anywhere (convolutions get biases), to
      measure what BN does; only with ``small_input=True``.
    The tensor shape after the stem and every stage: :func:`stage_shapes`.

    Strided 3x3 convolutions use Keras' "same" padding (same output sizes as the paper's
    padding 1; on even sizes Keras pads only bottom/right).

    Args:
        input_shape: ``(height, width, channels)``, at least the network's total stride
            (32 with the standard stem and four stages; 8 with ``small_input``).
        classes: number of output units.
        depth: 18, 34, 50, 101 or 152.
        name: the model's name (default: ``resnet18``, ``plain34``, ``resnet14_small_w16``...).
    """
    if depth not in RESNET_STAGES:
        raise ValueError(f"resnet: depth must be one of {sorted(RESNET_STAGES)}; got {depth!r}")
    classes = check_classes(classes, "resnet")
    kind, default_stages = RESNET_STAGES[depth]
    stages = tuple(default_stages if stages is None else stages)
    if not stages or not all(isinstance(n, int) and n >= 1 for n in stages):
        raise ValueError(f"resnet: stages must be positive block counts; got {stages!r}")
    if not isinstance(width, int) or width < 1:
        raise ValueError(f"resnet: width must be a positive integer; got {width!r}")
    bottleneck = kind == "bottleneck"
    if not batch_norm and not small_input:
        raise ValueError("resnet: batch_norm=False is only offered with small_input=True")

    total_stride = (1 if small_input else 4) * 2 ** (len(stages) - 1)
    stem = "a 3x3 stride-1 stem" if small_input else "a stride-4 stem"
    check_input_shape(
        input_shape,
        total_stride,
        "resnet",
        f"{stem} and {len(stages)} stages divide it by {total_stride}",
    )

    inputs = keras.Input(shape=input_shape, name="input")
    if small_input:
        x = _conv_bn(inputs, width, 3, 1, "conv1", batch_norm=batch_norm)
    else:
        x = layers.ZeroPadding2D(3, name="conv1_pad")(inputs)
        x = layers.Conv2D(
            width, 7, strides=2, use_bias=False, kernel_initializer=_INIT, name="conv1_conv"
        )(x)
        x = layers.BatchNormalization(epsilon=1e-5, name="conv1_bn")(x)
        x = layers.Activation("relu", name="conv1_relu")(x)
        x = layers.ZeroPadding2D(1, name="pool1_pad")(x)
        x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)

    for s, blocks in enumerate(stages, start=1):
        filters = width * 2 ** (s - 1)
        for b in range(1, blocks + 1):
            strides = 2 if (s > 1 and b == 1) else 1
            x = residual_block(
                x,
                filters,
                strides,
                f"stage{s}_block{b}",
                bottleneck=bottleneck,
                plain=plain,
                batch_norm=batch_norm,
            )

    x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)

    if name is None:
        layers_deep = (3 if bottleneck else 2) * sum(stages) + 2
        name = f"{'plain' if plain else 'resnet'}{layers_deep}"
        name += "_small" if small_input else ""
        name += f"_w{width}" if width != 64 else ""
        name += "" if batch_norm else "_nobn"
    return keras.Model(inputs, outputs, name=name)


def stage_shapes(model: keras.Model) -> dict[str, tuple]:
    """Shape (without the batch axis) after the input, the stem and every stage of a model
    built by :func:`resnet` -- the table the students' CIFAR ResNet-18 port prints.

    ``resnet(depth=18, input_shape=(32, 32, 3), small_input=True)`` gives
    ``{'input': (32, 32, 3), 'stem': (32, 32, 64), 'stage1': (32, 32, 64),
    'stage2': (16, 16, 128), 'stage3': (8, 8, 256), 'stage4': (4, 4, 512)}``.
    """
    shapes: dict[str, tuple] = {}
    previous = None
    for layer in model.layers:
        prefix = layer.name.split("_", 1)[0]
        if isinstance(layer, keras.layers.InputLayer):
            shapes["input"] = tuple(layer.output.shape[1:])
        elif prefix.startswith("stage"):
            if "stem" not in shapes and previous is not None:
                shapes["stem"] = tuple(previous.output.shape[1:])
            shapes[prefix] = tuple(layer.output.shape[1:])
        previous = layer
    if len(shapes) < 3:
        raise ValueError(
            f"stage_shapes: model {model.name!r} has no layers named 'stageN_...'; "
            "it works on models built by cnnkit.models.resnet()"
        )
    return shapes


def resnet_small(
    input_shape: tuple[int, int, int] = (28, 28, 1),
    classes: int = 10,
    *,
    stages: Sequence[int] = (2, 2, 2),
    width: int = 16,
    plain: bool = False,
    batch_norm: bool = True,
) -> keras.Model:
    """A three-stage ResNet small enough to train on a laptop CPU (Fashion-MNIST), in the
    style of the paper's CIFAR-10 networks: 3x3 stride-1 stem with ``width`` filters, then
    stages of basic blocks with 16, 32, 64 filters (sizes 28, 14, 7 on 28x28 input),
    global average pooling and a softmax layer. 14 weight layers with the default
    ``stages=(2, 2, 2)``.

    On 28x28x1 with 10 classes: 176,090 parameters (174,970 trainable; the other 1,120
    are the BN moving statistics). ``plain=True`` gives the same network without
    shortcuts or projections (173,146 parameters, 172,218 trainable) for the degradation
    experiment; ``batch_norm=False`` drops every batch normalisation.
    """
    return resnet(
        depth=18,
        input_shape=input_shape,
        classes=classes,
        small_input=True,
        width=width,
        stages=stages,
        plain=plain,
        batch_norm=batch_norm,
        name=("plain_small" if plain else "resnet_small") + ("" if batch_norm else "_nobn"),
    )
