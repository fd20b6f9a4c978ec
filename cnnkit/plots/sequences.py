"""Figures of chapter 05 (循环神经网络): the unrolled RNN, hidden states, forecasts, gradients through time."""

from __future__ import annotations

import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from cnnkit.style import label, pyplot

__all__ = [
    "adding_results",
    "forecast",
    "gradient_norms",
    "hidden_state",
    "loss_curves",
    "unrolled_rnn",
]


def _box(ax, xy, text, colour):
    x, y = xy
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.32, y - 0.22),
            0.64,
            0.44,
            boxstyle="round,pad=0.03",
            facecolor=colour,
            edgecolor="0.25",
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _arrow(ax, start, end, text, colour="0.2", offset=(0.08, 0.0), **kwargs):
    ax.add_patch(
        FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=12, color=colour, lw=1.4, **kwargs
        )
    )
    mid = ((start[0] + end[0]) / 2 + offset[0], (start[1] + end[1]) / 2 + offset[1])
    ax.text(*mid, text, color=colour, fontsize=11, ha="left", va="center")


def unrolled_rnn(steps: int = 4):
    """The RNN folded (a loop on s) and unrolled in time: the same U, W, V at every step.

    s_t = f(U·x_t + W·s_{t-1} + b), o_t = g(V·s_t); the first state s_0 is zeros.
    """
    if not isinstance(steps, int) or not 1 <= steps <= 8:
        raise ValueError(f"steps must be an integer from 1 to 8, got {steps!r}.")
    plt = pyplot()
    fig, (folded, unrolled) = plt.subplots(
        1, 2, figsize=(3 + 1.9 * steps, 3.6), gridspec_kw={"width_ratios": [1, steps + 0.6]}
    )
    colours = {"x": "#dbe9f6", "s": "#fde2c4", "o": "#d8f0d2"}
    for ax in (folded, unrolled):
        ax.set_axis_off()
        ax.set_aspect("equal")
    # folded
    _box(folded, (0, 0), "$x$", colours["x"])
    _box(folded, (0, 1.2), "$s$", colours["s"])
    _box(folded, (0, 2.4), "$o$", colours["o"])
    _arrow(folded, (0, 0.24), (0, 0.96), "U", "tab:blue")
    _arrow(folded, (0, 1.44), (0, 2.16), "V", "tab:green")
    folded.add_patch(
        FancyArrowPatch(
            (0.34, 1.3),
            (0.34, 1.1),
            connectionstyle="arc3,rad=-2.2",
            arrowstyle="-|>",
            mutation_scale=12,
            color="tab:red",
            lw=1.4,
        )
    )
    folded.text(0.78, 1.2, "W", color="tab:red", fontsize=11, va="center")
    folded.set_xlim(-0.6, 1.1)
    folded.set_ylim(-0.5, 2.9)
    folded.set_title(label("folded", "折叠"))
    # unrolled
    names = [f"{t}" for t in range(1, steps + 1)]
    _box(unrolled, (0, 1.2), "$s_0=0$", "#eeeeee")
    for i, t in enumerate(names, start=1):
        x = 1.5 * i
        _box(unrolled, (x, 0), f"$x_{{{t}}}$", colours["x"])
        _box(unrolled, (x, 1.2), f"$s_{{{t}}}$", colours["s"])
        _box(unrolled, (x, 2.4), f"$o_{{{t}}}$", colours["o"])
        _arrow(unrolled, (x, 0.24), (x, 0.96), "U", "tab:blue")
        _arrow(unrolled, (x, 1.44), (x, 2.16), "V", "tab:green")
        _arrow(
            unrolled, (x - 1.5 + 0.34, 1.2), (x - 0.34, 1.2), "W", "tab:red", offset=(-0.12, 0.15)
        )
    unrolled.set_xlim(-0.6, 1.5 * steps + 0.6)
    unrolled.set_ylim(-0.5, 2.9)
    unrolled.set_title(
        label("unrolled in time: the same U, W, V at every step", "按时间展开, 权值共享")
    )
    fig.suptitle(r"$s_t = f(U x_t + W s_{t-1} + b)$,   $o_t = g(V s_t)$", y=0.02, va="bottom")
    fig.tight_layout()
    plt.close(fig)
    return fig


def hidden_state(states, image=None, units: int = 32, title: str | None = None):
    """Heat map of the hidden state s_t (first ``units`` units) for t = 1..T, beside the input image.

    ``states``: (T, units) from one sequence; ``image``: (T, features) read row by row, or None.
    """
    states = np.asarray(states)
    if states.ndim != 2:
        raise ValueError(f"states must have shape (T, units), got {states.shape}.")
    shown = states[:, :units]
    columns = 2 if image is not None else 1
    plt = pyplot()
    fig, axes = plt.subplots(
        1,
        columns,
        figsize=(4 + 3 * columns, 3.8),
        gridspec_kw={"width_ratios": [1, 2.2]} if image is not None else None,
        squeeze=False,
    )
    axes = axes[0]
    if image is not None:
        axes[0].imshow(np.asarray(image), cmap="gray_r")
        axes[0].set_title(label("input: one row per step", "输入序列"))
        axes[0].set_ylabel("time step t (row)")
        axes[0].grid(False)
    ax = axes[-1]
    picture = ax.imshow(shown.T, aspect="auto", cmap="RdBu_r", vmin=-1, vmax=1)
    ax.set_xlabel("time step t")
    ax.set_ylabel("hidden unit")
    ax.set_title(title or label("hidden state s_t along the sequence", "隐藏状态"))
    ax.grid(False)
    fig.colorbar(picture, ax=ax, fraction=0.04)
    fig.tight_layout()
    plt.close(fig)
    return fig


def forecast(t, series, split: int, predictions: dict):
    """The generated series, the train/test split and each model's one-step forecasts on the test part.

    ``predictions`` maps a model name to its forecasts for ``series[split:]`` (windows that
    end just before each test value).
    """
    t = np.asarray(t)
    series = np.asarray(series)
    plt = pyplot()
    fig, (whole, zoom) = plt.subplots(1, 2, figsize=(12, 3.6), gridspec_kw={"width_ratios": [2, 1]})
    whole.plot(t, series, color="0.6", lw=0.8, label="signal")
    whole.axvline(t[split], color="k", ls="--", lw=1)
    whole.text(t[split], whole.get_ylim()[1], "  test →", va="top")
    whole.set_title(label("trend + seasonality + noise", "时间序列"))
    start = split
    zoom.plot(t[start:], series[start:], color="0.6", lw=1, label="true")
    for name, values in predictions.items():
        values = np.asarray(values).reshape(-1)
        for ax in (whole, zoom):
            ax.plot(t[start : start + len(values)], values, lw=1.2, label=name)
    zoom.set_xlim(t[start], t[min(start + 150, len(t) - 1)])
    zoom.set_title("one-step forecasts (test, zoomed)")
    for ax in (whole, zoom):
        ax.set_xlabel("t")
    zoom.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig


def gradient_norms(norms: dict, title: str | None = None, relative: bool = False):
    """||dLoss/dx_t|| against t (log scale), one line per model: vanishing gradients (梯度消失) made visible.

    ``relative=True`` divides each line by its value at the last step, so every line ends at 1
    and the height at t = 1 is the factor by which the gradient shrank (or grew) over T - 1 steps.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    for name, values in norms.items():
        values = np.asarray(values, dtype=float)
        if relative:
            values = values / values[-1]
        ax.semilogy(np.arange(1, len(values) + 1), np.maximum(values, 1e-30), label=name)
    ax.set_xlabel("time step t (the loss is computed after the last step)")
    if relative:
        ax.set_ylabel(r"$\|\partial L / \partial x_t\| \;/\; \|\partial L / \partial x_T\|$")
    else:
        ax.set_ylabel(r"$\|\partial L / \partial x_t\|$")
    ax.set_title(title or label("gradient reaching each time step", "梯度消失"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig


def adding_results(results: dict, baseline: float):
    """Test MSE on the adding problem for each model (bars) and sequence length (groups), with the baseline.

    ``results`` maps a model name to {length: test MSE} or {length: [test MSE of each seed]}:
    the bar is the mean over the seeds and every seed is drawn as a black dot on it.
    """
    names = list(results)
    lengths = sorted({length for scores in results.values() for length in scores})
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    width = 0.8 / max(len(names), 1)
    seeds_drawn = False
    for i, name in enumerate(names):
        centres = np.arange(len(lengths)) + (i - (len(names) - 1) / 2) * width
        per_length = [np.atleast_1d(results[name].get(length, np.nan)) for length in lengths]
        ax.bar(centres, [values.mean() for values in per_length], width, label=name)
        for centre, values in zip(centres, per_length, strict=True):
            if len(values) > 1:
                ax.plot(np.full(len(values), centre), values, "k.", ms=5)
                seeds_drawn = True
    ax.axhline(baseline, color="k", ls="--", lw=1, label=f"always 1.0 (MSE {baseline:.3f})")
    if seeds_drawn:
        ax.plot([], [], "k.", label="one seed (bar: mean)")
    ax.set_xticks(np.arange(len(lengths)), [f"T = {length}" for length in lengths])
    ax.set_ylabel("test MSE (lower is better)")
    ax.set_title(label("the adding problem: remembering across T steps", "长期依赖"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig


def loss_curves(
    losses: dict,
    title: str | None = None,
    ylabel: str = "training loss (MSE)",
    baseline: tuple[float, str] | None = None,
):
    """Loss per epoch (log scale), one colour per set-up; a run whose loss became NaN/inf is marked ×.

    ``losses`` maps a set-up's name to its list of per-epoch losses (``history.history["loss"]``)
    or to a list of such lists, one per seed (drawn in the same colour, labelled once).
    ``baseline = (value, name)`` adds a dashed horizontal line, e.g. the loss of a constant answer.
    """
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 3.8))
    runs_by_name = {}
    for name, values in losses.items():
        values = list(values)
        nested = len(values) > 0 and np.ndim(values[0]) == 1
        runs_by_name[name] = [
            np.asarray(run, dtype=float) for run in (values if nested else [values])
        ]
    finite_values = [
        v for runs in runs_by_name.values() for run in runs for v in run if np.isfinite(v)
    ]
    top = max(finite_values) * 3 if finite_values else 1.0
    for index, (name, runs) in enumerate(runs_by_name.items()):
        colour = f"C{index}"
        nan_labelled = False
        for run_index, values in enumerate(runs):
            epochs = np.arange(1, len(values) + 1)
            broken = ~np.isfinite(values)
            ax.semilogy(
                epochs[~broken],
                values[~broken],
                marker="o",
                color=colour,
                label=name if run_index == 0 else None,
            )
            if broken.any():
                ax.plot(
                    epochs[broken],
                    np.full(broken.sum(), top),
                    "x",
                    ms=10,
                    color=colour,
                    label=None if nan_labelled else f"{name}: NaN",
                )
                nan_labelled = True
    if baseline is not None:
        value, name = baseline
        ax.axhline(value, color="k", ls="--", lw=1, label=f"{name} ({value:.3f})")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title or label("exploding gradients and clipping", "梯度爆炸, 梯度裁剪"))
    ax.legend(fontsize=8)
    fig.tight_layout()
    plt.close(fig)
    return fig
