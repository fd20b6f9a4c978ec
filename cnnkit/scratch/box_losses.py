"""Bounding-box losses for object detection (目标检测), in NumPy: the IoU family and L1/L2/smooth-L1.

Boxes are corners ``(x1, y1, x2, y2)`` with x1 < x2 and y1 < y2, in a last axis of length 4;
any leading axes are a batch. For a predicted box B and a target box G:

- IoU  (交并比)  = |B ∩ G| / |B ∪ G|                              in [0, 1]
- GIoU = IoU - |C \\ (B ∪ G)| / |C|,  C the smallest box enclosing both        in (-1, 1]
- DIoU = IoU - rho^2 / c^2,  rho the distance of the centres, c the diagonal of C  in (-1, 1]
- CIoU = DIoU - alpha * v,  v = 4/pi^2 (arctan(w_G/h_G) - arctan(w_B/h_B))^2,
         alpha = v / ((1 - IoU) + v)                                (aspect-ratio term)

and each loss is 1 - metric. IoU is 0 for every pair of disjoint boxes, so 1 - IoU gives no
gradient to a prediction that misses its target; GIoU and DIoU keep growing with the distance
and so still pull it in. Small ``EPSILON`` terms keep every division finite.

Coordinate regression (坐标回归) per box, averaged over the 4 coordinates (Keras's reductions):
L1 = mean |d|, L2 = mean d^2, and smooth-L1 (Fast R-CNN) = Huber loss:
huber_delta(d) = d^2 / 2 if |d| <= delta else delta (|d| - delta / 2); smooth_l1_beta = huber_beta / beta.

NumPy only; :mod:`cnnkit.training.box_losses` computes the same numbers with ``keras.ops``.
"""

from __future__ import annotations

import numpy as np

#: Added to every denominator (areas, diagonals) so that degenerate boxes stay finite.
EPSILON = 1e-7


def _boxes(boxes, name: str) -> np.ndarray:
    array = np.asarray(boxes, dtype=float)
    if array.ndim == 0 or array.shape[-1] != 4:
        raise ValueError(
            f"{name} must be boxes (x1, y1, x2, y2) in a last axis of length 4, got shape "
            f"{array.shape}"
        )
    if np.any(array[..., 2] < array[..., 0]) or np.any(array[..., 3] < array[..., 1]):
        raise ValueError(f"{name}: each box needs x1 <= x2 and y1 <= y2 (corners, not x, y, w, h)")
    return array


def _out(value):
    return float(value) if np.ndim(value) == 0 else value


def _geometry(box, target):
    """Areas, intersection, union and enclosing box of two (batches of) boxes."""
    box, target = _boxes(box, "box"), _boxes(target, "target")
    width = np.clip(
        np.minimum(box[..., 2], target[..., 2]) - np.maximum(box[..., 0], target[..., 0]), 0, None
    )
    height = np.clip(
        np.minimum(box[..., 3], target[..., 3]) - np.maximum(box[..., 1], target[..., 1]), 0, None
    )
    intersection = width * height
    area_box = (box[..., 2] - box[..., 0]) * (box[..., 3] - box[..., 1])
    area_target = (target[..., 2] - target[..., 0]) * (target[..., 3] - target[..., 1])
    union = area_box + area_target - intersection
    enclosing = np.concatenate(
        [np.minimum(box[..., :2], target[..., :2]), np.maximum(box[..., 2:], target[..., 2:])],
        axis=-1,
    )
    return box, target, intersection, union, enclosing


def iou(box, target):
    """IoU = |B ∩ G| / |B ∪ G| (Intersection over Union, 交并比)."""
    _, _, intersection, union, _ = _geometry(box, target)
    return _out(intersection / (union + EPSILON))


def giou(box, target):
    """GIoU = IoU - |C \\ (B ∪ G)| / |C|, C the smallest box enclosing B and G."""
    _, _, intersection, union, c = _geometry(box, target)
    area_c = (c[..., 2] - c[..., 0]) * (c[..., 3] - c[..., 1])
    return _out(intersection / (union + EPSILON) - (area_c - union) / (area_c + EPSILON))


def _centre_penalty(box, target, c):
    """rho^2 / c^2: squared distance of the centres over the squared diagonal of C."""
    centre_box = (box[..., :2] + box[..., 2:]) / 2
    centre_target = (target[..., :2] + target[..., 2:]) / 2
    rho2 = np.sum((centre_box - centre_target) ** 2, axis=-1)
    c2 = np.sum((c[..., 2:] - c[..., :2]) ** 2, axis=-1)
    return rho2 / (c2 + EPSILON)


def diou(box, target):
    """DIoU = IoU - rho^2 / c^2 (distance of the centres over the diagonal of the enclosing box)."""
    box, target, intersection, union, c = _geometry(box, target)
    return _out(intersection / (union + EPSILON) - _centre_penalty(box, target, c))


def ciou(box, target):
    """CIoU = IoU - rho^2 / c^2 - alpha v, v = 4/pi^2 (atan(w_G/h_G) - atan(w_B/h_B))^2, alpha = v / (1 - IoU + v)."""
    box, target, intersection, union, c = _geometry(box, target)
    overlap = intersection / (union + EPSILON)
    aspect_box = np.arctan((box[..., 2] - box[..., 0]) / (box[..., 3] - box[..., 1] + EPSILON))
    aspect_target = np.arctan(
        (target[..., 2] - target[..., 0]) / (target[..., 3] - target[..., 1] + EPSILON)
    )
    v = 4 / np.pi**2 * (aspect_target - aspect_box) ** 2
    alpha = v / (1 - overlap + v + EPSILON)
    return _out(overlap - _centre_penalty(box, target, c) - alpha * v)


#: Metric name -> function; the loss of each is 1 - metric.
IOU_METRICS = {"IoU": iou, "GIoU": giou, "DIoU": diou, "CIoU": ciou}


def iou_loss(box, target, kind: str = "IoU"):
    """1 - metric for ``kind`` in "IoU", "GIoU", "DIoU", "CIoU"."""
    if kind not in IOU_METRICS:
        raise ValueError(f"kind must be one of {', '.join(IOU_METRICS)}, got {kind!r}")
    return _out(1 - np.asarray(IOU_METRICS[kind](box, target)))


# --- coordinate regression ----------------------------------------------------------------------


def _differences(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true, dtype=float), np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true {y_true.shape} and y_pred {y_pred.shape} must have the same shape"
        )
    return y_pred - y_true


def l1_loss(y_true, y_pred):
    """L1 = mean over the last axis of |y_pred - y_true| (Keras's mean_absolute_error)."""
    return _out(np.mean(np.abs(_differences(y_true, y_pred)), axis=-1))


def l2_loss(y_true, y_pred):
    """L2 = mean over the last axis of (y_pred - y_true)^2 (Keras's mean_squared_error)."""
    return _out(np.mean(_differences(y_true, y_pred) ** 2, axis=-1))


def huber_loss(y_true, y_pred, delta: float = 1.0):
    """Huber = mean of d^2/2 for |d| <= delta, delta (|d| - delta/2) beyond (keras.losses.Huber)."""
    if delta <= 0:
        raise ValueError(f"delta must be > 0, got {delta}")
    d = np.abs(_differences(y_true, y_pred))
    return _out(np.mean(np.where(d <= delta, 0.5 * d**2, delta * (d - 0.5 * delta)), axis=-1))


def smooth_l1_loss(y_true, y_pred, beta: float = 1.0):
    """Smooth L1 (Fast R-CNN) = mean of d^2/(2 beta) for |d| < beta, |d| - beta/2 beyond = Huber/beta."""
    if beta <= 0:
        raise ValueError(f"beta must be > 0, got {beta}")
    return _out(np.asarray(huber_loss(y_true, y_pred, delta=beta)) / beta)


def slide_box(target, offsets, axis: int = 0):
    """Copies of ``target`` moved by each offset along x (axis 0) or y (axis 1): shape (n, 4)."""
    target = _boxes(target, "target")
    moved = np.repeat(target[None], len(np.atleast_1d(offsets)), axis=0)
    moved[:, axis] += offsets
    moved[:, axis + 2] += offsets
    return moved


def descend_box(box, target, kind: str, steps: int = 100, learning_rate: float = 0.5, h=1e-4):
    """Gradient descent on the box's 4 corners with the loss 1 - ``kind``; returns (IoU per step, box).

    The learning rate falls linearly from ``learning_rate`` to 0, so the box settles instead of
    oscillating around the target (the IoU losses have kinks where the gradient does not vanish).

    The gradient is taken by central differences, so the same routine works for every metric:
    it shows which losses can move a box that does not touch its target at all.
    """
    box = _boxes(box, "box").copy()
    target = _boxes(target, "target")
    overlaps = [iou(box, target)]
    for _ in range(steps):
        gradient = np.zeros(4)
        for i in range(4):
            step = np.zeros(4)
            step[i] = h
            gradient[i] = (
                iou_loss(box + step, target, kind) - iou_loss(box - step, target, kind)
            ) / (2 * h)
        rate = learning_rate * (1 - len(overlaps) / (steps + 1))  # decays to 0: no end oscillation
        box = box - rate * gradient
        box[2:] = np.maximum(box[2:], box[:2] + 1e-3)  # keep x1 < x2, y1 < y2
        overlaps.append(iou(box, target))
    return np.array(overlaps), box
