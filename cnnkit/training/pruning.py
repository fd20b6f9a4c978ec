"""Fewer parameters after training and during construction: magnitude pruning and greedy growth.

Magnitude pruning (剪枝): most weights of a trained network are close to zero and matter little.
``magnitude_prune`` zeroes the fraction ``sparsity`` of all kernel weights with the smallest |w|
(one threshold for the whole network); ``sparsity_curve`` measures accuracy against sparsity,
without any retraining.

Greedy layer-wise construction (逐层贪婪构建): train a network with one hidden layer, then freeze it
and train one new hidden layer (and a new output layer) on top, and so on; each stage trains only
the parameters of its new layer (:func:`cnnkit.models.mlp_growth.add_hidden_layer` builds each stage).
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from cnnkit.models.mlp_growth import add_hidden_layer
from cnnkit.models.regularized_mlps import baseline_mlp


def magnitude_prune(model: keras.Model, sparsity: float) -> float:
    """Set the ``sparsity`` fraction of smallest-magnitude kernel weights to 0, in place.

    Returns the fraction of kernel weights that are zero afterwards (biases are left alone).
    """
    if not 0.0 <= sparsity < 1.0:
        raise ValueError(f"sparsity is a fraction in [0, 1), got {sparsity}")
    kernels = [layer.kernel for layer in model.layers if hasattr(layer, "kernel")]
    values = [keras.ops.convert_to_numpy(kernel) for kernel in kernels]
    magnitudes = np.concatenate([np.abs(v).ravel() for v in values])
    threshold = np.quantile(magnitudes, sparsity) if sparsity > 0 else -1.0
    for kernel, value in zip(kernels, values, strict=True):
        kernel.assign(np.where(np.abs(value) > threshold, value, 0.0))
    return float(np.mean(magnitudes <= threshold))


def sparsity_curve(model: keras.Model, x, y, sparsities=(0.0, 0.5, 0.8, 0.9, 0.95, 0.98, 0.99)):
    """Accuracy of ``model`` pruned to each sparsity (weights restored afterwards): a DataFrame."""
    saved = model.get_weights()
    rows = []
    for sparsity in sparsities:
        model.set_weights(saved)
        zero = magnitude_prune(model, sparsity)
        predictions = model.predict(x, batch_size=1024, verbose=0)
        accuracy = float(np.mean(np.argmax(predictions, axis=1) == np.asarray(y)))
        rows.append({"sparsity": sparsity, "zero weights": zero, "accuracy": accuracy})
    model.set_weights(saved)
    return pd.DataFrame(rows)


def greedy_layerwise(data, widths=(128, 64, 32), *, epochs: int = 3, seed: int = 0):
    """Grow an MLP one hidden layer at a time; returns a DataFrame with one row per stage."""
    x_train, y_train, x_val, y_val = data
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    model = baseline_mlp(x_train.shape[1:], 10, units=widths[0], depth=1, name="stage")
    rows = []
    for stage, units in enumerate(widths, start=1):
        if stage > 1:
            model = add_hidden_layer(model, units)
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        model.fit(x_train, y_train, epochs=epochs, batch_size=64, verbose=0)
        rows.append(
            {
                "stage": stage,
                "hidden layers": stage,
                "trainable parameters": sum(int(np.prod(w.shape)) for w in model.trainable_weights),
                "all parameters": model.count_params(),
                "val accuracy": model.evaluate(x_val, y_val, batch_size=512, verbose=0)[1],
            }
        )
    return pd.DataFrame(rows).set_index("stage")
