"""Triplet loss and ArcFace with ``keras.ops`` (any backend), for training embeddings.

The same formulas as :mod:`cnnkit.scratch.embedding_losses` (NumPy); tests check NumPy = Keras
to 1e-5.

    triplet_loss(anchor, positive, negative, margin)   -> one value per triplet
    arcface_logits(features, weights, labels, s, m)    -> s cos(theta_j), theta_y + m for the label
    arcface_loss(features, weights, labels, s, m)      -> cross-entropy of those logits
"""

from __future__ import annotations

import keras
from keras import ops

from cnnkit.scratch.embedding_losses import EPSILON


def triplet_loss(anchor, positive, negative, margin: float = 0.2):
    """max(||a - p||^2 - ||a - n||^2 + margin, 0) per triplet."""
    if margin < 0:
        raise ValueError(f"margin must be >= 0, got {margin}")
    anchor = ops.convert_to_tensor(anchor, "float32")
    d_positive = ops.sum((anchor - ops.convert_to_tensor(positive, "float32")) ** 2, axis=-1)
    d_negative = ops.sum((anchor - ops.convert_to_tensor(negative, "float32")) ** 2, axis=-1)
    return ops.relu(d_positive - d_negative + margin)


def _normalise(x, axis):
    return x / ops.sqrt(ops.maximum(ops.sum(x**2, axis=axis, keepdims=True), EPSILON**2))


def arcface_logits(features, weights, labels, scale: float = 16.0, margin: float = 0.3):
    """s cos(theta_j + m [j = y]) with theta_j the angle between the feature and class centre j."""
    if scale <= 0 or margin < 0:
        raise ValueError(f"scale must be > 0 and margin >= 0, got scale={scale}, margin={margin}")
    features = _normalise(ops.convert_to_tensor(features, "float32"), -1)
    weights = _normalise(ops.convert_to_tensor(weights, "float32"), 0)
    cosine = ops.clip(ops.matmul(features, weights), -1 + EPSILON, 1 - EPSILON)
    labels = ops.reshape(ops.cast(ops.convert_to_tensor(labels), "int32"), (-1,))
    one_hot = ops.one_hot(labels, ops.shape(weights)[1])
    return scale * ops.cos(ops.arccos(cosine) + margin * one_hot)


def arcface_loss(features, weights, labels, scale: float = 16.0, margin: float = 0.3):
    """Cross-entropy of :func:`arcface_logits` per sample."""
    logits = arcface_logits(features, weights, labels, scale, margin)
    labels = ops.reshape(ops.cast(ops.convert_to_tensor(labels), "int32"), (-1,))
    return keras.losses.sparse_categorical_crossentropy(labels, logits, from_logits=True)


class ArcFaceHead(keras.layers.Layer):
    """Learned class centres W (dim, classes) and the ArcFace logits of (features, labels).

    The labels are an input because the margin applies to the true class only; at test time
    compare the normalised features directly (cosine similarity), the head is not needed.
    """

    def __init__(self, classes: int, scale: float = 16.0, margin: float = 0.3, **kwargs):
        super().__init__(**kwargs)
        self.classes, self.scale, self.margin = int(classes), float(scale), float(margin)

    def build(self, input_shape):
        dim = input_shape[0][-1]
        self.centres = self.add_weight(
            shape=(dim, self.classes), initializer="glorot_uniform", name="centres"
        )

    def call(self, inputs):
        features, labels = inputs
        return arcface_logits(features, self.centres, labels, self.scale, self.margin)


def arcface_model(embedding: keras.Model, classes: int, scale=16.0, margin=0.3) -> keras.Model:
    """(image, label) -> ArcFace logits; train with sparse cross-entropy ``from_logits=True``."""
    image = keras.Input(embedding.input_shape[1:])
    label = keras.Input((), dtype="int32")
    logits = ArcFaceHead(classes, scale, margin)([embedding(image), label])
    return keras.Model([image, label], logits, name="arcface")
