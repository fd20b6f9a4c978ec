"""Run the scratch optimizers on 2-D surfaces, and batch vs stochastic vs mini-batch descent.

``run(optimizer, surface)`` records the path the optimizer takes (its trajectory, 轨迹) and the
loss at every step; ``run_all(surface)`` does it for SGD, momentum, Nesterov, AdaGrad, RMSProp and
Adam at the learning rates stored with the surface. ``minibatch_descent`` trains a two-parameter
linear regression with batch (批量), stochastic (随机) or mini-batch (小批量) gradient descent.

NumPy only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from cnnkit.scratch import optimizers as _optimizers
from cnnkit.scratch._checks import positive_int
from cnnkit.scratch.surfaces import Surface, get_surface

#: The optimizers compared throughout chapter 07, in the order they are taught.
OPTIMIZER_NAMES = ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")

#: Points farther than this from the origin count as diverged (the run stops there).
DIVERGED = 1e6


def make_optimizer(name: str, learning_rate: float, **options) -> _optimizers.Optimizer:
    """A fresh scratch optimizer by name ("SGD", "Momentum", "Nesterov", "AdaGrad", "RMSProp", "Adam")."""
    if name not in OPTIMIZER_NAMES:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZER_NAMES)}")
    return getattr(_optimizers, name)(learning_rate, **options)


@dataclass
class Trajectory:
    """Where an optimizer went: ``points`` (steps + 1, 2) from the start, ``losses`` (steps + 1,)."""

    name: str
    points: np.ndarray
    losses: np.ndarray
    learning_rate: float
    diverged: bool = False

    @property
    def final_point(self) -> np.ndarray:
        return self.points[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    def steps_to_reach(self, loss: float) -> int | None:
        """The first step whose loss is <= ``loss`` (None when never reached)."""
        below = np.nonzero(self.losses <= loss)[0]
        return int(below[0]) if below.size else None


def run(
    optimizer: _optimizers.Optimizer,
    surface: Surface | str,
    steps: int | None = None,
    start=None,
    *,
    gradient_noise: float = 0.0,
    seed: int | None = 0,
    name: str | None = None,
) -> Trajectory:
    """Let ``optimizer`` walk on ``surface`` for ``steps`` steps from ``start`` (default: the surface's).

    ``gradient_noise`` adds Gaussian noise of that standard deviation to every gradient (a crude
    stand-in for the noise of mini-batches). A run whose point leaves |p| < 1e6 or turns NaN stops
    there and is marked ``diverged`` (发散).
    """
    if isinstance(surface, str):
        surface = get_surface(surface)
    steps = positive_int(surface.steps if steps is None else steps, "steps")
    rng = np.random.default_rng(seed)
    point = np.array(surface.start if start is None else start, dtype=float)
    if point.shape != (2,):
        raise ValueError(f"start must be a point (x, y), got {start!r}")
    params = {"p": point}
    points, losses = [point.copy()], [surface(point)]
    diverged = False
    for _ in range(steps):
        grad = surface.gradient(params["p"])
        if gradient_noise:
            grad = grad + rng.normal(scale=gradient_noise, size=2)
        with np.errstate(over="ignore", invalid="ignore"):
            optimizer.step(params, {"p": grad})
            value = surface(params["p"])
        if not np.all(np.isfinite(params["p"])) or np.abs(params["p"]).max() > DIVERGED:
            diverged = True
            break
        points.append(params["p"].copy())
        losses.append(value)
    return Trajectory(
        name=name or type(optimizer).__name__,
        points=np.array(points),
        losses=np.array(losses),
        learning_rate=optimizer.learning_rate,
        diverged=diverged,
    )


def run_all(
    surface: Surface | str,
    steps: int | None = None,
    learning_rates: dict | None = None,
    names=OPTIMIZER_NAMES,
) -> dict[str, Trajectory]:
    """``{name: Trajectory}`` for each optimizer in ``names`` on ``surface``.

    Learning rates default to ``surface.learning_rates`` (values that suit each optimizer there);
    ``learning_rates`` overrides some or all of them.
    """
    if isinstance(surface, str):
        surface = get_surface(surface)
    rates = {**surface.learning_rates, **(learning_rates or {})}
    missing = [name for name in names if name not in rates]
    if missing:
        raise ValueError(f"no learning rate for {', '.join(missing)} on {surface.name}")
    return {
        name: run(make_optimizer(name, rates[name]), surface, steps, name=name) for name in names
    }


# --- batch, stochastic and mini-batch gradient descent ----------------------------------------


def linear_regression_data(n: int = 256, slope: float = 2.0, intercept: float = -1.0, seed=0):
    """``(x, y)`` with y = slope * x + intercept + noise; x ~ N(0, 1), noise ~ N(0, 0.5^2)."""
    n = positive_int(n, "n")
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    return x, slope * x + intercept + rng.normal(scale=0.5, size=n)


def mse_loss(params, x, y) -> float:
    """Mean squared error of the line y = w x + b, params = (w, b)."""
    w, b = params
    return float(np.mean((w * x + b - y) ** 2))


def mse_loss_grid(x, y, w_values, b_values) -> np.ndarray:
    """The MSE at every (w, b) of a grid: shape (len(b_values), len(w_values)), for contours."""
    W, B = np.meshgrid(w_values, b_values)
    residual = W[..., None] * x + B[..., None] - y
    return np.mean(residual**2, axis=-1)


@dataclass
class DescentRun:
    """Result of :func:`minibatch_descent`: the path of (w, b), losses per update and per epoch."""

    batch_size: int
    path: np.ndarray  # (updates + 1, 2)
    losses: np.ndarray  # full-data loss after every update (updates + 1,)
    epoch_losses: np.ndarray  # full-data loss after every epoch (epochs + 1,)
    seconds_per_epoch: float

    @property
    def updates_per_epoch(self) -> int:
        return (len(self.path) - 1) // max(len(self.epoch_losses) - 1, 1)

    @property
    def path_noise(self) -> float:
        """Mean |turn| of the path: how much consecutive steps disagree in direction (radians)."""
        steps = np.diff(self.path, axis=0)
        angles = np.arctan2(steps[:, 1], steps[:, 0])
        turns = np.angle(np.exp(1j * np.diff(angles)))
        return float(np.mean(np.abs(turns))) if turns.size else 0.0


def minibatch_descent(
    x,
    y,
    batch_size: int,
    epochs: int = 5,
    learning_rate: float = 0.05,
    start=(-2.0, 3.0),
    seed: int = 0,
) -> DescentRun:
    """Fit y = w x + b by gradient descent on the MSE, ``batch_size`` samples per update.

    batch_size = len(x): batch gradient descent (one update per epoch); 1: stochastic gradient
    descent (one update per sample); in between: mini-batch. Samples are shuffled every epoch.
    Gradient of the batch MSE: dw = 2 mean((w x + b - y) x), db = 2 mean(w x + b - y).
    """
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    n = len(x)
    batch_size = positive_int(batch_size, "batch_size")
    if batch_size > n:
        raise ValueError(f"batch_size {batch_size} is larger than the {n} samples")
    epochs = positive_int(epochs, "epochs")
    rng = np.random.default_rng(seed)
    w, b = (float(v) for v in start)
    path, losses, epoch_losses = [(w, b)], [mse_loss((w, b), x, y)], [mse_loss((w, b), x, y)]
    seconds = 0.0
    for _ in range(epochs):
        started = time.perf_counter()
        order = rng.permutation(n)
        epoch_path = []
        for begin in range(0, n, batch_size):
            index = order[begin : begin + batch_size]
            xb, yb = x[index], y[index]
            residual = w * xb + b - yb
            w -= learning_rate * 2 * np.mean(residual * xb)
            b -= learning_rate * 2 * np.mean(residual)
            epoch_path.append((w, b))
        seconds += time.perf_counter() - started
        path += epoch_path
        losses += [mse_loss(p, x, y) for p in epoch_path]
        epoch_losses.append(mse_loss((w, b), x, y))
    return DescentRun(
        batch_size=batch_size,
        path=np.array(path),
        losses=np.array(losses),
        epoch_losses=np.array(epoch_losses),
        seconds_per_epoch=seconds / epochs,
    )
