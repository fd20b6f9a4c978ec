"""cnnkit.plots.basics: every function returns a closed Figure with the expected axes and data."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from cnnkit import style  # noqa: E402
from cnnkit.plots import basics, common  # noqa: E402


def visible_axes(fig):
    return [ax for ax in fig.get_axes() if ax.get_visible()]


def assert_closed_figure(fig):
    assert isinstance(fig, Figure)
    assert not plt.fignum_exists(fig.number), "plot functions must plt.close(fig) before returning"


@pytest.fixture
def english_only(monkeypatch):
    monkeypatch.setattr(style, "cjk_font", lambda: None)


def test_activation_functions_draw_f_and_derivative():
    fig = basics.activation_functions()
    assert_closed_figure(fig)
    axes = visible_axes(fig)
    assert len(axes) == 6
    relu_ax = axes[3]
    f_line, df_line = relu_ax.get_lines()[:2]
    z = f_line.get_xdata()
    np.testing.assert_allclose(f_line.get_ydata(), np.maximum(z, 0))
    np.testing.assert_allclose(df_line.get_ydata(), (z > 0).astype(float))
    sigmoid_derivative = axes[1].get_lines()[1].get_ydata()
    assert sigmoid_derivative.max() == pytest.approx(0.25, abs=1e-3)
    assert len(visible_axes(basics.activation_functions(("relu", "tanh"), columns=3))) == 2
    with pytest.raises(ValueError, match="unknown activation"):
        basics.activation_functions(("swish",))


def test_labels_fall_back_to_english_without_a_cjk_font(english_only):
    fig = basics.activation_functions(("step",))
    assert fig.get_axes()[0].get_title() == "step"
    curves = basics.training_curves({"loss": [1.0, 0.5]})
    assert curves.get_axes()[0].get_title() == "loss"
    assert curves.get_axes()[0].get_xlabel() == "epoch"
    matrix = basics.confusion_matrix([0, 1], [0, 1], class_names=("a", "b"))
    assert matrix.get_axes()[0].get_xlabel() == "predicted class"
    figures = (fig, curves, matrix, basics.gradient_descent(), basics.loss_vs_probability())
    for figure in figures:
        texts = [text.get_text() for text in figure.findobj(matplotlib.text.Text)]
        assert all(ord(ch) < 0x2E80 for text in texts for ch in text), texts


def test_labels_are_bilingual_with_a_cjk_font(monkeypatch):
    monkeypatch.setattr(style, "cjk_font", lambda: "WenQuanYi Micro Hei")
    fig = basics.activation_functions(("step",))
    assert fig.get_axes()[0].get_title() == "step (阶跃函数)"


def test_gradient_descent_paths_and_panels():
    path = basics.gradient_descent_path(lambda w: 2 * w, w0=-4.0, learning_rate=0.25, steps=3)
    np.testing.assert_allclose(path, [-4.0, -2.0, -1.0, -0.5])  # w <- w - 0.25 * 2w = w / 2
    diverging = basics.gradient_descent_path(lambda w: 2 * w, -4.0, 1.05, 10)
    assert abs(diverging[-1]) > 4.0
    fig = basics.gradient_descent(learning_rates=(0.1, 0.5, 1.05), steps=5)
    assert_closed_figure(fig)
    axes = fig.get_axes()
    assert len(axes) == 3
    assert [ax.get_title().split(":")[0] for ax in axes] == ["α = 0.1", "α = 0.5", "α = 1.05"]
    ball = axes[1].get_lines()[1]
    np.testing.assert_allclose(
        ball.get_xdata(), basics.gradient_descent_path(w0=-4.0, learning_rate=0.5, steps=5)
    )
    with pytest.raises(ValueError, match="learning_rate"):
        basics.gradient_descent_path(learning_rate=0)


def test_decision_boundary_panels_and_accuracy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = (X[:, 0] > 0).astype(int)
    perfect = lambda points: (points[:, 0] > 0).astype(int)  # noqa: E731
    as_probabilities = lambda points: np.column_stack([points[:, 0] <= 0, points[:, 0] > 0])  # noqa: E731
    fig = basics.decision_boundary({"rule": perfect, "probabilities": as_probabilities}, X, y)
    assert_closed_figure(fig)
    titles = [ax.get_title() for ax in fig.get_axes()]
    assert titles == ["rule: accuracy 1.00", "probabilities: accuracy 1.00"]
    constant = basics.decision_boundary(lambda points: np.full(len(points), 0.2), X, y, title="p")
    assert constant.get_axes()[0].get_title() == f"p: accuracy {np.mean(y == 0):.2f}"
    with pytest.raises(ValueError, match="shape"):
        basics.decision_boundary(perfect, np.ones((5, 3)), np.zeros(5))


def test_training_curves_from_dict_and_history_like_objects():
    logs = {
        "loss": [1.0, 0.6, 0.4],
        "val_loss": [1.1, 0.7, 0.6],
        "sparse_categorical_accuracy": [0.5, 0.7, 0.8],
        "learning_rate": [0.1, 0.1, 0.1],
    }
    fig = basics.training_curves(logs, metrics=("loss", "accuracy", "auc"))
    assert_closed_figure(fig)
    loss_ax, accuracy_ax = fig.get_axes()
    assert [line.get_label() for line in loss_ax.get_lines()] == ["train", "validation"]
    np.testing.assert_allclose(loss_ax.get_lines()[1].get_ydata(), logs["val_loss"])
    np.testing.assert_allclose(loss_ax.get_lines()[0].get_xdata(), [1, 2, 3])
    assert len(accuracy_ax.get_lines()) == 1
    history = type("History", (), {"history": logs})()
    assert len(basics.training_curves(history).get_axes()) == 2  # every metric but learning_rate
    with pytest.raises(ValueError, match="none of the metrics"):
        basics.training_curves(logs, metrics=("auc",))
    with pytest.raises(TypeError, match="History"):
        basics.training_curves([1, 2, 3])


def test_sample_grid_marks_wrong_predictions():
    images = np.random.default_rng(0).integers(0, 255, size=(12, 28, 28), dtype=np.uint8)
    labels = np.arange(12) % 3
    predictions = labels.copy()
    predictions[1] = 2
    fig = basics.sample_grid(images, labels, ("cat", "dog", "bird"), predictions, columns=5)
    assert_closed_figure(fig)
    axes = fig.get_axes()
    assert len(axes) == 15 and len(visible_axes(fig)) == 12
    assert axes[0].get_title() == "cat\npred: cat"
    assert axes[1].get_title() == "dog\npred: bird"
    assert matplotlib.colors.same_color(axes[1].title.get_color(), "tab:red")
    grid = common.image_grid(images[..., None], max_images=4, columns=2)
    assert len(visible_axes(grid)) == 4
    with pytest.raises(ValueError, match="shape"):
        common.image_grid(np.ones((3, 4)))


def test_confusion_matrix_counts_and_names():
    y_true = [0, 0, 1, 2, 2, 2]
    y_pred = [0, 1, 1, 2, 2, 0]
    counts = basics.confusion_counts(y_true, y_pred)
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    probabilities = np.eye(3)[y_pred]
    fig = basics.confusion_matrix(y_true, probabilities, class_names=("a", "b", "c"))
    assert_closed_figure(fig)
    ax = fig.get_axes()[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    assert sorted(int(t.get_text()) for t in ax.texts) == sorted(counts.ravel().tolist())
    assert "accuracy 0.667" in ax.get_title()
    with pytest.raises(ValueError, match="labels"):
        basics.confusion_counts([0, 5], [0, 1], n_classes=3)


def test_confusion_counts_agree_with_counting_pairs_by_hand():
    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    expected = np.zeros((5, 5), dtype=int)  # class 4 never occurs: a row and column of zeros
    for true, predicted in zip(y_true, y_pred, strict=True):
        expected[true, predicted] += 1
    np.testing.assert_array_equal(basics.confusion_counts(y_true, y_pred, n_classes=5), expected)


def test_softmax_bars_sum_to_one_and_linear_collapse_lines():
    fig = basics.softmax_bars([2.0, 1.0, 0.1], class_names=("cat", "dog", "bird"))
    assert_closed_figure(fig)
    logits_ax, probability_ax = fig.get_axes()
    heights = [patch.get_height() for patch in probability_ax.patches]
    assert sum(heights) == pytest.approx(1.0)
    assert heights == pytest.approx([0.659, 0.242, 0.099], abs=1e-3)
    fig = basics.linear_collapse(depth=5)
    linear_ax, relu_ax = fig.get_axes()
    for line in linear_ax.get_lines():  # a stack of linear layers is one straight line
        x, y = line.get_xdata(), line.get_ydata()
        assert np.allclose(np.diff(y, 2), 0, atol=1e-9)
        assert len(x) == len(y)
    assert any(
        not np.allclose(np.diff(line.get_ydata(), 2), 0, atol=1e-9) for line in relu_ax.get_lines()
    )


def test_loss_vs_probability_curves():
    fig = basics.loss_vs_probability(marks=(0.9,))
    assert_closed_figure(fig)
    ax = fig.get_axes()[0]
    ln_line, log10_line, squared_line = ax.get_lines()[:3]
    p = ln_line.get_xdata()
    np.testing.assert_allclose(ln_line.get_ydata(), -np.log(p))
    np.testing.assert_allclose(log10_line.get_ydata(), -np.log10(p))
    assert np.all(np.diff(ln_line.get_ydata()) < 0)  # loss falls as p nears 1
    assert "0.105" in ax.texts[0].get_text()


def test_max_entropy_histogram_has_the_softmax_line_right_of_every_random_distribution():
    from cnnkit import scratch

    z = np.array([2.0, 1.0, 0.1, 0.0])
    target = float(scratch.softmax(z) @ z)
    best, lam = scratch.max_entropy_distribution(z, target)
    others = scratch.entropy(scratch.random_distributions_with_expected_score(z, target, 500))
    fig = basics.max_entropy(others, scratch.entropy(best), target, lam)
    assert_closed_figure(fig)
    (ax,) = fig.get_axes()
    (line,) = ax.get_lines()
    assert line.get_xdata()[0] == pytest.approx(scratch.entropy(best))
    assert sum(patch.get_height() for patch in ax.patches) == 500
    assert max(patch.get_x() + patch.get_width() for patch in ax.patches) <= line.get_xdata()[0]
    with pytest.raises(ValueError, match="at least one"):
        basics.max_entropy([], 1.0, 0.5, 1.0)


def test_drawn_unpacks_and_shows_as_its_figure_in_ipython(monkeypatch):
    import IPython

    from cnnkit.plots.common import Drawn

    fig = basics.training_curves({"loss": [1.0, 0.5]})
    drawn = Drawn(fig, {"sum": 3.0})
    figure, values = drawn
    assert figure is fig and values == {"sum": 3.0}
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)
    assert drawn._repr_mimebundle_() is None  # outside IPython: no bundle, plain repr

    class Formatter:
        def format(self, obj, include=None, exclude=None):
            return ({"text/plain": repr(obj), "image/png": b"png of " + repr(obj).encode()}, {})

    class Shell:
        display_formatter = Formatter()

    monkeypatch.setattr(IPython, "get_ipython", lambda: Shell())
    data, _ = drawn._repr_mimebundle_()
    assert data["text/plain"] == repr(fig) and data["image/png"].endswith(repr(fig).encode())
