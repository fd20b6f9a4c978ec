"""Gradients on any Keras backend: TensorFlow, JAX or PyTorch, each with its own mechanism.

Keras 3 runs the same model code on three backends, but taking a gradient is the one thing each
backend does its own way (``tf.GradientTape``, ``jax.grad`` on a stateless call,
``torch.autograd.grad``). The course needs gradients to *look at* them (vanishing gradients,
backpropagation through time), so this module hides that one difference. It sits on the
ground floor (it imports only Keras and NumPy): the models' training steps and the training
helpers both use it.

    loss, grads = loss_gradients(model, loss_fn, x, y)   # dL/dW for every trainable variable
    dy_dx = input_gradients(model, x)                    # d(sum of outputs)/dx, shaped like x
    loss, grads = value_and_gradients(compute, weights)  # any zero-argument loss, for a custom
    optimizer.apply(grads, weights)                      # training step on every backend
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np

__all__ = [
    "apply_gradients",
    "backend_name",
    "input_gradients",
    "jax_stateless_step",
    "loss_gradients",
    "regroup",
    "step_on_any_backend",
    "value_and_gradients",
]


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


def value_and_gradients(compute: Callable, variables, *, has_aux: bool = False) -> tuple:
    """(value, [d value / d v for v in variables]) of ``compute()``, a scalar built from Keras calls.

    The gradients are tensors of the active backend, ready for ``optimizer.apply(grads, variables)``;
    this is the piece of a custom training step that each backend does its own way
    (``tf.GradientTape``, ``jax.value_and_grad``, ``torch.autograd.grad``). ``compute`` may read
    any variable; on JAX, what it assigns (batch-norm statistics) is written back afterwards.
    With ``has_aux=True``, ``compute()`` returns ``(value, aux)`` (tensors needed after the
    gradient, such as the logits) and the result is ``((value, aux), gradients)``, as in JAX.
    """
    variables = list(variables)
    if not variables:
        raise ValueError("value_and_gradients needs at least one variable to differentiate by.")
    backend = backend_name()
    if backend == "tensorflow":
        import tensorflow as tf

        with tf.GradientTape() as tape:
            result = compute()
        value = result[0] if has_aux else result
        return result, tape.gradient(value, variables)
    if backend == "torch":
        import torch

        result = compute()
        value = result[0] if has_aux else result
        gradients = torch.autograd.grad(value, [variable.value for variable in variables])
        detached = keras.tree.map_structure(
            lambda t: t.detach() if isinstance(t, torch.Tensor) else t, result
        )
        return detached, list(gradients)
    if backend == "jax":
        import jax

        # Inside jax_stateless_step: start from the step's values, and leave updates in its scope.
        outer = _OPEN_STEP_SCOPES[-1] if _OPEN_STEP_SCOPES else None
        known = dict(outer.state_mapping) if outer is not None else {}
        assigned = {}  # id -> variable that compute() assigned (batch-norm statistics, seeds)

        def value_of(values):
            with _RecordingScope(assigned) as scope:
                scope.state_mapping = dict(known)
                scope.state_mapping.update(
                    {id(v): value for v, value in zip(variables, values, strict=True)}
                )
                result = compute()
            value, aux = result if has_aux else (result, None)
            updates = {key: scope.state_mapping[key] for key in assigned}
            return value, (aux, updates)

        start = [known.get(id(variable), None) for variable in variables]
        start = [v.value if s is None else s for v, s in zip(variables, start, strict=True)]
        (value, (aux, updates)), gradients = jax.value_and_grad(value_of, has_aux=True)(start)
        for key, new_value in updates.items():
            if outer is not None:
                outer.state_mapping[key] = new_value
            else:
                assigned[key].assign(new_value)
        return ((value, aux) if has_aux else value), list(gradients)
    raise RuntimeError(
        f"gradients are not available on the {backend!r} backend"
    )  # pragma: no cover


def apply_gradients(optimizer, gradients, variables) -> None:
    """``optimizer.apply(gradients, variables)``, on PyTorch outside the autograd graph.

    Keras's own PyTorch training step applies the update under ``torch.no_grad()``: an update
    is not part of the next step's graph. TensorFlow and JAX need nothing extra.
    """
    if backend_name() == "torch":
        import torch

        with torch.no_grad():
            optimizer.apply(gradients, variables)
    else:
        optimizer.apply(gradients, variables)


#: The scopes of the jax_stateless_step calls in progress, innermost last: value_and_gradients
#: reads its starting values from the innermost (Keras has no public getter for the active scope).
_OPEN_STEP_SCOPES: list = []


def jax_stateless_step(model: keras.Model, stateful_step: Callable, state, data):
    """Run ``stateful_step(data) -> logs`` as JAX's stateless ``train_step(state, data)``.

    On JAX, ``fit`` calls ``train_step(state, data)`` with ``state`` = (trainable,
    non-trainable, optimizer, metrics values) and expects ``(logs, new_state)``; ``test_step``
    gets the same without the optimizer's values. Here the step
    written the TensorFlow/PyTorch way (assign, ``optimizer.apply``, ``metric.update_state``,
    gradients from :func:`value_and_gradients`) runs inside a ``keras.StatelessScope`` holding
    those values, and the scope's final values are the new state.
    """
    groups = [model.trainable_variables, model.non_trainable_variables]
    if len(state) == 4:  # a training step also carries the optimizer's variables
        groups.append(model.optimizer.variables)
    groups.append(model.metrics_variables)
    variables = [variable for group in groups for variable in group]
    values = [value for part in state for value in part]
    with keras.StatelessScope(state_mapping=list(zip(variables, values, strict=True))) as scope:
        _OPEN_STEP_SCOPES.append(scope)
        try:
            logs = stateful_step(data)
        finally:
            _OPEN_STEP_SCOPES.pop()
    return logs, regroup([scope.get_current_value(variable) for variable in variables], groups)


def step_on_any_backend(model: keras.Model, stateful_step: Callable, *args):
    """A ``train_step``/``test_step`` body written the TensorFlow/PyTorch way, on every backend:
    ``stateful_step(data)`` on TensorFlow and PyTorch; on JAX, where Keras passes
    ``(state, data)`` and expects ``(logs, new_state)``, through :func:`jax_stateless_step`."""
    if backend_name() == "jax":
        return jax_stateless_step(model, stateful_step, *args)
    return stateful_step(*args)


def regroup(values, groups) -> tuple[list, ...]:
    """Split the flat list ``values`` into consecutive lists as long as each of ``groups``.

    JAX's stateless ``train_step`` returns its new state grouped as it came in (trainable,
    non-trainable, optimizer, metrics values); the step works on one flat list of variables.
    """
    sizes = [len(group) for group in groups]
    if sum(sizes) != len(values):
        raise ValueError(
            f"regroup: {len(values)} values for groups of sizes {sizes} (sum {sum(sizes)})"
        )
    grouped, start = [], 0
    for size in sizes:
        grouped.append(list(values[start : start + size]))
        start += size
    return tuple(grouped)


class _RecordingScope(keras.StatelessScope):
    """A StatelessScope that also remembers which variables were assigned (JAX gradients)."""

    def __init__(self, assigned: dict):
        super().__init__()
        self.assigned = assigned

    def add_update(self, update):
        variable, _ = update
        self.assigned[id(variable)] = variable
        super().add_update(update)
