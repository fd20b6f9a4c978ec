# %% [markdown]
# # 07 Overfitting and optimizers (过拟合与优化算法)
#
# A network that fits its training data perfectly can still be useless on new data. This chapter
# makes a network overfit on purpose, measures every remedy on the same baseline (each remedy's
# Keras code shown before it runs), looks inside the gradients of deep networks, writes the
# optimizers' update rules in NumPy and checks them against Keras, watches them move on 2-D loss
# surfaces, and ends with learning-rate schedules, hyperparameter search and the losses of
# detection and recognition.
#
# Every experiment is sized by `ck.QUICK`: quick mode proves the code runs; full mode (the outputs
# you see) uses more data and epochs. A result the text states is checked by a `Claim holds:` line
# in the cell that measures it, and each experiment prints its time.

# %%
import tempfile
import time
from contextlib import contextmanager

import keras
import numpy as np
import pandas as pd

import cnnkit as ck
from cnnkit import scratch
from cnnkit.models import basic_cnns, deep_mlps, mlp_growth, regularized_mlps
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

QUICK = ck.QUICK
N_SMALL = 300 if QUICK else 600  # the small training set that the big network memorises
N_VAL = 300 if QUICK else 1000
N_TRAIN = 600 if QUICK else 2400  # "more data", and for comparing optimizers, schedules, losses
EPOCHS_OVERFIT = 3 if QUICK else 30
EPOCHS = 1 if QUICK else 3

(x_all, y_all), (x_test_all, y_test_all) = ck.datasets.load("fashion_mnist", sample=QUICK)
class_names = ck.datasets.class_names("fashion_mnist")
x_small, y_small = remedies.prepare_images(x_all[:N_SMALL]), y_all[:N_SMALL]
x_train, y_train = remedies.prepare_images(x_all[:N_TRAIN]), y_all[:N_TRAIN]
x_val, y_val = remedies.prepare_images(x_test_all[:N_VAL]), y_test_all[:N_VAL]
small, more = (x_small, y_small, x_val, y_val), (x_train, y_train, x_val, y_val)
print(f"small set {x_small.shape}, more data {x_train.shape}, validation set {x_val.shape}")


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

# %%
ck.show_code(regularized_mlps.baseline_mlp, remedies.train)

# %% [markdown]
# Every run below goes through `remedies.train`: same data, epochs, optimizer (Adam, 1e-3), batch
# size (64) and seed, so the only difference between two runs is the remedy. The gap (泛化差距) is
# measured on the weights each model ends with, both accuracies in inference mode.

# %%
rows, histories, models = {}, {}, {}
with timed("baseline"):
    models["baseline"], histories["baseline"], rows["baseline"] = remedies.train(
        regularized_mlps.baseline_mlp, small, epochs=EPOCHS_OVERFIT, name="baseline"
    )
base = rows["baseline"]
val_loss = np.asarray(histories["baseline"]["val_loss"])
best_epoch = base["best val-loss epoch"]
print(f"train accuracy {base['train accuracy']:.3f}, val accuracy {base['val accuracy']:.3f}")
ck.claim(
    base["train accuracy"] - base["val accuracy"] > 0.12,
    f"training accuracy ({base['train accuracy']:.1%}) ends more than 12 points above "
    f"validation accuracy ({base['val accuracy']:.1%})",
    full_only=True,
)
ck.claim(
    best_epoch <= 0.6 * EPOCHS_OVERFIT and val_loss[-1] > 1.2 * val_loss.min(),
    f"the validation loss is lowest at epoch {best_epoch} of {EPOCHS_OVERFIT} and then rises "
    f"(from {val_loss.min():.2f} to {val_loss[-1]:.2f})",
    full_only=True,
)
plots.overfitting_curves(histories["baseline"])

# %% [markdown]
# The curves split: training accuracy climbs towards 100 % while validation accuracy stalls, and
# the validation loss turns round (the network grows over-confident on the images it gets wrong).
# The dotted line marks the epoch with the lowest validation loss.
#
# There are two directions of remedy: **fewer parameters** (a smaller model, pruning, greedy
# construction), or a **smaller effective size per parameter** (regularisation, 正则化). Each
# remedy below is one small function; its cell shows the code, the next cell trains it with
# `remedies.train` and compares it with the baseline.
#
# ### L2 weight decay (权重衰减)
#
# The loss gains l2 · Σw² for every hidden kernel, so every step also pulls each weight towards 0
# (its gradient is 2 · l2 · w): large weights, which a memorising network needs, cost. With Adam,
# though, that pull is divided by each weight's running gradient size like every other gradient,
# which weakens it for exactly the weights with large gradients; this is why `keras.optimizers.AdamW`
# applies weight decay separately from the gradient. The run shows what L2 does here.

# %%
ck.show_code(regularized_mlps.l2_mlp)


# %%
def run(name, build, data=small, **options):
    """Train one remedy with remedies.train, keep its results and print its time."""
    with timed(name):
        models[name], histories[name], rows[name] = remedies.train(
            build, data, epochs=EPOCHS_OVERFIT, name=name, **options
        )
    return rows[name]


row = run("L2", regularized_mlps.l2_mlp)
print(f"gap: baseline {base['gap']:.3f}, L2 {row['gap']:.3f}")
print(f"validation loss: baseline {base['val loss']:.2f}, L2 {row['val loss']:.2f}")
ck.claim(
    row["val loss"] > base["val loss"] - 0.05,
    f"L2 (1e-3) with Adam does not lower the validation loss by a clear margin "
    f"({row['val loss']:.2f} vs the baseline's {base['val loss']:.2f}): here it is no remedy",
    full_only=True,
)

# %% [markdown]
# ### Dropout (随机失活)
#
# During training each hidden unit is zeroed with probability `rate` (0.5 here) at every step, so
# no unit can rely on a particular other one being there.

# %%
ck.show_code(regularized_mlps.dropout_mlp)

# %%
row = run("dropout", regularized_mlps.dropout_mlp)
ck.claim(
    row["val loss"] < base["val loss"] and row["gap"] < base["gap"] - 0.02,
    f"dropout ends with a lower validation loss ({row['val loss']:.2f} vs {base['val loss']:.2f}) "
    f"and a smaller gap ({row['gap']:.3f} vs {base['gap']:.3f}) than the baseline",
    full_only=True,
)

# %% [markdown]
# ### Data augmentation (数据增强)
#
# Random horizontal flips and shifts of up to 10 % make each epoch show new variants of every
# image: the network cannot memorise pixels that move.

# %%
ck.show_code(regularized_mlps.augmented_mlp)

# %%
row = run("augmentation", regularized_mlps.augmented_mlp)
ck.claim(
    row["gap"] < base["gap"] - 0.05,
    f"augmentation shrinks the gap from {base['gap']:.3f} to {row['gap']:.3f}",
    full_only=True,
)
ck.claim(
    row["val accuracy"] < base["val accuracy"],
    f"but after {EPOCHS_OVERFIT} epochs its validation accuracy ({row['val accuracy']:.3f}) is "
    f"still below the baseline's ({base['val accuracy']:.3f}): the harder task fits more slowly",
    full_only=True,
)

# %% [markdown]
# ### Early stopping (早停法) with the best weights restored
#
# Hold out a validation set, stop when its loss has not improved for `patience` epochs, and keep
# the weights of the best epoch (`restore_best_weights=True`). It trains the unchanged baseline.

# %%
ck.show_code(remedies.early_stopping)

# %%
row = run("early stopping", regularized_mlps.baseline_mlp, callbacks=[remedies.early_stopping(5)])
ck.claim(
    row["epochs run"] < EPOCHS_OVERFIT and row["val loss"] < base["val loss"],
    f"early stopping ran {row['epochs run']} of {EPOCHS_OVERFIT} epochs and kept weights with a "
    f"lower validation loss ({row['val loss']:.2f}) than the baseline's last epoch "
    f"({base['val loss']:.2f})",
    full_only=True,
)

# %% [markdown]
# ### Batch normalisation (批归一化)
#
# `Dense → BatchNormalization → ReLU`: each layer's inputs are re-centred and re-scaled per
# mini-batch. The noise of the batch statistics is sometimes called a regulariser; the run says
# whether it is one here.

# %%
ck.show_code(regularized_mlps.batch_norm_mlp)

# %%
row = run("batch norm", regularized_mlps.batch_norm_mlp)
bn_helps = row["gap"] < base["gap"] - 0.02
print(f"gap: baseline {base['gap']:.3f}, batch norm {row['gap']:.3f}")
ck.claim(
    not bn_helps,
    "batch normalisation does not shrink the gap by 2 points: it is no cure for overfitting here",
    full_only=True,
)

# %% [markdown]
# ### Fewer parameters and more data
#
# The same architecture with 32 units per layer (about 26,000 parameters instead of 270,000), and
# the baseline itself trained on `N_TRAIN` images instead of `N_SMALL`.

# %%
ck.show_code(regularized_mlps.smaller_mlp)

# %%
row = run("fewer parameters", regularized_mlps.smaller_mlp)
ck.claim(
    row["gap"] < base["gap"] - 0.03 and row["val loss"] < base["val loss"] - 0.05,
    f"32 units per layer shrink the gap from {base['gap']:.3f} to {row['gap']:.3f} and lower the "
    f"validation loss from {base['val loss']:.2f} to {row['val loss']:.2f}",
    full_only=True,
)
row = run("more data", regularized_mlps.baseline_mlp, data=more)
ck.claim(
    row["val accuracy"] > base["val accuracy"] + 0.015 and row["gap"] < base["gap"] - 0.03,
    f"{N_TRAIN // N_SMALL}x more data raises validation accuracy from {base['val accuracy']:.3f} "
    f"to {row['val accuracy']:.3f} and shrinks the gap to {row['gap']:.3f}",
    full_only=True,
)

# %% [markdown]
# All remedies side by side (validation accuracy per epoch, the final gap, the best validation
# accuracy during training):

# %%
table = remedies.summary_table(rows.values())
display_columns = ["parameters", "epochs run", "train accuracy", "val accuracy", "gap", "val loss"]
display_columns += ["best val-loss epoch", "seconds"]
print(table[display_columns].round(3).to_string())
plots.remedy_comparison(table, histories)

# %% [markdown]
# ### The dropout rate: a measured sweep
#
# The rule of thumb is 0.3-0.5 for dense layers and lower (0.1-0.25) after convolutions, whose
# neighbouring activations are strongly correlated (dropping one pixel of a feature map removes
# little). We sweep the rate of the dense MLP above (`EPOCHS_OVERFIT` epochs) and of a small CNN
# with dropout after each convolution block (half as many epochs), on the same small training set.

# %%
ck.show_code(basic_cnns.two_block_cnn)

# %%
dense_rates = (0.0, 0.5) if QUICK else (0.0, 0.3, 0.5, 0.7)
conv_rates = (0.25,) if QUICK else (0.0, 0.2, 0.5)
EPOCHS_CNN = max(1, EPOCHS_OVERFIT // 2)  # a CNN step costs more than an MLP step
with timed("dropout sweep"):
    dense_rows = []
    for rate in dense_rates:
        if rate in (0.0, 0.5):  # already trained above
            found = rows["baseline" if rate == 0 else "dropout"]
        else:
            found = remedies.train(
                regularized_mlps.dropout_mlp,
                small,
                epochs=EPOCHS_OVERFIT,
                name=f"{rate}",
                rate=rate,
            )[2]
        dense_rows.append({"rate": rate, **found})
    conv_rows = [
        {
            "rate": rate,
            **remedies.train(
                basic_cnns.two_block_cnn, small, epochs=EPOCHS_CNN, name=f"{rate}", dropout=rate
            )[2],
        }
        for rate in conv_rates
    ]
dense_sweep, conv_sweep = pd.DataFrame(dense_rows), pd.DataFrame(conv_rows)
sweep_columns = ["rate", "train accuracy", "val accuracy", "gap", "val loss"]
print("dense MLP\n", dense_sweep[sweep_columns].round(3).to_string(index=False))
print("small CNN\n", conv_sweep[sweep_columns].round(3).to_string(index=False))
dense_best = dense_sweep.loc[dense_sweep["val loss"].idxmin(), "rate"]
conv_best = conv_sweep.loc[conv_sweep["val loss"].idxmin(), "rate"]
ck.claim(
    0.3 <= dense_best <= 0.5,
    f"for the dense MLP the lowest validation loss comes at rate {dense_best} (in 0.3-0.5)",
    full_only=True,
)
conv_cost = conv_sweep["val accuracy"].iloc[0] - conv_sweep["val accuracy"].iloc[-1]
ck.claim(
    conv_best < dense_best and conv_cost > 0.01,
    f"for the CNN it comes at a lower rate ({conv_best}) than for the dense MLP ({dense_best}), "
    f"and rate {conv_rates[-1]} after the convolutions costs {conv_cost:.1%} of validation accuracy",
    full_only=True,
)
plots.sweep_lines(
    {"dense MLP": dense_sweep, "small CNN (dropout after convolutions)": conv_sweep},
    "rate",
    ["train accuracy", "val accuracy"],
    "Dropout rate sweep",
)

# %% [markdown]
# ### Dropout by hand, checked against `keras.layers.Dropout`
#
# During training, dropout zeroes each unit with probability `rate` and divides the survivors by
# `1 - rate` (**inverted dropout**), so the expected activation is unchanged: E[out] = x. At test
# time it is the identity: no scaling is needed any more. Keras draws its own random mask; we read
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
# check it with the dropout model trained above.

# %%
counts = (1, 2, 5, 10) if QUICK else (1, 2, 5, 10, 20, 50)
ensemble_table, inference_accuracy = remedies.thinned_ensemble_accuracy(
    models["dropout"], x_val, y_val, counts
)
first_k, last_k = ensemble_table["accuracy"].iloc[0], ensemble_table["accuracy"].iloc[-1]
ck.claim(
    last_k > first_k and abs(last_k - inference_accuracy) < 0.02,
    f"averaging {counts[-1]} thinned networks ({last_k:.3f}) beats one ({first_k:.3f}) and lands "
    f"within 2 points of the training=False pass ({inference_accuracy:.3f})",
    full_only=True,
)
plots.thinned_ensemble(ensemble_table, inference_accuracy)

# %% [markdown]
# ### What batch normalisation does: faster fitting
#
# Batch normalisation did not cure overfitting above. What it is known for is making a deep
# network easier to optimise; we measure that: we train the same 8-layer ReLU MLP (He initialisation) with plain SGD (lr 0.01),
# once without and once with `BatchNormalization` after each Dense layer (`deep_mlps.deep_mlp`),
# and count the epochs each needs to reach the lowest training loss the plain network reaches.

# %%
ck.show_code(deep_mlps.deep_mlp)

# %%
bn_epochs = 1 if QUICK else 12
bn_histories = {}
with timed("batch norm speed"):
    flat = x_train.reshape(len(x_train), -1)
    for variant in ("ReLU (He)", "ReLU + BN (He)"):
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        model = deep_mlps.deep_mlp(variant=variant, depth=8, units=64)
        model.compile(optimizer=keras.optimizers.SGD(0.01), loss="sparse_categorical_crossentropy")
        bn_histories[variant] = model.fit(
            flat, y_train, epochs=bn_epochs, batch_size=64, verbose=0
        ).history
target_loss = min(bn_histories["ReLU (He)"]["loss"])  # where the plain network gets to
plain = remedies.epochs_to_reach(bn_histories["ReLU (He)"], target_loss)
normalised = remedies.epochs_to_reach(bn_histories["ReLU + BN (He)"], target_loss)
print(f"epochs to training loss {target_loss:.3f}: plain {plain}, with batch norm {normalised}")
ck.claim(
    normalised is not None and normalised < plain,
    f"the plain network needs {plain} epochs to bring its training loss down to "
    f"{target_loss:.3f}; with batch normalisation it gets there after {normalised}",
    full_only=True,
)
plots.curves_comparison(bn_histories, "8-layer ReLU MLP, SGD 0.01: with and without batch norm")

# %% [markdown]
# ### Fewer parameters after training: magnitude pruning (剪枝)
#
# **Magnitude pruning** sets the fraction `sparsity` of weights with the smallest |w| to zero (one
# threshold for all layers) and keeps the rest, on the bet that small weights matter least. We
# prune the "more data" model to growing sparsity, without retraining, and the claim reports how
# far it goes before the accuracy drops by 2 points. (In practice pruning is followed by a few
# epochs of fine-tuning, which recovers much of what is lost.)

# %%
ck.show_code(pruning.magnitude_prune)

# %%
with timed("pruning"):
    curve = pruning.sparsity_curve(models["more data"], x_val, y_val)
print(curve.round(3).to_string(index=False))
dense_accuracy = curve["accuracy"].iloc[0]
within = curve[curve["accuracy"] > dense_accuracy - 0.02]["sparsity"].max()
at_99 = curve.set_index("sparsity").loc[0.99, "accuracy"]
ck.claim(
    at_99 < dense_accuracy - 0.05,
    f"without retraining, the accuracy stays within 2 points of the dense model "
    f"({dense_accuracy:.3f}) up to a sparsity of {within:.0%} and falls to {at_99:.3f} at 99 %",
    full_only=True,
)
plots.sweep_lines({"magnitude pruning, no retraining": curve}, "sparsity", "accuracy")

# %% [markdown]
# ### Greedy layer-wise construction (逐层贪婪构建)
#
# Build the network one hidden layer at a time: train one hidden layer, freeze it, put a new hidden
# layer and a new output layer on top and train only those, and so on. Each stage trains a small
# number of parameters; this is how deep networks were trained before ReLU and good
# initialisations (as pre-training), and the idea survives in fine-tuning (chapter 04).

# %%
ck.show_code(mlp_growth.add_hidden_layer)

# %%
with timed("greedy construction"):
    stages = pruning.greedy_layerwise(
        more, widths=(128, 64) if QUICK else (128, 64, 32), epochs=1 if QUICK else 3
    )
print(stages.round(3).to_string())
ck.claim(
    (stages["trainable parameters"] < stages["all parameters"]).iloc[1:].all(),
    "from the second stage on, only the new layer and the new head are trained: "
    + ", ".join(
        f"{t:,} of {a:,}"
        for t, a in zip(stages["trainable parameters"], stages["all parameters"], strict=True)
    ),
)

# %% [markdown]
# ### Causes in the data: label noise and distribution mismatch
#
# **Label noise (标签噪声).** We flip 40 % of the small training set's labels to another class and
# train the baseline again. A network this big memorises the wrong labels too.

# %%
noisy_labels, flipped = data_problems.flip_labels(y_small, 0.4, seed=0)
with timed("label noise"):
    _, _, noisy = remedies.train(
        regularized_mlps.baseline_mlp,
        (x_small, noisy_labels, x_val, y_val),
        epochs=EPOCHS_OVERFIT,
        name="40 % flipped",
    )
print(f"flipped {flipped.mean():.0%} of the labels")
print(f"accuracy on the (noisy) training labels: {noisy['train accuracy']:.3f}")
print(
    f"validation accuracy: clean labels {base['val accuracy']:.3f}, noisy {noisy['val accuracy']:.3f}"
)
ck.claim(
    noisy["train accuracy"] > 1 - flipped.mean() + 0.05
    and noisy["val accuracy"] < base["val accuracy"] - 0.03,
    f"with 40 % flipped labels the network fits {noisy['train accuracy']:.0%} of its training "
    f"labels, more than the {1 - flipped.mean():.0%} that are right (it memorises the "
    f"noise), while its validation accuracy falls from "
    f"{base['val accuracy']:.3f} to {noisy['val accuracy']:.3f}",
    full_only=True,
)

# %% [markdown]
# **Distribution mismatch (分布不匹配).** The validation images are moved 2 pixels right and down,
# as if the camera had shifted: the test data no longer looks like the training data. We evaluate
# the models trained above on both versions (the augmented model saw random shifts of up to 10 %,
# about 3 pixels, during training).

# %%
x_shifted = data_problems.shift_images(x_val, dx=2, dy=2)
shift_rows = []
for name in ("baseline", "augmentation", "more data"):
    clean = models[name].evaluate(x_val, y_val, batch_size=512, verbose=0)[1]
    moved = models[name].evaluate(x_shifted, y_val, batch_size=512, verbose=0)[1]
    shift_rows.append({"model": name, "clean": clean, "shifted 2 px": moved, "drop": clean - moved})
shift_table = pd.DataFrame(shift_rows).set_index("model")
print(shift_table.round(3).to_string())
ck.claim(
    shift_table.loc["baseline", "drop"] > 0.1
    and shift_table.loc["augmentation", "drop"] < shift_table.loc["baseline", "drop"] - 0.05,
    f"the shift costs the baseline {shift_table.loc['baseline', 'drop']:.0%} of accuracy; the "
    f"model trained with random shifts loses only {shift_table.loc['augmentation', 'drop']:.0%}",
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
# `cnnkit.scratch` implements each rule with Keras 3's exact formulas (g: gradient, lr: learning
# rate, all element-wise):
#
# | optimizer | update |
# |---|---|
# | SGD (随机梯度下降) | w ← w − lr·g |
# | momentum (动量) | v ← μv − lr·g; w ← w + v |
# | Nesterov (Nesterov 加速梯度) | v ← μv − lr·g; w ← w + μv − lr·g (look ahead along v) |
# | AdaGrad | a ← a + g²; w ← w − lr·g/√(a + ε) |
# | RMSProp | a ← ρa + (1 − ρ)g²; w ← w − lr·g/√(a + ε) |
# | Adam (自适应矩估计) | m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²; w ← w − lr·m̂/(√v̂ + ε), m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ) |
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
#   the star at (1, 1). AdaGrad's ever-growing denominator makes it stall.
# - **Saddle** f = x² + y⁴/4 − y² started just off the ridge (y = 0.001): at the saddle point
#   (鞍点) the gradient is almost zero, so plain SGD lingers there for many steps.
#
# Each optimizer uses a learning rate that suits it on that surface (stored with the surface).

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
# **mini-batch gradient descent** (小批量梯度下降: 32 samples per update). The stochastic path is
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
# One small CNN (12,810 parameters), the same data, the same seed, each optimizer with its usual
# learning rate (SGD 0.01; momentum and Nesterov 0.01 with μ = 0.9; AdaGrad 0.01; RMSProp and Adam
# 0.001), `EPOCHS` epochs on `N_TRAIN` images.

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
optimizer_histories, rows = {}, []
started = time.perf_counter()
for name, make in OPTIMIZERS.items():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    history, row = remedies.fit_and_summarise(
        basic_cnns.two_block_cnn(),
        (x_train, y_train, x_val, y_val),
        epochs=EPOCHS,
        optimizer=make(),
        name=name,
    )
    optimizer_histories[name], rows = history, rows + [row]
optimizer_table = pd.DataFrame(rows).set_index("name")
print(f"[optimizers: {time.perf_counter() - started:.1f} s]")
adam, sgd = optimizer_table.loc["Adam", "val accuracy"], optimizer_table.loc["SGD", "val accuracy"]
ck.claim(
    adam > sgd + 0.03,
    f"after {EPOCHS} epochs Adam ({adam:.3f}) is ahead of plain SGD ({sgd:.3f})",
    full_only=True,
)
plots.curves_comparison(optimizer_histories, "Small CNN, one optimizer per line")

# %%
optimizer_table[["val accuracy", "train accuracy", "seconds"]].round(3)

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
# Compared on the same MLP, trained with SGD + momentum for `2 × EPOCHS` epochs:

# %%
schedule_histories, rows = {}, []
started = time.perf_counter()
for name, schedule in plan.items():
    if QUICK and name != "cosine":
        continue  # quick mode trains one of them
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    history, row = remedies.fit_and_summarise(
        regularized_mlps.smaller_mlp(units=128),
        (x_train, y_train, x_val, y_val),
        epochs=2 * EPOCHS,
        name=name,
        optimizer=keras.optimizers.SGD(schedule, momentum=0.9),
    )
    schedule_histories[name], rows = history, rows + [row]
print(f"[schedules: {time.perf_counter() - started:.1f} s]")
plots.curves_comparison(schedule_histories, "Same MLP, one schedule per line")

# %%
pd.DataFrame(rows).set_index("name")[["val accuracy", "best val accuracy", "train accuracy"]].round(
    3
)

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
probe = regularized_mlps.smaller_mlp(units=128)
probe.compile(optimizer=keras.optimizers.SGD(momentum=0.9), loss="sparse_categorical_crossentropy")
range_results = schedules.lr_range_test(
    probe, x_train, y_train, min_lr=1e-5, max_lr=10.0, steps=60 if QUICK else 200
)
chosen = schedules.suggest_learning_rate(range_results)
ck.claim(1e-4 < chosen < 1.0, f"the range test suggests {chosen:.3g}, between 1e-4 and 1")
print(f"chosen learning rate: {chosen:.3g}")
plots.lr_range_test(range_results, chosen)

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
# KerasTuner writes its trials to a temporary directory here (`overwrite=True`).

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
# Five deliberately weak MLPs (8 hidden units each, different random initialisations) are each
# mediocre; averaging their predicted probabilities (soft voting) cancels part of their
# independent errors, so the ensemble beats its average member. A single model with the same total
# number of hidden units (40) is shown too: when the members are this weak, one model of the same
# size can still win. Ensembles pay off most with strong, diverse members (different architectures,
# data orders, augmentations), which is how competitions are won.

# %%
weak_models = []
started = time.perf_counter()
for seed in range(2 if QUICK else 5):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = regularized_mlps.weak_mlp(units=8)
    remedies.fit_and_summarise(model, (x_train, y_train, x_val, y_val), epochs=EPOCHS)
    weak_models.append(model)
members, ensemble = tuning.ensemble_accuracy(weak_models, x_val, y_val)
keras.utils.set_random_seed(0)
single = regularized_mlps.weak_mlp(units=8 * len(weak_models))
_, single_row = remedies.fit_and_summarise(single, (x_train, y_train, x_val, y_val), epochs=EPOCHS)
print(f"[ensemble: {time.perf_counter() - started:.1f} s]")
print(
    f"members {np.round(members, 3)}, ensemble {ensemble:.3f}, one model {single_row['val accuracy']:.3f}"
)
ck.claim(
    ensemble > np.mean(members) + 0.01,
    f"the ensemble ({ensemble:.3f}) beats its average member ({np.mean(members):.3f})",
    full_only=True,
)
plots.ensemble_bars(members, ensemble, single_row["val accuracy"])

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
# Softmax with cross-entropy only needs the classes to be separable by lines through the origin:
# it spreads them into long, wide spokes. **Center loss** adds λ · ½‖f − c_y‖², pulling each
# feature towards a centre of its class (the centres move towards their class means every step),
# which makes the classes compact: what face recognition needs to compare two faces by distance.
# `losses.CenterLossModel` does this in its own `train_step`; with λ = 0 it is plain softmax.
# The spread below is (mean distance to the class mean) / (mean distance between class means).


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


embedded, spreads, embedding_models = {}, {}, {}
started = time.perf_counter()
for name, weight in (("softmax only", 0.0), ("softmax + center loss (λ = 0.5)", 0.5)):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = losses.CenterLossModel(embedding_net(), keras.layers.Dense(10), 10, weight=weight)
    model.compile(optimizer=keras.optimizers.Adam(0.003))
    model.fit(x_train, y_train, epochs=1 if QUICK else 8, batch_size=64, verbose=0)
    embedding_models[name] = model
    features = model.embed(x_val)
    spreads[name] = losses.class_spread(features, y_val)
    embedded[f"{name}: spread {spreads[name]:.2f}"] = (features, y_val)
print(f"[center loss: {time.perf_counter() - started:.1f} s]")
print({name: round(value, 3) for name, value in spreads.items()})
ck.claim(
    spreads["softmax + center loss (λ = 0.5)"] < spreads["softmax only"],
    "center loss makes the classes tighter (lower spread) than softmax alone",
    full_only=True,
)
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
# `cnnkit.training.box_losses` with `keras.ops` (usable in `model.compile`); both agree:

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
# is kept. We compare the angular spread (mean angle between a feature and its class's mean
# direction) and the share of random triplets that violate the margin 0.2 on the unit circle.

# %%
ck.show_code(keras_embedding_losses.ArcFaceHead, keras_embedding_losses.arcface_model)

# %%
with timed("ArcFace"):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    arc_embedding = embedding_net()
    arcface = keras_embedding_losses.arcface_model(arc_embedding, 10, scale=16.0, margin=0.2)
    arcface.compile(
        keras.optimizers.Adam(0.003), keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    )
    arcface.fit([x_train, y_train], y_train, epochs=1 if QUICK else 8, batch_size=64, verbose=0)
    arc_features = arc_embedding.predict(x_val, batch_size=512, verbose=0)
triplets = embedding_losses.random_triplets(y_val, 2000, seed=0)
recognition = {}
for name, features in (
    ("softmax only", embedding_models["softmax only"].embed(x_val)),
    ("center loss", embedding_models["softmax + center loss (λ = 0.5)"].embed(x_val)),
    ("ArcFace", arc_features),
):
    unit = embedding_losses.l2_normalise(features)
    violations = embedding_losses.triplet_loss(*(unit[triplets[:, i]] for i in range(3)), 0.2) > 0
    recognition[name] = {
        "angular spread (degrees)": embedding_losses.angular_spread(features, y_val),
        "violating triplets": float(violations.mean()),
    }
recognition = pd.DataFrame(recognition).T
print(recognition.round(3).to_string())
arc_spread = recognition.loc["ArcFace", "angular spread (degrees)"]
soft_spread = recognition.loc["softmax only", "angular spread (degrees)"]
ck.claim(
    arc_spread < soft_spread,
    f"ArcFace's classes are narrower in angle ({arc_spread:.1f}°) than softmax's ({soft_spread:.1f}°)",
    full_only=True,
)
softmax_features = embedding_models["softmax only"].embed(x_val)
plots.embeddings_2d(
    {
        "softmax only, normalised": (embedding_losses.l2_normalise(softmax_features), y_val),
        "ArcFace, normalised": (embedding_losses.l2_normalise(arc_features), y_val),
    },
    class_names,
    title="2-D features on the unit circle: softmax vs ArcFace",
)

# %% [markdown]
# ## Recap
#
# - Overfitting (过拟合) shows as training and validation curves that split and a validation loss
#   that turns round. On one baseline, each remedy is one small Keras function. Dropout, early
#   stopping (`patience`, `restore_best_weights=True`) and fewer parameters lowered the validation
#   loss, more data raised the validation accuracy, augmentation shrank the gap but had not caught
#   up in accuracy; L2 with Adam and batch normalisation did not help. Measure remedies on the
#   same baseline instead of trusting a list.
# - Dropout rates: the sweep put the best dense rate in 0.3-0.5 and the best convolution rate
#   lower. Inverted dropout divides by 1 − rate in training, so test time is the identity;
#   averaging many thinned networks ≈ the full network (an implicit ensemble).
# - Batch normalisation's measured effect here is faster fitting of a deep network (it reached the
#   plain network's best training loss sooner), not regularisation.
# - Fewer parameters also after training (magnitude pruning: without retraining it lost accuracy
#   quickly here) or during construction (greedy layer-wise, each stage training only its new
#   layer); causes in the data: label noise is memorised, a shifted test set costs accuracy, and
#   augmentation with shifts protects against exactly that shift.
# - Deep sigmoid networks lose their gradient on the way down; too-large weights blow it up; ReLU +
#   He initialisation + batch normalisation keep it steady.
# - SGD, momentum, Nesterov (adapt the direction), AdaGrad, RMSProp (adapt the rate), Adam (both):
#   each rule in a few lines of NumPy, equal to Keras to 1e-6. Momentum wins where small steps
#   crawl along a ravine and overshoots where the rate is already large.
# - Learning rate: too small crawls, too large diverges; schedules start high and end low; a range
#   test finds a good starting value in one short run.
# - Hyperparameters: grid, random or Bayesian search; an ensemble of weak models beats its
#   average member.
# - Losses: focal loss down-weights easy examples; the IoU family measures and moves boxes (GIoU,
#   DIoU, CIoU still pull a box that misses); smooth L1 resists outliers; center loss, triplet loss
#   and ArcFace make classes compact for recognition.
#
# Practise with `exercises/07_overfitting_optimizers.ipynb`.
