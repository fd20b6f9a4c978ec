"""Builders of chapters 02-03 (cnnkit.models.basic_cnns): parameter counts by formula, shapes."""

import keras
import pytest

from cnnkit import formulas
from cnnkit.models import basic_cnns

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison


def test_small_cnn_counts_and_bias_switch():
    model = basic_cnns.small_cnn()
    convs = [(3, 1, 16), (3, 16, 32), (3, 32, 64)]
    expected = sum(formulas.conv_params(*c) for c in convs) + formulas.dense_params(7 * 7 * 64, 10)
    assert model.count_params() == expected == 54_666
    assert basic_cnns.small_cnn(use_bias=False).count_params() == expected - (16 + 32 + 64)


@pytest.mark.parametrize(("size", "total"), [(5, 95_882), (7, 157_706)])
def test_small_cnn_kernel_size_changes_only_the_convolutions(size, total):
    model = basic_cnns.small_cnn(kernel_size=size)
    convs = [(size, 1, 16), (size, 16, 32), (size, 32, 64)]
    expected = sum(formulas.conv_params(*c) for c in convs) + formulas.dense_params(7 * 7 * 64, 10)
    assert model.count_params() == expected == total
    assert model.output_shape == (None, 10)


def test_small_cnn_rejects_a_bad_kernel_size():
    with pytest.raises(ValueError, match="kernel_size"):
        basic_cnns.small_cnn(kernel_size=0)


@pytest.mark.parametrize(("N", "M", "L"), [(1, 2, 0), (2, 2, 1), (2, 3, 1), (3, 1, 2)])
def test_typical_stack_follows_the_pattern(N, M, L):
    keras.backend.clear_session()
    model = basic_cnns.typical_stack(convs_per_block=N, blocks=M, dense_layers=L)
    kinds = [type(layer).__name__ for layer in model.layers[1:]]
    block = ["Conv2D"] * N + ["MaxPooling2D"]
    assert kinds == block * M + ["Flatten"] + ["Dense"] * (L + 1)
    params, channels, size = 0, 1, 28
    for m in range(M):
        width = 16 * 2**m
        for _ in range(N):
            params += formulas.conv_params(3, channels, width)
            channels = width
        size //= 2
    features = size * size * channels
    for _ in range(L):
        params += formulas.dense_params(features, 64)
        features = 64
    params += formulas.dense_params(features, 10)
    assert model.count_params() == params
    assert model.output_shape == (None, 10)


def test_typical_stack_rejects_bad_shapes():
    with pytest.raises(ValueError, match="blocks"):
        basic_cnns.typical_stack(blocks=0)
    with pytest.raises(ValueError, match="at least 32×32"):
        basic_cnns.typical_stack(blocks=5)
    with pytest.raises(ValueError, match="dense_layers"):
        basic_cnns.typical_stack(dense_layers=-1)


def test_flat_mlp_and_pooling_cnn_variants():
    assert basic_cnns.flat_mlp().count_params() == formulas.dense_params(784, 256) + (
        formulas.dense_params(256, 10)
    )
    convs = formulas.conv_params(3, 1, 32) + formulas.conv_params(3, 32, 64)
    sizes = {"none": 28, "max 2×2": 7, "average 2×2": 7, "max 3×3/2 (overlapping)": 7}
    sizes["stride-2 conv"] = 7
    for downsampling, size in sizes.items():
        keras.backend.clear_session()
        model = basic_cnns.pooling_cnn(downsampling=downsampling)
        assert model.get_layer("flatten").output.shape[1] == size * size * 64, downsampling
        assert model.count_params() == convs + formulas.dense_params(size * size * 64, 10)
    overlapping = basic_cnns.pooling_cnn(downsampling="max 3×3/2 (overlapping)").get_layer("pool1")
    assert overlapping.pool_size == (3, 3) and overlapping.strides == (2, 2)
    with pytest.raises(ValueError, match="downsampling must be one of"):
        basic_cnns.pooling_cnn(downsampling="max")
