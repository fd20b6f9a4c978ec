"""Small sequence models for chapter 05 and the gradient through time that explains them.

- :func:`recurrent_layer`: ``"rnn"``, ``"lstm"`` or ``"gru"`` -> the Keras layer class.
- :func:`row_classifier`: images read row by row (28 steps of 28 pixels) -> 10 classes.
- :func:`sequence_regressor`: one recurrent layer + Dense(1), for forecasting and the adding problem.
- :func:`dense_sequence_regressor`: the feed-forward baseline that sees the whole sequence flattened.
- :func:`input_gradient_norms`: ||dLoss/dx_t|| for every time step t (vanishing gradients, 梯度消失).
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf
from keras import layers

__all__ = [
    "RECURRENT_LAYERS",
    "dense_sequence_regressor",
    "input_gradient_norms",
    "recurrent_layer",
    "row_classifier",
    "sequence_regressor",
]

RECURRENT_LAYERS = {"rnn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU}
_NAMES = {"rnn": "SimpleRNN", "lstm": "LSTM", "gru": "GRU"}


def recurrent_layer(kind: str):
    """The Keras layer class for ``kind`` in {"rnn", "lstm", "gru"} (case-insensitive)."""
    key = str(kind).strip().lower().replace("simplernn", "rnn").replace("simple_rnn", "rnn")
    if key not in RECURRENT_LAYERS:
        raise ValueError(f"kind must be one of 'rnn', 'lstm', 'gru'; got {kind!r}.")
    return RECURRENT_LAYERS[key]


def _units(units):
    if isinstance(units, bool) or not isinstance(units, (int, np.integer)) or units < 1:
        raise ValueError(f"units must be a positive integer, got {units!r}.")
    return int(units)


def row_classifier(
    kind: str = "gru", units: int = 128, input_shape=(28, 28), classes: int = 10
) -> keras.Model:
    """Read an image one row per time step: (rows, columns) -> recurrent(units) -> Dense(classes, softmax).

    The last hidden state s_T summarises the whole image; only it reaches the classifier.
    """
    layer = recurrent_layer(kind)
    name = _NAMES[kind.lower()] if kind.lower() in _NAMES else layer.__name__
    return keras.Sequential(
        [
            keras.Input(tuple(input_shape), name="rows"),
            layer(_units(units), name=name.lower()),
            layers.Dense(classes, activation="softmax", name="classes"),
        ],
        name=f"{name.lower()}_row_classifier",
    )


def sequence_regressor(kind: str, units: int, steps: int | None, features: int = 1) -> keras.Model:
    """A recurrent layer reading ``steps`` x_t of ``features`` values, then Dense(1) on the last state.

    ``steps=None`` accepts sequences of any length: the same U, W, b serve every step.
    """
    layer = recurrent_layer(kind)
    return keras.Sequential(
        [
            keras.Input((steps, features), name="sequence"),
            layer(_units(units), name=kind.lower()),
            layers.Dense(1, name="prediction"),
        ],
        name=f"{kind.lower()}_regressor",
    )


def dense_sequence_regressor(steps: int, features: int = 1, hidden: int = 32) -> keras.Model:
    """Feed-forward baseline: the whole sequence flattened to steps·features inputs -> Dense(hidden) -> 1.

    It has no memory: it must see every step at once, and its first layer grows with the length.
    """
    return keras.Sequential(
        [
            keras.Input((steps, features), name="sequence"),
            layers.Flatten(name="flatten"),
            layers.Dense(_units(hidden), activation="relu", name="hidden"),
            layers.Dense(1, name="prediction"),
        ],
        name="dense_regressor",
    )


def input_gradient_norms(model, x, y, loss=None) -> np.ndarray:
    """||dLoss/dx_t|| averaged over the batch, for every time step t: shape (steps,).

    How much the loss still "feels" the input of step t. In a SimpleRNN the gradient reaching
    early steps is a product of many Jacobians W^T·diag(f') and shrinks geometrically
    (vanishing gradient); the gated cells of LSTM/GRU keep it alive.
    """
    loss = loss or keras.losses.MeanSquaredError()
    x = tf.convert_to_tensor(np.asarray(x, dtype=np.float32))
    y = tf.convert_to_tensor(np.asarray(y, dtype=np.float32).reshape(len(x), -1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        value = loss(y, model(x, training=False))
    gradient = tape.gradient(value, x).numpy()  # (batch, steps, features)
    return np.linalg.norm(gradient, axis=-1).mean(axis=0)
