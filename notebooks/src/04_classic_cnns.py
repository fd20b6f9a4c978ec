# %% [markdown]
# # 04 Classic CNNs (经典卷积网络)
#
# LeNet-5, AlexNet, ZFNet, VGG, GoogLeNet, ResNet and MobileNet, each built from its paper with
# `ck.models` and proven by its parameter count. Every number in the comparison table below is
# computed from a built Keras model, never typed in. Then we train scaled-down members of the
# families on Fashion-MNIST, measure the ideas that made them work (ReLU, batch normalisation,
# shortcuts), and fine-tune a pretrained backbone (transfer learning, 迁移学习).

# %%
import math
import time
import warnings

import keras
import numpy as np
import pandas as pd

import cnnkit as ck
from cnnkit import formulas
from cnnkit.models import survey, transfer
from cnnkit.plots import architectures as arch
from cnnkit.plots import optimization as optplots
from cnnkit.training import recipes, schedules

pd.set_option("display.max_colwidth", 60)

# %% [markdown]
# ## 1. Seven networks, one table
#
# Each big model is built once, measured (parameters, weight layers on the longest path,
# multiply-accumulates (乘加次数, MACs) summed over its layers with `formulas.conv_macs` and
# `formulas.dense_macs`, a per-block summary and `ck.explain`'s layer table) and freed again with
# `keras.backend.clear_session()`. "Weight layers" counts convolutions and dense layers on the
# longest path from input to output, the way the papers count depth.

# %%
NETWORKS = [  # (name, year, builder, key idea)
    ("LeNet-5 (1998)", 1998, lambda: ck.models.lenet5(faithful=True), "conv + subsampling, tanh"),
    ("AlexNet", 2012, ck.models.alexnet, "ReLU, dropout, augmentation, LRN, 2 GPUs"),
    ("ZFNet", 2013, ck.models.zfnet, "7×7/2 conv1, wider conv3-5"),
    ("VGG16", 2014, lambda: ck.models.vgg(16), "only 3×3 convs, deep"),
    ("GoogLeNet", 2014, ck.models.googlenet, "inception modules, 1×1 reductions"),
    ("ResNet-18", 2015, lambda: ck.models.resnet(18), "residual blocks + BN"),
    ("ResNet-34", 2015, lambda: ck.models.resnet(34), "deeper basic blocks"),
    ("ResNet-50", 2015, lambda: ck.models.resnet(50), "bottleneck blocks"),
    ("MobileNet", 2017, ck.models.mobilenet, "depthwise-separable convs"),
]
profiles = {}
for name, year, build, idea in NETWORKS:
    profiles[name] = survey.profile(build()) | {"year": year, "key idea": idea}
    keras.backend.clear_session()

# %%
# NBVAL_CHECK_OUTPUT
comparison = pd.DataFrame(
    [
        {
            "network": name,
            "year": p["year"],
            "input": "×".join(map(str, p["input_shape"])),
            "weight layers": p["weight_layers"],
            "parameters": f"{p['parameters']:,}",
            "trainable": f"{p['trainable']:,}",
            "MACs": f"{p['macs'] / 1e9:.2f} G" if p["macs"] > 1e8 else f"{p['macs'] / 1e6:.2f} M",
            "key idea": p["key idea"],
        }
        for name, p in profiles.items()
    ]
)
comparison

# %% [markdown]
# The trend in one table: depth grows (5 → 50 weight layers) while parameters do not (VGG16's
# 138 million are mostly its fully connected layers; GoogLeNet and ResNet replace them by global
# average pooling). Operations (MACs) are what cost time: VGG16 needs 15.5 G multiply-accumulates
# per 224×224 image, MobileNet 0.57 G. LeNet-5 is measured at its own 32×32 input and AlexNet at
# the 227×227 its arithmetic needs.

# %% [markdown]
# ## 2. LeNet-5 (1998): the paper's network beside the Keras version
#
# LeCun et al. read the digits on bank cheques with C1-S2-C3-S4-C5-F6-output. The paper's
# subsampling layers S2 and S4 are *trainable* (one coefficient and one bias per map), C3 reads
# only some S2 maps, and the output layer is 10 Euclidean RBF units. Today's Keras version uses
# max pooling, a full C3 and a softmax output.

# %%
# NBVAL_CHECK_OUTPUT
faithful, modern = ck.models.lenet5(faithful=True), ck.models.lenet5()
columns = ["layer", "output shape", "parameters", "formula"]
side_by_side = pd.concat(
    {
        "paper (32×32)": ck.explain(faithful)[columns].reset_index(drop=True),
        "modern Keras (28×28)": ck.explain(modern)[columns].reset_index(drop=True),
    },
    axis=1,
)
assert faithful.count_params() == 60_850 and modern.count_params() == 61_706
side_by_side

# %% [markdown]
# C1's 156 parameters are used at every one of its 28×28 positions: the paper counts
# **122,304 connections** (weights shared, connections not). S2 has 2 × 6 = **12** parameters.
# C3 follows the paper's connection table (below): 60 of the 96 (S2 map, C3 map) pairs are
# connected, so it has 5×5×60 + 16 = **1,516** parameters instead of 2,416.

# %%
# NBVAL_CHECK_OUTPUT
layer = {lay.name: lay for lay in faithful.layers}
c1_connections = formulas.conv_connections(28, 28, 5, 1, 6)
print(f"C1: {layer['C1'].count_params()} parameters, {c1_connections:,} connections")
print(f"S2: {layer['S2'].count_params()} parameters (coefficient + bias for each of 6 maps)")
print(f"C3: {layer['C3'].count_params():,} parameters from {layer['C3'].connections} connections")
print(f"C3 fully connected would have {formulas.conv_params(5, 6, 16):,}")
assert (layer["C1"].count_params(), c1_connections) == (156, 122_304)
assert (layer["S2"].count_params(), layer["C3"].count_params()) == (12, 1_516)

# %%
arch.connection_table()

# %% [markdown]
# **Why is C3 not fully connected?** Two reasons from the paper: fewer connections (cheaper on
# 1998 hardware), and *broken symmetry*: maps that see different inputs are pushed to learn
# different, complementary features. Modern networks get the same effect from random
# initialisation and learn everything densely.

# %%
arch.architecture_figure(faithful, title="LeNet-5 (1998)")

# %% [markdown]
# ## 3. AlexNet (2012): the ideas that started deep learning's run
#
# Five convolutions and three fully connected layers, 62,378,344 parameters in the single-stream
# version built here ("about 60 million" in the paper). Its layer table:

# %%
alexnet = profiles["AlexNet"]
alexnet["table"]

# %% [markdown]
# The ideas, one by one:
#
# - **ReLU** instead of tanh or sigmoid: no saturation for positive inputs, so gradients stay
#   large and training is several times faster (measured below).
# - **Dropout** (随机失活) 0.5 in fc6 and fc7, against overfitting of the 59 million dense weights.
# - **Data augmentation** (数据增强): random 224×224 crops and horizontal flips of the 256×256
#   images, and PCA colour jitter.
# - **Local response normalisation** (局部响应归一化, LRN): each activation divided by the
#   activity of its 5 neighbouring channels (batch normalisation later replaced it).
# - **Overlapping pooling** (重叠池化): 3×3 windows with stride 2.
# - **Two GPUs**: conv2, conv4 and conv5 only see the maps on their own GPU (`groups=2`).

# %% [markdown]
# ### Experiment: ReLU vs tanh vs sigmoid
#
# The same small CNN (four 3×3 convolutions, no batch normalisation), the same SGD, only the
# activation changes. We record the training loss after every epoch.

# %%
(x_train, y_train), (x_test, y_test) = ck.datasets.load("fashion_mnist", sample=ck.QUICK)
x_train, x_test = recipes.prepare_images(x_train), recipes.prepare_images(x_test)
EXPERIMENT = slice(0, 400 if ck.QUICK else 10_000)
x_small = keras.layers.AveragePooling2D(2)(x_train[EXPERIMENT]).numpy()  # 14×14: 4× cheaper
y_small = y_train[EXPERIMENT]
x_small_test = keras.layers.AveragePooling2D(2)(x_test).numpy()
EXPERIMENT_EPOCHS = 1 if ck.QUICK else 5
print(f"experiments: {len(x_small):,} images of 14×14, {EXPERIMENT_EPOCHS} epochs")


def small_cnn(activation):
    inputs = keras.Input((14, 14, 1))
    x = inputs
    for filters in (16, 16, 32, 32):
        x = keras.layers.Conv2D(filters, 3, padding="same", activation=activation)(x)
    x = keras.layers.GlobalAveragePooling2D()(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=f"cnn_{activation}")


def quick_bn(model):
    """Quick mode trains a few dozen steps: let BN's moving statistics follow faster."""
    for lay in model.layers:
        if ck.QUICK and isinstance(lay, keras.layers.BatchNormalization):
            lay.momentum = 0.8
    return model


def fit_quietly(model, optimizer, epochs=EXPERIMENT_EPOCHS):
    quick_bn(model)
    model.compile(
        optimizer,
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=False,
    )
    history = model.fit(
        x_small,
        y_small,
        batch_size=32,
        epochs=epochs,
        validation_data=None if ck.QUICK else (x_small_test, y_test),  # quick: skip, saves time
        verbose=0,
    )
    return history.history


keras.utils.set_random_seed(0)
activation_runs = {
    name: fit_quietly(small_cnn(name), keras.optimizers.SGD(0.05, momentum=0.9))
    for name in ("relu", "tanh", "sigmoid")
}
for name, logs in sorted(activation_runs.items(), key=lambda item: item[1]["loss"][-1]):
    print(f"{name:>7}: training loss {logs['loss'][0]:.3f} -> {logs['loss'][-1]:.3f}")
assert activation_runs["relu"]["loss"][-1] < activation_runs["sigmoid"]["loss"][-1]
optplots.curves_comparison(activation_runs, title="same CNN, same SGD, three activations")

# %% [markdown]
# Sigmoid barely moves: its gradient is at most 0.25 and vanishes when it saturates, and four of
# them in a row multiply. ReLU and tanh both learn. In a network this small and shallow they stay
# close (in the committed full run tanh even ends slightly lower); ReLU's advantage is that its
# gradient is 1 for every positive input however deep the network, and it is cheaper to compute.
# AlexNet's Figure 1 measured it on CIFAR-10: ReLU reached 25% training error six times sooner
# than tanh.
#
# **Augmentation, LRN and overlapping pooling**, computed:

# %%
photo = ck.datasets.photo("china").astype("float32") / 255.0
augment = keras.Sequential(
    [keras.layers.RandomCrop(224, 224, seed=1), keras.layers.RandomFlip("horizontal", seed=2)]
)
crops = np.stack([augment(photo[None, 100:356, 200:456], training=True)[0] for _ in range(6)])
ck.plots.common.image_grid(crops, columns=6, title="random 224×224 crops and flips of one photo")

# %%
# NBVAL_CHECK_OUTPUT
a = np.zeros((1, 1, 1, 5), dtype="float32")
a[..., :] = [1.0, 2.0, 3.0, 4.0, 5.0]
lrn = ck.models.LocalResponseNormalization(depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75)
by_hand = 3.0 / (2.0 + 1e-4 * (1 + 4 + 9 + 16 + 25)) ** 0.75
print(f"LRN of channel 2 (value 3): 3 / (2 + 1e-4 × 55)^0.75 = {by_hand:.4f}")
assert np.isclose(lrn(a).numpy()[0, 0, 0, 2], by_hand)
for size, stride in ((3, 2), (2, 2)):
    with warnings.catch_warnings():  # 2×2/2 on 55 drops the last column; we know
        warnings.simplefilter("ignore", formulas.OutputSizeRoundedWarning)
        width = formulas.pool_output_size(55, size, stride)
    overlap = " (neighbouring windows share a row/column)" if size > stride else ""
    print(f"pool {size}×{size} stride {stride} on 55×55: -> {width}{overlap}")

# %% [markdown]
# **Two GPUs** (`groups=2`): in conv2, conv4 and conv5 each half of the filters reads only half of
# the input maps, so their weights halve. Three layers built with and without `groups=2`:


# %%
# NBVAL_CHECK_OUTPUT
def conv_count(filters, kernel, size, channels, groups):
    conv = keras.layers.Conv2D(filters, kernel, padding="same", groups=groups)
    conv.build((None, size, size, channels))
    return conv.count_params()


saved = 0
for layer_name, kernel, size, channels, filters in (
    ("conv2", 5, 27, 96, 256),
    ("conv4", 3, 13, 384, 384),
    ("conv5", 3, 13, 384, 256),
):
    one, two = (conv_count(filters, kernel, size, channels, g) for g in (1, 2))
    saved += one - two
    print(f"{layer_name}: one stream {one:,}  two GPUs {two:,}")
two_gpu = alexnet["parameters"] - saved
print(f"AlexNet: one stream {alexnet['parameters']:,}, two GPUs {two_gpu:,}")
assert two_gpu == 60_965_224

# %% [markdown]
# ## 4. ZFNet (2013): AlexNet retuned by looking at its features
#
# Zeiler and Fergus visualised what each layer responds to and found conv1's 11×11 stride-4
# filters too coarse (dead filters, aliasing). Their changes: **conv1 7×7 with stride 2**, and
# in the best model **conv3-5 widened from 384, 384, 256 to 512, 1024, 512 filters**.

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for name in ("AlexNet", "ZFNet"):
    table = profiles[name]["table"].set_index("layer")
    for conv in ("conv1", "conv3", "conv4", "conv5"):
        rows.append(
            [name, conv, table.loc[conv, "output shape"], f"{table.loc[conv, 'parameters']:,}"]
        )
pd.DataFrame(rows, columns=["network", "layer", "output shape", "parameters"]).pivot(
    index="layer", columns="network", values=["output shape", "parameters"]
)

# %% [markdown]
# ## 5. VGG (2014): only 3×3 convolutions
#
# VGG fixes every convolution to 3×3, stride 1, padding 1, and every pooling to 2×2; depth is
# what varies (11 to 19 weight layers). Why 3×3? Two stacked 3×3 convolutions see a 5×5 field
# (感受野), three see 7×7, with fewer parameters and one ReLU per layer instead of one:

# %%
# NBVAL_CHECK_OUTPUT
C = 64
rows = []
for stack, single in ((2, 5), (3, 7)):
    stacked = keras.Sequential(
        [keras.Input((32, 32, C))]
        + [keras.layers.Conv2D(C, 3, padding="same", use_bias=False) for _ in range(stack)]
    )
    one = keras.Sequential(
        [keras.Input((32, 32, C)), keras.layers.Conv2D(C, single, padding="same", use_bias=False)]
    )
    assert formulas.receptive_field([(3, 1)] * stack) == formulas.receptive_field([(single, 1)])
    rows.append(
        {
            "field": f"{single}×{single}",
            f"{stack} × 3×3 weights": f"{stacked.count_params():,} ({stack}×9C²)",
            f"one {single}×{single} weights": f"{one.count_params():,} ({single**2}C²)",
            "saving": f"{1 - stacked.count_params() / one.count_params():.0%}",
            "non-linearities": f"{stack} vs 1",
        }
    )
pd.DataFrame(rows).set_index("field").T

# %%
# NBVAL_CHECK_OUTPUT
vgg16 = profiles["VGG16"]
assert vgg16["parameters"] == 138_357_544  # = keras.applications.VGG16(weights=None)
fc = vgg16["blocks"].set_index("block").loc[["fc1", "fc2", "predictions"], "parameters"].sum()
print(
    f"VGG16: {vgg16['parameters']:,} parameters, {fc / vgg16['parameters']:.0%} in the three FC layers"
)
vgg16["blocks"][["block", "layers", "output shape", "weight layers", "parameters", "macs"]]

# %%
arch.block_diagram(vgg16["blocks"], title="VGG16")

# %% [markdown]
# ## 6. GoogLeNet (2014): the inception module
#
# Four branches run in parallel on the same input and their outputs are **concatenated along the
# channels** (depth-wise concatenation, 深度拼接): a 1×1 convolution; 1×1 then 3×3; 1×1 then 5×5;
# 3×3 max pooling then 1×1. Multi-scale features, and the 1×1 "reduce" convolutions keep the
# expensive 3×3 and 5×5 convolutions cheap. Inception 3a on a 28×28×192 input:

# %%
arch.inception_module_diagram((64, 96, 128, 16, 32, 32), in_channels=192, title="inception 3a")

# %%
# NBVAL_CHECK_OUTPUT
inputs = keras.Input((28, 28, 192))
module = keras.Model(
    inputs, ck.models.inception_module(inputs, 64, 96, 128, 16, 32, 32, name="3a"), name="3a"
)
print("output:", module.output_shape[1:], "= 64 + 128 + 32 + 32 channels")
ck.explain(module)[["layer", "output shape", "parameters", "formula"]]

# %% [markdown]
# **What the 1×1 reductions save**, computed for inception 3a (weights without biases, and
# multiply-accumulates at 28×28):

# %%
# NBVAL_CHECK_OUTPUT
rows = []
for branch, k, reduce, filters in (("3×3", 3, 96, 128), ("5×5", 5, 16, 32)):
    direct = formulas.conv_params(k, 192, filters, use_bias=False)
    reduced = formulas.conv_params(1, 192, reduce, use_bias=False) + formulas.conv_params(
        k, reduce, filters, use_bias=False
    )
    rows.append(
        {
            "branch": branch,
            "direct on 192 channels": f"{direct:,}",
            f"1×1 to {reduce}, then {branch}": f"{reduced:,}",
            "weights saved": f"{1 - reduced / direct:.0%}",
            "MACs direct": f"{formulas.conv_macs(28, 28, k, 192, filters):,}",
            "MACs reduced": f"{28 * 28 * reduced:,}",
        }
    )
pd.DataFrame(rows).set_index("branch")

# %% [markdown]
# **Question 9 (inception): what does depth-wise concatenation compute?** It stacks the branches'
# maps; nothing is added. Two 2×2 maps from one branch and one from another give 3 channels:

# %%
# NBVAL_CHECK_OUTPUT
branch_a = np.arange(8, dtype="float32").reshape(1, 2, 2, 2)  # 2 channels
branch_b = 100 + np.arange(4, dtype="float32").reshape(1, 2, 2, 1)  # 1 channel
stacked = keras.layers.Concatenate(axis=-1)([branch_a, branch_b]).numpy()
print("shape", stacked.shape, "| pixel (0, 0) across channels:", stacked[0, 0, 0])
assert stacked.shape == (1, 2, 2, 3)

# %% [markdown]
# **Module weights beside the paper's Table 1.** The paper's "params" column counts weights
# without biases in units of 1,024 ("K"). We count the kernel weights of every module of the built
# GoogLeNet; rows more than 3% off are flagged: the paper's column disagrees with its own filter
# numbers there.

# %%
# NBVAL_CHECK_OUTPUT
googlenet = profiles["GoogLeNet"]
assert googlenet["parameters"] == 6_998_552
blocks = googlenet["blocks"].set_index("block")
paper = {row["name"]: row["params_k"] for row in ck.models.GOOGLENET_TABLE1 if row["params_k"]}
rows = []
for name, paper_k in paper.items():
    weights = int(blocks.loc[name, "weights"])  # conv2's block holds conv2_reduce too
    ours_k = weights / 1024
    rows.append(
        {
            "layer": name,
            "weights (ours)": f"{weights:,}",
            "ours in K": round(ours_k, 1),
            "paper K": paper_k,
            "off by": f"{ours_k / paper_k - 1:+.0%}",
            "note": "paper's column disagrees" if abs(ours_k / paper_k - 1) > 0.03 else "",
        }
    )
pd.DataFrame(rows).set_index("layer")

# %% [markdown]
# Most rows agree to within 2%. Three do not: conv1's "2.7K" cannot be 7×7×3×64 = 9,408
# weights, inception 4c's filter numbers give 497.5K, not 463K, and inception 5a's give 1,018K,
# not 1,072K. The paper does not say how its column was computed, so trust the filter numbers
# (and the built model). The whole network has **6,998,552** parameters, 9× fewer than AlexNet,
# yet needs 1.58 G multiply-accumulates per image, more than AlexNet's 1.14 G.

# %%
arch.block_diagram(googlenet["blocks"], title="GoogLeNet")

# %% [markdown]
# ## 7. ResNet (2015): learn the residual
#
# A residual block computes **y = ReLU(F(x) + x)**: the layers F learn only a *correction* to
# their input, and the identity shortcut carries x forward unchanged. **Question 9 (ResNet)**,
# on numbers: a block whose F is two tiny "layers" on a 3-vector.

# %%
# NBVAL_CHECK_OUTPUT
x = np.array([1.0, -2.0, 3.0])
W1 = np.array([[0.5, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, -1.0]])
W2 = np.array([[1.0, 1.0, 0.0], [0.0, -1.0, 0.0], [0.0, 0.0, 1.0]])
F = W2 @ np.maximum(W1 @ x, 0)  # conv -> ReLU -> conv, without the BN
y = np.maximum(F + x, 0)
print("x        =", x, "\nF(x)     =", F, "\nF(x) + x =", F + x, "\ny = ReLU =", y)
added = keras.layers.Add()([F[None].astype("float32"), x[None].astype("float32")])
assert np.allclose(keras.layers.ReLU()(added).numpy()[0], y)
print("inception would concatenate instead: 6 numbers, not 3 ->", np.concatenate([F, x]))

# %% [markdown]
# When F(x) and x differ in shape (a stage that halves the size and doubles the channels), the
# shortcut becomes a **projection**: a 1×1 convolution with the block's stride, then BN.

# %%
arch.residual_block_diagram(in_channels=64, filters=128, stride=2)

# %%
# NBVAL_CHECK_OUTPUT
inputs = keras.Input((56, 56, 64))
block = keras.Model(
    inputs, ck.models.residual_block(inputs, 128, 2, name="stage2_block1"), name="block"
)
print("output:", block.output_shape[1:])
ck.explain(block)[["layer", "output shape", "parameters", "formula"]]

# %% [markdown]
# ResNet-18, 34 and 50, trainable parameters as in the paper and torchvision:

# %%
# NBVAL_CHECK_OUTPUT
expected = {"ResNet-18": 11_689_512, "ResNet-34": 21_797_672, "ResNet-50": 25_557_032}
for name, count in expected.items():
    p = profiles[name]
    assert p["trainable"] == count
    print(
        f"{name}: {p['trainable']:,} trainable + {p['parameters'] - p['trainable']:,} BN moving "
        f"statistics = {p['parameters']:,}; {p['weight_layers']} weight layers"
    )
survey.head_tail(
    profiles["ResNet-50"]["blocks"][["block", "layers", "output shape", "parameters"]], 4
)

# %%
arch.block_diagram(profiles["ResNet-18"]["blocks"], title="ResNet-18")

# %% [markdown]
# ### Question 2: does a convolution need a bias? Why Keras's ResNet50 says 25,636,712
#
# `keras.applications.ResNet50(weights=None)` reports more than the paper's 25,557,032. Two
# reasons, both computed from the model: its convolutions keep a **bias**, although a batch
# normalisation follows each of them; and Keras counts BN's **moving mean and variance**
# (non-trainable) in `count_params()`.

# %%
# NBVAL_CHECK_OUTPUT
applications = keras.applications.ResNet50(weights=None)
conv_biases = sum(
    lay.bias.shape[0] for lay in applications.layers if isinstance(lay, keras.layers.Conv2D)
)
moving = sum(
    2 * lay.moving_mean.shape[0]
    for lay in applications.layers
    if isinstance(lay, keras.layers.BatchNormalization)
)
ours = expected["ResNet-50"]
print(f"keras.applications.ResNet50: {applications.count_params():,}")
print(f"= paper {ours:,} + conv biases {conv_biases:,} + BN moving statistics {moving:,}")
assert applications.count_params() == ours + conv_biases + moving == 25_636_712
del applications
keras.backend.clear_session()

# %% [markdown]
# Those 26,560 biases do nothing: BN subtracts the batch mean, and a constant added to every
# position of a channel moves the mean by the same constant. The same conv + BN with and without
# a random bias:

# %%
# NBVAL_CHECK_OUTPUT
rng = np.random.default_rng(0)
images = rng.normal(size=(8, 6, 6, 3)).astype("float32")
conv = keras.layers.Conv2D(4, 3, use_bias=True)
bn = keras.layers.BatchNormalization()
with_bias = bn(conv(images), training=True).numpy()
conv.bias.assign(rng.normal(size=4).astype("float32") * 5)
print("bias:", np.round(conv.bias.numpy(), 2))
print(
    "BN output unchanged:",
    np.allclose(bn(conv(images), training=True).numpy(), with_bias, atol=1e-4),
)

# %% [markdown]
# So: a convolution needs a bias when nothing after it re-centres its output (the usual case,
# e.g. LeNet and VGG); it can be dropped when batch normalisation follows, whose β takes over the
# role of the bias.
#
# ### ResNet-18 for 32×32 images, shape after every stage
#
# The students' CIFAR port replaces the 7×7/2 stem and max pooling with one 3×3 stride-1 convolution:

# %%
# NBVAL_CHECK_OUTPUT
cifar_resnet = ck.models.resnet(
    18, input_shape=(32, 32, 3), classes=10, small_input=True, print_stage_shapes=True
)
print(f"{cifar_resnet.count_params():,} parameters")
shapes = ck.models.stage_shapes(cifar_resnet)
assert shapes["stage4"] == (4, 4, 512)
del cifar_resnet
keras.backend.clear_session()

# %% [markdown]
# ### Experiment: the degradation problem, and what batch normalisation does
#
# He et al. found that a deeper *plain* network (no shortcuts) has a **higher training error**
# than a shallower one: not overfitting, but an optimisation problem (degradation, 退化).
# We train three networks of the same depth (26 weight layers, 8-32 channels, 14×14 images; 14
# layers in quick mode):
# with and without shortcuts, with and without batch normalisation (批量归一化), same data, same
# SGD with momentum 0.9 as in the paper.


# %%
def deep_net(plain, batch_norm):
    return ck.models.resnet(
        18,
        input_shape=(14, 14, 1),
        classes=10,
        small_input=True,
        width=8,
        stages=(2, 2, 2) if ck.QUICK else (4, 4, 4),  # 14 or 26 weight layers
        plain=plain,
        batch_norm=batch_norm,
    )


keras.utils.set_random_seed(0)
depth_runs = {}
for label, plain, batch_norm in (
    ("residual + BN", False, True),
    ("plain + BN", True, True),
    ("plain, no BN", True, False),
):
    model = deep_net(plain, batch_norm)
    depth_runs[label] = fit_quietly(model, keras.optimizers.SGD(0.02, momentum=0.9))
print(f"{survey.weight_layer_depth(model)} weight layers each")
for label, logs in depth_runs.items():
    print(
        f"{label:>13}: final training loss {logs['loss'][-1]:.3f}, "
        f"training accuracy {logs['accuracy'][-1]:.3f}"
    )
final_loss = {k: np.nan_to_num(v["loss"][-1], nan=np.inf) for k, v in depth_runs.items()}
if not ck.QUICK:
    assert final_loss["residual + BN"] < final_loss["plain + BN"] < final_loss["plain, no BN"]
optplots.curves_comparison(depth_runs, title="same depth: shortcuts and batch normalisation")

# %% [markdown]
# The plain network trains more slowly than the same depth with shortcuts (a higher training
# loss, not overfitting); without batch normalisation the deep plain network hardly trains at all.
# (In quick mode, 400 images for one epoch, the gap is not reliable; the full run shows it.)
#
# ### Question 3: where does batch normalisation go, and how does it relate to ResNet?
#
# - **Where**: after a convolution (or dense layer) and before its activation: conv (no bias) →
#   BN → ReLU. For each channel BN normalises the batch to mean 0 and variance 1, then scales and
#   shifts with two learned numbers γ and β; it keeps two more, the moving mean and variance, for
#   inference. 4 numbers per channel, 2 trainable.
# - **What it does to training**: measured above, it turns a network that barely learns into one
#   that does, and allows larger learning rates.
# - **In residual blocks**: after every convolution of F, *before* the addition (conv-BN-ReLU,
#   conv-BN, add, ReLU); the projection shortcut has its own BN. The two solve different problems:
#   BN keeps each layer's signal well scaled; shortcuts give gradients a direct path through
#   many layers. ResNet needs both, and the experiment shows each one's share.

# %%
# NBVAL_CHECK_OUTPUT
order = ck.explain(block, print_total=False)[["layer", "type", "parameters", "formula"]]
print(
    "BN parameters for 128 channels:",
    formulas.batchnorm_params(128),
    "of which trainable",
    formulas.batchnorm_trainable_params(128),
)
order.head(7)

# %% [markdown]
# ## 8. MobileNet (2017): depthwise-separable convolutions
#
# A 3×3 convolution from D1 to K channels needs F·F·D1·K weights. MobileNet splits it into a
# **depthwise** 3×3 convolution (one filter per input channel, F·F·D1) and a **pointwise** 1×1
# convolution that mixes channels (D1·K): a ratio of 1/K + 1/F².

# %%
# NBVAL_CHECK_OUTPUT
for d1, k in ((32, 64), (512, 512)):
    standard, separable, ratio = ck.models.separable_saving(3, d1, k)
    inputs = keras.Input((14, 14, d1))
    dw = keras.layers.DepthwiseConv2D(3, padding="same", use_bias=False)(inputs)
    pw = keras.layers.Conv2D(k, 1, use_bias=False)(dw)
    assert keras.Model(inputs, pw).count_params() == separable
    print(
        f"3×3, {d1} -> {k}: standard {standard:,}, separable {separable:,} "
        f"({ratio:.3f} = 1/{k} + 1/9, {1 / ratio:.1f}× fewer)"
    )
print(
    f"MobileNet: {profiles['MobileNet']['parameters']:,} parameters, "
    f"{profiles['MobileNet']['macs'] / 1e9:.2f} G MACs vs VGG16's {vgg16['macs'] / 1e9:.2f} G"
)

# %% [markdown]
# ## 9. Later directions, briefly
#
# - **ResNeXt** (2017): ResNet blocks with a *grouped* 3×3 convolution (32 groups, "cardinality"):
#   AlexNet's `groups=2` idea, turned into a design rule.
# - **DenseNet** (2017): every layer receives the concatenation of all earlier layers' maps
#   (inception's concatenation instead of ResNet's addition); channels grow by k per layer.
# - **SENet** (2017): a squeeze-and-excitation block weighs each channel by a number computed from
#   global average pooling: channel attention for 2C²/r extra weights.
# - **Neural architecture search** (NAS): let a search algorithm design the cell (NASNet, 2018).
# - **EfficientNet** (2019): scale depth, width and input resolution together by one compound
#   coefficient, starting from a NAS-found mobile block.

# %%
# NBVAL_CHECK_OUTPUT
grouped = formulas.conv_params(3, 128 // 32, 128, use_bias=False)
print(
    f"ResNeXt 3×3 conv, 128 -> 128: dense {formulas.conv_params(3, 128, 128, use_bias=False):,}, "
    f"32 groups {grouped:,}"
)
print("DenseNet block, 64 channels in, growth 32, 6 layers ->", 64 + 6 * 32, "channels")
print("SE block on 256 channels, r = 16:", 2 * 256 * 256 // 16, "weights")

# %% [markdown]
# ## 10. Training the families on Fashion-MNIST
#
# Scaled-down members of three families: LeNet-5 (ReLU, the 28×28 Keras version), a VGG-style
# network (3×3 convolutions with BN, two pooling blocks, a small fully connected head) and a
# three-stage ResNet with 3×3 stem (`ck.models.resnet_small`). All three use Adam with a
# warm-up + cosine ("one-cycle") learning rate. The code takes the best distribution strategy
# of the machine: on several GPUs or a TPU the same cell trains data-parallel, with the batch
# scaled by the number of replicas.

# %%
strategy = ck.training.strategy.strategy()
print(ck.training.strategy.describe(strategy))
BATCH = 128 * strategy.num_replicas_in_sync
TRAIN = slice(0, 1_000 if ck.QUICK else None)
x_fit, y_fit = x_train[TRAIN], y_train[TRAIN]
QUICK_BATCH = 32 if ck.QUICK else BATCH  # more steps on the small sample
print(f"{len(x_fit):,} training and {len(x_test):,} test images, batch {QUICK_BATCH}")


JIT = False if ck.QUICK else "auto"  # XLA compiling costs seconds a quick run never wins back


def train(build, epochs, peak_lr=3e-3, batch=BATCH):
    steps = epochs * math.ceil(len(x_fit) / batch)
    with strategy.scope():
        model = quick_bn(build())
        schedule = schedules.warmup_cosine(peak_lr, max(1, steps // 5), steps - steps // 5)
        model.compile(
            keras.optimizers.Adam(schedule),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
            jit_compile=JIT,
        )
    start = time.perf_counter()
    live = ck.training.LiveHistory(title=model.name)
    model.fit(
        x_fit,
        y_fit,
        batch_size=batch,
        epochs=epochs,
        validation_data=None if ck.QUICK else (x_test, y_test),
        verbose=0,
        callbacks=[live],
    )
    seconds = time.perf_counter() - start
    accuracy = model.evaluate(x_test, y_test, verbose=0, batch_size=512)[1]
    print(
        f"{model.name}: {model.count_params():,} parameters, {epochs} epochs in {seconds:.0f} s, "
        f"test accuracy {accuracy:.4f}"
    )
    return accuracy, seconds


results = {}
results["LeNet-5"] = train(
    lambda: ck.models.lenet5(activation="relu"), 2 if ck.QUICK else 10, batch=QUICK_BATCH
)

# %%
results["VGG-small"] = train(ck.models.vgg_small, 1 if ck.QUICK else 4, batch=QUICK_BATCH)

# %%
results["ResNet-small"] = train(ck.models.resnet_small, 1 if ck.QUICK else 5, batch=QUICK_BATCH)

# %%
floors = {"LeNet-5": 0.90, "VGG-small": 0.92, "ResNet-small": 0.925}
for name, (accuracy, seconds) in results.items():
    floor = 0.6 if ck.QUICK else floors[name]
    print(f"{name:>12}: test accuracy {accuracy:.4f} (floor {floor}), {seconds / 60:.1f} min")
    assert accuracy > floor
    if not ck.QUICK:
        assert seconds < 600 * 3, "far beyond 10 minutes even on a loaded machine"

# %% [markdown]
# ## 11. Transfer learning: a pretrained backbone
#
# A network trained on ImageNet has learned edges, textures and parts that help on other images.
# We take `keras.applications.MobileNetV2` without its classifier, add a small head, train the
# head with the backbone frozen, then unfreeze the top of the backbone and fine-tune with a small
# learning rate. Three Fashion-MNIST classes, padded to 32×32 and repeated to 3 channels.
# Without internet the weights cannot be downloaded: the helper says so in one line and the
# same code runs with random weights. Then the frozen "features" are random projections and the
# accuracy stays near chance (1/3): which is exactly what pretrained weights are worth.

# %%
keras.backend.clear_session()
classes = [0, 1, 8]  # T-shirt/top, trouser, bag
count = 300 if ck.QUICK else 3_000


def three_classes(x, y, n):
    keep = np.isin(y, classes)
    x, y = x[keep][:n], y[keep][:n]
    x = np.repeat(np.pad(x, ((0, 0), (2, 2), (2, 2), (0, 0))), 3, axis=-1) * 2.0 - 1.0
    return x, np.searchsorted(classes, y)


x_tl, y_tl = three_classes(x_train, y_train, count)
x_tl_test, y_tl_test = three_classes(x_test, y_test, 300 if ck.QUICK else 1_000)
backbone, weights = transfer.backbone("MobileNetV2", (32, 32, 3), alpha=0.35)
backbone.trainable = False
# Pretrained BN statistics stay frozen (training=False); random ones must be learned.
bn_mode = False if weights else None
inputs = keras.Input((32, 32, 3))
features = keras.layers.GlobalAveragePooling2D()(backbone(inputs, training=bn_mode))
classifier = keras.Model(inputs, keras.layers.Dense(3, activation="softmax")(features))
classifier.compile(
    keras.optimizers.Adam(1e-3),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
    jit_compile=False,
)
classifier.fit(x_tl, y_tl, batch_size=32, epochs=1 if ck.QUICK else 4, verbose=0)
frozen = classifier.evaluate(x_tl_test, y_tl_test, verbose=0)[1]
backbone.trainable = True
for lay in backbone.layers[:-20]:
    lay.trainable = False  # fine-tune only the top of the backbone
classifier.compile(
    keras.optimizers.Adam(1e-4),
    loss="sparse_categorical_crossentropy",
    metrics=["accuracy"],
    jit_compile=False,
)
classifier.fit(x_tl, y_tl, batch_size=32, epochs=1 if ck.QUICK else 3, verbose=0)
tuned = classifier.evaluate(x_tl_test, y_tl_test, verbose=0)[1]
print(f"backbone weights: {weights or 'random'}; head only {frozen:.3f}, fine-tuned {tuned:.3f}")
assert 0.0 <= tuned <= 1.0
if weights:
    assert tuned > 0.8  # pretrained features make three clothing classes easy

# %% [markdown]
# ## 12. Recap
#
# | network | year | what it added |
# |---|---|---|
# | LeNet-5 | 1998 | convolution + subsampling, shared weights; C3's partial connections |
# | AlexNet | 2012 | ReLU, dropout, augmentation, LRN, overlapping pooling, two GPUs |
# | ZFNet | 2013 | smaller first filters (7×7/2), wider middle layers |
# | VGG | 2014 | only 3×3 convolutions: same field as 5×5/7×7, fewer weights, more ReLUs |
# | GoogLeNet | 2014 | inception modules, 1×1 reductions, global average pooling |
# | ResNet | 2015 | y = F(x) + x; BN after every convolution; 152 layers trainable |
# | MobileNet | 2017 | depthwise-separable convolutions, ~8-9× cheaper |
#
# - Parameters: the fully connected layers dominate the old networks; global average pooling
#   removed them. Operations (MACs) are what cost time.
# - Batch normalisation goes between a convolution and its activation; a bias before it is
#   wasted (that is the 79,680 between Keras's and the paper's ResNet-50).
# - Inception concatenates branches (channels add up); ResNet adds F(x) to x (shapes must match,
#   else a 1×1 projection).
#
# Practice: `exercises/04_classic_cnns.ipynb`.
