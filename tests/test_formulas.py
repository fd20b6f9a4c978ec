"""cnnkit.formulas: every formula against what Keras builds, the syllabus's numbers, bad input."""

from __future__ import annotations

import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from cnnkit import formulas as F
from cnnkit.formulas import OutputSizeRoundedWarning
from tests.hypothesis_budget import examples

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison

FAST = settings(max_examples=examples(40), deadline=None, database=None)
ignore_rounding = pytest.mark.filterwarnings("ignore::cnnkit.formulas.OutputSizeRoundedWarning")


@pytest.fixture(autouse=True, scope="module")
def _fresh_keras_session():
    # Eager layers keep no graph state, so one clear per module is enough (it costs ~0.2 s).
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


def run(layer, shape):
    """Call ``layer`` eagerly on zeros of ``shape`` (batch of 1); return output shape, params."""
    output = layer(np.zeros((1, *shape), dtype="float32"))
    return tuple(output.shape[1:]), layer.count_params()


def fits(size, kernel, dilation=1, padding=0):
    pad = 0 if padding == "valid" else padding
    return padding == "same" or size + 2 * pad >= dilation * (kernel - 1) + 1


# --- formulas against Keras, randomised -------------------------------------------------

paddings = st.sampled_from(["valid", "same"])


@ignore_rounding
@FAST
@given(
    size=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    kernel=st.tuples(st.integers(1, 5), st.integers(1, 5)),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=paddings,
    channels=st.integers(1, 3),
    filters=st.integers(1, 4),
    use_bias=st.booleans(),
)
def test_conv2d_matches_keras(size, kernel, stride, dilation, padding, channels, filters, use_bias):
    if stride > 1:
        dilation = 1  # Keras refuses strides > 1 together with dilation > 1
    assume(all(fits(w, k, dilation, padding) for w, k in zip(size, kernel, strict=True)))
    layer = keras.layers.Conv2D(
        filters, kernel, stride, padding, dilation_rate=dilation, use_bias=use_bias
    )
    shape, params = run(layer, (*size, channels))
    expected = tuple(
        F.conv_output_size(w, k, stride, padding, dilation)
        for w, k in zip(size, kernel, strict=True)
    )
    assert shape == (*expected, filters)
    assert params == F.conv_params(kernel, channels, filters, use_bias=use_bias)


@ignore_rounding
@FAST
@given(
    size=st.tuples(st.integers(1, 10), st.integers(1, 10)),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    pad=st.integers(0, 3),
)
def test_integer_padding_matches_zero_padding_then_valid_conv(size, kernel, stride, pad):
    assume(all(fits(w, kernel, 1, pad) for w in size))
    model = keras.Sequential(
        [keras.layers.ZeroPadding2D(pad), keras.layers.Conv2D(2, kernel, stride, "valid")]
    )
    output = model(np.zeros((1, *size, 1), dtype="float32"))
    expected = tuple(F.conv_output_size(w, kernel, stride, pad) for w in size)
    assert tuple(output.shape[1:]) == (*expected, 2)


@ignore_rounding
@FAST
@given(
    size=st.integers(1, 16),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    dilation=st.integers(1, 3),
    padding=st.sampled_from(["valid", "same", "causal"]),
    channels=st.integers(1, 3),
    filters=st.integers(1, 4),
)
def test_conv1d_matches_keras(size, kernel, stride, dilation, padding, channels, filters):
    if stride > 1:
        dilation = 1
    assume(padding != "valid" or fits(size, kernel, dilation))
    layer = keras.layers.Conv1D(filters, kernel, stride, padding, dilation_rate=dilation)
    shape, params = run(layer, (size, channels))
    assert shape == (F.conv_output_size(size, kernel, stride, padding, dilation), filters)
    assert params == F.conv1d_params(kernel, channels, filters)
    assert params == F.conv_params((kernel,), channels, filters)


@ignore_rounding
@FAST
@given(
    size=st.tuples(st.integers(1, 6), st.integers(1, 6), st.integers(1, 6)),
    kernel=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
    stride=st.integers(1, 2),
    padding=paddings,
    channels=st.integers(1, 2),
    filters=st.integers(1, 3),
)
def test_conv3d_matches_keras(size, kernel, stride, padding, channels, filters):
    assume(all(fits(w, k, 1, padding) for w, k in zip(size, kernel, strict=True)))
    shape, params = run(keras.layers.Conv3D(filters, kernel, stride, padding), (*size, channels))
    expected = tuple(
        F.conv_output_size(w, k, stride, padding) for w, k in zip(size, kernel, strict=True)
    )
    assert shape == (*expected, filters)
    assert params == F.conv_params(kernel, channels, filters)


@ignore_rounding
@FAST
@given(
    size=st.integers(3, 10),
    kernel=st.integers(1, 3),
    stride=st.integers(1, 2),
    padding=paddings,
    channels=st.integers(1, 4),
    multiplier=st.integers(1, 3),
    filters=st.integers(1, 4),
    use_bias=st.booleans(),
    two_d=st.booleans(),
)
def test_depthwise_and_separable_match_keras(
    size, kernel, stride, padding, channels, multiplier, filters, use_bias, two_d
):
    spatial = (size, size) if two_d else (size,)
    kernel_size = (kernel,) * len(spatial)
    depthwise = (keras.layers.DepthwiseConv2D if two_d else keras.layers.DepthwiseConv1D)(
        kernel_size, stride, padding, depth_multiplier=multiplier, use_bias=use_bias
    )
    shape, params = run(depthwise, (*spatial, channels))
    out = F.conv_output_size(size, kernel, stride, padding)
    assert shape == (*(out,) * len(spatial), channels * multiplier)
    assert params == F.depthwise_conv_params(kernel_size, channels, multiplier, use_bias=use_bias)

    separable = (keras.layers.SeparableConv2D if two_d else keras.layers.SeparableConv1D)(
        filters, kernel_size, stride, padding, depth_multiplier=multiplier, use_bias=use_bias
    )
    shape, params = run(separable, (*spatial, channels))
    assert shape == (*(out,) * len(spatial), filters)
    assert params == F.separable_conv_params(
        kernel_size, channels, filters, multiplier, use_bias=use_bias
    )


@ignore_rounding
@FAST
@given(
    size=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    pool=st.integers(1, 4),
    stride=st.one_of(st.none(), st.integers(1, 3)),
    padding=paddings,
    kind=st.sampled_from(["MaxPooling2D", "AveragePooling2D"]),
)
def test_pooling_matches_keras(size, pool, stride, padding, kind):
    assume(all(fits(w, pool, 1, padding) for w in size))
    layer = getattr(keras.layers, kind)(pool, stride, padding)
    shape, params = run(layer, (*size, 2))
    expected = tuple(F.pool_output_size(w, pool, stride, padding) for w in size)
    assert shape == (*expected, 2)
    assert params == F.pooling_params() == 0


@FAST
@given(
    channels=st.integers(1, 64),
    center=st.booleans(),
    scale=st.booleans(),
    inputs=st.integers(1, 64),
    units=st.integers(1, 64),
    use_bias=st.booleans(),
)
def test_batchnorm_and_dense_match_keras(channels, center, scale, inputs, units, use_bias):
    bn = keras.layers.BatchNormalization(center=center, scale=scale)
    bn.build((None, 4, 4, channels))
    trainable = sum(int(np.prod(w.shape)) for w in bn.trainable_weights)
    assert bn.count_params() == F.batchnorm_params(channels, center=center, scale=scale)
    assert trainable == F.batchnorm_trainable_params(channels, center=center, scale=scale)

    dense = keras.layers.Dense(units, use_bias=use_bias)
    dense.build((None, inputs))
    assert dense.count_params() == F.dense_params(inputs, units, use_bias=use_bias)


@settings(max_examples=examples(25), deadline=None, database=None)
@given(
    inputs=st.integers(1, 40),
    units=st.integers(1, 40),
    use_bias=st.booleans(),
    reset_after=st.booleans(),
)
def test_recurrent_layers_match_keras(inputs, units, use_bias, reset_after):
    cases = [
        (keras.layers.SimpleRNN(units, use_bias=use_bias), F.simple_rnn_params),
        (keras.layers.LSTM(units, use_bias=use_bias), F.lstm_params),
        (keras.layers.GRU(units, use_bias=use_bias, reset_after=reset_after), F.gru_params),
    ]
    for layer, formula in cases:
        layer.build((None, 5, inputs))
        kwargs = {"reset_after": reset_after} if formula is F.gru_params else {}
        assert layer.count_params() == formula(inputs, units, use_bias=use_bias, **kwargs)


def test_gru_reset_after_doubles_the_bias():
    n, m = 64, 32
    assert F.gru_params(m, n) == 3 * (n * (m + n) + 2 * n)
    assert F.gru_params(m, n, reset_after=False) == 3 * (n * (m + n) + n)
    assert F.gru_params(m, n, use_bias=False, reset_after=True) == 3 * n * (m + n)


def test_conv_transpose_count_is_conv_params():
    layer = keras.layers.Conv2DTranspose(8, 3)
    layer.build((None, 5, 5, 4))
    assert layer.count_params() == F.conv_params(3, 4, 8)


@FAST
@given(
    size=st.tuples(st.integers(1, 9), st.integers(1, 9)),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    padding=paddings,
    output_padding=st.one_of(st.none(), st.integers(0, 2)),
)
def test_conv_transpose_size_matches_keras(size, kernel, stride, padding, output_padding):
    assume(output_padding is None or output_padding < stride)
    layer = keras.layers.Conv2DTranspose(2, kernel, stride, padding, output_padding=output_padding)
    if padding == "same" and output_padding is not None:
        # TensorFlow's oneDNN kernel refuses some of these tiny cases at run time; the size is
        # then Keras's own shape inference (the same rule the layer applies when it runs)
        assume(all((w - 1) * stride + kernel % 2 + output_padding >= 1 for w in size))
        shape = tuple(layer.compute_output_shape((1, *size, 1))[1:])
    else:
        shape, _ = run(layer, (*size, 1))
    expected = tuple(
        F.conv_transpose_output_size(w, kernel, stride, padding, output_padding) for w in size
    )
    assert shape == (*expected, 2)


@FAST
@given(
    size=st.integers(1, 9),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 3),
    crop=st.integers(0, 2),
    output_padding=st.integers(0, 2),
)
def test_conv_transpose_integer_padding_is_valid_then_cropping(
    size, kernel, stride, crop, output_padding
):
    """The textbook W2 = (W1 - 1)S - 2P + F + A: Keras 'valid' with output_padding A, then crop P."""
    assume(output_padding < stride)
    assume((size - 1) * stride + kernel + output_padding > 2 * crop)
    model = keras.Sequential(
        [
            keras.layers.Conv2DTranspose(
                1, (kernel, 1), (stride, 1), "valid", output_padding=(output_padding, 0)
            ),
            keras.layers.Cropping2D(((crop, crop), (0, 0))),
        ]
    )
    output = model(np.zeros((1, size, 1, 1), dtype="float32"))
    expected = F.conv_transpose_output_size(size, kernel, stride, crop, output_padding)
    assert expected == (size - 1) * stride - 2 * crop + kernel + output_padding
    assert output.shape[1] == expected


def test_conv_transpose_undoes_the_size_of_a_strided_convolution():
    # DCGAN's generator: 7 -> 14 -> 28, the reverse of the discriminator's 28 -> 14 -> 7
    assert F.conv_transpose_output_size(7, 4, 2, "same") == 14
    assert F.conv_transpose_output_size(14, 4, 2, "same") == 28
    assert F.conv_output_size(28, 4, 2, "same") == 14
    assert F.conv_transpose_output_size(4, 3, 1, 0) == 6  # stride 1, no cropping: grows by F - 1
    assert F.conv_transpose_output_size(4, 3, 1, 1) == 4  # P = (F - 1)/2 keeps the size


# --- receptive field, two ways --------------------------------------------------------


def receptive_field_by_intervals(layers):
    """Walk back from one output unit, widening the input interval it depends on."""
    low, high = 0, 0
    for kernel, stride, dilation in reversed(layers):
        low, high = low * stride, high * stride + (kernel - 1) * dilation
    return high - low + 1


@settings(max_examples=examples(50), deadline=None, database=None)
@given(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 3), st.integers(1, 3)), max_size=6))
def test_receptive_field_matches_interval_walk(layers):
    assert F.receptive_field(layers) == receptive_field_by_intervals(layers)
    growth = F.receptive_field_growth(layers)
    assert len(growth) == len(layers)
    assert growth == sorted(growth)


def test_receptive_field_accepts_pairs_and_pooling():
    assert F.receptive_field([]) == 1
    assert F.receptive_field_growth([(3, 1), (2, 2), (3, 1)]) == [3, 4, 8]
    assert F.receptive_field([(3, 1, 2)]) == 5


# --- the syllabus's worked numbers ----------------------------------------------------


def test_contracts():
    assert F.conv_output_size(32, 5) == 28
    assert F.dense_params(784, 128) == 100480
    assert F.conv_params(5, 3, 6) == 456


def test_syllabus_convolution_example():
    side = F.conv_output_size(32, 5)
    assert (side, side, 6) == (28, 28, 6)
    assert F.conv_params(5, 3, 6) == 5 * 5 * 3 * 6 + 6 == 456


def test_syllabus_fully_connected_versus_local_versus_shared():
    assert F.dense_params(10**6, 10**6, use_bias=False) == 10**12
    assert F.locally_connected_params(10**6, 10, use_bias=False) == 10**8
    assert F.conv_params(10, 1, 1, use_bias=False) == 100
    assert F.conv_params(10, 1, 100, use_bias=False) == 10**4


def test_fully_connected_layer_is_a_whole_map_convolution():
    assert F.conv_params((7, 7), 512, 4096) == F.dense_params(7 * 7 * 512, 4096)


def test_syllabus_batches_iterations_epochs():
    assert F.iterations_per_epoch(1840, 8) == 230
    epochs = F.epochs_for_iterations(4000, 1840, 8)
    assert isinstance(epochs, float)
    assert round(epochs) == 17 and epochs == pytest.approx(17.39, abs=0.01)
    assert F.iterations_per_epoch(1850, 8) == 232
    assert F.iterations_per_epoch(1850, 8, drop_remainder=True) == 231


def test_syllabus_stacked_3x3_receptive_fields_and_vgg_savings():
    assert F.receptive_field([(3, 1)] * 2) == 5
    assert F.receptive_field([(3, 1)] * 3) == 7
    c = 64
    three_3x3 = 3 * F.conv_params(3, c, c, use_bias=False)
    one_7x7 = F.conv_params(7, c, c, use_bias=False)
    assert three_3x3 == 27 * c * c < one_7x7 == 49 * c * c


def test_lenet_c1_numbers_and_macs():
    assert F.conv_params(5, 1, 6) == 156
    assert F.conv_connections(28, 28, 5, 1, 6) == 122_304
    assert F.conv_macs(28, 28, 5, 3, 6) == 28 * 28 * 5 * 5 * 3 * 6
    assert F.dense_macs(784, 128) == 784 * 128


def test_same_padding_keeps_size_with_p_equal_half_kernel():
    for kernel in (1, 3, 5, 7):
        assert F.conv_output_size(32, kernel, padding=(kernel - 1) // 2) == 32
        assert F.conv_output_size(32, kernel, padding="same") == 32


# --- rounding is explained, never silent -------------------------------------------------


def test_non_dividing_size_warns_with_the_arithmetic():
    with pytest.warns(OutputSizeRoundedWarning, match=r"27/2 = 13\.5 -> 13, \+1 = 14"):
        assert F.conv_output_size(32, 5, stride=2) == 14
    with pytest.warns(OutputSizeRoundedWarning, match="1 input position"):
        assert F.pool_output_size(7, 2) == 3


def test_dividing_size_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert F.conv_output_size(227, 11, stride=4) == 55
        assert F.conv_output_size(32, 5, stride=2, padding="same") == 16
        assert F.pool_output_size(28, 2) == 14


def test_output_size_explanation():
    text = F.output_size_explanation(32, 5, stride=2)
    assert "Keras floors" in text and "13.5 -> 13" in text and "ceil(32/2) = 16" in text
    assert "nothing is rounded" in F.output_size_explanation(32, 5)
    assert "ceil(32/2) = 16" in F.output_size_explanation(32, 5, stride=2, padding="same")
    assert "D×(F-1)+1 = 2×(3-1)+1 = 5" in F.output_size_explanation(32, 3, dilation=2)


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.conv_output_size(3, 5), ValueError, r"larger than the padded input"),
        (lambda: F.conv_output_size(5, 3, dilation=3), ValueError, r"dilated by 3, spanning 7"),
        (lambda: F.conv_output_size(32, 3, stride=0), ValueError, r"stride must be positive"),
        (lambda: F.conv_output_size(32, 3, stride=-1), ValueError, r"stride must be positive"),
        (lambda: F.conv_output_size(-32, 3), ValueError, r"input_size must be positive"),
        (lambda: F.conv_output_size(32, 3, padding=-1), ValueError, r"at least 0"),
        (lambda: F.conv_output_size(32, 3.5), TypeError, r"kernel_size must be an int"),
        (lambda: F.conv_output_size(32, 3.0), TypeError, r"Pass 3 instead of 3\.0"),
        (lambda: F.conv_output_size(32, "3"), TypeError, r"not the string '3'"),
        (lambda: F.conv_output_size(32, True), TypeError, r"Booleans are not sizes"),
        (lambda: F.conv_output_size((32, 32), 3), TypeError, r"one spatial dimension"),
        (lambda: F.conv_output_size(32, 3, padding="full"), ValueError, r"'valid', 'same'"),
        (lambda: F.conv_output_size(32, 3, padding=None), TypeError, r"padding must be"),
        (lambda: F.pool_output_size(32, 2, padding="causal"), ValueError, r"not a padding"),
        (lambda: F.pool_output_size(32, 0), ValueError, r"pool_size must be positive"),
        (lambda: F.dense_params(0, 10), ValueError, r"inputs must be positive"),
        (lambda: F.dense_params(784, 128, use_bias=1), TypeError, r"True or False"),
        (lambda: F.conv_params((3, 3, 3, 3), 1, 1), ValueError, r"1, 2 or 3 entries"),
        (lambda: F.conv_params(3.5, 1, 1), TypeError, r"tuple of ints such as \(3, 3\)"),
        (lambda: F.conv1d_params((3, 3), 1, 1), ValueError, r"takes 1 entries"),
        (lambda: F.receptive_field([3, 3]), TypeError, r"\(kernel_size, stride\) pair"),
        (lambda: F.receptive_field([(3, 0)]), ValueError, r"stride must be positive"),
        (lambda: F.receptive_field(3), TypeError, r"list of \(kernel_size, stride\)"),
        (lambda: F.iterations_per_epoch(5, 8, drop_remainder=True), ValueError, r"no batch"),
        (lambda: F.lstm_params(0, 4), ValueError, r"feature size of each time step"),
        (lambda: F.output_size_explanation(8, 2, window="box"), ValueError, r"window must be"),
        (
            lambda: F.conv_transpose_output_size(7, 4, 2, "same", output_padding=2),
            ValueError,
            r"output_padding must be smaller than the stride",
        ),
        (lambda: F.conv_transpose_output_size(2, 3, 1, 3), ValueError, r"leaves nothing"),
        (lambda: F.conv_transpose_output_size(7, 4, 2, "full"), ValueError, r"'valid', 'same'"),
    ],
)
def test_bad_input_raises_with_a_useful_message(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- the registry ----------------------------------------------------------------------

REQUIRED = {
    "conv_output_size",
    "pool_output_size",
    "conv_params",
    "dense_params",
    "depthwise_conv_params",
    "separable_conv_params",
    "batchnorm_params",
    "simple_rnn_params",
    "lstm_params",
    "gru_params",
    "receptive_field",
    "conv_macs",
    "iterations_per_epoch",
    "conv_transpose_output_size",
}


def test_registry_covers_the_sheet_and_examples_compute():
    assert REQUIRED <= set(F.FORMULAS)
    chapters = [entry.chapter for entry in F.FORMULAS.values()]
    assert chapters == sorted(chapters)
    for key, entry in F.FORMULAS.items():
        assert entry.key == key and entry.function is getattr(F, key)
        assert entry.title and entry.text and entry.function.__doc__
        assert any("\u4e00" <= ch <= "\u9fff" for ch in entry.chinese), key
        assert entry.evaluate() == entry.function(**entry.example)
    assert F.FORMULAS["conv_output_size"].evaluate() == 28
    assert F.FORMULAS["conv_params"].evaluate() == 456
    assert F.FORMULAS["dense_params"].evaluate() == 100480
    assert F.FORMULAS["iterations_per_epoch"].evaluate() == 230
    assert F.FORMULAS["conv_transpose_output_size"].evaluate() == 14


def test_registering_a_key_twice_is_refused():
    with pytest.raises(ValueError, match="registered twice"):
        F.formula(title="x", chinese="卷积", text="x", example={}, chapter="02")(F.conv_params)


def test_formulas_import_without_tensorflow():
    code = (
        "import sys, cnnkit.formulas; "
        "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
