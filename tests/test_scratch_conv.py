"""cnnkit.scratch: convolution and pooling, NumPy vs Keras on random configurations."""

import os

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
keras = pytest.importorskip("keras")

from cnnkit import scratch  # noqa: E402
from cnnkit.scratch._checks import pair, same_padding  # noqa: E402
from tests.hypothesis_budget import examples  # noqa: E402

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison

HYPOTHESIS = settings(deadline=None, max_examples=examples(25))


def _keras_conv(x, kernels, bias, stride, padding):
    if isinstance(padding, int):
        x = np.pad(x, ((0, 0), (padding, padding), (padding, padding), (0, 0)))
        padding = "valid"
    out = keras.ops.conv(x, kernels, strides=stride, padding=padding)
    return keras.ops.convert_to_numpy(out) + bias


@st.composite
def conv_configs(draw):
    f_h = draw(st.integers(1, 3))
    f_w = draw(st.integers(1, 3))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2]))
    stride = draw(st.integers(1, 3))
    pad = padding if isinstance(padding, int) else 0
    h = draw(st.integers(max(1, f_h - 2 * pad), 7))
    w = draw(st.integers(max(1, f_w - 2 * pad), 7))
    if padding == "valid":
        h, w = max(h, f_h), max(w, f_w)
    n, c_in, c_out = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    return n, h, w, c_in, c_out, f_h, f_w, stride, padding, seed


@HYPOTHESIS
@given(conv_configs())
def test_conv2d_matches_keras_and_loop(config):
    n, h, w, c_in, c_out, f_h, f_w, stride, padding, seed = config
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, h, w, c_in))
    kernels = rng.normal(size=(f_h, f_w, c_in, c_out))
    bias = rng.normal(size=c_out)
    expected = _keras_conv(x, kernels, bias, stride, padding)
    fast = scratch.conv2d(x, kernels, bias, stride, padding)
    slow = scratch.conv2d_loop(x, kernels, bias, stride, padding)
    assert fast.shape == expected.shape == slow.shape
    np.testing.assert_allclose(fast, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(slow, expected, rtol=1e-5, atol=1e-5)


def test_conv2d_layer_and_output_size_worked_example():
    """32x32x3 input, six 5x5x3 filters -> 28x28x6, same numbers as keras.layers.Conv2D."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 32, 32, 3)).astype("float32")
    layer = keras.layers.Conv2D(6, 5, bias_initializer="random_normal")
    expected = keras.ops.convert_to_numpy(layer(x))
    kernel, bias = layer.get_weights()
    out = scratch.conv2d(x, kernel, bias)
    assert out.shape == (2, 28, 28, 6) and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)  # float32 sums of 75 terms
    single = scratch.conv2d(x[0], kernel, bias, stride=2, padding="same")
    assert single.shape == (16, 16, 6)


def test_correlate2d_single_hand_example():
    grid = np.arange(16).reshape(4, 4)
    kernel = np.array([[1, 0], [0, -1]])
    out, products = scratch.correlate2d_single(grid, kernel, return_products=True)
    assert out.shape == (3, 3) and products.shape == (3, 3, 2, 2)
    np.testing.assert_array_equal(out, np.full((3, 3), -5.0))
    np.testing.assert_array_equal(products[0, 0], [[0, 0], [0, -5]])
    padded = scratch.correlate2d_single(grid, np.ones((3, 3)), padding=1)
    assert padded.shape == (4, 4) and padded[0, 0] == 0 + 1 + 4 + 5


@pytest.mark.parametrize(
    ("x_shape", "k_shape", "kwargs", "error", "message"),
    [
        ((5, 5), (3, 3, 1, 1), {}, ValueError, "dimensions"),
        ((5, 5, 3), (3, 3, 1), {}, ValueError, "kernels must have 4"),
        ((5, 5, 3), (3, 3, 2, 4), {}, ValueError, "input channels"),
        ((5, 5, 1), (3, 3, 1, 1), {"stride": 0}, ValueError, "stride"),
        ((5, 5, 1), (3, 3, 1, 1), {"stride": 1.5}, TypeError, "stride"),
        ((5, 5, 1), (3, 3, 1, 1), {"padding": "full"}, ValueError, "padding"),
        ((5, 5, 1), (3, 3, 1, 1), {"padding": -1}, ValueError, "padding"),
        ((2, 2, 1), (3, 3, 1, 1), {}, ValueError, "larger than"),
        ((5, 5, 1), (3, 3, 1, 2), {"bias": np.ones(3)}, ValueError, "one value per filter"),
    ],
)
def test_conv2d_bad_input(x_shape, k_shape, kwargs, error, message):
    for fn in (scratch.conv2d, scratch.conv2d_loop):
        with pytest.raises(error, match=message):
            fn(np.ones(x_shape), np.ones(k_shape), **kwargs)


# -------------------------------------------------------------------- pooling
@st.composite
def pool_configs(draw):
    p_h, p_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride = draw(st.one_of(st.none(), st.integers(1, 3)))
    padding = draw(st.sampled_from(["valid", "same"]))
    h, w = draw(st.integers(p_h, 7)), draw(st.integers(p_w, 7))
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    return n, h, w, c, (p_h, p_w), stride, padding, draw(st.integers(0, 2**16))


def _keras_averages_replicated_edges():
    """Whether this Keras backend's 'same' average pooling counts copied edge values.

    Keras on PyTorch (3.15 and before) pads uneven 'same' padding by repeating the edge values and
    averages them in (keras-team/keras#18452; PR #23233 fixes it upstream); TensorFlow and JAX,
    the kit's NumPy version and the course average only the real values. Probed on the case the
    PR describes: [10, 20], pool 3, stride 2: 15 (real values only) or 16.67 (20 counted twice).
    """
    out = keras.ops.average_pool(np.array([[[10.0], [20.0]]]), 3, strides=2, padding="same")
    return not np.isclose(float(keras.ops.convert_to_numpy(out).ravel()[0]), 15.0)


KERAS_AVERAGES_REPLICATED_EDGES = _keras_averages_replicated_edges()


def _same_padding_is_uneven(sizes, pool, strides):
    """Whether 'same' padding adds more on one side than the other along some axis."""
    windows, steps = pair(pool, "pool"), pair(strides, "strides")
    return any(before != after for before, after in map(same_padding, sizes, windows, steps))


@HYPOTHESIS
@given(pool_configs())
def test_pooling_matches_keras(config):
    n, h, w, c, pool, stride, padding, seed = config
    x = np.random.default_rng(seed).normal(size=(n, h, w, c))
    strides = pool if stride is None else stride

    def ref(op, data):
        return keras.ops.convert_to_numpy(op(data, pool, strides=strides, padding=padding))

    mx = scratch.max_pool2d(x, pool, stride, padding)
    av = scratch.average_pool2d(x, pool, stride, padding)
    mn = scratch.min_pool2d(x, pool, stride, padding)
    np.testing.assert_allclose(mx, ref(keras.ops.max_pool, x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(mn, -ref(keras.ops.max_pool, -x), rtol=1e-6, atol=1e-6)
    keras_average = ref(keras.ops.average_pool, x)
    assert keras_average.shape == av.shape
    if not (
        KERAS_AVERAGES_REPLICATED_EDGES
        and padding == "same"
        and _same_padding_is_uneven((h, w), pool, strides)
    ):
        np.testing.assert_allclose(av, keras_average, rtol=1e-5, atol=1e-6)


def test_average_pool_same_padding_averages_real_values_only():
    """The course's rule (and TensorFlow's, JAX's): a window that hangs over the edge averages the
    values it covers, never the padding. Keras on PyTorch differs here (see above)."""
    x = np.array([10.0, 20.0]).reshape(1, 1, 2, 1)
    assert scratch.average_pool2d(x, (1, 3), 2, "same").ravel().tolist() == [15.0]
    keras_value = float(
        keras.ops.convert_to_numpy(
            keras.ops.average_pool(x, (1, 3), strides=2, padding="same")
        ).ravel()[0]
    )
    expected = 50 / 3 if KERAS_AVERAGES_REPLICATED_EDGES else 15.0
    assert keras_value == pytest.approx(expected, rel=1e-6)
    if keras.backend.backend() != "torch":
        assert not KERAS_AVERAGES_REPLICATED_EDGES, "only Keras's PyTorch backend pads this way"


def test_pooling_worked_example_and_layers():
    window = np.array([[1.0, 3.0], [2.0, 2.0]])
    assert scratch.average_pool2d(window).item() == 2.0
    assert scratch.max_pool2d(window).item() == 3.0
    assert scratch.min_pool2d(window).item() == 1.0
    x = np.random.default_rng(2).normal(size=(1, 5, 5, 2)).astype("float32")
    layer = keras.layers.AveragePooling2D(2, padding="same")
    np.testing.assert_allclose(
        scratch.average_pool2d(x, 2, padding="same"),
        keras.ops.convert_to_numpy(layer(x)),
        rtol=1e-6,
    )
    assert scratch.max_pool2d(x[0], 2).shape == (2, 2, 2)


def test_pooling_bad_input():
    with pytest.raises(ValueError, match="dimensions"):
        scratch.max_pool2d(np.ones(5))
    with pytest.raises(ValueError, match="pool_size"):
        scratch.max_pool2d(np.ones((4, 4)), 0)
    with pytest.raises(ValueError, match="stride"):
        scratch.average_pool2d(np.ones((4, 4)), 2, stride=0)
    with pytest.raises(ValueError, match="padding"):
        scratch.min_pool2d(np.ones((4, 4)), 2, padding=1)
    with pytest.raises(ValueError, match="larger than"):
        scratch.max_pool2d(np.ones((1, 4)), 2)


@pytest.mark.parametrize(
    "shape, kernel_shape, stride, padding, output_padding",
    [
        ((2, 2), (3, 3), 2, 0, 0),
        ((3, 4), (4, 4), 2, 1, 1),
        ((3, 3), (2, 3), 3, 0, 2),
        ((4, 4), (3, 3), 1, 1, 0),
    ],
)
def test_conv_transpose2d_single_matches_keras(
    shape, kernel_shape, stride, padding, output_padding
):
    from cnnkit.formulas import conv_transpose_output_size
    from cnnkit.scratch import conv_transpose2d_single

    rng = np.random.default_rng(3)
    grid = rng.normal(size=shape)
    kernel = rng.normal(size=kernel_shape)
    layer = keras.layers.Conv2DTranspose(
        1, kernel_shape, stride, "valid", output_padding=output_padding, use_bias=False
    )
    layer.build((None, *shape, 1))
    layer.set_weights([kernel[:, :, None, None].astype("float32")])
    crop = keras.layers.Cropping2D(padding)
    # convert_to_numpy: on PyTorch the layer's output requires grad and np.asarray refuses it
    output_tensor = crop(layer(grid[None, :, :, None].astype("float32")))
    expected = keras.ops.convert_to_numpy(output_tensor)[0, :, :, 0]
    output, full = conv_transpose2d_single(grid, kernel, stride, padding, output_padding)
    np.testing.assert_allclose(output, expected, atol=1e-5)
    assert output.shape == tuple(
        conv_transpose_output_size(w, f, stride, padding, output_padding)
        for w, f in zip(shape, kernel_shape, strict=True)
    )
    assert full.shape == tuple(
        (w - 1) * stride + f + output_padding for w, f in zip(shape, kernel_shape, strict=True)
    )
    # each input value paints a scaled kernel: the first cell's copy sits at the top left
    if stride >= max(kernel_shape):
        np.testing.assert_allclose(full[: kernel_shape[0], : kernel_shape[1]], grid[0, 0] * kernel)


def test_conv_transpose2d_single_rejects_bad_arguments():
    from cnnkit.scratch import conv_transpose2d_single

    with pytest.raises(ValueError, match="stride must be positive"):
        conv_transpose2d_single(np.ones((2, 2)), np.ones((2, 2)), stride=0)
    with pytest.raises(ValueError, match="crops the whole"):
        conv_transpose2d_single(np.ones((1, 1)), np.ones((2, 2)), padding=1)
