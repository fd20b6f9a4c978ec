"""Losses beyond classification by hand: IoU, smooth L1 (Huber), focal loss, triplet loss
(chapter 07), each checked against Keras or NumPy."""

from __future__ import annotations

import math
import random

from cnnkit.review import sections
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import _keras, float_draft


def _box(rng: random.Random):
    x1, y1 = rng.randint(0, 5), rng.randint(0, 5)
    return (x1, y1, x1 + rng.randint(2, 6), y1 + rng.randint(2, 6))


def _iou(a, b) -> float:
    w = max(0, min(a[2], b[2]) - max(a[0], b[0]))
    h = max(0, min(a[3], b[3]) - max(a[1], b[1]))
    inter = w * h
    area = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1])
    return inter / (area - inter)


def iou(rng: random.Random) -> Draft:
    while True:
        a, b = _box(rng), _box(rng)
        if 0.05 < _iou(a, b) < 0.95:
            break
    exact = _iou(a, b)
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    area_a = (a[2] - a[0]) * (a[3] - a[1])
    area_b = (b[2] - b[0]) * (b[3] - b[1])
    statement = (
        f"A predicted box is {a} and the true box {b}, both as (x1, y1, x2, y2). What is their "
        "IoU (intersection over union, 交并比)? (3 decimals)"
    )
    solution = (
        f"Intersection: {w} × {h} = {w * h}. Areas: {area_a} and {area_b}. Union = {area_a} + "
        f"{area_b} - {w * h} = {area_a + area_b - w * h}.\n\nIoU = {w * h}/{area_a + area_b - w * h}"
        f" = {exact:.4f}; the IoU loss would be 1 - IoU = {1 - exact:.4f}.\n\n"
        f"**Answer:** {round(exact, 3)}"
    )
    pairs = [
        (
            w * h / (area_a + area_b),
            "The union counts the overlap once: subtract the intersection.",
        ),
        (1 - exact, "That is the IoU loss 1 - IoU; the question asks for the IoU."),
        (w * h / max(area_a, area_b), "Divide by the union, not by one box's area."),
    ]

    def verify():
        import numpy as np

        boxes = np.zeros((12, 12))
        boxes[a[1] : a[3], a[0] : a[2]] += 1  # rasterise both boxes and count pixels
        boxes[b[1] : b[3], b[0] : b[2]] += 1
        got = float((boxes == 2).sum() / (boxes > 0).sum())
        return abs(got - exact) < 1e-9, got

    data = dict(a=a, b=b)
    return float_draft(
        statement, exact, solution, pairs, verify, data, source=sections.LOSSES_BEYOND
    )


def smooth_l1(rng: random.Random) -> Draft:
    errors = [rng.choice([-2.5, -1.5, -0.6, -0.2, 0.4, 0.8, 1.2, 3.0]) for _ in range(2)]

    def term(e):
        return 0.5 * e * e if abs(e) < 1 else abs(e) - 0.5

    exact = sum(term(e) for e in errors) / len(errors)
    statement = (
        f"A box regressor's errors (prediction - target) on two coordinates are {errors}. What is "
        "the smooth L1 loss (Huber with δ = 1, averaged over the coordinates)? (3 decimals)"
    )
    solution = (
        "smooth L1: 0.5·e² if |e| < 1, else |e| - 0.5.\n\n"
        + ", ".join(f"e = {e:g} → {term(e):.3f}" for e in errors)
        + f"\n\nMean = {exact:.4f}.\n\n**Answer:** {round(exact, 3)}"
    )
    pairs = [
        (
            sum(abs(e) for e in errors) / 2,
            "That is the plain L1 loss; smooth L1 is quadratic below |e| = 1 and shifted by 0.5 above.",
        ),
        (sum(e * e for e in errors) / 2, "That is MSE; smooth L1 grows linearly for |e| ≥ 1."),
        (sum(term(e) for e in errors), "Average over the two coordinates."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        got = float(
            keras.losses.Huber(delta=1.0)(
                np.zeros((1, 2), "float32"), np.array([errors], "float32")
            )
        )
        return abs(got - exact) < 1e-5, got

    data = dict(errors=errors)
    return float_draft(
        statement, exact, solution, pairs, verify, data, source=sections.LOSSES_BEYOND
    )


def focal(rng: random.Random) -> Draft:
    p = rng.choice([0.6, 0.7, 0.8, 0.9, 0.95, 0.3])
    gamma = rng.choice([1.0, 2.0])
    exact = -((1 - p) ** gamma) * math.log(p)
    statement = (
        f"A detector gives the true class of a box probability p_t = {p:g}. What is its focal loss "
        f"(焦点损失) FL = -(1 - p_t)^γ·ln p_t with γ = {gamma:g} and no α weighting? (4 decimals)"
    )
    solution = (
        f"Cross-entropy -ln {p:g} = {-math.log(p):.4f}, down-weighted by (1 - {p:g})^{gamma:g} = "
        f"{(1 - p) ** gamma:.4f}: FL = {exact:.4f}. An easy box (p_t near 1) counts little.\n\n"
        f"**Answer:** {round(exact, 4)}"
    )
    pairs = [
        (-math.log(p), "That is plain cross-entropy; multiply by (1 - p_t)^γ."),
        (-(p**gamma) * math.log(p), "The factor is (1 - p_t)^γ, which is small for easy examples."),
        (-((1 - p) ** gamma) * math.log10(p), "Use the natural log."),
    ]

    def verify():
        import numpy as np

        keras = _keras()
        loss = keras.losses.BinaryFocalCrossentropy(gamma=gamma, apply_class_balancing=False)
        got = float(loss(np.array([[1.0]]), np.array([[p]], "float32")))
        return abs(got - exact) < 1e-4, got

    data = dict(p=p, gamma=gamma)
    return float_draft(
        statement, exact, solution, pairs, verify, data, tol=2e-4, digits=4, source=sections.FOCAL
    )


def triplet(rng: random.Random) -> Draft:
    """FaceNet's triplet loss on squared distances, as chapter 07 and the formula sheet write it:
    L = max(‖a - p‖² - ‖a - n‖² + margin, 0)."""
    while True:
        d_pos = rng.choice([0.2, 0.5, 0.8, 1.0, 1.4])
        d_neg = rng.choice([0.3, 0.6, 1.0, 1.5, 2.0])
        margin = rng.choice([0.2, 0.5, 1.0])
        raw = d_pos**2 - d_neg**2 + margin
        exact = max(raw, 0.0)
        pairs = [
            (max(d_pos - d_neg + margin, 0.0), "Square the distances: ‖a - p‖² - ‖a - n‖²."),
            (raw, "Clip at 0: a triplet that already satisfies the margin costs nothing."),
            (
                max(d_neg**2 - d_pos**2 + margin, 0.0),
                "The positive's distance comes first: ‖a - p‖² - ‖a - n‖².",
            ),
            (max(d_pos**2 - d_neg**2, 0.0), "Add the margin."),
        ]
        # Keep only mistakes that differ from the answer at the asked precision; redraw when
        # no mistake is left to teach or the first one (forgetting the squares) would pass.
        pairs = [(value, message) for value, message in pairs if abs(value - exact) > 0.011]
        if pairs and pairs[0][1].startswith("Square"):
            break
    statement = (
        f"For an anchor a, a positive p (same identity) and a negative n, the embedding distances "
        f"are ‖a - p‖ = {d_pos:g} and ‖a - n‖ = {d_neg:g}. What is the triplet loss with margin "
        f"{margin:g}? (L = max(‖a - p‖² - ‖a - n‖² + margin, 0), squared distances as in FaceNet)"
    )
    solution = (
        f"‖a - p‖² - ‖a - n‖² + margin = {d_pos**2:g} - {d_neg**2:g} + {margin:g} = "
        f"{raw:.2f}; clipped at 0: {exact:.2f}.\n\n**Answer:** {round(exact, 2)}"
    )

    def verify():
        import numpy as np

        from cnnkit.scratch.embedding_losses import triplet_loss

        # Embeddings on a line: a at 0, p at d_pos, n at -d_neg (their distances to a).
        got = float(triplet_loss([[0.0]], [[d_pos]], [[-d_neg]], margin)[0])
        return abs(got - exact) < 1e-9 and np.isfinite(got), got

    data = dict(d_pos=d_pos, d_neg=d_neg, margin=margin)
    return float_draft(
        statement,
        exact,
        solution,
        pairs,
        verify,
        data,
        tol=0.006,
        digits=2,
        source=sections.RECOGNITION,
    )


def loss_values(rng: random.Random) -> Draft:
    """One of the four losses above (one topic, several formulas)."""
    return rng.choice([iou, smooth_l1, focal, triplet])(rng)
