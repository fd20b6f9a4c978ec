"""2-D convolution (卷积) in NumPy, the way Keras's ``Conv2D`` computes it.

Deep-learning "convolution" is cross-correlation: the kernel slides over the input without
being flipped. For output position (i, j) and filter k:

    out[i, j, k] = bias[k] + sum_{u, v, c} x[i*S + u, j*S + v, c] * kernels[u, v, c, k]

Layouts follow Keras (channels last): images ``(H, W, C)`` or a batch ``(N, H, W, C)``;
kernels ``(F_h, F_w, C_in, C_out)``, the shape of ``Conv2D(...).kernel``. The output size per
axis is W2 = floor((W1 - F + 2P) / S) + 1 (``padding="valid"`` is P = 0; ``"same"`` pads so that
W2 = ceil(W1 / S), with the odd extra cell at the bottom/right as TensorFlow does).

Two implementations: :func:`conv2d_loop` (nested loops, to read) and :func:`conv2d` (im2col:
all windows as rows of one matrix, then a single matrix product, to run).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from cnnkit.scratch._checks import as_float_array, check_ndim, pair, resolve_padding
from cnnkit.validation import check_int


def _prepare(x, kernels, bias, stride, padding):
    """Check the arguments; return the padded batch, kernels, bias, strides and whether x was batched."""
    x = as_float_array(x, "x")
    kernels = as_float_array(kernels, "kernels")
    check_ndim(x, (3, 4), "x", "(H, W, C) for one image or (N, H, W, C) for a batch")
    check_ndim(
        kernels, (4,), "kernels", "(F_h, F_w, C_in, C_out), the layout of Keras's Conv2D kernel"
    )
    batched = x.ndim == 4
    if not batched:
        x = x[np.newaxis]
    f_h, f_w, c_in, c_out = kernels.shape
    if x.shape[-1] != c_in:
        raise ValueError(
            f"kernels expect {c_in} input channels (kernels.shape[2]) but x has {x.shape[-1]} "
            f"(x.shape[-1]); a filter must span all channels of its input"
        )
    if bias is None:
        bias = np.zeros(c_out, dtype=np.result_type(x, kernels))
    else:
        bias = as_float_array(bias, "bias")
        if bias.shape != (c_out,):
            raise ValueError(
                f"bias must have shape ({c_out},), one value per filter, got {bias.shape}"
            )
    s_h, s_w = pair(stride, "stride")
    (top, bottom), (left, right) = resolve_padding(padding, x.shape[1:3], (f_h, f_w), (s_h, s_w))
    x = np.pad(x, ((0, 0), (top, bottom), (left, right), (0, 0)))
    if x.shape[1] < f_h or x.shape[2] < f_w:
        raise ValueError(
            f"the {f_h}x{f_w} kernel is larger than the padded input {x.shape[1]}x{x.shape[2]}; "
            f"use a smaller kernel or more padding"
        )
    return x, kernels, bias, (s_h, s_w), batched


def conv2d_loop(x, kernels, bias=None, stride=1, padding=0):
    """Convolution with explicit loops: out[n, i, j, k] = b[k] + sum(window * kernels[..., k]).

    ``padding``: an int P (zeros on every side), a pair (P_h, P_w), "valid" or "same".
    Slow on purpose: every output number is one visible weighted sum (加权求和).
    """
    x, kernels, bias, (s_h, s_w), batched = _prepare(x, kernels, bias, stride, padding)
    n, height, width, _ = x.shape
    f_h, f_w, _, c_out = kernels.shape
    # Imported here, not at the top: cnnkit.formulas imports cnnkit.scratch (the box losses), and
    # importing formulas.sizes while that runs would change the formula sheet's order.
    from cnnkit.formulas.sizes import window_output_size

    # x is already padded, so the output size is the 'valid' one of the padded input.
    out_h = window_output_size(height, f_h, s_h)
    out_w = window_output_size(width, f_w, s_w)
    out = np.zeros((n, out_h, out_w, c_out), dtype=np.result_type(x, kernels, bias))
    for image in range(n):
        for i in range(out_h):
            for j in range(out_w):
                window = x[image, i * s_h : i * s_h + f_h, j * s_w : j * s_w + f_w, :]
                for k in range(c_out):  # one filter -> one feature map (特征图)
                    out[image, i, j, k] = np.sum(window * kernels[:, :, :, k]) + bias[k]
    return out if batched else out[0]


def im2col(x, kernel_size, stride=1):
    """Every F_h x F_w x C window of a padded batch as one row: shape (N, H2, W2, F_h*F_w*C).

    The row order (u, v, c) matches ``kernels.reshape(F_h * F_w * C, C_out)``, so that
    convolution becomes one matrix product: ``im2col(x) @ kernels.reshape(-1, C_out)``.
    """
    f_h, f_w = pair(kernel_size, "kernel_size")
    s_h, s_w = pair(stride, "stride")
    # A view, no copy: windows[n, i, j, c, u, v] = x[n, i + u, j + v, c].
    windows = sliding_window_view(x, (f_h, f_w), axis=(1, 2))[:, ::s_h, ::s_w]
    n, out_h, out_w = windows.shape[:3]
    # The one copy: put (u, v, c) last, in the kernel's order, and flatten them.
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(n, out_h, out_w, -1)


def conv2d(x, kernels, bias=None, stride=1, padding=0):
    """Vectorised convolution via im2col; the same numbers as :func:`conv2d_loop` and Keras.

    out = im2col(x) @ kernels.reshape(F_h * F_w * C_in, C_out) + bias.
    """
    x, kernels, bias, strides, batched = _prepare(x, kernels, bias, stride, padding)
    f_h, f_w, c_in, c_out = kernels.shape
    columns = im2col(x, (f_h, f_w), strides)
    out = columns @ kernels.reshape(f_h * f_w * c_in, c_out)
    out += bias.astype(out.dtype, copy=False)
    return out if batched else out[0]


def correlate2d_single(grid, kernel, stride=1, padding=0, return_products: bool = False):
    """The hand example: one 2-D grid, one 2-D kernel, out[i, j] = sum_{u,v} grid[iS+u, jS+v] k[u, v].

    With ``return_products=True`` also returns ``products[i, j]``, the F x F element-wise
    products whose sum is ``out[i, j]`` (for the step-by-step figure).
    """
    grid = as_float_array(grid, "grid")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(grid, (2,), "grid", "(H, W), one channel")
    check_ndim(kernel, (2,), "kernel", "(F_h, F_w)")
    x, kernels, _, (s_h, s_w), _ = _prepare(
        grid[:, :, None], kernel[:, :, None, None], None, stride, padding
    )
    windows = sliding_window_view(x[0, :, :, 0], kernel.shape)[::s_h, ::s_w]
    products = windows * kernel
    out = products.sum(axis=(-2, -1))
    return (out, products) if return_products else out


def conv_transpose2d_single(grid, kernel, stride=1, padding=0, output_padding=0):
    """Transposed convolution (转置卷积) of one 2-D grid with one 2-D kernel, as Keras computes it.

    Every input value paints a scaled copy of the kernel into the output, S cells after the
    previous one, and overlapping copies add up::

        full[i*S + u, j*S + v] += grid[i, j] * kernel[u, v]

    ``full`` is ((H-1)S + F_h) × ((W-1)S + F_w); ``output_padding`` A adds A zero rows/columns at
    the bottom/right, then ``padding`` P (an int) crops P cells from each side:
    W2 = (W1 - 1)S - 2P + F + A. (Keras's ``Conv2DTranspose(padding="valid")`` is P = 0.)
    Returns (output, full), ``full`` before cropping (for the step figure).
    """
    grid = as_float_array(grid, "grid")
    kernel = as_float_array(kernel, "kernel")
    check_ndim(grid, (2,), "grid", "(H, W), one channel")
    check_ndim(kernel, (2,), "kernel", "(F_h, F_w)")
    stride = check_int("stride", stride, 1)
    padding = check_int("padding", padding, 0)
    output_padding = check_int("output_padding", output_padding, 0)
    (h, w), (f_h, f_w) = grid.shape, kernel.shape
    full = np.zeros(
        ((h - 1) * stride + f_h + output_padding, (w - 1) * stride + f_w + output_padding)
    )
    for i in range(h):
        for j in range(w):
            full[i * stride : i * stride + f_h, j * stride : j * stride + f_w] += (
                grid[i, j] * kernel
            )
    if 2 * padding >= min(full.shape):
        raise ValueError(
            f"padding={padding} crops the whole {full.shape[0]}×{full.shape[1]} output; "
            "use a smaller padding."
        )
    output = full[padding : full.shape[0] - padding, padding : full.shape[1] - padding]
    return output, full
