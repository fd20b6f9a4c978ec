"""Output sizes of convolution and pooling layers (one spatial dimension at a time).

When ``W1 - F + 2P`` is not divisible by the stride ``S`` the exact result is not a
whole number and Keras floors it: the last input positions are never covered by
the window. That is never done silently here: :func:`conv_output_size` and
:func:`pool_output_size` still return Keras's (floored) int, but they also issue
an :class:`OutputSizeRoundedWarning` whose message is the worked explanation, and
:func:`output_size_explanation` returns that explanation as a string for any
configuration (divisible or not), so a notebook can print it.

Silence the warning where rounding is intended::

    import warnings
    warnings.simplefilter("ignore", ck.formulas.OutputSizeRoundedWarning)
"""

from __future__ import annotations

import warnings

from cnnkit.formulas._checks import check_int, check_padding, short_repr
from cnnkit.formulas.registry import formula

CONV_PADDINGS = ("valid", "same", "causal")
POOL_PADDINGS = ("valid", "same")


class OutputSizeRoundedWarning(UserWarning):
    """``(W1 - F + 2P)/S`` was not a whole number, so the output size was floored.

    The warning's message is the explanation from :func:`output_size_explanation`.
    """


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _ratio(numerator: int, denominator: int) -> str:
    value = numerator / denominator
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return text if float(text) == value else text + "..."


def _checked(input_size, kernel_size, stride, padding, dilation, paddings, window):
    """Validate the five arguments once; return them as ints / a lower-case string."""
    w1 = check_int("input_size", input_size, 1)
    f = check_int(
        "pool_size" if window == "pooling window" else "kernel_size",
        kernel_size,
        1,
    )
    s = check_int("stride", stride, 1, hint="Use stride=1 to move the window one step at a time.")
    p = check_padding(padding, paddings)
    d = check_int("dilation", dilation, 1, hint="Use dilation=1 for an ordinary kernel.")
    if s > 1 and d > 1:
        raise ValueError(
            f"stride={s} with dilation={d}: Keras refuses a convolution that is both strided and "
            "dilated (strides > 1 with dilation_rate > 1). Use stride=1 or dilation=1."
        )
    return w1, f, s, p, d


def _output_size(w1, f, s, p, d, window):
    """Return (W2, remainder) where remainder = (W1 - D(F-1) - 1 + 2P) mod S."""
    if isinstance(p, str):  # "same" and "causal" both give ceil(W1/S) in Keras
        return _ceil_div(w1, s), 0
    effective = d * (f - 1) + 1
    padded = w1 + 2 * p
    if effective > padded:
        span = f"{f}" if d == 1 else f"{f} dilated by {d}, spanning {effective}"
        raise ValueError(
            f"The {window} ({span}) is larger than the padded input "
            f"({w1} + 2×{p} = {padded}), so it fits nowhere. Use a smaller {window}, "
            f"more padding, or padding='same'."
        )
    numerator = padded - effective
    return numerator // s + 1, numerator % s


def _explanation(w1, f, s, p, d, window) -> str:
    w2, remainder = _output_size(w1, f, s, p, d, window)
    effective = d * (f - 1) + 1
    prefix = ""
    if d != 1:
        prefix = (
            f"The dilated {window} spans D×(F-1)+1 = {d}×({f}-1)+1 = {effective} input positions. "
        )
    if p == "same":
        total = max((w2 - 1) * s + effective - w1, 0)
        return prefix + (
            f"padding='same': Keras adds just enough zeros that W2 = ceil(W1/S) = "
            f"ceil({w1}/{s}) = {w2} ({total} zero(s) in total: {total // 2} before, "
            f"{total - total // 2} after)."
        )
    if p == "causal":
        return prefix + (
            f"padding='causal': Keras adds D×(F-1) = {effective - 1} zero(s) before the "
            f"sequence only, so W2 = ceil(W1/S) = ceil({w1}/{s}) = {w2}."
        )
    numerator = w1 - effective + 2 * p
    expression = f"({w1} - {effective} + 2×{p})/{s}"
    if remainder == 0:
        return prefix + (
            f"W2 = (W1 - F + 2P)/S + 1 = {expression} + 1 = {numerator}/{s} + 1 = {w2}: "
            f"{numerator} divides by {s} exactly, so nothing is rounded."
        )
    return prefix + (
        f"Keras floors: {expression} = {numerator}/{s} = {_ratio(numerator, s)} -> "
        f"{numerator // s}, +1 = {w2}. (W1 - F + 2P) = {numerator} is not divisible by "
        f"S = {s}, so the last {remainder} input position(s) are never covered by the "
        f"{window} and are dropped. padding='same' would give ceil({w1}/{s}) = "
        f"{_ceil_div(w1, s)} instead."
    )


def window_output_size(input_size, window, stride=1, padding=0, dilation=1) -> int:
    """Output size of any sliding window (convolution or pooling), as Keras computes it, silently.

    W2 = floor((W1 - D(F-1) - 1 + 2P)/S) + 1, or ceil(W1/S) for ``"same"``/``"causal"``; the
    kit's one home of the output-size arithmetic. Unlike :func:`conv_output_size` it issues no
    warning when the division is not exact: code that computes shapes (model builders, the NumPy
    convolution) calls this one; a student's calculation calls the warning one.
    Raises ValueError when the window is larger than the padded input (it fits nowhere).
    """
    w1, f, s, p, d = _checked(
        input_size, window, stride, padding, dilation, CONV_PADDINGS, "kernel"
    )
    return _output_size(w1, f, s, 0 if p == "valid" else p, d, "kernel")[0]


@formula(
    title="Convolution output size",
    chinese="卷积输出尺寸",
    text="W2 = floor((W1 - F + 2P)/S) + 1;  'same': W2 = ceil(W1/S);  D2 = K",
    legend=(
        "W1 input size, F kernel size, P padding per side, S stride, K number of filters; "
        "with dilation D, F becomes D(F-1)+1"
    ),
    example=dict(input_size=32, kernel_size=5),
    chapter="02",
)
def conv_output_size(input_size, kernel_size, stride=1, padding=0, dilation=1) -> int:
    """Output size of a convolution along one spatial dimension, as Keras computes it.

    W2 = floor((W1 - D(F-1) - 1 + 2P)/S) + 1, i.e. floor((W1 - F + 2P)/S) + 1 for D = 1.
    padding is an int P (zeros on each side, as ``ZeroPadding2D(P)`` before a 'valid'
    convolution), ``"valid"`` (P = 0), ``"same"`` or ``"causal"`` (both W2 = ceil(W1/S)).

    Example: ``conv_output_size(32, 5)`` -> 28 (32×32×3 input, 5×5 filters).
    Issues :class:`OutputSizeRoundedWarning` when the division is not exact.
    """
    w1, f, s, p, d = _checked(
        input_size, kernel_size, stride, padding, dilation, CONV_PADDINGS, "kernel"
    )
    if p == "valid":
        p = 0
    w2, remainder = _output_size(w1, f, s, p, d, "kernel")
    if remainder:
        warnings.warn(
            OutputSizeRoundedWarning(_explanation(w1, f, s, p, d, "kernel")), stacklevel=2
        )
    return w2


@formula(
    title="Pooling output size",
    chinese="池化输出尺寸",
    text="W2 = floor((W1 - F)/S) + 1;  'same': W2 = ceil(W1/S);  depth unchanged",
    legend="W1 input size, F pooling window, S stride (defaults to F)",
    example=dict(input_size=28, pool_size=2),
    chapter="03",
)
def pool_output_size(input_size, pool_size, stride=None, padding="valid") -> int:
    """Output size of a pooling layer along one spatial dimension, as Keras computes it.

    W2 = floor((W1 - F + 2P)/S) + 1 with 'valid' meaning P = 0; 'same' gives ceil(W1/S).
    stride defaults to the pool size, as in Keras (non-overlapping windows). Keras pooling
    layers accept only 'valid' and 'same'; an int P is the textbook formula.

    Example: ``pool_output_size(28, 2)`` -> 14.
    Issues :class:`OutputSizeRoundedWarning` when the division is not exact.
    """
    if stride is None:
        stride = pool_size
    w1, f, s, p, d = _checked(
        input_size, pool_size, stride, padding, 1, POOL_PADDINGS, "pooling window"
    )
    if p == "valid":
        p = 0
    w2, remainder = _output_size(w1, f, s, p, d, "pooling window")
    if remainder:
        warnings.warn(
            OutputSizeRoundedWarning(_explanation(w1, f, s, p, d, "pooling window")),
            stacklevel=2,
        )
    return w2


def output_size_explanation(
    input_size, kernel_size, stride=1, padding=0, dilation=1, *, window="kernel"
) -> str:
    """Explain in one or two sentences how the output size comes out, with the numbers.

    The explanation works through W2 = floor((W1 - F + 2P)/S) + 1 and, when
    (W1 - F + 2P) is not divisible by S, shows the flooring:
    ``output_size_explanation(32, 5, stride=2)`` ->
    "Keras floors: (32 - 5 + 2×0)/2 = 27/2 = 13.5 -> 13, +1 = 14. ..."
    ``window`` names the sliding window in the text ("kernel" or "pooling window").
    """
    if window not in ("kernel", "pooling window"):
        raise ValueError(f"window must be 'kernel' or 'pooling window', got {short_repr(window)}.")
    paddings = CONV_PADDINGS if window == "kernel" else POOL_PADDINGS
    w1, f, s, p, d = _checked(input_size, kernel_size, stride, padding, dilation, paddings, window)
    if p == "valid":
        p = 0
    return _explanation(w1, f, s, p, d, window)


TRANSPOSE_PADDINGS = ("valid", "same")


@formula(
    title="Transposed convolution output size",
    chinese="转置卷积输出尺寸",
    text=(
        "W2 = (W1 - 1)S - 2P + F + A;  Keras 'same': W2 = W1·S;  "
        "'valid': W2 = (W1 - 1)S + max(F, S)"
    ),
    legend=(
        "W1 input size, F kernel size, S stride, P cropping per side, A output_padding; "
        "with output_padding given, Keras uses P = 0 for 'valid' and P = floor(F/2) for 'same'"
    ),
    example=dict(input_size=7, kernel_size=4, stride=2, padding="same"),
    chapter="06",
)
def conv_transpose_output_size(
    input_size, kernel_size, stride=1, padding="valid", output_padding=None
) -> int:
    """Output size of a transposed convolution (转置卷积) along one dimension, as Keras computes it.

    Each input position paints an F-wide copy of the kernel into the output, S positions after
    the previous one, so the painted strip is (W1 - 1)S + F wide; P positions are then cropped
    from each side and A (``output_padding``) added at the end::

        W2 = (W1 - 1)S - 2P + F + A

    ``padding`` is an int P (textbook form; A defaults to 0) or Keras's ``"valid"``/``"same"``.
    Keras with ``output_padding=None``: ``"same"`` gives W2 = W1·S (it undoes a 'same' strided
    convolution) and ``"valid"`` gives (W1 - 1)S + max(F, S). With ``output_padding=A`` given,
    Keras uses the formula with P = 0 ('valid') or P = floor(F/2) ('same'). Keras requires
    A < S.

    Example: ``conv_transpose_output_size(7, 4, stride=2, padding="same")`` -> 14 (DCGAN's
    7×7 -> 14×14 upsampling step).
    """
    w1 = check_int("input_size", input_size, 1)
    f = check_int("kernel_size", kernel_size, 1)
    s = check_int("stride", stride, 1, hint="Use stride=2 to double the size.")
    p = check_padding(padding, TRANSPOSE_PADDINGS)
    if output_padding is not None:
        a = check_int("output_padding", output_padding, 0)
        if a >= s:
            raise ValueError(
                f"output_padding must be smaller than the stride ({s}), got {a}: it only chooses "
                f"among the {s} input sizes that a stride-{s} convolution maps to the same output."
            )
    if p == "same" and output_padding is None:
        return w1 * s
    if p == "valid" and output_padding is None:
        return (w1 - 1) * s + max(f, s)
    if isinstance(p, str):
        p = 0 if p == "valid" else f // 2
    a = 0 if output_padding is None else output_padding
    w2 = (w1 - 1) * s - 2 * p + f + a
    if w2 < 1:
        raise ValueError(
            f"Cropping P = {p} from each side of a ({w1} - 1)×{s} + {f} = {(w1 - 1) * s + f} wide "
            f"output leaves nothing (W2 = {w2}). Use a smaller padding P."
        )
    return w2
