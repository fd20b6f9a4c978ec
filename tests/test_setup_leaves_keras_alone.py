"""``ck.setup()`` changes nothing a student's Keras code does (issue 26; the fit cases of issue 30).

The kit once replaced ``keras.Model.fit`` to save a trace per new model; that broke a model
overriding ``compute_loss`` with Keras's older signature, changed the training of a layer that
draws random numbers in every call, and put kit frames into a wrong-``y`` traceback. Each case
runs in two fresh processes, one with Keras alone and one after ``ck.setup()``, on the same seed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The student's program; argv[1] is "keras" (Keras alone) or "setup" (ck.setup() first).
STUDENT = textwrap.dedent(
    """
    import json, sys, traceback

    import keras
    import numpy as np

    fit_before = keras.Model.fit
    model_before = dict(vars(keras.Model))
    layer_before = dict(vars(keras.layers.Layer))
    if sys.argv[1] == "setup":
        import cnnkit as ck

        ck.setup(seed=5, verbose=False)
    out = {
        "fit_is_keras_own": keras.Model.fit is fit_before,
        "changed": sorted(
            f"{cls.__name__}.{name}"
            for cls, before in ((keras.Model, model_before), (keras.layers.Layer, layer_before))
            for name in set(before) | set(vars(cls))
            if vars(cls).get(name) is not before.get(name)
        ),
    }
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 6)).astype("float32")
    y = (x[:, 0] > 0).astype("int32")


    def scenario(name, run):
        keras.utils.set_random_seed(5)
        try:
            out[name] = run()
        except Exception as error:
            frames = traceback.extract_tb(error.__traceback__)
            out[name] = {
                "error": type(error).__name__,
                "message": str(error)[:3000],
                "cnnkit_frames": [f"{f.filename}:{f.lineno}" for f in frames if "cnnkit" in f.filename],
            }


    class Noise(keras.layers.Layer):
        def call(self, inputs):
            return inputs + 0.5 * keras.random.normal(keras.ops.shape(inputs))


    def noise():
        model = keras.Sequential(
            [keras.Input((6,)), Noise(), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)]
        )
        model.compile(
            "adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"]
        )
        return model.fit(x, y, batch_size=16, epochs=3, verbose=0).history


    class OlderComputeLoss(keras.Model):
        def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None):
            error = keras.ops.squeeze(y_pred, -1) - keras.ops.cast(y, "float32")
            return keras.ops.mean(error**2)


    def older_compute_loss():
        inputs = keras.Input((6,))
        model = OlderComputeLoss(inputs, keras.layers.Dense(1)(inputs))
        model.compile("sgd")
        return model.fit(x, y, batch_size=16, epochs=2, verbose=0).history


    def wrong_y_shape():
        model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(2)])
        model.compile("adam", "mse")
        return model.fit(x, np.zeros((64, 3, 4), "float32"), batch_size=16, verbose=0).history


    scenario("noise", noise)
    scenario("older_compute_loss", older_compute_loss)
    scenario("wrong_y_shape", wrong_y_shape)
    print(json.dumps(out))
    """
)


def _student_run(mode: str) -> dict:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CNNKIT_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    completed = subprocess.run(
        [sys.executable, "-c", STUDENT, mode],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def runs() -> dict:
    return {mode: _student_run(mode) for mode in ("keras", "setup")}


def test_fit_is_keras_own_after_setup(runs):
    assert runs["setup"]["fit_is_keras_own"] is True
    assert runs["setup"]["changed"] == []


def test_a_layer_drawing_random_numbers_trains_the_same_with_and_without_setup(runs):
    keras_alone, after_setup = runs["keras"]["noise"], runs["setup"]["noise"]
    assert "error" not in after_setup, after_setup
    assert after_setup.keys() == keras_alone.keys() == {"loss", "accuracy"}
    for key, values in keras_alone.items():
        np.testing.assert_allclose(after_setup[key], values, rtol=1e-6, err_msg=key)


def test_a_model_with_the_older_compute_loss_signature_trains_after_setup(runs):
    after_setup = runs["setup"]["older_compute_loss"]
    assert "error" not in after_setup, after_setup
    np.testing.assert_allclose(
        after_setup["loss"], runs["keras"]["older_compute_loss"]["loss"], rtol=1e-6
    )
    assert np.all(np.isfinite(after_setup["loss"]))


def test_a_wrong_y_shape_is_reported_by_keras_alone(runs):
    keras_alone, after_setup = runs["keras"]["wrong_y_shape"], runs["setup"]["wrong_y_shape"]
    assert keras_alone["error"] == after_setup["error"] == "ValueError"
    assert after_setup["cnnkit_frames"] == []
    assert after_setup["message"] == keras_alone["message"]  # batch 16, not a one-example pass
