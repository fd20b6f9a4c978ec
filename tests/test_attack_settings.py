"""Attack suite, settings: the setup cell stays silent and odd environment values are explained."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import cnnkit as ck

pytestmark = pytest.mark.attack


def run_python(code: str, **environment) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CNNKIT_")}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )


@pytest.mark.parametrize(
    "code, environment",
    [
        # Defect 8: the user's own log level let a cuInit failure line through.
        ("import cnnkit as ck; ck.setup()", {"TF_CPP_MIN_LOG_LEVEL": "0"}),
        # Defect 8: importing keras before ck.setup() let TensorFlow's start-up lines through.
        ("import cnnkit as ck; import keras; ck.setup()", {}),
        ("import cnnkit as ck; import tensorflow; ck.setup(verbose=False); print('ok')", {}),
    ],
    ids=["log-level-0", "keras-first", "tensorflow-first"],
)
def test_setup_cell_prints_nothing_on_stderr(code, environment):
    completed = run_python(code, **environment)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.strip() == "", completed.stderr
    assert len(completed.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize("value", ["2", "y", "enabled", "quick"])
def test_quick_values_that_are_neither_true_nor_false_warn(value):
    """Defect 9: they silently meant full mode."""
    completed = run_python("import cnnkit; print(cnnkit.QUICK)", CNNKIT_QUICK=value)
    assert completed.stdout.strip() == "False"
    assert "is neither true nor false" in completed.stderr
    assert "1, true, yes, on" in completed.stderr


@pytest.mark.parametrize("value, expected", [("1", "True"), ("YES", "True"), ("off", "False")])
def test_accepted_quick_values_are_silent(value, expected):
    completed = run_python("import cnnkit; print(cnnkit.QUICK)", CNNKIT_QUICK=value)
    assert (completed.stdout.strip(), completed.stderr.strip()) == (expected, "")


@pytest.mark.parametrize(
    "arguments, error",
    [({"seed": "42"}, TypeError), ({"seed": 1.5}, TypeError), ({"threads": 0}, ValueError)],
)
def test_setup_with_bad_arguments_gets_a_clear_error(arguments, error):
    with pytest.raises(error) as caught:
        ck.setup(verbose=False, **arguments)
    assert len(str(caught.value)) < 300
