"""Parameter counts of recurrent layers: SimpleRNN, LSTM and GRU as Keras builds them.

Every cell has an input kernel U (inputs × units), a recurrent kernel W
(units × units) and a bias b (units), once per gate.
"""

from __future__ import annotations

from cnnkit.formulas._checks import check_bool, check_int
from cnnkit.formulas.registry import formula


def _cell(inputs, units, use_bias, bias_vectors=1) -> int:
    """units × (inputs + units) + bias_vectors × units: one gate's U, W and bias."""
    n_in = check_int("inputs", inputs, 1, hint="inputs is the feature size of each time step")
    n = check_int("units", units, 1)
    return n * (n_in + n) + (bias_vectors * n if check_bool("use_bias", use_bias) else 0)


@formula(
    title="Simple RNN parameters",
    chinese="循环神经网络参数量",
    text="params = n × (m + n) + n",
    legend="m inputs per time step, n units: U is m × n, W is n × n, one bias per unit",
    example=dict(inputs=32, units=64),
    chapter="05",
)
def simple_rnn_params(inputs, units, use_bias=True) -> int:
    """Parameters of a SimpleRNN: n × (m + n) + n for s_t = f(U·x_t + W·s_{t-1} + b).

    The same U, W, b are used at every time step, so the count does not depend on the
    sequence length. Example: ``simple_rnn_params(32, 64)`` -> 6,208.
    """
    return _cell(inputs, units, use_bias)


@formula(
    title="LSTM parameters",
    chinese="长短期记忆网络参数量",
    text="params = 4 × (n × (m + n) + n)",
    legend="four gates (input, forget, cell, output), each a SimpleRNN-sized block",
    example=dict(inputs=32, units=64),
    chapter="05",
)
def lstm_params(inputs, units, use_bias=True) -> int:
    """Parameters of an LSTM: 4 × (n × (m + n) + n), one block per gate (i, f, c, o).

    Example: ``lstm_params(32, 64)`` -> 24,832.
    """
    return 4 * _cell(inputs, units, use_bias)


@formula(
    title="GRU parameters",
    chinese="门控循环单元参数量",
    text="params = 3 × (n × (m + n) + 2n)  (Keras reset_after=True; else 3 × (n × (m + n) + n))",
    legend="three blocks (update, reset, candidate); reset_after keeps separate input and recurrent biases",
    example=dict(inputs=32, units=64),
    chapter="05",
)
def gru_params(inputs, units, use_bias=True, reset_after=True) -> int:
    """Parameters of a GRU: 3 × (n × (m + n) + 2n) with Keras's default reset_after=True.

    reset_after=True (Keras's default, cuDNN-compatible) applies the reset gate after the
    recurrent matrix multiplication and so keeps two bias vectors per gate: 3 × 2n biases.
    reset_after=False gives the textbook 3 × (n × (m + n) + n).

    Example: ``gru_params(32, 64)`` -> 18,816; ``gru_params(32, 64, reset_after=False)`` -> 18,624.
    """
    two_biases = check_bool("reset_after", reset_after)
    return 3 * _cell(inputs, units, use_bias, bias_vectors=2 if two_biases else 1)
