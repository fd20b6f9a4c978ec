"""One seed for every random number generator a notebook uses: Python's, NumPy's and Keras's."""

from __future__ import annotations

import random

import numpy as np


def seed_everything(seed: int) -> None:
    """Seed Python's ``random``, NumPy's global generator and Keras (``keras.utils.set_random_seed``,
    which also seeds the TensorFlow, JAX or PyTorch backend), so reruns draw the same numbers."""
    random.seed(seed)
    np.random.seed(seed)
    import keras

    keras.utils.set_random_seed(seed)
