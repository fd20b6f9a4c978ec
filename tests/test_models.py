"""Tests of cnnkit.models: every parameter count is computed two ways (the paper's or our
own arithmetic versus the built Keras model), plus shapes, custom layers and input checks."""

from __future__ import annotations

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from cnnkit import models as M  # noqa: E402
from cnnkit.models.layers import (  # noqa: E402
    LENET_C3_TABLE,
    LocalResponseNormalization,
    PartialConv2D,
    Subsampling,
)

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison


@pytest.fixture(autouse=True)
def _fresh_session():
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


# -- arithmetic written out independently of the builders -----------------------------------


def conv(k, c_in, filters, groups=1, bias=True):
    return k * k * (c_in // groups) * filters + (filters if bias else 0)


def dense(n_in, n_out):
    return n_in * n_out + n_out


def trainable(model):
    return sum(int(np.prod(w.shape)) for w in model.trainable_weights)


def layer_params(model):
    return {layer.name: layer.count_params() for layer in model.layers}


# -- LeNet-5 ---------------------------------------------------------------------------------


def test_lenet5_keras_variant_has_61706_parameters():
    model = M.lenet5()
    expected = {
        "C1": conv(5, 1, 6),
        "C3": conv(5, 6, 16),
        "F5": dense(5 * 5 * 16, 120),
        "F6": dense(120, 84),
        "output": dense(84, 10),
    }
    params = layer_params(model)
    for name, count in expected.items():
        assert params[name] == count, name
    assert model.count_params() == sum(expected.values()) == 61_706
    assert model.input_shape == (None, 28, 28, 1)
    assert model.output_shape == (None, 10)
    assert model.get_layer("S4").output.shape[1:] == (5, 5, 16)


def test_lenet5_1998_matches_the_paper_layer_by_layer():
    model = M.lenet5_1998()
    paper = {"C1": 156, "S2": 12, "C3": 1516, "S4": 32, "C5": 48_120, "F6": 10_164}
    params = layer_params(model)
    for name, count in paper.items():
        assert params[name] == count, name
    # C3 two ways: 25 weights per connection plus one bias per map.
    connections = sum(len(inputs) for inputs in LENET_C3_TABLE)
    assert connections == 60
    assert 25 * connections + 16 == 1516
    assert model.count_params() == sum(paper.values()) + dense(84, 10) == 60_850
    shapes = {name: model.get_layer(name).output.shape[1:] for name in paper}
    assert shapes == {
        "C1": (28, 28, 6),
        "S2": (14, 14, 6),
        "C3": (10, 10, 16),
        "S4": (5, 5, 16),
        "C5": (1, 1, 120),
        "F6": (84,),
    }
    assert isinstance(model.get_layer("S2"), Subsampling)
    assert isinstance(model.get_layer("C3"), PartialConv2D)


def test_lenet_c3_table_is_table_one_of_the_paper():
    table = [set(inputs) for inputs in LENET_C3_TABLE]
    assert [len(t) for t in table] == [3] * 6 + [4] * 9 + [6]
    for j in range(6):  # 3 contiguous maps (cyclically)
        assert table[j] == {j % 6, (j + 1) % 6, (j + 2) % 6}
    for j in range(6, 12):  # 4 contiguous maps
        assert table[j] == {(j - 6 + d) % 6 for d in range(4)}
    assert table[12:15] == [{0, 1, 3, 4}, {1, 2, 4, 5}, {0, 2, 3, 5}]
    assert table[15] == set(range(6))


# -- custom layers -------------------------------------------------------------------------


def test_partial_conv2d_equals_a_masked_full_convolution():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 9, 9, 6)).astype("float32")
    layer = PartialConv2D(LENET_C3_TABLE, kernel_size=5)
    y = keras.ops.convert_to_numpy(layer(x))
    assert y.shape == (2, 5, 5, 16)
    assert layer.count_params() == 1516

    full = keras.ops.convert_to_numpy(layer.full_kernel())
    for j, inputs in enumerate(LENET_C3_TABLE):
        for i in range(6):
            if i not in inputs:
                assert not full[:, :, i, j].any(), (i, j)
            else:
                assert full[:, :, i, j].any(), (i, j)

    reference = keras.layers.Conv2D(16, 5)
    reference.build((None, 9, 9, 6))
    reference.set_weights([full, layer.bias.numpy()])
    np.testing.assert_allclose(y, keras.ops.convert_to_numpy(reference(x)), atol=1e-5)


def test_partial_conv2d_rejects_too_few_input_channels_and_bad_tables():
    with pytest.raises(ValueError, match="at least 6 channels"):
        PartialConv2D(LENET_C3_TABLE)(np.zeros((1, 10, 10, 4), "float32"))
    with pytest.raises(ValueError, match="at least one input map"):
        PartialConv2D([[0, 1], []])
    with pytest.raises(ValueError, match="twice"):
        PartialConv2D([[0, 0]])


def test_subsampling_is_a_trained_sum_of_each_window():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 6, 6, 3)).astype("float32")
    layer = Subsampling(2)
    layer.build(x.shape)
    w = np.array([0.5, -1.0, 2.0], "float32")
    b = np.array([0.1, 0.0, -0.3], "float32")
    layer.set_weights([w, b])
    window_sum = x.reshape(2, 3, 2, 3, 2, 3).sum(axis=(2, 4))
    expected = 1 / (1 + np.exp(-(window_sum * w + b)))
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), expected, atol=1e-5)
    assert layer.count_params() == 2 * 3


def test_local_response_normalization_matches_the_paper_formula():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(2, 4, 4, 7)).astype("float32") * 10
    layer = LocalResponseNormalization(depth_radius=2, bias=2.0, alpha=1e-3, beta=0.75)
    y = keras.ops.convert_to_numpy(layer(x))
    expected = np.empty_like(x)
    for i in range(7):
        lo, hi = max(0, i - 2), min(7, i + 3)
        s = (x[..., lo:hi] ** 2).sum(axis=-1)
        expected[..., i] = x[..., i] / (2.0 + 1e-3 * s) ** 0.75
    np.testing.assert_allclose(y, expected, rtol=1e-5)
    assert layer.count_params() == 0


# Keras' own saving code calls np.array() on its variables (NumPy 2 copy-keyword warning).
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_custom_layers_round_trip_through_config_clone_and_save(tmp_path):
    inputs = keras.Input((32, 32, 6))
    x = LocalResponseNormalization(depth_radius=1, name="lrn")(inputs)
    x = Subsampling(2, activation="tanh", name="sub")(x)
    x = PartialConv2D([[0, 1, 2], [3, 4, 5], [0, 5]], kernel_size=3, activation="relu")(x)
    model = keras.Model(inputs, x)
    data = np.random.default_rng(3).normal(size=(2, 32, 32, 6)).astype("float32")

    for layer in model.layers[1:]:
        clone = type(layer).from_config(layer.get_config())
        assert clone.get_config() == layer.get_config()

    clone = keras.models.clone_model(model)
    clone.set_weights(model.get_weights())
    assert clone.count_params() == model.count_params() == 2 * 6 + 9 * 8 + 3
    np.testing.assert_allclose(clone.predict(data, verbose=0), model.predict(data, verbose=0))

    path = tmp_path / "custom.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    np.testing.assert_allclose(loaded.predict(data, verbose=0), model.predict(data, verbose=0))


def test_faithful_lenet_clones():
    model = M.lenet5_1998()
    clone = keras.models.clone_model(model)
    assert layer_params(clone) == layer_params(model)


# -- AlexNet, ZFNet ------------------------------------------------------------------------


def alexnet_formula(groups):
    return (
        conv(11, 3, 96)
        + conv(5, 96, 256, groups)
        + conv(3, 256, 384)
        + conv(3, 384, 384, groups)
        + conv(3, 384, 256, groups)
        + dense(6 * 6 * 256, 4096)
        + dense(4096, 4096)
        + dense(4096, 1000)
    )


@pytest.mark.slow
@pytest.mark.parametrize(("groups", "count"), [(1, 62_378_344), (2, 60_965_224)])
def test_alexnet_parameter_count(groups, count):
    model = M.alexnet(groups=groups)
    assert model.count_params() == alexnet_formula(groups) == count
    assert model.get_layer("pool5").output.shape[1:] == (6, 6, 256)
    assert model.output_shape == (None, 1000)
    assert isinstance(model.get_layer("lrn1"), LocalResponseNormalization)


@pytest.mark.slow
def test_zfnet_parameter_count_and_sizes():
    model = M.zfnet()
    expected = (
        conv(7, 3, 96)
        + conv(5, 96, 256)
        + conv(3, 256, 512)
        + conv(3, 512, 1024)
        + conv(3, 1024, 512)
        + dense(6 * 6 * 512, 4096)
        + dense(4096, 4096)
        + dense(4096, 1000)
    )
    assert model.count_params() == expected == 107_627_624
    sizes = {n: model.get_layer(n).output.shape[1] for n in ("conv1", "pool1", "conv2", "pool5")}
    assert sizes == {"conv1": 110, "pool1": 55, "conv2": 26, "pool5": 6}
    assert model.get_layer("conv1").kernel_size == (7, 7)
    assert model.get_layer("conv1").strides == (2, 2)


# -- VGG -------------------------------------------------------------------------------------


def vgg_formula(config, classes=1000, side=224):
    """Table 1 read by hand: "convK-N" is a KxK convolution with N filters; every block ends in
    a 2x2 max pooling; then fc 4096, 4096, classes."""
    letter = M.vgg.__globals__["VGG_LETTERS"].get(config, config)
    total, c_in = 0, 3
    for block in M.VGG_CONFIGS[letter]:
        for spec in block:
            if spec != "LRN":
                k, n = (int(v) for v in spec[4:].split("-"))
                total += conv(k, c_in, n)
                c_in = n
        side //= 2
    return total + dense(side * side * c_in, 4096) + dense(4096, 4096) + dense(4096, classes)


VGG_EXACT = {
    "A": 132_863_336,
    "A-LRN": 132_863_336,
    "B": 133_047_848,
    "C": 133_638_952,
    "D": 138_357_544,
    "E": 143_667_240,
}


@pytest.mark.parametrize("letter", list(VGG_EXACT))
def test_vgg_configurations_a_to_e_match_the_paper(letter):
    """Exact counts from the builder, equal to the hand arithmetic, rounding to Table 2."""
    with keras.StatelessScope(initialize_variables=False):  # shapes only: no 500 MB of weights
        model = M.vgg(config=letter)
        count = model.count_params()
        layers = [type(layer).__name__ for layer in model.layers]
    assert count == VGG_EXACT[letter] == vgg_formula(letter)
    assert round(count / 1e6) == M.VGG_PAPER_MILLIONS[letter]
    assert ("LocalResponseNormalization" in layers) == (letter == "A-LRN")
    convs = layers.count("Conv2D")
    assert convs + 3 == {"A": 11, "A-LRN": 11, "B": 13, "C": 16, "D": 16, "E": 19}[letter]


def test_vgg_c_has_three_1x1_convolutions_and_block_names():
    model = M.vgg(config="C", input_shape=(32, 32, 3), classes=10)
    ones = [layer.name for layer in model.layers if getattr(layer, "kernel_size", None) == (1, 1)]
    assert ones == ["block3_conv3", "block4_conv3", "block5_conv3"]
    assert model.name == "vgg16_c"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("depth", "application", "count"),
    [(16, "VGG16", 138_357_544), (19, "VGG19", 143_667_240)],
)
def test_vgg_equals_keras_applications(depth, application, count):
    model = M.vgg(config=depth)
    assert model.count_params() == vgg_formula(depth) == count
    ours = [(layer.name, layer.count_params()) for layer in model.layers if layer.weights]
    keras.backend.clear_session()
    reference = getattr(keras.applications, application)(weights=None)
    theirs = [(layer.name, layer.count_params()) for layer in reference.layers if layer.weights]
    assert reference.count_params() == count
    assert ours == theirs  # same layer names, same counts, same order


@pytest.mark.parametrize("depth", [11, 13])
def test_vgg_configurations_a_and_b(depth):
    model = M.vgg(config=depth, input_shape=(32, 32, 3), classes=10)
    assert model.count_params() == vgg_formula(depth, classes=10, side=32)
    n_conv = sum(isinstance(layer, keras.layers.Conv2D) for layer in model.layers)
    assert n_conv + 3 == depth


def test_vgg_batch_norm_adds_four_numbers_per_channel():
    plain = M.vgg(config=11, input_shape=(32, 32, 3), classes=10)
    bn = M.vgg(config=11, input_shape=(32, 32, 3), classes=10, batch_norm=True)
    channels = sum(int(spec.split("-")[1]) for block in M.VGG_CONFIGS["A"] for spec in block)
    assert bn.count_params() == plain.count_params() + 4 * channels
    assert bn.name == "vgg11_bn"


# -- GoogLeNet -------------------------------------------------------------------------------


def inception_formula(c_in, f1, r3, f3, r5, f5, pp):
    return (c_in + 1) * (f1 + r3 + r5 + pp) + (9 * r3 + 1) * f3 + (25 * r5 + 1) * f5


@pytest.mark.slow
def test_googlenet_total_and_every_module():
    model = M.googlenet()
    assert model.count_params() == 6_998_552
    assert model.output_shape == (None, 1000)
    keys = ["filters_1x1", "filters_3x3_reduce", "filters_3x3"]
    keys += ["filters_5x5_reduce", "filters_5x5", "pool_proj"]
    total = conv(7, 3, 64) + conv(1, 64, 64) + conv(3, 64, 192) + dense(1024, 1000)
    c_in = 192
    for row in M.GOOGLENET_TABLE1:
        if row["type"] != "inception":
            continue
        filters = [row[k] for k in keys]
        name = row["name"]
        block = [layer for layer in model.layers if layer.name.startswith(name + "_")]
        assert sum(layer.count_params() for layer in block) == inception_formula(c_in, *filters)
        total += inception_formula(c_in, *filters)
        # The table's output column agrees with the filter numbers and the model.
        out = model.get_layer(f"{name}_concat").output.shape[1:]
        assert "x".join(map(str, out)) == row["output_size"]
        c_in = row["filters_1x1"] + row["filters_3x3"] + row["filters_5x5"] + row["pool_proj"]
        assert c_in == out[-1]
    assert total == 6_998_552


def test_googlenet_table1_rows():
    names = [row["name"] for row in M.GOOGLENET_TABLE1]
    assert names[0] == "conv1" and names[-1] == "softmax"
    inception = [row for row in M.GOOGLENET_TABLE1 if row["type"] == "inception"]
    assert [row["name"][-2:] for row in inception] == ["3a", "3b", "4a", "4b", "4c", "4d", "4e"] + [
        "5a",
        "5b",
    ]
    assert [row["params_k"] for row in inception] == [159, 380, 364, 437, 463, 580, 840, 1072, 1388]
    assert sum(row["params_k"] or 0 for row in M.GOOGLENET_TABLE1) == pytest.approx(6797.7)


def test_inception_module_shape_and_names():
    inputs = keras.Input((28, 28, 192))
    outputs = M.inception_module(inputs, 64, 96, 128, 16, 32, 32, name="inception_3a")
    model = keras.Model(inputs, outputs)
    assert outputs.shape[1:] == (28, 28, 256)
    assert model.count_params() == inception_formula(192, 64, 96, 128, 16, 32, 32)
    names = {layer.name for layer in model.layers}
    assert {"inception_3a_branch_3x3", "inception_3a_pool_proj", "inception_3a_concat"} <= names


# -- ResNet ----------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(("depth", "count"), [(18, 11_689_512), (34, 21_797_672), (50, 25_557_032)])
def test_resnet_trainable_counts_equal_torchvision(depth, count):
    model = M.resnet(depth=depth)
    assert trainable(model) == count
    assert model.count_params() > count  # plus the BN moving statistics
    assert model.output_shape == (None, 1000)
    assert model.get_layer("stage4_block1_out").output.shape[1:3] == (7, 7)
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert not any(layer.use_bias for layer in convs)
    n_proj = sum(layer.name.endswith("proj_conv") for layer in convs)
    assert n_proj == (4 if depth == 50 else 3)
    assert len(convs) - n_proj + 1 == depth


def test_resnet18_cifar_port_stage_shapes(capsys):
    """The builder prints nothing (its stage shapes come from stage_shapes)."""
    model = M.resnet(depth=18, input_shape=(32, 32, 3), classes=10, small_input=True)
    shapes = M.stage_shapes(model)
    assert shapes == {
        "input": (32, 32, 3),
        "stem": (32, 32, 64),
        "stage1": (32, 32, 64),
        "stage2": (16, 16, 128),
        "stage3": (8, 8, 256),
        "stage4": (4, 4, 512),
    }
    assert capsys.readouterr().out == ""
    assert model.get_layer("conv1_conv").kernel_size == (3, 3)
    assert not any(isinstance(layer, keras.layers.MaxPooling2D) for layer in model.layers)
    # Same blocks as ResNet-18: only the stem (7x7x3x64 -> 3x3x3x64) and the head differ.
    assert trainable(model) == 11_689_512 - (49 - 9) * 3 * 64 - 990 * 512 - 990


def test_plain_network_has_no_shortcuts():
    kwargs = dict(input_shape=(32, 32, 3), classes=10, small_input=True, width=8, stages=(2, 2))
    residual = M.resnet(depth=18, **kwargs)
    plain = M.resnet(depth=18, plain=True, **kwargs)
    assert plain.name == "plain10_small_w8"
    assert not any(isinstance(layer, keras.layers.Add) for layer in plain.layers)
    assert sum(isinstance(layer, keras.layers.Add) for layer in residual.layers) == 4
    projection = conv(1, 8, 16, bias=False) + 4 * 16  # 1x1 conv + BN
    assert residual.count_params() - plain.count_params() == projection


def test_resnet_bottleneck_with_custom_stages():
    model = M.resnet(
        depth=50, input_shape=(32, 32, 3), classes=10, small_input=True, width=4, stages=(1, 1)
    )
    assert model.output_shape == (None, 10)
    assert M.stage_shapes(model)["stage2"] == (16, 16, 32)  # 4 * 2 filters, expanded 4x


def test_stage_shapes_rejects_other_models():
    with pytest.raises(ValueError, match="stageN"):
        M.stage_shapes(M.lenet5())


# -- MobileNet -------------------------------------------------------------------------------


def test_separable_saving_arithmetic_and_keras():
    standard, separable, ratio = M.separable_saving(3, 32, 64)
    assert (standard, separable) == (3 * 3 * 32 * 64, 3 * 3 * 32 + 32 * 64)
    assert ratio == pytest.approx(1 / 64 + 1 / 9)
    conv_layer = keras.layers.Conv2D(64, 3, use_bias=False)
    conv_layer.build((None, 8, 8, 32))
    sep_layer = keras.layers.SeparableConv2D(64, 3, use_bias=False)
    sep_layer.build((None, 8, 8, 32))
    assert (conv_layer.count_params(), sep_layer.count_params()) == (standard, separable)
    with_bias = M.separable_saving(3, 32, 64, use_bias=True)
    assert with_bias[:2] == (standard + 64, separable + 64)


def test_mobilenet_block_count_and_shape():
    inputs = keras.Input((16, 16, 32))
    outputs = M.mobilenet_block(inputs, 64, 2, name="block1")
    model = keras.Model(inputs, outputs)
    assert outputs.shape[1:] == (8, 8, 64)
    assert model.count_params() == 9 * 32 + 4 * 32 + 32 * 64 + 4 * 64


@pytest.mark.slow
def test_mobilenet_equals_keras_applications():
    ours = M.mobilenet()
    assert ours.count_params() == 4_253_864
    assert trainable(ours) == 4_231_976
    keras.backend.clear_session()
    assert keras.applications.MobileNet(weights=None).count_params() == 4_253_864


# -- small CPU models ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("builder", "count"),
    [
        (M.vgg_small, 468_394),
        (M.resnet_small, 176_090),
        (M.lenet5, 61_706),
        (lambda: M.lenet5_1998(input_shape=(32, 32, 1)), 60_850),
    ],
)
def test_small_models_forward_pass(builder, count):
    model = builder()
    assert model.count_params() == count
    shape = model.input_shape[1:]
    x = np.random.default_rng(4).random((3, *shape)).astype("float32")
    y = model.predict(x, verbose=0)
    assert y.shape == (3, 10)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-5)


def test_resnet_small_stages():
    model = M.resnet_small()
    shapes = M.stage_shapes(model)
    assert [shapes[f"stage{i}"] for i in (1, 2, 3)] == [(28, 28, 16), (14, 14, 32), (7, 7, 64)]
    assert trainable(model) == 174_970
    assert M.resnet_small(plain=True).count_params() == 173_146


# -- input checks ----------------------------------------------------------------------------

TOO_SMALL = [
    (M.lenet5, (11, 11, 1), 12),
    (lambda s: M.lenet5_1998(s), (31, 31, 1), 32),
    (M.alexnet, (66, 66, 3), 67),
    (M.zfnet, (52, 52, 3), 53),
    (lambda s: M.vgg(16, s), (31, 31, 3), 32),
    (M.googlenet, (31, 31, 3), 32),
    (lambda s: M.resnet(18, s), (31, 32, 3), 32),
    (lambda s: M.resnet(18, s, small_input=True), (7, 7, 3), 8),
    (M.mobilenet, (31, 31, 3), 32),
    (M.vgg_small, (3, 3, 1), 4),
    (M.resnet_small, (3, 3, 1), 4),
]


@pytest.mark.parametrize(("builder", "shape", "minimum"), TOO_SMALL)
def test_too_small_input_names_the_minimum(builder, shape, minimum):
    with pytest.raises(ValueError, match=f"at least {minimum}x{minimum}"):
        builder(shape)


@pytest.mark.parametrize(
    ("builder", "shape"),
    [
        (M.lenet5, (12, 12, 1)),
        (lambda s: M.lenet5_1998(s), (32, 32, 1)),
        (lambda s: M.alexnet(s, classes=10), (67, 67, 3)),
        (lambda s: M.zfnet(s, classes=10), (53, 53, 3)),
        (lambda s: M.vgg(11, s, classes=10), (32, 32, 3)),
        (lambda s: M.googlenet(s, classes=10), (32, 32, 3)),
        (M.resnet_small, (4, 4, 1)),
    ],
)
def test_the_minimum_input_builds(builder, shape):
    model = builder(shape)
    assert model.output_shape[-1] == 10 or model.output_shape[-1] == 1000


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: M.vgg(config=15), ValueError, "depth must be one of"),
        (lambda: M.resnet(depth=20), ValueError, "depth must be one of"),
        (lambda: M.alexnet(groups=3), ValueError, "groups"),
        (lambda: M.lenet5(classes=0), ValueError, "classes"),
        (lambda: M.lenet5((28, 28)), ValueError, "three entries"),
        (lambda: M.lenet5("28x28"), TypeError, "tuple"),
        (lambda: M.resnet(depth=18, stages=(2, 0)), ValueError, "stages"),
    ],
)
def test_bad_arguments_are_explained(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -- without batch normalisation; cnnkit.models.survey ---------------------------------------


def test_resnet_small_without_batch_norm_has_conv_biases_and_no_bn():
    model = M.resnet_small(plain=True, batch_norm=False)
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers)
    assert all(layer.use_bias for layer in model.layers if isinstance(layer, keras.layers.Conv2D))
    # plain_small's 172,218 trainable - BN's 2 per channel (928) + one bias per conv filter (464)
    assert model.count_params() == 171_754
    with pytest.raises(ValueError, match="small_input"):
        M.resnet(depth=18, batch_norm=False)


def test_survey_counts_macs_depth_and_blocks():
    from cnnkit import formulas
    from cnnkit.models import survey

    lenet = M.lenet5()
    expected = (
        formulas.conv_macs(28, 28, 5, 1, 6)
        + formulas.conv_macs(10, 10, 5, 6, 16)
        + formulas.dense_macs(400, 120)
        + formulas.dense_macs(120, 84)
        + formulas.dense_macs(84, 10)
    )
    assert survey.model_macs(lenet) == expected
    assert survey.weight_layer_depth(lenet) == 5
    faithful = survey.profile(M.lenet5_1998())
    c3 = faithful["table"].set_index("layer").loc["C3", "parameters"]
    assert c3 == 1_516
    assert faithful["weight_layers"] == 5
    resnet = M.resnet(depth=18, input_shape=(32, 32, 3), classes=10, small_input=True, width=8)
    assert survey.weight_layer_depth(resnet) == 18  # projections are on a shorter path
    blocks = survey.block_summary(resnet)
    assert blocks["parameters"].sum() == resnet.count_params()
    assert "stage2_block1" in set(blocks["block"])
    assert survey.block_name("inception_4a_branch_3x3") == "inception_4a"
    grouped = keras.Sequential([keras.Input((8, 8, 4)), keras.layers.Conv2D(6, 3, groups=2)])
    assert survey.model_macs(grouped) == formulas.conv_macs(6, 6, 3, 2, 6)


def test_head_tail_keeps_short_tables_and_cuts_long_ones():
    import pandas as pd

    from cnnkit.models import survey

    table = pd.DataFrame({"a": range(30)})
    cut = survey.head_tail(table, rows=3)
    assert len(cut) == 7 and cut.iloc[3]["a"] == "⋮"
    assert survey.head_tail(table.head(5), rows=3).equals(table.head(5))


def test_pretrained_backbone_is_shipped_checked_and_loads(tmp_path):
    from cnnkit.models import transfer

    backbone = transfer.pretrained_backbone()
    assert backbone.output_shape == (None, 128)
    convs = 9 * (1 * 32 + 32 * 32 + 32 * 64 + 64 * 64 + 64 * 128 + 128 * 128)
    assert backbone.count_params() == transfer.fashion_backbone().count_params() == 287_776
    assert 287_776 == convs + 4 * (32 + 32 + 64 + 64 + 128 + 128)  # conv weights + BN
    assert transfer.BACKBONE_FILE.stat().st_size < 3_000_000
    # The shipped weights are not the random initialisation: they were trained.
    fresh = transfer.fashion_backbone()
    assert not np.allclose(backbone.get_weights()[0], fresh.get_weights()[0])
    # A changed copy is refused when it claims to be the shipped file; an own file loads.
    copy = tmp_path / "mine.npz"
    assert transfer.save_backbone(backbone, copy)
    again = transfer.pretrained_backbone(copy)
    assert np.allclose(again.get_weights()[0], backbone.get_weights()[0])
    with pytest.raises(FileNotFoundError, match="make_backbone"):
        transfer.pretrained_backbone(tmp_path / "missing.npz")


def test_transfer_classifier_freezes_and_keeps_bn_statistics():
    from cnnkit.models import transfer

    backbone = transfer.fashion_backbone()
    backbone.trainable = False
    model = transfer.transfer_classifier(backbone, 3)
    assert model.output_shape == (None, 3)
    assert len(model.trainable_weights) == 2  # only the new head
    bn = backbone.get_layer("block1_conv1_bn")
    before = keras.ops.convert_to_numpy(bn.moving_mean).copy()
    transfer.unfreeze_for_fine_tuning(backbone)  # BN stays in inference mode, statistics kept
    model.compile("adam", "sparse_categorical_crossentropy")
    conv = backbone.get_layer("block1_conv1").kernel.numpy().copy()
    model.fit(np.random.rand(8, 28, 28, 1), np.zeros(8, dtype=int), epochs=1, verbose=0)
    assert np.allclose(keras.ops.convert_to_numpy(bn.moving_mean), before)
    assert not np.allclose(backbone.get_layer("block1_conv1").kernel.numpy(), conv)
    assert set(transfer.SOURCE_CLASSES).isdisjoint(transfer.TARGET_CLASSES)
    assert len(transfer.SOURCE_CLASSES) + len(transfer.TARGET_CLASSES) == 10


def test_cut_backbone_shares_weights_and_feeds_a_flattened_head():
    from cnnkit.models import transfer

    backbone = transfer.fashion_backbone()
    early = transfer.cut_backbone(backbone, "block2_pool")
    assert early.output_shape == (None, 7, 7, 64)
    # The cut model reuses the backbone's layers: freezing the backbone freezes it too.
    assert early.get_layer("block1_conv1") is backbone.get_layer("block1_conv1")
    backbone.trainable = False
    model = transfer.transfer_classifier(early, 3)
    assert model.output_shape == (None, 3)
    head = model.get_layer("new_head")
    assert [tuple(w.shape) for w in model.trainable_weights] == [(7 * 7 * 64, 3), (3,)]
    assert head.kernel.shape == (3136, 3)
    images = np.random.default_rng(0).random((4, 28, 28, 1)).astype("float32")
    features = keras.ops.convert_to_numpy(early(images))
    again = keras.Model(backbone.input, backbone.get_layer("block2_pool").output)(images)
    np.testing.assert_allclose(features, keras.ops.convert_to_numpy(again), rtol=1e-6)
    with pytest.raises(ValueError, match="no layer 'block9'.*block2_pool"):
        transfer.cut_backbone(backbone, "block9")


def test_imagenet_backbone_never_downloads(monkeypatch, tmp_path):
    from cnnkit.models import transfer

    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert transfer.imagenet_weights_cached(transfer.MOBILENET_V2_FILE) is False
    assert transfer.imagenet_backbone() is None


# -- ideas taught with running code -------------------------------------------------------------


def test_euclidean_rbf_is_squared_distance_and_lenet_rbf_builds():
    prototypes = np.array([[1.0, -1.0], [-1.0, -1.0], [0.5, 0.5]], dtype="float32")
    layer = M.EuclideanRBF(prototypes)
    x = np.array([[1.0, 1.0], [0.0, -1.0]], dtype="float32")
    expected = ((x[:, None, :] - prototypes[None]) ** 2).sum(-1)
    assert np.allclose(keras.ops.convert_to_numpy(layer(x)), expected)
    assert layer.count_params() == 6 and not layer.trainable_weights
    with pytest.raises(ValueError, match="84"):
        M.EuclideanRBF(np.ones((10, 84)))(np.ones((1, 5), dtype="float32"))
    images = np.random.default_rng(0).random((40, 28, 28, 1)).astype("float32")
    labels = np.arange(40) % 10
    codes = M.rbf_prototypes(images, labels, classes=10)
    assert codes.shape == (10, 84) and set(np.unique(codes)) == {-1.0, 1.0}
    model = M.lenet5_rbf(prototypes=codes)
    with pytest.raises(ValueError, match="one prototype per class"):
        M.lenet5_rbf(classes=9, prototypes=codes)
    assert model.output_shape == (None, 10)
    assert model.count_params() == 60_850 - 850 + 840  # softmax layer replaced by 840 fixed numbers
    loss = M.rbf_loss(np.array([0]), np.array([[0.0, 10.0]], dtype="float32"))
    assert float(loss[0]) == pytest.approx(np.log1p(np.exp(-10.0)), rel=1e-3)  # float32 near 4.5e-5


def test_pca_colour_augmentation_shifts_every_pixel_by_one_colour():
    rng = np.random.default_rng(0)
    images = rng.uniform(0.2, 0.8, size=(3, 6, 6, 3)).astype("float32")
    values, vectors = M.rgb_principal_components(images)
    covariance = np.cov(images.reshape(-1, 3), rowvar=False)
    assert np.allclose(covariance @ vectors[:, 0], values[0] * vectors[:, 0])
    assert values[0] >= values[1] >= values[2]
    out = M.pca_colour_augmentation(images, values, vectors, std=0.1, seed=1)
    shift = out - images  # no clipping here: values stay inside [0, 1]
    assert np.allclose(shift, shift[:, :1, :1, :], atol=1e-6)  # same RGB shift at every pixel
    assert not np.allclose(shift[0, 0, 0], shift[1, 0, 0])  # a new draw per image


def test_modern_blocks_match_their_parameter_arithmetic():
    from cnnkit.models import modern

    inputs = keras.Input((8, 8, 16))
    dense = keras.Model(inputs, modern.dense_block(inputs, n_layers=3, growth=4))
    assert dense.output_shape[-1] == 16 + 3 * 4
    convs = sum(9 * (16 + i * 4) * 4 for i in range(3))
    assert dense.count_params() == convs + sum(4 * (16 + i * 4) for i in range(3))
    inputs = keras.Input((8, 8, 32))
    se = keras.Model(inputs, modern.squeeze_excitation(inputs, ratio=8))
    assert se.count_params() == 2 * 32 * 32 // 8 + 32 // 8 + 32
    x = np.random.rand(2, 8, 8, 32).astype("float32")
    weights = keras.ops.convert_to_numpy(se(x)) / x  # each channel scaled by one number in (0, 1)
    assert np.allclose(weights, weights[:, :1, :1, :], rtol=1e-4)
    assert ((weights > 0) & (weights < 1)).all()
    inputs = keras.Input((8, 8, 16))
    mb = keras.Model(inputs, modern.mbconv_block(inputs, 16, expand=4, kernel=3))
    t = 4 * 16
    expected = 16 * t + 9 * t + (t * 4 + 4) + (4 * t + t) + t * 16 + 4 * (t + t + 16)
    assert mb.count_params() == expected
    assert any(isinstance(layer, keras.layers.Add) for layer in mb.layers)


def test_ablation_networks_differ_in_one_choice():
    from cnnkit.models import ablations

    a = ablations.receptive_field_net(field="7x7", downsample="pool", width=8)
    b = ablations.receptive_field_net(field="3x3-stack", downsample="pool", width=8)
    assert a.count_params() - b.count_params() == (49 - 27) * 8 * 8 - 2 * 8  # two more biases
    c = ablations.receptive_field_net(field="3x3-stack", downsample="stride", width=8)
    assert c.count_params() - b.count_params() == 9 * 8 * 8 + 8
    assert ablations.max_valid_depth(14) == 6 and ablations.max_valid_depth(28) == 13
    valid = ablations.padding_net(padding="valid", convs=6, width=4)
    assert valid.get_layer("conv6").output.shape[1:3] == (2, 2)
    with pytest.raises(ValueError, match="at least 15x15"):
        ablations.padding_net(padding="valid", convs=7)
    first = ablations.bn_order_net(order="conv-bn-relu", width=4)
    second = ablations.bn_order_net(order="conv-relu-bn", width=4)
    assert first.count_params() == second.count_params()
    kinds = [type(layer).__name__ for layer in second.layers[1:4]]
    assert kinds == ["Conv2D", "ReLU", "BatchNormalization"]
    before = ablations.bn_residual_net(bn_position="before-add", width=4)
    after = ablations.bn_residual_net(bn_position="after-add", width=4)
    assert before.count_params() == after.count_params()
    names = [layer.name for layer in after.layers]
    assert names.index("block1_add") < names.index("block1_bn2")  # BN behind the addition
    names = [layer.name for layer in before.layers]
    assert names.index("block1_bn2") < names.index("block1_add")
    with pytest.raises(ValueError, match="order must be"):
        ablations.bn_order_net(order="bn-conv")


def test_resnet_recipe_scales_the_rate_and_decays_every_kernel():
    from cnnkit.training import resnet_recipe

    assert resnet_recipe.scaled_learning_rate(256) == 0.1
    assert resnet_recipe.scaled_learning_rate(64) == pytest.approx(0.025)
    with pytest.raises(ValueError, match="positive"):
        resnet_recipe.scaled_learning_rate(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, use_bias=False)])
    model.layers[0].kernel.assign(np.ones((3, 2), dtype="float32"))
    resnet_recipe.add_weight_decay(model, 1e-4)
    assert float(sum(model.losses)) == pytest.approx(0.5 * 1e-4 * 6)  # (wd / 2) * ||w||^2
    callback = resnet_recipe.resnet_paper_recipe(model, 64)
    assert callback.factor == pytest.approx(0.1)
    assert float(model.optimizer.learning_rate) == pytest.approx(0.025)
    assert float(model.optimizer.momentum) == pytest.approx(0.9)


def test_profile_without_weights_counts_without_allocating():
    from cnnkit.models import survey

    facts = survey.profile_without_weights(
        lambda: M.vgg(config=11, input_shape=(32, 32, 3), classes=10)
    )
    built = M.vgg(config=11, input_shape=(32, 32, 3), classes=10)
    assert facts["parameters"] == built.count_params()
    assert facts["macs"] == survey.profile(built)["macs"]


#: Public functions of cnnkit.models that are not builders: they take a tensor (blocks), a model,
#: data or logits, or they load saved weights. Every other public function is a builder.
NOT_BUILDERS = {
    "alexnet": {"rgb_principal_components", "pca_colour_augmentation"},
    "ablations": {"max_valid_depth"},
    "gan": {"discriminator_loss", "generator_loss"},
    "gan_steps": {
        "tensorflow_train_step",
        "torch_train_step",
        "jax_train_step",
        "train_step_for_backend",
    },
    "inception": {"inception_module"},
    "lenet": {"rbf_prototypes", "rbf_loss"},
    "mlp_growth": {"add_hidden_layer"},
    "mobilenet": {"separable_saving", "mobilenet_block"},
    "modern": {"dense_block", "squeeze_excitation", "mbconv_block"},
    "resnet": {"residual_block", "stage_shapes"},
    "rnn": {
        "recurrent_layer",
        "input_gradient_norms",
        "set_gate_bias",
        "reset_recurrent_states",
        "read_chunk",
    },
    "survey": {
        "layer_macs",
        "model_macs",
        "weight_layer_depth",
        "block_name",
        "block_summary",
        "head_tail",
        "profile",
        "profile_without_weights",
    },
    "transfer": {
        "cut_backbone",
        "transfer_classifier",
        "unfreeze_for_fine_tuning",
        "pretrained_backbone",
        "save_backbone",
        "imagenet_weights_cached",
        "imagenet_backbone",
    },
    "vgg": {"vgg_block"},
}
#: The two builders the public API (design.md) calls with the depth first, as keras.applications
#: names VGG16 and ResNet50: ``ck.models.vgg(16)``, ``ck.models.resnet(18)``. Their variant comes
#: before input_shape and classes; everything after classes is keyword-only, as for every builder.
VARIANT_FIRST = {"vgg": "config", "resnet": "depth"}
#: Builders whose output is not a choice among classes: a regression, a logit, an image, features.
WITHOUT_CLASSES = {
    "dense_sequence_regressor",
    "sequence_regressor",
    "exploding_rnn",
    "bag_of_words_classifier",  # one sigmoid unit: P(positive)
    "review_reader",  # one sigmoid unit: P(positive)
    "stateful_reader",
    "dcgan_generator",
    "dcgan_discriminator",
    "fashion_backbone",
}


def _public_functions_of_models():
    import importlib
    import inspect
    import pkgutil

    for module_info in pkgutil.iter_modules(M.__path__):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"cnnkit.models.{module_info.name}")
        for name, value in vars(module).items():
            if (
                not name.startswith("_")
                and inspect.isfunction(value)
                and value.__module__ == module.__name__
            ):
                yield module_info.name, name, value


def _all_builders():
    excluded = set().union(*NOT_BUILDERS.values())
    return [function for _, name, function in _public_functions_of_models() if name not in excluded]


def test_the_list_of_non_builders_is_current():
    public = {(module, name) for module, name, _ in _public_functions_of_models()}
    listed = {(module, name) for module, names in NOT_BUILDERS.items() for name in names}
    assert listed <= public, sorted(listed - public)
    assert WITHOUT_CLASSES <= {function.__name__ for function in _all_builders()}
    assert len(_all_builders()) >= 40  # every family's builders are found


@pytest.mark.parametrize("builder", _all_builders(), ids=lambda b: b.__name__)
def test_builders_follow_one_signature_rule(builder):
    """input_shape first, classes second (both with defaults; no classes for a model that does
    not classify), every other parameter keyword-only."""
    import inspect

    parameters = list(inspect.signature(builder).parameters.values())
    names = [p.name for p in parameters]
    positional = (
        ["input_shape"] if builder.__name__ in WITHOUT_CLASSES else ["input_shape", "classes"]
    )
    if builder.__name__ in VARIANT_FIRST:
        positional = [VARIANT_FIRST[builder.__name__], *positional]
    assert names[: len(positional)] == positional, names
    assert all(p.default is not inspect.Parameter.empty for p in parameters[: len(positional)])
    rest = parameters[len(positional) :]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in rest), names


def test_the_design_contracts_spellings_build_the_documented_networks():
    """design.md's public API: lenet5(), lenet5(faithful=True), vgg(16), resnet(18)."""
    from cnnkit.models import survey

    assert M.lenet5().count_params() == 61_706
    assert M.lenet5(faithful=True).count_params() == M.lenet5_1998().count_params()
    assert [layer.name for layer in M.lenet5(faithful=True).layers] == [
        layer.name for layer in M.lenet5_1998().layers
    ]
    assert survey.profile_without_weights(lambda: M.vgg(16))["parameters"] == 138_357_544
    assert survey.profile_without_weights(lambda: M.resnet(18))["trainable"] == 11_689_512


def test_building_a_model_prints_nothing(capsys):
    M.resnet_small(stages=(1, 1))
    M.vgg_small()
    M.lenet5_1998()
    assert capsys.readouterr().out == ""
