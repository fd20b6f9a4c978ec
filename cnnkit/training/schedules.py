"""Learning-rate schedules (学习率衰减策略) as Keras schedules, and a learning-rate range test.

Every schedule is a ``keras.optimizers.schedules.LearningRateSchedule``: pass it to an optimizer
(``keras.optimizers.SGD(learning_rate=cosine(0.1, 500))``) and Keras evaluates it at every step.

- ``step_decay``:   lr = lr0 * drop ** floor(step / every)            (staircase)
- ``exponential``:  lr = lr0 * rate ** (step / decay_steps)           (smooth)
- ``cosine``:       lr = lr0 * (alpha + (1 - alpha) * (1 + cos(pi * step / decay_steps)) / 2)
- ``warmup_cosine``: linear warm-up (预热) from ``start`` to ``peak`` over ``warmup_steps``,
  then the cosine above (Keras's ``CosineDecay(warmup_target=..., warmup_steps=...)``).

``lr_range_test`` raises the learning rate exponentially from ``min_lr`` to ``max_lr`` over a few
hundred mini-batches and records the loss of each batch (Smith, "Cyclical learning rates", 2017).
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pandas as pd

from cnnkit.validation import check_int, check_real


def _positive(value, name):
    """A learning rate (or other quantity) that must be a number > 0."""
    return check_real(name, value, 0, include_boundaries="neither")


def constant(learning_rate: float) -> keras.optimizers.schedules.LearningRateSchedule:
    """lr = lr0 at every step (a schedule, so it can be plotted with the others)."""
    return keras.optimizers.schedules.PiecewiseConstantDecay(
        [1], [_positive(learning_rate, "learning_rate")] * 2
    )


def step_decay(initial: float, drop: float = 0.5, every: int = 100):
    """lr = initial * drop ** floor(step / every): divide by 1/drop every ``every`` steps."""
    if not 0 < drop < 1:
        raise ValueError(
            f"drop must be in (0, 1) (the factor applied every {every} steps), got {drop}"
        )
    return keras.optimizers.schedules.ExponentialDecay(
        _positive(initial, "initial"), check_int("every", every), drop, staircase=True
    )


def exponential(initial: float, rate: float = 0.5, decay_steps: int = 100):
    """lr = initial * rate ** (step / decay_steps): halves (rate 0.5) every ``decay_steps``, smoothly."""
    if not 0 < rate < 1:
        raise ValueError(f"rate must be in (0, 1), got {rate}")
    return keras.optimizers.schedules.ExponentialDecay(
        _positive(initial, "initial"), check_int("decay_steps", decay_steps), rate
    )


def cosine(initial: float, decay_steps: int, alpha: float = 0.0):
    """lr = initial * (alpha + (1 - alpha)(1 + cos(pi t / T)) / 2), t <= T = decay_steps."""
    return keras.optimizers.schedules.CosineDecay(
        _positive(initial, "initial"), check_int("decay_steps", decay_steps), alpha=alpha
    )


def warmup_cosine(peak: float, warmup_steps: int, decay_steps: int, start: float = 0.0):
    """Linear warm-up from ``start`` to ``peak`` over ``warmup_steps``, then cosine decay to 0."""
    return keras.optimizers.schedules.CosineDecay(
        float(start),
        check_int("decay_steps", decay_steps),
        warmup_target=_positive(peak, "peak"),
        warmup_steps=check_int("warmup_steps", warmup_steps),
    )


def course_schedules(peak: float, total_steps: int) -> dict:
    """The chapter's schedules, all starting at (or warming up to) ``peak`` over ``total_steps``."""
    total_steps = check_int("total_steps", total_steps)
    warmup = max(1, total_steps // 10)
    return {
        "constant": constant(peak),
        "step decay": step_decay(peak, 0.5, -(-total_steps // 4)),  # 3 drops: lr0 / 8 at the end
        "exponential": exponential(peak, 0.1, total_steps),
        "cosine": cosine(peak, total_steps),
        "warm-up + cosine": warmup_cosine(peak, warmup, total_steps - warmup),
    }


def schedule_values(schedule, steps: int) -> np.ndarray:
    """The learning rate at steps 0, 1, ..., steps - 1 (a schedule or any callable step -> lr)."""
    steps = check_int("steps", steps)
    return np.array([float(keras.ops.convert_to_numpy(schedule(step))) for step in range(steps)])


# --- learning-rate range test --------------------------------------------------------------


def range_test_rates(min_lr: float, max_lr: float, steps: int) -> np.ndarray:
    """``steps`` learning rates spaced evenly on a log scale from ``min_lr`` to ``max_lr``."""
    min_lr, max_lr = _positive(min_lr, "min_lr"), _positive(max_lr, "max_lr")
    if min_lr >= max_lr:
        raise ValueError(f"min_lr ({min_lr}) must be smaller than max_lr ({max_lr})")
    return np.geomspace(min_lr, max_lr, check_int("steps", steps))


def lr_range_test(
    model: keras.Model,
    x,
    y,
    *,
    min_lr: float = 1e-5,
    max_lr: float = 1.0,
    steps: int = 100,
    batch_size: int = 64,
    stop_factor: float = 4.0,
    smoothing: float = 0.9,
    seed: int = 0,
) -> pd.DataFrame:
    """Train ``model`` (compiled, fresh) one batch per learning rate, from ``min_lr`` up to ``max_lr``.

    Returns a DataFrame with columns ``learning_rate``, ``loss`` (that batch's loss) and
    ``smoothed`` (exponential moving average, bias-corrected). Stops early once the smoothed loss
    exceeds ``stop_factor`` times its best value (the loss has blown up).
    The model's weights are changed: build a new one for real training.
    """
    if getattr(model, "optimizer", None) is None:
        raise ValueError(
            "compile the model first (any optimizer; its learning rate is overwritten)"
        )
    x, y = np.asarray(x), np.asarray(y)
    rng = np.random.default_rng(seed)
    rates = range_test_rates(min_lr, max_lr, steps)
    rows, average, best = [], 0.0, math.inf
    order = rng.permutation(len(x))
    position = 0
    for step, rate in enumerate(rates, start=1):
        if position + batch_size > len(x):
            order, position = rng.permutation(len(x)), 0
        index = order[position : position + batch_size]
        position += batch_size
        model.optimizer.learning_rate = float(rate)
        loss = model.train_on_batch(x[index], y[index], return_dict=True)["loss"]
        loss = float(loss)
        average = smoothing * average + (1 - smoothing) * loss
        smoothed = average / (1 - smoothing**step)
        rows.append((float(rate), loss, smoothed))
        if not math.isfinite(loss) or smoothed > stop_factor * best:
            break
        best = min(best, smoothed)
    return pd.DataFrame(rows, columns=["learning_rate", "loss", "smoothed"])


def suggest_learning_rate(results: pd.DataFrame, method: str = "minimum") -> float:
    """A learning rate read off a range test.

    ``"minimum"``: one tenth of the rate at the lowest smoothed loss (past it the loss soon blows
    up; a tenth stays safely in the descending part). ``"steepest"``: the rate where the smoothed
    loss falls fastest per log-step of the rate.
    """
    if not {"learning_rate", "smoothed"} <= set(results.columns) or len(results) < 3:
        raise ValueError("pass the DataFrame returned by lr_range_test (at least 3 rows)")
    if method == "minimum":
        return float(results.loc[results["smoothed"].idxmin(), "learning_rate"] / 10)
    if method == "steepest":
        slope = np.gradient(results["smoothed"].to_numpy(), np.log(results["learning_rate"]))
        best = results["smoothed"].idxmin()
        return float(results["learning_rate"].iloc[int(np.argmin(slope[: best + 1]))])
    raise ValueError(f'method must be "minimum" or "steepest", got {method!r}')
