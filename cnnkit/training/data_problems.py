"""Two causes of overfitting that are in the data, not the model: label noise and distribution shift.

``flip_labels`` replaces a fraction of labels by a different random class (标签噪声): a network
big enough to memorise learns those wrong labels too. ``shift_images`` moves images by a few
pixels (分布偏移): a test set that does not look like the training set (a camera mounted a little
differently) costs accuracy that the validation split never showed.
"""

from __future__ import annotations

import numpy as np


def flip_labels(labels, fraction: float, classes: int = 10, seed: int = 0):
    """Copy of ``labels`` with ``fraction`` of them changed to another class; returns (labels, mask)."""
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction is in [0, 1], got {fraction}")
    labels = np.asarray(labels).copy()
    rng = np.random.default_rng(seed)
    flipped = rng.random(len(labels)) < fraction
    offsets = rng.integers(1, classes, size=len(labels))  # 1..classes-1: never the same class
    labels[flipped] = (labels[flipped] + offsets[flipped]) % classes
    return labels, flipped


def shift_images(images, dx: int = 3, dy: int = 3):
    """Images (N, H, W[, C]) moved right by ``dx`` and down by ``dy`` pixels, zeros shifted in."""
    images = np.asarray(images)
    if images.ndim < 3:
        raise ValueError(f"expected images (N, H, W[, C]), got shape {images.shape}")
    shifted = np.zeros_like(images)
    height, width = images.shape[1:3]
    if abs(dx) >= width or abs(dy) >= height:
        raise ValueError(f"a shift of ({dx}, {dy}) moves a {height}x{width} image out of view")
    source_y = slice(max(0, -dy), height - max(0, dy))
    source_x = slice(max(0, -dx), width - max(0, dx))
    target_y = slice(max(0, dy), height - max(0, -dy))
    target_x = slice(max(0, dx), width - max(0, -dx))
    shifted[:, target_y, target_x] = images[:, source_y, source_x]
    return shifted
