"""cnnkit.scratch: the two-layer network, recurrent layers and optimizers vs Keras."""

import os

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from cnnkit import scratch  # noqa: E402
from cnnkit.autodiff import value_and_gradients  # noqa: E402

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison


@pytest.fixture
def float64():
    """Keras in float64 for the duration of a test (losses and optimizers included).

    Yields the factor by which comparisons scale their tolerance: 1 on TensorFlow, 1e4 (float32
    precision) on JAX, which stays in float32 unless its 64-bit types are on (not here: Keras's
    JAX recurrent layers then mix float32 and float64), and on PyTorch, where part of the
    path (the loss) is computed in float32.
    """
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(0)
    # JAX without 64-bit types computes in float32; Keras's PyTorch losses reduce in float32
    exact = keras.backend.backend() == "tensorflow"
    try:
        yield 1.0 if exact else 1e4
    finally:
        keras.config.set_floatx(previous)
        keras.backend.clear_session()


def keras_loss_and_gradients(loss_fn, model, x, y):
    """(loss, [dL/dW as NumPy]) with the active backend's own autodiff."""
    loss, gradients = value_and_gradients(lambda: loss_fn(y, model(x)), model.trainable_variables)
    return float(keras.ops.convert_to_numpy(loss)), [
        keras.ops.convert_to_numpy(gradient) for gradient in gradients
    ]


def _data(n=24, d=5, k=3, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d)), rng.integers(0, k, size=n)


# -------------------------------------------------------------------- network
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_network_forward_and_gradients_match_keras(activation, float64):
    X, y = _data()
    net = scratch.TwoLayerNetwork(5, 4, 3, activation=activation, seed=1)
    model = net.to_keras()
    np.testing.assert_allclose(net.forward(X), model.predict(X, verbose=0), rtol=1e-5, atol=1e-7)
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    loss, keras_grads = keras_loss_and_gradients(loss_fn, model, X, y)
    assert net.loss(X, y) == pytest.approx(loss, rel=1e-5)
    grads = net.backward(X, y)
    for name, expected in zip(scratch.TwoLayerNetwork.PARAMETER_NAMES, keras_grads, strict=True):
        np.testing.assert_allclose(grads[name], expected, rtol=1e-5, atol=1e-8)


def test_network_numerical_gradient_check():
    X, y = _data(n=6, d=3, k=3, seed=2)
    net = scratch.TwoLayerNetwork(3, 4, 3, activation="tanh", seed=3)
    analytic = net.backward(X, y)
    numeric = net.numerical_gradients(X, y)
    for name in analytic:
        np.testing.assert_allclose(analytic[name], numeric[name], rtol=1e-5, atol=1e-8)


def test_network_fit_matches_keras_sgd(float64):
    X, y = _data(n=32)
    net = scratch.TwoLayerNetwork(5, 6, 3, seed=4)
    model = net.to_keras()
    model.compile(
        optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="sparse_categorical_crossentropy"
    )
    keras_history = model.fit(X, y, epochs=3, batch_size=8, shuffle=False, verbose=0)
    history = net.fit(X, y, epochs=3, batch_size=8, learning_rate=0.1)
    for ours, theirs in zip(
        [net.params[k] for k in net.PARAMETER_NAMES], model.get_weights(), strict=True
    ):
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(history["loss"], keras_history.history["loss"], rtol=1e-5)
    assert history["loss"][-1] < history["loss"][0]


def test_network_fit_with_optimizer_and_bad_input():
    X, y = _data()
    net = scratch.TwoLayerNetwork(5, 8, 3)
    before = net.loss(X, y)
    net.fit(X, y, epochs=20, batch_size=6, optimizer=scratch.Adam(0.05))
    assert net.loss(X, y) < before
    assert net.predict(X).shape == (24,)
    with pytest.raises(ValueError, match="features"):
        net.forward(np.ones((2, 4)))
    with pytest.raises(ValueError, match="dimensions"):
        net.forward(np.ones(5))
    with pytest.raises(TypeError, match="integers"):
        net.loss(X, y.astype(float))
    with pytest.raises(ValueError, match="unknown activation"):
        scratch.TwoLayerNetwork(5, 4, 3, activation="softplusplus")
    with pytest.raises(RuntimeError, match="backward"):
        scratch.TwoLayerNetwork(5, 4, 3).step()


# ------------------------------------------------------------------ recurrent
def _random_weights(layer, rng):
    weights = [rng.normal(scale=0.5, size=w.shape) for w in layer.get_weights()]
    layer.set_weights(weights)
    return weights


@pytest.mark.parametrize("return_sequences", [True, False])
def test_simple_rnn_matches_keras(return_sequences, float64):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 6, 4))
    layer = keras.layers.SimpleRNN(5, return_sequences=return_sequences)
    layer(x)
    U, W, b = _random_weights(layer, rng)
    expected = keras.ops.convert_to_numpy(layer(x))
    out = scratch.simple_rnn_forward(x, U, W, b, return_sequences=return_sequences)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)
    single = scratch.simple_rnn_forward(x[0], U, W, b, return_sequences=return_sequences)
    np.testing.assert_allclose(single, expected[0], rtol=1e-5, atol=1e-7)
    h0 = rng.normal(size=(3, 5))
    np.testing.assert_allclose(
        scratch.simple_rnn_forward(x, U, W, b, initial_state=h0, return_sequences=return_sequences),
        keras.ops.convert_to_numpy(layer(x, initial_state=h0)),
        rtol=1e-5,
        atol=1e-7,
    )


def test_lstm_matches_keras(float64):
    rng = np.random.default_rng(6)
    x = rng.normal(size=(2, 5, 3))
    layer = keras.layers.LSTM(4, return_sequences=True, return_state=True)
    layer(x)
    kernel, recurrent, bias = _random_weights(layer, rng)
    seq, h, c = (keras.ops.convert_to_numpy(t) for t in layer(x))
    ours, our_h, our_c = scratch.lstm_forward(x, kernel, recurrent, bias, return_state=True)
    for a, b in ((ours, seq), (our_h, h), (our_c, c)):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_matches_keras(reset_after, float64):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 5, 3))
    layer = keras.layers.GRU(4, return_sequences=True, reset_after=reset_after)
    layer(x)
    kernel, recurrent, bias = _random_weights(layer, rng)
    expected = keras.ops.convert_to_numpy(layer(x))
    out = scratch.gru_forward(x, kernel, recurrent, bias, reset_after=reset_after)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-7)


def test_recurrent_bad_input():
    U, W = np.ones((3, 4)), np.ones((4, 4))
    with pytest.raises(ValueError, match="dimensions"):
        scratch.simple_rnn_forward(np.ones(3), U, W)
    with pytest.raises(ValueError, match="features"):
        scratch.simple_rnn_forward(np.ones((5, 2)), U, W)
    with pytest.raises(ValueError, match="recurrent_kernel"):
        scratch.simple_rnn_forward(np.ones((5, 3)), U, np.ones((3, 3)))
    with pytest.raises(ValueError, match="4 \\* units"):
        scratch.lstm_forward(np.ones((5, 3)), np.ones((3, 6)), np.ones((2, 8)))
    with pytest.raises(ValueError, match="bias must have shape"):
        scratch.gru_forward(np.ones((5, 3)), np.ones((3, 6)), np.ones((2, 6)), np.ones(6))


def _small_rnn_regressor(rng, steps=4, features=2, units=3):
    model = keras.Sequential(
        [
            keras.Input((steps, features)),
            keras.layers.SimpleRNN(units, name="rnn"),
            keras.layers.Dense(1, name="prediction"),
        ]
    )
    model.set_weights([rng.normal(scale=0.7, size=w.shape) for w in model.get_weights()])
    return model


def test_simple_rnn_bptt_matches_keras_gradient_tape(float64):
    rng = np.random.default_rng(11)
    x, y = rng.normal(size=(5, 4, 2)), rng.normal(size=5)
    model = _small_rnn_regressor(rng)
    U, W, b, V, c = model.get_weights()
    loss, gradients, per_step = scratch.simple_rnn_bptt(x, y, U, W, b, V, c)
    keras_loss, keras_gradients = keras_loss_and_gradients(
        keras.losses.MeanSquaredError(), model, x, y[:, None]
    )
    assert loss == pytest.approx(keras_loss, rel=1e-9 * float64)
    for name, expected in zip("UWbVc", keras_gradients, strict=True):
        np.testing.assert_allclose(
            gradients[name].reshape(expected.shape),
            expected,
            rtol=1e-7 * float64,
            atol=1e-10 * float64,
        )
    # the gradient of the shared W is the sum of one term per time step, none of them zero
    assert per_step.shape == (4, 3, 3)
    np.testing.assert_allclose(per_step.sum(axis=0), gradients["W"])
    assert np.all(np.abs(per_step[1:]).sum(axis=(1, 2)) > 0)
    np.testing.assert_allclose(per_step[0], 0)  # s_0 = 0: step 1 adds nothing to dL/dW
    with pytest.raises(ValueError, match="one target each"):
        scratch.simple_rnn_bptt(x, y[:3], U, W, b, V, c)
    with pytest.raises(ValueError, match=r"\(units, 1\)"):
        scratch.simple_rnn_bptt(x, y, U, W, b, np.ones((3, 2)), c)


def test_gradients_by_sgd_step_equal_the_gradient_tape_and_restore_the_weights(float64):
    from cnnkit.training.gradients import gradients_by_sgd_step

    rng = np.random.default_rng(12)
    x, y = rng.normal(size=(6, 4, 2)), rng.normal(size=6)
    model = _small_rnn_regressor(rng)
    before = model.get_weights()
    _, expected = keras_loss_and_gradients(keras.losses.MeanSquaredError(), model, x, y[:, None])
    ours = gradients_by_sgd_step(model, x, y, loss="mse")
    assert list(ours) == [w.path for w in model.trainable_weights]
    for gradient, reference in zip(ours.values(), expected, strict=True):
        np.testing.assert_allclose(gradient, reference, rtol=1e-6 * float64, atol=1e-9 * float64)
    for weight, original in zip(model.get_weights(), before, strict=True):
        np.testing.assert_array_equal(weight, original)


# ----------------------------------------------------------------- optimizers
OPTIMIZER_PAIRS = [
    (lambda: scratch.SGD(0.1), lambda: keras.optimizers.SGD(0.1)),
    (lambda: scratch.Momentum(0.1, 0.9), lambda: keras.optimizers.SGD(0.1, momentum=0.9)),
    (
        lambda: scratch.Nesterov(0.1, 0.9),
        lambda: keras.optimizers.SGD(0.1, momentum=0.9, nesterov=True),
    ),
    (lambda: scratch.AdaGrad(0.1), lambda: keras.optimizers.Adagrad(0.1)),
    (lambda: scratch.RMSProp(0.01), lambda: keras.optimizers.RMSprop(0.01)),
    (
        lambda: scratch.RMSProp(0.01, momentum=0.5, centered=True),
        lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    ),
    (lambda: scratch.Adam(0.01), lambda: keras.optimizers.Adam(0.01)),
    (lambda: scratch.Adam(0.01, amsgrad=True), lambda: keras.optimizers.Adam(0.01, amsgrad=True)),
]


@pytest.mark.parametrize(("ours", "theirs"), OPTIMIZER_PAIRS)
def test_optimizer_matches_keras(ours, theirs, float64):
    rng = np.random.default_rng(8)
    params = [rng.normal(size=(3, 4)), rng.normal(size=(4,))]
    variables = [keras.Variable(p.copy(), dtype="float64") for p in params]
    optimizer, keras_optimizer = ours(), theirs()
    for _ in range(5):
        grads = [rng.normal(scale=1e-3 if rng.random() < 0.3 else 1, size=p.shape) for p in params]
        optimizer.step(params, grads)
        tensors = [keras.ops.convert_to_tensor(g, dtype="float64") for g in grads]
        keras_optimizer.apply_gradients(zip(tensors, variables, strict=True))
        for p, v in zip(params, variables, strict=True):
            np.testing.assert_allclose(p, v.numpy(), rtol=1e-6 * float64, atol=1e-9 * float64)
    assert optimizer.iterations == 5


def test_optimizer_dict_params_and_errors():
    params = {"w": np.ones(3)}
    scratch.SGD(0.5).step(params, {"w": np.ones(3)})
    np.testing.assert_allclose(params["w"], 0.5)
    with pytest.raises(ValueError, match="same keys"):
        scratch.Adam().step(params, {"v": np.ones(3)})
    with pytest.raises(ValueError, match="shape"):
        scratch.Adam().step(params, {"w": np.ones(2)})
    with pytest.raises(ValueError, match="positive"):
        scratch.RMSProp(learning_rate=0)
    with pytest.raises(TypeError, match="float NumPy array"):
        scratch.SGD().step([[1.0, 2.0]], [[1.0, 1.0]])
