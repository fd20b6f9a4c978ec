"""cnnkit.validation: the kit's one argument checker (TypeError for the kind, ValueError for the range)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from cnnkit.validation import (
    check_bool,
    check_history,
    check_int,
    check_real,
    check_scalar,
    check_seed,
)


def test_int_accepts_python_and_numpy_integers_and_returns_python_int():
    assert check_int("n", 3) == 3
    value = check_int("n", np.int64(7))
    assert value == 7 and type(value) is int


@pytest.mark.parametrize(
    "bad, fix",
    [
        (3.0, "Pass 3 instead of 3.0"),
        ("3", "not the string '3'"),
        (True, "Booleans are not sizes"),
        ([3], "not a sequence"),
        (None, "whole number"),
    ],
)
def test_int_refuses_other_kinds_with_type_error_saying_what_to_pass(bad, fix):
    with pytest.raises(TypeError, match="n must be an int") as caught:
        check_int("n", bad)
    assert fix in str(caught.value)


def test_int_out_of_range_is_a_value_error_naming_the_bound():
    with pytest.raises(ValueError, match=r"n must be positive, got 0\. Pass an int >= 1\."):
        check_int("n", 0)
    with pytest.raises(ValueError, match="n must be at least 2, got 1"):
        check_int("n", 1, 2)
    with pytest.raises(ValueError, match=r"n must be in \[1, 5\], got 6"):
        check_int("n", 6, 1, maximum=5)
    with pytest.raises(ValueError, match="Use fewer."):
        check_int("n", 6, 1, maximum=5, hint="Use fewer.")


def test_real_bounds_follow_include_boundaries():
    assert check_real("rate", 0, 0, 1, include_boundaries="left") == 0.0
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\), got 1.0"):
        check_real("rate", 1, 0, 1, include_boundaries="left")
    with pytest.raises(ValueError, match="lr must be positive"):
        check_real("lr", 0.0, 0, include_boundaries="neither")
    with pytest.raises(ValueError, match="finite"):
        check_real("lr", float("nan"))
    with pytest.raises(TypeError, match="Pass the number 0.1, not the string"):
        check_real("lr", "0.1")
    assert check_real("lr", np.float32(0.5)) == 0.5


def test_check_scalar_rejects_its_own_bad_arguments():
    with pytest.raises(ValueError, match="target_type"):
        check_scalar("n", 1, "float")
    with pytest.raises(ValueError, match="include_boundaries"):
        check_scalar("n", 1, "int", include_boundaries="open")


def test_bool_and_seed():
    assert check_bool("flag", False) is False
    with pytest.raises(TypeError, match="True or False"):
        check_bool("flag", 1)
    assert check_seed(None) is None and check_seed(np.int32(4)) == 4
    with pytest.raises(TypeError, match="seed must be a whole number or None"):
        check_seed(1.5)


def test_history_from_a_dict_an_object_with_history_or_an_error():
    class Fitted:
        history = {"loss": [1.0, 0.5], "val_loss": (1.2, 0.9)}

    assert check_history(Fitted()) == {"loss": [1.0, 0.5], "val_loss": [1.2, 0.9]}
    assert check_history({"loss": [2.0]}, required=("loss",)) == {"loss": [2.0]}
    with pytest.raises(ValueError, match="no 'accuracy' entry"):
        check_history({"loss": [2.0]}, required=("accuracy",))
    with pytest.raises(TypeError, match="what model.fit returns"):
        check_history([1.0, 2.0])


def test_formula_and_builder_errors_come_from_the_one_checker():
    from cnnkit.formulas import conv_output_size, window_output_size
    from cnnkit.models import vgg_small

    with pytest.raises(TypeError, match="kernel_size must be an int"):
        conv_output_size(32, 3.5)
    with pytest.raises(TypeError, match="vgg_small: classes must be an int"):
        vgg_small(classes="10")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the shape-computing function never warns
        assert window_output_size(32, 5, stride=2) == 14  # floored
        assert window_output_size(7, 3, 2, "same") == 4


def test_models_output_size_is_zero_where_the_window_fits_nowhere():
    from cnnkit.models._validation import minimum_input_size, output_size

    assert output_size(2, 3, 1, "valid") == 0
    assert output_size(2, 3, 1, 1) == 2
    assert minimum_input_size([(5, 1, "valid"), (2, 2, "valid"), (5, 1, "valid")]) == 14
