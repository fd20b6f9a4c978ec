"""Losses for detection and recognition on the formula sheet: the IoU family, smooth L1, triplet, ArcFace.

The implementations are the NumPy ones of :mod:`cnnkit.scratch.box_losses` and
:mod:`cnnkit.scratch.embedding_losses` (one home for each formula); this module only registers
them with a worked example, plus two one-line scalar forms for the sheet. Boxes are corners
(x1, y1, x2, y2). Never imports TensorFlow or Keras.
"""

from __future__ import annotations

import math

from cnnkit.formulas._checks import real_arguments
from cnnkit.formulas.registry import formula
from cnnkit.scratch import box_losses, embedding_losses

iou = formula(
    title="IoU (box overlap)",
    chinese="交并比",
    text="IoU = |B ∩ G| / |B ∪ G|;  IoU loss = 1 - IoU",
    legend="B predicted box, G target box; boxes as corners (x1, y1, x2, y2)",
    example=dict(box=(0, 0, 2, 2), target=(1, 1, 3, 3)),
    chapter="07",
)(real_arguments(box_losses.iou))

giou = formula(
    title="GIoU",
    chinese="广义交并比",
    text="GIoU = IoU - |C \\ (B ∪ G)| / |C|",
    legend="C the smallest box enclosing B and G; < 0 for disjoint boxes, so 1 - GIoU still pulls",
    example=dict(box=(0, 0, 1, 1), target=(2, 0, 3, 1)),
    chapter="07",
)(real_arguments(box_losses.giou))

diou = formula(
    title="DIoU",
    chinese="距离交并比",
    text="DIoU = IoU - ρ² / c²",
    legend="ρ distance between the box centres, c diagonal of the enclosing box C",
    example=dict(box=(0, 0, 1, 1), target=(2, 0, 3, 1)),
    chapter="07",
)(real_arguments(box_losses.diou))

ciou = formula(
    title="CIoU",
    chinese="完全交并比",
    text="CIoU = IoU - ρ²/c² - αv;  v = 4/π² (atan(w_G/h_G) - atan(w_B/h_B))²,  α = v / (1 - IoU + v)",
    legend="v compares the aspect ratios (w/h) of target G and prediction B",
    example=dict(box=(0, 0, 2, 1), target=(1, 0, 2, 2)),
    chapter="07",
)(real_arguments(box_losses.ciou))

smooth_l1_loss = formula(
    title="Smooth L1 (Huber) box regression",
    chinese="平滑L1损失",
    text="smooth L1(d) = d² / (2β) if |d| < β, else |d| - β/2  (= Huber_δ=β / β)",
    legend="d = prediction - target per coordinate, averaged over the coordinates; L1 = |d|, L2 = d²",
    example=dict(y_true=(0.0, 0.0), y_pred=(0.5, 3.0), beta=1.0),
    chapter="07",
)(real_arguments(box_losses.smooth_l1_loss))


@formula(
    title="Triplet loss",
    chinese="三元组损失",
    text="L = max(‖a - p‖² - ‖a - n‖² + m, 0)",
    legend="a anchor, p positive (same class), n negative (other class), m margin",
    example=dict(anchor=(0.0, 0.0), positive=(0.3, 0.4), negative=(0.6, 0.0), margin=0.2),
    chapter="07",
)
@real_arguments
def triplet_margin_loss(anchor, positive, negative, margin=0.2) -> float:
    """Triplet loss of one (anchor, positive, negative): max(|a - p|^2 - |a - n|^2 + m, 0)."""
    value = embedding_losses.triplet_loss([anchor], [positive], [negative], margin)
    return round(float(value[0]), 12)


@formula(
    title="ArcFace target logit",
    chinese="加性角度间隔损失",
    text="logit_y = s · cos(θ_y + m), other classes s · cos θ_j; loss = cross-entropy",
    legend="θ angle between the normalised feature and class centre, m angular margin, s scale",
    example=dict(cos_theta=0.8, margin=0.3, scale=16.0),
    chapter="07",
)
@real_arguments
def arcface_target_logit(cos_theta, margin=0.3, scale=16.0) -> float:
    """s cos(theta + m) for a feature at cos(theta) from its own class centre (ArcFace)."""
    if not -1.0 <= cos_theta <= 1.0:
        raise ValueError(f"cos_theta is a cosine and must lie in [-1, 1], got {cos_theta}")
    if margin < 0 or scale <= 0:
        raise ValueError(f"margin must be >= 0 and scale > 0, got margin={margin}, scale={scale}")
    return scale * math.cos(math.acos(cos_theta) + margin)
