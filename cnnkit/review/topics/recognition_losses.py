"""Center loss and ArcFace values by hand (chapter 07), verified by NumPy written apart."""

from __future__ import annotations

import math
import random

from cnnkit.review import sections
from cnnkit.review.problem import Draft, Source
from cnnkit.review.topics._checks import float_draft

CENTER = Source(sections.OVERFIT, "Center loss (中心损失): tighter classes in a 2-D embedding")
ARCFACE = sections.RECOGNITION

SHEET = {"center_arcface": ("center_loss", "arcface_target_logit")}


def center_loss(rng: random.Random) -> Draft:
    """The added term λ·½‖f - c_y‖² for one feature f and its class centre c_y."""
    f = (rng.choice([-1.0, 0.5, 1.0, 2.0, 3.0]), rng.choice([-2.0, 0.0, 1.0, 1.5]))
    c = (rng.choice([0.0, 1.0, -1.0]), rng.choice([0.0, 0.5, 2.0]))
    lam = rng.choice([0.1, 0.5, 1.0, 0.01])
    squared = sum((a - b) ** 2 for a, b in zip(f, c, strict=True))
    exact = lam * 0.5 * squared
    statement = (
        f"Center loss (中心损失) adds λ·½‖f - c_y‖² to the softmax loss. A feature f = {f} belongs "
        f"to a class whose centre is c_y = {c}; λ = {lam:g}. What is the added term?"
    )
    solution = (
        f"‖f - c_y‖² = {' + '.join(f'({a:g} - {b:g})²' for a, b in zip(f, c, strict=True))} = "
        f"{squared:g}.\n\nλ·½·{squared:g} = {exact:g}.\n\n**Answer:** {exact:.3g}"
    )
    pairs = [
        (lam * squared, "Center loss has the factor ½: λ·½‖f - c_y‖²."),
        (lam * 0.5 * math.sqrt(squared), "Use the squared distance ‖f - c_y‖², not the distance."),
        (0.5 * squared, "Multiply by λ."),
    ]

    def verify():
        import numpy as np

        got = float(lam * np.sum((np.array(f) - np.array(c)) ** 2) / 2)
        return abs(got - exact) < 1e-12, got

    data = dict(f=f, c=c, lam=lam)
    return float_draft(
        statement,
        exact,
        solution,
        pairs,
        verify,
        data,
        tol=max(6e-3 * exact, 1e-9),  # 3 significant figures
        digits=3,  # 3 decimals from 0.1 up, 3 significant figures below
        source=CENTER,
    )


def arcface(rng: random.Random) -> Draft:
    """The true class's ArcFace logit s·cos(θ + m) from cos θ."""
    cos_theta = rng.choice([0.9, 0.8, 0.6, 0.5, 0.3])
    margin = rng.choice([0.2, 0.3, 0.5])
    scale = rng.choice([16.0, 30.0, 64.0])
    theta = math.acos(cos_theta)
    exact = scale * math.cos(theta + margin)
    statement = (
        f"ArcFace (加性角度间隔损失): the true class's feature and centre make cos θ = {cos_theta:g}. "
        f"With margin m = {margin:g} rad and scale s = {scale:g}, what is the true class's logit "
        "s·cos(θ + m)? (2 decimals)"
    )
    solution = (
        f"θ = arccos({cos_theta:g}) = {theta:.4f} rad; θ + m = {theta + margin:.4f}; "
        f"s·cos(θ + m) = {scale:g}·{math.cos(theta + margin):.4f} = {exact:.3f}.\n\n"
        f"**Answer:** {round(exact, 2)}"
    )
    pairs = [
        (
            scale * cos_theta,
            "That is the plain logit s·cos θ; ArcFace adds the margin to the angle.",
        ),
        (
            scale * (cos_theta - margin),
            "The margin is added to the angle θ, not subtracted from cos θ (that is CosFace).",
        ),
        (
            scale * math.cos(theta - margin),
            "Add the margin: cos(θ + m) makes the true class harder.",
        ),
        (math.cos(theta + margin), "Multiply by the scale s."),
        (scale * math.cos(math.degrees(theta) + margin), "θ is in radians: arccos gives radians."),
    ]

    def verify():
        import numpy as np

        # the angle from the two unit vectors that make cos θ, then the margin added
        feature = np.array([1.0, 0.0])
        centre = np.array([cos_theta, math.sqrt(1 - cos_theta**2)])
        angle = np.arctan2(centre[1], centre[0]) - np.arctan2(feature[1], feature[0])
        got = float(scale * np.cos(angle + margin))
        return abs(got - exact) < 1e-9, got

    data = dict(cos_theta=cos_theta, margin=margin, scale=scale)
    return float_draft(
        statement, exact, solution, pairs, verify, data, tol=0.006, digits=2, source=ARCFACE
    )


def center_arcface(rng: random.Random) -> Draft:
    """A center-loss term or an ArcFace logit."""
    from cnnkit.review.topics.by_hand import not_near_zero

    return not_near_zero(rng.choice([center_loss, arcface]), rng, smallest=1e-3)
