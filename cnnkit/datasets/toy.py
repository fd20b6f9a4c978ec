"""Toy 2-D classification data for decision-boundary pictures: moons and spirals."""

from __future__ import annotations

import numpy as np

from cnnkit.validation import check_int, check_real


def _check_counts(n_samples, noise):
    return check_int("n_samples", n_samples, 2), check_real("noise", noise, 0)


def moons(n_samples: int = 400, noise: float = 0.2, seed: int = 0):
    """Two interleaving half circles: X of shape (n_samples, 2) float32, y in {0, 1} (uint8)."""
    _check_counts(n_samples, noise)
    from sklearn.datasets import make_moons

    features, labels = make_moons(n_samples=n_samples, noise=noise, random_state=seed)
    return features.astype("float32"), labels.astype("uint8")


def spirals(n_samples: int = 600, classes: int = 3, noise: float = 0.2, seed: int = 0):
    """``classes`` interleaved spiral arms, the classic "no straight line separates these" data.

    Arm k: radius r in [0, 1], angle θ = 4r + 2πk/classes + noise; point (r·sin θ, r·cos θ).
    """
    _check_counts(n_samples, noise)
    classes = check_int("classes", classes, 2)
    rng = np.random.default_rng(seed)
    per_class = [n_samples // classes + (k < n_samples % classes) for k in range(classes)]
    features, labels = [], []
    for k, count in enumerate(per_class):
        radius = np.linspace(0.0, 1.0, count)
        angle = 4.0 * radius + 2 * np.pi * k / classes + rng.normal(0.0, noise, count)
        features.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(count, k))
    order = rng.permutation(n_samples)
    return (
        np.concatenate(features)[order].astype("float32"),
        np.concatenate(labels)[order].astype("uint8"),
    )
