"""Figures of chapter 01 (neural-network basics). Every function returns a matplotlib Figure.

Each one builds its figure with ``plt.subplots``, closes it (so a notebook shows it once, as
the cell's last expression) and returns it. Chinese terms go through
:func:`cnnkit.style.label`, which falls back to English when no CJK font is installed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from cnnkit.plots.common import class_name, image_grid, pyplot
from cnnkit.style import label
from cnnkit.validation import check_history

#: English name, Chinese name of each activation (激活函数) the course draws.
ACTIVATION_NAMES = {
    "step": ("step", "阶跃函数"),
    "sigmoid": ("sigmoid", "S型函数"),
    "tanh": ("tanh", "双曲正切"),
    "relu": ("ReLU", "线性整流"),
    "leaky_relu": ("leaky ReLU", "带泄露的ReLU"),
    "linear": ("linear", "线性"),
}


_plt = pyplot


def _finish(fig):
    fig.tight_layout()
    _plt().close(fig)
    return fig


# --- activations ------------------------------------------------------------------------------


def activation_functions(names=tuple(ACTIVATION_NAMES), z_limit: float = 5.0, columns: int = 3):
    """One panel per activation: f(z) (solid) and its derivative f'(z) (dashed) for |z| <= z_limit.

    The derivative panels show saturation (饱和): sigmoid's f' peaks at 0.25 and tanh's at 1,
    both nearly 0 for large |z|; ReLU's is a constant 1 for z > 0.
    """
    from cnnkit.scratch import get_activation

    if isinstance(names, str):
        names = (names,)
    names = tuple(names)
    if not names:
        raise ValueError("names must list at least one activation, e.g. ('sigmoid', 'relu')")
    z = np.linspace(-z_limit, z_limit, 401)
    columns = max(1, min(columns, len(names)))
    rows = -(-len(names) // columns)
    plt = _plt()
    fig, axes = plt.subplots(rows, columns, figsize=(3.4 * columns, 2.7 * rows), squeeze=False)
    for ax in axes.flat[len(names) :]:
        ax.set_visible(False)
    for ax, name in zip(axes.flat, names, strict=False):
        f, df = get_activation(name)
        english, chinese = ACTIVATION_NAMES.get(name.lower(), (name, name))
        ax.plot(z, f(z), label="f(z)", color="tab:blue")
        ax.plot(z, df(z), "--", label=label("f'(z), derivative", "导数"), color="tab:orange")
        ax.axhline(0, color="grey", lw=0.6)
        ax.axvline(0, color="grey", lw=0.6)
        ax.set_title(label(english, chinese))
        ax.set_xlabel("z")
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(label("Activation functions and their derivatives", "激活函数及其导数"))
    return _finish(fig)


def linear_collapse(depth: int = 4, width: int = 16, seed: int = 0):
    """Random 1-input networks of ``depth`` layers: with linear activations the output is one
    straight line however deep; with ReLU it bends (piecewise linear).

    Left: several random linear stacks; right: the same weights with ReLU between layers.
    """
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    rng = np.random.default_rng(seed)
    x = np.linspace(-3, 3, 301)[:, None]
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.3), sharex=True)
    for net in range(4):
        sizes = [1] + [width] * (depth - 1) + [1]
        weights = [
            (rng.normal(0, 1 / np.sqrt(n_in), (n_in, n_out)), rng.normal(0, 0.5, n_out))
            for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
        ]
        for ax, activation in zip(axes, (lambda h: h, lambda h: np.maximum(h, 0)), strict=True):
            h = x
            for index, (w, b) in enumerate(weights):
                h = h @ w + b
                if index < len(weights) - 1:
                    h = activation(h)
            ax.plot(x[:, 0], h[:, 0], label=f"network {net + 1}")
    axes[0].set_title(label(f"{depth} linear layers: still a line", "线性层堆叠"))
    axes[1].set_title(f"{depth} layers with ReLU: bends")
    for ax in axes:
        ax.set_xlabel("input x")
    axes[0].set_ylabel("output")
    axes[0].legend(fontsize=7)
    return _finish(fig)


# --- gradient descent -------------------------------------------------------------------------


def _default_cost(w):
    return w**2


def _default_gradient(w):
    return 2 * w


def gradient_descent_path(
    gradient: Callable = _default_gradient, w0: float = -4.0, learning_rate=0.1, steps=10
):
    """Positions w_0, w_1, ..., w_steps of gradient descent w <- w - α·dJ/dw (length steps + 1)."""
    if not callable(gradient):
        raise TypeError("gradient must be a function of w that returns dJ/dw")
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if learning_rate <= 0:
        raise ValueError(f"learning_rate must be positive, got {learning_rate!r}")
    path = [float(w0)]
    for _ in range(steps):
        path.append(path[-1] - learning_rate * float(gradient(path[-1])))
    return np.array(path)


def gradient_descent(
    learning_rates=(0.05, 0.3, 0.9, 1.05),
    w0: float = -4.0,
    steps: int = 12,
    cost: Callable = _default_cost,
    gradient: Callable = _default_gradient,
):
    """The ball rolling down J(w): one panel per learning rate α (学习率), same start w0.

    Defaults: J(w) = w², dJ/dw = 2w. Small α crawls, a good α arrives quickly, α near 1
    zig-zags across the valley, α > 1 overshoots further each step and diverges.
    """
    if isinstance(learning_rates, (int, float)):
        learning_rates = (learning_rates,)
    learning_rates = tuple(learning_rates)
    if not learning_rates:
        raise ValueError("learning_rates must hold at least one positive number")
    paths = [gradient_descent_path(gradient, w0, rate, steps) for rate in learning_rates]
    reach = max(abs(w0), 1.0) * 1.25
    plt = _plt()
    fig, axes = plt.subplots(
        1, len(learning_rates), figsize=(3.2 * len(learning_rates), 3.0), squeeze=False
    )
    for ax, rate, path in zip(axes[0], learning_rates, paths, strict=True):
        shown = path[np.abs(path) <= 4 * reach]  # a diverging path leaves the picture
        w = np.linspace(-reach, reach, 300)
        ax.plot(w, cost(w), color="grey", label="J(w)")
        ax.plot(shown, cost(shown), "o-", color="tab:red", ms=4, lw=1, label="w over steps")
        ax.plot(shown[:1], cost(shown[:1]), "o", color="black", ms=6)
        ax.set_xlim(-reach, reach)
        ax.set_ylim(-0.05 * cost(reach), 1.1 * cost(reach))
        ax.set_title(f"α = {rate:g}: w_{steps} = {path[-1]:.3g}")
        ax.set_xlabel("w")
    axes[0][0].set_ylabel("J(w)")
    axes[0][0].legend(fontsize=7, loc="upper center")
    fig.suptitle(label("Gradient descent w ← w − α·dJ/dw", "梯度下降"))
    return _finish(fig)


# --- classifiers on 2-D data ------------------------------------------------------------------


def _predicted_classes(predict, points):
    if hasattr(predict, "layers") and hasattr(predict, "predict"):  # a Keras model
        # A direct call runs eagerly: for toy 2-D data that is faster than tracing predict().
        out = predict(points, training=False)
        import keras

        out = keras.ops.convert_to_numpy(out)  # any backend (a torch tensor may carry a graph)
    else:
        out = predict(points)
    out = np.asarray(out)
    if out.ndim == 2 and out.shape[1] > 1:
        return np.argmax(out, axis=1)
    out = out.reshape(len(points))
    if np.issubdtype(out.dtype, np.integer) or np.issubdtype(out.dtype, np.bool_):
        return out.astype(int)
    return (out >= 0.5).astype(int)


def decision_boundary(predict, X, y, title: str | None = None, resolution: int = 150):
    """Coloured regions of the class a classifier predicts over the plane, with the data on top.

    ``predict`` maps an (n, 2) array to class probabilities (n, classes), a probability of
    class 1 (n,) or (n, 1), or class indices; a Keras model works as it is. A dict
    ``{title: predict}`` draws one panel per classifier, side by side. Each panel's title
    reports the accuracy on (X, y).
    """
    X = np.asarray(X, dtype="float32")
    y = np.asarray(y).astype(int).reshape(-1)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (samples, 2) for a plane, got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)} labels")
    panels = dict(predict) if isinstance(predict, Mapping) else {title or "": predict}
    margin = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-9
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()]).astype("float32")
    n_classes = int(y.max()) + 1
    plt = _plt()
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.4), squeeze=False)
    for ax, (name, function) in zip(axes[0], panels.items(), strict=True):
        regions = _predicted_classes(function, grid).reshape(xx.shape)
        accuracy = float(np.mean(_predicted_classes(function, X) == y))
        ax.contourf(
            xx,
            yy,
            regions,
            levels=np.arange(-0.5, max(n_classes, int(regions.max()) + 1)),
            cmap="coolwarm" if n_classes == 2 else "viridis",
            alpha=0.35,
        )
        ax.scatter(
            X[:, 0],
            X[:, 1],
            c=y,
            s=8,
            cmap="coolwarm" if n_classes == 2 else "viridis",
            edgecolors="k",
            linewidths=0.2,
        )
        heading = f"{name}: accuracy {accuracy:.2f}" if name else f"accuracy {accuracy:.2f}"
        ax.set_title(heading)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle(label("Decision boundary", "决策边界"))
    return _finish(fig)


# --- training ---------------------------------------------------------------------------------


def history_dict(history) -> dict:
    """The dict of lists inside a Keras ``History``, a ``LiveHistory`` or a plain dict."""
    return check_history(history)


def _metric_key(logs, metric):
    if metric in logs:
        return metric
    # "accuracy" also finds "sparse_categorical_accuracy", "binary_accuracy", ...
    candidates = [k for k in logs if k.endswith(metric) and not k.startswith("val_")]
    return candidates[0] if candidates else None


def curve_keys(history, metrics=None) -> tuple[str, ...]:
    """The recorded keys :func:`training_curves` draws, one panel each (``val_`` partners aside).

    ``metrics`` (e.g. ``("loss", "accuracy")``) picks them; "accuracy" also finds
    "sparse_categorical_accuracy"; metrics that were not recorded are skipped. None means every
    training metric except ``learning_rate``.
    """
    logs = history_dict(history)
    if metrics is None:
        metrics = [k for k in logs if not k.startswith("val_") and k != "learning_rate"]
    elif isinstance(metrics, str):
        metrics = [metrics]
    keys = tuple(key for key in (_metric_key(logs, m) for m in metrics) if key is not None)
    if not keys:
        raise ValueError(
            f"none of the metrics {list(metrics)} was recorded; the history has {sorted(logs)}"
        )
    return keys


def training_curves(history, metrics=None, title: str | None = None):
    """Training and validation curves, one panel per metric (loss 损失, accuracy 准确率, ...).

    ``history``: a Keras ``History``, a ``LiveHistory`` or a dict of lists. ``metrics``
    (e.g. ``("loss", "accuracy")``) picks panels (see :func:`curve_keys`).
    """
    logs = history_dict(history)
    keys = curve_keys(logs, metrics)
    chinese = {"loss": "损失", "accuracy": "准确率"}
    plt = _plt()
    fig, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.1), squeeze=False)
    for ax, key in zip(axes[0], keys, strict=True):
        train = logs[key]
        epochs = np.arange(1, len(train) + 1)
        ax.plot(epochs, train, "o-", ms=3, label="train")
        if f"val_{key}" in logs:
            ax.plot(
                np.arange(1, len(logs[f"val_{key}"]) + 1),
                logs[f"val_{key}"],
                "s--",
                ms=3,
                label="validation",
            )
        short = next((c for c in chinese if key.endswith(c)), None)
        ax.set_title(label(key, chinese[short]) if short else key)
        ax.set_xlabel(label("epoch", "轮"))
        if len(epochs) < 15:
            ax.set_xticks(epochs)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    return _finish(fig)


def update_training_curves(fig, history, keys):
    """Put the epochs recorded so far into a figure that :func:`training_curves` built.

    ``keys``: the panels' keys, as :func:`curve_keys` gave them when the figure was built.
    Cheaper than building a new figure (no new axes, no layout pass): the live plot of
    :class:`cnnkit.training.LiveHistory` calls it after every epoch. Returns ``fig``.
    """
    keys = tuple(keys)
    if len(keys) != len(fig.get_axes()):
        raise ValueError(
            f"update_training_curves got {len(keys)} keys for a figure with "
            f"{len(fig.get_axes())} panels: pass the curve_keys() the figure was built with"
        )
    logs = history_dict(history)
    for ax, key in zip(fig.get_axes(), keys, strict=True):
        series = [logs.get(key, [])]
        if f"val_{key}" in logs:
            series.append(logs[f"val_{key}"])
        for line, values in zip(ax.get_lines(), series, strict=False):
            line.set_data(np.arange(1, len(values) + 1), values)
        epochs = len(series[0])
        if epochs < 15:  # one tick per epoch, as training_curves draws them
            ax.set_xticks(np.arange(1, epochs + 1))
        else:
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.relim()
        ax.autoscale_view()
    return fig


# --- images and classification results --------------------------------------------------------


def sample_grid(images, labels, class_names=None, predictions=None, columns=10, max_images=20):
    """A grid of sample images titled with their class names (and predictions, red when wrong)."""
    return image_grid(
        images,
        labels,
        class_names,
        predictions,
        columns=columns,
        max_images=max_images,
        title=label("Samples", "样本"),
    )


def confusion_counts(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """counts[i, j] = how many samples of true class i were predicted as class j.

    scikit-learn's ``confusion_matrix`` with every class 0..n_classes-1 as a row and a column
    (classes nobody predicted get zeros); labels outside that range are an error here, where
    scikit-learn would drop them silently.
    """
    y_true = np.asarray(y_true).astype(int).reshape(-1)
    y_pred = np.asarray(y_pred).astype(int).reshape(-1)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}")
    if n_classes is None:
        n_classes = int(max(y_true.max(), y_pred.max())) + 1
    if y_true.min() < 0 or y_pred.min() < 0 or max(y_true.max(), y_pred.max()) >= n_classes:
        raise ValueError(f"labels must lie in 0..{n_classes - 1}")
    from sklearn.metrics import confusion_matrix as sklearn_confusion_matrix

    return sklearn_confusion_matrix(y_true, y_pred, labels=np.arange(n_classes))


def confusion_matrix(y_true, y_pred, class_names=None, title: str | None = None):
    """Confusion matrix (混淆矩阵): rows are true classes, columns predictions, cells counts.

    ``y_pred`` may be class indices or the model's probabilities (argmax is taken).
    """
    y_pred = np.asarray(y_pred)
    if y_pred.ndim == 2 and y_pred.shape[1] > 1:
        y_pred = np.argmax(y_pred, axis=1)
    n_classes = len(class_names) if class_names is not None else None
    counts = confusion_counts(y_true, y_pred, n_classes)
    n = counts.shape[0]
    names = [class_name(i, class_names) for i in range(n)]
    plt = _plt()
    size = 2.0 + 0.55 * n
    fig, ax = plt.subplots(figsize=(size + 1, size))
    image = ax.imshow(counts, cmap="Blues")
    ax.grid(False)
    threshold = counts.max() / 2 if counts.size else 0
    for i in range(n):
        for j in range(n):
            ax.text(
                j,
                i,
                str(counts[i, j]),
                ha="center",
                va="center",
                fontsize=7 if n > 6 else 9,
                color="white" if counts[i, j] > threshold else "black",
            )
    ax.set_xticks(range(n), names, rotation=45, ha="right")
    ax.set_yticks(range(n), names)
    ax.set_xlabel(label("predicted class", "预测类别"))
    ax.set_ylabel(label("true class", "真实类别"))
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title(title or f"{label('Confusion matrix', '混淆矩阵')}: accuracy {accuracy:.3f}")
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return _finish(fig)


# --- softmax and losses -----------------------------------------------------------------------


def softmax_bars(logits, class_names=None, title: str | None = None):
    """Two bar charts: the logits z and the probabilities softmax(z), which sum to 1."""
    from cnnkit.scratch import softmax

    z = np.asarray(logits, dtype=float).reshape(-1)
    if z.size < 2:
        raise ValueError("softmax_bars needs at least two logits")
    p = softmax(z)
    names = [class_name(i, class_names) for i in range(z.size)]
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(8.5, 3.0))
    axes[0].bar(names, z, color="tab:grey")
    axes[0].set_title(label("logits z", "未归一化得分"))
    bars = axes[1].bar(names, p, color="tab:blue")
    axes[1].bar_label(bars, labels=[f"{v:.2f}" for v in p], fontsize=7)
    axes[1].set_ylim(0, 1.1)
    axes[1].set_title(label("softmax(z), sums to 1", "归一化指数函数"))
    for ax in axes:
        ax.tick_params(axis="x", rotation=45 if z.size > 4 else 0)
    if title:
        fig.suptitle(title)
    return _finish(fig)


def max_entropy(random_entropies, softmax_entropy: float, expected_score: float, lam: float):
    """The maximum-entropy principle (最大熵原理) as a histogram.

    ``random_entropies``: entropies of random distributions that all have the same expected
    score; ``softmax_entropy``: the entropy of softmax(λz) with that expected score. The
    vertical line sits to the right of every bar: no competitor has more entropy.
    """
    values = np.asarray(random_entropies, dtype=float).reshape(-1)
    if values.size == 0:
        raise ValueError("max_entropy needs the entropies of at least one random distribution")
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    ax.hist(values, bins=40, color="tab:grey", alpha=0.8, label=f"{values.size:,} random p")
    ax.axvline(softmax_entropy, color="tab:red", lw=2, label=f"softmax(λz), λ = {lam:.2f}")
    ax.set_xlabel(label("entropy H(p) = -Σ p ln p", "熵"))
    ax.set_ylabel(label("count", "个数"))
    ax.set_title(label(f"all with Σ p·z = {expected_score:.3f}", "最大熵原理"))
    ax.legend(fontsize=8, loc="upper left")
    return _finish(fig)


def loss_vs_probability(marks=(0.9,)):
    """Loss of one sample against the probability p it gives its true class.

    Cross-entropy (交叉熵) -ln p (Keras) and -log10 p (the students' notes) fall to 0 as
    p -> 1 and explode as p -> 0; squared error (1 - p)² of the one-hot target stays bounded.
    Each value in ``marks`` is annotated on the -ln p curve.
    """
    p = np.linspace(0.01, 1.0, 300)
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5.5, 3.4))
    ax.plot(p, -np.log(p), label="-ln p (natural log, Keras)")
    ax.plot(p, -np.log10(p), "--", label="-log10 p (students' notes)")
    ax.plot(p, (1 - p) ** 2, ":", label="(1 - p)² (squared error)")
    for mark in marks:
        ax.plot([mark], [-np.log(mark)], "o", color="black")
        ax.annotate(
            f"p={mark:g}: {-np.log(mark):.3f}",
            (mark, -np.log(mark)),
            textcoords="offset points",
            xytext=(-40, 18),
            fontsize=8,
        )
    ax.set_ylim(0, 4.7)
    ax.set_xlabel(label("predicted probability of the true class", "真实类别的预测概率"))
    ax.set_ylabel(label("loss", "损失"))
    ax.set_title(label("Loss falls as the prediction nears the truth", "损失函数"))
    ax.legend(fontsize=8)
    return _finish(fig)
