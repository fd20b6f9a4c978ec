"""The kit's recommended Fashion-MNIST recipe, and the keras.io "Simple MNIST convnet" it is measured against.

Recommended: the reference's own two convolutions with batch normalisation (批量归一化), a one-cycle
learning-rate schedule with Adam, batch 128 and float32 inputs prepared once. Batch
normalisation and the warm-up let it use a large learning rate, so it reaches the reference's
15-epoch accuracy in a few epochs.
"""

from __future__ import annotations

import numpy as np

from cnnkit.training.schedules import warmup_cosine


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
    """The keras.io "Simple MNIST convnet" (:func:`cnnkit.models.basic_cnns.simple_convnet`),
    compiled as keras.io does: Adam, sparse categorical cross-entropy."""
    from cnnkit.models.basic_cnns import simple_convnet

    model = simple_convnet(input_shape, classes)
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    return model


def recommended_fashion_mnist(
    input_shape=(28, 28, 1),
    classes=10,
    *,
    epochs: int = 5,
    steps_per_epoch: int = 469,
    peak_lr: float = 3e-3,
):
    """The recommended recipe: :func:`cnnkit.models.basic_cnns.bn_convnet`, Adam with a one-cycle
    schedule (compiled, ready to fit)."""
    import keras

    from cnnkit.models.basic_cnns import bn_convnet

    model = bn_convnet(input_shape, classes)
    # One cycle: linear warm-up over the first tenth of the steps, then a cosine to 0, Keras's
    # CosineDecay with warm-up (the kit's one home of it is schedules.warmup_cosine).
    total_steps = epochs * steps_per_epoch
    warmup = max(1, total_steps // 10)
    schedule = warmup_cosine(peak_lr, warmup, max(1, total_steps - warmup))
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model
