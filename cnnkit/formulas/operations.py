"""Multiply-accumulate (MAC) and connection counts: how much work a layer does.

One MAC is one multiplication plus one addition; FLOPs are often quoted as 2 × MACs.
"""

from __future__ import annotations

import math

from cnnkit.formulas._checks import check_bool, check_int, check_kernel
from cnnkit.formulas.registry import formula


@formula(
    title="Convolution multiply-accumulates",
    chinese="卷积计算量（乘加次数）",
    text="MACs = H2 × W2 × F × F × D1 × K",
    legend="H2 × W2 output size, F kernel size, D1 input channels, K filters",
    example=dict(output_height=28, output_width=28, kernel_size=5, in_channels=3, filters=6),
    chapter="04",
)
def conv_macs(output_height, output_width, kernel_size, in_channels, filters) -> int:
    """Multiply-accumulates of a convolution: H2 × W2 × F × F × D1 × K.

    Every one of the H2 × W2 × K outputs is a weighted sum over an F × F × D1 patch.
    kernel_size: int (square) or tuple. Example: ``conv_macs(28, 28, 5, 3, 6)`` -> 352,800.
    """
    h2 = check_int("output_height", output_height, 1)
    w2 = check_int("output_width", output_width, 1)
    kernel = check_kernel(kernel_size, ranks=(2,))
    d1 = check_int("in_channels", in_channels, 1)
    k = check_int("filters", filters, 1)
    return h2 * w2 * math.prod(kernel) * d1 * k


def conv_connections(
    output_height, output_width, kernel_size, in_channels, filters, use_bias=True
) -> int:
    """Connections of a convolution as LeNet-5's paper counts them: H2 × W2 × K × (F × F × D1 + 1).

    The MACs plus one bias connection per output. Example: LeNet-5's C1,
    ``conv_connections(28, 28, 5, 1, 6)`` -> 122,304 (with 156 parameters).
    """
    macs = conv_macs(output_height, output_width, kernel_size, in_channels, filters)
    outputs = output_height * output_width * filters
    return macs + (outputs if check_bool("use_bias", use_bias) else 0)


@formula(
    title="Dense multiply-accumulates",
    chinese="全连接层计算量",
    text="MACs = N_in × N_out",
    legend="N_in inputs, N_out units",
    example=dict(inputs=784, units=128),
    chapter="04",
)
def dense_macs(inputs, units) -> int:
    """Multiply-accumulates of a dense layer for one sample: N_in × N_out.

    Example: ``dense_macs(784, 128)`` -> 100,352.
    """
    return check_int("inputs", inputs, 1) * check_int("units", units, 1)
