"""Losses that shape an embedding for recognition (识别): triplet loss and ArcFace, in NumPy.

Face recognition compares two faces by the distance of their feature vectors (embeddings), so
the loss must make a class compact and keep classes apart, not only separable:

- Triplet loss (三元组损失, FaceNet): for an anchor a, a positive p (same identity) and a negative
  n (another identity), L = max(||a - p||^2 - ||a - n||^2 + margin, 0): the negative must sit
  at least ``margin`` farther (in squared distance) than the positive, else the triplet costs.
- ArcFace (additive angular margin, 加性角度间隔): features f and class weights W_j are
  L2-normalised, so the logit of class j is s cos(theta_j). For the true class y the angle gets a
  margin m: logit_y = s cos(theta_y + m). Cross-entropy on these logits asks every feature to lie
  at least m radians closer (in angle) to its own class centre than the softmax boundary.

NumPy only; :mod:`cnnkit.training.embedding_losses` computes the same numbers with ``keras.ops``.
"""

from __future__ import annotations

import numpy as np

from cnnkit.scratch.softmax import log_softmax

#: Keeps the normalisations and arccos finite.
EPSILON = 1e-7


def _matrix(values, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a batch of vectors (batch, dim), got shape {array.shape}")
    return array


def triplet_loss(anchor, positive, negative, margin: float = 0.2) -> np.ndarray:
    """L = max(||a - p||^2 - ||a - n||^2 + margin, 0) per triplet (shape: batch)."""
    anchor = _matrix(anchor, "anchor")
    positive, negative = _matrix(positive, "positive"), _matrix(negative, "negative")
    if not anchor.shape == positive.shape == negative.shape:
        raise ValueError(
            f"anchor {anchor.shape}, positive {positive.shape} and negative {negative.shape} "
            "must have the same shape"
        )
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    d_positive = np.sum((anchor - positive) ** 2, axis=-1)
    d_negative = np.sum((anchor - negative) ** 2, axis=-1)
    return np.maximum(d_positive - d_negative + margin, 0.0)


def l2_normalise(vectors, axis: int = -1) -> np.ndarray:
    """v / ||v|| (Keras's ``normalize`` uses the same EPSILON-guarded square root)."""
    vectors = np.asarray(vectors, dtype=float)
    return vectors / np.sqrt(np.maximum(np.sum(vectors**2, axis=axis, keepdims=True), EPSILON**2))


def arcface_logits(features, weights, labels, scale: float = 16.0, margin: float = 0.3):
    """s cos(theta_j), with theta_y + margin for the true class y: shape (batch, classes).

    ``features`` (batch, dim); ``weights`` (dim, classes), one column per class centre;
    ``labels`` integer classes (batch,).
    """
    features, weights = _matrix(features, "features"), _matrix(weights, "weights")
    if features.shape[1] != weights.shape[0]:
        raise ValueError(
            f"features have dimension {features.shape[1]} but weights expect {weights.shape[0]} "
            "(weights are (dim, classes))"
        )
    if scale <= 0 or margin < 0:
        raise ValueError(f"scale must be > 0 and margin >= 0, got scale={scale}, margin={margin}")
    labels = np.asarray(labels).reshape(-1).astype(int)
    cosine = l2_normalise(features) @ l2_normalise(weights, axis=0)
    theta = np.arccos(np.clip(cosine, -1 + EPSILON, 1 - EPSILON))
    one_hot = np.eye(weights.shape[1])[labels]
    return scale * np.cos(theta + margin * one_hot)


def arcface_loss(features, weights, labels, scale: float = 16.0, margin: float = 0.3):
    """Cross-entropy of :func:`arcface_logits` per sample (shape: batch)."""
    logits = arcface_logits(features, weights, labels, scale, margin)
    labels = np.asarray(labels).reshape(-1).astype(int)
    return -log_softmax(logits, axis=-1)[np.arange(len(labels)), labels]


def angular_spread(features, labels) -> float:
    """Mean angle (degrees) between each feature's direction and its class's mean direction."""
    directions = l2_normalise(_matrix(features, "features"))
    labels = np.asarray(labels).reshape(-1).astype(int)
    angles = np.empty(len(labels))
    for c in np.unique(labels):
        chosen = labels == c
        centre = l2_normalise(directions[chosen].mean(axis=0))
        angles[chosen] = np.degrees(np.arccos(np.clip(directions[chosen] @ centre, -1.0, 1.0)))
    return float(angles.mean())


def random_triplets(labels, count: int, seed: int = 0) -> np.ndarray:
    """``count`` index triplets (anchor, positive, negative): same class, then another class."""
    labels = np.asarray(labels).reshape(-1).astype(int)
    rng = np.random.default_rng(seed)
    by_class = {c: np.nonzero(labels == c)[0] for c in np.unique(labels)}
    if len(by_class) < 2 or min(len(v) for v in by_class.values()) < 2:
        raise ValueError("random_triplets needs at least two classes with two samples each")
    anchors = rng.integers(0, len(labels), count)
    positives = np.array([rng.choice(by_class[labels[a]]) for a in anchors])
    negatives = np.array([rng.choice(np.nonzero(labels != labels[a])[0]) for a in anchors])
    return np.stack([anchors, positives, negatives], axis=1)
