"""Attack suite, formulas and the layer table: garbage in gives a clear error, never a traceback.

Every public function of ``cnnkit.formulas`` is called with hypothesis-generated garbage in every
argument position. The rule: it returns a number, or raises TypeError/ValueError with a message
under 300 characters that names what was wrong; never OverflowError, AttributeError, ... and never
minutes of work or gigabytes of memory.
"""

from __future__ import annotations

import inspect
import math
import warnings

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnkit import formulas

pytestmark = pytest.mark.attack

PUBLIC_FUNCTIONS = sorted(
    {
        name: formula.function
        for name, formula in (
            formulas.FORMULAS.items()
            if isinstance(formulas.FORMULAS, dict)
            else ((f.key, f) for f in formulas.FORMULAS)
        )
    }.items()
) + [
    ("output_size_explanation", formulas.output_size_explanation),
    ("receptive_field_growth", formulas.receptive_field_growth),
    ("conv_connections", formulas.conv_connections),
    ("pooling_params", formulas.pooling_params),
    ("batchnorm_trainable_params", formulas.batchnorm_trainable_params),
]

GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([10**400, -(10**400), 0, -1, 2**63]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["same", "valid", "causal", "SAME", "3", "", "full"]),
    st.lists(st.integers(min_value=-3, max_value=10**13), max_size=4),
    st.tuples(st.integers(min_value=-3, max_value=50), st.integers(min_value=-3, max_value=50)),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.builds(object),
    st.complex_numbers(allow_nan=False, allow_infinity=False),
)

ALLOWED_ERRORS = (TypeError, ValueError)


def arity(function) -> tuple[int, int]:
    parameters = inspect.signature(function).parameters.values()
    required = sum(p.default is inspect.Parameter.empty for p in parameters)
    return required, len(parameters)


@pytest.mark.parametrize("name, function", PUBLIC_FUNCTIONS, ids=[n for n, _ in PUBLIC_FUNCTIONS])
@settings(
    max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_formula_with_garbage_returns_a_number_or_a_clear_error(name, function, data):
    required, total = arity(function)
    count = data.draw(st.integers(min_value=required, max_value=total), label="argument count")
    arguments = [data.draw(GARBAGE, label=f"argument {index}") for index in range(count)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", formulas.OutputSizeRoundedWarning)
        try:
            result = function(*arguments)
        except ALLOWED_ERRORS as error:
            message = str(error)
            assert message and len(message) < 300, f"{name}: message of {len(message)} characters"
            return
    if isinstance(result, (int, float)):
        assert not (isinstance(result, float) and math.isnan(result)), f"{name} returned nan"


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: formulas.conv_output_size(10**400, 3), "input_size is a 401-digit number"),
        (lambda: formulas.conv_params(3, 10**400, 8), "in_channels is a 401-digit number"),
        (lambda: formulas.dense_params(10**13, 10), "inputs is a 14-digit number"),
        (lambda: formulas.conv_output_size(32, 3, stride=2, dilation=2), "Keras refuses"),
    ],
)
def test_impossible_layers_get_value_errors(call, match):
    """Defect 5: OverflowError for huge integers; strided + dilated accepted although Keras refuses."""
    with pytest.raises(ValueError, match=match):
        call()


def test_strided_dilated_convolution_is_refused_by_keras_too():
    import keras

    with pytest.raises(ValueError):
        keras.layers.Conv2D(4, 3, strides=2, dilation_rate=2)


# The layer table -------------------------------------------------------------------------------


@pytest.mark.parametrize("garbage", [None, 3, "model", [1, 2], object()])
def test_explain_refuses_what_is_not_a_model(garbage):
    import cnnkit as ck

    with pytest.raises(TypeError, match="explain\\(\\) takes a keras.Model"):
        ck.explain(garbage)


def subclassed_model():
    import keras

    class Net(keras.Model):
        def __init__(self):
            super().__init__()
            self.conv = keras.layers.Conv2D(4, 3)
            self.never_used = keras.layers.Dense(7)
            self.flatten = keras.layers.Flatten()
            self.classifier = keras.layers.Dense(3)

        def call(self, images):
            return self.classifier(self.flatten(self.conv(images)))

    return Net()


def test_explain_on_subclassed_model_built_with_build_shows_unbuilt_layers(capsys):
    """Defect 3: model.build(shape) (as explain's old message advised) left inner layers unbuilt."""
    import cnnkit as ck

    model = subclassed_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns that build() did not build the inner layers
        model.build((None, 8, 8, 1))
    table = ck.explain(model)
    assert table["parameters"].sum() == model.count_params() == 0
    assert table["formula"].str.startswith("not built").all()
    assert "not built yet" in capsys.readouterr().out


def test_explain_on_subclassed_model_with_an_unused_layer():
    """Defect 3: a layer defined but never reached by call() stays unbuilt; the rest is explained."""
    import keras

    import cnnkit as ck

    model = subclassed_model()
    model(keras.ops.zeros((1, 8, 8, 1)))
    table = ck.explain(model, print_total=False).set_index("layer")
    assert table["parameters"].sum() == model.count_params() == 40 + 435
    assert table.loc[
        "never_used" if "never_used" in table.index else table.index[1], "formula"
    ].startswith("not built")
    assert "3×3×1×4 + 4 = 40" in table["formula"].tolist()


def test_explain_error_for_an_unbuilt_model_gives_advice_that_works():
    import keras

    import cnnkit as ck

    model = subclassed_model()
    with pytest.raises(ValueError, match="call it once on a batch") as caught:
        ck.explain(model)
    assert "model(keras.ops.zeros" in str(caught.value)
    model(keras.ops.zeros((1, 28, 28, 1)))  # the advice, followed, makes explain work
    assert ck.explain(model, print_total=False)["parameters"].sum() == model.count_params()
