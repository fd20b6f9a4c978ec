"""Optimizers (优化算法) with Keras 3's exact update rules, in NumPy.

Each optimizer keeps its state (momenta, accumulators) per parameter and updates the
parameter arrays in place::

    opt = Adam(learning_rate=0.001)
    opt.step(params, grads)     # params, grads: dicts with the same keys, or lists in the same order

The formulas below are those of ``keras.optimizers`` (Keras 3 ``update_step``), including
where epsilon goes, which differs between optimizers. g is the gradient, lr the learning rate.
"""

from __future__ import annotations

import numpy as np

from cnnkit.validation import check_real


class Optimizer:
    """Base class: ``step(params, grads)`` calls ``_update(key, param, grad)`` for each pair."""

    def __init__(self, learning_rate: float):
        self.learning_rate = check_real(
            "learning_rate", learning_rate, 0, include_boundaries="neither"
        )
        self.iterations = 0  # number of completed steps, Keras's optimizer.iterations
        self.state: dict = {}

    def step(self, params, grads):
        """Apply one update to every parameter (in place) and return ``params``."""
        if isinstance(params, dict):
            if not isinstance(grads, dict) or set(grads) != set(params):
                raise ValueError("grads must be a dict with the same keys as params")
            pairs = [(key, params[key], grads[key]) for key in params]
        else:
            if isinstance(grads, dict) or len(grads) != len(params):
                raise ValueError(
                    f"grads must be a list as long as params ({len(params)}), one gradient per parameter"
                )
            pairs = list(zip(range(len(params)), params, grads, strict=True))
        for key, param, grad in pairs:
            if not isinstance(param, np.ndarray) or not np.issubdtype(param.dtype, np.floating):
                raise TypeError(f"parameter {key!r} must be a float NumPy array (updated in place)")
            grad = np.asarray(grad, dtype=param.dtype)
            if grad.shape != param.shape:
                raise ValueError(
                    f"gradient of {key!r} has shape {grad.shape}, its parameter {param.shape}"
                )
            param -= self._update(key, param, grad)
        self.iterations += 1
        return params

    def _slot(self, name, key, param, initial=0.0):
        """The state array ``name`` of parameter ``key`` (created as ``initial`` on first use)."""
        return self.state.setdefault((name, key), np.full_like(param, initial))

    def _update(self, key, param, grad):  # pragma: no cover - abstract
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (``keras.optimizers.SGD``).

    momentum = 0:  w <- w - lr * g
    momentum > 0:  v <- momentum * v - lr * g;  w <- w + v
    nesterov:      v <- momentum * v - lr * g;  w <- w + momentum * v - lr * g
    (v starts at 0.)
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        super().__init__(learning_rate)
        self.momentum = check_real("momentum", momentum, 0, 1)
        self.nesterov = bool(nesterov)

    def _update(self, key, param, grad):
        lr = self.learning_rate
        if self.momentum == 0:
            return lr * grad
        v = self._slot("velocity", key, param)
        v[...] = self.momentum * v - lr * grad
        if self.nesterov:
            return -(self.momentum * v - lr * grad)
        return -v


class Momentum(SGD):
    """SGD with (heavy-ball) momentum: v <- mu v - lr g; w <- w + v (``SGD(momentum=0.9)``)."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9):
        super().__init__(learning_rate, momentum=momentum, nesterov=False)


class Nesterov(SGD):
    """Nesterov accelerated momentum, Keras's form: v <- mu v - lr g; w <- w + mu v - lr g."""

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.9):
        super().__init__(learning_rate, momentum=momentum, nesterov=True)


class AdaGrad(Optimizer):
    """AdaGrad (``keras.optimizers.Adagrad``): a per-weight rate that shrinks as gradients add up.

    a <- a + g^2   (a starts at initial_accumulator_value = 0.1, not 0)
    w <- w - lr * g / sqrt(a + epsilon)      (epsilon inside the square root)
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
    ):
        super().__init__(learning_rate)
        self.initial_accumulator_value = float(initial_accumulator_value)
        self.epsilon = float(epsilon)

    def _update(self, key, param, grad):
        a = self._slot("accumulator", key, param, self.initial_accumulator_value)
        a += grad * grad
        return self.learning_rate * grad / np.sqrt(a + self.epsilon)


class RMSProp(Optimizer):
    """RMSProp (``keras.optimizers.RMSprop``): a running mean of g^2 instead of AdaGrad's sum.

    v <- rho v + (1 - rho) g^2                     (v starts at 0)
    centered: m <- rho m + (1 - rho) g; denominator = v - m^2 + epsilon, else v + epsilon
    increment = lr * g / sqrt(denominator)         (epsilon inside the square root)
    momentum > 0: u <- momentum u + increment; w <- w - u, else w <- w - increment
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
    ):
        super().__init__(learning_rate)
        self.rho = float(rho)
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.centered = bool(centered)

    def _update(self, key, param, grad):
        rho = self.rho
        v = self._slot("velocity", key, param)
        v[...] = rho * v + (1 - rho) * grad * grad
        if self.centered:
            m = self._slot("average_gradient", key, param)
            m[...] = rho * m + (1 - rho) * grad
            denominator = v - m * m + self.epsilon
        else:
            denominator = v + self.epsilon
        increment = self.learning_rate * grad / np.sqrt(denominator)
        if self.momentum > 0:
            u = self._slot("momentum", key, param)
            u[...] = self.momentum * u + increment
            return u.copy()
        return increment


class Adam(Optimizer):
    """Adam (``keras.optimizers.Adam``): momentum on g plus RMSProp's scaling, bias-corrected.

    m <- m + (1 - beta_1)(g - m),  v <- v + (1 - beta_2)(g^2 - v)     (both start at 0)
    t = step number (1, 2, ...);  alpha = lr * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    w <- w - alpha * m / (sqrt(v) + epsilon)     (epsilon outside the root, on the
    uncorrected v: the "epsilon hat" form of the Adam paper's section 2)
    amsgrad: v_hat <- max(v_hat, v) is used in place of v.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
    ):
        super().__init__(learning_rate)
        self.beta_1 = float(beta_1)
        self.beta_2 = float(beta_2)
        self.epsilon = float(epsilon)
        self.amsgrad = bool(amsgrad)

    def _update(self, key, param, grad):
        t = self.iterations + 1
        # Keras turns beta_1, beta_2 into float32 tensors before raising them to the power t
        # (float32(0.999) = 0.99900001...); rounding them the same way makes our numbers agree
        # with Keras to 1e-6 instead of 1e-5. It changes nothing that matters for training.
        beta_1, beta_2 = float(np.float32(self.beta_1)), float(np.float32(self.beta_2))
        alpha = self.learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m = self._slot("momentum", key, param)
        v = self._slot("velocity", key, param)
        m += (grad - m) * (1 - self.beta_1)
        v += (grad * grad - v) * (1 - self.beta_2)
        if self.amsgrad:
            v_hat = self._slot("velocity_hat", key, param)
            np.maximum(v_hat, v, out=v_hat)
            v = v_hat
        return m * alpha / (np.sqrt(v) + self.epsilon)
