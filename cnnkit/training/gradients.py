"""Vanishing and exploding gradients (梯度消失, 梯度爆炸): per-layer gradient norms of deep networks.

In a deep stack, backpropagation multiplies one factor per layer. With sigmoid (derivative at most
1/4) the factors are small and the gradient shrinks layer by layer towards the input; with weights
that are too large it grows instead. ReLU with He initialisation (Var w = 2 / fan_in) keeps the
scale roughly constant; batch normalisation re-centres and re-scales every layer on top of that.
The networks are :func:`cnnkit.models.deep_mlps.deep_mlp`; this module measures their gradients.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from cnnkit.autodiff import value_and_gradients
from cnnkit.models.deep_mlps import DEEP_VARIANTS, deep_mlp


def layer_gradient_norms(model: keras.Model, x, y) -> np.ndarray:
    """||dL/dW|| (Frobenius) of every Dense kernel, first layer to last, for one batch (x, y).

    L = cross-entropy computed from the logits z = h·W + b of the "output" layer (before its
    softmax), as TensorFlow's Keras does by itself for a softmax output: from the clipped
    probabilities, a saturated softmax (too-large weights) would give exactly zero gradient on
    JAX and PyTorch, while dL/dz = p − onehot(y) is what backpropagation really sends back.
    """
    kernel_ids = {
        id(layer.kernel) for layer in model.layers if isinstance(layer, keras.layers.Dense)
    }
    output = model.get_layer("output")
    features = keras.Model(model.inputs, output.input)  # shares the model's weights
    loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    x = keras.ops.convert_to_tensor(np.asarray(x, dtype="float32"))
    y = keras.ops.convert_to_tensor(np.asarray(y))

    def loss():
        logits = keras.ops.matmul(features(x, training=True), output.kernel) + output.bias
        return loss_fn(y, logits)

    _, gradients = value_and_gradients(loss, model.trainable_variables)
    gradients = [keras.ops.convert_to_numpy(gradient) for gradient in gradients]
    return np.array(
        [
            float(np.linalg.norm(gradient))
            for variable, gradient in zip(model.trainable_variables, gradients, strict=True)
            if id(variable) in kernel_ids
        ]
    )


def compare_gradient_norms(x, y, depth: int = 12, units: int = 64, seed: int = 0) -> pd.DataFrame:
    """Per-layer gradient norms of every variant on the same batch: rows = layers, columns = variants."""
    x = np.asarray(x, dtype="float32").reshape(len(x), -1)
    columns = {}
    for variant in DEEP_VARIANTS:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        model = deep_mlp(x.shape[1:], variant=variant, depth=depth, units=units)
        columns[variant] = layer_gradient_norms(model, x, np.asarray(y))
    table = pd.DataFrame(columns)
    table.index = [f"layer {i + 1}" for i in range(depth)] + ["output"]
    return table


def gradients_by_sgd_step(model: keras.Model, x, y, loss="mse") -> dict:
    """dL/dw of every trainable weight as Keras computes it, on any backend, without a GradientTape.

    One plain SGD step with learning rate 1 moves each weight by exactly its gradient:
    w_new = w - 1·dL/dw, so dL/dw = w - w_new. The step is taken on ``(x, y)`` as ONE batch
    and the weights are restored afterwards; the model is left compiled with that optimizer.
    Returns {variable path: gradient array}.
    """
    before = [np.array(keras.ops.convert_to_numpy(w)) for w in model.trainable_weights]
    all_weights = model.get_weights()
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss=loss)
    model.train_on_batch(np.asarray(x), np.asarray(y))
    after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    model.set_weights(all_weights)
    return {w.path: b - a for w, b, a in zip(model.trainable_weights, before, after, strict=True)}
