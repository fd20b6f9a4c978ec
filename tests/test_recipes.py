"""The recommended recipe's parts: label-smoothed loss vs Keras, one-cycle schedule, the stop-at-accuracy callback, the figure."""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from cnnkit.training import recipes


@pytest.mark.comparison
def test_smoothed_loss_equals_keras_categorical_label_smoothing():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(32, 10)).astype("float32")
    probabilities = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = rng.integers(0, 10, size=32)
    for eps in (0.0, 0.1, 0.3):
        ours = keras.ops.convert_to_numpy(
            recipes.sparse_smoothed_crossentropy(eps)(labels, probabilities)
        )
        keras_loss = keras.losses.CategoricalCrossentropy(label_smoothing=eps, reduction=None)
        expected = keras.ops.convert_to_numpy(
            keras_loss(keras.utils.to_categorical(labels, 10), probabilities)
        )
        np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)


def test_smoothed_loss_accepts_column_labels_and_rejects_bad_smoothing():
    probabilities = np.full((4, 5), 0.2, dtype="float32")
    loss = recipes.sparse_smoothed_crossentropy(0.1)
    flat = keras.ops.convert_to_numpy(loss(np.arange(4), probabilities))
    column = keras.ops.convert_to_numpy(loss(np.arange(4)[:, None], probabilities))
    np.testing.assert_allclose(flat, column)
    np.testing.assert_allclose(flat, np.log(5), rtol=1e-6)  # uniform prediction: log K
    with pytest.raises(ValueError, match="label_smoothing"):
        recipes.sparse_smoothed_crossentropy(1.0)


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.comparison
def test_recommended_model_parameter_count_matches_formula(batch_norm):
    model = recipes.recommended_fashion_mnist(batch_norm=batch_norm)
    c1, c2, units = 16, 64, 128
    conv1 = 25 * c1 + (0 if batch_norm else c1) + (4 * c1 if batch_norm else 0)
    conv2 = 9 * c1 * c2 + (0 if batch_norm else c2) + (4 * c2 if batch_norm else 0)
    flat = 5 * 5 * c2  # 28 -> conv 5x5: 24 -> pool 12 -> conv 3x3: 10 -> pool 5
    expected = conv1 + conv2 + (flat * units + units) + (units * 10 + 10)
    assert model.count_params() == expected
    assert model.output_shape == (None, 10)
    with pytest.raises(ValueError, match="widths"):
        recipes.recommended_fashion_mnist(widths=(16,))


def test_recipe_one_cycle_warms_up_then_follows_a_cosine_to_zero():
    schedule = recipes.one_cycle(4e-3, 100)  # 100 steps, the first 15 warm up
    peak, warmup, total = 4e-3, 15, 100
    for step in (0, 7, 15, 40, 99):
        if step < warmup:
            expected = peak * step / warmup
        else:
            expected = peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))
        assert float(keras.ops.convert_to_numpy(schedule(step))) == pytest.approx(
            expected, rel=1e-5, abs=1e-9
        )


def _tiny_problem():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(64, 4)).astype("float32")
    y = (x[:, 0] > 0).astype("int64")
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy")
    return model, x, y


def test_stop_callback_evaluates_every_half_epoch_and_stops_at_target():
    model, x, y = _tiny_problem()
    watch = recipes.TestAccuracyStop(x, y, target=None, every=0.5)
    model.fit(x, y, batch_size=8, epochs=2, verbose=0, callbacks=[watch])
    assert [point["epoch"] for point in watch.curve] == [0.5, 1.0, 1.5, 2.0]
    assert watch.reached is None
    predicted = np.argmax(model.predict(x, verbose=0), axis=-1)
    assert watch.curve[-1]["accuracy"] == pytest.approx(np.mean(predicted == y), abs=1e-4)

    model, x, y = _tiny_problem()
    stop = recipes.TestAccuracyStop(x, y, target=0.0, every=0.5)
    model.fit(x, y, batch_size=8, epochs=3, verbose=0, callbacks=[stop])
    assert stop.reached == 0.5 and len(stop.curve) == 1  # stopped mid-epoch, at once
    assert model.optimizer.iterations.numpy() == 4  # 8 batches per epoch, half of them


def test_stop_callback_rejects_bad_arguments():
    x = np.zeros((4, 2), dtype="float32")
    with pytest.raises(ValueError, match="every"):
        recipes.TestAccuracyStop(x, np.zeros(4), every=0.0)
    with pytest.raises(ValueError, match="labels"):
        recipes.TestAccuracyStop(x, np.zeros(3))


def test_accuracy_vs_seconds_figure_marks_where_target_is_reached():
    from cnnkit.plots.benchmarks import accuracy_vs_seconds

    figure = accuracy_vs_seconds(
        {"slow": ([10, 20, 30], [0.8, 0.85, 0.9]), "fast": ([5, 10], [0.86, 0.91])}, target=0.9
    )
    ax = figure.axes[0]
    stars = [line for line in ax.lines if line.get_marker() == "*"]
    assert sorted(float(star.get_xdata()[0]) for star in stars) == [10.0, 30.0]
    with pytest.raises(ValueError, match="equal-length"):
        accuracy_vs_seconds({"bad": ([1, 2], [0.5])})
    with pytest.raises(TypeError):
        accuracy_vs_seconds({})
