"""The ResNet paper's training recipe (He et al. 2015, section 3.4) beside the Adam recipe.

The paper: He (MSRA) initialisation (the builders' ``kernel_initializer="he_normal"``), batch
normalisation after every convolution, **no dropout**, SGD with **momentum 0.9**, learning
rate **0.1 for batch 256, divided by 10 when the error plateaus**, **weight decay 1e-4** (the
students' notes say 1e-5; the paper says 0.0001).

Batch size: the paper used 256 images per step. With a smaller batch ``B`` the *linear scaling
rule* (Goyal et al. 2017) keeps the same training dynamics per image seen: the gradient of a
batch of ``B`` is an average over ``B`` images, so ``256 / B`` small steps should together move
the weights as far as one big step, hence ``learning_rate = 0.1 * B / 256``.
"""

from __future__ import annotations

import keras

__all__ = ["adam_recipe", "add_weight_decay", "resnet_paper_recipe", "scaled_learning_rate"]


def scaled_learning_rate(batch_size: int, base_rate: float = 0.1, base_batch: int = 256) -> float:
    """The linear scaling rule: ``base_rate * batch_size / base_batch`` (0.1 at 256 -> 0.025 at 64)."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer; got {batch_size!r}")
    return base_rate * batch_size / base_batch


def add_weight_decay(model: keras.Model, weight_decay: float = 1e-4) -> keras.Model:
    """Weight decay as the paper (and Caffe) applies it: every step adds ``weight_decay * w`` to
    the gradient of each convolution and dense kernel, which is the gradient of an L2 penalty
    ``(weight_decay / 2) * ||w||^2`` added to the loss. Returns the model."""
    for layer in model.layers:
        kernel = getattr(layer, "kernel", None)
        if kernel is not None:
            kernel.regularizer = keras.regularizers.L2(weight_decay / 2)
    return model


def resnet_paper_recipe(model: keras.Model, batch_size: int, *, patience: int = 1):
    """Compile ``model`` with the paper's recipe for ``batch_size`` images per step and return
    the callback that divides the learning rate by 10 when the validation loss stops falling
    for ``patience`` epochs (pass it to ``fit``)."""
    add_weight_decay(model, 1e-4)
    optimizer = keras.optimizers.SGD(scaled_learning_rate(batch_size), momentum=0.9)
    model.compile(optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    divide_by_10 = keras.callbacks.ReduceLROnPlateau(
        monitor="val_loss", factor=0.1, patience=patience, verbose=0
    )
    return divide_by_10


def adam_recipe(model: keras.Model, *, learning_rate: float = 1e-3):
    """The recipe the chapter uses elsewhere: Adam at 1e-3, no weight decay, constant rate."""
    model.compile(
        keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return None
