"""Two-dimensional loss surfaces (损失曲面) to watch optimizers move on, with exact gradients.

Each surface is a function f(x, y) of two parameters, its gradient, a start point and the
learning rates at which each optimizer of :mod:`cnnkit.scratch.optimizers` behaves well on it:

- ``ravine()``:      f = x^2 / 20 + y^2, a long narrow valley (curvature 1/10 along x, 2 along y):
  plain SGD zig-zags across it and crawls along it; momentum and adaptive rates do not.
- ``rosenbrock()``:  f = (1 - x)^2 + 100 (y - x^2)^2, a curved, flat-bottomed valley, minimum (1, 1).
- ``saddle()``:      f = x^2 + y^4 / 4 - y^2, a saddle point (鞍点) at (0, 0), minima at (0, +-sqrt 2):
  started just off the ridge, SGD lingers at the saddle; momentum and Adam leave it quickly.

NumPy only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True, eq=False)
class Surface:
    """A 2-D loss surface: ``surface(point)``, ``surface.gradient(point)``, ``surface.grid()``."""

    name: str
    formula: str
    function: Callable  # f(x, y) -> value, element-wise on arrays
    gradient_function: Callable  # (x, y) -> (df/dx, df/dy)
    start: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    xlim: tuple[float, float]
    ylim: tuple[float, float]
    learning_rates: dict = field(default_factory=dict)
    steps: int = 100
    log_contours: bool = False

    def __call__(self, point) -> float:
        x, y = _point(point)
        return float(self.function(x, y))

    def gradient(self, point) -> np.ndarray:
        """The exact gradient (df/dx, df/dy) at ``point`` as a float64 array of shape (2,)."""
        x, y = _point(point)
        return np.array(self.gradient_function(x, y), dtype=float)

    def numerical_gradient(self, point, h: float = 1e-6) -> np.ndarray:
        """Central differences (f(p + h e_i) - f(p - h e_i)) / 2h, to check :meth:`gradient`."""
        p = np.array(_point(point), dtype=float)
        grad = np.zeros(2)
        for i in range(2):
            e = np.zeros(2)
            e[i] = h
            grad[i] = (self(p + e) - self(p - e)) / (2 * h)
        return grad

    def grid(self, resolution: int = 200):
        """``(X, Y, Z)`` over ``xlim`` x ``ylim`` for contour plots."""
        xs = np.linspace(*self.xlim, resolution)
        ys = np.linspace(*self.ylim, resolution)
        X, Y = np.meshgrid(xs, ys)
        return X, Y, self.function(X, Y)

    @property
    def minimum_value(self) -> float:
        return min(self(m) for m in self.minima)


def _point(point) -> tuple[float, float]:
    array = np.asarray(point, dtype=float)
    if array.shape != (2,):
        raise ValueError(
            f"a point on a 2-D surface has shape (2,): (x, y); got shape {array.shape}"
        )
    return float(array[0]), float(array[1])


def ravine() -> Surface:
    """f = x^2/20 + y^2: a narrow ravine (狭长山谷), minimum 0 at (0, 0)."""
    return Surface(
        name="ravine",
        formula="x²/20 + y²",
        function=lambda x, y: x**2 / 20 + y**2,
        gradient_function=lambda x, y: (x / 10, 2 * y),
        start=(-7.0, 2.0),
        minima=((0.0, 0.0),),
        xlim=(-8.0, 8.0),
        ylim=(-3.0, 3.0),
        learning_rates={
            "SGD": 0.9,
            "Momentum": 0.08,
            "Nesterov": 0.08,
            "AdaGrad": 1.0,
            "RMSProp": 0.1,
            "Adam": 0.3,
        },
        steps=60,
    )


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Surface:
    """f = (a - x)^2 + b (y - x^2)^2 (Rosenbrock's banana valley), minimum 0 at (a, a^2)."""
    return Surface(
        name="rosenbrock",
        formula=f"({a:g} - x)² + {b:g}(y - x²)²",
        function=lambda x, y: (a - x) ** 2 + b * (y - x**2) ** 2,
        gradient_function=lambda x, y: (
            -2 * (a - x) - 4 * b * x * (y - x**2),
            2 * b * (y - x**2),
        ),
        start=(-1.5, 2.0),
        minima=((a, a * a),),
        xlim=(-2.0, 2.0),
        ylim=(-1.0, 3.0),
        learning_rates={
            "SGD": 0.001,
            "Momentum": 0.0005,
            "Nesterov": 0.0005,
            "AdaGrad": 0.5,
            "RMSProp": 0.01,
            "Adam": 0.1,
        },
        steps=500,
        log_contours=True,
    )


def saddle() -> Surface:
    """f = x^2 + y^4/4 - y^2: a saddle point (鞍点) at (0, 0) between minima -1 at (0, +-sqrt 2)."""
    return Surface(
        name="saddle",
        formula="x² + y⁴/4 - y²",
        function=lambda x, y: x**2 + y**4 / 4 - y**2,
        gradient_function=lambda x, y: (2 * x, y**3 - 2 * y),
        start=(-2.0, 0.001),
        minima=((0.0, np.sqrt(2.0)), (0.0, -np.sqrt(2.0))),
        xlim=(-2.5, 2.5),
        ylim=(-2.0, 2.0),
        learning_rates={
            "SGD": 0.05,
            "Momentum": 0.02,
            "Nesterov": 0.02,
            "AdaGrad": 0.3,
            "RMSProp": 0.05,
            "Adam": 0.1,
        },
        steps=100,
    )


#: The course's surfaces by name.
SURFACES = {"ravine": ravine, "rosenbrock": rosenbrock, "saddle": saddle}


def get_surface(name: str) -> Surface:
    """A surface by name: "ravine", "rosenbrock" or "saddle"."""
    if not isinstance(name, str) or name.lower() not in SURFACES:
        raise ValueError(f"unknown surface {name!r}; choose one of {', '.join(SURFACES)}")
    return SURFACES[name.lower()]()
