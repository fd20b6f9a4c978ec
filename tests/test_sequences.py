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
@pytest.mark.comparison
def test_builders_match_the_parameter_formulas(kind, formula):
    keras.backend.clear_session()
    model = rnn.row_classifier(kind=kind, units=8)
    assert model.output_shape == (None, 10)
    assert model.count_params() == formula(28, 8) + formulas.dense_params(8, 10)
    regressor = rnn.sequence_regressor((None, 2), kind=kind, units=4)
    assert regressor.count_params() == formula(2, 4) + 5
    for steps in (3, 11):  # weights shared through time: any length
        assert regressor(np.zeros((2, steps, 2), "float32")).shape == (2, 1)


def test_dense_baseline_grows_with_the_sequence_and_bad_kind_is_explained():
    small, large = rnn.dense_sequence_regressor((10, 1)), rnn.dense_sequence_regressor((100, 1))
    assert large.count_params() - small.count_params() == 90 * 32
    with pytest.raises(ValueError, match="'rnn', 'lstm', 'gru'"):
        rnn.recurrent_layer("transformer")
    with pytest.raises(ValueError, match="units"):
        rnn.row_classifier(units=0)


def test_gradient_norms_through_time_vanish_in_a_simple_rnn():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = adding_problem(64, 100, seed=0)
    norms = rnn.input_gradient_norms(rnn.sequence_regressor((100, 2), kind="rnn", units=16), x, y)
    assert norms.shape == (100,) and np.all(np.isfinite(norms)) and norms[-1] > 0
    # 100 steps back (chapter 05's length), the gradient has all but vanished; the ratio is
    # 1e-6 to 6e-4 over seeds 0-2 on TensorFlow, JAX and PyTorch (60 steps: up to 1.2e-2)
    assert norms[0] < 1e-2 * norms[-1]


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


def test_negation_reviews_differ_only_in_word_order():
    from cnnkit.datasets import reviews

    ids, labels = reviews.negation_reviews(400, seed=3)
    again, _ = reviews.negation_reviews(400, seed=3)
    np.testing.assert_array_equal(ids, again)
    assert ids.shape == (400, 20) and labels.sum() == 200
    texts = [reviews.decode(row) for row in ids]
    positive_words, negative_words = set(reviews.POSITIVE_WORDS), set(reviews.NEGATIVE_WORDS)
    for text, label in zip(texts, labels, strict=True):
        words = text.split()
        negated = words[words.index("not") + 1 :]
        negated = negated[1] if negated[0] == "a" else negated[0]  # "not a bad one"
        # exactly one positive and one negative word; the label is the class of the asserted one
        assert sum(w in positive_words for w in words) == 1
        assert sum(w in negative_words for w in words) == 1
        assert (negated in negative_words) == bool(label)
    # the bag of words carries no information about the label: same word frequencies per class
    vectors = reviews.multi_hot(ids)
    word_columns = [reviews.VOCABULARY.index(w) for w in ("not", "good", "bad")]
    for column in word_columns:
        positive_rate = vectors[labels == 1, column].mean()
        negative_rate = vectors[labels == 0, column].mean()
        assert abs(positive_rate - negative_rate) < 0.08
    praise = reviews.encode("the movie was good , not bad", length=10)
    pan = reviews.encode("the movie was bad , not good", length=10)
    assert praise[0] == 0 and not np.array_equal(praise, pan)
    np.testing.assert_array_equal(reviews.multi_hot(praise), reviews.multi_hot(pan))
    assert reviews.decode(praise) == "the movie was good , not bad"
    with pytest.raises(ValueError, match="unknown words"):
        reviews.encode("a masterpiece")
    with pytest.raises(ValueError, match="n_samples"):
        reviews.negation_reviews(0)


def test_review_models_and_gate_bias():
    keras.backend.clear_session()
    bag = rnn.bag_of_words_classifier((48,), hidden=8)
    assert bag.count_params() == formulas.dense_params(48, 8) + formulas.dense_params(8, 1)
    reader = rnn.review_reader(vocabulary_size=48, kind="gru", embedding=4, units=5)
    assert reader(np.array([[0, 0, 3, 4]])).shape == (1, 1)
    # padding is masked: left padding does not change the prediction
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(reader(np.array([[3, 4]]))),
        keras.ops.convert_to_numpy(reader(np.array([[0, 0, 3, 4]]))),
        atol=1e-6,
    )
    lstm = keras.layers.LSTM(3)
    lstm.build((None, 5, 2))
    rnn.set_gate_bias(lstm, 5.0)
    np.testing.assert_array_equal(lstm.get_weights()[2][3:6], 5.0)  # order i, f, c, o
    np.testing.assert_array_equal(lstm.get_weights()[2][:3], 0.0)
    gru = keras.layers.GRU(3)
    gru.build((None, 5, 2))
    rnn.set_gate_bias(gru, 4.0)
    bias = gru.get_weights()[2]
    assert bias[0, :3].tolist() == [4.0] * 3 and bias[1, :3].tolist() == [0.0] * 3
    with pytest.raises(TypeError, match="LSTM or a GRU"):
        rnn.set_gate_bias(keras.layers.SimpleRNN(3), 1.0)


def test_opened_gates_keep_the_gradient_through_time():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = adding_problem(32, 60, seed=0)
    shut = rnn.sequence_regressor((60, 2), kind="lstm", units=8)
    opened = rnn.sequence_regressor((60, 2), kind="lstm", units=8)
    opened.set_weights(shut.get_weights())
    rnn.set_gate_bias(opened.get_layer("lstm"), 5.0)
    shut_norms = rnn.input_gradient_norms(shut, x, y)
    open_norms = rnn.input_gradient_norms(opened, x, y)
    assert open_norms[0] / open_norms[-1] > 100 * shut_norms[0] / shut_norms[-1]


def test_exploding_rnn_has_a_huge_gradient_that_clipping_tames():
    from cnnkit.training.gradients import gradients_by_sgd_step

    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    x, y = adding_problem(64, 20, seed=0)
    gradient = gradients_by_sgd_step(rnn.exploding_rnn((20, 2), units=16), x, y)
    assert np.sqrt(sum((g.astype(float) ** 2).sum() for g in gradient.values())) > 100
    keras.utils.set_random_seed(0)
    model = rnn.exploding_rnn((20, 2), units=16)
    model.compile(optimizer=keras.optimizers.SGD(0.01, clipnorm=1.0), loss="mse")
    before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(x, y)
    for new, old in zip(model.get_weights(), before, strict=True):
        assert np.linalg.norm(new - old) <= 0.01 * 1.0 + 1e-6  # each step at most lr · clipnorm


def test_stateful_reader_carries_the_state_until_reset():
    from cnnkit.scratch import simple_rnn_forward

    keras.backend.clear_session()
    reader = rnn.stateful_reader((None, 2), units=3, batch_size=2)
    U, W, b = reader.get_layer("rnn").get_weights()
    x = np.random.default_rng(0).normal(size=(2, 6, 2)).astype("float32")
    rnn.read_chunk(reader, x[:, :3])
    np.testing.assert_allclose(
        rnn.read_chunk(reader, x[:, 3:]), simple_rnn_forward(x, U, W, b)[:, -1], atol=1e-5
    )
    fresh = simple_rnn_forward(x[:, :3], U, W, b)[:, -1]
    assert np.abs(rnn.read_chunk(reader, x[:, :3]) - fresh).max() > 1e-3
    rnn.reset_recurrent_states(reader)
    np.testing.assert_allclose(rnn.read_chunk(reader, x[:, :3]), fresh, atol=1e-5)


def test_new_figures():
    fig = plots.gradient_norms({"a": np.array([1e-4, 1e-2, 2.0])}, relative=True)
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), [5e-5, 5e-3, 1.0])
    fig = plots.loss_curves({"plain": [1.0, np.nan, np.nan], "clipped": [2.0, 0.5, 0.2]})
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert labels == ["plain", "plain: NaN", "clipped"]
    assert list(fig.axes[0].lines[1].get_xdata()) == [2, 3]


def test_figures_take_one_result_per_seed():
    fig = plots.adding_results(
        {"RNN": {10: [0.01, 0.03], 30: [0.15, 0.17]}, "GRU": {30: [0.0, 0.002]}}, 1 / 6
    )
    ax = fig.axes[0]
    heights = sorted(
        round(patch.get_height(), 4) for patch in ax.patches if np.isfinite(patch.get_height())
    )
    assert heights == [0.001, 0.02, 0.16]  # bars are the means over the seeds
    dots = [line for line in ax.lines if line.get_marker() == "."]
    assert sorted(len(line.get_xdata()) for line in dots) == [
        0,
        2,
        2,
        2,
    ]  # 3 bars + the legend entry
    runs = {"plain": [[1.0, np.nan], [2.0, np.nan]], "clipped": [[2.0, 0.5], [3.0, 0.4]]}
    fig = plots.loss_curves(runs)
    lines = fig.axes[0].lines
    assert [line.get_label() for line in lines if not line.get_label().startswith("_")] == [
        "plain",
        "plain: NaN",
        "clipped",
    ]
    assert len(lines) == 6  # two seeds per set-up, plus one NaN marker per broken seed
    assert lines[0].get_color() == lines[2].get_color() != lines[4].get_color()
    fig = plots.loss_curves({"clipped": [2.0, 0.5]}, baseline=(1 / 6, "constant"))
    baseline = fig.axes[0].lines[-1]
    assert baseline.get_label() == "constant (0.167)" and list(baseline.get_ydata()) == [1 / 6] * 2


@pytest.mark.comparison
def test_input_gradient_norms_equal_the_backends_gradient_of_the_mse():
    from cnnkit.autodiff import value_and_gradients

    keras.backend.clear_session()
    keras.utils.set_random_seed(1)
    x, y = adding_problem(8, 12, seed=1)
    model = rnn.sequence_regressor((12, 2), kind="gru", units=4)
    inputs = keras.Variable(np.asarray(x, dtype="float32"))
    _, (gradient,) = value_and_gradients(
        lambda: keras.losses.MeanSquaredError()(y[:, None], model(inputs)), [inputs]
    )
    gradient = keras.ops.convert_to_numpy(gradient)
    expected = np.linalg.norm(gradient, axis=-1).mean(axis=0)
    np.testing.assert_allclose(rnn.input_gradient_norms(model, x, y), expected, rtol=1e-4)
    with pytest.raises(ValueError, match="one output"):
        rnn.input_gradient_norms(rnn.row_classifier((12, 2), kind="gru", units=4), x, y)
