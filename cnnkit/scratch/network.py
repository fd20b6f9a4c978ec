"""A two-layer network (两层神经网络) by hand: forward pass, cross-entropy, backpropagation, SGD.

    H = f(X @ W1 + b1)          hidden layer, activation f (ReLU by default)
    Y = H @ W2 + b2             logits
    P = softmax(Y)              class probabilities
    J = mean_n -log P[n, y_n]   sparse categorical cross-entropy

Backpropagation (反向传播), with one-hot labels T and N samples:

    dJ/dY  = (P - T) / N        softmax + cross-entropy together
    dJ/dW2 = H^T @ dJ/dY,       dJ/db2 = sum_n dJ/dY
    dJ/dH  = dJ/dY @ W2^T,      dJ/dZ1 = dJ/dH * f'(X @ W1 + b1)
    dJ/dW1 = X^T @ dJ/dZ1,      dJ/db1 = sum_n dJ/dZ1

:meth:`TwoLayerNetwork.to_keras` builds the same network in Keras with the same weights, so a
notebook (and the tests) can check every number against the framework.
"""

from __future__ import annotations

import numpy as np

from cnnkit.scratch._checks import as_float_array, check_ndim, positive_int
from cnnkit.scratch.activations import get_activation
from cnnkit.scratch.softmax import log_softmax, softmax


class TwoLayerNetwork:
    """Dense(n_hidden, activation) -> Dense(n_outputs, softmax), weights in float64.

    Weights start like Keras's ``Dense`` defaults: Glorot-uniform kernels, drawn from
    U(-l, l) with l = sqrt(6 / (fan_in + fan_out)), and zero biases (NumPy's generator with
    ``seed``, so not the same draws as Keras).
    """

    PARAMETER_NAMES = ("W1", "b1", "W2", "b2")

    def __init__(self, n_inputs: int, n_hidden: int, n_outputs: int, activation="relu", seed=0):
        self.n_inputs = positive_int(n_inputs, "n_inputs")
        self.n_hidden = positive_int(n_hidden, "n_hidden")
        self.n_outputs = positive_int(n_outputs, "n_outputs")
        if self.n_outputs < 2:
            raise ValueError("n_outputs must be at least 2 classes for a softmax output")
        self.activation = activation
        self._f, self._df = get_activation(activation)
        rng = np.random.default_rng(seed)

        def glorot(fan_in, fan_out):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            return rng.uniform(-limit, limit, size=(fan_in, fan_out))

        self.params = {
            "W1": glorot(self.n_inputs, self.n_hidden),
            "b1": np.zeros(self.n_hidden),
            "W2": glorot(self.n_hidden, self.n_outputs),
            "b2": np.zeros(self.n_outputs),
        }
        self.grads: dict | None = None
        self._cache: dict = {}

    # ----------------------------------------------------------------- checks
    def _check_x(self, X):
        X = as_float_array(X, "X").astype(np.float64, copy=False)
        check_ndim(X, (2,), "X", "(samples, features)")
        if X.shape[1] != self.n_inputs:
            raise ValueError(
                f"X has {X.shape[1]} features per sample, the network expects {self.n_inputs}"
            )
        return X

    def _check_labels(self, labels, n):
        labels = np.asarray(labels)
        if labels.shape == (n, 1):
            labels = labels[:, 0]
        if labels.shape != (n,):
            raise ValueError(
                f"labels must be {n} integer class indices, shape ({n},), got {labels.shape}"
            )
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError(
                f"labels must be integers 0..{self.n_outputs - 1}, got dtype {labels.dtype}"
            )
        if labels.size and (labels.min() < 0 or labels.max() >= self.n_outputs):
            raise ValueError(f"labels must lie in 0..{self.n_outputs - 1}")
        return labels

    # ---------------------------------------------------------------- forward
    def forward(self, X):
        """Class probabilities P = softmax(f(X W1 + b1) W2 + b2), shape (samples, n_outputs)."""
        X = self._check_x(X)
        p = self.params
        Z1 = X @ p["W1"] + p["b1"]
        H = self._f(Z1)
        logits = H @ p["W2"] + p["b2"]
        self._cache = {"X": X, "Z1": Z1, "H": H, "logits": logits}
        return softmax(logits)

    def predict(self, X):
        """The most probable class of each sample."""
        return np.argmax(self.forward(X), axis=1)

    def loss(self, X, labels):
        """Mean cross-entropy J = mean_n -ln P[n, y_n] (computed from the logits, stably)."""
        self.forward(X)
        logits = self._cache["logits"]
        labels = self._check_labels(labels, logits.shape[0])
        return float(-np.mean(log_softmax(logits)[np.arange(len(labels)), labels]))

    # --------------------------------------------------------------- backward
    def backward(self, X, labels):
        """Gradients of :meth:`loss` for every parameter, a dict like ``params`` (also kept as ``grads``)."""
        P = self.forward(X)
        c = self._cache
        labels = self._check_labels(labels, P.shape[0])
        n = P.shape[0]
        T = np.eye(self.n_outputs)[labels]
        d_logits = (P - T) / n
        d_H = d_logits @ self.params["W2"].T
        d_Z1 = d_H * self._df(c["Z1"])
        self.grads = {
            "W1": c["X"].T @ d_Z1,
            "b1": d_Z1.sum(axis=0),
            "W2": c["H"].T @ d_logits,
            "b2": d_logits.sum(axis=0),
        }
        return self.grads

    def numerical_gradients(self, X, labels, epsilon: float = 1e-6):
        """Central differences (J(w + eps) - J(w - eps)) / (2 eps) for every weight: slow, for checking."""
        grads = {}
        for name, param in self.params.items():
            g = np.zeros_like(param)
            for index in np.ndindex(param.shape):
                saved = param[index]
                param[index] = saved + epsilon
                up = self.loss(X, labels)
                param[index] = saved - epsilon
                down = self.loss(X, labels)
                param[index] = saved
                g[index] = (up - down) / (2 * epsilon)
            grads[name] = g
        return grads

    # --------------------------------------------------------------- training
    def step(self, learning_rate: float = 0.1, optimizer=None):
        """One update with the last gradients: w <- w - lr * dJ/dw, or ``optimizer.step``."""
        if self.grads is None:
            raise RuntimeError("call backward(X, labels) before step()")
        if optimizer is not None:
            optimizer.step(self.params, self.grads)
        else:
            for name in self.PARAMETER_NAMES:
                self.params[name] -= learning_rate * self.grads[name]

    def fit(
        self,
        X,
        y,
        epochs: int = 10,
        batch_size: int = 32,
        learning_rate: float = 0.1,
        optimizer=None,
        shuffle: bool = False,
        seed=None,
    ):
        """Mini-batch gradient descent; returns ``{"loss": [...]}``, one mean batch loss per epoch.

        Batches are taken in order (``shuffle=False``), as ``model.fit(..., shuffle=False)``
        does; the last batch may be smaller. Each epoch's loss is the mean over its batches
        weighted by batch size, measured before each batch's update (as Keras reports it).
        """
        X = self._check_x(X)
        y = self._check_labels(y, X.shape[0])
        epochs = positive_int(epochs, "epochs")
        batch_size = positive_int(batch_size, "batch_size")
        rng = np.random.default_rng(seed)
        history = {"loss": []}
        for _ in range(epochs):
            order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
            total = 0.0
            for start in range(0, len(X), batch_size):
                batch = order[start : start + batch_size]
                total += self.loss(X[batch], y[batch]) * len(batch)
                self.backward(X[batch], y[batch])
                self.step(learning_rate, optimizer)
            history["loss"].append(total / len(X))
        return history

    # ------------------------------------------------------------------ keras
    def to_keras(self, dtype=None):
        """The same network as a ``keras.Sequential`` with a copy of these weights.

        ``dtype`` (e.g. "float64") sets the layers' dtype; None uses Keras's floatx.
        On JAX, asking for float64 switches on JAX's 64-bit types (``jax_enable_x64``).
        """
        import keras

        if dtype is not None and "64" in str(dtype) and keras.backend.backend() == "jax":
            import jax

            # JAX silently computes in 32 bits unless 64-bit types are on, and the switch is
            # process-wide (JAX has no per-model one). Models left at Keras's float32 default
            # are unaffected: their layers cast inputs and weights to float32.
            jax.config.update("jax_enable_x64", True)
        if self.activation == "step":
            raise ValueError(
                "Keras has no step activation (it has no useful gradient); use another one"
            )
        model = keras.Sequential(
            [
                keras.Input(shape=(self.n_inputs,), dtype=dtype),
                keras.layers.Dense(self.n_hidden, activation=self.activation, dtype=dtype),
                keras.layers.Dense(self.n_outputs, activation="softmax", dtype=dtype),
            ]
        )
        model.set_weights([self.params[name] for name in self.PARAMETER_NAMES])
        return model
