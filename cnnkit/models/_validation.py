"""Input checks shared by every builder in :mod:`cnnkit.models`.

Each builder states the smallest image it can take and calls :func:`check_input_shape`
before creating any layer, so a student who passes ``(8, 8, 1)`` to ``vgg(config=16)`` reads
"needs an input of at least 32x32 pixels" instead of a negative-dimension error from
deep inside a convolution.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

from cnnkit.formulas.sizes import window_output_size
from cnnkit.validation import check_int


def output_size(size: int, kernel: int, stride: int, padding: str | int) -> int:
    """Spatial size after one window operation, as Keras computes it (the kit's one formula,
    :func:`cnnkit.formulas.window_output_size`); 0 when the window fits nowhere."""
    pad = 0 if padding in ("valid", "same") else padding
    if padding != "same" and kernel > size + 2 * pad:
        return 0  # the window is larger than the (padded) input: no output position
    return window_output_size(size, kernel, stride, padding)


def minimum_input_size(ops: Iterable[tuple[int, int, str | int]], limit: int = 4096) -> int:
    """Smallest square input for which every ``(kernel, stride, padding)`` step in ``ops``
    leaves at least a 1x1 feature map (found by trying sizes upward)."""
    ops = list(ops)
    for size in range(1, limit + 1):
        n = size
        for kernel, stride, padding in ops:
            n = output_size(n, kernel, stride, padding)
            if n < 1:
                break
        else:
            return size
    raise ValueError(f"no input size up to {limit} fits the operations {ops}")


def check_input_shape(
    input_shape: Sequence[int], minimum: int, model_name: str, reason: str
) -> tuple[int, int, int]:
    """Validate ``input_shape`` as ``(height, width, channels)`` with height and width at
    least ``minimum``; return it as a tuple of ints."""
    if isinstance(input_shape, (str, bytes)) or not isinstance(input_shape, Sequence):
        raise TypeError(
            f"{model_name}: input_shape must be a tuple (height, width, channels), "
            f"e.g. ({minimum}, {minimum}, 3); got {input_shape!r}"
        )
    if len(input_shape) != 3:
        raise ValueError(
            f"{model_name}: input_shape must have three entries (height, width, channels) "
            f"without the batch dimension; got {tuple(input_shape)!r}"
        )
    if not all(isinstance(d, numbers.Integral) and not isinstance(d, bool) for d in input_shape):
        raise TypeError(
            f"{model_name}: input_shape entries must be integers; got {tuple(input_shape)!r}"
        )
    height, width, channels = (int(d) for d in input_shape)
    if channels < 1:
        raise ValueError(f"{model_name}: the number of channels must be >= 1; got {channels}")
    if height < minimum or width < minimum:
        raise ValueError(
            f"{model_name} needs an input of at least {minimum}x{minimum} pixels ({reason}); "
            f"got {height}x{width}. Resize the images (keras.layers.Resizing) or pass a "
            f"larger input_shape."
        )
    return height, width, channels


def check_classes(classes: int, model_name: str) -> int:
    """``classes`` must be a positive integer (the number of output units)."""
    return check_int(
        f"{model_name}: classes", classes, 1, hint="classes is the number of output units."
    )
