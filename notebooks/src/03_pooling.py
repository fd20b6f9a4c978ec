# %% [markdown]
# # 03 Pooling (池化)
#
# Pooling summarises each small window of a feature map by one number. It has no weights, keeps
# the depth, and shrinks height and width. This chapter computes max, average and min pooling by
# hand, measures what pooling buys (less computation, less sensitivity to position), and compares
# the heads that turn feature maps into a class: Flatten + Dense versus global average pooling.

# %%
import time
import warnings

import keras
import numpy as np
import pandas as pd
from IPython.display import display

import cnnkit as ck
from cnnkit import formulas
from cnnkit.models import basic_cnns
from cnnkit.plots import convolution as convplots
from cnnkit.plots import pooling as poolplots
from cnnkit.scratch import average_pool2d, max_pool2d, min_pool2d

# %% [markdown]
# ## 1. Max, average and min pooling on a small grid
#
# A pooling window (池化窗口) of 2×2 moves with stride (步长) 2. Max pooling (最大池化) keeps the
# largest value, average pooling (平均池化) the mean, min pooling the smallest. The top-left window
# [[1, 3], [2, 2]] is the syllabus's example: its **average is 2 where its max is 3**.

# %%
grid = np.array(
    [
        [1, 3, 0, 1],
        [2, 2, 4, 1],
        [0, 1, 5, 6],
        [1, 0, 7, 8],
    ]
)
display(poolplots.pooling_comparison(grid, pool_size=2))  # two figures in one cell: display()
display(poolplots.pooling_step(grid, pool_size=2, position=(0, 1), mode="max"))

# %% [markdown]
# The same numbers from Keras. Keras has no min-pooling layer: min pooling is −max(−x).

# %%
# NBVAL_CHECK_OUTPUT
x = grid.reshape(1, 4, 4, 1).astype("float32")
keras_max = keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(x))[0, :, :, 0]
keras_average = keras.ops.convert_to_numpy(keras.layers.AveragePooling2D(2)(x))[0, :, :, 0]
keras_min = -keras.ops.convert_to_numpy(keras.layers.MaxPooling2D(2)(-x))[0, :, :, 0]
assert np.allclose(keras_max, max_pool2d(grid, 2))
assert np.allclose(keras_average, average_pool2d(grid, 2))
assert np.allclose(keras_min, min_pool2d(grid, 2))
print("top-left window [[1, 3], [2, 2]]: max", keras_max[0, 0], "| average", keras_average[0, 0])
print("max:\n", keras_max, "\naverage:\n", keras_average, "\nmin:\n", keras_min)

# %% [markdown]
# ## 2. Window, stride and the size formula
#
# Pooling uses the convolution's size formula, W2 = (W1 − F)/S + 1 (no padding by default), and
# keeps the depth. Keras's `MaxPooling2D(2)` takes stride = pool size: non-overlapping windows.
# When the window does not fit evenly, `"valid"` floors (drops the last row and column) and
# `"same"` pads.

# %%
# NBVAL_CHECK_OUTPUT
with warnings.catch_warnings():
    warnings.simplefilter("ignore", formulas.OutputSizeRoundedWarning)
    cases = [(28, 2, 2, "valid"), (7, 2, 2, "valid"), (7, 2, 2, "same"), (55, 3, 2, "valid")]
    for width, size, stride, padding in cases:
        layer = keras.layers.MaxPooling2D(size, strides=stride, padding=padding)
        keras_width = layer.compute_output_shape((None, width, width, 8))[1]
        assert keras_width == formulas.pool_output_size(width, size, stride, padding)
        print(
            f"{width}×{width}×8, window {size}, stride {stride}, {padding!r:7} -> {keras_width}×{keras_width}×8"
        )
print(formulas.output_size_explanation(7, 2, stride=2, window="pooling window"))

# %% [markdown]
# ## 3. Why pool?
#
# 1. **Keep the main features**: the strongest response of each window survives.
# 2. **Cut computation and parameters of later layers**: halving height and width divides the next
#    convolution's multiply-accumulates (MACs) by 4, and a Flatten + Dense head's weights by 4
#    (its parameters by almost 4: the biases do not shrink).
# 3. **Reduce sensitivity to position (位置敏感性)**: a feature that moves by a pixel often stays in
#    the same window.
# 4. **Resist overfitting**: fewer numbers for the classifier to memorise (measured at the end of
#    this section).
#
# Pooling is usually placed after the activation. For max pooling and ReLU the order does not even
# matter (both are monotonic); pooling is optional, and many modern networks use strided
# convolutions instead (section 7).

# %%
# NBVAL_CHECK_OUTPUT
macs_full = formulas.conv_macs(28, 28, 3, 16, 32)
macs_pooled = formulas.conv_macs(14, 14, 3, 16, 32)
print(
    f"3×3 conv, 16 -> 32 channels: {macs_full:,} MACs on 28×28, {macs_pooled:,} after 2×2 pooling"
)
print(
    "Dense(10) head on 28×28×32:",
    formulas.dense_params(28 * 28 * 32, 10),
    "| on 14×14×32:",
    formulas.dense_params(14 * 14 * 32, 10),
)
relu_then_pool = max_pool2d(np.maximum(grid - 3, 0), 2)
pool_then_relu = np.maximum(max_pool2d(grid - 3, 2), 0)
print("max pooling and ReLU commute:", np.array_equal(relu_then_pool, pool_then_relu))

# %% [markdown]
# ### Experiment: position sensitivity
#
# We train a small CNN with pooling, then read features from the same trained convolutions three
# ways: without pooling (28×28×32 numbers), with the two 2×2 max poolings (7×7×32), and with a
# final global average pooling (32 numbers). Each of the first 200 test images is shifted right
# by 0-4 pixels, and we measure the cosine similarity between the features of the shifted and
# the original image (1 = identical), averaged over the 200 images. Features that keep the same
# value when the input moves are what a classifier needs when an object can be anywhere.

# %%
(x_train, y_train), (x_test, y_test) = ck.datasets.load("fashion_mnist", sample=ck.QUICK)
x_train = x_train[..., None].astype("float32") / 255.0
x_test = x_test[..., None].astype("float32") / 255.0
n_train = len(x_train) if ck.QUICK else 20_000
x_train, y_train = x_train[:n_train], y_train[:n_train]
EPOCHS = 2 if ck.QUICK else 4
print(f"{len(x_train):,} training and {len(x_test):,} test images; {EPOCHS} epochs per model")


def compile_and_fit(model):
    optimizer = keras.optimizers.Adam(learning_rate=3e-3)  # GAP heads learn slowly at 1e-3
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=32, verbose=0)
    return model.evaluate(x_test, y_test, verbose=0)[1]


conv1 = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1")
conv2 = keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2")
inputs = keras.Input((28, 28, 1))
pooled = keras.layers.MaxPooling2D(name="pool2")(
    conv2(keras.layers.MaxPooling2D(name="pool1")(conv1(inputs)))
)
outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(pooled))
pooled_cnn = keras.Model(inputs, outputs, name="pooled_cnn")
started = time.perf_counter()
pooled_accuracy = compile_and_fit(pooled_cnn)
print(f"test accuracy of the pooled CNN: {pooled_accuracy:.3f}")
floor = 0.55 if ck.QUICK else 0.86
ck.claim(pooled_accuracy > floor, f"the pooled CNN reaches > {floor:.0%} test accuracy")
print(f"training time: {time.perf_counter() - started:.0f} s")

# %%
feature_networks = {
    "no pooling (28×28×32)": keras.Model(inputs, conv2(conv1(inputs))),
    "2 × max pooling (7×7×32)": keras.Model(inputs, pooled),
    "+ global average pooling (32)": keras.Model(
        inputs, keras.layers.GlobalAveragePooling2D()(pooled)
    ),
}


def shift_right(images, pixels):
    out = np.zeros_like(images)
    out[:, :, pixels:] = images[:, :, : images.shape[2] - pixels]
    return out


def cosine(a, b):
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    return np.mean(
        np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-8)
    )


probe = x_test[:200]
shifts = range(5)
similarity = {}
for name, network in feature_networks.items():
    original = network.predict(probe, verbose=0)
    similarity[name] = [
        cosine(original, network.predict(shift_right(probe, s), verbose=0)) for s in shifts
    ]
    assert similarity[name][0] > 0.999  # no shift: identical features
pd.DataFrame(similarity, index=pd.Index(shifts, name="shift (pixels)")).round(3)

# %%
ck.claim(
    similarity["2 × max pooling (7×7×32)"][1] > similarity["no pooling (28×28×32)"][1] + 0.1,
    "after a 1-pixel shift, pooled features stay more similar than unpooled ones (by > 0.1)",
)
ck.claim(
    similarity["+ global average pooling (32)"][4]
    > 0.95
    > similarity["2 × max pooling (7×7×32)"][4],
    "after a 4-pixel shift, global-average-pooled features keep a similarity > 0.95; "
    "max-pooled ones fall below it",
)
poolplots.similarity_vs_shift(shifts, similarity)

# %% [markdown]
# Without pooling, a shift of one pixel already moves every feature to a different position of
# the flattened vector, and the similarity drops. After two 2×2 max poolings a small shift often
# stays inside the same window: after 1 pixel the pooled features stay more similar than the
# unpooled ones by more than 0.1 (the first claim), but the similarity keeps falling as the
# shift grows (the orange line). Global average pooling forgets position almost entirely: after
# 4 pixels its features keep a similarity above 0.95, the max-pooled ones fall below it (the
# second claim). (Convolution itself is *equivariant*, the map moves with the input; pooling
# makes the features more *invariant*, they stay the same.)

# %% [markdown]
# ### Experiment: does pooling resist overfitting?
#
# Overfitting (过拟合) shows as a gap: high accuracy on the training images, lower on new ones.
# Few training images and many epochs invite it: 2,000 images, 20 epochs. Four networks share
# the same two convolutions (32 and 64 filters of 3×3) and differ only in how they downsample
# after each convolution: not at all, 2×2 max pooling, 2×2 average pooling, or AlexNet's
# overlapping 3×3 windows at stride 2 (section 4; with "same" padding, so its maps shrink like
# the 2×2 ones, 28 -> 14 -> 7). Without pooling the classifier sees all 28×28×64 = 50,176
# numbers instead of 7×7×64 = 3,136: 16 times more weights in the Dense layer, about ten times
# more parameters in all (the table), to fit the 2,000 images with.

# %%
ck.show_code(basic_cnns.pooling_cnn)

# %%
n_small, small_epochs = (300, 2) if ck.QUICK else (2_000, 20)
x_small, y_small = x_train[:n_small], y_train[:n_small]
overfit_rows = []
for downsampling in ("none", "max 2×2", "average 2×2", "max 3×3/2 (overlapping)"):
    keras.utils.set_random_seed(1)
    model = basic_cnns.pooling_cnn(downsampling=downsampling)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    model.fit(x_small, y_small, epochs=small_epochs, batch_size=64, verbose=0)
    train_accuracy = model.evaluate(x_small, y_small, verbose=0)[1]
    test_accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
    overfit_rows.append(
        {
            "downsampling": downsampling,
            "parameters": model.count_params(),
            "train accuracy": round(train_accuracy, 3),
            "test accuracy": round(test_accuracy, 3),
            "gap": round(train_accuracy - test_accuracy, 3),
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
overfit = pd.DataFrame(overfit_rows).set_index("downsampling")
print(f"{n_small:,} training images, {small_epochs} epochs each")
gap = overfit["gap"]
ck.claim(
    overfit.loc["none", "train accuracy"] > 0.97,
    "without pooling the network memorises the training images (> 97% training accuracy)",
    full_only=True,
)
ck.claim(
    (gap.drop("none") < gap["none"] - 0.04).all(),
    "each pooled network's train-test gap is more than 4 points smaller than without pooling",
    full_only=True,
)
test_accuracy_of = overfit["test accuracy"]
ck.claim(
    test_accuracy_of.max() - test_accuracy_of.min() < 0.025,
    "the four networks tie on test accuracy (all within 2.5 points of each other)",
    full_only=True,
)
train_drop = overfit.loc["none", "train accuracy"] - overfit["train accuracy"].drop("none")
test_change = (test_accuracy_of.drop("none") - test_accuracy_of["none"]).abs()
ck.claim(
    (train_drop > test_change).all(),
    "for each pooled network the training accuracy fell by more than the test accuracy changed",
    full_only=True,
)
overfit

# %%
poolplots.train_test_gap(overfit.index, overfit["train accuracy"], overfit["test accuracy"])

# %% [markdown]
# What was measured: without pooling the network fits the 2,000 training images almost
# perfectly and its gap is the largest; each kind of pooling shrinks the gap by more than
# 4 points (the first two claims). That is the sense in which pooling resists overfitting: the
# classifier gets fewer, coarser numbers to memorise. But the four test accuracies lie within
# 2.5 points of each other (the third claim), and for each pooled network the training
# accuracy fell by more than the test accuracy changed (the fourth claim): the gap shrank
# mainly because training accuracy fell, not because test accuracy rose. A smaller gap is not
# by itself a better model; what pooling certainly buys here is the smaller gap, at a test
# accuracy tied with no pooling, with a tenth of the parameters.

# %% [markdown]
# ## 4. Overlapping pooling (AlexNet)
#
# AlexNet pools with 3×3 windows at stride 2: neighbouring windows share a row or column
# (overlapping pooling, 重叠池化). Its 55×55×96 maps become 27×27×96. The authors reported slightly
# lower error (0.3-0.4 points of top-1/top-5 error on ImageNet) and slightly less overfitting
# than with non-overlapping 2×2 windows. Does it help here? The overfitting experiment of
# section 3 trained both side by side, same seed, same data:

# %%
# NBVAL_CHECK_OUTPUT
alexnet_pool = keras.Sequential(
    [keras.Input((55, 55, 96)), keras.layers.MaxPooling2D(3, strides=2, name="overlapping")],
    name="alexnet_pool",
)
assert alexnet_pool.output_shape == (None, 27, 27, 96)
assert formulas.pool_output_size(55, 3, stride=2) == 27
print(formulas.output_size_explanation(55, 3, stride=2, window="pooling window"))

# %%
overlap = overfit.loc[["max 2×2", "max 3×3/2 (overlapping)"], ["test accuracy", "gap"]]
difference = overlap.diff().iloc[-1]
print(overlap.to_string())
ck.claim(
    abs(difference["test accuracy"]) < 0.015,
    "overlapping and non-overlapping max pooling tie on test accuracy (within 1.5 points)",
    full_only=True,
)
print(
    f"overlapping minus 2×2: test accuracy {difference['test accuracy']:+.3f}, gap {difference['gap']:+.3f}"
)

# %%
small = np.arange(49).reshape(7, 7) % 10
poolplots.pooling_step(small, pool_size=3, stride=2, position=(0, 1), mode="max")

# %% [markdown]
# In the figure, the window of output (0, 1) starts at column 2, which the window of output
# (0, 0) already covered: the rows and columns where two windows meet (2 and 4 on this 7×7 grid)
# are read twice. Here the 9 in row 1, column 2 lies in both windows, so outputs (0, 0) and
# (0, 1) are both that same 9.
#
# The measurement: at this scale overlapping pooling is a tie with 2×2 pooling, the difference
# in test accuracy is within 1.5 points (the claim above; the table shows this run's numbers).
# AlexNet's gain was a fraction of a point on ImageNet with a far larger network; with one run
# per network on 2,000 Fashion-MNIST images, a difference that small could not be told apart
# from the run-to-run noise.
#
# ## 5. LeNet's trainable subsampling
#
# LeNet-5 (1998) did not use a fixed max: its S2 and S4 layers add up each 2×2 window, multiply by
# a **trainable coefficient**, add a **trainable bias** (one of each per feature map) and apply a
# sigmoid. `cnnkit.models.layers.Subsampling` implements it: on C1's 6 maps it has 2 × 6 = 12
# parameters, which `ck.explain` writes out.

# %%
# NBVAL_CHECK_OUTPUT
from cnnkit.models.layers import Subsampling

s2 = keras.Sequential([keras.Input((28, 28, 6)), Subsampling(2, name="S2")], name="lenet_s2")
assert s2.output_shape == (None, 14, 14, 6) and s2.count_params() == 2 * 6 == 12
coefficient = np.linspace(0.5, 1.0, 6).astype("float32")
bias = np.linspace(-1.0, 1.0, 6).astype("float32")
s2.get_layer("S2").set_weights([coefficient, bias])
maps = np.random.default_rng(0).normal(size=(1, 28, 28, 6)).astype("float32")
window_sums = 4 * average_pool2d(maps, 2)
by_hand = 1 / (1 + np.exp(-(coefficient * window_sums + bias)))
assert np.allclose(keras.ops.convert_to_numpy(s2(maps)), by_hand, atol=1e-5)
print("sigmoid(coefficient × window sum + bias), per map: matches NumPy")
ck.explain(s2)

# %% [markdown]
# ## 6. Global average pooling vs Flatten + Dense
#
# Global average pooling (全局平均池化, GoogLeNet) averages each whole feature map to one number: a
# 7×7×64 map becomes 64 numbers instead of 3,136, and the classifier after it needs 49 times
# fewer weights (48 times fewer parameters, counting the 10 biases). Same convolutional base,
# two heads, trained the same way:


# %%
def conv_base(strided=False):
    """16 -> 32 -> 64 channels, 28×28 -> 7×7, by max pooling or by stride-2 convolutions."""
    if strided:
        return [
            keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
            keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
            keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
        ]
    return [
        keras.layers.Conv2D(16, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(32, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, padding="same", activation="relu"),
    ]


def head(kind):
    first = keras.layers.Flatten() if kind == "flatten" else keras.layers.GlobalAveragePooling2D()
    return [first, keras.layers.Dense(10, activation="softmax", name="classifier")]


variants = {
    "max pooling + Flatten + Dense": conv_base() + head("flatten"),
    "max pooling + global average pooling": conv_base() + head("gap"),
    "strided convs + global average pooling": conv_base(strided=True) + head("gap"),
}
models, rows = {}, []
for name, layers in variants.items():
    keras.utils.set_random_seed(1)
    model = keras.Sequential(
        [keras.Input((28, 28, 1)), *layers], name=name.replace(" ", "_").replace("+", "and")
    )
    started = time.perf_counter()
    accuracy = compile_and_fit(model)
    models[name] = model
    rows.append(
        {
            "network": name,
            "head parameters": model.get_layer("classifier").count_params(),
            "total parameters": model.count_params(),
            "test accuracy": round(accuracy, 3),
            "seconds": round(time.perf_counter() - started, 1),
        }
    )
comparison = pd.DataFrame(rows).set_index("network")
accuracy_of = comparison["test accuracy"]
ck.claim(
    accuracy_of["max pooling + Flatten + Dense"]
    > accuracy_of["max pooling + global average pooling"] + 0.02,
    "after this short training the GAP head trails the Flatten head by more than 2 points",
    full_only=True,
)
comparison

# %%
# NBVAL_CHECK_OUTPUT
assert comparison["head parameters"].tolist() == [
    formulas.dense_params(7 * 7 * 64, 10),
    formulas.dense_params(64, 10),
    formulas.dense_params(64, 10),
]
assert (comparison["test accuracy"] > (0.55 if ck.QUICK else 0.75)).all()
print(comparison["head parameters"].to_string())

# %% [markdown]
# The global-average-pooling head has 48 times fewer parameters. After this short training it
# trails the Flatten head by more than 2 points (the claim above): the convolutions must first learn
# features whose *average* over the map already separates the classes, while the Flatten head gets
# 3,136 position-specific numbers to combine. In exchange: far fewer weights to overfit, and any
# input size (section 8). What the GAP head receives for one test image: each of the 64 maps of
# the last convolution (7×7) becomes its mean.

# %%
gap_net = models["max pooling + global average pooling"]
last_conv = keras.Model(gap_net.inputs, gap_net.layers[-3].output)
poolplots.global_average_pooling(last_conv.predict(x_test[:1], verbose=0))

# %% [markdown]
# `ck.explain` of the GAP network:

# %%
ck.explain(models["max pooling + global average pooling"])

# %% [markdown]
# ## 7. Pooling vs strided convolution
#
# A stride-2 convolution also halves the size, but it **learns** how to downsample, where pooling
# applies a fixed rule with zero parameters. In the table the strided network has exactly the same
# parameters as the pooled one (a stride does not change a convolution's weights: F×F×D1×K + K).


# %%
# NBVAL_CHECK_OUTPUT
def conv_macs_of(model):
    return sum(
        formulas.conv_macs(
            layer.output.shape[1],
            layer.output.shape[2],
            layer.kernel_size[0],
            layer.kernel.shape[2],
            layer.filters,
        )
        for layer in model.layers
        if isinstance(layer, keras.layers.Conv2D)
    )


pooled_net = models["max pooling + global average pooling"]
strided_net = models["strided convs + global average pooling"]
assert strided_net.count_params() == pooled_net.count_params()
print(
    "parameters:", pooled_net.count_params(), "(pooled) =", strided_net.count_params(), "(strided)"
)
print(
    f"conv MACs per image: {conv_macs_of(pooled_net):,} (pooled) vs {conv_macs_of(strided_net):,} (strided)"
)

# %% [markdown]
# The multiply-accumulates are equal too: a stride-2 convolution computes only the positions it
# keeps, at the cost the pooled network pays after its pooling. The difference is what decides
# the downsampling: a fixed max, or learned weights. Modern networks (ResNet, the
# all-convolutional net) mostly downsample with strides; max pooling survives in stems (ResNet's
# first 3×3/2 pool).
#
# ## 8. Question 7: why a fully connected head, and when is it needed?
#
# The convolutions produce *where-and-what* feature maps; a classifier must produce one score per
# class. The fully connected (FC) layers at the end mix all features from all positions into those
# scores: a learned, global combination. In the classic networks that head holds most parameters:

# %%
# NBVAL_CHECK_OUTPUT
vgg16_head = (
    formulas.dense_params(7 * 7 * 512, 4096)
    + formulas.dense_params(4096, 4096)
    + formulas.dense_params(4096, 1000)
)
vgg16_total = 138_357_544
print(
    f"VGG16's three FC layers: {vgg16_head:,} of {vgg16_total:,} parameters ({vgg16_head / vgg16_total:.0%})"
)

# %% [markdown]
# - **Needed** when the answer depends on *where* features are (a fixed layout, coordinates to
#   regress), or to add capacity when the last feature maps are not yet linearly separable; one
#   final Dense layer is always needed to map features to the class scores.
# - **Not needed** as a big hidden FC stack when global average pooling (or a 1×1 convolution per
#   class) can summarise the maps: far fewer parameters, less overfitting, and the network accepts
#   any input size. The GAP network trained above classifies a 36×36 image without change; the
#   Flatten network cannot, its Dense layer expects exactly 3,136 inputs:

# %%
# NBVAL_CHECK_OUTPUT
gap_model = models["max pooling + global average pooling"]
flexible = keras.Sequential([keras.Input((None, None, 1)), *gap_model.layers], name="any_size")
print(
    "GAP network on a 36×36 image ->",
    flexible.predict(np.zeros((1, 36, 36, 1), "float32"), verbose=0).shape,
)
try:
    models["max pooling + Flatten + Dense"].predict(np.zeros((1, 36, 36, 1), "float32"), verbose=0)
except ValueError:
    print("Flatten network on a 36×36 image -> ValueError: 36 -> 18 -> 9, so Flatten gives")
    print(f"9×9×64 = {9 * 9 * 64:,} numbers, and its Dense layer was built for 7×7×64 = 3,136")

# %% [markdown]
# ## Recap
#
# - Pooling summarises each window (max, average, min): no parameters, depth unchanged,
#   W2 = (W1 − F)/S + 1 ("valid" floors, "same" pads). The window [[1, 3], [2, 2]] averages 2, maxes 3.
# - It keeps strong responses, cuts later computation, and makes features less sensitive to
#   small shifts (measured above); global average pooling is almost position-free.
# - Measured on 2,000 images: every kind of pooling shrank the train-test gap by more than
#   4 points compared with no pooling, mainly through lower training accuracy (the four test
#   accuracies tied within 2.5 points); overlapping 3×3/2 pooling tied with 2×2 pooling.
# - AlexNet's overlapping pooling: 3×3 windows, stride 2, 55 -> 27. LeNet's subsampling is
#   trainable: 2 parameters per map.
# - Global average pooling replaces the big FC head: 64×10 + 10 instead of 3,136×10 + 10
#   parameters, and any input size; after 4 epochs on 20,000 images its network trailed the
#   Flatten head by more than 2 points. Strided convolutions replace pooling with learned
#   downsampling at the same parameters and MACs.
#
# Practise with `exercises/03_pooling.ipynb` (pooling by hand and in NumPy, sizes, LeNet's
# subsampling, GAP vs Flatten, receptive fields). Next: `04_classic_cnns.ipynb`.
