"""ck.explain: the layer table sums to Keras's count and writes the arithmetic out."""

from __future__ import annotations

import keras
import numpy as np
import pytest
from keras import layers

import cnnkit as ck
from cnnkit import formulas
from cnnkit.layer_table import COLUMNS, NO_FORMULA, explain

# Every test here compares with what Keras computes; CI runs them on JAX and PyTorch too (-m comparison).
pytestmark = pytest.mark.comparison


@pytest.fixture(autouse=True, scope="module")
def _fresh_keras_session():
    # Models here are small and their layers are named, so one clear per module suffices
    # (each clear_session costs a garbage collection, ~0.5 s with TensorFlow loaded).
    keras.backend.clear_session()
    yield
    keras.backend.clear_session()


class Scale(layers.Layer):
    """A custom layer the course has no formula for: one learned scale per channel."""

    def build(self, input_shape):
        self.scale = self.add_weight(shape=(input_shape[-1],), initializer="ones")

    def call(self, x):
        return x * self.scale


def lenet_style():
    return keras.Sequential(
        [
            keras.Input((32, 32, 3)),
            layers.Conv2D(6, 5, activation="relu", name="c1"),
            layers.MaxPooling2D(name="s2"),
            layers.Conv2D(16, 5, activation="relu", name="c3"),
            layers.AveragePooling2D(2, name="s4"),
            layers.Flatten(name="flatten"),
            layers.Dense(120, name="c5"),
            layers.Dense(84, name="f6"),
            layers.Dense(10, activation="softmax", name="output"),
        ],
        name="lenet_style",
    )


def inception_style():
    x = keras.Input((16, 16, 8))
    a = layers.Conv2D(4, 1, padding="same", name="branch_1x1")(x)
    b = layers.Conv2D(3, 1, padding="same", name="reduce_3x3")(x)
    b = layers.Conv2D(6, 3, padding="same", name="branch_3x3")(b)
    c = layers.MaxPooling2D(3, strides=1, padding="same", name="pool")(x)
    c = layers.Conv2D(2, 1, name="pool_proj")(c)
    y = layers.Concatenate(name="concat")([a, b, c])
    s = layers.Conv2D(12, 1, name="projection")(x)
    y = layers.Add(name="residual")([y, s])
    y = layers.SeparableConv2D(8, 3, name="separable")(y)
    y = layers.DepthwiseConv2D(3, depth_multiplier=2, name="depthwise")(y)
    return keras.Model(x, y, name="inception_style")


def with_nested_block():
    block = keras.Sequential(
        [
            layers.Conv2D(8, 3, padding="same", use_bias=False, name="conv"),
            layers.BatchNormalization(name="bn"),
            layers.ReLU(name="relu"),
        ],
        name="block",
    )
    x = keras.Input((8, 8, 3))
    y = block(x)
    y = layers.GlobalAveragePooling2D(name="gap")(y)
    y = layers.Dense(5, name="head")(y)
    return keras.Model(x, y, name="nested")


def with_bn_and_recurrent():
    x = keras.Input((12, 784))
    y = layers.Dense(128, name="dense")(x)
    y = layers.BatchNormalization(name="bn")(y)
    y = layers.LSTM(32, return_sequences=True, name="lstm")(y)
    y = layers.GRU(16, return_sequences=True, name="gru")(y)
    y = layers.GRU(8, reset_after=False, return_sequences=True, name="gru_classic")(y)
    y = layers.Bidirectional(layers.SimpleRNN(4), name="birnn")(y)
    y = Scale(name="scale")(y)
    return keras.Model(x, y, name="recurrent")


def with_bn_conv():
    return keras.Sequential(
        [keras.Input((8, 8, 3)), layers.Conv2D(64, 3), layers.BatchNormalization(name="bn")]
    )


MODELS = [lenet_style, inception_style, with_nested_block, with_bn_and_recurrent, with_bn_conv]


def formula_of(table, name):
    return table.loc[table["layer"] == name, "formula"].item()


@pytest.mark.parametrize("expand_nested", [True, False])
@pytest.mark.parametrize("build", MODELS, ids=lambda f: f.__name__)
def test_parameters_sum_to_count_params(build, expand_nested):
    model = build()
    table = explain(model, expand_nested=expand_nested, print_total=False)
    assert list(table.columns) == COLUMNS
    assert table["parameters"].sum() == model.count_params()
    assert table.attrs["total_parameters"] == model.count_params()
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    assert table.attrs["trainable_parameters"] == trainable
    assert not table["formula"].str.contains("does not match").any()


def test_formula_strings_show_the_arithmetic():
    table = explain(lenet_style(), print_total=False)
    assert formula_of(table, "c1") == "5×5×3×6 + 6 = 456"
    assert formula_of(table, "c3") == "5×5×6×16 + 16 = 2,416"
    assert formula_of(table, "c5") == "400×120 + 120 = 48,120"
    assert formula_of(table, "s2") == "0"
    assert formula_of(table, "flatten") == "0"
    assert table.loc[table["layer"] == "c1", "output shape"].item() == "(None, 28, 28, 6)"


def test_dense_and_batchnorm_and_recurrent_formulas():
    table = explain(with_bn_and_recurrent(), print_total=False)
    assert formula_of(table, "dense") == "784×128 + 128 = 100,480"
    assert formula_of(table, "bn") == "4×128 = 512 (256 trainable)"
    assert formula_of(table, "lstm") == "4×(32×(128 + 32) + 32) = 20,608"
    assert formula_of(table, "gru") == "3×(16×(32 + 16) + 2×16) = 2,400"
    assert formula_of(table, "gru_classic") == "3×(8×(16 + 8) + 8) = 600"
    assert formula_of(table, "birnn").startswith("2×[4×(8 + 4) + 4] = 104")
    assert formula_of(table, "scale") == NO_FORMULA


def test_batchnorm_formula_on_64_channels():
    table = explain(with_bn_conv(), print_total=False)
    assert formula_of(table, "bn") == "4×64 = 256 (128 trainable)"


def test_branched_graph_lists_every_branch():
    table = explain(inception_style(), print_total=False)
    for name in ("branch_1x1", "reduce_3x3", "branch_3x3", "pool", "pool_proj", "concat"):
        assert name in set(table["layer"])
    assert formula_of(table, "concat") == "0"
    assert formula_of(table, "separable") == "3×3×12 + 12×8 + 8 = 212"
    assert formula_of(table, "depthwise") == "3×3×8×2 + 8×2 = 160"


def test_nested_model_expands_with_prefixed_names():
    model = with_nested_block()
    expanded = explain(model, print_total=False)
    assert {"block/conv", "block/bn", "block/relu"} <= set(expanded["layer"])
    assert formula_of(expanded, "block/conv") == "3×3×3×8 = 216"
    collapsed = explain(model, expand_nested=False, print_total=False)
    assert "block/conv" not in set(collapsed["layer"])
    row = collapsed[collapsed["layer"] == "block"]
    assert row["parameters"].item() == model.get_layer("block").count_params()


def test_unknown_layers_are_listed_and_marked():
    x = keras.Input((6,), dtype="int32")
    y = layers.Embedding(50, 4, name="embedding")(x)
    y = Scale(name="scale")(y)
    model = keras.Model(x, y)
    table = explain(model, print_total=False)
    assert formula_of(table, "embedding") == NO_FORMULA
    assert formula_of(table, "scale") == NO_FORMULA
    assert table.loc[table["layer"] == "scale", "parameters"].item() == 4
    assert table["parameters"].sum() == model.count_params()


def test_formulas_come_from_cnnkit_formulas(monkeypatch):
    monkeypatch.setattr(formulas, "conv_params", lambda *args, **kwargs: 0)
    table = explain(lenet_style(), print_total=False)
    assert "does not match" in formula_of(table, "c1")
    assert table["parameters"].sum() == 62006


def test_shared_layer_is_counted_once():
    shared = layers.Dense(3, name="shared")
    x1, x2 = keras.Input((4,)), keras.Input((4,))
    model = keras.Model([x1, x2], layers.Add()([shared(x1), shared(x2)]))
    table = explain(model, print_total=False)
    assert (table["layer"] == "shared").sum() == 1
    assert table["parameters"].sum() == model.count_params() == 15


def test_total_is_printed_and_ck_explain_is_the_same(capsys):
    assert ck.explain is explain
    explain(with_bn_conv())
    assert "2,048 parameters (1,920 trainable, 128 non-trainable)" in capsys.readouterr().out


def test_bad_models_raise_with_a_fix():
    with pytest.raises(TypeError, match="keras.Model"):
        explain(layers.Dense(3))
    with pytest.raises(ValueError, match="not built yet"):
        explain(keras.Sequential([layers.Dense(3)]))


def test_course_layers_explain_themselves():
    from cnnkit.models import lenet5_1998

    table = explain(lenet5_1998(), print_total=False)
    formulas = dict(zip(table["layer"], table["formula"], strict=True))
    assert formulas["S2"].startswith("2×6 = 12")
    assert formulas["C3"].startswith("5×5×60 + 16 = 1,516")
    assert int(table["parameters"].sum()) == 60850
