"""Gradients on any Keras backend: TensorFlow, JAX or PyTorch, each with its own mechanism.

Keras 3 runs the same model code on three backends, but taking a gradient is the one thing each
backend does its own way (``tf.GradientTape``, ``jax.grad`` on a stateless call,
``torch.autograd.grad``). The course needs gradients to *look at* them (vanishing gradients,
backpropagation through time), so this module hides that one difference:

    loss, grads = loss_gradients(model, loss_fn, x, y)   # dL/dW for every trainable variable
    dy_dx = input_gradients(model, x)                    # d(sum of outputs)/dx, shaped like x
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

__all__ = ["backend_name", "input_gradients", "loss_gradients"]


def backend_name() -> str:
    """'tensorflow', 'jax' or 'torch': the backend Keras was started with (KERAS_BACKEND)."""
    return keras.backend.backend()


def _as_float32(array) -> np.ndarray:
    return np.asarray(array, dtype="float32")


def loss_gradients(
    model: keras.Model, loss_fn: Callable, x, y, *, training: bool = True
) -> tuple[float, list[np.ndarray]]:
    """(L, [dL/dW for W in model.trainable_variables]) for one batch, as NumPy arrays.

    ``loss_fn(y_true, y_pred)`` is any Keras loss (``keras.losses.SparseCategoricalCrossentropy()``).
    """
    x = _as_float32(x)
    y = np.asarray(y)
    backend = backend_name()
    variables = model.trainable_variables
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=training))
        gradients = tape.gradient(loss, variables)
    elif backend == "jax":
        import jax

        trainable = [variable.value for variable in variables]
        non_trainable = [variable.value for variable in model.non_trainable_variables]

        def loss_of(trainable_values):
            outputs, _ = model.stateless_call(trainable_values, non_trainable, x, training=training)
            return loss_fn(y, outputs)

        loss, gradients = jax.value_and_grad(loss_of)(trainable)
    elif backend == "torch":
        import torch

        loss = loss_fn(keras.ops.convert_to_tensor(y), model(x, training=training))
        gradients = torch.autograd.grad(loss, [variable.value for variable in variables])
    else:  # pragma: no cover - Keras has no other backend that trains
        raise RuntimeError(f"gradients are not available on the {backend!r} backend")
    as_numpy = [np.asarray(keras.ops.convert_to_numpy(gradient)) for gradient in gradients]
    return float(keras.ops.convert_to_numpy(loss)), as_numpy


def input_gradients(model: keras.Model, x, *, output_index: int | None = None) -> np.ndarray:
    """d(sum of the model's outputs)/dx (or of output column ``output_index``), shaped like x.

    With a recurrent model and x of shape (batch, steps, features) this is the gradient that
    reaches each time step, the quantity that vanishes in a plain RNN.
    """
    x = _as_float32(x)

    def objective(outputs):
        if output_index is not None:
            outputs = outputs[..., output_index]
        return keras.ops.sum(outputs)

    backend = backend_name()
    if backend == "tensorflow":
        import tensorflow as tf

        inputs = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            value = objective(model(inputs, training=False))
        gradient = tape.gradient(value, inputs)
    elif backend == "jax":
        import jax

        trainable = [variable.value for variable in model.trainable_variables]
        non_trainable = [variable.value for variable in model.non_trainable_variables]

        def value_of(inputs):
            outputs, _ = model.stateless_call(trainable, non_trainable, inputs, training=False)
            return objective(outputs)

        gradient = jax.grad(value_of)(x)
    elif backend == "torch":
        import torch

        inputs = torch.tensor(x, requires_grad=True)
        value = objective(model(inputs, training=False))
        (gradient,) = torch.autograd.grad(value, [inputs])
    else:  # pragma: no cover
        raise RuntimeError(f"gradients are not available on the {backend!r} backend")
    return np.asarray(keras.ops.convert_to_numpy(gradient))
