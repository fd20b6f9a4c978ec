import subprocess
import sys

import numpy as np
import pytest

import cnnkit as ck


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


@pytest.mark.parametrize("seed", ["42", 4.2, True, None])
def test_setup_rejects_bad_seed(seed):
    with pytest.raises(TypeError, match="seed must be an integer"):
        ck.setup(seed=seed)


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


def test_import_is_lazy():
    code = "import sys, cnnkit; print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"
