# %% [markdown]
# # 07 Overfitting and optimizers (过拟合与优化算法)
#
# A network that fits its training data perfectly can still be useless on new data. This chapter
# makes a network overfit on purpose, measures every remedy on the same baseline, looks inside the
# gradients of deep networks, writes the optimizers' update rules in NumPy and checks them against
# Keras, watches them move on 2-D loss surfaces, and ends with learning-rate schedules,
# hyperparameter search and two losses beyond cross-entropy.
#
# Every experiment is sized by `ck.QUICK`: quick mode proves the code runs; full mode (the outputs
# you see) uses more data and epochs.

# %%
import tempfile

import keras
import numpy as np
import pandas as pd

import cnnkit as ck
from cnnkit import scratch
from cnnkit.plots import optimization as plots
from cnnkit.scratch import surfaces, trajectories
from cnnkit.training import gradients, losses, optimizer_check, remedies, schedules, tuning

QUICK = ck.QUICK
N_SMALL = 512 if QUICK else 2000  # the small training set that the big network memorises
N_VAL = 512 if QUICK else 2000
N_TRAIN = 1024 if QUICK else 6000  # for comparing optimizers, schedules, losses
EPOCHS_OVERFIT = 2 if QUICK else 20
EPOCHS = 1 if QUICK else 4

(x_all, y_all), (x_test_all, y_test_all) = ck.datasets.load("fashion_mnist", sample=QUICK)
class_names = ck.datasets.class_names("fashion_mnist")
x_small, y_small = remedies.prepare_images(x_all[:N_SMALL]), y_all[:N_SMALL]
x_train, y_train = remedies.prepare_images(x_all[:N_TRAIN]), y_all[:N_TRAIN]
x_val, y_val = remedies.prepare_images(x_test_all[:N_VAL]), y_test_all[:N_VAL]
print(f"small set {x_small.shape}, training set {x_train.shape}, validation set {x_val.shape}")

# %% [markdown]
# ## 1. Overfitting on purpose, and every remedy side by side
#
# **Overfitting (过拟合)**: the training loss keeps falling while the validation loss stops
# falling and rises. Its causes: too many parameters for too few samples, a training set that does
# not look like the test data, and fitting the noise of the labels. The baseline below is a
# two-layer MLP with 512 units per layer (about 670,000 parameters) trained on only `N_SMALL`
# images: far more parameters than samples.
#
# There are two directions of remedy: **fewer parameters**, or a **smaller effective size per
# parameter** (regularisation, 正则化). `run_remedies` trains the same baseline with one remedy at a
# time, with the same data, epochs, optimizer (Adam, 1e-3) and seed:
#
# | remedy | what changes |
# |---|---|
# | L2 weight decay (权重衰减) | loss + 0.001 · Σw² on every hidden kernel |
# | dropout (随机失活) | `Dropout(0.5)` after each hidden layer |
# | data augmentation (数据增强) | `RandomFlip("horizontal")` and `RandomTranslation(0.1, 0.1)` before the MLP (active only in training) |
# | batch normalisation (批归一化) | `Dense → BatchNormalization → ReLU` |
# | early stopping (早停法) | `EarlyStopping(monitor="val_loss", patience=3, restore_best_weights=True)` |
# | fewer parameters | 32 units per layer instead of 512 |
#
# The gap is measured on the weights each model ends with, both accuracies in inference mode.

# %%
PATIENCE = 3
table, histories, models = remedies.run_remedies(
    x_small, y_small, x_val, y_val, epochs=EPOCHS_OVERFIT, patience=PATIENCE
)
table.round(3)

# %% [markdown]
# The baseline's curves split: training accuracy climbs towards 100 % while validation accuracy
# stalls. The shaded band is the gap; the dotted line marks the epoch with the lowest validation
# loss, where early stopping keeps the weights.

# %%
plots.overfitting_curves(histories["baseline"])

# %%
baseline = table.loc["baseline"]
assert baseline["train accuracy"] > baseline["val accuracy"]  # the curves split
assert len(table) == 7 and list(table.index) == list(remedies.REMEDIES)
if not QUICK:
    assert baseline["gap"] > 0.08  # memorised: a clear gap
    assert table.loc["fewer parameters", "parameters"] < baseline["parameters"] / 10
    assert table.loc["early stopping", "epochs run"] < EPOCHS_OVERFIT  # it did stop early
plots.remedy_comparison(table, histories)

# %% [markdown]
# How to read it (full-mode numbers; yours may differ a little):
#
# - The regularisers (L2, dropout, augmentation) and the smaller network shrink the gap; dropout
#   keeps the validation accuracy of the baseline with about half its gap. L2 and augmentation
#   slow the fit down: with more epochs they usually catch up.
# - Batch normalisation is not a regulariser here: it speeds up fitting, and the gap can even grow.
#   Its value is in training deep networks (section 2), not in curing overfitting.
# - Early stopping with `patience = 3` watched `val_loss`, which is noisy and rises early (the
#   network becomes over-confident while its accuracy still creeps up), so it stopped after a few
#   epochs and restored an early, weaker model. **Patience** is the number of epochs without
#   improvement it tolerates: too small and a noisy validation curve stops training too early (as
#   here); too large and it wastes epochs (the best weights are restored anyway). Watching
#   `val_accuracy`, or a patience of 5-10, keeps more of the baseline's accuracy.

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
# check it with the dropout model trained above: averaging the predictions of k thinned networks
# approaches the inference-mode accuracy as k grows, and a single thinned network is clearly worse.

# %%
counts = (1, 2, 5, 10) if QUICK else (1, 2, 5, 10, 20, 50)
ensemble_table, inference_accuracy = remedies.thinned_ensemble_accuracy(
    models["dropout"], x_val, y_val, counts
)
if not QUICK:
    assert ensemble_table["accuracy"].iloc[-1] > ensemble_table["accuracy"].iloc[0]
    assert abs(ensemble_table["accuracy"].iloc[-1] - inference_accuracy) < 0.02
plots.thinned_ensemble(ensemble_table, inference_accuracy)

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
assert first["sigmoid (Glorot)"] / last["sigmoid (Glorot)"] < 1e-2  # vanishing
assert grad_table["ReLU, too-large init N(0, 1)"].min() > 1e3 * grad_table["ReLU (He)"].max()
for steady in ("ReLU (He)", "ReLU + BN (He)"):
    assert 0.1 < first[steady] / last[steady] < 10  # about constant
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
# - **Ravine** f = x²/20 + y²: 20 times steeper across than along. SGD either zig-zags across it
#   or crawls along it; momentum builds up speed along the floor.
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
assert rosenbrock["Adam"].final_loss < rosenbrock["SGD"].final_loss
saddle = {s.name: t for s, t in results.items()}["saddle"]
assert saddle["Adam"].steps_to_reach(-0.5) < saddle["SGD"].steps_to_reach(-0.5)
plots.surface_comparison(results)

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
assert noise["stochastic (1)"] > noise["mini-batch (32)"] > noise["batch (256)"]
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
# 0.001).

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
for name, make in OPTIMIZERS.items():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    history, row = remedies.fit_and_summarise(
        remedies.small_cnn(),
        (x_train, y_train, x_val, y_val),
        epochs=EPOCHS,
        optimizer=make(),
        name=name,
    )
    optimizer_histories[name], rows = history, rows + [row]
optimizer_table = pd.DataFrame(rows).set_index("name")
if not QUICK:
    assert optimizer_table.loc["Adam", "val accuracy"] > optimizer_table.loc["SGD", "val accuracy"]
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
assert finals[1] < finals[0] < ravine(ravine.start) < finals[2]
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
plots.learning_rate_schedules(values)

# %% [markdown]
# Compared on the same MLP, trained with SGD + momentum for `2 × EPOCHS` epochs:

# %%
schedule_histories, rows = {}, []
for name, schedule in plan.items():
    if QUICK and name not in ("constant", "cosine"):
        continue  # quick mode trains two of them
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    history, row = remedies.fit_and_summarise(
        remedies.build_mlp("fewer parameters", small_units=128),
        (x_train, y_train, x_val, y_val),
        epochs=2 * EPOCHS,
        name=name,
        optimizer=keras.optimizers.SGD(schedule, momentum=0.9),
    )
    schedule_histories[name], rows = history, rows + [row]
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
probe = remedies.build_mlp("fewer parameters", small_units=128)
probe.compile(optimizer=keras.optimizers.SGD(momentum=0.9), loss="sparse_categorical_crossentropy")
range_results = schedules.lr_range_test(
    probe, x_train, y_train, min_lr=1e-5, max_lr=10.0, steps=60 if QUICK else 200
)
chosen = schedules.suggest_learning_rate(range_results)
assert 1e-4 < chosen < 1.0
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
trials = 1 if QUICK else 4
tuner_data = (x_train[: N_TRAIN // 2], y_train[: N_TRAIN // 2], x_val, y_val)
with tempfile.TemporaryDirectory() as directory:
    tables, best = [], {}
    for method in tuning.METHODS:
        keras.backend.clear_session()
        tuner = tuning.search(
            method, *tuner_data, directory=directory, max_trials=trials, epochs=1 if QUICK else 2
        )
        tables.append(tuning.trials_table(tuner, method))
        best[method] = tuner.get_best_hyperparameters(1)[0].values
trial_table = pd.concat(tables, ignore_index=True)
assert len(trial_table) == 3 * trials
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
for seed in range(2 if QUICK else 5):
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = tuning.weak_mlp(8)
    remedies.fit_and_summarise(model, (x_train, y_train, x_val, y_val), epochs=EPOCHS)
    weak_models.append(model)
members, ensemble = tuning.ensemble_accuracy(weak_models, x_val, y_val)
keras.utils.set_random_seed(0)
single = tuning.weak_mlp(8 * len(weak_models))
_, single_row = remedies.fit_and_summarise(single, (x_train, y_train, x_val, y_val), epochs=EPOCHS)
if not QUICK:
    assert ensemble > np.mean(members)
print(
    f"members {np.round(members, 3)}, ensemble {ensemble:.3f}, one model {single_row['val accuracy']:.3f}"
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
for gamma in (0.0, 2.0, 5.0):
    theirs = keras.losses.CategoricalFocalCrossentropy(alpha=0.25, gamma=gamma)(
        y_true, probabilities
    )
    ours = losses.categorical_focal_loss(y_true, probabilities, alpha=0.25, gamma=gamma).mean()
    assert abs(float(theirs) - ours) < 1e-5, (gamma, float(theirs), ours)
labels01 = rng.integers(0, 2, (64, 1)).astype("float32")
p01 = rng.uniform(0.01, 0.99, (64, 1))
theirs = keras.losses.BinaryFocalCrossentropy(gamma=2.0)(labels01, p01)
assert abs(float(theirs) - losses.binary_focal_loss(labels01, p01, gamma=2.0).mean()) < 1e-5
print("focal loss: NumPy == Keras (categorical for γ = 0, 2, 5; binary for γ = 2)")
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


embedded, spreads = {}, {}
for name, weight in (("softmax only", 0.0), ("softmax + center loss (λ = 0.5)", 0.5)):
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = losses.CenterLossModel(embedding_net(), keras.layers.Dense(10), 10, weight=weight)
    model.compile(optimizer=keras.optimizers.Adam(0.003))
    model.fit(x_train, y_train, epochs=2 if QUICK else 8, batch_size=64, verbose=0)
    features = model.embed(x_val)
    spreads[name] = losses.class_spread(features, y_val)
    embedded[f"{name}: spread {spreads[name]:.2f}"] = (features, y_val)
print({name: round(value, 3) for name, value in spreads.items()})
assert spreads["softmax + center loss (λ = 0.5)"] < spreads["softmax only"]
plots.embeddings_2d(embedded, class_names)

# %% [markdown]
# ## Recap
#
# - Overfitting (过拟合) shows as training and validation curves that split. Remedies: fewer
#   parameters, L2 weight decay, dropout, data augmentation, batch normalisation, early stopping
#   (`patience`, `restore_best_weights=True`). Measure them on the same baseline.
# - Inverted dropout divides by 1 − rate in training, so test time is the identity; averaging many
#   thinned networks ≈ the full network (an implicit ensemble).
# - Deep sigmoid networks lose their gradient on the way down; too-large weights blow it up; ReLU +
#   He initialisation + batch normalisation keep it steady.
# - SGD, momentum, Nesterov (adapt the direction), AdaGrad, RMSProp (adapt the rate), Adam (both):
#   each rule in a few lines of NumPy, equal to Keras to 1e-6.
# - Learning rate: too small crawls, too large diverges; schedules start high and end low; a range
#   test finds a good starting value in one short run.
# - Hyperparameters: grid, random or Bayesian search; an ensemble of weak models beats its members.
# - Focal loss down-weights easy examples; center loss makes classes compact.
#
# Practise with `exercises/07_overfitting_optimizers.ipynb`.
