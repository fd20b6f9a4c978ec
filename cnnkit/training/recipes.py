"""The kit's recommended Fashion-MNIST recipe, and the keras.io "Simple MNIST convnet" it is measured against.

Recommended: the reference's own two convolutions with batch normalisation (批量归一化), a one-cycle
learning-rate schedule with Adam, batch 128 and float32 inputs prepared once. Batch
normalisation and the warm-up let it use a large learning rate, so it reaches the reference's
15-epoch accuracy in a few epochs.
"""

from __future__ import annotations

import math

import numpy as np


def prepare_images(images: np.ndarray) -> np.ndarray:
    """Images (N, H, W[, C]) -> float32 (N, H, W, C); uint8 pixels are scaled to [0, 1].

    Done once, so no epoch pays for the conversion.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4:
        raise ValueError(f"expected images of shape (N, H, W) or (N, H, W, C), got {images.shape}.")
    if images.dtype == np.uint8:
        return images.astype("float32") / np.float32(255.0)
    return images.astype("float32")


def keras_io_simple_convnet(input_shape=(28, 28, 1), classes=10):
    """The keras.io "Simple MNIST convnet": conv 32 -> pool -> conv 64 -> pool -> dropout 0.5 -> softmax."""
    import keras
    from keras import layers

    model = keras.Sequential(
        [
            keras.Input(shape=input_shape),
            layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
            layers.MaxPooling2D(pool_size=(2, 2)),
            layers.Flatten(),
            layers.Dropout(0.5),
            layers.Dense(classes, activation="softmax"),
        ],
        name="keras_io_simple_convnet",
    )
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


class OneCycle:
    """Learning rate that warms up linearly to ``peak`` over ``warmup`` of the steps, then follows a cosine to ~0."""

    def __init__(self, peak: float, total_steps: int, warmup: float = 0.1):
        if total_steps < 1:
            raise ValueError(f"total_steps must be >= 1, got {total_steps}.")
        self.peak, self.total_steps, self.warmup_steps = (
            peak,
            total_steps,
            max(1, int(warmup * total_steps)),
        )

    def __call__(self, step: int) -> float:
        if step < self.warmup_steps:
            return self.peak * (step + 1) / self.warmup_steps
        progress = min(
            1.0, (step - self.warmup_steps) / max(1, self.total_steps - self.warmup_steps)
        )
        return self.peak * 0.5 * (1 + math.cos(math.pi * progress))


def recommended_fashion_mnist(
    input_shape=(28, 28, 1),
    classes=10,
    *,
    epochs: int = 5,
    steps_per_epoch: int = 469,
    peak_lr: float = 3e-3,
):
    """The recommended recipe: BN VGG-style CNN, Adam with a one-cycle schedule (compiled, ready to fit)."""
    import keras
    from keras import layers

    def conv_block(x, filters, name):
        # No bias: batch normalisation's beta does that job (students' question 2).
        x = layers.Conv2D(filters, 3, use_bias=False, name=f"{name}_conv")(x)
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
        x = layers.ReLU(name=f"{name}_relu")(x)
        return layers.MaxPooling2D(name=f"{name}_pool")(x)

    inputs = keras.Input(shape=input_shape)
    x = conv_block(inputs, 32, "block1")
    x = conv_block(x, 64, "block2")
    x = layers.Flatten(name="flatten")(x)
    x = layers.Dropout(0.3, name="dropout")(x)
    x = layers.Dense(128, activation="relu", name="fc")(x)
    outputs = layers.Dense(classes, activation="softmax", name="predictions")(x)
    model = keras.Model(inputs, outputs, name="recommended_fashion_mnist")
    schedule = _KerasSchedule(OneCycle(peak_lr, epochs * steps_per_epoch))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _KerasSchedule(one_cycle: OneCycle):  # noqa: N802  (a factory that reads like a class)
    import keras

    class Schedule(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            step = keras.ops.cast(step, "float32")
            warmup = float(one_cycle.warmup_steps)
            total = float(one_cycle.total_steps)
            warm = one_cycle.peak * (step + 1.0) / warmup
            progress = keras.ops.clip((step - warmup) / max(1.0, total - warmup), 0.0, 1.0)
            cool = one_cycle.peak * 0.5 * (1.0 + keras.ops.cos(math.pi * progress))
            return keras.ops.where(step < warmup, warm, cool)

        def get_config(self):
            return {"peak": one_cycle.peak, "total_steps": one_cycle.total_steps}

    return Schedule()
