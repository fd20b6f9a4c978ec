"""Speed of three convolutions on the same input: loops, im2col (NumPy) and Keras's Conv2D.

Input: a batch of 32 images 28x28x16, 32 filters 3x3 ("valid"), float32.
Run ``python benchmarks/bench_scratch_conv.py``; ``measure()`` returns the seconds (best of
``repeats`` runs for im2col and Keras; the loop version runs once unless ``loop_repeats`` says
otherwise, since it takes seconds) and ``ratio`` = im2col / keras.
"""

from __future__ import annotations

import os
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

SHAPE = (32, 28, 28, 16)
FILTERS = 32
KERNEL = 3


def _best_time(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def measure(repeats: int = 5, loop_repeats: int = 1, seed: int = 0) -> dict:
    """Seconds of conv2d_loop, conv2d (im2col) and keras.layers.Conv2D on one random batch."""
    import keras

    from cnnkit.scratch import conv2d, conv2d_loop

    rng = np.random.default_rng(seed)
    x = rng.normal(size=SHAPE).astype("float32")
    layer = keras.layers.Conv2D(FILTERS, KERNEL, bias_initializer="random_normal")
    expected = keras.ops.convert_to_numpy(layer(x))  # builds the layer and warms it up
    kernel, bias = layer.get_weights()
    x_tensor = keras.ops.convert_to_tensor(x)

    out = conv2d(x, kernel, bias)  # warm-up, and the numbers must agree
    np.testing.assert_allclose(out, expected, rtol=1e-3, atol=1e-3)

    result = {
        "input_shape": SHAPE,
        "kernels_shape": tuple(kernel.shape),
        "loop_seconds": _best_time(lambda: conv2d_loop(x, kernel, bias), loop_repeats),
        "im2col_seconds": _best_time(lambda: conv2d(x, kernel, bias), repeats),
        "keras_seconds": _best_time(lambda: keras.ops.convert_to_numpy(layer(x_tensor)), repeats),
    }
    result["ratio"] = result["im2col_seconds"] / result["keras_seconds"]
    return result


if __name__ == "__main__":
    figures = measure()
    for name, value in figures.items():
        print(f"{name:>15}: {value:.4f}" if isinstance(value, float) else f"{name:>15}: {value}")
