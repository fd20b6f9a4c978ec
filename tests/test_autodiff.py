"""Gradients through cnnkit.autodiff equal the chain rule worked by hand, on any backend.

Run under each backend with KERAS_BACKEND=tensorflow|jax|torch; the numbers must agree.
"""

import keras
import numpy as np
import pytest

from cnnkit.autodiff import (
    backend_name,
    input_gradients,
    loss_gradients,
    value_and_gradients,
)

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison


def linear_model(weights, bias):
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(2, name="dense")(inputs)
    model = keras.Model(inputs, outputs)
    model.get_layer("dense").set_weights([weights, bias])
    return model


def test_loss_gradients_match_the_hand_derivation():
    rng = np.random.default_rng(0)
    weights, bias = rng.normal(size=(3, 2)), rng.normal(size=2)
    x, y = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    model = linear_model(weights, bias)
    loss, (grad_weights, grad_bias) = loss_gradients(model, keras.losses.MeanSquaredError(), x, y)
    prediction = x @ weights + bias
    residual = prediction - y  # L = mean((p - y)^2) over 4×2 entries, dL/dp = 2(p - y)/8
    np.testing.assert_allclose(loss, np.mean(residual**2), rtol=1e-5)
    np.testing.assert_allclose(grad_weights, x.T @ (2 * residual / 8), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(grad_bias, (2 * residual / 8).sum(axis=0), rtol=1e-4, atol=1e-6)


def test_input_gradients_of_a_linear_model_are_its_weights():
    rng = np.random.default_rng(1)
    weights, bias = rng.normal(size=(3, 2)), rng.normal(size=2)
    model = linear_model(weights, bias)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(
        input_gradients(model, x), np.tile(weights.sum(axis=1), (5, 1)), rtol=1e-5
    )
    np.testing.assert_allclose(
        input_gradients(model, x, output_index=1), np.tile(weights[:, 1], (5, 1)), rtol=1e-5
    )


def test_input_gradients_through_time_have_the_input_shape():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((20, 2)), keras.layers.SimpleRNN(4)])
    gradient = input_gradients(model, np.ones((3, 20, 2)))
    assert gradient.shape == (3, 20, 2)
    assert np.isfinite(gradient).all()


def test_backend_is_one_keras_knows():
    assert backend_name() in {"tensorflow", "jax", "torch"}


@pytest.mark.parametrize("batch_norm", [False, True])
def test_loss_gradients_cover_every_trainable_variable(batch_norm):
    layers = [keras.Input((4,)), keras.layers.Dense(3)]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization())
    model = keras.Sequential([*layers, keras.layers.Dense(2)])
    _, gradients = loss_gradients(
        model,
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        np.ones((6, 4)),
        np.zeros(6),
    )
    assert [g.shape for g in gradients] == [tuple(v.shape) for v in model.trainable_variables]


def test_value_and_gradients_match_the_hand_derivation_and_feed_an_optimizer():
    rng = np.random.default_rng(2)
    weights, bias = rng.normal(size=(3, 2)), rng.normal(size=2)
    x, y = rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(4, 2)).astype("float32")
    model = linear_model(weights, bias)
    y_tensor = keras.ops.convert_to_tensor(y)

    def loss_and_prediction():
        prediction = model(x)
        return keras.ops.mean((prediction - y_tensor) ** 2), prediction

    (loss, prediction), (grad_weights, grad_bias) = value_and_gradients(
        loss_and_prediction, model.trainable_variables, has_aux=True
    )
    residual = x @ weights + bias - y
    np.testing.assert_allclose(float(loss), np.mean(residual**2), rtol=1e-5)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(prediction), x @ weights + bias, rtol=1e-5
    )
    expected_w = x.T @ (2 * residual / 8)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(grad_weights), expected_w, rtol=1e-4, atol=1e-6
    )
    keras.optimizers.SGD(0.1).apply([grad_weights, grad_bias], model.trainable_variables)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(model.trainable_variables[0]),
        weights - 0.1 * expected_w,
        rtol=1e-4,
    )
    with pytest.raises(ValueError, match="at least one variable"):
        value_and_gradients(loss_and_prediction, [])


def test_value_and_gradients_keep_batch_norm_statistics_moving():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.BatchNormalization(momentum=0.5)])
    x = np.full((4, 3), 2.0, "float32")
    value_and_gradients(lambda: keras.ops.sum(model(x, training=True)), model.trainable_variables)
    moving_mean = keras.ops.convert_to_numpy(model.layers[0].moving_mean)
    np.testing.assert_allclose(moving_mean, [1.0, 1.0, 1.0], rtol=1e-6)  # 0.5·0 + 0.5·2
