"""Parameter counts of dense, convolution, pooling and batch-normalisation layers.

Every count is weights plus biases, as ``layer.count_params()`` reports it in Keras.
"""

from __future__ import annotations

import math

from cnnkit.formulas._checks import check_bool, check_int, check_kernel
from cnnkit.formulas.registry import formula


@formula(
    title="Dense (fully connected) parameters",
    chinese="全连接层参数量",
    text="params = N_in × N_out + N_out",
    legend="N_in inputs, N_out units; the + N_out term is one bias per unit",
    example=dict(inputs=784, units=128),
    chapter="01",
)
def dense_params(inputs, units, use_bias=True) -> int:
    """Parameters of a dense (fully connected) layer: inputs × units + units (biases).

    Example: ``dense_params(784, 128)`` -> 100,480. Without bias: inputs × units, e.g. a
    1000×1000 image fully connected to 10^6 units is ``dense_params(10**6, 10**6,
    use_bias=False)`` = 10^12 weights.
    """
    n_in = check_int("inputs", inputs, 1)
    n_out = check_int("units", units, 1)
    return n_in * n_out + (n_out if check_bool("use_bias", use_bias) else 0)


@formula(
    title="Convolution parameters",
    chinese="卷积层参数量",
    text="params = F × F × D1 × K + K",
    legend="F kernel size, D1 input channels (depth), K filters; one bias per filter",
    example=dict(kernel_size=5, in_channels=3, filters=6),
    chapter="02",
)
def conv_params(kernel_size, in_channels, filters, use_bias=True) -> int:
    """Parameters of a convolution layer: F × F × D1 × K + K.

    Each of the K filters spans all D1 input channels and has one bias. kernel_size is an
    int (square 2-D kernel F×F) or a tuple of 1 to 3 ints (Conv1D/2D/3D: the product of
    the entries replaces F × F). The same count holds for Conv2DTranspose.

    Example: ``conv_params(5, 3, 6)`` -> 5×5×3×6 + 6 = 456.
    """
    kernel = check_kernel(kernel_size)
    d1 = check_int("in_channels", in_channels, 1)
    k = check_int("filters", filters, 1)
    return math.prod(kernel) * d1 * k + (k if check_bool("use_bias", use_bias) else 0)


def conv1d_params(kernel_size, in_channels, filters, use_bias=True) -> int:
    """Parameters of a 1-D convolution: F × D1 × K + K (kernel_size is an int F or ``(F,)``)."""
    if not isinstance(kernel_size, (tuple, list)):
        kernel_size = (kernel_size,)
    kernel = check_kernel(kernel_size, ranks=(1,))
    return conv_params(kernel, in_channels, filters, use_bias=use_bias)


@formula(
    title="Depthwise convolution parameters",
    chinese="深度卷积参数量",
    text="params = F × F × D1 × M + D1 × M",
    legend="F kernel size, D1 input channels, M depth multiplier; each channel has its own kernels",
    example=dict(kernel_size=3, in_channels=32),
    chapter="04",
)
def depthwise_conv_params(kernel_size, in_channels, depth_multiplier=1, use_bias=True) -> int:
    """Parameters of a depthwise convolution: F × F × D1 × M + D1 × M.

    Each of the D1 input channels gets M kernels of its own (no mixing across channels),
    giving D1 × M output channels, each with one bias. kernel_size: int (2-D) or a
    tuple of 1 or 2 ints (DepthwiseConv1D/2D).

    Example: ``depthwise_conv_params(3, 32)`` -> 3×3×32 + 32 = 320.
    """
    kernel = check_kernel(kernel_size, ranks=(1, 2))
    d1 = check_int("in_channels", in_channels, 1)
    m = check_int("depth_multiplier", depth_multiplier, 1)
    return math.prod(kernel) * d1 * m + (d1 * m if check_bool("use_bias", use_bias) else 0)


@formula(
    title="Depthwise-separable convolution parameters",
    chinese="深度可分离卷积参数量",
    text="params = F × F × D1 × M + D1 × M × K + K",
    legend=(
        "depthwise part F × F × D1 × M, then a 1×1 pointwise convolution D1 × M × K with K biases"
    ),
    example=dict(kernel_size=3, in_channels=32, filters=64),
    chapter="04",
)
def separable_conv_params(
    kernel_size, in_channels, filters, depth_multiplier=1, use_bias=True
) -> int:
    """Parameters of a depthwise-separable convolution: F × F × D1 × M + D1 × M × K + K.

    A depthwise convolution (no bias) followed by a 1×1 pointwise convolution to K
    filters (one bias each), as Keras's SeparableConv1D/2D builds it.

    Example: ``separable_conv_params(3, 32, 64)`` -> 3×3×32 + 32×64 + 64 = 2,400
    (a full 3×3 convolution would need 18,496).
    """
    kernel = check_kernel(kernel_size, ranks=(1, 2))
    d1 = check_int("in_channels", in_channels, 1)
    k = check_int("filters", filters, 1)
    m = check_int("depth_multiplier", depth_multiplier, 1)
    bias = k if check_bool("use_bias", use_bias) else 0
    return math.prod(kernel) * d1 * m + d1 * m * k + bias


@formula(
    title="Locally connected parameters (no weight sharing)",
    chinese="局部连接参数量",
    text="params = N_out × F × F × D1 (+ N_out biases)",
    legend="N_out output units, each with its own F × F × D1 patch of weights",
    example=dict(output_units=10**6, kernel_size=10, use_bias=False),
    chapter="02",
)
def locally_connected_params(output_units, kernel_size, in_channels=1, use_bias=True) -> int:
    """Parameters when every output unit sees a local patch but shares no weights.

    params = N_out × F × F × D1 (+ N_out). The course's example: 10^6 hidden units, each
    connected to a 10×10 patch of a 1000×1000 image, need 10^8 weights; with weight
    sharing one 10×10 filter needs 100 (``conv_params(10, 1, 1, use_bias=False)``).
    """
    n_out = check_int("output_units", output_units, 1)
    kernel = check_kernel(kernel_size)
    d1 = check_int("in_channels", in_channels, 1)
    return n_out * math.prod(kernel) * d1 + (n_out if check_bool("use_bias", use_bias) else 0)


def pooling_params() -> int:
    """Parameters of a max/average/global pooling layer: 0 (it has no weights).

    (LeNet-5's trainable subsampling, one coefficient and one bias per channel, is the
    historical exception; Keras pooling layers learn nothing.)
    """
    return 0


@formula(
    title="Batch normalisation parameters",
    chinese="批量归一化参数量",
    text="params = 4 × C  (γ, β trainable: 2 × C;  moving mean, moving variance: 2 × C)",
    legend="C channels (features normalised); γ scale, β shift",
    example=dict(channels=64),
    chapter="04",
)
def batchnorm_params(channels, center=True, scale=True) -> int:
    """All parameters of a batch-normalisation layer: 4 × C with center and scale.

    Per channel: γ (scale, trainable, only if scale=True), β (shift, trainable, only if
    center=True), and the moving mean and moving variance (non-trainable statistics,
    always present). ``count_params()`` counts all of them.

    Example: ``batchnorm_params(64)`` -> 256, of which 128 trainable.
    """
    c = check_int("channels", channels, 1)
    learned = int(check_bool("center", center)) + int(check_bool("scale", scale))
    return (learned + 2) * c


def batchnorm_trainable_params(channels, center=True, scale=True) -> int:
    """Trainable parameters of batch normalisation: γ and β, 2 × C.

    The moving mean and moving variance (2 × C more) are updated during training but not
    by gradient descent, so Keras counts them as non-trainable.

    Example: ``batchnorm_trainable_params(64)`` -> 128.
    """
    c = check_int("channels", channels, 1)
    return (int(check_bool("center", center)) + int(check_bool("scale", scale))) * c
