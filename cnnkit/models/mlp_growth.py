"""Greedy layer-wise construction (逐层贪婪构建), chapter 07: grow a trained MLP by one hidden layer.

:func:`cnnkit.training.pruning.greedy_layerwise` trains each stage; this module only builds.
"""

from __future__ import annotations

import keras


def add_hidden_layer(trained: keras.Model, units: int, *, classes: int = 10) -> keras.Model:
    """Freeze every layer of ``trained``, keep its last hidden layer, add Dense(units) and a new head."""
    for layer in trained.layers:
        layer.trainable = False
    features = trained.layers[-2].output  # the last hidden layer (the old head is dropped)
    x = keras.layers.Dense(units, activation="relu")(features)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(trained.inputs, outputs, name=f"{trained.name}_plus_{units}")
