"""The IoU-family and smooth-L1 box losses with ``keras.ops`` (any backend), for ``model.compile``.

The same formulas as :mod:`cnnkit.scratch.box_losses` (NumPy), written with ``keras.ops`` so they
run inside a model on TensorFlow, JAX or PyTorch and are differentiable. Boxes are corners
``(x1, y1, x2, y2)`` in a last axis of length 4. Tests check NumPy = Keras to 1e-5.

    model.compile(loss=IoULoss("CIoU"), ...)         # y_true, y_pred: (batch, 4) boxes
    model.compile(loss=SmoothL1Loss(beta=1.0), ...)  # offsets regression (Fast R-CNN)
"""

from __future__ import annotations

import math

import keras
from keras import ops

from cnnkit.scratch.box_losses import EPSILON

KINDS = ("IoU", "GIoU", "DIoU", "CIoU")


def _area(box):
    return (box[..., 2] - box[..., 0]) * (box[..., 3] - box[..., 1])


def iou_metric(y_true, y_pred, kind: str = "IoU"):
    """IoU, GIoU, DIoU or CIoU of each predicted box with its target (shape: batch)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    target = ops.convert_to_tensor(y_true, dtype="float32")
    box = ops.convert_to_tensor(y_pred, dtype="float32")
    width = ops.relu(
        ops.minimum(box[..., 2], target[..., 2]) - ops.maximum(box[..., 0], target[..., 0])
    )
    height = ops.relu(
        ops.minimum(box[..., 3], target[..., 3]) - ops.maximum(box[..., 1], target[..., 1])
    )
    intersection = width * height
    union = _area(box) + _area(target) - intersection
    overlap = intersection / (union + EPSILON)
    if kind == "IoU":
        return overlap
    low = ops.minimum(box[..., :2], target[..., :2])
    high = ops.maximum(box[..., 2:], target[..., 2:])
    if kind == "GIoU":
        area_c = (high[..., 0] - low[..., 0]) * (high[..., 1] - low[..., 1])
        return overlap - (area_c - union) / (area_c + EPSILON)
    centre_gap = (box[..., :2] + box[..., 2:]) / 2 - (target[..., :2] + target[..., 2:]) / 2
    penalty = ops.sum(centre_gap**2, axis=-1) / (ops.sum((high - low) ** 2, axis=-1) + EPSILON)
    if kind == "DIoU":
        return overlap - penalty
    aspect_box = ops.arctan((box[..., 2] - box[..., 0]) / (box[..., 3] - box[..., 1] + EPSILON))
    aspect_target = ops.arctan(
        (target[..., 2] - target[..., 0]) / (target[..., 3] - target[..., 1] + EPSILON)
    )
    v = 4 / math.pi**2 * (aspect_target - aspect_box) ** 2
    alpha = ops.stop_gradient(v / (1 - overlap + v + EPSILON))  # a weight, not a path (CIoU paper)
    return overlap - penalty - alpha * v


class IoULoss(keras.losses.Loss):
    """1 - IoU / GIoU / DIoU / CIoU per box, averaged over the batch by Keras."""

    def __init__(self, kind: str = "GIoU", name: str | None = None, **kwargs):
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
        super().__init__(name=name or f"{kind.lower()}_loss", **kwargs)
        self.kind = kind

    def call(self, y_true, y_pred):
        return 1.0 - iou_metric(y_true, y_pred, self.kind)

    def get_config(self):
        return {**super().get_config(), "kind": self.kind}


def smooth_l1(y_true, y_pred, beta: float = 1.0):
    """Smooth L1 per sample: mean of d^2/(2 beta) for |d| < beta, |d| - beta/2 beyond."""
    if beta <= 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    d = ops.abs(ops.convert_to_tensor(y_pred, "float32") - ops.convert_to_tensor(y_true, "float32"))
    return ops.mean(ops.where(d < beta, 0.5 * d**2 / beta, d - 0.5 * beta), axis=-1)


class SmoothL1Loss(keras.losses.Loss):
    """Smooth L1 = Huber(delta = beta) / beta: quadratic near 0, linear (robust) for large errors."""

    def __init__(self, beta: float = 1.0, name: str = "smooth_l1_loss", **kwargs):
        super().__init__(name=name, **kwargs)
        self.beta = float(beta)

    def call(self, y_true, y_pred):
        return smooth_l1(y_true, y_pred, self.beta)

    def get_config(self):
        return {**super().get_config(), "beta": self.beta}
