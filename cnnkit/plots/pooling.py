"""Figures of chapter 03: pooling step by step, max/average/min side by side, position sensitivity.

- :func:`pooling_step`: one pooling window (池化窗口) on the input, its values, the result, and the
  output grid with that cell being filled (the pooling counterpart of
  :func:`cnnkit.plots.convolution.convolution_step`).
- :func:`pooling_comparison`: max (最大池化), average (平均池化) and min pooling of the same grid.
- :func:`similarity_vs_shift`: how similar the features of a shifted image stay, per network.
- :func:`train_test_gap`: training against test accuracy per network (overfitting 过拟合).
- :func:`global_average_pooling`: feature maps and the one number each becomes (全局平均池化).
"""

from __future__ import annotations

import numpy as np

from cnnkit.plots.common import Drawn, pyplot
from cnnkit.plots.convolution import _draw_grid, _draw_output_so_far, _number, _outline
from cnnkit.scratch import average_pool2d, max_pool2d, min_pool2d
from cnnkit.style import label

POOLS = {"max": max_pool2d, "average": average_pool2d, "min": min_pool2d}
_CHINESE = {"max": "最大池化", "average": "平均池化", "min": "最小池化"}
_REDUCE = {"max": np.max, "average": np.mean, "min": np.min}


def _pool_function(mode):
    if mode not in POOLS:
        raise ValueError(f"mode must be one of {sorted(POOLS)}, got {mode!r}")
    return POOLS[mode]


def pooling_step(grid, pool_size=2, stride=None, position=(0, 0), mode="max"):
    """Pooling at one output position: input with the window outlined, the window's values and
    its max/average/min, and the output grid with that cell filled ('valid' padding).

    The numbers come from :mod:`cnnkit.scratch.pooling` (as Keras's pooling layers compute them);
    returns a :class:`~cnnkit.plots.common.Drawn`: the figure, and ``value``, ``window`` and
    ``output`` in ``.values``; a notebook shows it as the figure.
    """
    pool = _pool_function(mode)
    grid = np.asarray(grid, dtype=float)
    stride = pool_size if stride is None else stride
    output = pool(grid, pool_size, stride)
    i, j = int(position[0]), int(position[1])
    if not (0 <= i < output.shape[0] and 0 <= j < output.shape[1]):
        raise ValueError(
            f"position {position} is outside the {output.shape[0]}×{output.shape[1]} output"
        )
    top, left = i * stride, j * stride
    window = grid[top : top + pool_size, left : left + pool_size]
    value = float(_REDUCE[mode](window))

    fig, axes = pyplot().subplots(
        1,
        3,
        figsize=(11, 3.6),
        gridspec_kw={"width_ratios": [grid.shape[1], pool_size, output.shape[1]]},
    )
    _draw_grid(axes[0], grid, title=f"{label('input', '输入')} {grid.shape[0]}×{grid.shape[1]}")
    _outline(axes[0], top, left, pool_size, pool_size)
    _draw_grid(axes[1], window, title=f"window: {mode} = {_number(value)}")
    title = f"{label(f'{mode} pooling', _CHINESE[mode])} {output.shape[0]}×{output.shape[1]}"
    _draw_output_so_far(axes[2], output, i, j, title)
    fig.suptitle(
        f"window {pool_size}×{pool_size}, stride {stride}: output[{i}, {j}] = {mode} of the window "
        f"= {_number(value)}",
        fontsize="medium",
    )
    fig.tight_layout()
    pyplot().close(fig)
    return Drawn(fig, {"value": value, "window": window, "output": output})


def pooling_comparison(grid, pool_size=2, stride=None):
    """The input and its max, average and min pooling side by side (four panels).

    Each output cell is written out; the first window is outlined in every panel.
    """
    grid = np.asarray(grid, dtype=float)
    stride = pool_size if stride is None else stride
    outputs = {mode: POOLS[mode](grid, pool_size, stride) for mode in POOLS}
    widths = [grid.shape[1]] + [out.shape[1] for out in outputs.values()]
    fig, axes = pyplot().subplots(1, 4, figsize=(12, 3.4), gridspec_kw={"width_ratios": widths})
    _draw_grid(axes[0], grid, title=f"input {grid.shape[0]}×{grid.shape[1]}")
    _outline(axes[0], 0, 0, pool_size, pool_size)
    for ax, (mode, out) in zip(axes[1:], outputs.items(), strict=True):
        _draw_grid(ax, out, title=f"{label(mode, _CHINESE[mode])} {out.shape[0]}×{out.shape[1]}")
        _outline(ax, 0, 0, 1, 1)
    fig.suptitle(f"pool size {pool_size}, stride {stride}", fontsize="medium")
    fig.tight_layout()
    pyplot().close(fig)
    return fig


def similarity_vs_shift(
    shifts,
    similarities,
    *,
    ylabel="cosine similarity to the unshifted features",
    spread=None,
    title=None,
):
    """Lines of feature similarity against the input shift: ``similarities`` is {network: values}.

    ``spread`` (optional) is {network: (lowest values, highest values)} per shift, e.g. the
    range over seeds, drawn as a shaded band around that network's line.
    """
    shifts = list(shifts)
    if not isinstance(similarities, dict) or not similarities:
        raise TypeError("similarities must be a non-empty dict {network name: values per shift}")
    spread = spread or {}
    unknown = set(spread) - set(similarities)
    if unknown:
        raise ValueError(f"spread names networks without a line: {sorted(unknown)}")
    fig, ax = pyplot().subplots(figsize=(6.5, 4))
    for name, values in similarities.items():
        values = list(values)
        if len(values) != len(shifts):
            raise ValueError(f"{name!r} has {len(values)} values for {len(shifts)} shifts")
        (line,) = ax.plot(shifts, values, marker="o", label=name)
        if name in spread:
            low, high = (list(bound) for bound in spread[name])
            if len(low) != len(shifts) or len(high) != len(shifts):
                raise ValueError(
                    f"the spread of {name!r} needs one low and one high value per shift "
                    f"({len(shifts)}), got {len(low)} and {len(high)}"
                )
            ax.fill_between(shifts, low, high, color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xticks(shifts)
    ax.set_xlabel("shift of the input (pixels)")
    ax.set_ylabel(ylabel)
    ax.set_title(title or label("Position sensitivity", "位置敏感性"), fontsize="medium")
    ax.legend()
    fig.tight_layout()
    pyplot().close(fig)
    return fig


def train_test_gap(networks, train_accuracy, test_accuracy, *, title=None, per_seed=None):
    """Paired bars per network: training and test accuracy, the gap between them written above.

    The y axis starts at 0, so bar heights compare. ``per_seed`` (optional) is
    ``(train_values, test_values)``, each a list per network of the accuracies of its seeds,
    drawn as black dots on the bars: when two networks' dots overlap, the seeds do not separate
    them. A large gap (high training, lower test accuracy) is overfitting (过拟合).
    """
    networks = list(networks)
    train = np.asarray(train_accuracy, dtype=float)
    test = np.asarray(test_accuracy, dtype=float)
    if not networks or train.shape != (len(networks),) or test.shape != (len(networks),):
        raise ValueError(
            "train_test_gap needs one training and one test accuracy per network, got "
            f"{len(networks)} networks, {train.shape} and {test.shape}"
        )
    if per_seed is not None and (
        len(per_seed) != 2 or any(len(values) != len(networks) for values in per_seed)
    ):
        raise ValueError(
            "per_seed must be (train_values, test_values), each a list of seed values per network"
        )
    positions = np.arange(len(networks))
    fig, ax = pyplot().subplots(figsize=(1.9 * len(networks) + 1.5, 3.6))
    ax.bar(positions - 0.2, train, 0.4, label=label("training", "训练集"), color="tab:blue")
    ax.bar(positions + 0.2, test, 0.4, label=label("test", "测试集"), color="tab:orange")
    if per_seed is not None:
        for offset, values_per_network in zip((-0.2, 0.2), per_seed, strict=True):
            for x, values in zip(positions + offset, values_per_network, strict=True):
                ax.plot(np.full(len(values), x), values, "o", color="black", markersize=3, zorder=3)
        ax.plot([], [], "o", color="black", markersize=3, label="one seed")
    for x, high, low in zip(positions, train, test, strict=True):
        ax.annotate(f"gap {high - low:+.3f}", (x, max(high, low) + 0.01), ha="center", fontsize=8)
    ax.set_xticks(positions, [name.replace(" (", "\n(") for name in networks], fontsize=8)
    ax.set_ylim(0.0, 1.08)
    ax.set_ylabel(label("accuracy", "准确率"))
    ax.set_title(title or label("Training vs test accuracy", "过拟合"), fontsize="medium")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    pyplot().close(fig)
    return fig


def global_average_pooling(maps, *, max_maps=6, image=None):
    """The first feature maps (H, W, K) of one image and, under each, the one number global
    average pooling keeps: its mean. A bar chart shows all K averages, the classifier's input.
    ``image`` (optional, (H, W) or (H, W, 1) greyscale) is drawn first: the input the maps
    were computed from.
    """
    maps = np.asarray(maps, dtype=float)
    if maps.ndim == 4:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(f"maps must be (H, W, K) or (1, H, W, K), got shape {maps.shape}")
    if image is not None:
        image = np.asarray(image, dtype=float)
        image = image.reshape(image.shape[-3:-1]) if image.ndim > 2 else image
        if image.ndim != 2:
            raise ValueError(
                f"image must be one greyscale image (H, W) or (H, W, 1), got {image.shape}"
            )
    means = maps.mean(axis=(0, 1))
    count = min(max_maps, maps.shape[-1])
    first = 0 if image is None else 1
    fig = pyplot().figure(figsize=(1.6 * (count + first), 4.4))
    grid = fig.add_gridspec(2, count + first, height_ratios=(1.0, 1.1))
    if image is not None:
        ax = fig.add_subplot(grid[0, 0])
        ax.imshow(image, cmap="gray")
        ax.set_title(f"{label('input', '输入')}\n{image.shape[0]}×{image.shape[1]}", fontsize=8)
        ax.axis("off")
    vmax = float(maps[..., :count].max()) or 1.0
    for index in range(count):
        ax = fig.add_subplot(grid[0, first + index])
        ax.imshow(maps[..., index], cmap="viridis", vmin=0, vmax=vmax)
        ax.set_title(f"map {index}\nmean {means[index]:.2f}", fontsize=8)
        ax.axis("off")
    bars = fig.add_subplot(grid[1, :])
    colours = ["tab:red" if k < count else "tab:grey" for k in range(means.size)]
    bars.bar(np.arange(means.size), means, color=colours)
    bars.set_xlabel(f"feature map (all {means.size}; red: the maps shown above)")
    bars.set_ylabel("mean")
    bars.set_title(
        label(
            f"global average pooling: {maps.shape[0]}×{maps.shape[1]}×{maps.shape[2]} -> {means.size} numbers",
            "全局平均池化",
        ),
        fontsize="medium",
    )
    fig.tight_layout()
    pyplot().close(fig)
    return fig
