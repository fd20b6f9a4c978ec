"""Generated sequence tasks, sequence-model builders and chapter 05's figures."""

import keras
import numpy as np
import pytest

from cnnkit import formulas
from cnnkit.datasets.sequences import (
    ADDING_BASELINE_MSE,
    adding_problem,
    forecasting_windows,
    image_rows,
    time_series,
)
from cnnkit.models import rnn
from cnnkit.plots import sequences as plots


def test_time_series_shape_determinism_and_trend():
    t, y = time_series(600, seed=3)
    assert t.shape == y.shape == (600,) and y.dtype == np.float32
    assert np.array_equal(y, time_series(600, seed=3)[1])
    assert not np.array_equal(y, time_series(600, seed=4)[1])
    _, clean = time_series(1000, noise=0.0, trend=0.01, period=50)
    assert clean[950:1000].mean() - clean[0:50].mean() == pytest.approx(9.5, abs=0.05)
    with pytest.raises(ValueError, match="noise"):
        time_series(100, noise=-1)


def test_forecasting_windows_pair_each_window_with_the_next_value():
    series = np.arange(10, dtype=np.float32)
    x, y = forecasting_windows(series, 3)
    assert x.shape == (7, 3, 1) and y.shape == (7,)
    assert x[0, :, 0].tolist() == [0, 1, 2] and y[0] == 3 and y[-1] == 9
    x, y = forecasting_windows(series, 3, horizon=2)
    assert y[0] == 4 and len(y) == 6
    with pytest.raises(ValueError, match="too short"):
        forecasting_windows(series, 10)


def test_adding_problem_marks_one_value_in_each_half_and_sums_them():
    x, y = adding_problem(200, 20, seed=1)
    assert x.shape == (200, 20, 2) and y.shape == (200,)
    markers = x[..., 1]
    assert (markers.sum(axis=1) == 2).all()
    assert (markers[:, :10].sum(axis=1) == 1).all() and (markers[:, 10:].sum(axis=1) == 1).all()
    np.testing.assert_allclose(y, (x[..., 0] * markers).sum(axis=1), rtol=1e-6)
    x2, y2 = adding_problem(200, 20, seed=1)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    large = adding_problem(20_000, 4, seed=0)[1]
    assert np.mean((large - 1.0) ** 2) == pytest.approx(ADDING_BASELINE_MSE, rel=0.05)


def test_image_rows_scales_and_keeps_rows_as_steps():
    images = np.random.default_rng(0).integers(0, 256, (5, 28, 28), dtype=np.uint8)
    rows = image_rows(images)
    assert rows.shape == (5, 28, 28) and rows.dtype == np.float32 and rows.max() <= 1
    np.testing.assert_allclose(rows[0, 3], images[0, 3] / 255.0)
    assert image_rows(images[..., None]).shape == (5, 28, 28)
    with pytest.raises(ValueError, match="shape"):
        image_rows(np.zeros((28, 28)))


@pytest.mark.parametrize(
    "kind, formula",
    [
        ("rnn", formulas.simple_rnn_params),
        ("lstm", formulas.lstm_params),
        ("gru", formulas.gru_params),
    ],
)
def test_builders_match_the_parameter_formulas(kind, formula):
    keras.backend.clear_session()
    model = rnn.row_classifier(kind, units=8)
    assert model.output_shape == (None, 10)
    assert model.count_params() == formula(28, 8) + formulas.dense_params(8, 10)
    regressor = rnn.sequence_regressor(kind, units=4, steps=None, features=2)
    assert regressor.count_params() == formula(2, 4) + 5
    for steps in (3, 11):  # weights shared through time: any length
        assert regressor(np.zeros((2, steps, 2), "float32")).shape == (2, 1)


def test_dense_baseline_grows_with_the_sequence_and_bad_kind_is_explained():
    small, large = rnn.dense_sequence_regressor(10), rnn.dense_sequence_regressor(100)
    assert large.count_params() - small.count_params() == 90 * 32
    with pytest.raises(ValueError, match="'rnn', 'lstm', 'gru'"):
        rnn.recurrent_layer("transformer")
    with pytest.raises(ValueError, match="units"):
        rnn.row_classifier("gru", units=0)


def test_gradient_norms_through_time_vanish_in_a_simple_rnn():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = adding_problem(64, 60, seed=0)
    norms = rnn.input_gradient_norms(rnn.sequence_regressor("rnn", 16, 60, 2), x, y)
    assert norms.shape == (60,) and np.all(np.isfinite(norms)) and norms[-1] > 0
    assert norms[0] < 1e-2 * norms[-1]  # 60 steps back, the gradient has all but vanished


def test_figures():
    fig = plots.unrolled_rnn(steps=3)
    assert len(fig.axes) == 2 and "U" in [text.get_text() for text in fig.axes[1].texts]
    with pytest.raises(ValueError, match="steps"):
        plots.unrolled_rnn(steps=0)
    fig = plots.hidden_state(np.zeros((28, 40)), image=np.zeros((28, 28)), units=16)
    assert fig.axes[1].images[0].get_array().shape == (16, 28)
    t, y = time_series(300)
    fig = plots.forecast(t, y, 250, {"model": y[250:]})
    assert len(fig.axes) == 2 and any(line.get_label() == "model" for line in fig.axes[1].lines)
    fig = plots.gradient_norms({"a": np.ones(5), "b": np.arange(1, 6)})
    assert [line.get_label() for line in fig.axes[0].lines] == ["a", "b"]
    fig = plots.adding_results({"RNN": {10: 0.01, 30: 0.17}, "GRU": {10: 0.0, 30: 0.0}}, 1 / 6)
    assert len(fig.axes[0].patches) == 4
