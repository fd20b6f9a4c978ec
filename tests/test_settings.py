import subprocess
import sys

import numpy as np
import pytest

import cnnkit as ck
from cnnkit.tensorflow_logs import kept_lines


def test_setup_prints_one_line_report(capsys):
    settings = ck.setup(seed=7)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    report = lines[0]
    where = "Colab" if settings.in_colab else "local"
    for fragment in ("Keras", settings.backend, "Python", settings.device, where, "seed 7"):
        assert fragment in report
    assert ("quick mode" in report) == settings.quick


def test_setup_seeds_numpy_and_keras():
    import keras

    ck.setup(seed=3, verbose=False)
    first = (np.random.rand(3), keras.ops.convert_to_numpy(keras.random.uniform((3,))))
    ck.setup(seed=3, verbose=False)
    second = (np.random.rand(3), keras.ops.convert_to_numpy(keras.random.uniform((3,))))
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_setup_reads_quick_mode_when_called(monkeypatch):
    monkeypatch.setenv("CNNKIT_QUICK", "1")
    assert ck.setup(verbose=False).quick is True
    monkeypatch.setenv("CNNKIT_QUICK", "0")
    assert ck.setup(verbose=False).quick is False


@pytest.mark.parametrize("seed", ["42", 4.2, True, None])
def test_setup_rejects_bad_seed(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        ck.setup(seed=seed)


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"threads": True}, "threads must be an int"),
        ({"threads": 2.0}, "threads must be an int"),
        ({"threads": "4"}, "threads must be an int"),
        ({"verbose": "no"}, "verbose must be True or False"),
        ({"verbose": 0}, "verbose must be True or False"),
    ],
)
def test_setup_rejects_wrong_types(arguments, message):
    with pytest.raises(TypeError, match=message):
        ck.setup(**arguments)


@pytest.mark.parametrize("arguments", [{"seed": -1}, {"seed": 2**32}, {"threads": 0}])
def test_setup_rejects_out_of_range_values(arguments):
    with pytest.raises(ValueError, match="must be in"):
        ck.setup(**arguments)


def test_quick_flag_follows_environment():
    code = "import cnnkit; print(cnnkit.QUICK)"
    for value, expected in (("1", "True"), ("0", "False"), ("", "False")):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={"CNNKIT_QUICK": value, "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert out == expected


def test_setup_keeps_tensorflow_startup_noise_off_stderr():
    code = "import cnnkit as ck; ck.setup(); import keras; keras.layers.Dense(2)(keras.ops.ones((1, 3)))"
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=300
    )
    assert completed.stderr.strip() == "", completed.stderr
    assert len(completed.stdout.strip().splitlines()) == 1


def test_setup_sets_a_log_level_that_keeps_errors_and_respects_the_students(monkeypatch):
    import os

    monkeypatch.delenv("TF_CPP_MIN_LOG_LEVEL", raising=False)
    ck.setup(verbose=False)
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "2"  # INFO and WARNING hidden, ERROR shown
    monkeypatch.setenv("TF_CPP_MIN_LOG_LEVEL", "0")
    ck.setup(verbose=False)
    assert os.environ["TF_CPP_MIN_LOG_LEVEL"] == "0"


STARTUP = """\
WARNING: All log messages before absl::InitializeLog() is called are written to STDERR
I0000 00:00:1796614244.251422    8789 port.cc:153] oneDNN custom operations are on.
W0000 00:00:1796614244.251901    8789 cudart_stub.cc:31] Could not find cuda drivers.
I0000 00:00:1796614244.323523    8789 cpu_feature_guard.cc:227] This TensorFlow binary is optimized.
To enable the following instructions: AVX2 FMA, in other operations, rebuild TensorFlow.
E0000 00:00:1796614248.977405    8789 cuda_platform.cc:52] failed call to cuInit: UNKNOWN ERROR (303)
E1207 03:31:02.123456    8789 op_kernel.cc:1830] OP_REQUIRES failed: out of memory
F1207 03:31:02.123457    8789 main.cc:1] Check failed: everything
/site-packages/tf/x.py:3: DeprecationWarning: old
"""


def test_startup_filter_drops_info_and_warnings_and_keeps_every_error():
    kept = kept_lines(STARTUP)
    assert kept.splitlines() == STARTUP.splitlines()[5:]


def test_startup_filter_drops_a_named_harmless_error_only():
    kept = kept_lines(STARTUP, ("failed call to cuInit",))
    assert kept.splitlines() == STARTUP.splitlines()[6:]


def test_a_python_line_after_dropped_info_is_kept():
    text = "I0000 00:00:1.0 1 a.cc:1] info\nTraceback (most recent call last):\nValueError: x\n"
    assert kept_lines(text) == "Traceback (most recent call last):\nValueError: x\n"


def test_import_is_lazy():
    code = "import sys, cnnkit; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
