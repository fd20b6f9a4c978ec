"""Figures of chapters 02 and 03: they return Figures whose written numbers are the computed ones."""

import re
import warnings

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from matplotlib.figure import Figure

from cnnkit import formulas
from cnnkit.plots import convolution as convplots
from cnnkit.plots import pooling as poolplots
from cnnkit.scratch import average_pool2d, conv2d, correlate2d_single, max_pool2d, min_pool2d

GRID = np.array(
    [
        [3, 0, 1, 2, 7],
        [1, 5, 8, 9, 3],
        [2, 7, 2, 5, 1],
        [0, 1, 3, 1, 7],
        [4, 2, 1, 6, 2],
    ]
)
EDGE = np.array([[1, 0, -1], [1, 0, -1], [1, 0, -1]])


def texts(ax):
    return [text.get_text() for text in ax.texts]


def written_sum(fig):
    """The number after 'Σ = ' in the products panel's title."""
    match = re.search(r"Σ = (-?[\d.]+)", fig.axes[2].get_title())
    assert match, fig.axes[2].get_title()
    return float(match.group(1))


def test_convolution_step_has_four_panels_and_writes_the_sum():
    fig, step = convplots.convolution_step(GRID, EDGE, position=(1, 1))
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 4
    titles = [ax.get_title() for ax in fig.axes]
    assert titles[0].startswith("input") and "5×5" in titles[0]
    assert titles[1].startswith("kernel") and "3×3" in titles[1]
    assert titles[3].startswith("output") and "3×3" in titles[3]
    expected = correlate2d_single(GRID, EDGE)[1, 1]
    assert written_sum(fig) == expected == step["sum"]
    # The products panel shows each window × kernel product; the output cell shows the sum.
    window = GRID[1:4, 1:4]
    assert texts(fig.axes[2]) == [
        f"{a}×{b}" for a, b in zip(window.ravel(), EDGE.ravel(), strict=True)
    ]
    assert f"{int(expected)}" in texts(fig.axes[3])
    assert f"= {int(expected)}" in fig._suptitle.get_text()


def test_output_panel_fills_cells_up_to_the_position_only():
    fig, step = convplots.convolution_step(GRID, EDGE, position=(0, 2))
    cells = texts(fig.axes[3])  # empty cells carry no text
    assert cells == [f"{int(v)}" for v in correlate2d_single(GRID, EDGE)[0]]


@settings(max_examples=15, deadline=None)
@given(
    size=st.integers(3, 7),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    seed=st.integers(0, 10_000),
)
def test_written_sum_equals_numpy_for_random_configurations(size, kernel, stride, padding, seed):
    rng = np.random.default_rng(seed)
    grid = rng.integers(-3, 4, size=(size, size))
    weights = rng.integers(-2, 3, size=(kernel, kernel))
    out = correlate2d_single(grid, weights, stride=stride, padding=padding)
    position = (int(rng.integers(out.shape[0])), int(rng.integers(out.shape[1])))
    fig, step = convplots.convolution_step(grid, weights, position, stride=stride, padding=padding)
    assert written_sum(fig) == out[position]
    # and the im2col convolution agrees with the figure's output grid
    by_conv2d = conv2d(grid[:, :, None], weights[:, :, None, None], stride=stride, padding=padding)
    assert np.allclose(step["output"], by_conv2d[:, :, 0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", formulas.OutputSizeRoundedWarning)
        expected_size = formulas.conv_output_size(size, kernel, stride, padding)
    assert step["output"].shape == (expected_size, expected_size)


def test_convolution_step_rejects_a_position_outside_the_output():
    with pytest.raises(ValueError, match="outside"):
        convplots.convolution_step(GRID, EDGE, position=(3, 0))
    with pytest.raises(ValueError, match="padding"):
        convplots.convolution_step(GRID, EDGE, padding="same")


def test_multichannel_step_adds_channel_sums_and_one_bias():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 4, size=(4, 4, 3)).astype(float)
    kernel = rng.integers(-1, 2, size=(3, 3, 3)).astype(float)
    fig, step = convplots.multichannel_step(image, kernel, position=(1, 0), bias=2.0)
    assert len(fig.axes) == 6
    expected = conv2d(image, kernel[..., None], bias=np.array([2.0]))[1, 0, 0]
    assert step["sum"] == pytest.approx(expected)
    assert fig._suptitle.get_text().endswith(f"= {int(expected)}")
    with pytest.raises(ValueError, match="spans all input channels"):
        convplots.multichannel_step(image, kernel[:, :, :2])


def test_image_grid_feature_maps_and_filter_grid():
    fig = convplots.image_grid([np.zeros((5, 5))] * 5, [f"t{i}" for i in range(5)], ncols=3)
    assert len(fig.axes) == 6 and [ax.get_title() for ax in fig.axes[:5]] == [
        f"t{i}" for i in range(5)
    ]
    assert len(fig.axes[0].images) == 1 and not fig.axes[5].images
    maps = np.random.default_rng(1).normal(size=(1, 7, 7, 20))
    fig = convplots.feature_maps(maps, max_maps=16)
    assert sum(1 for ax in fig.axes if ax.images) == 16
    assert "20 feature maps of 7×7" in fig._suptitle.get_text()
    kernel = np.random.default_rng(2).normal(size=(3, 3, 1, 16))
    fig = convplots.filter_grid(kernel)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 16
    assert np.allclose(shown[5].images[0].get_array(), kernel[:, :, 0, 5])
    low, high = shown[5].images[0].get_clim()
    assert low == -high  # 0 is the middle (white) of the colour map
    with pytest.raises(ValueError, match="F, F, C_in, K"):
        convplots.filter_grid(np.zeros((3, 3, 4)))


def test_receptive_field_growth_lines_follow_the_formula():
    stacks = {"3×3": [(3, 1)] * 3, "pooled": [(3, 1), (2, 2), (3, 1)]}
    fig = convplots.receptive_field_growth(stacks)
    lines = fig.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines] == [[1, 3, 5, 7], [1, 3, 4, 8]]
    assert [text.get_text() for text in fig.axes[0].get_legend().get_texts()] == [
        "3×3: 7×7",
        "pooled: 8×8",
    ]
    with pytest.raises(TypeError):
        convplots.receptive_field_growth([(3, 1)])


# --- pooling -----------------------------------------------------------------------------------

POOL_GRID = np.array([[1, 3, 0, 1], [2, 2, 4, 1], [0, 1, 5, 6], [1, 0, 7, 8]])


@pytest.mark.parametrize(
    "mode, function", [("max", max_pool2d), ("average", average_pool2d), ("min", min_pool2d)]
)
def test_pooling_step_writes_the_window_result(mode, function):
    fig, step = poolplots.pooling_step(POOL_GRID, 2, position=(0, 0), mode=mode)
    assert len(fig.axes) == 3
    expected = function(POOL_GRID, 2)
    assert step["value"] == expected[0, 0]
    assert fig.axes[1].get_title() == f"window: {mode} = {expected[0, 0]:g}"
    assert texts(fig.axes[2])[0] == f"{expected[0, 0]:g}"


def test_the_average_two_versus_max_three_window():
    assert poolplots.pooling_step(POOL_GRID, mode="max").values["value"] == 3
    assert poolplots.pooling_step(POOL_GRID, mode="average").values["value"] == 2


def test_overlapping_pooling_step_and_comparison():
    grid = np.arange(49).reshape(7, 7)
    fig, step = poolplots.pooling_step(grid, pool_size=3, stride=2, position=(1, 2))
    assert step["output"].shape == (3, 3)
    assert step["value"] == grid[2:5, 4:7].max()
    fig = poolplots.pooling_comparison(POOL_GRID)
    assert len(fig.axes) == 4
    assert texts(fig.axes[1]) == ["3", "4", "1", "8"]
    assert texts(fig.axes[2]) == ["2", "1.5", "0.5", "6.5"]
    with pytest.raises(ValueError, match="mode"):
        poolplots.pooling_step(POOL_GRID, mode="median")


def test_similarity_vs_shift_draws_one_line_per_network():
    fig = poolplots.similarity_vs_shift(range(3), {"a": [1, 0.5, 0.2], "b": [1, 0.9, 0.8]})
    lines = fig.axes[0].get_lines()
    assert [list(line.get_ydata()) for line in lines] == [[1, 0.5, 0.2], [1, 0.9, 0.8]]
    with pytest.raises(ValueError, match="values"):
        poolplots.similarity_vs_shift(range(3), {"a": [1, 0.5]})
    fig = poolplots.similarity_vs_shift(
        range(3), {"a": [1, 0.5, 0.2]}, spread={"a": ([1, 0.4, 0.1], [1, 0.6, 0.3])}, title="t"
    )
    (band,) = fig.axes[0].collections  # the seeds' range around the line
    assert band.get_paths()[0].vertices[:, 1].min() == pytest.approx(0.1)
    assert fig.axes[0].get_title() == "t"
    with pytest.raises(ValueError, match="one low and one high"):
        poolplots.similarity_vs_shift(range(3), {"a": [1, 0.5, 0.2]}, spread={"a": ([1], [1])})


def test_hand_made_filters_fill_the_canvas_and_carry_chinese_titles():
    from cnnkit.style import label

    rng = np.random.default_rng(0)
    photo = rng.random((60, 90))
    filters = {
        "vertical edges": np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]]),
        "horizontal edges": np.array([[1, 2, 1], [0, 0, 0], [-1, -2, -1]]),
        "blur (5×5 average)": np.ones((5, 5)) / 25,
        "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]]),
    }
    responses = [photo * 2 - 1, 1 - photo * 2, photo, photo * 3 - 1]
    fig = convplots.hand_made_filters(photo, filters, responses, crop=(slice(0, 30), slice(0, 60)))
    axes = fig.get_axes()
    assert len(axes) == 6 and all(ax.images for ax in axes)  # 6 panels, none left empty
    titles = [ax.get_title() for ax in axes]
    assert titles[0] == label("original", "原图") and titles[4] == label("sharpen", "锐化")
    assert titles[5].startswith("edge strength")
    width, height = fig.get_size_inches()
    assert width / height == pytest.approx(3 * 60 / (2 * (30 + 0.35 / 3.0 * 60)), rel=0.01)
    edge, blur, sharpen = axes[1].images[0], axes[3].images[0], axes[4].images[0]
    assert edge.get_array().min() >= 0  # edge responses shown as magnitude
    assert edge.get_clim()[1] == pytest.approx(np.percentile(np.abs(photo[:30, :60] * 2 - 1), 99))
    assert blur.get_clim() == (0, 1) and sharpen.get_array().max() <= 1
    with pytest.raises(ValueError, match="one filtered photo per filter"):
        convplots.hand_made_filters(photo, filters, responses[:2])


def test_train_test_gap_bars_and_global_average_pooling_figure():
    from cnnkit.plots import pooling as poolplots

    fig = poolplots.train_test_gap(["none", "max 2×2"], [0.99, 0.93], [0.83, 0.84])
    (ax,) = fig.get_axes()
    heights = [patch.get_height() for patch in ax.patches]
    assert heights == pytest.approx([0.99, 0.93, 0.83, 0.84])
    assert [text.get_text() for text in ax.texts] == ["gap +0.160", "gap +0.090"]
    assert ax.get_ylim()[0] == 0.0  # bars start at 0: their heights compare
    with pytest.raises(ValueError, match="one training and one test accuracy"):
        poolplots.train_test_gap(["a"], [0.9, 0.8], [0.7])
    seeds = ([[0.98, 1.0], [0.92, 0.94]], [[0.82, 0.84], [0.83, 0.85]])
    fig = poolplots.train_test_gap(["none", "max 2×2"], [0.99, 0.93], [0.83, 0.84], per_seed=seeds)
    dots = [list(line.get_ydata()) for line in fig.axes[0].get_lines() if len(line.get_ydata())]
    assert dots == [[0.98, 1.0], [0.92, 0.94], [0.82, 0.84], [0.83, 0.85]]
    with pytest.raises(ValueError, match="per_seed"):
        poolplots.train_test_gap(["a"], [0.9], [0.7], per_seed=([[0.9]],))

    maps = np.random.default_rng(0).random((7, 7, 10))
    fig = poolplots.global_average_pooling(maps[None], max_maps=4)
    axes = fig.get_axes()
    assert len(axes) == 5
    assert axes[1].get_title() == f"map 1\nmean {maps[..., 1].mean():.2f}"
    bar_heights = [patch.get_height() for patch in axes[-1].patches]
    np.testing.assert_allclose(bar_heights, maps.mean(axis=(0, 1)))
    with pytest.raises(ValueError, match="maps must be"):
        poolplots.global_average_pooling(np.zeros((7, 7)))
    fig = poolplots.global_average_pooling(maps, max_maps=4, image=np.ones((28, 28, 1)))
    axes = fig.get_axes()
    assert len(axes) == 6 and axes[0].images[0].get_array().shape == (28, 28)
    assert axes[2].get_title() == f"map 1\nmean {maps[..., 1].mean():.2f}"
    with pytest.raises(ValueError, match="image must be"):
        poolplots.global_average_pooling(maps, image=np.ones(5))


def test_transposed_convolution_step_paints_scaled_kernels_that_add_up():
    from cnnkit.scratch import conv_transpose2d_single

    grid = np.array([[1, 2], [3, 4]])
    kernel = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    fig = convplots.transposed_convolution_step(grid, kernel, position=(1, 1), stride=2, padding=1)
    assert len(fig.axes) == 4
    assert "5×5" in fig.axes[3].get_title() and "→ 3×3" in fig.axes[3].get_title()
    assert texts(fig.axes[2]) == [str(v) for v in (4 * kernel).ravel()]
    # after the last input cell every output cell is painted: the panel shows the full result
    _, full = conv_transpose2d_single(grid, kernel, stride=2)
    assert texts(fig.axes[3]) == [str(int(v)) for v in full.ravel()]
    assert full[2, 2] == 1 + 2 + 3 + 4  # the centre is where all four copies overlap
    early = convplots.transposed_convolution_step(grid, kernel, position=(0, 0), stride=2)
    assert len(texts(early.axes[3])) == 9  # only the first 3×3 copy painted so far
    with pytest.raises(ValueError, match="outside the 2×2 input"):
        convplots.transposed_convolution_step(grid, kernel, position=(2, 0))
