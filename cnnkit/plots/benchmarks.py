"""Figures of the benchmarks (benchmarks/run.py): what each second of training buys.

Every function builds its figure with ``plt.subplots``, closes it and returns it.
"""

from __future__ import annotations

import numpy as np

from cnnkit.style import label


def accuracy_vs_seconds(curves: dict, target: float | None = None, title: str | None = None):
    """Test accuracy against wall-clock seconds of training, one line per recipe.

    ``curves`` maps a recipe's name to ``(seconds, accuracies)``, two equal-length sequences in
    time order (seconds since the start of training, evaluation included). ``target`` draws the
    accuracy to reach as a dashed line and marks, per recipe, the first point at or above it.
    """
    from cnnkit.plots.common import finish, pyplot

    if not isinstance(curves, dict) or not curves:
        raise TypeError("curves must be a non-empty dict: name -> (seconds, accuracies)")
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for name, pair in curves.items():
        if len(pair) != 2:
            raise ValueError(f"curves[{name!r}] must be (seconds, accuracies)")
        seconds, accuracies = (np.asarray(values, dtype=float) for values in pair)
        if seconds.shape != accuracies.shape or seconds.ndim != 1 or seconds.size == 0:
            raise ValueError(
                f"curves[{name!r}]: seconds and accuracies must be equal-length non-empty "
                f"sequences, got {seconds.shape} and {accuracies.shape}"
            )
        (line,) = ax.plot(seconds, accuracies, "o-", ms=3, label=name)
        if target is not None:
            reached = np.flatnonzero(accuracies >= target)
            if reached.size:
                first = reached[0]
                ax.plot(seconds[first], accuracies[first], "*", ms=14, color=line.get_color())
                ax.annotate(
                    f"{seconds[first]:.0f} s",
                    (seconds[first], accuracies[first]),
                    textcoords="offset points",
                    xytext=(4, -14),
                    color=line.get_color(),
                    fontsize=9,
                )
    if target is not None:
        ax.axhline(target, ls="--", color="gray", label=f"target {target:.4f}")
    ax.set_xlabel(label("seconds of training (evaluation included)", "训练秒数（含评估）"))
    ax.set_ylabel(label("test accuracy", "测试准确率"))
    ax.set_xlim(left=0)
    ax.legend(fontsize=9, loc="lower right")
    ax.grid(alpha=0.3)
    return finish(fig, title or label("Test accuracy against seconds", "测试准确率与训练时间"))
