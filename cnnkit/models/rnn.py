"""Small sequence models for chapter 05 and the gradient through time that explains them.

- :func:`recurrent_layer`: ``"rnn"``, ``"lstm"`` or ``"gru"`` -> the Keras layer class.
- :func:`row_classifier`: images read row by row (28 steps of 28 pixels) -> 10 classes.
- :func:`sequence_regressor`: one recurrent layer + Dense(1), for forecasting and the adding problem.
- :func:`dense_sequence_regressor`: the feed-forward baseline that sees the whole sequence flattened.
- :func:`input_gradient_norms`: ||dLoss/dx_t|| for every time step t (vanishing gradients, 梯度消失).
- :func:`set_gate_bias`: open the LSTM's forget gate or the GRU's update gate at initialisation.
- :func:`exploding_rnn`: a SimpleRNN whose gradient explodes (梯度爆炸), for gradient clipping.
- :func:`bag_of_words_classifier` / :func:`review_reader`: a review as one multi-hot vector vs read in order.
- :func:`stateful_reader` / :func:`reset_recurrent_states`: state carried across batches, and its reset.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers

from cnnkit.validation import check_int

__all__ = [
    "RECURRENT_LAYERS",
    "dense_sequence_regressor",
    "input_gradient_norms",
    "bag_of_words_classifier",
    "exploding_rnn",
    "recurrent_layer",
    "read_chunk",
    "reset_recurrent_states",
    "review_reader",
    "row_classifier",
    "sequence_regressor",
    "set_gate_bias",
    "stateful_reader",
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
    return check_int("units", units, 1)


def _sequence_shape(input_shape):
    """``(steps, features)``: steps a positive int or None (any length), features a positive int."""
    shape = tuple(input_shape)
    if len(shape) != 2:
        raise ValueError(
            f"a sequence model's input_shape is (steps, features), e.g. (None, 1); got {input_shape!r}"
        )
    steps, features = shape
    if steps is not None:
        check_int("steps (input_shape[0])", steps, 1)
    check_int("features (input_shape[1])", features, 1)
    return shape


def row_classifier(
    input_shape=(28, 28), classes: int = 10, *, kind: str = "gru", units: int = 128
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


def sequence_regressor(
    input_shape=(None, 1), *, kind: str = "lstm", units: int = 32
) -> keras.Model:
    """A recurrent layer reading ``input_shape = (steps, features)``: ``steps`` inputs x_t of
    ``features`` values each, then Dense(1) on the last state (a regression: no classes).

    ``steps=None`` accepts sequences of any length: the same U, W, b serve every step.
    """
    layer = recurrent_layer(kind)
    return keras.Sequential(
        [
            keras.Input(_sequence_shape(input_shape), name="sequence"),
            layer(_units(units), name=kind.lower()),
            layers.Dense(1, name="prediction"),
        ],
        name=f"{kind.lower()}_regressor",
    )


def dense_sequence_regressor(input_shape=(20, 1), *, hidden: int = 32) -> keras.Model:
    """Feed-forward baseline: the whole sequence ``input_shape = (steps, features)`` flattened to
    steps·features inputs -> Dense(hidden) -> 1.

    It has no memory: it must see every step at once, and its first layer grows with the length.
    """
    if _sequence_shape(input_shape)[0] is None:
        raise ValueError(
            "dense_sequence_regressor needs a fixed number of steps (its first layer has one "
            f"weight per step); got input_shape={input_shape!r}. Pass (steps, features)."
        )
    return keras.Sequential(
        [
            keras.Input(_sequence_shape(input_shape), name="sequence"),
            layers.Flatten(name="flatten"),
            layers.Dense(_units(hidden), activation="relu", name="hidden"),
            layers.Dense(1, name="prediction"),
        ],
        name="dense_regressor",
    )


def input_gradient_norms(model, x, y) -> np.ndarray:
    """||dL/dx_t|| averaged over the batch, for every time step t: shape (steps,).

    L = mean_n (ŷ_n - y_n)² (MSE) of a model with one output. How much the loss still "feels"
    the input of step t. In a SimpleRNN the gradient reaching step t is a product of T - t
    Jacobians W^T·diag(f'); when they shrink it, it vanishes geometrically. Chain rule, one
    sample at a time: dL/dx_n = dL/dŷ_n · dŷ_n/dx_n with dL/dŷ_n = 2(ŷ_n - y_n)/N, and
    dŷ_n/dx_n from :func:`cnnkit.autodiff.input_gradients` (any Keras backend).
    """
    from cnnkit.autodiff import input_gradients

    x = np.asarray(x, dtype=np.float32)
    y = np.asarray(y, dtype=np.float32).reshape(len(x), -1)
    prediction = keras.ops.convert_to_numpy(model(x, training=False))
    if prediction.shape[-1] != 1 or y.shape[-1] != 1:
        raise ValueError(
            f"input_gradient_norms needs a model with one output and one target per sequence; "
            f"got outputs of shape {prediction.shape} and targets of shape {y.shape}."
        )
    d_prediction = 2.0 * (prediction[:, 0] - y[:, 0]) / len(x)  # dL/dŷ_n
    gradient = d_prediction[:, None, None] * input_gradients(model, x)  # (batch, steps, features)
    return np.linalg.norm(gradient, axis=-1).mean(axis=0)


def set_gate_bias(layer, value: float = 5.0):
    """Open the gate that carries the memory: the LSTM's forget gate f or the GRU's update gate z.

    LSTM: c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t, f_t = σ(... + b_f). With b_f = 5, f_t ≈ σ(5) ≈ 0.993.
    GRU:  h_t = z_t ⊙ h_{t-1} + (1 - z_t) ⊙ h̃_t, z_t = σ(... + b_z); b_z = 5 gives z_t ≈ 0.993.
    Either way the state, and the gradient flowing back through it, is multiplied by ≈ 1 per step.
    Keras orders the bias columns (i, f, c, o) for the LSTM and (z, r, h) for the GRU.
    """
    if not isinstance(layer, (layers.LSTM, layers.GRU)):
        raise TypeError(f"set_gate_bias needs an LSTM or a GRU layer, got {type(layer).__name__}.")
    weights = layer.get_weights()
    units = layer.units
    bias = weights[-1]
    if isinstance(layer, layers.LSTM):
        bias[units : 2 * units] = value  # forget gate block
    elif bias.ndim == 2:  # GRU reset_after=True: row 0 input bias, row 1 recurrent bias
        bias[0, :units], bias[1, :units] = value, 0.0  # GRU update gate block
    else:
        bias[:units] = value  # GRU update gate block
    layer.set_weights(weights)
    return layer


def exploding_rnn(input_shape=(None, 2), *, units: int = 32, gain: float = 2.0) -> keras.Model:
    """A SimpleRNN whose gradient explodes (梯度爆炸): ReLU and recurrent weights W = gain · orthogonal.

    Backwards, every step multiplies the gradient by W^T·diag(relu'), and an orthogonal matrix
    times ``gain`` = 2 stretches vectors by 2: over T steps up to 2^T.
    """
    return keras.Sequential(
        [
            keras.Input(_sequence_shape(input_shape), name="sequence"),
            layers.SimpleRNN(
                _units(units),
                activation="relu",
                recurrent_initializer=keras.initializers.Orthogonal(gain=gain),
                name="rnn",
            ),
            layers.Dense(1, name="prediction"),
        ],
        name="exploding_rnn",
    )


def bag_of_words_classifier(input_shape=(10_000,), *, hidden: int = 32) -> keras.Model:
    """Feed-forward: the review as ONE multi-hot vector (which words occur), Dense -> P(positive).

    ``input_shape = (vocabulary size,)``: one entry per vocabulary word; the order of the words
    is gone. One sigmoid output (positive or not), so no ``classes``.
    """
    return keras.Sequential(
        [
            keras.Input(tuple(input_shape), name="multi_hot"),
            layers.Dense(_units(hidden), activation="relu", name="hidden"),
            layers.Dense(1, activation="sigmoid", name="positive"),
        ],
        name="bag_of_words",
    )


def review_reader(
    input_shape=(None,),
    *,
    vocabulary_size: int = 10_000,
    kind: str = "gru",
    embedding: int = 16,
    units: int = 32,
):
    """Recurrent: word ids -> Embedding (a vector per word) -> LSTM/GRU reading in order -> P(positive).

    ``input_shape = (words,)`` (None: any length); ids are below ``vocabulary_size``.
    ``mask_zero=True``: id 0 is padding, and the recurrent layer skips those steps.
    """
    layer = recurrent_layer(kind)
    return keras.Sequential(
        [
            keras.Input(tuple(input_shape), dtype="int32", name="word_ids"),
            layers.Embedding(vocabulary_size, embedding, mask_zero=True, name="embedding"),
            layer(_units(units), name="reader"),
            layers.Dense(1, activation="sigmoid", name="positive"),
        ],
        name=f"{kind.lower()}_reader",
    )


def stateful_reader(input_shape=(None, 1), *, units: int = 4, batch_size: int = 1) -> keras.Model:
    """A SimpleRNN with ``stateful=True``: the last state of one batch is the first of the next.

    Sample i of each batch continues sample i of the previous batch, so the batch size is fixed.
    The state stays until :func:`reset_recurrent_states` is called.
    """
    return keras.Sequential(
        [
            keras.Input(_sequence_shape(input_shape), batch_size=batch_size, name="chunk"),
            layers.SimpleRNN(_units(units), stateful=True, name="rnn"),
        ],
        name="stateful_reader",
    )


def read_chunk(model: keras.Model, chunk) -> np.ndarray:
    """Feed one chunk of steps to a stateful model and return its output as NumPy.

    A direct call keeps the state on every backend (``predict_on_batch`` does not on JAX,
    whose compiled prediction step leaves the state variables unchanged).
    """
    return keras.ops.convert_to_numpy(model(np.asarray(chunk, dtype="float32"), training=False))


def reset_recurrent_states(model: keras.Model) -> None:
    """Set the state of every stateful recurrent layer back to zeros: s_0 = 0 for a new sequence.

    Keras 3 has ``layer.reset_states()`` on recurrent layers, and no ``model.reset_states()``.
    """
    for layer in model.layers:
        if getattr(layer, "stateful", False):
            layer.reset_states()
