"""NumPy-from-scratch versions of what the course explains, each checked against Keras in tests.

NumPy only: importing this package never imports TensorFlow or Keras (only
``TwoLayerNetwork.to_keras`` does, when called).
"""

from cnnkit.scratch.activations import (
    ACTIVATIONS,
    LEAKY_RELU_ALPHA,
    get_activation,
    leaky_relu,
    leaky_relu_derivative,
    linear,
    linear_derivative,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    step,
    step_derivative,
    tanh,
    tanh_derivative,
)
from cnnkit.scratch.convolution import (
    conv2d,
    conv2d_loop,
    conv_transpose2d_single,
    correlate2d_single,
    im2col,
)
from cnnkit.scratch.dropout import dropout
from cnnkit.scratch.losses import (
    EPSILON,
    binary_cross_entropy,
    binary_cross_entropy_from_logits,
    categorical_cross_entropy,
    categorical_cross_entropy_from_logits,
    mean_squared_error,
    sparse_categorical_cross_entropy,
    sparse_categorical_cross_entropy_from_logits,
)
from cnnkit.scratch.network import TwoLayerNetwork
from cnnkit.scratch.optimizers import SGD, AdaGrad, Adam, Momentum, Nesterov, Optimizer, RMSProp
from cnnkit.scratch.pooling import average_pool2d, max_pool2d, min_pool2d
from cnnkit.scratch.recurrent import (
    gru_forward,
    gru_step,
    lstm_forward,
    lstm_step,
    simple_rnn_bptt,
    simple_rnn_forward,
)
from cnnkit.scratch.softmax import (
    entropy,
    log_softmax,
    max_entropy_distribution,
    naive_softmax,
    random_distributions_with_expected_score,
    softmax,
)
from cnnkit.scratch.surfaces import SURFACES, Surface, get_surface
from cnnkit.scratch.trajectories import Trajectory, minibatch_descent

__all__ = [
    "ACTIVATIONS",
    "EPSILON",
    "LEAKY_RELU_ALPHA",
    "SGD",
    "AdaGrad",
    "Adam",
    "Momentum",
    "Nesterov",
    "Optimizer",
    "RMSProp",
    "SURFACES",
    "Surface",
    "Trajectory",
    "TwoLayerNetwork",
    "average_pool2d",
    "binary_cross_entropy",
    "binary_cross_entropy_from_logits",
    "categorical_cross_entropy",
    "categorical_cross_entropy_from_logits",
    "conv2d",
    "conv2d_loop",
    "conv_transpose2d_single",
    "correlate2d_single",
    "dropout",
    "entropy",
    "get_activation",
    "get_surface",
    "gru_forward",
    "gru_step",
    "im2col",
    "leaky_relu",
    "leaky_relu_derivative",
    "linear",
    "linear_derivative",
    "log_softmax",
    "lstm_forward",
    "lstm_step",
    "max_entropy_distribution",
    "max_pool2d",
    "mean_squared_error",
    "min_pool2d",
    "minibatch_descent",
    "naive_softmax",
    "random_distributions_with_expected_score",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "simple_rnn_bptt",
    "simple_rnn_forward",
    "softmax",
    "sparse_categorical_cross_entropy",
    "sparse_categorical_cross_entropy_from_logits",
    "step",
    "step_derivative",
    "tanh",
    "tanh_derivative",
]
