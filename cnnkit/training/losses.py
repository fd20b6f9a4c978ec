"""Losses beyond plain cross-entropy: focal loss (in NumPy, to compare with Keras's) and center loss.

Focal loss (焦点损失, Lin et al. 2017) scales cross-entropy by (1 - p_t)^gamma, so examples the
network already gets right (p_t near 1) count little and the hard ones dominate:

    categorical:  FL = sum_k  alpha * y_k * (1 - p_k)^gamma * (-log p_k)
    binary:       FL = mean_k (1 - p_t)^gamma * BCE_k,   p_t = y p + (1 - y)(1 - p)
                  (times alpha_t = y alpha + (1 - y)(1 - alpha) with apply_class_balancing)

exactly as ``keras.losses.CategoricalFocalCrossentropy`` and ``BinaryFocalCrossentropy`` compute it
(probabilities clipped to [1e-7, 1 - 1e-7]). gamma = 0 (and alpha = 1) gives back cross-entropy.

Center loss (中心损失, Wen et al. 2016) pulls each feature vector towards a learned centre of its
class: L_c = 1/2 * mean_i ||f_i - c_{y_i}||^2, added to softmax cross-entropy with a weight lambda.
``CenterLossModel`` trains an embedding network that way with its own ``train_step``; the centres
move towards their class means by c_j <- c_j - rate * sum_{i: y_i=j}(c_j - f_i) / (1 + n_j).
"""

from __future__ import annotations

import keras
import numpy as np

from cnnkit.scratch.softmax import softmax

EPSILON = 1e-7  # keras.config.epsilon(), the clipping Keras's focal losses use


def categorical_focal_loss(y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False):
    """Categorical focal loss per sample (shape: batch), as Keras's CategoricalFocalCrossentropy.

    ``y_true`` one-hot (batch, classes); ``y_pred`` probabilities (or logits with from_logits).
    """
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true {y_true.shape} and y_pred {y_pred.shape} must have the same shape "
            "(one-hot labels; use keras.utils.to_categorical for integer labels)"
        )
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")
    p = softmax(y_pred) if from_logits else y_pred / y_pred.sum(axis=-1, keepdims=True)
    p = np.clip(p, EPSILON, 1 - EPSILON)
    return np.sum(alpha * y_true * (1 - p) ** gamma * -np.log(p), axis=-1)


def binary_focal_loss(
    y_true, y_pred, alpha=0.25, gamma=2.0, from_logits=False, apply_class_balancing=False
):
    """Binary focal loss per sample (mean over the last axis), as Keras's BinaryFocalCrossentropy."""
    y_true = np.asarray(y_true, dtype=float)
    y_pred = np.asarray(y_pred, dtype=float)
    if y_true.shape != y_pred.shape:
        raise ValueError(
            f"y_true {y_true.shape} and y_pred {y_pred.shape} must have the same shape"
        )
    if gamma < 0:
        raise ValueError(f"gamma must be >= 0, got {gamma}")
    p = 1 / (1 + np.exp(-y_pred)) if from_logits else y_pred
    p = np.clip(p, EPSILON, 1 - EPSILON)
    bce = -(y_true * np.log(p) + (1 - y_true) * np.log(1 - p))
    p_t = y_true * p + (1 - y_true) * (1 - p)
    loss = (1 - p_t) ** gamma * bce
    if apply_class_balancing:
        loss = loss * (y_true * alpha + (1 - y_true) * (1 - alpha))
    return loss.mean(axis=-1)


def focal_term(p_true, gamma: float) -> np.ndarray:
    """-(1 - p)^gamma log p: the loss of one example whose true class has probability p."""
    p = np.clip(np.asarray(p_true, dtype=float), EPSILON, 1 - EPSILON)
    return -((1 - p) ** gamma) * np.log(p)


# --- center loss ------------------------------------------------------------------------------


def center_loss(features, labels, centers) -> float:
    """L_c = 1/2 * mean_i ||f_i - c_{y_i}||^2 (NumPy)."""
    features = np.asarray(features, dtype=float)
    centers = np.asarray(centers, dtype=float)
    labels = np.asarray(labels).reshape(-1).astype(int)
    return float(0.5 * np.mean(np.sum((features - centers[labels]) ** 2, axis=1)))


def class_spread(features, labels) -> float:
    """How wide the classes are relative to how far apart they sit (lower = tighter classes).

    mean distance of each point to its class mean / mean distance between class means.
    Dividing by the spacing of the means makes the number independent of the embedding's scale.
    """
    features = np.asarray(features, dtype=float)
    labels = np.asarray(labels).reshape(-1).astype(int)
    classes = np.unique(labels)
    if len(classes) < 2:
        raise ValueError("class_spread needs at least two classes")
    means = np.stack([features[labels == c].mean(axis=0) for c in classes])
    within = np.mean(np.linalg.norm(features - means[np.searchsorted(classes, labels)], axis=1))
    between = np.linalg.norm(means[:, None] - means[None], axis=-1)
    between = between[np.triu_indices(len(classes), 1)].mean()
    return float(within / between)


class CenterLossModel(keras.Model):
    """Softmax cross-entropy plus ``weight`` x center loss, with the centres updated each step.

    ``embedding`` maps inputs to feature vectors (e.g. 2-D); ``classifier`` maps features to class
    logits. ``weight = 0`` trains with softmax alone (the centres are still tracked, not used).
    Labels are integers (sparse). Any Keras backend (TensorFlow, JAX, PyTorch).
    """

    def __init__(self, embedding, classifier, num_classes, weight=0.1, center_rate=0.5, **kwargs):
        super().__init__(**kwargs)
        if weight < 0:
            raise ValueError(f"weight (lambda) must be >= 0, got {weight}")
        if not 0 < center_rate <= 1:
            raise ValueError(f"center_rate must be in (0, 1], got {center_rate}")
        self.embedding = embedding
        self.classifier = classifier
        self.num_classes = int(num_classes)
        self.weight = float(weight)
        self.center_rate = float(center_rate)
        dim = embedding.outputs[0].shape[-1]
        if not classifier.built:  # all weights exist before the first (compiled) step
            classifier.build(embedding.outputs[0].shape)
        self.centers = self.add_weight(
            shape=(self.num_classes, dim), initializer="zeros", trainable=False, name="centers"
        )
        self.cross_entropy_tracker = keras.metrics.Mean(name="cross_entropy")
        self.center_tracker = keras.metrics.Mean(name="center_loss")
        self.accuracy_tracker = keras.metrics.SparseCategoricalAccuracy(name="accuracy")

    @property
    def metrics(self):
        return [self.cross_entropy_tracker, self.center_tracker, self.accuracy_tracker]

    def call(self, inputs, training=False):
        return self.classifier(self.embedding(inputs, training=training), training=training)

    def _compute_losses(self, x, y, training):
        features = self.embedding(x, training=training)
        logits = self.classifier(features, training=training)
        cross_entropy = keras.ops.mean(
            keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True)
        )
        difference = features - keras.ops.take(self.centers, y, axis=0)
        center = 0.5 * keras.ops.mean(keras.ops.sum(difference**2, axis=1))
        return features, logits, cross_entropy, center, difference

    def train_step(self, *args):
        """One step of ``fit`` on any backend (JAX passes the state first: stateless there)."""
        from cnnkit.autodiff import step_on_any_backend

        return step_on_any_backend(self, self._stateful_train_step, *args)

    def _stateful_train_step(self, data):
        from cnnkit.autodiff import apply_gradients, value_and_gradients

        x, y = data[0], data[1]
        y = keras.ops.cast(keras.ops.reshape(y, (-1,)), "int32")

        def total_loss():
            _, logits, cross_entropy, center, difference = self._compute_losses(x, y, True)
            return cross_entropy + self.weight * center, (logits, cross_entropy, center, difference)

        variables = self.trainable_variables
        (_, (logits, cross_entropy, center, difference)), gradients = value_and_gradients(
            total_loss, variables, has_aux=True
        )
        apply_gradients(self.optimizer, gradients, variables)
        # c_j <- c_j - rate * sum_{i: y_i = j} (c_j - f_i) / (1 + n_j)
        one_hot = keras.ops.one_hot(y, self.num_classes)
        counts = keras.ops.sum(one_hot, axis=0)[:, None]
        offsets = keras.ops.matmul(keras.ops.transpose(one_hot), -difference)  # sum (c_j - f_i)
        self.centers.assign(self.centers - self.center_rate * offsets / (1.0 + counts))
        return self._record(y, logits, cross_entropy, center)

    def test_step(self, *args):
        """One evaluation step on any backend (stateless on JAX, like ``train_step``)."""
        from cnnkit.autodiff import step_on_any_backend

        return step_on_any_backend(self, self._stateful_test_step, *args)

    def _stateful_test_step(self, data):
        x, y = data[0], data[1]
        y = keras.ops.cast(keras.ops.reshape(y, (-1,)), "int32")
        _, logits, cross_entropy, center, _ = self._compute_losses(x, y, False)
        return self._record(y, logits, cross_entropy, center)

    def _record(self, y, logits, cross_entropy, center):
        self.cross_entropy_tracker.update_state(cross_entropy)
        self.center_tracker.update_state(center)
        self.accuracy_tracker.update_state(y, logits)
        return {
            "loss": self.cross_entropy_tracker.result()
            + self.weight * self.center_tracker.result(),
            **{m.name: m.result() for m in self.metrics},
        }

    def embed(self, x, batch_size=512) -> np.ndarray:
        """The feature vectors of ``x`` (NumPy)."""
        return self.embedding.predict(x, batch_size=batch_size, verbose=0)
