"""Trace a model's train step once, not twice, on the TensorFlow backend.

Keras on TensorFlow defers building the optimizer's variables (Adam's moments, momentum
buffers) and the compiled metrics' variables into the first traced train step when no
distribution strategy is set. `tf.function` then traces that step twice: once while it
creates the variables and once more without them. The second trace costs 1-3 s per new
model on a 2-core CPU, whatever the data size, which is much of a quick-mode notebook's time
(chapter 07 trains about 25 models). Building both before the first `fit` removes it. The
numbers are unchanged: optimizer variables start at zero either way, and `fit` resets the
metrics that the one-example build touched.
"""

from __future__ import annotations

import functools

import keras

_ORIGINAL_FIT = keras.Model.fit


def build_before_fit(model, x=None, y=None) -> bool:
    """Build what ``fit`` would build inside its first trace: the optimizer and the metrics.

    Only for a built, compiled model with Keras's own ``train_step`` (a custom step may apply
    its optimizers to other variables). The metrics are built from the first example of
    ``x`` and ``y`` when both are single arrays, the inputs take any batch
    size and no layer is stateful (a forward pass would move a stateful RNN's state);
    otherwise only the optimizer.
    Returns True when it built something.
    """
    optimizer = getattr(model, "optimizer", None)
    if (
        optimizer is None
        or getattr(optimizer, "built", True)
        or not model.built
        or type(model).train_step is not keras.Model.train_step
        or not model.trainable_variables
    ):
        return False
    optimizer.build(model.trainable_variables)
    first_x, first_y = _first_example(x), _first_example(y)
    if first_x is not None and first_y is not None and _one_example_pass_is_safe(model):
        predicted = model(_as_model_inputs(model, first_x), training=False)
        model.compute_loss(x=first_x, y=first_y, y_pred=predicted, training=False)
        model.compute_metrics(first_x, first_y, predicted)
        model.reset_metrics()
    return True


def _as_model_inputs(model, first_x):
    """``first_x`` in the structure a functional model was built with (e.g. ``inputs=[x]``)."""
    if isinstance(model, keras.Sequential):
        return first_x
    try:
        structure = model.input
    except AttributeError:  # a subclassed model that has not been called yet
        return first_x
    if len(keras.tree.flatten(structure)) != 1:
        return first_x
    return keras.tree.pack_sequence_as(structure, [first_x])


def _one_example_pass_is_safe(model) -> bool:
    """True when a forward pass on one example changes nothing and fits the input shapes."""
    inputs = getattr(model, "inputs", None) or []
    return not _has_stateful_layer(model) and all(tensor.shape[0] is None for tensor in inputs)


def _has_stateful_layer(model) -> bool:
    """True when a layer of ``model`` (or of a model nested in it) keeps state between calls."""
    return any(
        getattr(layer, "stateful", False) or _has_stateful_layer(layer)
        for layer in getattr(model, "layers", ())
    )


def _first_example(data):
    """``data[:1]`` for one array (NumPy or tensor) with at least one example, else None.

    Lists and dicts of arrays (multi-input models) are left to Keras: a direct call may not
    match the structure that ``fit`` would give the model.
    """
    shape = getattr(data, "shape", None)
    if shape is None or len(shape) == 0 or not shape[0]:
        return None
    return data[:1]


@functools.wraps(_ORIGINAL_FIT)
def _fit_tracing_once(self, x=None, y=None, *args, **kwargs):
    build_before_fit(self, x, y)
    return _ORIGINAL_FIT(self, x, y, *args, **kwargs)


def install() -> None:
    """Make every ``keras.Model.fit`` build the optimizer first (TensorFlow backend only)."""
    if keras.backend.backend() == "tensorflow":
        keras.Model.fit = _fit_tracing_once


def uninstall() -> None:
    """Restore Keras's own ``fit``."""
    keras.Model.fit = _ORIGINAL_FIT
