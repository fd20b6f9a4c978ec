"""Data parallelism proved on a CPU: two logical devices under MirroredStrategy reach the weights of one."""

import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import numpy as np
    import cnnkit as ck
    from cnnkit.training.strategy import describe, split_cpu, strategy

    split_cpu(2)  # before TensorFlow runs anything
    ck.setup(seed=1, verbose=False)
    import keras

    def build():
        inputs = keras.Input((28, 28, 1))
        x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
        x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.Flatten()(x)
        outputs = keras.layers.Dense(10, activation="softmax")(x)
        return keras.Model(inputs, outputs)

    (x, y), _ = ck.datasets.load("fashion_mnist", sample=True)
    x = x[:512, ..., None].astype("float32") / 255
    y = y[:512]
    keras.utils.set_random_seed(0)
    single = build()
    initial = single.get_weights()
    single.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
    single.fit(x, y, batch_size=64, epochs=2, shuffle=False, verbose=0)

    mirrored = strategy("mirrored")
    print(describe(mirrored))
    with mirrored.scope():
        twin = build()
        twin.set_weights(initial)
        twin.compile(keras.optimizers.SGD(0.05), "sparse_categorical_crossentropy")
    twin.fit(x, y, batch_size=64, epochs=2, shuffle=False, verbose=0)
    moved = max(float(np.max(np.abs(a - b))) for a, b in zip(initial, single.get_weights()))
    difference = max(
        float(np.max(np.abs(a - b))) for a, b in zip(single.get_weights(), twin.get_weights())
    )
    print(f"moved {moved:.3e} difference {difference:.3e}")
    """
)


def test_two_logical_cpus_under_mirrored_strategy_match_one_device():
    completed = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=600
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    lines = completed.stdout.strip().splitlines()
    assert lines[0] == "MirroredStrategy with 2 replica(s)"
    _, moved, _, difference = lines[-1].split()
    assert float(moved) > 1e-3, "training must actually change the weights"
    assert float(difference) < 1e-5


def test_default_strategy_on_this_machine_and_bad_choice():
    from cnnkit.training.strategy import describe, strategy

    chosen = strategy()
    assert chosen.num_replicas_in_sync == 1
    assert "1 replica" in describe(chosen)
    with pytest.raises(ValueError, match="prefer must be"):
        strategy("gpu-please")
