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
        ("import cnnkit as ck; ck.setup()", {}),
    ],
    ids=["log-level-0", "default"],
)
def test_setup_cell_prints_nothing_on_stderr(code, environment):
    completed = run_python(code, **environment)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.strip() == "", completed.stderr
    assert len(completed.stdout.strip().splitlines()) == 1


@pytest.mark.parametrize("first", ["keras", "tensorflow"])
def test_setup_after_tensorflow_is_imported_adds_nothing_on_stderr(first):
    """Importing TensorFlow before ck.setup() prints what TensorFlow prints (import cnnkit hooks
    nothing); setup() itself adds nothing, not even the CPU-only machine's cuInit line."""
    code = (
        f"import sys, cnnkit as ck; import {first}; "
        "sys.stderr.write('SETUP STARTS\\n'); sys.stderr.flush(); ck.setup(verbose=False)"
    )
    completed = run_python(code)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.endswith("SETUP STARTS\n"), completed.stderr[-2000:]


def test_setup_writes_back_error_lines_it_caught():
    """While setup() holds file descriptor 2 (TensorFlow's first import), an error line written
    there by C++ code reaches stderr; an info line does not."""
    code = (
        "import os\nfrom cnnkit.tensorflow_logs import startup_lines_filtered\n"
        "with startup_lines_filtered():\n"
        "    os.write(2, b'I0000 00:00:1.5 7 a.cc:1] info\\nE0000 00:00:1.5 7 b.cc:2] shown\\n')\n"
    )
    completed = run_python(code)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == "E0000 00:00:1.5 7 b.cc:2] shown\n"


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


def test_a_huge_quick_value_is_not_echoed_in_full():
    value = "x" * 100_000
    completed = run_python("import cnnkit; print(cnnkit.QUICK)", CNNKIT_QUICK=value)
    assert completed.stdout.strip() == "False"
    assert "is neither true nor false" in completed.stderr
    assert "(100,000 characters)" in completed.stderr
    assert len(completed.stderr) < 600


@pytest.mark.parametrize(
    "arguments, error",
    [
        ({"seed": "42"}, TypeError),
        ({"seed": 1.5}, TypeError),
        ({"threads": 0}, ValueError),
        ({"threads": True}, TypeError),
        ({"threads": "2"}, TypeError),
        ({"verbose": "yes"}, TypeError),
    ],
)
def test_setup_with_bad_arguments_gets_a_clear_error(arguments, error):
    with pytest.raises(error) as caught:
        ck.setup(verbose=False, **arguments)
    assert len(str(caught.value)) < 300
