"""Check the NumPy optimizers of :mod:`cnnkit.scratch` against ``keras.optimizers``, step by step."""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from cnnkit.scratch.trajectories import make_optimizer

#: The Keras optimizer that each scratch optimizer reproduces, built with the same learning rate.
KERAS_EQUIVALENTS = {
    "SGD": lambda lr: keras.optimizers.SGD(lr),
    "Momentum": lambda lr: keras.optimizers.SGD(lr, momentum=0.9),
    "Nesterov": lambda lr: keras.optimizers.SGD(lr, momentum=0.9, nesterov=True),
    "AdaGrad": lambda lr: keras.optimizers.Adagrad(lr),
    "RMSProp": lambda lr: keras.optimizers.RMSprop(lr),
    "Adam": lambda lr: keras.optimizers.Adam(lr),
}


def step_by_step(name: str, learning_rate: float = 0.01, steps: int = 5, seed: int = 0):
    """Apply the same random gradients with the scratch and the Keras optimizer ``name``.

    Parameters are float64 (Keras runs in float64 for the duration). Returns a DataFrame with one
    row per step: the optimizer, the step and the largest |NumPy - Keras| over all parameters.
    """
    if name not in KERAS_EQUIVALENTS:
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of {', '.join(KERAS_EQUIVALENTS)}"
        )
    previous = keras.config.floatx()
    keras.config.set_floatx("float64")
    try:
        rng = np.random.default_rng(seed)
        params = [rng.normal(size=(3, 4)), rng.normal(size=(4,))]
        variables = [keras.Variable(p.copy(), dtype="float64") for p in params]
        ours = make_optimizer(name, learning_rate)
        theirs = KERAS_EQUIVALENTS[name](learning_rate)
        rows = []
        for step in range(1, steps + 1):
            grads = [rng.normal(size=p.shape) for p in params]
            ours.step(params, grads)
            # tensors of the active backend: PyTorch's optimizers refuse NumPy arrays
            tensors = [keras.ops.convert_to_tensor(g, dtype="float64") for g in grads]
            theirs.apply_gradients(zip(tensors, variables, strict=True))
            difference = max(
                float(np.max(np.abs(p - keras.ops.convert_to_numpy(v))))
                for p, v in zip(params, variables, strict=True)
            )
            rows.append({"optimizer": name, "step": step, "max |numpy - keras|": difference})
        return pd.DataFrame(rows)
    finally:
        keras.config.set_floatx(previous)


def check_all(learning_rate: float = 0.01, steps: int = 5) -> pd.DataFrame:
    """:func:`step_by_step` for every optimizer, as one table (optimizer x step)."""
    return pd.concat(
        [step_by_step(name, learning_rate, steps) for name in KERAS_EQUIVALENTS], ignore_index=True
    )
