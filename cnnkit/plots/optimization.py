"""Figures of chapter 07: overfitting and its remedies, gradients, optimizers, schedules, embeddings.

Every function builds its figure with ``plt.subplots``, closes it and returns it.
"""

from __future__ import annotations

import numpy as np

from cnnkit.style import label
from cnnkit.validation import check_history


def _plt():
    from cnnkit.plots.common import pyplot

    return pyplot()


def _finish(fig, title=None):
    from cnnkit.plots.common import finish

    return finish(fig, title)


def _history(history) -> dict:
    return check_history(history, required=("loss",))


def _epochs(values):
    return np.arange(1, len(values) + 1)


# --- overfitting --------------------------------------------------------------------------------


def overfitting_curves(history, title: str | None = None):
    """Training vs validation loss and accuracy; the gap (泛化差距) shaded and marked at the end.

    The dotted vertical line marks the epoch of the lowest validation loss: where early stopping
    would keep the weights.
    """
    logs = _history(history)
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    for ax, metric in zip(axes, ("loss", "accuracy"), strict=True):
        train, val = np.asarray(logs[metric]), np.asarray(logs[f"val_{metric}"])
        epochs = _epochs(train)
        ax.plot(epochs, train, "o-", ms=3, label="training")
        ax.plot(epochs, val, "o-", ms=3, label="validation")
        ax.fill_between(epochs, train, val, color="tab:red", alpha=0.12, label="gap")
        ax.annotate(
            "",
            xy=(epochs[-1], val[-1]),
            xytext=(epochs[-1], train[-1]),
            arrowprops=dict(arrowstyle="<->", color="tab:red"),
        )
        ax.text(
            epochs[-1],
            (train[-1] + val[-1]) / 2,
            f" gap {abs(val[-1] - train[-1]):.2f}",
            color="tab:red",
            va="center",
        )
        best = int(np.argmin(logs["val_loss"])) + 1
        ax.axvline(best, ls=":", color="gray", label=f"best val loss (epoch {best})")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.set_title(f"{metric}: training vs validation")
        ax.legend(fontsize=8)
    return _finish(fig, title or label("Overfitting", "过拟合"))


def remedy_comparison(table, histories, title: str | None = None):
    """One figure for all remedies: validation accuracy per epoch (one run each), the gap, and the
    final validation accuracy (``table`` columns ``gap`` and ``val accuracy``, e.g. means of seeds)."""
    plt = _plt()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2), gridspec_kw={"width_ratios": [1.4, 1, 1]})
    for name, logs in histories.items():
        logs = _history(logs)
        style = "k-" if name == "baseline" else "-"
        axes[0].plot(_epochs(logs["val_accuracy"]), logs["val_accuracy"], style, label=name)
    axes[0].set_xlabel("epoch")
    axes[0].set_ylabel("validation accuracy")
    axes[0].set_title("validation accuracy per epoch")
    axes[0].legend(fontsize=8)
    names = list(table.index)
    colours = ["black" if n == "baseline" else f"C{i}" for i, n in enumerate(names)]
    positions = np.arange(len(names))
    axes[1].barh(positions, table["gap"], color=colours)
    axes[1].set_title("train - validation accuracy (gap)")
    axes[2].barh(positions, table["val accuracy"], color=colours)
    low = float(table["val accuracy"].min())
    axes[2].set_xlim(max(0.0, low - 0.05), min(1.0, float(table["val accuracy"].max()) + 0.02))
    axes[2].set_title("final validation accuracy (higher is better)")
    for ax in axes[1:]:
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
    return _finish(fig, title or label("Remedies for overfitting", "过拟合的对策"))


def thinned_ensemble(table, inference_accuracy: float):
    """Accuracy of the average of k thinned networks vs k, against the single inference-mode pass."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 3.8))
    ax.plot(table["k"], table["accuracy"], "o-", label="average of k thinned networks")
    ax.axhline(inference_accuracy, color="k", ls="--", label="training=False (weight scaling)")
    ax.set_xscale("log")
    ax.set_xlabel("k (dropout masks averaged)")
    ax.set_ylabel("validation accuracy")
    ax.legend()
    return _finish(fig, label("Dropout as an implicit ensemble", "随机失活 = 隐式集成"))


def gradient_norms(table, title: str | None = None):
    """Per-layer gradient norms (log scale): one line per network, input side on the left."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4))
    positions = np.arange(1, len(table) + 1)
    for column in table.columns:
        ax.plot(positions, table[column], "o-", label=column)
    ax.set_yscale("log")
    ax.set_xticks(positions, [str(i) for i in positions[:-1]] + ["out"])
    ax.set_xlabel("layer (1 = next to the input)")
    ax.set_ylabel("||dL/dW||")
    ax.legend(fontsize=8)
    return _finish(
        fig,
        title or label("Vanishing and exploding gradients", "梯度消失与梯度爆炸"),
    )


# --- optimizers on 2-D surfaces ------------------------------------------------------------------


def _contours(ax, surface, resolution=200):
    X, Y, Z = surface.grid(resolution)
    if surface.log_contours:
        levels = np.geomspace(max(Z.min(), 1e-3), Z.max(), 25)
        from matplotlib.colors import LogNorm

        ax.contour(X, Y, Z, levels=levels, norm=LogNorm(), cmap="Greys", linewidths=0.6)
    else:
        ax.contour(X, Y, Z, levels=25, cmap="Greys", linewidths=0.6)
    for minimum in surface.minima:
        ax.plot(*minimum, "*", color="gold", ms=14, mec="k", zorder=5)
    ax.set_xlim(surface.xlim)
    ax.set_ylim(surface.ylim)


def optimizer_paths(surface, trajectories, ax=None):
    """Each optimizer's path drawn over the contour plot of ``surface``."""
    plt = _plt()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4.5))
    _contours(ax, surface)
    for index, (name, trajectory) in enumerate(trajectories.items()):
        points = trajectory.points
        ax.plot(points[:, 0], points[:, 1], "-", color=f"C{index}", lw=1.3, label=name)
        ax.plot(points[-1, 0], points[-1, 1], "o", color=f"C{index}", ms=4)
    ax.plot(*surface.start, "ks", ms=6)
    ax.set_title(f"{surface.name}: f = {surface.formula}")
    ax.legend(fontsize=7, loc="best")
    if fig is not None:
        return _finish(fig)
    return ax.figure


def loss_vs_step(trajectories, surface=None, ax=None):
    """Loss minus the surface's minimum (log scale) against the step, one line per optimizer."""
    plt = _plt()
    fig = None
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, 4))
    floor = surface.minimum_value if surface is not None else 0.0
    for index, (name, trajectory) in enumerate(trajectories.items()):
        gap = np.maximum(trajectory.losses - floor, 1e-12)
        ax.plot(np.arange(len(gap)), gap, color=f"C{index}", label=name)
    ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("loss - minimum" if surface is not None else "loss")
    if surface is not None:
        ax.set_title(f"{surface.name}: loss vs step")
    ax.legend(fontsize=7)
    if fig is not None:
        return _finish(fig)
    return ax.figure


def surface_comparison(results):
    """``results``: {surface: {name: Trajectory}} -> paths (top row) and loss vs step (bottom row)."""
    plt = _plt()
    count = len(results)
    fig, axes = plt.subplots(2, count, figsize=(5.2 * count, 8.5), squeeze=False)
    for column, (surface, trajectories) in enumerate(results.items()):
        optimizer_paths(surface, trajectories, ax=axes[0, column])
        loss_vs_step(trajectories, surface, ax=axes[1, column])
    return _finish(fig, label("Optimizers on 2-D loss surfaces", "优化算法的轨迹"))


def descent_comparison(x, y, runs, title: str | None = None):
    """Batch vs mini-batch vs stochastic gradient descent: paths over the MSE contours, loss per epoch."""
    from cnnkit.scratch.trajectories import mse_loss_grid

    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.5))
    all_points = np.concatenate([run.path for run in runs.values()])
    w_values = np.linspace(all_points[:, 0].min() - 0.5, all_points[:, 0].max() + 0.5, 120)
    b_values = np.linspace(all_points[:, 1].min() - 0.5, all_points[:, 1].max() + 0.5, 120)
    Z = mse_loss_grid(x, y, w_values, b_values)
    axes[0].contour(w_values, b_values, Z, levels=20, cmap="Greys", linewidths=0.6)
    for index, (name, run) in enumerate(runs.items()):
        axes[0].plot(
            run.path[:, 0],
            run.path[:, 1],
            "-",
            color=f"C{index}",
            lw=1,
            alpha=0.8,
            label=f"{name} ({run.updates_per_epoch} updates/epoch)",
        )
        axes[1].plot(
            np.arange(len(run.epoch_losses)),
            run.epoch_losses,
            "o-",
            color=f"C{index}",
            label=f"{name}: {1000 * run.seconds_per_epoch:.2f} ms/epoch",
        )
    axes[0].set_xlabel("w")
    axes[0].set_ylabel("b")
    axes[0].set_title("path in (w, b)")
    axes[0].legend(fontsize=8)
    axes[1].set_yscale("log")
    axes[1].set_xlabel("epoch")
    axes[1].set_ylabel("MSE on all data")
    axes[1].set_title("loss after each epoch")
    axes[1].legend(fontsize=8)
    return _finish(
        fig, title or label("Batch vs mini-batch vs stochastic", "批量/小批量/随机梯度下降")
    )


# --- training runs, learning rates and schedules ----------------------------------------------------


def curves_comparison(histories, title: str | None = None):
    """Training loss and accuracy per epoch, one line per run (optimizers, rates ...). The right
    panel shows validation accuracy when the runs have it, else training accuracy."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    logs_by_run = {name: _history(logs) for name, logs in histories.items()}
    key = "val_accuracy"
    if not any(key in logs for logs in logs_by_run.values()):
        key = "accuracy"
    for index, (name, logs) in enumerate(logs_by_run.items()):
        axes[0].plot(_epochs(logs["loss"]), logs["loss"], "o-", ms=3, color=f"C{index}", label=name)
        if key in logs:
            axes[1].plot(_epochs(logs[key]), logs[key], "o-", ms=3, color=f"C{index}", label=name)
    axes[0].set_yscale("log")
    axes[0].set_title("training loss")
    axes[1].set_title("validation accuracy" if key == "val_accuracy" else "training accuracy")
    for ax in axes:
        ax.set_xlabel("epoch")
        if ax.get_legend_handles_labels()[0]:  # no validation curves: no legend, no warning
            ax.legend(fontsize=8)
    if not axes[1].lines:
        axes[1].set_visible(False)
    return _finish(fig, title)


def learning_rate_schedules(values, title: str | None = None):
    """``values``: {name: array of learning rates per step} drawn on one axes."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(8, 4))
    for name, rates in values.items():
        ax.plot(np.arange(len(rates)), rates, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("learning rate")
    ax.legend(fontsize=8)
    return _finish(fig, title or label("Learning-rate schedules", "学习率衰减策略"))


def lr_range_test(results, suggestion: float | None = None):
    """Loss per batch (and its smoothed version) against the learning rate, log x-axis."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(results["learning_rate"], results["loss"], color="C0", alpha=0.35, label="batch loss")
    ax.plot(results["learning_rate"], results["smoothed"], color="C0", label="smoothed")
    best = results.loc[results["smoothed"].idxmin()]
    ax.plot(best["learning_rate"], best["smoothed"], "v", color="C3", ms=9, label="lowest loss")
    if suggestion is not None:
        ax.axvline(suggestion, color="C2", ls="--", label=f"chosen: {suggestion:.2g}")
    ax.set_xscale("log")
    top = float(results["smoothed"].iloc[0]) * 1.6
    ax.set_ylim(0, top)
    ax.set_xlabel("learning rate")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    return _finish(fig, label("Learning-rate range test", "学习率范围测试"))


def learning_rate_paths(runs, surface):
    """Gradient descent on ``surface`` with learning rates too small, right and too large."""
    return paths_and_losses(
        runs, surface, label("Learning rate: too small, right, too large", "学习率")
    )


# --- ensembles and losses ------------------------------------------------------------------------


def ensemble_bars(
    member_accuracies, ensemble_accuracy: float, single_accuracy: float | None = None
):
    """Accuracy of each weak model, of their average, and (optionally) of one bigger model."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 3.8))
    names = [f"weak {i + 1}" for i in range(len(member_accuracies))] + ["ensemble"]
    values = list(member_accuracies) + [ensemble_accuracy]
    colours = ["C0"] * len(member_accuracies) + ["C3"]
    if single_accuracy is not None:
        names.append("one model")
        values.append(single_accuracy)
        colours.append("C2")
    ax.bar(names, values, color=colours)
    ax.set_ylim(max(0.0, min(values) - 0.05), min(1.0, max(values) + 0.03))
    ax.set_ylabel("test accuracy")
    return _finish(fig, label("An ensemble of weak models", "集成"))


def focal_loss_curves(gammas=(0.0, 0.5, 1.0, 2.0, 5.0)):
    """-(1 - p)^gamma log p against p, the probability of the true class; gamma = 0 is cross-entropy.

    The curve is the formula itself, in NumPy (a figure module imports no training code).
    """
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    p = np.linspace(0.01, 1.0, 200)
    for gamma in gammas:
        name = "cross-entropy (γ = 0)" if gamma == 0 else f"γ = {gamma:g}"
        ax.plot(p, -((1 - p) ** gamma) * np.log(p), label=name)
    ax.axvspan(0.6, 1.0, color="tab:green", alpha=0.08)
    ax.text(0.8, 3.5, "well-classified:\nfocal loss ≈ 0", ha="center", fontsize=8)
    ax.set_ylim(0, 5)
    ax.set_xlabel("probability of the true class p")
    ax.set_ylabel("loss")
    ax.legend(fontsize=8)
    return _finish(fig, label("Focal loss", "焦点损失"))


def embeddings_2d(embeddings, class_names=None, max_points: int = 2000, title: str | None = None):
    """``embeddings``: {title: (features (n, 2), labels)} -> one scatter per title, coloured by class."""
    plt = _plt()
    count = len(embeddings)
    fig, axes = plt.subplots(1, count, figsize=(6 * count, 5.2), squeeze=False)
    for ax, (name, (features, labels)) in zip(axes[0], embeddings.items(), strict=True):
        features, labels = np.asarray(features)[:max_points], np.asarray(labels)[:max_points]
        for c in np.unique(labels):
            chosen = labels == c
            text = class_names[c] if class_names is not None else str(c)
            ax.scatter(
                features[chosen, 0],
                features[chosen, 1],
                s=4,
                alpha=0.6,
                color=f"C{c % 10}",
                label=text,
            )
        ax.set_title(name)
        ax.set_aspect("equal", adjustable="datalim")
    axes[0, -1].legend(fontsize=7, markerscale=3, loc="center left", bbox_to_anchor=(1, 0.5))
    return _finish(
        fig, title or label("2-D features: softmax vs softmax + center loss", "中心损失")
    )


# --- remedies: sweeps and pruning ---------------------------------------------------------------


def sweep_lines(tables: dict, x: str, y: str = "val accuracy", title: str | None = None):
    """One panel per table: ``y`` against ``x`` (e.g. validation accuracy against dropout rate)."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(tables), figsize=(5.5 * len(tables), 3.8), squeeze=False)
    for ax, (name, table) in zip(axes[0], tables.items(), strict=True):
        for column in [y] if isinstance(y, str) else y:
            ax.plot(table[x], table[column], "o-", label=column)
        ax.set_xlabel(x)
        ax.set_title(name)
        ax.legend(fontsize=8)
    return _finish(fig, title)


def paths_and_losses(runs, surface, title: str | None = None):
    """Paths over the contours of ``surface`` (left) and loss vs step (right), one line per run."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(12, 4.3))
    optimizer_paths(surface, runs, ax=axes[0])
    loss_vs_step(runs, surface, ax=axes[1])
    return _finish(fig, title)
