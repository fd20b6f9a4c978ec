"""Chapter 07 helpers: surfaces, trajectories, schedules, focal and center loss, remedies, plots."""

import os

import numpy as np
import pandas as pd
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from cnnkit import scratch  # noqa: E402
from cnnkit.plots import optimization as plots  # noqa: E402
from cnnkit.scratch import surfaces, trajectories  # noqa: E402
from cnnkit.training import (  # noqa: E402
    gradients,
    losses,
    optimizer_check,
    remedies,
    schedules,
    tuning,
)

SURFACE_NAMES = ("ravine", "rosenbrock", "saddle")


# ------------------------------------------------------------------------------- surfaces
@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_surface_gradient_matches_central_differences(name):
    surface = surfaces.get_surface(name)
    rng = np.random.default_rng(0)
    for _ in range(20):
        point = rng.uniform([surface.xlim[0], surface.ylim[0]], [surface.xlim[1], surface.ylim[1]])
        np.testing.assert_allclose(
            surface.gradient(point), surface.numerical_gradient(point), rtol=1e-5, atol=1e-5
        )


@pytest.mark.parametrize("name", SURFACE_NAMES)
def test_surface_minima_are_stationary_and_lowest(name):
    surface = surfaces.get_surface(name)
    for minimum in surface.minima:
        np.testing.assert_allclose(surface.gradient(minimum), 0, atol=1e-12)
    X, Y, Z = surface.grid(60)
    assert X.shape == Y.shape == Z.shape == (60, 60)
    assert Z.min() >= surface.minimum_value - 1e-9


def test_saddle_point_is_a_saddle():
    surface = surfaces.saddle()
    np.testing.assert_allclose(surface.gradient((0, 0)), 0)
    assert surface((0.1, 0)) > surface((0, 0)) > surface((0, 0.1))


def test_surface_errors():
    with pytest.raises(ValueError, match="unknown surface"):
        surfaces.get_surface("bowl")
    with pytest.raises(ValueError, match="shape"):
        surfaces.ravine()((1, 2, 3))


# ---------------------------------------------------------------------------- trajectories
def test_run_records_every_step_and_descends():
    trajectory = trajectories.run(scratch.SGD(0.1), "ravine", steps=30)
    assert trajectory.points.shape == (31, 2) and trajectory.losses.shape == (31,)
    assert not trajectory.diverged
    assert np.all(np.diff(trajectory.losses) <= 1e-12)  # small steps on a convex bowl never go up
    np.testing.assert_allclose(trajectory.points[0], surfaces.ravine().start)


def test_run_sgd_step_is_the_formula():
    surface = surfaces.rosenbrock()
    trajectory = trajectories.run(scratch.SGD(0.001), surface, steps=1)
    start = np.array(surface.start)
    np.testing.assert_allclose(trajectory.points[1], start - 0.001 * surface.gradient(start))


def test_run_stops_when_diverging():
    trajectory = trajectories.run(scratch.SGD(1.5), "ravine", steps=200)
    assert trajectory.diverged and len(trajectory.points) < 201


def test_run_all_and_the_lessons():
    results = trajectories.run_all("rosenbrock")
    assert list(results) == list(trajectories.OPTIMIZER_NAMES)
    assert results["Adam"].final_loss < results["SGD"].final_loss
    saddle = trajectories.run_all("saddle")
    assert saddle["Adam"].steps_to_reach(-0.5) < saddle["SGD"].steps_to_reach(-0.5)
    with pytest.raises(ValueError, match="unknown optimizer"):
        trajectories.make_optimizer("LBFGS", 0.1)


def test_minibatch_descent_updates_and_noise():
    x, y = trajectories.linear_regression_data(64, seed=1)
    full = trajectories.minibatch_descent(x, y, 64, epochs=3, learning_rate=0.1)
    mini = trajectories.minibatch_descent(x, y, 16, epochs=3, learning_rate=0.1)
    single = trajectories.minibatch_descent(x, y, 1, epochs=3, learning_rate=0.01)
    assert [r.updates_per_epoch for r in (full, mini, single)] == [1, 4, 64]
    assert len(single.path) == 3 * 64 + 1 and len(single.epoch_losses) == 4
    # batch GD: one step of the exact full-data gradient
    residual = -2.0 * x + 3.0 - y
    expected = (-2.0 - 0.1 * 2 * np.mean(residual * x), 3.0 - 0.1 * 2 * np.mean(residual))
    np.testing.assert_allclose(full.path[1], expected)
    assert single.path_noise > mini.path_noise > full.path_noise
    assert single.epoch_losses[-1] < single.epoch_losses[0]
    with pytest.raises(ValueError, match="larger than"):
        trajectories.minibatch_descent(x, y, 65)


# ------------------------------------------------------------------------------- schedules
def test_schedule_values():
    np.testing.assert_allclose(
        schedules.schedule_values(schedules.step_decay(0.1, 0.5, 10), 30)[[0, 9, 10, 29]],
        [0.1, 0.1, 0.05, 0.025],
        rtol=1e-6,
    )
    exponential = schedules.schedule_values(schedules.exponential(0.1, 0.5, 10), 21)
    np.testing.assert_allclose(
        exponential[[0, 5, 10, 20]], [0.1, 0.1 * 0.5**0.5, 0.05, 0.025], rtol=1e-5
    )
    cosine = schedules.schedule_values(schedules.cosine(0.1, 20), 21)
    np.testing.assert_allclose(cosine[[0, 10, 20]], [0.1, 0.05, 0.0], atol=1e-7)
    warm = schedules.schedule_values(schedules.warmup_cosine(0.1, 10, 20), 31)
    np.testing.assert_allclose(warm[[0, 5, 10, 20, 30]], [0.0, 0.05, 0.1, 0.05, 0.0], atol=1e-6)
    constant = schedules.schedule_values(schedules.constant(0.01), 5)
    np.testing.assert_allclose(constant, 0.01)


def test_course_schedules_and_errors():
    plan = schedules.course_schedules(0.05, 40)
    assert list(plan) == ["constant", "step decay", "exponential", "cosine", "warm-up + cosine"]
    values = {name: schedules.schedule_values(s, 40) for name, s in plan.items()}
    assert all(v.max() <= 0.05 + 1e-7 for v in values.values())
    assert values["warm-up + cosine"][0] == 0.0
    with pytest.raises(ValueError, match="drop"):
        schedules.step_decay(0.1, 2.0, 10)
    with pytest.raises(ValueError, match="positive"):
        schedules.cosine(-0.1, 10)
    with pytest.raises(ValueError, match="smaller"):
        schedules.range_test_rates(1.0, 0.1, 10)


def test_range_test_rates_and_suggestion():
    rates = schedules.range_test_rates(1e-4, 1.0, 5)
    np.testing.assert_allclose(rates, [1e-4, 1e-3, 1e-2, 1e-1, 1.0])
    results = pd.DataFrame(
        {
            "learning_rate": rates,
            "loss": [2.3, 2.0, 1.0, 0.8, 5.0],
            "smoothed": [2.3, 2.0, 1.0, 0.8, 5.0],
        }
    )
    assert schedules.suggest_learning_rate(results) == pytest.approx(0.01)
    assert schedules.suggest_learning_rate(results, "steepest") in rates
    with pytest.raises(ValueError, match="method"):
        schedules.suggest_learning_rate(results, "median")


def test_lr_range_test_runs_and_stops_on_blow_up():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 8)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")
    model = keras.Sequential([keras.Input((8,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer=keras.optimizers.SGD(), loss="sparse_categorical_crossentropy")
    results = schedules.lr_range_test(model, x, y, min_lr=1e-4, max_lr=1e4, steps=80, batch_size=32)
    assert list(results.columns) == ["learning_rate", "loss", "smoothed"]
    assert results["learning_rate"].is_monotonic_increasing
    assert len(results) < 80  # it blew up and stopped
    with pytest.raises(ValueError, match="compile"):
        schedules.lr_range_test(keras.Sequential([keras.Input((8,)), keras.layers.Dense(2)]), x, y)


# ---------------------------------------------------------------------------------- losses
@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.comparison
def test_categorical_focal_loss_equals_keras(gamma, from_logits):
    rng = np.random.default_rng(3)
    y_true = keras.utils.to_categorical(rng.integers(0, 5, 32), 5)
    logits = rng.normal(size=(32, 5)) * 2
    y_pred = logits if from_logits else scratch.softmax(logits)
    keras_loss = keras.losses.CategoricalFocalCrossentropy(
        alpha=0.3, gamma=gamma, from_logits=from_logits, reduction=None
    )(y_true, y_pred)
    ours = losses.categorical_focal_loss(y_true, y_pred, 0.3, gamma, from_logits)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(keras_loss), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("balancing", [False, True])
@pytest.mark.parametrize("from_logits", [False, True])
@pytest.mark.comparison
def test_binary_focal_loss_equals_keras(balancing, from_logits):
    rng = np.random.default_rng(4)
    y_true = rng.integers(0, 2, (32, 3)).astype("float32")
    y_pred = rng.normal(size=(32, 3)) if from_logits else rng.uniform(0.01, 0.99, (32, 3))
    keras_loss = keras.losses.BinaryFocalCrossentropy(
        apply_class_balancing=balancing,
        alpha=0.3,
        gamma=2.0,
        from_logits=from_logits,
        reduction=None,
    )(y_true, y_pred)
    ours = losses.binary_focal_loss(y_true, y_pred, 0.3, 2.0, from_logits, balancing)
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(keras_loss), rtol=1e-5, atol=1e-6)


@pytest.mark.comparison
def test_focal_loss_with_gamma_zero_is_cross_entropy():
    rng = np.random.default_rng(5)
    y_true = keras.utils.to_categorical(rng.integers(0, 3, 10), 3)
    p = scratch.softmax(rng.normal(size=(10, 3)))
    np.testing.assert_allclose(
        losses.categorical_focal_loss(y_true, p, alpha=1.0, gamma=0.0),
        -np.log(np.sum(y_true * p, axis=1)),
        rtol=1e-6,
    )
    assert losses.focal_term(0.9, 2.0) < 0.01 * losses.focal_term(0.9, 0.0)
    with pytest.raises(ValueError, match="same shape"):
        losses.categorical_focal_loss(y_true, p[:, :2])


def test_center_loss_and_spread():
    features = np.array([[0.0, 0.0], [2.0, 0.0], [10.0, 10.0]])
    centers = np.array([[1.0, 0.0], [10.0, 10.0]])
    assert losses.center_loss(features, [0, 0, 1], centers) == pytest.approx(0.5 * 2 / 3)
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 50)
    means = np.array([[0, 0], [10, 0], [0, 10]])
    tight = means[labels] + rng.normal(scale=0.5, size=(150, 2))
    wide = means[labels] + rng.normal(scale=3.0, size=(150, 2))
    assert losses.class_spread(tight, labels) < losses.class_spread(wide, labels)
    assert losses.class_spread(tight * 7, labels) == pytest.approx(
        losses.class_spread(tight, labels)
    )


def _center_model(weight):
    keras.utils.set_random_seed(0)
    embedding = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    model = losses.CenterLossModel(
        embedding, keras.layers.Dense(3), 3, weight=weight, center_rate=0.5
    )
    model.compile(optimizer=keras.optimizers.SGD(0.0))  # lr 0: only the centres move
    return model


def test_center_loss_model_moves_centres_to_class_means():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 4)).astype("float32")
    y = np.array([0, 1, 2] * 4)
    model = _center_model(0.1)
    model.fit(x, y, batch_size=12, epochs=1, verbose=0, shuffle=False)
    features = model.embed(x)
    centers = keras.ops.convert_to_numpy(model.centers)
    for c in range(3):
        # from 0: c <- 0 - 0.5 * sum(0 - f_i) / (1 + n) = 0.5 * n * mean / (1 + n)
        np.testing.assert_allclose(centers[c], 0.5 * 4 * features[y == c].mean(0) / 5, rtol=1e-5)
    logs = model.evaluate(x, y, verbose=0, return_dict=True)
    assert logs["loss"] == pytest.approx(
        logs["cross_entropy"] + 0.1 * logs["center_loss"], rel=1e-5
    )


@pytest.mark.slow
def test_center_loss_tightens_classes():
    rng = np.random.default_rng(2)
    labels = np.repeat(np.arange(3), 60)
    x = (np.eye(3)[labels] @ rng.normal(size=(3, 6)) + rng.normal(scale=0.8, size=(180, 6))).astype(
        "float32"
    )
    spreads = {}
    for weight in (0.0, 1.0):
        keras.backend.clear_session()
        keras.utils.set_random_seed(0)
        embedding = keras.Sequential(
            [keras.Input((6,)), keras.layers.Dense(16, activation="relu"), keras.layers.Dense(2)]
        )
        model = losses.CenterLossModel(embedding, keras.layers.Dense(3), 3, weight=weight)
        # the same start on every backend (Keras's seeded initialisers differ between backends)
        start = np.random.default_rng(0)
        for variable in model.trainable_variables:
            variable.assign(start.normal(scale=0.3, size=variable.shape).astype("float32"))
        model.compile(optimizer=keras.optimizers.Adam(0.01))
        model.fit(x, labels, batch_size=60, epochs=10, verbose=0)
        spreads[weight] = losses.class_spread(model.embed(x), labels)
    assert spreads[1.0] < spreads[0.0]


def test_center_loss_model_rejects_bad_settings():
    embedding = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match="weight"):
        losses.CenterLossModel(embedding, keras.layers.Dense(3), 3, weight=-1)
    with pytest.raises(ValueError, match="center_rate"):
        losses.CenterLossModel(embedding, keras.layers.Dense(3), 3, center_rate=0)


# -------------------------------------------------------------------------------- remedies
def test_remedy_builders():
    from cnnkit.models import basic_cnns, regularized_mlps

    counts = {}
    for remedy, build in remedies.REMEDIES.items():
        model = build()
        counts[remedy] = model.count_params()
        assert model.output_shape == (None, 10)
    assert counts["baseline"] == 784 * 256 + 256 + 256 * 256 + 256 + 256 * 10 + 10
    assert counts["early stopping"] == counts["L2"] == counts["dropout"] == counts["baseline"]
    assert counts["fewer parameters"] == 784 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10
    layer_types = {type(layer).__name__ for layer in regularized_mlps.augmented_mlp().layers}
    assert "Sequential" in layer_types  # the augmentation block
    augment = regularized_mlps.augmented_mlp().get_layer("augmentation")
    assert {type(layer).__name__ for layer in augment.layers} == {"RandomFlip", "RandomTranslation"}
    batch_norm = regularized_mlps.batch_norm_mlp()
    assert "BatchNormalization" in {type(l).__name__ for l in batch_norm.layers}
    dropout = regularized_mlps.dropout_mlp(rate=0.3)
    assert sum(type(l).__name__ == "Dropout" for l in dropout.layers) == 2
    l2 = regularized_mlps.l2_mlp(l2=0.01)
    assert sum(l.kernel_regularizer is not None for l in l2.layers if hasattr(l, "kernel")) == 2
    assert regularized_mlps.weak_mlp(units=8).count_params() == 784 * 8 + 8 + 8 * 10 + 10
    cnn = basic_cnns.two_block_cnn()
    assert cnn.count_params() == 160 + 4640 + 800 * 10 + 10
    assert basic_cnns.two_block_cnn(dropout=0.2).count_params() == cnn.count_params()
    stop = remedies.early_stopping(4)
    assert stop.patience == 4 and stop.restore_best_weights and stop.monitor == "val_loss"
    x, y = _tiny_images(4)
    with pytest.raises(ValueError, match="unknown remedy"):
        remedies.run_remedies(x, y, x, y, epochs=1, remedies=("pruning",))


def test_epochs_to_reach():
    history = {"loss": [2.0, 1.0, 0.4, 0.3]}
    assert remedies.epochs_to_reach(history, 0.5) == 3
    assert remedies.epochs_to_reach(history, 0.1) is None


def test_magnitude_pruning_and_sparsity_curve():
    from cnnkit.models import regularized_mlps
    from cnnkit.training import pruning

    keras.utils.set_random_seed(0)
    model = regularized_mlps.baseline_mlp(units=16)
    before = [w.copy() for w in model.get_weights()]
    x, y = _tiny_images(40)
    curve = pruning.sparsity_curve(model, remedies.prepare_images(x), y, (0.0, 0.5, 0.9))
    assert list(curve["sparsity"]) == [0.0, 0.5, 0.9]
    assert np.allclose(curve["zero weights"], [0.0, 0.5, 0.9], atol=0.01)
    for kept, now in zip(before, model.get_weights(), strict=True):
        np.testing.assert_array_equal(kept, now)  # weights restored
    zero = pruning.magnitude_prune(model, 0.75)
    kernels = [keras.ops.convert_to_numpy(l.kernel) for l in model.layers if hasattr(l, "kernel")]
    assert (
        abs(zero - 0.75) < 0.01
        and abs(np.mean(np.concatenate([k.ravel() for k in kernels]) == 0) - 0.75) < 0.01
    )
    with pytest.raises(ValueError, match="sparsity"):
        pruning.magnitude_prune(model, 1.0)


def test_greedy_layerwise_trains_only_the_new_layer():
    from cnnkit.training import pruning

    x, y = _tiny_images(64)
    x = remedies.prepare_images(x)
    stages = pruning.greedy_layerwise((x, y, x, y), widths=(8, 6), epochs=1)
    assert list(stages.index) == [1, 2]
    assert (
        stages.loc[1, "trainable parameters"]
        == stages.loc[1, "all parameters"]
        == 784 * 8 + 8 + 8 * 10 + 10
    )
    assert stages.loc[2, "trainable parameters"] == 8 * 6 + 6 + 6 * 10 + 10


def test_label_noise_and_shift():
    from cnnkit.training import data_problems

    labels = np.arange(1000) % 10
    noisy, flipped = data_problems.flip_labels(labels, 0.4, seed=1)
    assert abs(flipped.mean() - 0.4) < 0.05
    assert (noisy[flipped] != labels[flipped]).all() and (noisy[~flipped] == labels[~flipped]).all()
    images = np.arange(2 * 5 * 5).reshape(2, 5, 5)
    moved = data_problems.shift_images(images, dx=2, dy=1)
    np.testing.assert_array_equal(moved[:, 1:, 2:], images[:, :-1, :-2])
    assert (moved[:, 0] == 0).all() and (moved[:, :, :2] == 0).all()
    np.testing.assert_array_equal(
        data_problems.shift_images(moved, -2, -1)[:, :-1, :-2], images[:, :-1, :-2]
    )
    with pytest.raises(ValueError, match="fraction"):
        data_problems.flip_labels(labels, 1.5)
    with pytest.raises(ValueError, match="out of view"):
        data_problems.shift_images(images, dx=5)


def _tiny_images(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 256, (n, 28, 28), dtype=np.uint8), rng.integers(0, 10, n)


@pytest.mark.slow
def test_run_remedies_table_shape():
    x, y = _tiny_images(64)
    xv, yv = _tiny_images(32, seed=1)
    chosen = ("dropout", "early stopping")
    table, histories, models = remedies.run_remedies(
        x, y, xv, yv, epochs=1, batch_size=32, remedies=chosen, units=16
    )
    assert list(table.index) == list(chosen) and list(histories) == list(chosen)
    assert set(models) == set(chosen)
    assert {
        "parameters",
        "epochs run",
        "train accuracy",
        "val accuracy",
        "gap",
        "best val accuracy",
    } <= set(table.columns)
    assert np.allclose(table["gap"], table["train accuracy"] - table["val accuracy"])
    frame, inference = remedies.thinned_ensemble_accuracy(models["dropout"], xv, yv, counts=(1, 3))
    assert list(frame["k"]) == [1, 3] and 0 <= inference <= 1


def test_prepare_images():
    x, _ = _tiny_images(3)
    prepared = remedies.prepare_images(x)
    assert prepared.shape == (3, 28, 28, 1) and prepared.dtype == np.float32 and prepared.max() <= 1
    with pytest.raises(ValueError, match="images"):
        remedies.prepare_images(np.zeros(5))


# ----------------------------------------------------------- gradients, optimizer check, tuner
def test_gradient_norms_vanish_for_sigmoid():
    from cnnkit.models import deep_mlps

    rng = np.random.default_rng(0)
    table = gradients.compare_gradient_norms(
        rng.uniform(size=(64, 784)), rng.integers(0, 10, 64), depth=8
    )
    assert table.shape == (9, 4) and list(table.columns) == list(deep_mlps.DEEP_VARIANTS)
    sigmoid = table["sigmoid (Glorot)"]
    assert sigmoid["layer 2"] < 1e-2 * sigmoid["layer 8"]
    assert table["ReLU, too-large init N(0, 1)"].min() > 100 * table["ReLU (He)"].max()


@pytest.mark.comparison
def test_numpy_optimizers_match_keras_step_by_step():
    # chapter 07's settings; at learning rate 0.05 Keras's PyTorch Adam, which computes its bias
    # corrections in float32, is 1.2e-6 away after 4 steps (measured; TensorFlow: float64 throughout)
    table = optimizer_check.check_all(learning_rate=0.01, steps=5)
    assert len(table) == 6 * 5
    assert table["max |numpy - keras|"].max() < 1e-6
    assert keras.config.floatx() == "float32"  # restored


def test_tuner_search_and_trials_table(tmp_path):
    x, y = _tiny_images(64)
    x = remedies.prepare_images(x)
    tuner = tuning.search("random", x, y, x, y, directory=tmp_path, max_trials=1, epochs=1)
    table = tuning.trials_table(tuner, "random")
    assert len(table) == 1
    assert {"method", "units", "learning_rate", "dropout", "val accuracy"} <= set(table.columns)
    for method in tuning.METHODS:
        assert tuning.make_tuner(method, tmp_path, 1) is not None
    with pytest.raises(ValueError, match="method"):
        tuning.make_tuner("hyperband", tmp_path, 1)


def test_ensemble_accuracy_averages_probabilities():
    class Fixed:
        def __init__(self, p):
            self.p = np.asarray(p)

        def predict(self, x, **_):
            return self.p

    y = np.array([0, 1])
    models = [Fixed([[0.6, 0.4], [0.6, 0.4]]), Fixed([[0.3, 0.7], [0.1, 0.9]])]
    members, ensemble = tuning.ensemble_accuracy(models, None, y)
    assert members == [0.5, 0.5] and ensemble == 0.5  # averages: [0.45, 0.55], [0.35, 0.65]


# ------------------------------------------------------------------------------------ plots
def test_surface_and_descent_plots():
    results = {surfaces.get_surface(n): trajectories.run_all(n, steps=20) for n in SURFACE_NAMES}
    fig = plots.surface_comparison(results)
    assert len(fig.axes) == 6
    assert len(fig.axes[0].get_lines()) >= 6
    x, y = trajectories.linear_regression_data(32)
    runs = {
        "batch": trajectories.minibatch_descent(x, y, 32),
        "sgd": trajectories.minibatch_descent(x, y, 1),
    }
    fig = plots.descent_comparison(x, y, runs)
    assert len(fig.axes) == 2 and len(fig.axes[1].get_lines()) == 2


def _history(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "loss": list(np.linspace(1, 0.1, n)),
        "val_loss": list(np.linspace(1, 0.5, n) + rng.uniform(0, 0.1, n)),
        "accuracy": list(np.linspace(0.5, 1, n)),
        "val_accuracy": list(np.linspace(0.5, 0.8, n)),
    }


def test_training_plots():
    fig = plots.overfitting_curves(_history())
    assert len(fig.axes) == 2
    assert [line.get_label() for line in fig.axes[0].get_lines()][:2] == ["training", "validation"]
    histories = {"baseline": _history(), "L2": _history(seed=1)}
    table = pd.DataFrame({"gap": [0.2, 0.1], "val accuracy": [0.8, 0.82]}, index=["baseline", "L2"])
    assert len(plots.remedy_comparison(table, histories).axes) == 3
    assert len(plots.curves_comparison(histories, "t").axes[0].get_lines()) == 2
    fig = plots.learning_rate_schedules({"a": np.ones(5), "b": np.zeros(5)})
    assert len(fig.axes[0].get_lines()) == 2
    results = pd.DataFrame(
        {"learning_rate": [1e-3, 1e-2, 1e-1], "loss": [2, 1, 3], "smoothed": [2, 1, 3]}
    )
    assert len(plots.lr_range_test(results, 1e-3).axes) == 1
    frame = pd.DataFrame({"k": [1, 2], "accuracy": [0.7, 0.8]})
    assert len(plots.thinned_ensemble(frame, 0.81).axes[0].get_lines()) == 2
    assert len(plots.ensemble_bars([0.7, 0.72], 0.75, 0.74).axes[0].patches) == 4
    assert len(plots.focal_loss_curves((0, 2)).axes[0].get_lines()) == 2
    grads = pd.DataFrame({"a": [1e-3, 1e-1, 1], "b": [1, 1, 1]})
    assert len(plots.gradient_norms(grads).axes[0].get_lines()) == 2
    features = np.random.default_rng(0).normal(size=(30, 2))
    fig = plots.embeddings_2d(
        {"x": (features, np.arange(30) % 3), "y": (features, np.arange(30) % 3)}
    )
    assert len(fig.axes) == 2 and len(fig.axes[0].collections) == 3


def test_new_chapter_07_plots():
    from cnnkit.plots import losses as loss_plots

    sweep = pd.DataFrame(
        {"rate": [0.0, 0.5], "train accuracy": [1.0, 0.9], "val accuracy": [0.8, 0.82]}
    )
    fig = plots.sweep_lines(
        {"a": sweep, "b": sweep}, "rate", ["train accuracy", "val accuracy"], "t"
    )
    assert len(fig.axes) == 2 and len(fig.axes[0].get_lines()) == 2
    ravine = surfaces.ravine()
    runs = {"SGD": trajectories.run(scratch.SGD(0.1), ravine, 10)}
    assert len(plots.paths_and_losses(runs, ravine, "t").axes) == 2
    fig = loss_plots.iou_family(np.array([4.0, 2.0, 8.0, 6.0]), np.linspace(-8, 8, 33))
    assert len(fig.axes[1].get_lines()) == 4 + 1  # four metrics and the zero line
    fig = loss_plots.box_descent({"IoU": np.zeros(5), "GIoU": np.linspace(0, 1, 5)})
    assert len(fig.axes[0].get_lines()) == 2
    fig = loss_plots.regression_losses(beta=1.0)
    l2_line = fig.axes[0].get_lines()[1]
    assert np.isclose(l2_line.get_ydata()[0], 9.0)  # d = -3: d^2
    assert len(loss_plots.triplet_and_arcface().axes) == 2
