"""cnnkit.scratch: activations, softmax, losses and dropout, checked against Keras."""

import os
import subprocess
import sys

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from cnnkit import scratch  # noqa: E402

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison

RNG = np.random.default_rng(0)
H = np.array([1.0, -2.0, 3.0, -4.0, 7.0])


def test_import_does_not_load_tensorflow():
    code = (
        "import sys, cnnkit.scratch\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'heavy import'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_all_names_exported():
    for name in scratch.__all__:
        assert hasattr(scratch, name), name


# ---------------------------------------------------------------- activations
def test_syllabus_example_step_and_relu():
    np.testing.assert_array_equal(scratch.step(H), [1, 0, 1, 0, 1])
    np.testing.assert_array_equal(scratch.relu(H), [1, 0, 3, 0, 7])


def test_step_is_defined_once_as_z_at_least_0_everywhere():
    """step(z) = 1 if z >= 0 else 0: the scratch code, the exercise, the formula sheet, the
    glossary and chapter 01 all use the same convention (it only matters at z = 0)."""
    from pathlib import Path

    from cnnkit.exercises import ch01
    from cnnkit.review.glossary import glossary
    from cnnkit.review.reference import REVIEW_FORMULAS

    np.testing.assert_array_equal(scratch.step([-1e-9, 0.0, -0.0, 1e-9]), [0, 1, 1, 1])
    definition = "step(z) = 1 if z ≥ 0 else 0"
    assert definition in ch01.q4.statement + ch01.q4.explanation
    own_numbers = ch01.q4.given.H  # per-student numbers; the rule is what is checked
    assert ch01.q4.check([1 if h >= 0 else 0 for h in own_numbers]).status == "correct"
    assert definition in REVIEW_FORMULAS["step_relu"].text
    assert "≥ 0" in glossary("step function").entries[0].definition
    chapter = Path(__file__).resolve().parents[1] / "notebooks/src/01_nn_basics.py"
    assert "| $1$ if $z \\ge 0$ else $0$ |" in chapter.read_text(encoding="utf-8")


def test_softmax_has_the_largest_entropy_for_its_expected_score():
    """Maximum entropy: among distributions with sum p_i z_i = s, softmax(λz) wins, with λ
    fixed by s (λ = 1 for softmax(z)'s own expected score)."""
    z = np.array([2.0, 1.0, 0.1, 0.0])
    own = float(scratch.softmax(z) @ z)
    best, lam = scratch.max_entropy_distribution(z, own)
    assert lam == pytest.approx(1.0, abs=1e-8)
    np.testing.assert_allclose(best, scratch.softmax(z), atol=1e-9)
    for target in (0.3, own, 1.7):
        best, lam = scratch.max_entropy_distribution(z, target)
        assert best @ z == pytest.approx(target, abs=1e-9)
        np.testing.assert_allclose(best, scratch.softmax(lam * z))
        others = scratch.random_distributions_with_expected_score(z, target, 300, seed=1)
        np.testing.assert_allclose(others @ z, target, atol=1e-9)
        np.testing.assert_allclose(others.sum(axis=1), 1.0)
        assert (others >= 0).all()
        assert scratch.entropy(others).max() < scratch.entropy(best)
    assert scratch.entropy(np.full(4, 0.25)) == pytest.approx(np.log(4))
    assert scratch.entropy([1.0, 0.0]) == 0.0
    with pytest.raises(ValueError, match="between the smallest and largest"):
        scratch.max_entropy_distribution(z, 2.0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_activation_matches_keras(name):
    z = RNG.normal(scale=4, size=(6, 7))
    f, _ = scratch.get_activation(name)
    expected = keras.ops.convert_to_numpy(keras.activations.get(name)(z))
    np.testing.assert_allclose(f(z), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_derivative_matches_the_backends_gradient(name):
    from cnnkit.autodiff import value_and_gradients

    z = (RNG.normal(scale=3, size=(20,)) + 0.01).astype("float32")  # avoid the kink at 0
    variable = keras.Variable(z)
    # d(sum f(z))/dz_i = f'(z_i): one gradient gives every derivative
    _, (gradient,) = value_and_gradients(
        lambda: keras.ops.sum(keras.activations.get(name)(variable)), [variable]
    )
    _, df = scratch.get_activation(name)
    expected = keras.ops.convert_to_numpy(gradient)
    # float32 on every backend: 1 - tanh(z)^2 near saturation is good to about 2e-7 absolute
    np.testing.assert_allclose(df(z.astype("float64")), expected, rtol=1e-5, atol=1e-6)


def test_step_derivative_is_zero_and_sigmoid_saturates():
    assert not scratch.step_derivative(H).any()
    assert scratch.sigmoid_derivative(0.0) == pytest.approx(0.25)
    assert scratch.sigmoid_derivative(30.0) < 1e-12
    assert scratch.sigmoid(-1000.0) == 0.0  # no overflow warning


def test_leaky_relu_alpha():
    np.testing.assert_allclose(scratch.leaky_relu([-10.0, 2.0]), [-2.0, 2.0])
    np.testing.assert_allclose(scratch.leaky_relu([-10.0], alpha=0.01), [-0.1])


def test_unknown_activation():
    with pytest.raises(ValueError, match="unknown activation"):
        scratch.get_activation("swishy")
    with pytest.raises(TypeError, match="numbers"):
        scratch.relu(["a", "b"])


# -------------------------------------------------------------------- softmax
def test_softmax_matches_keras_and_sums_to_one():
    z = RNG.normal(scale=5, size=(4, 10))
    p = scratch.softmax(z)
    np.testing.assert_allclose(p, keras.ops.convert_to_numpy(keras.ops.softmax(z)), rtol=1e-6)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0)
    np.testing.assert_allclose(scratch.softmax(z, axis=0).sum(axis=0), 1.0)


def test_naive_softmax_overflows_where_stable_one_does_not():
    z = np.array([1000.0, 999.0, 0.0])
    assert np.isnan(scratch.naive_softmax(z)).any()
    np.testing.assert_allclose(scratch.softmax(z), [0.7310586, 0.2689414, 0.0], atol=1e-7)
    small = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(scratch.naive_softmax(small), scratch.softmax(small))


# --------------------------------------------------------------------- losses
def test_students_worked_example_log10_and_ln():
    y, p = [0, 1, 0], [0.05, 0.9, 0.05]
    assert scratch.categorical_cross_entropy(y, p, log_base=10) == pytest.approx(0.046, abs=5e-4)
    assert scratch.categorical_cross_entropy(y, p) == pytest.approx(0.105, abs=5e-4)
    keras_value = float(keras.losses.CategoricalCrossentropy()(np.array([y]), np.array([p])))
    assert scratch.categorical_cross_entropy(y, p) == pytest.approx(keras_value, rel=1e-5)


def _keras_loss(cls, y, p, **kwargs):
    return float(cls(**kwargs)(y, p))


def test_losses_match_keras():
    p = scratch.softmax(RNG.normal(size=(8, 5)))
    labels = RNG.integers(0, 5, size=8)
    onehot = np.eye(5)[labels]
    L = keras.losses
    assert scratch.categorical_cross_entropy(onehot, p) == pytest.approx(
        _keras_loss(L.CategoricalCrossentropy, onehot, p), rel=1e-5
    )
    assert scratch.sparse_categorical_cross_entropy(labels, p) == pytest.approx(
        _keras_loss(L.SparseCategoricalCrossentropy, labels, p), rel=1e-5
    )
    logits = RNG.normal(scale=3, size=(8, 5))
    assert scratch.categorical_cross_entropy_from_logits(onehot, logits) == pytest.approx(
        _keras_loss(L.CategoricalCrossentropy, onehot, logits, from_logits=True), rel=1e-5
    )
    assert scratch.sparse_categorical_cross_entropy_from_logits(labels, logits) == pytest.approx(
        _keras_loss(L.SparseCategoricalCrossentropy, labels, logits, from_logits=True), rel=1e-5
    )
    yb = RNG.integers(0, 2, size=(8, 3)).astype(float)
    pb = RNG.uniform(size=(8, 3))
    pb[0, 0] = 0.0  # clipped to 1e-7 like Keras, no inf
    assert scratch.binary_cross_entropy(yb, pb) == pytest.approx(
        _keras_loss(L.BinaryCrossentropy, yb, pb), rel=1e-5
    )
    zb = RNG.normal(scale=3, size=(8, 3))
    assert scratch.binary_cross_entropy_from_logits(yb, zb) == pytest.approx(
        _keras_loss(L.BinaryCrossentropy, yb, zb, from_logits=True), rel=1e-5
    )
    assert scratch.mean_squared_error(yb, pb) == pytest.approx(
        _keras_loss(L.MeanSquaredError, yb, pb), rel=1e-5
    )
    per_sample = scratch.categorical_cross_entropy(onehot, p, reduction="none")
    assert per_sample.shape == (8,)
    np.testing.assert_allclose(
        per_sample,
        keras.ops.convert_to_numpy(keras.losses.categorical_crossentropy(onehot, p)),
        rtol=1e-5,
    )


def test_loss_falls_as_prediction_nears_truth():
    y = [0, 0, 1]
    losses = [
        scratch.categorical_cross_entropy(y, [(1 - q) / 2, (1 - q) / 2, q]) for q in (0.2, 0.5, 0.9)
    ]
    assert losses[0] > losses[1] > losses[2] > 0


def test_loss_errors():
    with pytest.raises(ValueError, match="same shape"):
        scratch.categorical_cross_entropy([0, 1], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="lie in 0..2"):
        scratch.sparse_categorical_cross_entropy([3], [[0.2, 0.3, 0.5]])
    with pytest.raises(ValueError, match="reduction"):
        scratch.mean_squared_error([1.0], [2.0], reduction="avg")


# -------------------------------------------------------------------- dropout
def test_dropout_identity_at_inference_like_keras():
    x = RNG.normal(size=(5, 6)).astype("float32")
    layer = keras.layers.Dropout(0.5)
    np.testing.assert_array_equal(scratch.dropout(x, 0.5, training=False), x)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x, training=False)), x)


def test_dropout_training_scales_kept_values_like_keras():
    rate = 0.4
    x = RNG.uniform(1, 2, size=(200, 100)).astype("float32")
    out, mask = scratch.dropout(x, rate, training=True, rng=1, return_mask=True)
    np.testing.assert_allclose(out[mask], x[mask] / (1 - rate), rtol=1e-6)
    assert not out[~mask].any()
    ours_kept = mask.mean()
    keras_out = keras.ops.convert_to_numpy(keras.layers.Dropout(rate, seed=3)(x, training=True))
    keras_kept = keras_out != 0
    np.testing.assert_allclose(keras_out[keras_kept], x[keras_kept] / (1 - rate), rtol=1e-6)
    # both keep about 1 - rate of the units and preserve the mean (20,000 draws)
    for kept, result in ((ours_kept, out), (keras_kept.mean(), keras_out)):
        assert kept == pytest.approx(1 - rate, abs=0.02)
        assert result.mean() == pytest.approx(x.mean(), rel=0.03)


@pytest.mark.parametrize("rate", [-0.1, 1.0, 1.5])
def test_dropout_rate_out_of_range(rate):
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        scratch.dropout(np.ones(3), rate, training=True)


def test_dropout_rate_type():
    with pytest.raises(TypeError, match="rate"):
        scratch.dropout(np.ones(3), "0.5", training=True)
