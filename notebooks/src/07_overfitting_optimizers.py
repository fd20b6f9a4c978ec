# %% [markdown]
# # 07 Overfitting and optimizers (过拟合与优化算法)
#
# A network that fits its training data perfectly can still be useless on new data. This chapter
# makes a network overfit on purpose, measures every remedy on the same baseline (each remedy is
# the few Keras lines that make it, trained in the cell that measures it), looks inside the
# gradients of deep networks, writes the optimizers' update rules in NumPy and checks them against
# Keras, watches them move on 2-D loss surfaces, and ends with learning-rate schedules,
# hyperparameter search and the losses of detection and recognition.
#
# Every experiment is sized by `ck.QUICK`: quick mode proves the code runs; full mode (the outputs
# you see) uses more data, epochs and seeds. A result the text states is checked by a
# `Claim holds:` line in the cell that measures it, and each experiment prints its time.
#
# **The data rule.** Three sets: the network learns from the *training* set (训练集); everything
# that chooses (early stopping, a dropout rate, a learning rate, a search) looks at the
# *validation* set (验证集), carved out of the training data; the *test* set (测试集) is touched
# once, for the final model's number. **Comparisons run over seeds**: "A beats B" means every
# seed of A ends better than every seed of B (`ck.compare_seeds`); otherwise the difference is
# within noise and the text says so.

# %%
import tempfile
import time
from contextlib import contextmanager

import keras
import numpy as np
import pandas as pd

import cnnkit as ck
from cnnkit import scratch
from cnnkit.models import basic_cnns, deep_mlps, mlp_growth
from cnnkit.plots import losses as loss_plots
from cnnkit.plots import optimization as plots
from cnnkit.scratch import box_losses, embedding_losses, surfaces, trajectories
from cnnkit.training import (
    data_problems,
    gradients,
    losses,
    optimizer_check,
    pruning,
    remedies,
    schedules,
    tuning,
)
from cnnkit.training.recipes import prepare_images

QUICK = ck.QUICK
SEEDS = (0,) if QUICK else (0, 1, 2)  # every comparison: one run per seed and arm
N_SMALL = 300 if QUICK else 600  # the small training set that the big network memorises
N_VAL = 300 if QUICK else 1000
N_TRAIN = 600 if QUICK else 2400  # "more data", and for comparing optimizers, schedules, losses
EPOCHS_OVERFIT = 3 if QUICK else 20
EPOCHS = 1 if QUICK else 3

(x_all, y_all), (x_test_all, y_test_all) = ck.datasets.load("fashion_mnist", sample=QUICK)
class_names = ck.datasets.class_names("fashion_mnist")
# Validation comes out of the training data; the test set stays aside until the end of section 1.
(x_pool, y_pool), (x_val, y_val) = ck.datasets.train_validation_split(
    x_all, y_all, validation=N_VAL, seed=0
)
x_val = prepare_images(x_val)  # float32 in [0, 1], shape (N, 28, 28, 1)
x_small, y_small = prepare_images(x_pool[:N_SMALL]), y_pool[:N_SMALL]
x_train, y_train = prepare_images(x_pool[:N_TRAIN]), y_pool[:N_TRAIN]
x_test, y_test = prepare_images(x_test_all), y_test_all
print(
    f"small training set {x_small.shape}, more data {x_train.shape}, "
    f"validation {x_val.shape} (from the training data), test {x_test.shape}; seeds {SEEDS}"
)


@contextmanager
def timed(what):
    """Print how long the experiment inside the `with` block took."""
    started = time.perf_counter()
    yield
    print(f"[{what}: {time.perf_counter() - started:.1f} s]")


# %% [markdown]
# ## 1. Overfitting on purpose, and every remedy measured against it
#
# **Overfitting (过拟合)**: the training loss keeps falling while the validation loss stops
# falling and rises. Its causes: too many parameters for too few samples, a training set that does
# not look like the test data (distribution mismatch), and fitting the noise of the labels. The
# baseline is a two-layer MLP with 256 units per layer (about 270,000 parameters) trained for
# `EPOCHS_OVERFIT` epochs on only `N_SMALL` images: far more parameters than samples.
#
# `train` below is the whole training procedure, the same for every remedy: for each seed, build
# the model, compile it (Adam 1e-3, cross-entropy), fit it with batch size 64 while Keras reports
# the validation loss and accuracy after every epoch, and measure the final weights. Both
# accuracies are measured with `evaluate`, in inference mode (no dropout, no augmentation); the
# **gap** (泛化差距) is training minus validation accuracy.
#
# **One metric judges every remedy: the validation accuracy of the final weights**, over the seeds.
# The gap shows *how much* a model overfits; the validation accuracy says whether the remedy helps.


# %%
def mlp(units=256):
    """The baseline: Flatten -> 2 x Dense(units, relu) -> Dense(10, softmax)."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def train(build, x=x_small, y=y_small, *, epochs=EPOCHS_OVERFIT, callbacks=(), seeds=SEEDS):
    """Train a fresh `build()` once per seed; return one dict per seed (model, history, numbers)."""
    runs = []
    for seed in seeds:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)  # the initial weights, dropout masks and batch order
        model = build()
        model.compile(
            optimizer=keras.optimizers.Adam(1e-3),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        history = model.fit(
            x,
            y,
            validation_data=(x_val, y_val),
            epochs=epochs,
            batch_size=64,
            callbacks=list(callbacks),
            verbose=0,
        ).history
        train_accuracy = model.evaluate(x, y, batch_size=512, verbose=0, return_dict=True)
        val = model.evaluate(x_val, y_val, batch_size=512, verbose=0, return_dict=True)
        runs.append(
            {
                "model": model,
                "history": history,
                "epochs run": len(history["loss"]),
                "train accuracy": train_accuracy["accuracy"],
                "val accuracy": val["accuracy"],
                "gap": train_accuracy["accuracy"] - val["accuracy"],
            }
        )
    return runs


def against_baseline(name):
    """The seed comparison of one remedy with the baseline on the validation accuracy."""
    comparison = ck.compare_seeds(
        {name: val_accuracies(name), "baseline": val_accuracies("baseline")},
        metric="validation accuracy",
    )
    print(comparison)
    print(comparison.verdict(name, "baseline"))
    print(f"mean gap: baseline {mean_of('baseline', 'gap'):.3f}, {name} {mean_of(name, 'gap'):.3f}")
    return comparison


def val_accuracies(name):
    return [run["val accuracy"] for run in results[name]]


def mean_of(name, key):
    return float(np.mean([run[key] for run in results[name]]))


# %%
results = {}
with timed(f"baseline, {len(SEEDS)} seeds"):
    results["baseline"] = train(mlp)
base = results["baseline"][0]  # seed 0: the curves below
val_loss = np.asarray(base["history"]["val_loss"])
best_epoch = int(np.argmin(val_loss)) + 1
gaps = [run["gap"] for run in results["baseline"]]
print(
    f"seed 0: train accuracy {base['train accuracy']:.3f}, val accuracy {base['val accuracy']:.3f}; "
    f"gap per seed: {np.round(gaps, 3)}"
)
ck.claim(
    min(gaps) > 0.16,
    f"on every seed training accuracy ends more than 16 points above validation accuracy "
    f"(smallest gap {min(gaps):.3f})",
    full_only=True,
)
ck.claim(
    best_epoch < EPOCHS_OVERFIT and val_loss[-1] > 1.2 * val_loss.min(),
    f"seed 0: the validation loss is lowest at epoch {best_epoch} of {EPOCHS_OVERFIT} and then "
    f"rises, from {val_loss.min():.2f} to {val_loss[-1]:.2f} ({val_loss[-1] / val_loss.min():.2f} "
    f"times its minimum, floor 1.2)",
    full_only=True,
)
plots.overfitting_curves(base["history"])

# %% [markdown]
# The curves split: training accuracy climbs past 90 % while validation accuracy stalls, and
# the validation loss turns round (the network grows over-confident on the images it gets wrong).
# The dotted line marks the epoch with the lowest validation loss.
#
# There are two directions of remedy: **fewer parameters** (a smaller model, weight sharing,
# pruning, greedy construction), or a **smaller effective size per parameter** (regularisation,
# 正则化). Weight sharing (权值共享) is what a convolution does: one small kernel is used at every
# position, so the small CNN of the dropout sweep below has 12,810 parameters where this MLP has
# 269,322 (the table below); this chapter does not compare the two networks' accuracy. Each
# remedy below is the baseline with a few changed Keras lines, trained with the same `train` on
# the same seeds, and compared with the baseline on the validation accuracy.
#
# ### L2 weight decay (权重衰减)
#
# The loss gains l2 · Σw² for every hidden kernel (`kernel_regularizer`), so every step also pulls
# each weight towards 0 (its gradient is 2 · l2 · w): large weights, which a memorising network
# needs, cost. With Adam, though, that pull is divided by each weight's running gradient size like
# every other gradient, which weakens it for exactly the weights with large gradients; this is why
# `keras.optimizers.AdamW` applies weight decay separately from the gradient.


# %%
def l2_mlp(l2=1e-3):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(256, "relu", kernel_regularizer=keras.regularizers.L2(l2)),
            keras.layers.Dense(256, "relu", kernel_regularizer=keras.regularizers.L2(l2)),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


with timed("L2"):
    results["L2"] = train(l2_mlp)
comparison = against_baseline("L2")
ck.claim(
    comparison.within_noise("L2", "baseline"),
    f"L2 and the baseline are within noise on validation accuracy "
    f"({comparison.arm('L2').mean:.3f} vs {comparison.arm('baseline').mean:.3f}, "
    "the seeds' ranges overlap)",
    full_only=True,
)

# %% [markdown]
# ### Dropout (随机失活)
#
# During training each hidden unit is zeroed with probability `rate` (0.5 here) at every step, so
# no unit can rely on a particular other one being there. `Dropout` is active only in training.


# %%
def dropout_mlp(rate=0.5):
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(rate),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dropout(rate),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


with timed("dropout"):
    results["dropout"] = train(dropout_mlp)
comparison = against_baseline("dropout")
ck.claim(
    comparison.within_noise("dropout", "baseline"),
    f"dropout and the baseline are within noise on validation accuracy "
    f"({comparison.arm('dropout').mean:.3f} vs {comparison.arm('baseline').mean:.3f}, "
    "the seeds' ranges overlap)",
    full_only=True,
)

# %% [markdown]
# ### Data augmentation (数据增强)
#
# Random horizontal flips and shifts of up to 10 % make each epoch show new variants of every
# image: the network cannot memorise pixels that move. Keras's preprocessing layers are active
# only in training, so `evaluate` sees the images unchanged.


# %%
def augmented_mlp():
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
            keras.layers.Flatten(),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(256, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


with timed("augmentation"):
    results["augmentation"] = train(augmented_mlp)
comparison = against_baseline("augmentation")
ck.claim(
    not comparison.beats("augmentation", "baseline")
    and comparison.arm("augmentation").mean < comparison.arm("baseline").mean,
    f"after {EPOCHS_OVERFIT} epochs augmentation does not beat the baseline: its mean validation "
    f"accuracy is lower ({comparison.arm('augmentation').mean:.3f} vs "
    f"{comparison.arm('baseline').mean:.3f})",
    full_only=True,
)

# %% [markdown]
# ### Early stopping (早停法) with the best weights restored
#
# Watch the validation loss, stop when it has not improved for `patience` epochs, and keep the
# weights of the best epoch (`restore_best_weights=True`). It trains the unchanged baseline; the
# validation set it watches is carved from the training data, never the test set. Its validation
# accuracy below is measured on the same set it chose its epoch on, so that number is, if
# anything, flattered; a fair final number would come from the test set, once.

# %%
early_stopping = keras.callbacks.EarlyStopping(
    monitor="val_loss", patience=5, restore_best_weights=True
)
with timed("early stopping"):
    results["early stopping"] = train(mlp, callbacks=[early_stopping])
print("epochs run per seed:", [run["epochs run"] for run in results["early stopping"]])
comparison = against_baseline("early stopping")
ck.claim(
    comparison.within_noise("early stopping", "baseline"),
    f"early stopping and the baseline are within noise on validation accuracy "
    f"({comparison.arm('early stopping').mean:.3f} vs {comparison.arm('baseline').mean:.3f}, "
    "the seeds' ranges overlap)",
    full_only=True,
)

# %% [markdown]
# ### Batch normalisation (批归一化)
#
# `Dense → BatchNormalization → ReLU`: each layer's inputs are re-centred and re-scaled per
# mini-batch (the Dense layer needs no bias: BN's shift β takes its place). The noise of the
# batch statistics is sometimes called a regulariser; the run says whether it is one here.


# %%
def batch_norm_mlp():
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(256, use_bias=False),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.Dense(256, use_bias=False),
            keras.layers.BatchNormalization(),
            keras.layers.Activation("relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


with timed("batch norm"):
    results["batch norm"] = train(batch_norm_mlp)
comparison = against_baseline("batch norm")
ck.claim(
    comparison.within_noise("batch norm", "baseline"),
    f"batch norm and the baseline are within noise on validation accuracy "
    f"({comparison.arm('batch norm').mean:.3f} vs {comparison.arm('baseline').mean:.3f}, "
    "the seeds' ranges overlap)",
    full_only=True,
)

# %% [markdown]
# ### Fewer parameters and more data
#
# The same architecture with 32 units per layer (about 26,000 parameters instead of 270,000), and
# the baseline itself trained on `N_TRAIN` images instead of `N_SMALL`.

# %%
with timed("fewer parameters"):
    results["fewer parameters"] = train(lambda: mlp(units=32))
comparison = against_baseline("fewer parameters")
ck.claim(
    comparison.within_noise("fewer parameters", "baseline"),
    f"fewer parameters and the baseline are within noise on validation accuracy "
    f"({comparison.arm('fewer parameters').mean:.3f} vs {comparison.arm('baseline').mean:.3f}, "
    "the seeds' ranges overlap)",
    full_only=True,
)

# %%
with timed("more data"):
    results["more data"] = train(mlp, x_train, y_train)
comparison = against_baseline("more data")
ck.claim(
    comparison.beats("more data", "baseline"),
    f"more data beats the baseline on validation accuracy: its worst seed "
    f"({min(val_accuracies('more data')):.3f}) is above the baseline's best "
    f"({max(val_accuracies('baseline')):.3f})",
    full_only=True,
)

# %% [markdown]
# All remedies side by side: the validation accuracy of each seed (the judging metric), the mean
# gap, and seed 0's validation accuracy per epoch. The test set is used here once: for the remedy
# with the best mean validation accuracy, each seed's final model is evaluated on the 10,000 test
# images.

# %%
comparison = ck.compare_seeds(
    {name: val_accuracies(name) for name in results}, metric="validation accuracy"
)
print(comparison)
table = pd.DataFrame(
    {
        "parameters": {name: runs[0]["model"].count_params() for name, runs in results.items()},
        "epochs run (mean)": {name: mean_of(name, "epochs run") for name in results},
        "train accuracy": {name: mean_of(name, "train accuracy") for name in results},
        "val accuracy": {name: mean_of(name, "val accuracy") for name in results},
        "gap": {name: mean_of(name, "gap") for name in results},
        "beats the baseline": {name: comparison.beats(name, "baseline") for name in results},
    }
)
print(table.round(3).to_string())
chosen = comparison.best().name
test_accuracy = [
    run["model"].evaluate(x_test, y_test, batch_size=512, verbose=0, return_dict=True)["accuracy"]
    for run in results[chosen]
]
print(
    f"chosen on validation: {chosen}; its test accuracy per seed {np.round(test_accuracy, 3)} "
    f"(validation {np.round(val_accuracies(chosen), 3)})"
)
plots.remedy_comparison(table, {name: runs[0]["history"] for name, runs in results.items()})

# %% [markdown]
# What the seeds say, on this small problem (600 training images, 20 epochs): **more data** is the
# only remedy that raises the validation accuracy beyond the seeds' noise. Dropout, early stopping,
# augmentation and fewer parameters shrink the mean gap (the table; the gaps are means over the
# seeds, not seed comparisons), but a smaller gap is not a better model: the validation accuracy
# of dropout, early stopping and fewer parameters is within noise of the baseline's, and
# augmentation, a harder task that fits more slowly, is behind it on every seed after 20 epochs
# (the verdict `baseline beats augmentation` above). L2 with Adam and batch normalisation are
# within noise of the baseline too (batch normalisation even widens the mean gap). The test
# accuracy printed above is the one number this section reports for a final model, chosen on
# validation: the model trained on more data.

# %% [markdown]
# ### The dropout rate: a measured sweep
#
# A common rule of thumb is 0.3-0.5 for dense layers and lower (0.1-0.25) after convolutions,
# whose neighbouring activations are strongly correlated (dropping one pixel of a feature map
# removes little). We measure the rate instead of trusting the rule: the dense MLP above at rates
# 0, 0.3 and 0.5 (`EPOCHS_OVERFIT` epochs; rates 0 and 0.5 are the baseline and dropout runs), and
# a small CNN with dropout after each convolution block (half as many epochs) at 0, 0.2 and 0.5, on
# the same small training set and seeds, judged by the validation accuracy.

# %%
ck.show_code(basic_cnns.two_block_cnn)

# %%
EPOCHS_CNN = max(1, EPOCHS_OVERFIT // 2)  # a CNN step costs more than an MLP step
conv_rates = (0.0, 0.5) if QUICK else (0.0, 0.2, 0.5)
with timed("dropout sweep"):
    sweep = {"dense 0.0": results["baseline"], "dense 0.5": results["dropout"]}
    sweep["dense 0.3"] = train(lambda: dropout_mlp(rate=0.3))
    for rate in conv_rates:
        sweep[f"CNN {rate}"] = train(
            lambda rate=rate: basic_cnns.two_block_cnn(dropout=rate), epochs=EPOCHS_CNN
        )
dense_sweep = ck.compare_seeds(
    {
        f"rate {rate}": [r["val accuracy"] for r in sweep[f"dense {rate}"]]
        for rate in (0.0, 0.3, 0.5)
    },
    metric="validation accuracy (dense MLP)",
)
conv_sweep = ck.compare_seeds(
    {f"rate {rate}": [r["val accuracy"] for r in sweep[f"CNN {rate}"]] for rate in conv_rates},
    metric="validation accuracy (small CNN)",
)
print(dense_sweep, "\n", dense_sweep.verdict("rate 0.5", "rate 0.0"), sep="")
print(conv_sweep, "\n", conv_sweep.verdict("rate 0.0", "rate 0.5"), sep="")
ck.claim(
    dense_sweep.within_noise("rate 0.5", "rate 0.0")
    and dense_sweep.within_noise("rate 0.3", "rate 0.0"),
    "dense MLP: rates 0.3 and 0.5 are within noise of no dropout on validation accuracy "
    f"(means {dense_sweep.arm('rate 0.3').mean:.3f}, {dense_sweep.arm('rate 0.5').mean:.3f} vs "
    f"{dense_sweep.arm('rate 0.0').mean:.3f})",
    full_only=True,
)
ck.claim(
    conv_sweep.beats("rate 0.0", "rate 0.5"),
    f"small CNN: no dropout beats rate 0.5 after the convolutions on every seed (worst seed "
    f"{min(conv_sweep.arm('rate 0.0').values):.3f} vs best {max(conv_sweep.arm('rate 0.5').values):.3f})",
    full_only=True,
)
plots.sweep_lines(
    {
        "dense MLP": pd.DataFrame(
            {
                "rate": [0.0, 0.3, 0.5],
                "val accuracy": [dense_sweep.arm(f"rate {r}").mean for r in (0.0, 0.3, 0.5)],
            }
        ),
        "small CNN (dropout after convolutions)": pd.DataFrame(
            {
                "rate": list(conv_rates),
                "val accuracy": [conv_sweep.arm(f"rate {r}").mean for r in conv_rates],
            }
        ),
    },
    "rate",
    "val accuracy",
    f"Dropout rate sweep: validation accuracy, mean of {len(SEEDS)} seeds",
)

# %% [markdown]
# The measurement does not confirm the rule of thumb here. For the dense MLP, no rate beats no
# dropout beyond the seeds' noise (dropout shrank the gap, not the error). For the small CNN,
# trained for 10 epochs, the best mean is at rate 0: rate 0.2 is not better (its best seed only
# equals rate 0's worst) and rate 0.5 costs accuracy on every seed. A rate is a
# hyperparameter to choose on validation data for each network, not a constant.

# %% [markdown]
# ### Dropout by hand, checked against `keras.layers.Dropout`
#
# During training, dropout zeroes each unit with probability `rate` and divides the survivors by
# `1 - rate` (**inverted dropout**), so the expected activation is unchanged: E[out] = x. At test
# time it is the identity: no scaling is needed any more (the original dropout did not divide
# in training and instead multiplied the weights by the keep probability 1 − rate at test time;
# both give the same expected activation). Keras draws its own random mask; we read
# that mask off Keras's output and check that our formula gives the same numbers.

# %%
rng = np.random.default_rng(0)
x = rng.uniform(0.5, 1.5, size=(2000, 50)).astype("float32")
rate = 0.4
keras_out = keras.ops.convert_to_numpy(keras.layers.Dropout(rate, seed=1)(x, training=True))
kept = keras_out != 0
np.testing.assert_allclose(np.where(kept, x / (1 - rate), 0), keras_out, rtol=1e-6)
ours, our_mask = scratch.dropout(x, rate, training=True, rng=123, return_mask=True)
np.testing.assert_allclose(ours, np.where(our_mask, x / (1 - rate), 0), rtol=1e-6)
assert abs(kept.mean() - (1 - rate)) < 0.01 and abs(our_mask.mean() - (1 - rate)) < 0.01
assert abs(keras_out.mean() / x.mean() - 1) < 0.02 and abs(ours.mean() / x.mean() - 1) < 0.02
np.testing.assert_array_equal(keras.layers.Dropout(rate)(x, training=False), x)
np.testing.assert_array_equal(scratch.dropout(x, rate, training=False), x)
print(f"kept: Keras {kept.mean():.3f}, ours {our_mask.mean():.3f} (expected {1 - rate})")
print(
    f"mean activation: input {x.mean():.3f}, Keras {keras_out.mean():.3f}, ours {ours.mean():.3f}"
)


# %% [markdown]
# **Dropout as an implicit ensemble (隐式集成).** Each training step samples a different mask, so it
# trains a different "thinned" sub-network; all of them share the weights. At test time the single
# pass with every unit (`training=False`) approximates the average of all those sub-networks. We
# check it with the dropout model trained above (seed 0), on the validation images.

# %%
counts = (1, 2, 5, 10) if QUICK else (1, 2, 5, 10, 20, 50)
dropout_model = results["dropout"][0]["model"]
ensemble_table, inference_accuracy = remedies.thinned_ensemble_accuracy(
    dropout_model, x_val, y_val, counts
)
first_k, last_k = ensemble_table["accuracy"].iloc[0], ensemble_table["accuracy"].iloc[-1]
ck.claim(
    last_k > first_k + 0.02 and abs(last_k - inference_accuracy) < 0.02,
    f"averaging {counts[-1]} thinned networks ({last_k:.3f}) beats one ({first_k:.3f}) by more "
    f"than 2 points and lands within 2 points of the training=False pass ({inference_accuracy:.3f})",
    full_only=True,
)
plots.thinned_ensemble(ensemble_table, inference_accuracy)

# %% [markdown]
# ### What batch normalisation does to optimisation
#
# Batch normalisation did not cure overfitting above. It is known for making a deep network easier
# to optimise; we measure that directly: the same 8-layer ReLU MLP (He initialisation), trained with
# plain SGD (lr 0.01) for 12 epochs on `N_TRAIN` images, once without and once with
# `BatchNormalization` after each Dense layer (`deep_mlps.deep_mlp`), on the same seeds. The metric
# is the training loss after the last epoch (lower is better); the figure shows seed 0's curves.

# %%
ck.show_code(deep_mlps.deep_mlp)

# %%
bn_epochs = 1 if QUICK else 12
bn_histories = {"ReLU (He)": [], "ReLU + BN (He)": []}
with timed("batch norm and optimisation"):
    flat = x_train.reshape(len(x_train), -1)
    for variant, histories in bn_histories.items():
        for seed in SEEDS:
            keras.backend.clear_session()
            keras.utils.set_random_seed(seed)
            model = deep_mlps.deep_mlp(variant=variant, depth=8, units=64)
            model.compile(
                optimizer=keras.optimizers.SGD(0.01),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            fitted = model.fit(flat, y_train, epochs=bn_epochs, batch_size=64, verbose=0)
            histories.append(fitted.history)
bn_speed = ck.compare_seeds(
    {name: [h["loss"][-1] for h in runs] for name, runs in bn_histories.items()},
    metric=f"training loss after {bn_epochs} epochs",
    higher_is_better=False,
)
print(bn_speed, "\n", bn_speed.verdict("ReLU + BN (He)", "ReLU (He)"), sep="")
ck.claim(
    bn_speed.beats("ReLU + BN (He)", "ReLU (He)"),
    f"after {bn_epochs} epochs the training loss with batch norm is lower on every seed (at most "
    f"{max(bn_speed.arm('ReLU + BN (He)').values):.3f} vs at least "
    f"{min(bn_speed.arm('ReLU (He)').values):.3f} without)",
    full_only=True,
)
plots.curves_comparison(
    {name: runs[0] for name, runs in bn_histories.items()},
    "8-layer ReLU MLP, SGD 0.01, with and without batch norm (seed 0)",
)

# %% [markdown]
# Batch normalisation does not win at every epoch: in the figure (seed 0) its training loss is
# behind the plain network's from epoch 3 to epoch 7. But it keeps falling at a steady pace where
# the plain network's slows down, and after 12 epochs it is lower on every seed. What
# it buys here is further progress at the same learning rate, not regularisation.

# %% [markdown]
# ### Fewer parameters after training: magnitude pruning (剪枝)
#
# **Magnitude pruning** sets the fraction `sparsity` of weights with the smallest |w| to zero (one
# threshold for all layers) and keeps the rest, on the bet that small weights matter least. We
# prune the "more data" model (seed 0) to growing sparsity, without retraining, and measure its
# validation accuracy. (In practice pruning is followed by a few epochs of fine-tuning, which
# recovers much of what is lost.)

# %%
ck.show_code(pruning.magnitude_prune)

# %%
with timed("pruning"):
    curve = pruning.sparsity_curve(results["more data"][0]["model"], x_val, y_val)
print(curve.round(3).to_string(index=False))
accuracy_at = curve.set_index("sparsity")["accuracy"]
dense_accuracy = accuracy_at[0.0]
kept = curve["accuracy"] > dense_accuracy - 0.02  # within 2 points of the dense model
# The largest sparsity up to which every pruned model stays within 2 points:
within = curve["sparsity"][kept.astype(int).cummin() == 1].max()
ck.claim(
    within >= 0.5 and accuracy_at[0.9] < dense_accuracy - 0.25,
    f"without retraining, the validation accuracy stays within 2 points of the dense model's "
    f"({dense_accuracy:.3f}) up to a sparsity of {within:.0%} ({accuracy_at[within]:.3f}) and falls "
    f"by more than 25 points at 90 % ({accuracy_at[0.9]:.3f})",
    full_only=True,
)
plots.sweep_lines({"magnitude pruning, no retraining": curve}, "sparsity", "accuracy")

# %% [markdown]
# ### Greedy layer-wise construction (逐层贪婪构建)
#
# Build the network one hidden layer at a time: train one hidden layer, freeze it, put a new hidden
# layer and a new output layer on top and train only those, and so on. Each stage trains a small
# number of parameters; this is how deep networks were trained before ReLU and good
# initialisations (as pre-training), and the idea survives in fine-tuning (chapter 04). Here on
# `N_TRAIN` images, hidden widths 128, 64 and 32, `EPOCHS` epochs per stage, over the seeds (the
# table shows seed 0):

# %%
ck.show_code(mlp_growth.add_hidden_layer)

# %%
widths = (128, 64) if QUICK else (128, 64, 32)
stage_rows = []
with timed("greedy construction"):
    for seed in SEEDS:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        model = keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                keras.layers.Flatten(),
                keras.layers.Dense(widths[0], activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        for stage, units in enumerate(widths, start=1):
            if stage > 1:  # freeze what is trained, add a hidden layer and a new head
                model = mlp_growth.add_hidden_layer(model, units)
            model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
            model.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=0)
            val = model.evaluate(x_val, y_val, batch_size=512, verbose=0, return_dict=True)
            trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
            stage_rows.append(
                {
                    "seed": seed,
                    "stage": stage,
                    "trainable parameters": trainable,
                    "all parameters": model.count_params(),
                    "val accuracy": val["accuracy"],
                }
            )
stages = pd.DataFrame(stage_rows)
print(stages[stages["seed"] == SEEDS[0]].drop(columns="seed").round(3).to_string(index=False))
first_stage, last_stage = "stage 1", f"stage {len(widths)}"
greedy = ck.compare_seeds(
    {
        f"stage {stage}": list(stages.loc[stages["stage"] == stage, "val accuracy"])
        for stage in range(1, len(widths) + 1)
    },
    metric="validation accuracy",
)
print(greedy, "\n", greedy.verdict(first_stage, last_stage), sep="")
seed_rows = stages[stages["seed"] == SEEDS[0]]
assert (seed_rows["trainable parameters"] < seed_rows["all parameters"]).iloc[1:].all()
ck.claim(
    greedy.beats(first_stage, last_stage),
    f"here every added stage costs accuracy: the one-layer network of stage 1 beats the "
    f"{len(widths)}-layer network on every seed (worst {min(greedy.arm(first_stage).values):.3f} "
    f"vs best {max(greedy.arm(last_stage).values):.3f})",
    full_only=True,
)

# %% [markdown]
# Greedy construction does not pay off on this problem: each stage puts a narrower layer (64,
# then 32 units) and a fresh head on frozen features and trains them for only `EPOCHS` epochs, and
# the validation accuracy falls stage by stage. Greedy pre-training helped deep sigmoid networks,
# whose layers could not be trained together (section 2 shows why); a ReLU network this shallow
# does not need it (section 1's MLPs train end to end), though this chapter does not train the
# same 128-64-32 network end to end for a direct comparison.

# %% [markdown]
# ### Causes in the data: label noise and distribution mismatch
#
# **Label noise (标签噪声).** Each label of the small training set is changed to another class with
# probability 0.4 (the share actually flipped is printed), and the baseline is trained again on the
# same seeds. A network this big memorises the wrong labels too.

# %%
noisy_labels, flipped = data_problems.flip_labels(y_small, 0.4, seed=0)
with timed("label noise"):
    results_noisy = train(mlp, x_small, noisy_labels)
fit_noisy = [run["train accuracy"] for run in results_noisy]  # on the noisy labels
print(f"flipped {flipped.mean():.1%} of the labels")
print(f"accuracy on the (noisy) training labels per seed: {np.round(fit_noisy, 3)}")
noise = ck.compare_seeds(
    {
        "clean labels": val_accuracies("baseline"),
        "noisy labels": [r["val accuracy"] for r in results_noisy],
    },
    metric="validation accuracy",
)
print(noise, "\n", noise.verdict("clean labels", "noisy labels"), sep="")
ck.claim(
    min(fit_noisy) > 1 - flipped.mean() + 0.15,
    f"on every seed the network fits at least {min(fit_noisy):.1%} of its training labels, more "
    f"than the {1 - flipped.mean():.1%} that are right plus 15 points: it memorises the noise",
    full_only=True,
)
ck.claim(
    noise.beats("clean labels", "noisy labels"),
    f"the noisy labels cost validation accuracy on every seed (best noisy seed "
    f"{max(noise.arm('noisy labels').values):.3f}, worst clean seed "
    f"{min(noise.arm('clean labels').values):.3f})",
    full_only=True,
)

# %% [markdown]
# **Distribution mismatch (分布不匹配).** The validation images are moved 2 pixels right and down,
# as if the camera had shifted: the new data no longer looks like the training data. We evaluate
# the models trained above on both versions (the augmented model saw random shifts of up to 10 %,
# about 3 pixels, during training); the comparison is over the seeds of each.

# %%
x_shifted = data_problems.shift_images(x_val, dx=2, dy=2)
drops = {}
for name in ("baseline", "augmentation", "more data"):
    drops[name] = [
        run["val accuracy"]
        - run["model"].evaluate(x_shifted, y_val, batch_size=512, verbose=0, return_dict=True)[
            "accuracy"
        ]
        for run in results[name]
    ]
shift = ck.compare_seeds(drops, metric="accuracy lost to a 2-pixel shift", higher_is_better=False)
print(shift, "\n", shift.verdict("augmentation", "baseline"), sep="")
ck.claim(
    min(drops["baseline"]) > 0.35 and shift.beats("augmentation", "baseline"),
    f"the shift costs the baseline at least {min(drops['baseline']):.0%} of accuracy on every seed "
    f"(floor 35 %); the model trained with random shifts loses at most "
    f"{max(drops['augmentation']):.0%}",
    full_only=True,
)

# %% [markdown]
# ## 2. Vanishing and exploding gradients (梯度消失, 梯度爆炸)
#
# Backpropagation multiplies one factor per layer on its way to the input. The sigmoid's
# derivative is at most 1/4, so in a 12-layer sigmoid network the gradient of the first layers is
# orders of magnitude smaller than that of the last ones (**vanishing**). Weights drawn too large
# (N(0, 1) with 64 inputs per unit) make every factor larger than 1 and the gradient grows
# (**exploding**). ReLU with He initialisation (Var w = 2/fan_in) keeps the scale about constant,
# and batch normalisation re-scales every layer on top of that.

# %%
grad_table = gradients.compare_gradient_norms(x_train[:256], y_train[:256], depth=12)
first, last = grad_table.loc["layer 2"], grad_table.loc["layer 12"]  # same 64x64 shape
ratio = first["sigmoid (Glorot)"] / last["sigmoid (Glorot)"]
ck.claim(ratio < 1e-2, f"sigmoid: layer 2 gets {ratio:.1e} times the gradient of layer 12")
ck.claim(
    grad_table["ReLU, too-large init N(0, 1)"].min() > 1e3 * grad_table["ReLU (He)"].max(),
    "with N(0, 1) weights every layer's gradient is over 1,000 times the largest of ReLU (He)",
)
steady = all(0.1 < first[name] / last[name] < 10 for name in ("ReLU (He)", "ReLU + BN (He)"))
ck.claim(steady, "ReLU (He), with or without BN: layers 2 and 12 within a factor of 10")
plots.gradient_norms(grad_table)

# %% [markdown]
# ## 3. Optimizers (优化算法): the update rules in NumPy, checked against Keras
#
# `cnnkit.scratch` implements each rule as Keras 3 computes it (g: gradient, lr: learning rate,
# t: step number 1, 2, ..., all element-wise; the accumulators a, m, v start at 0 unless stated):
#
# | optimizer | update |
# |---|---|
# | SGD (随机梯度下降) | w ← w − lr·g |
# | momentum (动量) | v ← μv − lr·g; w ← w + v |
# | Nesterov (Nesterov 加速梯度) | v ← μv − lr·g; w ← w + μv − lr·g (look ahead along v) |
# | AdaGrad | a ← a + g², with a starting at 0.1 (`initial_accumulator_value`); w ← w − lr·g/√(a + ε) |
# | RMSProp | a ← ρa + (1 − ρ)g²; w ← w − lr·g/√(a + ε) |
# | Adam (自适应矩估计) | m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; w ← w − α·m/(√v + ε), α = lr·√(1 − β₂ᵗ)/(1 − β₁ᵗ) |
#
# Keras's Adam is the "ε-hat" form of the Adam paper (section 2): with the bias-corrected
# m̂ = m/(1 − β₁ᵗ) and v̂ = v/(1 − β₂ᵗ) it is w ← w − lr·m̂/(√v̂ + ε̂), where ε̂ = ε/√(1 − β₂ᵗ), not the
# textbook w ← w − lr·m̂/(√v̂ + ε); the two differ only while √v̂ is as small as ε.
#
# Two families: momentum and Nesterov **adapt the direction** (they average past gradients);
# AdaGrad and RMSProp **adapt the learning rate** of each weight (they divide by the size of its
# past gradients); Adam does both. Below, each NumPy optimizer and its `keras.optimizers` twin
# receive the same parameters and the same five random gradients.

# %%
check = optimizer_check.check_all(learning_rate=0.01, steps=5)
assert check["max |numpy - keras|"].max() < 1e-6
check.pivot(index="optimizer", columns="step", values="max |numpy - keras|").map(
    lambda d: f"{d:.1e}"
)

# %% [markdown]
# ### Trajectories on three 2-D loss surfaces
#
# - **Ravine** f = x²/20 + y²: 20 times steeper across than along. Each optimizer runs at the
#   rate that suits it there; plain SGD at 0.9, just below its stability limit 1, does well on a
#   ravine this mild. The next section compares SGD and momentum at equal learning rates.
# - **Rosenbrock** f = (1 − x)² + 100(y − x²)²: a curved valley with a flat floor; the minimum is
#   the star at (1, 1). AdaGrad's ever-growing denominator makes it stall (in the figure it ends
#   about as high as plain SGD, which also barely moves along the floor in 500 steps).
# - **Saddle** f = x² + y⁴/4 − y² started just off the ridge (y = 0.001): at the saddle point
#   (鞍点) the gradient is almost zero, so plain SGD lingers there for many steps.
#
# The learning rate of each optimizer on each surface is stored with the surface.

# %%
results = {}
for name in ("ravine", "rosenbrock", "saddle"):
    surface = surfaces.get_surface(name)
    results[surface] = trajectories.run_all(surface)
rosenbrock = {s.name: t for s, t in results.items()}["rosenbrock"]
ck.claim(
    rosenbrock["Adam"].final_loss < rosenbrock["SGD"].final_loss,
    "Rosenbrock: Adam ends lower than SGD",
)
saddle = {s.name: t for s, t in results.items()}["saddle"]
ck.claim(
    saddle["Adam"].steps_to_reach(-0.5) < saddle["SGD"].steps_to_reach(-0.5),
    f"saddle: Adam reaches loss -0.5 in {saddle['Adam'].steps_to_reach(-0.5)} steps, "
    f"SGD in {saddle['SGD'].steps_to_reach(-0.5)}",
)
plots.surface_comparison(results)

# %% [markdown]
# ### Momentum on the ravine: where it helps and where it overshoots
#
# Same ravine, same learning rate for both, 100 steps. At **lr = 0.1** plain SGD is safe across
# the ravine but its step along the floor is tiny (the gradient there is only x/10). Momentum
# (μ = 0.9) adds up the gradients: along the floor they all point the same way, so the velocity
# grows to about lr/(1 − μ) = 10 times the SGD step; across the floor they alternate in sign and
# cancel. At **lr = 0.9**, close to SGD's limit, SGD is already fast, and momentum's velocity
# carries it past the minimum again and again (overshoot, 过冲).

# %%
momentum_runs = {}
for lr in (0.1, 0.9):
    momentum_runs[lr] = {
        f"SGD (lr {lr})": trajectories.run(
            scratch.SGD(lr), ravine_surface := surfaces.ravine(), 100
        ),
        f"momentum 0.9 (lr {lr})": trajectories.run(scratch.Momentum(lr, 0.9), ravine_surface, 100),
    }
slow_sgd, slow_momentum = momentum_runs[0.1].values()
fast_sgd, fast_momentum = momentum_runs[0.9].values()
ck.claim(
    slow_momentum.final_loss < slow_sgd.final_loss / 100,
    f"lr 0.1: momentum ends at loss {slow_momentum.final_loss:.1e}, plain SGD at "
    f"{slow_sgd.final_loss:.2f}",
)
crossings = int(np.sum(np.diff(np.sign(fast_momentum.points[:, 0])) != 0))
rises = int(np.sum(np.diff(fast_momentum.losses) > 0))
ck.claim(
    crossings >= 3 and fast_sgd.final_loss < fast_momentum.final_loss,
    f"lr 0.9: momentum crosses the minimum along x {crossings} times, its loss rises in {rises} "
    f"of 100 steps, and it ends higher ({fast_momentum.final_loss:.1e}) than SGD "
    f"({fast_sgd.final_loss:.1e})",
)
plots.paths_and_losses(
    momentum_runs[0.1], ravine_surface, "Same rate 0.1: momentum builds up speed"
)

# %%
plots.paths_and_losses(momentum_runs[0.9], ravine_surface, "Same rate 0.9: momentum overshoots")

# %% [markdown]
# ### Batch, stochastic and mini-batch gradient descent
#
# The same linear regression y = wx + b (256 samples) trained three ways for five epochs:
# **batch gradient descent** (批量梯度下降: all samples per update, one update per epoch),
# **stochastic gradient descent** (随机梯度下降: one sample per update, 256 updates per epoch) and
# **mini-batch gradient descent** (小批量梯度下降: 32 samples per update); batch and mini-batch run at
# learning rate 0.1, stochastic at 0.01 (see the code). The stochastic path is
# the noisiest; batch GD is smooth but makes little progress per epoch; mini-batch gets most of both.
# Time per epoch grows with the number of updates (on a GPU, a batch costs about as much as one
# sample, which makes mini-batches the usual choice).

# %%
x_line, y_line = trajectories.linear_regression_data(256, seed=0)
runs = {
    "batch (256)": trajectories.minibatch_descent(x_line, y_line, 256, learning_rate=0.1),
    "mini-batch (32)": trajectories.minibatch_descent(x_line, y_line, 32, learning_rate=0.1),
    "stochastic (1)": trajectories.minibatch_descent(x_line, y_line, 1, learning_rate=0.01),
}
noise = {name: run.path_noise for name, run in runs.items()}
ck.claim(
    noise["stochastic (1)"] > noise["mini-batch (32)"] > noise["batch (256)"],
    "path noise: stochastic > mini-batch > batch",
)
print(
    pd.DataFrame(
        {
            "updates per epoch": {n: r.updates_per_epoch for n, r in runs.items()},
            "ms per epoch": {n: 1000 * r.seconds_per_epoch for n, r in runs.items()},
            "path noise (mean turn, rad)": noise,
            "final MSE": {n: r.epoch_losses[-1] for n, r in runs.items()},
        }
    ).round(3)
)
plots.descent_comparison(x_line, y_line, runs)

# %% [markdown]
# ### The same small CNN with each optimizer on Fashion-MNIST
#
# One small CNN (12,810 parameters), the same data, each optimizer with its usual learning rate
# (SGD 0.01; momentum and Nesterov 0.01 with μ = 0.9; AdaGrad 0.01; RMSProp and Adam 0.001),
# `EPOCHS` epochs on `N_TRAIN` images, first all six on seed 0. `fit_cnn` is the whole procedure.

# %%
OPTIMIZERS = {
    "SGD": lambda: keras.optimizers.SGD(0.01),
    "Momentum": lambda: keras.optimizers.SGD(0.01, momentum=0.9),
    "Nesterov": lambda: keras.optimizers.SGD(0.01, momentum=0.9, nesterov=True),
    "AdaGrad": lambda: keras.optimizers.Adagrad(0.01),
    "RMSProp": lambda: keras.optimizers.RMSprop(0.001),
    "Adam": lambda: keras.optimizers.Adam(0.001),
}
if QUICK:  # quick mode only proves the loop runs
    OPTIMIZERS = {name: OPTIMIZERS[name] for name in ("SGD", "Adam")}


def fit_cnn(optimizer, seed):
    """A fresh small CNN (seed `seed`), compiled with `optimizer`, fitted on the N_TRAIN images."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = basic_cnns.two_block_cnn()
    model.compile(optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=EPOCHS,
        batch_size=64,
        verbose=0,
    ).history
    return history, time.perf_counter() - started


optimizer_histories, optimizer_rows = {}, {}
with timed("optimizers, seed 0"):
    for name, make in OPTIMIZERS.items():
        optimizer_histories[name], seconds = fit_cnn(make(), seed=0)
        optimizer_rows[name] = {
            "val accuracy": optimizer_histories[name]["val_accuracy"][-1],
            "training loss": optimizer_histories[name]["loss"][-1],
            "seconds": seconds,
        }
print(pd.DataFrame(optimizer_rows).T.round(3).to_string())
plots.curves_comparison(optimizer_histories, "Small CNN, one optimizer per line (seed 0)")

# %% [markdown]
# One seed ranks the six optimizers but cannot say which differences are real. The two ends, plain
# SGD and Adam, over all seeds:

# %%
with timed("SGD and Adam, more seeds"):
    final_accuracy = {name: [optimizer_rows[name]["val accuracy"]] for name in ("SGD", "Adam")}
    for seed in SEEDS[1:]:
        for name in final_accuracy:
            history, _ = fit_cnn(OPTIMIZERS[name](), seed)
            final_accuracy[name].append(history["val_accuracy"][-1])
optimizers = ck.compare_seeds(final_accuracy, metric=f"validation accuracy after {EPOCHS} epochs")
print(optimizers, "\n", optimizers.verdict("Adam", "SGD"), sep="")
ck.claim(
    optimizers.beats("Adam", "SGD"),
    f"after {EPOCHS} epochs Adam's worst seed ({min(final_accuracy['Adam']):.3f}) is ahead of "
    f"plain SGD's best ({max(final_accuracy['SGD']):.3f})",
    full_only=True,
)

# %% [markdown]
# ## 4. The learning rate (学习率)
#
# Too small: every step is tiny and training crawls. Too large: steps overshoot the valley and the
# loss grows without bound (diverges, 发散). Right: as large as possible while still stable. Plain
# gradient descent on the ravine (stable only for lr < 1, since its curvature across is 2):

# %%
ravine = surfaces.ravine()
lr_runs = {
    f"lr = {lr} ({word})": trajectories.run(scratch.SGD(lr), ravine, 40, name=f"lr = {lr}")
    for lr, word in ((0.05, "too small"), (0.6, "right"), (1.02, "too large"))
}
finals = [run.final_loss for run in lr_runs.values()]
ck.claim(
    finals[1] < finals[0] < ravine(ravine.start) < finals[2],
    "lr 0.6 ends lowest, lr 0.05 is still on its way, lr 1.02 ends above where it started",
)
plots.learning_rate_paths(lr_runs, ravine)

# %% [markdown]
# ### Learning-rate schedules (学习率衰减策略)
#
# Start large to move fast, end small to settle into the minimum. All four are Keras schedules
# (`cnnkit.training.schedules`), passed to the optimizer as its `learning_rate`:
# step decay (halve every quarter of training), exponential decay, cosine decay, and a linear
# warm-up (预热) over the first 10 % of the steps followed by cosine decay.

# %%
batches = int(np.ceil(N_TRAIN / 64))
total_steps = batches * EPOCHS * 2
plan = schedules.course_schedules(peak=0.05, total_steps=total_steps)
values = {name: schedules.schedule_values(s, total_steps) for name, s in plan.items()}
assert np.isclose(values["step decay"][-1], 0.05 / 8) and values["warm-up + cosine"][0] == 0.0
print({name: f"{v[0]:.3g} -> {v[-1]:.3g}" for name, v in values.items()})
plots.learning_rate_schedules(values)

# %% [markdown]
# Each schedule trains the same MLP (two Dense(128) layers) with SGD + momentum for `2 × EPOCHS`
# epochs, on seed 0: the curves show how each schedule trains; one seed does not rank them.

# %%
schedule_histories = {}
with timed("schedules"):
    for name, schedule in plan.items():
        if QUICK and name != "cosine":
            continue  # quick mode trains one of them
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = mlp(units=128)
        model.compile(
            keras.optimizers.SGD(schedule, momentum=0.9),
            loss="sparse_categorical_crossentropy",
            metrics=["accuracy"],
        )
        schedule_histories[name] = model.fit(
            x_train,
            y_train,
            validation_data=(x_val, y_val),
            epochs=2 * EPOCHS,
            batch_size=64,
            verbose=0,
        ).history
plots.curves_comparison(schedule_histories, "Same MLP, one schedule per line (seed 0)")

# %%
pd.DataFrame(
    {name: {"val accuracy": h["val_accuracy"][-1]} for name, h in schedule_histories.items()}
).T.round(3)

# %% [markdown]
# ### A learning-rate range test (学习率范围测试)
#
# Train one fresh model for a few hundred mini-batches while raising the learning rate
# exponentially from 1e-5 to 10. The loss first stays flat (rate too small), then falls, then
# blows up. A good learning rate sits in the falling part: a common rule takes one tenth of the
# rate at the lowest (smoothed) loss.

# %%
keras.backend.clear_session()
keras.utils.set_random_seed(0)
probe = mlp(units=128)
probe.compile(optimizer=keras.optimizers.SGD(momentum=0.9), loss="sparse_categorical_crossentropy")
range_results = schedules.lr_range_test(
    probe, x_train, y_train, min_lr=1e-5, max_lr=10.0, steps=60 if QUICK else 200
)
chosen = schedules.suggest_learning_rate(range_results)
print(f"chosen learning rate: {chosen:.3g}")
plots.lr_range_test(range_results, chosen)

# %% [markdown]
# Does the suggestion hold up? The same MLP, SGD + momentum 0.9, trained for `EPOCHS` epochs on
# each seed at the chosen rate, at a rate 100 times smaller and at one 10 times larger, judged by
# the validation accuracy:

# %%
rates = {"chosen / 100": chosen / 100, "chosen": chosen, "chosen x 10": chosen * 10}
rate_accuracy = {name: [] for name in rates}
with timed("checking the chosen rate"):
    for name, rate in rates.items():
        for seed in SEEDS:
            keras.backend.clear_session()
            keras.utils.set_random_seed(seed)
            model = mlp(units=128)
            model.compile(
                keras.optimizers.SGD(rate, momentum=0.9),
                loss="sparse_categorical_crossentropy",
                metrics=["accuracy"],
            )
            model.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=0)
            accuracy = model.evaluate(x_val, y_val, batch_size=512, verbose=0, return_dict=True)
            rate_accuracy[name].append(accuracy["accuracy"])
rate_check = ck.compare_seeds(rate_accuracy, metric="validation accuracy")
print(rate_check)
for other in ("chosen / 100", "chosen x 10"):
    print(rate_check.verdict("chosen", other))
ck.claim(
    rate_check.beats("chosen", "chosen / 100") and rate_check.beats("chosen", "chosen x 10"),
    f"the chosen rate {chosen:.3g} beats both a 100 times smaller and a 10 times larger rate on "
    f"every seed (worst seed {min(rate_accuracy['chosen']):.3f}; best seeds of the others "
    f"{max(rate_accuracy['chosen / 100']):.3f} and {max(rate_accuracy['chosen x 10']):.3f})",
    full_only=True,
)

# %% [markdown]
# ## 5. Hyperparameters (超参数): grid, random and Bayesian search with KerasTuner
#
# Hyperparameters are what training does not learn: learning rate and its schedule, number of
# layers and units, optimizer, regularisation, batch size, activation, loss. Three ways to search
# the same small space (units ∈ {16, 128}, learning rate ∈ {0.001, 0.01}, dropout ∈ {0, 0.3}):
#
# - **grid search** (网格搜索) tries the combinations in order;
# - **random search** (随机搜索) samples them at random (better when only a few hyperparameters
#   matter, since every trial tries a new value of each);
# - **Bayesian optimisation** (贝叶斯优化) fits a model of score vs hyperparameters to the trials so
#   far and picks the next trial where that model expects the most.
#
# KerasTuner writes its trials to a temporary directory here (`overwrite=True`). With 3 trials
# per method out of 8 combinations, one seed each, the tables below show how each method walks
# the space, not which method is better: grid search's first three combinations all have 16
# units, and the Bayesian search starts with 2 random trials, so only its third is chosen by its
# model (in the committed run it repeats the combination of the second).

# %%
trials = 1 if QUICK else 3
methods = tuning.METHODS[:1] if QUICK else tuning.METHODS  # quick mode: one method, one trial
tuner_data = (x_train[: N_TRAIN // 2], y_train[: N_TRAIN // 2], x_val, y_val)
with tempfile.TemporaryDirectory() as directory, timed("hyperparameter search"):
    tables, best = [], {}
    for method in methods:
        keras.backend.clear_session()
        tuner = tuning.search(
            method, *tuner_data, directory=directory, max_trials=trials, epochs=1 if QUICK else 2
        )
        tables.append(tuning.trials_table(tuner, method))
        best[method] = tuner.get_best_hyperparameters(1)[0].values
trial_table = pd.concat(tables, ignore_index=True)
assert len(trial_table) == len(methods) * trials
trial_table.round(4)

# %%
best_table = pd.DataFrame(best).T
best_table["best val accuracy"] = trial_table.groupby("method")["val accuracy"].max()
best_table

# %% [markdown]
# ### An ensemble (集成) of weak models vs one model
#
# Five deliberately weak MLPs (8 hidden units each, seeds 0-4) are each mediocre; averaging their
# predicted probabilities (soft voting) cancels part of their independent errors, so the ensemble
# should beat its average member. A single model with the same total number of hidden units (40)
# is shown beside them (the bar chart): in the committed run it is ahead of the ensemble (0.746
# against 0.674, one seed), so averaging weak models helps the members but does not replace a
# model of the same total width. Ensembles pay off most with strong, diverse members
# (different architectures, data orders, augmentations), which is how competitions are won.


# %%
def weak_mlp(units):
    """One hidden layer of `units`: Flatten -> Dense(units, relu) -> Dense(10, softmax)."""
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(units, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


def fitted_weak_mlp(units, seed):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = weak_mlp(units)
    model.compile("adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train, y_train, epochs=EPOCHS, batch_size=64, verbose=0)
    return model


with timed("ensemble"):
    weak_models = [fitted_weak_mlp(8, seed) for seed in range(2 if QUICK else 5)]
    members, ensemble = tuning.ensemble_accuracy(weak_models, x_val, y_val)
    single = fitted_weak_mlp(8 * len(weak_models), seed=0)
    single_accuracy = single.evaluate(x_val, y_val, verbose=0, return_dict=True)["accuracy"]
print(f"members {np.round(members, 3)}, ensemble {ensemble:.3f}, one model {single_accuracy:.3f}")
ck.claim(
    ensemble > np.mean(members) + 0.01,
    f"the ensemble ({ensemble:.3f}) beats its average member ({np.mean(members):.3f})",
    full_only=True,
)
plots.ensemble_bars(members, ensemble, single_accuracy)

# %% [markdown]
# ## 6. Losses beyond cross-entropy
#
# ### Focal loss (焦点损失)
#
# Object detectors see thousands of easy background boxes per image. **Focal loss** multiplies
# cross-entropy by (1 − p)^γ, where p is the probability of the true class: well-classified
# examples (p near 1) contribute almost nothing and training concentrates on the hard ones.
# γ = 0 gives back cross-entropy; α weights the classes. Our NumPy version agrees with Keras's own
# `CategoricalFocalCrossentropy` and `BinaryFocalCrossentropy`:

# %%
rng = np.random.default_rng(1)
y_true = keras.utils.to_categorical(rng.integers(0, 4, 64), 4)
probabilities = scratch.softmax(rng.normal(size=(64, 4)) * 3)
differences = []
for gamma in (0.0, 2.0, 5.0):
    theirs = keras.losses.CategoricalFocalCrossentropy(alpha=0.25, gamma=gamma)(
        y_true, probabilities
    )
    ours = losses.categorical_focal_loss(y_true, probabilities, alpha=0.25, gamma=gamma).mean()
    differences.append(abs(float(theirs) - ours))
labels01 = rng.integers(0, 2, (64, 1)).astype("float32")
p01 = rng.uniform(0.01, 0.99, (64, 1))
theirs = keras.losses.BinaryFocalCrossentropy(gamma=2.0)(labels01, p01)
differences.append(abs(float(theirs) - losses.binary_focal_loss(labels01, p01, gamma=2.0).mean()))
ck.claim(
    max(differences) < 1e-5,
    f"focal loss: NumPy = Keras for categorical γ = 0, 2, 5 and binary γ = 2 "
    f"(largest difference {max(differences):.1e})",
)
plots.focal_loss_curves()

# %% [markdown]
# ### Center loss (中心损失): tighter classes in a 2-D embedding
#
# A network whose last hidden layer has only **two** units lets us draw every image's features.
# Softmax with cross-entropy only needs the classes to be separable by straight lines, and it
# lowers its loss further by pushing features outwards along their class's direction: it spreads
# them into long, wide spokes. **Center loss** adds λ · ½‖f − c_y‖², pulling each
# feature towards a centre of its class (the centres move towards their class means every step),
# which makes the classes compact: what face recognition needs to compare two faces by distance.
# `losses.CenterLossModel` does this in its own `train_step`; with λ = 0 it is plain softmax.
# The metric, compared over the seeds, is the class spread = (mean distance to the class mean) /
# (mean distance between class means), on the validation images; lower is tighter.


# %%
def embedding_net():
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Flatten(),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(2, name="features"),
        ]
    )


LAMBDAS = {"softmax only": 0.0, "softmax + center loss (λ = 0.5)": 0.5}
spreads, embedding_models = {name: [] for name in LAMBDAS}, {name: [] for name in LAMBDAS}
with timed("center loss"):
    for name, weight in LAMBDAS.items():
        for seed in SEEDS:
            keras.backend.clear_session()
            keras.utils.set_random_seed(seed)
            model = losses.CenterLossModel(
                embedding_net(), keras.layers.Dense(10), 10, weight=weight
            )
            model.compile(optimizer=keras.optimizers.Adam(0.003))
            model.fit(x_train, y_train, epochs=1 if QUICK else 8, batch_size=64, verbose=0)
            embedding_models[name].append(model)
            spreads[name].append(losses.class_spread(model.embed(x_val), y_val))
center = ck.compare_seeds(spreads, metric="class spread", higher_is_better=False)
print(center, "\n", center.verdict("softmax + center loss (λ = 0.5)", "softmax only"), sep="")
ck.claim(
    center.beats("softmax + center loss (λ = 0.5)", "softmax only"),
    f"center loss makes the classes tighter than softmax alone on every seed (spread at most "
    f"{max(spreads['softmax + center loss (λ = 0.5)']):.3f} vs at least "
    f"{min(spreads['softmax only']):.3f})",
    full_only=True,
)
embedded = {
    f"{name}: spread {values[0]:.2f} (seed 0)": (embedding_models[name][0].embed(x_val), y_val)
    for name, values in spreads.items()
}
plots.embeddings_2d(embedded, class_names)

# %% [markdown]
# ## 7. Losses for detection: the IoU family and box regression
#
# An object detector predicts boxes. How well a predicted box B matches its target G is measured
# by the **IoU** (交并比, intersection over union) = |B ∩ G| / |B ∪ G|; a detection usually counts
# as correct at IoU ≥ 0.5. As a loss, 1 − IoU has a flaw: for every pair of boxes that do not
# touch, IoU is 0, so the loss is flat and gives no gradient. Its family fixes that:
#
# | metric | formula | what it adds |
# |---|---|---|
# | IoU | \|B ∩ G\| / \|B ∪ G\| | overlap only |
# | GIoU | IoU − \|C \ (B ∪ G)\| / \|C\| | C = smallest box enclosing both: empty space in C costs |
# | DIoU | IoU − ρ²/c² | ρ = distance of the centres, c = diagonal of C |
# | CIoU | DIoU − αv | v compares the aspect ratios, α = v / (1 − IoU + v) |
#
# Each loss is 1 − metric. `cnnkit.scratch.box_losses` computes them in NumPy and
# `cnnkit.training.box_losses` with `keras.ops` (usable in `model.compile`); both agree. In the
# figure, B slides along x with G's size: while the boxes overlap, C is their union and GIoU
# equals IoU, and equal aspect ratios give v = 0, so CIoU equals DIoU everywhere: two of the four
# curves lie under the others.

# %%
ck.show_code(box_losses.giou)

# %%
from cnnkit.training import box_losses as keras_box_losses  # noqa: E402

rng = np.random.default_rng(0)
corners = rng.uniform(0, 10, (256, 2))
boxes_a = np.concatenate([corners, corners + rng.uniform(0.5, 5, (256, 2))], axis=1)
corners = rng.uniform(0, 10, (256, 2))
boxes_b = np.concatenate([corners, corners + rng.uniform(0.5, 5, (256, 2))], axis=1)
largest = 0.0
for kind, metric in box_losses.IOU_METRICS.items():
    ours = metric(boxes_b, boxes_a)
    theirs = keras.ops.convert_to_numpy(keras_box_losses.iou_metric(boxes_a, boxes_b, kind))
    largest = max(largest, float(np.abs(ours - theirs).max()))
ck.claim(
    largest < 1e-5, f"IoU, GIoU, DIoU, CIoU: NumPy = keras.ops (largest difference {largest:.1e})"
)
target_box = np.array([4.0, 2.0, 8.0, 6.0])
offsets = np.linspace(-8, 8, 161)
loss_plots.iou_family(target_box, offsets)

# %% [markdown]
# **Use case: moving a box that misses its target.** Gradient descent on the four corners of a
# predicted box that does not touch the target, with each loss as the objective:

# %%
start_box, goal_box = np.array([0.0, 0.0, 1.0, 1.0]), np.array([2.0, 2.0, 3.5, 4.0])
descents = {
    kind: box_losses.descend_box(start_box, goal_box, kind, steps=200, learning_rate=0.5)[0]
    for kind in box_losses.IOU_METRICS
}
print({kind: round(float(values[-1]), 3) for kind, values in descents.items()})
ck.claim(
    descents["IoU"][-1] == 0.0 and min(descents[k][-1] for k in ("GIoU", "DIoU", "CIoU")) > 0.9,
    "the IoU loss leaves the box where it was (IoU stays 0); GIoU, DIoU and CIoU move it onto "
    "the target (IoU > 0.9 after 200 steps)",
)
loss_plots.box_descent(descents)

# %% [markdown]
# **Coordinate regression: L1, L2 and smooth L1 (Huber).** Detectors such as Faster R-CNN regress
# the box offsets directly. L2 = d² punishes large errors hard, so a few badly labelled boxes
# (outliers) dominate its gradient; L1 = |d| is robust but has a kink at 0; **smooth L1** is d²/(2β)
# near 0 and |d| − β/2 beyond: the Huber loss (δ = β) divided by β. Our NumPy Huber equals
# `keras.losses.Huber`, and `SmoothL1Loss` (keras.ops) equals the NumPy smooth L1:

# %%
rng = np.random.default_rng(1)
offsets_true = rng.normal(size=(128, 4))
offsets_pred = offsets_true + rng.normal(scale=1.5, size=(128, 4))
huber_keras = float(keras.losses.Huber(delta=1.0)(offsets_true, offsets_pred))
huber_ours = float(np.mean(box_losses.huber_loss(offsets_true, offsets_pred, delta=1.0)))
smooth_keras = float(keras_box_losses.SmoothL1Loss(beta=0.5)(offsets_true, offsets_pred))
smooth_ours = float(np.mean(box_losses.smooth_l1_loss(offsets_true, offsets_pred, beta=0.5)))
ck.claim(
    abs(huber_keras - huber_ours) < 1e-5 and abs(smooth_keras - smooth_ours) < 1e-5,
    f"Huber: NumPy {huber_ours:.6f} = keras.losses.Huber {huber_keras:.6f}; smooth L1: NumPy "
    f"{smooth_ours:.6f} = keras.ops {smooth_keras:.6f}",
)
loss_plots.regression_losses(beta=1.0)

# %% [markdown]
# **Use case: outliers.** One box coordinate, 95 annotations near 0 and 5 mislabelled at 10. The
# best constant prediction under each loss (found on a grid):

# %%
annotations = np.concatenate([rng.normal(0, 0.3, 95), np.full(5, 10.0)])
candidates = np.linspace(-1, 3, 801)
best = {}
for name, loss in (
    ("L2", box_losses.l2_loss),
    ("L1", box_losses.l1_loss),
    ("smooth L1", box_losses.smooth_l1_loss),
):
    totals = [np.mean(loss(annotations[:, None], np.full((100, 1), c))) for c in candidates]
    best[name] = float(candidates[int(np.argmin(totals))])
print({name: round(value, 3) for name, value in best.items()})
ck.claim(
    best["L2"] > 0.4 and abs(best["smooth L1"]) < 0.15 and abs(best["L1"]) < 0.15,
    f"5 outliers pull the L2 estimate to {best['L2']:.2f}; L1 ({best['L1']:.2f}) and smooth L1 "
    f"({best['smooth L1']:.2f}) stay near the 95 good annotations",
)

# %% [markdown]
# ## 8. Losses for recognition: triplet loss and ArcFace
#
# Face recognition compares two faces by the distance between their feature vectors, so classes
# must be compact and far apart, not only separable (center loss above is one answer).
#
# - **Triplet loss** (三元组损失, FaceNet): an anchor a, a positive p of the same identity and a
#   negative n of another: L = max(‖a − p‖² − ‖a − n‖² + m, 0). It is zero once the negative is
#   farther than the positive by the margin m.
# - **ArcFace** (additive angular margin): features and class centres are normalised to length 1,
#   so the logit of class j is s · cos θ_j; for the true class the angle gets a margin,
#   s · cos(θ_y + m), and cross-entropy then asks every feature to sit m radians closer to its own
#   centre than the plain softmax boundary would.

# %%
from cnnkit.training import embedding_losses as keras_embedding_losses  # noqa: E402

anchor, positive, negative = rng.normal(size=(3, 64, 8))
centres, labels = rng.normal(size=(8, 10)), rng.integers(0, 10, 64)
triplet_gap = np.abs(
    embedding_losses.triplet_loss(anchor, positive, negative, 0.5)
    - keras.ops.convert_to_numpy(
        keras_embedding_losses.triplet_loss(anchor, positive, negative, 0.5)
    )
).max()
arcface_gap = np.abs(
    embedding_losses.arcface_loss(anchor, centres, labels)
    - keras.ops.convert_to_numpy(keras_embedding_losses.arcface_loss(anchor, centres, labels))
).max()
ck.claim(
    triplet_gap < 1e-5 and arcface_gap < 1e-5,
    f"triplet loss and ArcFace: NumPy = keras.ops (differences {triplet_gap:.1e}, {arcface_gap:.1e})",
)
loss_plots.triplet_and_arcface()

# %% [markdown]
# **Use case: an ArcFace embedding.** The 2-D embedding network of the center-loss experiment,
# trained with an ArcFace head (s = 16, m = 0.2) instead of softmax. The head takes the label as a
# second input because the margin applies to the true class only; afterwards only the embedding
# is kept. Over the seeds we compare one metric, the angular spread (mean angle between a feature
# and its class's mean direction, lower = tighter), and print beside it the share of 2,000 random
# validation triplets that violate the margin 0.2 on the unit circle.

# %%
ck.show_code(keras_embedding_losses.ArcFaceHead, keras_embedding_losses.arcface_model)

# %%
arc_features = []
with timed("ArcFace"):
    for seed in SEEDS:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        arc_embedding = embedding_net()
        arcface = keras_embedding_losses.arcface_model(arc_embedding, 10, scale=16.0, margin=0.2)
        arcface.compile(
            keras.optimizers.Adam(0.003),
            keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        arcface.fit([x_train, y_train], y_train, epochs=1 if QUICK else 8, batch_size=64, verbose=0)
        arc_features.append(arc_embedding.predict(x_val, batch_size=512, verbose=0))
triplets = embedding_losses.random_triplets(y_val, 2000, seed=0)
features_by_loss = {
    "softmax only": [m.embed(x_val) for m in embedding_models["softmax only"]],
    "center loss": [m.embed(x_val) for m in embedding_models["softmax + center loss (λ = 0.5)"]],
    "ArcFace": arc_features,
}
angles, violating = {}, {}
for name, per_seed in features_by_loss.items():
    angles[name] = [embedding_losses.angular_spread(f, y_val) for f in per_seed]
    violating[name] = []
    for features in per_seed:
        unit = embedding_losses.l2_normalise(features)
        anchor, positive, negative = (unit[triplets[:, i]] for i in range(3))
        violations = embedding_losses.triplet_loss(anchor, positive, negative, 0.2) > 0
        violating[name].append(float(violations.mean()))
recognition = ck.compare_seeds(angles, metric="angular spread (degrees)", higher_is_better=False)
print(recognition, "\n", recognition.verdict("ArcFace", "softmax only"), sep="")
print("share of violating triplets per seed:", {k: np.round(v, 3) for k, v in violating.items()})
ck.claim(
    not recognition.beats("ArcFace", "softmax only"),
    f"in this 2-D embedding ArcFace does not narrow the classes beyond softmax on every seed "
    f"(angular spread, mean {recognition.arm('ArcFace').mean:.1f}° vs "
    f"{recognition.arm('softmax only').mean:.1f}°)",
    full_only=True,
)
softmax_features = features_by_loss["softmax only"][0]
plots.embeddings_2d(
    {
        "softmax only, normalised": (embedding_losses.l2_normalise(softmax_features), y_val),
        "ArcFace, normalised": (embedding_losses.l2_normalise(arc_features[0]), y_val),
    },
    class_names,
    title="2-D features on the unit circle: softmax vs ArcFace (seed 0)",
)

# %% [markdown]
# In this experiment ArcFace does **not** narrow the classes beyond noise: its mean angular spread
# is lower than softmax's (11.6° against 14.5°), but the seeds' ranges overlap (the verdict
# above), and it violates the 0.2 margin on more random triplets than softmax on two of its three
# seeds (0.289 and 0.261 against at most 0.22). A likely reason (not tested here): ten classes
# share the 360° of a 2-D circle, about 36° each, so there is little room for a margin;
# face-recognition models use 128-512 dimensions. Center loss tightened the classes on every seed
# by its own metric, the class spread; on the angular spread its range also overlaps softmax's
# (10.97-12.21° against 12.02-17.38°), and its share of violating triplets is no lower.

# %% [markdown]
# ## Recap
#
# - Overfitting (过拟合) shows as training and validation curves that split and a validation loss
#   that turns round. Train, validation, test: the validation set is carved from the training
#   data and makes every choice; the test set is used once, for the final model.
# - Each remedy is a few Keras lines (`kernel_regularizer`, `Dropout`, `EarlyStopping` with
#   `restore_best_weights=True`, preprocessing layers, fewer units, more images), compared with the
#   baseline over seeds on one metric, the validation accuracy. On 600 images and 20 epochs only
#   more data beat the baseline; dropout, early stopping, augmentation and fewer parameters shrank
#   the mean gap without raising the validation accuracy beyond noise (augmentation even fell
#   behind the baseline on every seed after 20 epochs); L2 with Adam and batch normalisation were
#   within noise. A smaller gap is not a better model: measure remedies on your baseline instead
#   of trusting a list.
# - Dropout rates: no rate beat no dropout for either network here (the dense rates 0.3 and 0.5
#   within noise of 0; after convolutions 0.2 no better and 0.5 worse on every seed), against the
#   rule of thumb: choose the rate on validation data. Inverted dropout divides by 1 − rate in training,
#   so test time is the identity; averaging many thinned networks ≈ the full network (an implicit
#   ensemble).
# - Batch normalisation, measured: no regulariser here, but a deep ReLU network with it reached a
#   lower training loss after 12 epochs of SGD on every seed (though not at every epoch).
# - Fewer parameters after training (magnitude pruning without retraining: harmless to 50 %
#   sparsity here, ruinous at 90 %) or during construction (greedy layer-wise: here each stage
#   lowered the accuracy). Causes in the data: label noise is memorised and costs validation
#   accuracy; a shifted camera costs the baseline much accuracy, and augmentation with shifts
#   protects against exactly that shift.
# - Deep sigmoid networks lose their gradient on the way down; too-large weights blow it up; ReLU +
#   He initialisation + batch normalisation keep it steady.
# - SGD, momentum, Nesterov (adapt the direction), AdaGrad, RMSProp (adapt the rate), Adam (both):
#   each rule in a few lines of NumPy, equal to Keras to 1e-6. Momentum wins where small steps
#   crawl along a ravine and overshoots where the rate is already large. On the small CNN, Adam
#   beat plain SGD after 3 epochs on every seed.
# - Learning rate: too small crawls, too large diverges; schedules start high and end low; a range
#   test found in one short run a rate that beat a 100 times smaller and a 10 times larger one.
# - Hyperparameters: grid, random or Bayesian search, judged on validation data (3 trials each
#   show how they search, not which is better); an ensemble of weak models beat its average
#   member, but one model of the same total width beat the ensemble.
# - Losses: focal loss down-weights easy examples; the IoU family measures and moves boxes (GIoU,
#   DIoU, CIoU still pull a box that misses); smooth L1 resists outliers. For recognition, center
#   loss made the 2-D classes tighter on every seed (class spread); ArcFace, in 2-D, was within
#   noise of softmax on the angular spread and violated the triplet margin more often on two of
#   its three seeds. Triplet loss and ArcFace are written in NumPy and keras.ops and agree.
#
# Practise with `exercises/07_overfitting_optimizers.ipynb`.
