"""Activation functions (激活函数) and their derivatives, in NumPy.

Each function takes an array of pre-activations ``z`` and works element-wise. The derivative
functions return ``f'(z)``, the factor backpropagation multiplies the incoming gradient by.
``ACTIVATIONS`` maps a name to the pair ``(f, f')``.

Worked example of the syllabus: ``H = (1, -2, 3, -4, 7)`` gives ``step(H) = (1, 0, 1, 0, 1)``
and ``relu(H) = (1, 0, 3, 0, 7)``.
"""

from __future__ import annotations

import numpy as np

from cnnkit.scratch._checks import as_float_array

#: Default negative slope of :func:`leaky_relu`, the same as ``keras.activations.leaky_relu``
#: (``negative_slope=0.2``). Note: the layer ``keras.layers.LeakyReLU`` defaults to 0.3 and
#: PyTorch's ``nn.LeakyReLU`` to 0.01; pass ``alpha=`` to match those.
LEAKY_RELU_ALPHA = 0.2


def step(z):
    """Step function (阶跃函数): f(z) = 1 if z >= 0 else 0."""
    z = as_float_array(z, "z")
    return (z >= 0).astype(z.dtype)


def step_derivative(z):
    """f'(z) = 0 everywhere (undefined at 0): the step gives gradient descent nothing to follow."""
    z = as_float_array(z, "z")
    return np.zeros_like(z)


def sigmoid(z):
    """Sigmoid: f(z) = 1 / (1 + exp(-z)), output in (0, 1).

    Computed as exp(z) / (1 + exp(z)) for negative z, so that exp never overflows.
    """
    z = as_float_array(z, "z")
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e)).astype(z.dtype)


def sigmoid_derivative(z):
    """f'(z) = f(z) (1 - f(z)); at most 0.25 (at z = 0), nearly 0 when |z| is large (saturation)."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """Hyperbolic tangent: f(z) = (e^z - e^-z) / (e^z + e^-z) = 2 sigmoid(2z) - 1, output in (-1, 1)."""
    return np.tanh(as_float_array(z, "z"))


def tanh_derivative(z):
    """f'(z) = 1 - tanh(z)^2; equals 1 at z = 0, four times sigmoid's peak."""
    t = tanh(z)
    return 1 - t * t


def relu(z):
    """Rectified linear unit: f(z) = max(0, z)."""
    z = as_float_array(z, "z")
    return np.maximum(z, 0).astype(z.dtype)


def relu_derivative(z):
    """f'(z) = 1 for z > 0, else 0 (0 at z = 0, as TensorFlow does): a cheap, constant gradient."""
    z = as_float_array(z, "z")
    return (z > 0).astype(z.dtype)


def leaky_relu(z, alpha: float = LEAKY_RELU_ALPHA):
    """Leaky ReLU: f(z) = z for z > 0, alpha * z otherwise (alpha defaults to Keras's 0.2)."""
    z = as_float_array(z, "z")
    return np.where(z > 0, z, alpha * z).astype(z.dtype)


def leaky_relu_derivative(z, alpha: float = LEAKY_RELU_ALPHA):
    """f'(z) = 1 for z > 0, alpha otherwise: negative inputs still pass a small gradient."""
    z = as_float_array(z, "z")
    return np.where(z > 0, 1.0, alpha).astype(z.dtype)


def linear(z):
    """Linear (identity) activation: f(z) = z. A stack of linear layers is one linear map."""
    return as_float_array(z, "z").copy()


def linear_derivative(z):
    """f'(z) = 1."""
    return np.ones_like(as_float_array(z, "z"))


#: name -> (function, derivative); the names are the ones Keras accepts as ``activation=``.
ACTIVATIONS = {
    "step": (step, step_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
    "leaky_relu": (leaky_relu, leaky_relu_derivative),
    "linear": (linear, linear_derivative),
}


def get_activation(name: str):
    """The pair ``(f, f')`` for an activation name, e.g. ``get_activation("relu")``."""
    if not isinstance(name, str):
        raise TypeError(f"activation must be a name such as 'relu', got {name!r}")
    try:
        return ACTIVATIONS[name.lower()]
    except KeyError:
        raise ValueError(
            f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}"
        ) from None
