"""Figures of chapter 07's detection and recognition losses: IoU family, box regression, triplet, ArcFace.

Every function builds its figure with ``plt.subplots``, closes it and returns it. The numbers come
from :mod:`cnnkit.scratch.box_losses` and :mod:`cnnkit.scratch.embedding_losses` (NumPy).
"""

from __future__ import annotations

import numpy as np

from cnnkit.scratch import box_losses
from cnnkit.style import label


def _plt():
    from cnnkit.plots.common import pyplot

    return pyplot()


def _finish(fig, title=None):
    from cnnkit.plots.common import finish

    return finish(fig, title)


def _draw_box(ax, box, **style):
    x1, y1, x2, y2 = box
    ax.plot([x1, x2, x2, x1, x1], [y1, y1, y2, y2, y1], **style)


def iou_family(target, offsets, moved=None):
    """Left: the target and boxes slid along x. Right: IoU, GIoU, DIoU, CIoU against the offset."""
    plt = _plt()
    moved = box_losses.slide_box(target, offsets) if moved is None else moved
    fig, axes = plt.subplots(1, 2, figsize=(12, 4))
    _draw_box(axes[0], target, color="k", lw=2.5, label="target G")
    for index in np.linspace(0, len(moved) - 1, 5).astype(int):
        _draw_box(axes[0], moved[index], color="tab:blue", lw=1, alpha=0.7)
    axes[0].plot([], [], color="tab:blue", label="predictions B (slid along x)")
    axes[0].set_aspect("equal")
    axes[0].legend(fontsize=8, loc="upper left")
    axes[0].set_title("boxes")
    for name, metric in box_losses.IOU_METRICS.items():
        axes[1].plot(offsets, metric(moved, target), label=name)
    axes[1].axhline(0, color="gray", lw=0.8)
    axes[1].set_xlabel("offset of B along x")
    axes[1].set_ylabel("metric (loss = 1 - metric)")
    axes[1].set_title("IoU is flat at 0 once the boxes are apart")
    axes[1].legend(fontsize=8)
    return _finish(fig, label("The IoU family", "交并比及其变体"))


def box_descent(overlaps: dict):
    """IoU of the box against gradient-descent step, one line per loss."""
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    for name, values in overlaps.items():
        ax.plot(np.arange(len(values)), values, label=f"loss 1 - {name}")
    ax.set_xlabel("gradient-descent step")
    ax.set_ylabel("IoU with the target")
    ax.set_ylim(-0.03, 1.0)
    ax.legend(fontsize=8)
    return _finish(fig, label("A box that misses its target, moved by each loss", "边框回归"))


def regression_losses(beta: float = 1.0, limit: float = 3.0):
    """L1, L2 and smooth-L1 against the error d (left) and their gradients (right)."""
    plt = _plt()
    d = np.linspace(-limit, limit, 401)
    zeros = np.zeros((len(d), 1))
    curves = {
        "L1 = |d|": box_losses.l1_loss(zeros, d[:, None]),
        "L2 = d²": box_losses.l2_loss(zeros, d[:, None]),
        f"smooth L1 (β = {beta:g})": box_losses.smooth_l1_loss(zeros, d[:, None], beta),
    }
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, values in curves.items():
        axes[0].plot(d, values, label=name)
        axes[1].plot(d[1:], np.diff(values) / np.diff(d), label=name)
    axes[0].set_ylim(0, limit)
    axes[0].set_title("loss")
    axes[1].set_ylim(-limit, limit)
    axes[1].set_title("gradient: L2's grows with the error, L1's and smooth L1's stay bounded")
    for ax in axes:
        ax.set_xlabel("error d = prediction - target")
        ax.axvspan(-beta, beta, color="tab:green", alpha=0.07)
        ax.legend(fontsize=8)
    return _finish(fig, label("Box regression losses", "边框回归损失"))


def triplet_and_arcface(margins=(0.2, 0.5), arc_margins=(0.0, 0.3, 0.5)):
    """Left: triplet loss against ||a-p||^2 - ||a-n||^2. Right: ArcFace's target logit against theta."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    gap = np.linspace(-1.5, 1.0, 300)
    for margin in margins:
        axes[0].plot(gap, np.maximum(gap + margin, 0), label=f"margin m = {margin:g}")
    axes[0].set_xlabel("‖a - p‖² - ‖a - n‖²")
    axes[0].set_ylabel("triplet loss")
    axes[0].set_title("zero once the negative is m farther than the positive")
    axes[0].legend(fontsize=8)
    theta = np.linspace(0, np.pi / 2, 200)
    for margin in arc_margins:
        name = "softmax: cos θ" if margin == 0 else f"ArcFace: cos(θ + {margin:g})"
        axes[1].plot(np.degrees(theta), np.cos(theta + margin), label=name)
    axes[1].set_xlabel("angle θ between feature and its class centre (degrees)")
    axes[1].set_ylabel("target logit / s")
    axes[1].set_title("the margin lowers the target logit: the angle must shrink more")
    axes[1].legend(fontsize=8)
    return _finish(fig, label("Triplet loss and ArcFace", "三元组损失与ArcFace"))
