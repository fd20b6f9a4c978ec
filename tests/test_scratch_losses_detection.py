"""Detection and recognition losses: NumPy (cnnkit.scratch) = keras.ops (cnnkit.training) to 1e-5.

IoU, GIoU, DIoU, CIoU; L1, L2, Huber (also against keras.losses.Huber), smooth L1; triplet loss;
ArcFace. Plus the closed-form values a student can check by hand, the bad-input messages and the
NumPy-only box descent the chapter uses.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import pytest

from cnnkit.scratch import box_losses as nb
from cnnkit.scratch import embedding_losses as ne
from cnnkit.training import box_losses as kb
from cnnkit.training import embedding_losses as ke

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison


def _boxes(rng, n):
    corner = rng.uniform(0, 10, (n, 2))
    return np.concatenate([corner, corner + rng.uniform(0.2, 6, (n, 2))], axis=1)


def _np(x):
    return keras.ops.convert_to_numpy(x)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("kind", kb.KINDS)
def test_iou_family_numpy_equals_keras(kind, seed):
    rng = np.random.default_rng(seed)
    target, box = _boxes(rng, 300), _boxes(rng, 300)
    ours = nb.IOU_METRICS[kind](box, target)
    theirs = _np(kb.iou_metric(target, box, kind))
    np.testing.assert_allclose(ours, theirs, atol=1e-5)
    loss = float(kb.IoULoss(kind)(target, box))
    assert abs(loss - float(np.mean(nb.iou_loss(box, target, kind)))) < 1e-5


def test_iou_family_hand_values():
    assert nb.iou((0, 0, 2, 2), (1, 1, 3, 3)) == pytest.approx(1 / 7)
    assert nb.iou((0, 0, 1, 1), (2, 0, 3, 1)) == 0.0
    assert nb.giou((0, 0, 1, 1), (2, 0, 3, 1)) == pytest.approx(-1 / 3)  # C = 3 x 1, union 2
    # centres (0.5, 0.5) and (2.5, 0.5): rho^2 = 4; C diagonal^2 = 3^2 + 1^2 = 10
    assert nb.diou((0, 0, 1, 1), (2, 0, 3, 1)) == pytest.approx(-0.4)
    for metric in nb.IOU_METRICS.values():
        assert metric((1, 2, 4, 6), (1, 2, 4, 6)) == pytest.approx(1.0, abs=1e-6)
    # same centre and overlap, different aspect ratio: CIoU < DIoU = IoU
    box, target = (0, 0, 4, 1), (1, -1, 3, 2)
    assert nb.diou(box, target) == pytest.approx(nb.iou(box, target))
    assert nb.ciou(box, target) < nb.diou(box, target) - 0.05


def test_iou_loss_gives_no_signal_to_disjoint_boxes_but_giou_does():
    start, goal = np.array([0.0, 0.0, 1.0, 1.0]), np.array([2.0, 2.0, 3.5, 4.0])
    iou_path, iou_box = nb.descend_box(start, goal, "IoU", steps=30)
    assert iou_path.max() == 0.0 and np.allclose(iou_box, start)
    for kind in ("GIoU", "DIoU", "CIoU"):
        path, _ = nb.descend_box(start, goal, kind, steps=200, learning_rate=0.5)
        assert path[-1] > 0.9, kind


def test_regression_losses_match_keras():
    rng = np.random.default_rng(3)
    y_true, y_pred = rng.normal(size=(64, 4)), rng.normal(scale=2.0, size=(64, 4))
    assert (
        abs(
            float(keras.losses.MeanAbsoluteError()(y_true, y_pred))
            - np.mean(nb.l1_loss(y_true, y_pred))
        )
        < 1e-5
    )
    assert (
        abs(
            float(keras.losses.MeanSquaredError()(y_true, y_pred))
            - np.mean(nb.l2_loss(y_true, y_pred))
        )
        < 1e-5
    )
    for delta in (0.5, 1.0, 2.5):
        theirs = float(keras.losses.Huber(delta=delta)(y_true, y_pred))
        assert abs(theirs - np.mean(nb.huber_loss(y_true, y_pred, delta))) < 1e-5
    for beta in (0.25, 1.0, 3.0):
        ours = nb.smooth_l1_loss(y_true, y_pred, beta)
        np.testing.assert_allclose(ours, _np(kb.smooth_l1(y_true, y_pred, beta)), atol=1e-5)
        np.testing.assert_allclose(ours, nb.huber_loss(y_true, y_pred, beta) / beta, atol=1e-12)
        assert abs(float(kb.SmoothL1Loss(beta)(y_true, y_pred)) - np.mean(ours)) < 1e-5
    assert nb.smooth_l1_loss([0.0, 0.0], [0.5, 3.0]) == pytest.approx((0.125 + 2.5) / 2)


def test_triplet_loss_numpy_equals_keras_and_hand_value():
    rng = np.random.default_rng(4)
    a, p, n = rng.normal(size=(3, 50, 16))
    for margin in (0.0, 0.2, 1.0):
        np.testing.assert_allclose(
            ne.triplet_loss(a, p, n, margin), _np(ke.triplet_loss(a, p, n, margin)), atol=1e-5
        )
    assert ne.triplet_loss([[0, 0]], [[0.3, 0.4]], [[0.6, 0]], 0.2)[0] == pytest.approx(0.09)
    assert ne.triplet_loss([[0, 0]], [[0.1, 0]], [[2.0, 0]], 0.2)[0] == 0.0


def test_arcface_numpy_equals_keras_and_reduces_to_softmax():
    rng = np.random.default_rng(5)
    features, weights, labels = (
        rng.normal(size=(40, 8)),
        rng.normal(size=(8, 6)),
        rng.integers(0, 6, 40),
    )
    for scale, margin in ((16.0, 0.3), (30.0, 0.5), (8.0, 0.0)):
        np.testing.assert_allclose(
            ne.arcface_logits(features, weights, labels, scale, margin),
            _np(ke.arcface_logits(features, weights, labels, scale, margin)),
            atol=1e-4 * scale,
        )
        np.testing.assert_allclose(
            ne.arcface_loss(features, weights, labels, scale, margin),
            _np(ke.arcface_loss(features, weights, labels, scale, margin)),
            atol=1e-5,
        )
    # m = 0: plain softmax over s * cosine; the margin only lowers the true-class logit
    plain = ne.arcface_logits(features, weights, labels, 10.0, 0.0)
    cosine = ne.l2_normalise(features) @ ne.l2_normalise(weights, axis=0)
    np.testing.assert_allclose(plain, 10.0 * cosine, atol=1e-5)
    margin = ne.arcface_logits(features, weights, labels, 10.0, 0.3)
    others = np.ones_like(plain, dtype=bool)
    others[np.arange(40), labels] = False
    np.testing.assert_allclose(margin[others], plain[others], atol=1e-6)
    assert (
        ne.arcface_loss(features, weights, labels, 10.0, 0.3).mean()
        > ne.arcface_loss(features, weights, labels, 10.0, 0.0).mean()
    )


def test_arcface_model_trains_on_two_inputs():
    keras.utils.set_random_seed(0)
    embedding = keras.Sequential([keras.Input((5,)), keras.layers.Dense(3)])
    model = ke.arcface_model(embedding, 4, scale=8.0, margin=0.2)
    x, y = np.random.default_rng(0).normal(size=(32, 5)), np.arange(32) % 4
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit([x, y], y, epochs=2, verbose=0)
    assert model.output_shape == (None, 4) and np.isfinite(history.history["loss"]).all()


def test_embedding_measures():
    features = np.array([[1.0, 0.0], [2.0, 0.1], [0.0, 1.0], [0.1, 3.0]])
    labels = np.array([0, 0, 1, 1])
    assert 0 < ne.angular_spread(features, labels) < 3
    triplets = ne.random_triplets(labels, 20, seed=0)
    assert triplets.shape == (20, 3)
    assert (labels[triplets[:, 0]] == labels[triplets[:, 1]]).all()
    assert (labels[triplets[:, 0]] != labels[triplets[:, 2]]).all()


def test_formula_registry_entries_use_the_scratch_functions():
    import cnnkit.formulas as F

    assert F.FORMULAS["iou"].function.__wrapped__ is nb.iou  # one home; the sheet checks inputs
    assert F.FORMULAS["iou"].evaluate() == pytest.approx(1 / 7)
    assert F.FORMULAS["triplet_margin_loss"].evaluate() == pytest.approx(0.09)
    assert F.FORMULAS["arcface_target_logit"].evaluate() == pytest.approx(
        16 * math.cos(math.acos(0.8) + 0.3)
    )
    assert all(
        F.FORMULAS[k].chapter == "07" for k in ("iou", "giou", "diou", "ciou", "smooth_l1_loss")
    )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: nb.iou((0, 0, 1), (0, 0, 1, 1)), ValueError, "length 4"),
        (lambda: nb.iou((2, 0, 1, 1), (0, 0, 1, 1)), ValueError, "x1 <= x2"),
        (lambda: nb.iou_loss((0, 0, 1, 1), (0, 0, 1, 1), "AIoU"), ValueError, "kind"),
        (lambda: kb.IoULoss("AIoU"), ValueError, "kind"),
        (lambda: nb.huber_loss([0.0], [1.0], delta=0), ValueError, "delta"),
        (lambda: nb.smooth_l1_loss([0.0], [1.0, 2.0]), ValueError, "same shape"),
        (lambda: ne.triplet_loss([[0.0]], [[0.0]], [[0.0]], margin=-1), ValueError, "margin"),
        (
            lambda: ne.arcface_logits(np.ones((2, 3)), np.ones((4, 5)), [0, 1]),
            ValueError,
            "dimension",
        ),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
