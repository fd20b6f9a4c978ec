"""Figures of chapter 06 (生成对抗网络): sample grids, progress over epochs, losses, D's accuracy, class histograms."""

from __future__ import annotations

import math

import numpy as np

from cnnkit.plots.common import pyplot
from cnnkit.style import label
from cnnkit.validation import check_history

__all__ = [
    "class_histogram",
    "discriminator_accuracy",
    "gan_losses",
    "progress_over_epochs",
    "sample_grid",
]


def _as_images(images):
    if callable(getattr(images, "detach", None)):  # a PyTorch tensor may carry an autograd graph
        images = images.detach().cpu()
    images = np.asarray(images, dtype=float)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, H, W) or (N, H, W, 1), got {images.shape}.")
    if images.min() < 0:  # generator output in [-1, 1]
        images = (images + 1) / 2
    return np.clip(images, 0, 1)


def sample_grid(images, columns: int | None = None, title: str | None = None, size: float = 1.0):
    """Images in a grid (generator outputs in [-1, 1] or pixels in [0, 1])."""
    images = _as_images(images)
    count = len(images)
    columns = columns or math.ceil(math.sqrt(count))
    rows = math.ceil(count / columns)
    fig, axes = pyplot().subplots(
        rows, columns, figsize=(size * columns, size * rows + 0.4), squeeze=False
    )
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, image in zip(axes.flat, images, strict=False):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=1)
    if title:
        fig.suptitle(title)
    fig.tight_layout(pad=0.2)
    pyplot().close(fig)
    return fig


def progress_over_epochs(grids, samples: int = 8):
    """One row per recorded epoch, the same noise vectors in every row: how G's samples evolve.

    ``grids``: a list of (epoch, images) as :class:`cnnkit.training.gan.SampleGrid` keeps them.
    """
    grids = list(grids)
    if not grids:
        raise ValueError("no grids recorded: train with the SampleGrid callback first.")
    samples = min(samples, len(grids[0][1]))
    fig, axes = pyplot().subplots(
        len(grids), samples, figsize=(0.9 * samples + 0.8, 0.9 * len(grids) + 0.5), squeeze=False
    )
    for row, (epoch, images) in enumerate(grids):
        images = _as_images(images)
        for column in range(samples):
            ax = axes[row, column]
            ax.imshow(images[column], cmap="gray_r", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            for spine in ax.spines.values():
                spine.set_visible(False)
        axes[row, 0].set_ylabel(f"epoch {epoch}", rotation=0, ha="right", va="center")
    fig.suptitle(label("G(z) for fixed z over the epochs", "训练过程"))
    fig.tight_layout(pad=0.3)
    pyplot().close(fig)
    return fig


def _history(history):
    return check_history(history)


def gan_losses(history, title: str | None = None):
    """d_loss and g_loss per epoch. ln 4 ≈ 1.386 (D loss) and ln 2 ≈ 0.693 (G loss) mark the equilibrium D = 1/2."""
    logs = _history(history)
    return _per_epoch(
        {
            label("D loss", "判别器损失"): logs["d_loss"],
            label("G loss", "生成器损失"): logs["g_loss"],
        },
        levels={np.log(4): "tab:blue", np.log(2): "tab:orange"},
        ylabel="binary cross-entropy",
        title=title or "losses of the two players (dotted: D(x) = 1/2 everywhere)",
    )


def discriminator_accuracy(history, title: str | None = None):
    """D's accuracy on real images (D(x) > 0.5) and on generated ones (D(G(z)) < 0.5) per epoch."""
    logs = _history(history)
    return _per_epoch(
        {"on real images": logs["d_acc_real"], "on generated images": logs["d_acc_fake"]},
        levels={0.5: "k"},
        ylabel="accuracy of D",
        title=title or "D's accuracy (0.5 = D can no longer tell)",
        ylim=(0, 1.02),
    )


def _per_epoch(curves: dict, *, levels: dict, ylabel: str, title: str, ylim=None):
    """One line with markers per curve (label -> value per epoch), dotted reference ``levels``
    (value -> colour), epochs counted from 1."""
    fig, ax = pyplot().subplots(figsize=(6.5, 3.5))
    for name, values in curves.items():
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", label=name)
    for level, colour in levels.items():
        ax.axhline(level, color=colour, ls=":", lw=1)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    pyplot().close(fig)
    return fig


def class_histogram(probabilities: dict, class_names, reference=None):
    """Share of generated samples per predicted class, one panel per setting, with mean confidence.

    ``probabilities`` maps a setting name to classifier outputs (N, classes) on its samples;
    ``reference`` (optional) is the class share of real data, drawn as a dotted line.
    """
    names = list(probabilities)
    fig, axes = pyplot().subplots(
        1, len(names), figsize=(5.2 * len(names), 3.6), squeeze=False, sharey=True
    )
    for ax, name in zip(axes[0], names, strict=True):
        probs = np.asarray(probabilities[name])
        counts = np.bincount(probs.argmax(axis=1), minlength=len(class_names))
        share = counts / counts.sum()
        ax.bar(np.arange(len(class_names)), share, color="tab:purple")
        if reference is not None:
            ax.step(
                np.arange(len(class_names) + 1) - 0.5,
                np.append(reference, reference[-1]),
                where="post",
                color="k",
                ls=":",
                lw=1,
            )
        ax.set_xticks(np.arange(len(class_names)), class_names, rotation=60, fontsize=8)
        covered = int((share >= 0.02).sum())
        ax.set_title(
            f"{name}\n{covered}/{len(class_names)} classes ≥ 2%, "
            f"mean confidence {probs.max(axis=1).mean():.2f}"
        )
    axes[0, 0].set_ylabel("share of generated samples")
    fig.tight_layout()
    pyplot().close(fig)
    return fig
