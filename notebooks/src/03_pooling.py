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
# 1. **Keep the main features**: with max pooling the strongest response of each window survives
#    (average pooling keeps the window's mean instead).
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
# We train two small CNNs with the same two convolutions (16 and 32 filters of 3×3), one with a
# 2×2 max pooling after each convolution and one without pooling, each with its own Flatten +
# Dense classifier, and read features three ways: the unpooled network's second convolution
# (28×28×32 numbers), the pooled network's second pooling (7×7×32), and a global average pooling
# of those (32 numbers). Each feature of the unpooled network sees 5×5 pixels of the input, one
# after the two poolings 10×10. The learning rate (1e-3 or 3e-3 for Adam) is chosen on 2,000
# validation images carved from the 10,000 training images, never on the test set (the printed
# validation accuracies), and both networks use it. Each of the
# first 200 test images is shifted right by 0-4 pixels, and we measure the cosine similarity
# between the features of the shifted and the original image (1 = identical), averaged over the
# 200 images.
#
# A similarity means little on its own: after a ReLU every feature is ≥ 0, so any two feature
# vectors have a positive cosine, even those of two different images. The **baseline** is the
# similarity between the features of *different* images (each probe image against its
# neighbour in the list). A shifted image whose features are no closer to the original than
# that baseline has lost its identity; so we also report the *relative* similarity
# (s − baseline)/(1 − baseline): 1 = the same features, 0 = as far apart as a different image.
# Training the CNN decides which features exist, so the whole experiment runs for several seeds
# (one in quick mode).

# %%
(x_train, y_train), (x_test, y_test) = ck.datasets.load("fashion_mnist", sample=ck.QUICK)
x_train = x_train[..., None].astype("float32") / 255.0
x_test = x_test[..., None].astype("float32") / 255.0
SEEDS = [0] if ck.QUICK else [0, 1, 2]
n_train = len(x_train) if ck.QUICK else 10_000
EPOCHS = 2 if ck.QUICK else 3
x_fit, y_fit = x_train[:n_train], y_train[:n_train]
print(
    f"{len(x_fit):,} training and {len(x_test):,} test images; {EPOCHS} epochs per model; "
    f"seeds {SEEDS}"
)


def compile_and_fit(model, learning_rate, x, y, epochs=EPOCHS):
    optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x, y, epochs=epochs, batch_size=32, verbose=0)
    return model


# The learning rate is chosen on validation images carved from the training images (never on the
# test set): each candidate trains seed 0 on the rest and the best validation accuracy wins.
(x_part, y_part), (x_val, y_val) = ck.datasets.train_validation_split(
    x_fit, y_fit, validation=0.2, seed=0
)
RATES = (1e-3, 3e-3)


def choose_learning_rate(build, epochs=EPOCHS):
    """{rate: validation accuracy} of build() trained with each rate, and the best rate."""
    scores = {}
    for rate in RATES:
        keras.utils.set_random_seed(0)
        model = compile_and_fit(build(), rate, x_part, y_part, epochs)
        scores[rate] = model.evaluate(x_val, y_val, verbose=0)[1]
    return scores, max(scores, key=scores.get)


def cnn_and_features(pooling):
    """Conv(16) -> [2×2 max pool] -> Conv(32) -> [2×2 max pool] -> Flatten -> Dense(10), and
    feature readers on its trained layers: {name: model from the input to those features}."""
    conv1 = keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv1")
    conv2 = keras.layers.Conv2D(32, 3, padding="same", activation="relu", name="conv2")
    inputs = keras.Input((28, 28, 1))
    if not pooling:
        unpooled = conv2(conv1(inputs))
        outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(unpooled))
        features = {"no pooling (28×28×32)": keras.Model(inputs, unpooled)}
        return keras.Model(inputs, outputs, name="unpooled_cnn"), features
    pooled = keras.layers.MaxPooling2D(name="pool2")(
        conv2(keras.layers.MaxPooling2D(name="pool1")(conv1(inputs)))
    )
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(pooled))
    features = {
        "2 × max pooling (7×7×32)": keras.Model(inputs, pooled),
        "+ global average pooling (32)": keras.Model(
            inputs, keras.layers.GlobalAveragePooling2D()(pooled)
        ),
    }
    return keras.Model(inputs, outputs, name="pooled_cnn"), features


scores, LEARNING_RATE = choose_learning_rate(lambda: cnn_and_features(pooling=True)[0])
print(
    f"pooled CNN, validation accuracy ({len(x_val):,} of the training images) per learning rate:",
    {rate: round(score, 3) for rate, score in scores.items()},
    f"-> {LEARNING_RATE:g} for both networks of this experiment",
)
started = time.perf_counter()
test_accuracies_by_network = {"pooled": [], "unpooled": []}
feature_networks = []
for seed in SEEDS:
    features = {}
    for pooling, key in ((False, "unpooled"), (True, "pooled")):
        keras.utils.set_random_seed(seed)
        network, readers = cnn_and_features(pooling)
        compile_and_fit(network, LEARNING_RATE, x_fit, y_fit)
        test_accuracies_by_network[key].append(network.evaluate(x_test, y_test, verbose=0)[1])
        features.update(readers)
    feature_networks.append(features)
for key, values in test_accuracies_by_network.items():
    print(f"test accuracy of the {key} CNN per seed:", [round(a, 3) for a in values])
floor = 0.55 if ck.QUICK else 0.85
worst = min(min(values) for values in test_accuracies_by_network.values())
ck.claim(
    worst > floor,
    f"both CNNs reach at least {worst:.3f} test accuracy on every seed (floor {floor})",
)
print(f"training time: {time.perf_counter() - started:.0f} s")


# %%
def shift_right(images, pixels):
    out = np.zeros_like(images)
    out[:, :, pixels:] = images[:, :, : images.shape[2] - pixels]
    return out


def cosine(a, b):
    """Mean over images of a·b / (|a| |b|), row i of a against row i of b."""
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    return np.mean(
        np.sum(a * b, axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1) + 1e-8)
    )


probe = x_test[:200]
shifts = range(5)
runs = []  # one row per (seed, features): similarity per shift and to a different image
for seed, features in zip(SEEDS, feature_networks, strict=True):
    for name, network in features.items():
        original = network.predict(probe, verbose=0)
        row = {"seed": seed, "features": name}
        for s in shifts:
            row[s] = cosine(original, network.predict(shift_right(probe, s), verbose=0))
        assert row[0] > 0.999  # no shift: identical features
        row["different image"] = cosine(original, np.roll(original, 1, axis=0))
        runs.append(row)
runs = pd.DataFrame(runs)
relative = runs.copy()
for s in shifts:
    relative[s] = (runs[s] - runs["different image"]) / (1 - runs["different image"])
similarity = runs.groupby("features", sort=False)[[*shifts, "different image"]].mean().T
similarity.index.name = "shift (pixels)"
print(f"cosine similarity to the unshifted features, mean of {len(SEEDS)} seed(s):")
similarity.round(3)


# %%
def over_seeds(table, name, column):
    return table.loc[table["features"] == name, column].tolist()


NONE, MAX, GAP = feature_networks[0]  # the three feature names
relative_means = relative.groupby("features", sort=False)[list(shifts)].mean()
print("relative similarity (s - baseline) / (1 - baseline), mean of the seeds:")
print(relative_means.T.rename_axis("shift (pixels)").round(2).to_string(), "\n")
one_pixel = ck.compare_seeds(
    {MAX: over_seeds(relative, MAX, 1), NONE: over_seeds(relative, NONE, 1)},
    metric="relative similarity after a 1-pixel shift",
)
four_pixels = ck.compare_seeds(
    {GAP: over_seeds(relative, GAP, 4), MAX: over_seeds(relative, MAX, 4)},
    metric="relative similarity after a 4-pixel shift",
)
gap_baseline = ck.compare_seeds(
    {
        "shifted by 4 pixels": over_seeds(runs, GAP, 4),
        "a different image": over_seeds(runs, GAP, "different image"),
    },
    metric="cosine similarity of GAP features to the original image's",
)
for comparison, a, b in (
    (one_pixel, MAX, NONE),
    (four_pixels, GAP, MAX),
    (gap_baseline, "shifted by 4 pixels", "a different image"),
):
    print(comparison, comparison.verdict(a, b), "", sep="\n")
ck.claim(
    one_pixel.beats(MAX, NONE),
    f"after a 1-pixel shift, max-pooled features keep more of their similarity than unpooled "
    f"ones (relative similarity {one_pixel.arm(MAX).mean:.2f} vs {one_pixel.arm(NONE).mean:.2f}, "
    "every seed)",
    full_only=True,
)
ck.claim(
    four_pixels.beats(GAP, MAX),
    f"after a 4-pixel shift, global-average-pooled features keep more of it than max-pooled ones "
    f"({four_pixels.arm(GAP).mean:.2f} vs {four_pixels.arm(MAX).mean:.2f}, every seed)",
    full_only=True,
)
ck.claim(
    gap_baseline.beats("shifted by 4 pixels", "a different image"),
    f"GAP features of an image shifted by 4 pixels are closer to the original's "
    f"({gap_baseline.arm('shifted by 4 pixels').mean:.3f}) than those of a different image "
    f"({gap_baseline.arm('a different image').mean:.3f}), every seed",
    full_only=True,
)

# %%
relative_by_features = relative.groupby("features", sort=False)[list(shifts)]
poolplots.similarity_vs_shift(
    shifts,
    {name: relative_means.loc[name].tolist() for name in relative_means.index},
    spread={
        name: (relative_by_features.min().loc[name], relative_by_features.max().loc[name])
        for name in relative_means.index
    },
    ylabel="relative similarity (1 = same, 0 = a different image)",
    title=f"Position sensitivity: mean of {len(SEEDS)} seed(s), band = lowest to highest seed",
)

# %% [markdown]
# The last row is the baseline: the features of two *different* images already have a cosine
# similarity of 0.168 without pooling, 0.421 after max pooling and 0.905 after global average
# pooling (no feature is negative after the ReLU, and averaging each map over all its positions
# leaves 32 numbers that differ little from image to image). A raw 0.993-0.996 for the GAP
# features therefore says less than it seems. Measured from the baseline (the second table and
# the figure, whose bands run from the lowest to the highest seed): without pooling, a 1-pixel
# shift already moves the features more than halfway to a different image's (relative similarity
# 0.43); after two 2×2 max poolings a small shift often
# stays inside the same window, and they keep 0.81 (the first claim), but that falls as the
# shift grows, to 0.24 after 4 pixels. Global
# average pooling forgets position almost entirely: 0.96 after 4 pixels, more than the
# max-pooled features on every seed (the second claim), and a shifted image's GAP features stay
# closer to the original's than a different image's do (the third claim). (Convolution itself is
# *equivariant* (平移等变性), the map moves with the input; pooling makes the features more
# *invariant* (平移不变性), they stay the same.)

# %% [markdown]
# ### Experiment: does pooling resist overfitting?
#
# Overfitting (过拟合) shows as a gap: high accuracy on the training images, lower on new ones.
# Few training images and many epochs invite it: 1,000 images, 20 epochs. Four networks have
# the same two convolutions (16 and 32 filters of 3×3; each network trains its own) and differ only in how they downsample
# after each convolution: not at all, 2×2 max pooling, 2×2 average pooling, or AlexNet's
# overlapping 3×3 windows at stride 2 (section 4; with "same" padding, so its maps shrink like
# the 2×2 ones, 28 -> 14 -> 7). Without pooling the classifier sees all 28×28×32 = 25,088
# numbers instead of 7×7×32 = 1,568: 16 times more weights in the Dense layer, about 12 times
# more parameters in all (the table), to fit the 1,000 images with. Each network trains once per
# seed; a comparison holds a difference only when every seed of one network is better than
# every seed of the other (`ck.compare_seeds`), otherwise it is a tie within the seeds' noise.


# %%
def downsampling_cnn(downsampling):
    """Conv(16) -> downsample -> Conv(32) -> downsample -> Flatten -> Dense(10) softmax."""

    def downsample(x):
        if downsampling == "max 2×2":
            return keras.layers.MaxPooling2D(2)(x)
        if downsampling == "average 2×2":
            return keras.layers.AveragePooling2D(2)(x)
        if downsampling == "max 3×3/2 (overlapping)":
            return keras.layers.MaxPooling2D(3, strides=2, padding="same")(x)
        return x  # "none": the classifier sees every position

    inputs = keras.Input((28, 28, 1))
    x = downsample(keras.layers.Conv2D(16, 3, padding="same", activation="relu")(inputs))
    x = downsample(keras.layers.Conv2D(32, 3, padding="same", activation="relu")(x))
    outputs = keras.layers.Dense(10, activation="softmax")(keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs, name="cnn_" + downsampling.split(" ")[0])


# %%
DOWNSAMPLINGS = ("none", "max 2×2", "average 2×2", "max 3×3/2 (overlapping)")
n_small, small_epochs = (300, 2) if ck.QUICK else (1_000, 20)
x_small, y_small = x_train[:n_small], y_train[:n_small]
started = time.perf_counter()
overfit_runs = []
for seed in SEEDS:
    for downsampling in DOWNSAMPLINGS:
        keras.utils.set_random_seed(seed)
        model = downsampling_cnn(downsampling)
        model.compile(
            optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
        )
        model.fit(x_small, y_small, epochs=small_epochs, batch_size=32, verbose=0)
        train_accuracy = model.evaluate(x_small, y_small, verbose=0)[1]
        test_accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
        overfit_runs.append(
            {
                "downsampling": downsampling,
                "seed": seed,
                "parameters": model.count_params(),
                "train accuracy": train_accuracy,
                "test accuracy": test_accuracy,
                "gap": train_accuracy - test_accuracy,
            }
        )
overfit_runs = pd.DataFrame(overfit_runs)
print(
    f"{n_small:,} training images, {small_epochs} epochs, seeds {SEEDS}: "
    f"{time.perf_counter() - started:.0f} s"
)
overfit = overfit_runs.groupby("downsampling", sort=False).agg(
    {"parameters": "first", "train accuracy": "mean", "test accuracy": "mean", "gap": "mean"}
)
overfit.round(3)


# %%
def per_seed(column):
    return {
        name: overfit_runs.loc[overfit_runs["downsampling"] == name, column].tolist()
        for name in DOWNSAMPLINGS
    }


gaps = ck.compare_seeds(per_seed("gap"), metric="train-test gap", higher_is_better=False)
train_accuracies = ck.compare_seeds(per_seed("train accuracy"), metric="training accuracy")
test_accuracies = ck.compare_seeds(per_seed("test accuracy"), metric="test accuracy")
for comparison in (gaps, train_accuracies, test_accuracies):
    print(comparison, "", sep="\n")
for name in DOWNSAMPLINGS[1:]:
    print(gaps.verdict(name, "none"))
    print(test_accuracies.verdict(name, "none"))
memorised = min(per_seed("train accuracy")["none"])
ck.claim(
    memorised > 0.95,
    f"without pooling the network almost memorises the training images ({memorised:.3f} "
    "training accuracy on its worst seed, floor 0.95)",
    full_only=True,
)
ck.claim(
    all(gaps.beats(name, "none") for name in DOWNSAMPLINGS[1:]),
    "each pooled network has a smaller train-test gap than the network without pooling, "
    f"every seed (mean gap {gaps.arm('none').mean:.3f} without pooling; "
    f"{', '.join(f'{gaps.arm(n).mean:.3f}' for n in DOWNSAMPLINGS[1:])} with max, average, "
    "overlapping pooling)",
    full_only=True,
)
ck.claim(
    all(train_accuracies.beats("none", name) for name in DOWNSAMPLINGS[1:]),
    "each pooled network reaches a lower training accuracy than the network without pooling, "
    "every seed",
    full_only=True,
)
for name in ("max 2×2", "max 3×3/2 (overlapping)"):
    print(gaps.verdict("average 2×2", name))
print(test_accuracies.verdict("max 2×2", "average 2×2"))
ck.claim(
    all(gaps.beats("average 2×2", name) for name in ("max 2×2", "max 3×3/2 (overlapping)"))
    and test_accuracies.beats("max 2×2", "average 2×2"),
    f"average pooling has a smaller gap than both max poolings on every seed "
    f"(mean {gaps.arm('average 2×2').mean:.3f}), and a lower test accuracy than 2×2 max pooling "
    f"on every seed ({test_accuracies.arm('average 2×2').mean:.3f} "
    f"vs {test_accuracies.arm('max 2×2').mean:.3f})",
    full_only=True,
)

# %%
poolplots.train_test_gap(
    overfit.index,
    overfit["train accuracy"],
    overfit["test accuracy"],
    per_seed=(
        [per_seed("train accuracy")[name] for name in overfit.index],
        [per_seed("test accuracy")[name] for name in overfit.index],
    ),
    title=f"bars: mean of {len(SEEDS)} seed(s), dots: each seed; {n_small:,} training images",
)

# %% [markdown]
# What was measured (means of 3 seeds; the verdict lines above compare every seed): without
# pooling the network fits the 1,000 training images to 0.980 accuracy and has the largest
# gap, 0.182; each kind of pooling shrinks the gap on every seed (the second claim). That is
# the sense in which pooling resists overfitting: the classifier gets fewer, coarser numbers to
# memorise. But the gap shrank because training accuracy fell (the third claim; by 6.6 to 11.3
# points in the table's means), not because test accuracy rose by as much: it changed by −0.5 to +1.9
# points. Only 2×2 max pooling beats no pooling on test accuracy on every seed (0.817 against
# 0.798; with 3 seeds per network, "every seed" happens by chance 5% of the time when there is no
# real difference, the printed chance level); average and overlapping pooling tie with no pooling, within the seeds' noise (the
# verdict lines; in the figure the dots of the seeds show how little each network varies). And a
# smaller gap is not by itself a better model: average pooling has a smaller gap than both max
# poolings on every seed and the lowest test accuracy of the pooled networks, below 2×2 max
# pooling on every seed (the last claim and the verdict lines above it). What pooling certainly buys here is the smaller gap, with about a
# twelfth of the parameters; whether the test accuracy improves depends on the kind of pooling.

# %% [markdown]
# ## 4. Overlapping pooling (AlexNet)
#
# AlexNet pools with 3×3 windows at stride 2: neighbouring windows share a row or column
# (overlapping pooling, 重叠池化). Its 55×55×96 maps become 27×27×96. The authors reported slightly
# lower error (0.3-0.4 points of top-1/top-5 error on ImageNet) and slightly less overfitting
# than with non-overlapping 2×2 windows. Does it help here? The overfitting experiment of
# section 3 trained both side by side, same seeds, same data:

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
OVERLAPPING, TWO_BY_TWO = "max 3×3/2 (overlapping)", "max 2×2"
print(overfit.loc[[TWO_BY_TWO, OVERLAPPING], ["test accuracy", "gap"]].round(3).to_string())
print(test_accuracies.verdict(OVERLAPPING, TWO_BY_TWO))
print(gaps.verdict(OVERLAPPING, TWO_BY_TWO))
ck.claim(
    len(SEEDS) > 1 and not test_accuracies.beats(OVERLAPPING, TWO_BY_TWO),  # 1 seed: no verdict
    "overlapping max pooling does not beat 2×2 max pooling on test accuracy here "
    f"(mean {test_accuracies.arm(OVERLAPPING).mean:.3f} vs {test_accuracies.arm(TWO_BY_TWO).mean:.3f})",
    full_only=True,
)

# %%
small = np.arange(49).reshape(7, 7) % 10
poolplots.pooling_step(small, pool_size=3, stride=2, position=(0, 1), mode="max")

# %% [markdown]
# In the figure, the window of output (0, 1) starts at column 2, which the window of output
# (0, 0) already covered: the rows and columns where two windows meet (2 and 4 on this 7×7 grid)
# are read twice. Here the 9 in row 1, column 2 lies in both windows, so outputs (0, 0) and
# (0, 1) are both that same 9. The output grid is 3×3 as well, (7 − 3)/2 + 1 = 3 (the title of
# the right panel gives the output's size, not the window's).
#
# The measurement: at this scale overlapping pooling ties with 2×2 pooling on test accuracy, the
# seeds' ranges overlap (the verdict lines above; their train-test gaps are within noise too),
# and it does not beat 2×2 pooling (the claim). AlexNet's gain was a fraction of a point on
# ImageNet with a far larger network; with 3 seeds per network on 1,000 Fashion-MNIST images, a
# difference that small is not told apart from the seed-to-seed noise.
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
# Global average pooling (全局平均池化; introduced by Network in Network, Lin et al. 2013, and
# used by GoogLeNet before a single linear layer, in place of a big FC stack) averages each whole feature map to one number: a
# 7×7×64 map becomes 64 numbers instead of 3,136, and the classifier after it needs 49 times
# fewer weights (48 times fewer parameters, counting the 10 biases). Same convolutional base,
# two heads, the same 10,000 training images and the same budget of 8 epochs, once per seed. Each
# head gets the Adam learning rate (1e-3 or 3e-3) under which seed 0 reaches the higher accuracy
# on the 2,000 validation images of section 3 (carved from the training images; the test set
# is not used to choose). We record training and test accuracy, so the train-test gap too:


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
    "max pooling + Flatten + Dense": lambda: conv_base() + head("flatten"),
    "max pooling + global average pooling": lambda: conv_base() + head("gap"),
}
HEAD_EPOCHS = 2 if ck.QUICK else 8


def build(name):
    return keras.Sequential(
        [keras.Input((28, 28, 1)), *variants[name]()],
        name=name.replace(" ", "_").replace("+", "and"),
    )


rates = {}
for name in variants:  # each head gets the rate it learns best with, on validation data
    scores, rates[name] = choose_learning_rate(lambda name=name: build(name), HEAD_EPOCHS)
    print(
        f"{name}: validation accuracy per learning rate",
        {rate: round(score, 3) for rate, score in scores.items()},
        f"-> {rates[name]:g}",
    )
models, head_runs = {}, []
started = time.perf_counter()
for seed in SEEDS:
    for name in variants:
        keras.utils.set_random_seed(seed)
        model = compile_and_fit(build(name), rates[name], x_fit, y_fit, HEAD_EPOCHS)
        models.setdefault(name, model)  # the first seed's networks are used below
        train_accuracy = model.evaluate(x_fit, y_fit, verbose=0)[1]
        test_accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
        head_runs.append(
            {
                "network": name,
                "seed": seed,
                "head parameters": model.get_layer("classifier").count_params(),
                "total parameters": model.count_params(),
                "train accuracy": train_accuracy,
                "test accuracy": test_accuracy,
                "gap": train_accuracy - test_accuracy,
            }
        )
head_runs = pd.DataFrame(head_runs)
print(f"{HEAD_EPOCHS} epochs per network, seeds {SEEDS}: {time.perf_counter() - started:.0f} s")


def head_seeds(column):
    return {name: head_runs.loc[head_runs["network"] == name, column].tolist() for name in variants}


FLATTEN, POOLED_GAP = variants
head_train = ck.compare_seeds(head_seeds("train accuracy"), metric="training accuracy")
heads = ck.compare_seeds(head_seeds("test accuracy"), metric="test accuracy")
head_gaps = ck.compare_seeds(head_seeds("gap"), metric="train-test gap", higher_is_better=False)
for measured in (head_train, heads, head_gaps):
    print(measured, measured.verdict(FLATTEN, POOLED_GAP), "", sep="\n")
ck.claim(
    head_train.beats(FLATTEN, POOLED_GAP),
    f"with the same {HEAD_EPOCHS} epochs the Flatten head fits the training images better on "
    f"every seed (training accuracy {head_train.arm(FLATTEN).mean:.3f} vs "
    f"{head_train.arm(POOLED_GAP).mean:.3f})",
    full_only=True,
)
ck.claim(
    heads.beats(FLATTEN, POOLED_GAP),
    f"the GAP head trails the Flatten head on test accuracy on every seed "
    f"(mean {heads.arm(POOLED_GAP).mean:.3f} vs {heads.arm(FLATTEN).mean:.3f})",
    full_only=True,
)
comparison = head_runs.groupby("network", sort=False).agg(
    {
        "head parameters": "first",
        "total parameters": "first",
        "train accuracy": "mean",
        "test accuracy": "mean",
        "gap": "mean",
    }
)
comparison.round(3)

# %%
# NBVAL_CHECK_OUTPUT
assert comparison["head parameters"].tolist() == [
    formulas.dense_params(7 * 7 * 64, 10),
    formulas.dense_params(64, 10),
]
print(comparison["head parameters"].to_string())

# %% [markdown]
# The validation images chose 1e-3 for the Flatten head (0.876 against 0.872 at 3e-3) and 3e-3
# for the GAP head (0.841 against 0.779 at 1e-3: it learns slowly at the smaller rate). The
# global-average-pooling head has 48 times fewer parameters. With the same 8 epochs it fits the
# training images less well (training accuracy 0.852 against 0.926, every seed: the first
# claim) and trails the Flatten head on test accuracy on every seed, 0.829 against 0.879 (the
# second claim). Its train-test gap is smaller on every seed, 0.022 against 0.046 (the last
# verdict line): it overfits less, but, as with pooling in section 3, through lower training
# accuracy, not higher test accuracy. A likely reason, not measured here: the convolutions must
# learn features whose *average* over the map already separates the classes, while the Flatten
# head gets 3,136 position-specific numbers to combine. Whether the GAP network catches up with
# still longer training this run does not show. What the head change certainly gives: the
# smaller head and any input size (section 8).
# What the GAP head receives for one test image (shown on the left): each of the 64 maps of the
# last convolution (7×7) becomes its mean. All panels share one colour scale; several maps are zero or nearly
# zero for this image (map 4, mean 0.00, and the missing bars): their ReLU hardly fires on it.

# %%
gap_net = models["max pooling + global average pooling"]
last_conv = keras.Model(gap_net.inputs, gap_net.layers[-3].output)
poolplots.global_average_pooling(last_conv.predict(x_test[:1], verbose=0), image=x_test[0])

# %% [markdown]
# `ck.explain` of the GAP network:

# %%
ck.explain(models["max pooling + global average pooling"])

# %% [markdown]
# ## 7. Pooling vs strided convolution
#
# A stride-2 convolution also halves the size, but it **learns** how to downsample, where pooling
# applies a fixed rule with zero parameters. Built on the same 16 -> 32 -> 64 channels
# (`conv_base(strided=True)`, untrained: only its size is measured here), the strided network has
# exactly the same parameters as the pooled one (a stride does not change a convolution's
# weights: F×F×D1×K + K).


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
strided_net = keras.Sequential(
    [keras.Input((28, 28, 1)), *conv_base(strided=True), *head("gap")], name="strided"
)
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
# class. The fully connected (FC, 全连接层) layers at the end mix all features from all positions into those
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
#   regress), or to add capacity when the last feature maps are not yet linearly separable. One
#   final *linear map* to the class scores is always needed, but it need not be a Dense layer:
#   a 1×1 convolution with one output map per class followed by global average pooling (Network
#   in Network) computes the same scores as global average pooling followed by a Dense layer,
#   since averaging and a linear map commute.
# - **Not needed** as a big hidden FC stack when global average pooling can summarise the maps:
#   far fewer parameters (section 6 measured less overfitting, a train-test gap of 0.022
#   against 0.046, but also a lower test accuracy after 8 epochs, 0.829 against 0.879), and the
#   network accepts any input size. The GAP network trained above classifies a 36×36 image
#   without change; the Flatten network cannot, its Dense layer expects exactly 3,136 inputs:

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
except ValueError as error:
    assert "5184" in str(error) and "3136" in str(error), error  # Keras names both sizes
    print("Flatten network on a 36×36 image -> ValueError: 36 -> 18 -> 9, so Flatten gives")
    print(f"9×9×64 = {9 * 9 * 64:,} numbers, and its Dense layer was built for 7×7×64 = 3,136")
else:
    raise AssertionError("the Flatten network accepted a 36×36 image")

# %% [markdown]
# ## Recap
#
# - Pooling summarises each window (max, average, min): no parameters, depth unchanged,
#   W2 = (W1 − F)/S + 1 ("valid" floors, "same" pads). The window [[1, 3], [2, 2]] averages 2, maxes 3.
# - It keeps strong responses, cuts later computation, and makes features less sensitive to
#   small shifts, measured from the similarity of two different images (0) to the same image (1):
#   after 1 pixel, max-pooled features kept 0.81, those of a network trained without pooling
#   0.43; global-average-pooled
#   features kept 0.96 after 4 pixels.
# - Measured on 1,000 images over 3 seeds: every kind of pooling shrank the train-test gap
#   (from 0.182 to 0.074-0.097), through lower training accuracy. On test accuracy only 2×2 max
#   pooling beat no pooling on every seed (0.817 vs 0.798); average and overlapping pooling tied
#   with no pooling. Average pooling had the smallest gap and a lower test accuracy than max pooling;
#   overlapping 3×3/2 pooling tied with 2×2 pooling (within the seeds' noise).
# - AlexNet's overlapping pooling: 3×3 windows, stride 2, 55 -> 27. LeNet's subsampling is
#   trainable: 2 parameters per map.
# - Global average pooling replaces the big FC head: 64×10 + 10 instead of 3,136×10 + 10
#   parameters, and any input size; after 8 epochs on 10,000 images (learning rates chosen on
#   validation images) its network had the smaller train-test gap (0.022 vs 0.046) but trailed
#   the Flatten head on test accuracy on every seed (0.829 vs 0.879). Strided convolutions replace
#   pooling with learned downsampling at the same parameters and MACs.
#
# Practise with `exercises/03_pooling.ipynb` (pooling by hand and in NumPy, sizes, LeNet's
# subsampling, GAP vs Flatten, receptive fields). Next: `04_classic_cnns.ipynb`.
