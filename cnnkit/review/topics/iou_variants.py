"""GIoU, DIoU and CIoU by hand (chapter 07, the IoU family of box losses), verified by NumPy
written apart: areas by counting the pixels of rasterised boxes, centres and the enclosing
diagonal from the corner coordinates."""

from __future__ import annotations

import math
import random

from cnnkit.review import sections
from cnnkit.review.problem import Draft, Source
from cnnkit.review.topics._checks import float_draft

IOU_FAMILY = Source(sections.OVERFIT, "7. Losses for detection: the IoU family and box regression")

SHEET = {"iou_variants": ("iou", "giou", "diou", "ciou")}


def _box(rng: random.Random):
    x1, y1 = rng.randint(0, 6), rng.randint(0, 6)
    return (x1, y1, x1 + rng.randint(1, 5), y1 + rng.randint(1, 5))


def _parts(b, g):
    """Intersection, union, enclosing box C's area, squared centre distance ρ², C's diagonal² c²."""
    w = max(0, min(b[2], g[2]) - max(b[0], g[0]))
    h = max(0, min(b[3], g[3]) - max(b[1], g[1]))
    inter = w * h
    union = (b[2] - b[0]) * (b[3] - b[1]) + (g[2] - g[0]) * (g[3] - g[1]) - inter
    cw, ch = max(b[2], g[2]) - min(b[0], g[0]), max(b[3], g[3]) - min(b[1], g[1])
    rho2 = ((b[0] + b[2]) / 2 - (g[0] + g[2]) / 2) ** 2 + (
        (b[1] + b[3]) / 2 - (g[1] + g[3]) / 2
    ) ** 2
    return inter, union, cw * ch, rho2, cw * cw + ch * ch


def _aspect_term(b, g, iou):
    v = (
        4
        / math.pi**2
        * (math.atan((g[2] - g[0]) / (g[3] - g[1])) - math.atan((b[2] - b[0]) / (b[3] - b[1]))) ** 2
    )
    alpha = v / (1 - iou + v) if v else 0.0
    return v, alpha


def iou_variants(rng: random.Random) -> Draft:
    """GIoU = IoU - |C \\ (B ∪ G)|/|C|; DIoU = IoU - ρ²/c²; CIoU = DIoU - α·v."""
    kind = rng.choice(["GIoU", "DIoU", "CIoU"])
    while True:
        b, g = _box(rng), _box(rng)
        inter, union, hull, rho2, diag2 = _parts(b, g)
        iou = inter / union
        v, alpha = _aspect_term(b, g, iou)
        value = {"GIoU": iou - (hull - union) / hull, "DIoU": iou - rho2 / diag2}.get(kind, 1)
        if (
            b != g
            and hull > union
            and rho2 > 0
            and (alpha * v > 0.005 or kind != "CIoU" and v == 0)
            and abs(value) > 0.01
        ):
            break
    giou = iou - (hull - union) / hull
    diou = iou - rho2 / diag2
    ciou = diou - alpha * v
    exact = {"GIoU": giou, "DIoU": diou, "CIoU": ciou}[kind]
    formulas = {
        "GIoU": "GIoU = IoU - |C \\ (B ∪ G)| / |C| (C: the smallest box enclosing both)",
        "DIoU": "DIoU = IoU - ρ²/c² (ρ: distance of the centres; c: diagonal of the enclosing box)",
        "CIoU": "CIoU = IoU - ρ²/c² - α·v, v = 4/π²·(atan(w_G/h_G) - atan(w_B/h_B))², "
        "α = v/(1 - IoU + v)",
    }
    statement = (
        f"A predicted box B = {b} and the true box G = {g}, as (x1, y1, x2, y2). Compute the "
        f"{kind} (交并比 family): {formulas[kind]}. (4 decimals)"
    )
    steps = [
        f"Intersection {inter}, union {union}: IoU = {inter}/{union} = {iou:.4f}.",
    ]
    if kind == "GIoU":
        steps.append(
            f"Enclosing box C: area {hull}; empty part {hull - union}. GIoU = {iou:.4f} - "
            f"{hull - union}/{hull} = {giou:.4f}."
        )
    else:
        steps.append(
            f"Centres' squared distance ρ² = {rho2:g}; enclosing diagonal² c² = {diag2:g}. "
            f"DIoU = {iou:.4f} - {rho2:g}/{diag2:g} = {diou:.4f}."
        )
    if kind == "CIoU":
        steps.append(f"v = {v:.4f}, α = {alpha:.4f}: CIoU = {diou:.4f} - α·v = {ciou:.4f}.")
    steps.append(f"**Answer:** {round(exact, 4)}")
    pairs = [
        (iou, f"That is the plain IoU; {kind} subtracts a penalty."),
        (1 - exact, f"That is the loss 1 - {kind}; the question asks for {kind} itself."),
        (iou - (hull - union) / union, "Divide the empty part of C by |C|, not by the union."),
        (iou - math.sqrt(rho2 / diag2), "Use squared distances: ρ²/c², not ρ/c."),
        (giou if kind != "GIoU" else diou, "That is the other variant: read which one is asked."),
        (diou if kind == "CIoU" else ciou, "CIoU = DIoU - α·v: the aspect-ratio term is extra."),
    ]

    def verify():
        import numpy as np

        grid = np.zeros((2, 24, 24), bool)  # rasterised boxes: areas by counting pixels
        grid[0, b[1] : b[3], b[0] : b[2]] = True
        grid[1, g[1] : g[3], g[0] : g[2]] = True
        both, either = (grid[0] & grid[1]).sum(), (grid[0] | grid[1]).sum()
        rows, cols = np.nonzero(grid[0] | grid[1])
        hull_h, hull_w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        corners = np.array([b, g], float)
        centres = (corners[:, :2] + corners[:, 2:]) / 2
        rho = np.sum((centres[0] - centres[1]) ** 2)
        sizes = corners[:, 2:] - corners[:, :2]
        value = both / either
        value_giou = value - (hull_w * hull_h - either) / (hull_w * hull_h)
        value_diou = value - rho / (hull_w**2 + hull_h**2)
        aspect = (
            4
            / np.pi**2
            * (np.arctan2(sizes[1, 0], sizes[1, 1]) - np.arctan2(sizes[0, 0], sizes[0, 1])) ** 2
        )
        value_ciou = value_diou - aspect / (1 - value + aspect) * aspect
        got = float({"GIoU": value_giou, "DIoU": value_diou, "CIoU": value_ciou}[kind])
        return abs(got - exact) < 1e-9, got

    data = dict(kind=kind, box=b, target=g)
    return float_draft(
        statement,
        exact,
        "\n\n".join(steps),
        pairs,
        verify,
        data,
        tol=2e-4,
        digits=4,
        source=IOU_FAMILY,
    )
