"""Sequence tasks generated on the spot (no download): a time series, the adding problem, image rows.

- :func:`time_series`: trend + seasonality (季节性) + noise, the classic forecasting signal;
  :func:`forecasting_windows` cuts it into (past ``window`` values -> next value) pairs.
- :func:`adding_problem` (Hochreiter & Schmidhuber 1997): each step carries a random value and a
  marker; the target is the sum of the two marked values. The markers can be far from the
  end, so the network must remember for ``length`` steps: a long-memory test.
- :func:`image_rows`: a batch of images read top to bottom, one row per time step.

Every generator takes a ``seed`` and returns the same arrays for the same arguments.
"""

from __future__ import annotations

import numpy as np

from cnnkit.validation import check_int

__all__ = ["adding_problem", "forecasting_windows", "image_rows", "time_series"]


def time_series(
    n_steps: int = 1200,
    *,
    trend: float = 0.002,
    period: int = 50,
    amplitude: float = 1.0,
    noise: float = 0.15,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """A signal with trend, seasonality and noise: y_t = trend·t + A·(sin(2πt/P) + 0.5·sin(4πt/P)) + ε_t.

    Returns ``(t, y)``, both of shape ``(n_steps,)``, float32; ε_t ~ N(0, noise²).
    """
    n_steps = check_int("n_steps", n_steps, 2)
    period = check_int("period", period, 2)
    if noise < 0:
        raise ValueError(f"noise must be >= 0 (a standard deviation), got {noise}.")
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps, dtype=np.float32)
    phase = 2 * np.pi * t / period
    seasonal = amplitude * (np.sin(phase) + 0.5 * np.sin(2 * phase))
    y = trend * t + seasonal + rng.normal(0.0, noise, n_steps)
    return t, y.astype(np.float32)


def forecasting_windows(series, window: int, horizon: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Sliding windows: x = series[i : i+window] as ``(N, window, 1)``, y = series[i+window+horizon-1].

    ``N = len(series) - window - horizon + 1``. The channel axis of size 1 is what an RNN wants
    (one feature per time step); ``x.reshape(N, window)`` is what a dense network sees.
    """
    series = np.asarray(series, dtype=np.float32)
    if series.ndim != 1:
        raise ValueError(f"series must be one-dimensional, got shape {series.shape}.")
    window = check_int("window", window)
    horizon = check_int("horizon", horizon)
    count = len(series) - window - horizon + 1
    if count < 1:
        raise ValueError(
            f"a series of {len(series)} values is too short for window={window} and horizon={horizon}."
        )
    index = np.arange(window)[None, :] + np.arange(count)[:, None]
    x = series[index][..., None]
    y = series[window + horizon - 1 : window + horizon - 1 + count]
    return x, y


def adding_problem(n_samples: int, length: int, *, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The adding problem: x of shape ``(n_samples, length, 2)``, y of shape ``(n_samples,)``.

    Channel 0 holds values drawn uniformly from [0, 1]; channel 1 is 0 except for two markers
    (1.0), one in the first half of the sequence and one in the second half. The target is the
    sum of the two marked values. Always answering 1.0 (the mean) gives a mean squared error of
    1/6 ≈ 0.167: a model must beat that to have remembered anything.
    """
    n_samples = check_int("n_samples", n_samples)
    length = check_int("length", length, 2)
    rng = np.random.default_rng(seed)
    values = rng.uniform(0.0, 1.0, (n_samples, length)).astype(np.float32)
    markers = np.zeros((n_samples, length), dtype=np.float32)
    half = length // 2
    rows = np.arange(n_samples)
    first = rng.integers(0, half, n_samples)
    second = rng.integers(half, length, n_samples)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1)
    y = values[rows, first] + values[rows, second]
    return x, y.astype(np.float32)


#: Mean squared error of always predicting the mean (1.0) on the adding problem: Var(u1 + u2) = 2/12.
ADDING_BASELINE_MSE = 1.0 / 6.0


def image_rows(images) -> np.ndarray:
    """Images ``(N, H, W)`` or ``(N, H, W, 1)`` as sequences ``(N, H, W)`` in [0, 1]: H steps of W features.

    Nothing is computed: row r of the image is the input x_r at time step r.
    """
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, 1), got {images.shape}.")
    scale = 255.0 if images.dtype == np.uint8 else 1.0
    return (images.astype(np.float32) / scale).astype(np.float32)
