"""The kit's recommended Fashion-MNIST recipe, and the keras.io "Simple MNIST convnet" it is measured against.

Recommended (measured in ``benchmarks/run.py``, key ``time_to_match_ratio``): the reference's two
convolutions made narrow where the image is large (16 channels of 5x5 on 28x28, then 64 of 3x3
after the first pooling), a 128-unit dense layer, no batch normalisation (批量归一化; on a CPU it about doubles
the cost of an epoch here), Adam with beta_2 = 0.99 and a one-cycle learning rate (warm-up to
4e-3, cosine to ~0), batch 256, label smoothing (标签平滑) 0.1 and float32 inputs prepared once.
Trained with :class:`TestAccuracyStop`, it stops at the half epoch where it first reaches the
reference's 15-epoch test accuracy. Both networks are builders in :mod:`cnnkit.models.basic_cnns`
(``simple_convnet``, the reference, and ``narrow_convnet``); this module compiles and trains them.
"""

from __future__ import annotations

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


#: Batch size of the recommended recipe; larger batches cost less per image on a CPU.
RECOMMENDED_BATCH_SIZE = 256


def one_cycle(peak_lr: float, total_steps: int, warmup: float = 0.15):
    """The recipe's one-cycle learning rate: linear warm-up from 0 to ``peak_lr`` over the first
    ``warmup`` of the steps, then a cosine to 0 (:func:`cnnkit.training.schedules.warmup_cosine`,
    the kit's one home of it)."""
    from cnnkit.training.schedules import warmup_cosine

    warmup_steps = max(1, int(warmup * total_steps))
    return warmup_cosine(peak_lr, warmup_steps, max(1, total_steps - warmup_steps))


def recommended_fashion_mnist(
    input_shape=(28, 28, 1),
    classes=10,
    *,
    epochs: int = 4,
    steps_per_epoch: int = 211,
    peak_lr: float = 4e-3,
    widths: tuple[int, int] = (16, 64),
    kernel_sizes: tuple[int, int] = (5, 3),
    dense_units: int = 128,
    batch_norm: bool = False,
    label_smoothing: float = 0.1,
    betas: tuple[float, float] = (0.9, 0.99),
):
    """The recommended recipe: :func:`cnnkit.models.basic_cnns.narrow_convnet`, Adam with a
    one-cycle schedule (compiled, ready to fit), trained on integer labels with label-smoothed cross-entropy (:func:`sparse_smoothed_crossentropy`).
    ``steps_per_epoch`` is ``ceil(training images / RECOMMENDED_BATCH_SIZE)`` (211 for 54,000 images),
    ``epochs`` the length of the one-cycle schedule. ``batch_norm=True`` puts batch normalisation
    after each convolution (the variant the benchmark measures beside it).
    """
    import keras

    from cnnkit.models.basic_cnns import narrow_convnet

    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}.")
    model = narrow_convnet(
        input_shape,
        classes,
        widths=widths,
        kernel_sizes=kernel_sizes,
        dense_units=dense_units,
        batch_norm=batch_norm,
    )
    schedule = one_cycle(peak_lr, epochs * steps_per_epoch)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=schedule, beta_1=betas[0], beta_2=betas[1]),
        loss=sparse_smoothed_crossentropy(label_smoothing),
        metrics=["accuracy"],
    )
    return model


def sparse_smoothed_crossentropy(label_smoothing: float = 0.1):
    """Cross-entropy against smoothed targets, from integer labels and softmax probabilities.

    Target q_k = (1 - eps) [k = y] + eps / K, so
    loss = -sum_k q_k log p_k = (1 - eps) (-log p_y) + eps * mean_k(-log p_k).
    Equal to ``keras.losses.CategoricalCrossentropy(label_smoothing=eps)`` on one-hot labels,
    without building the one-hot matrix (the labels stay integers, so "accuracy" stays sparse).
    """
    if not 0.0 <= label_smoothing < 1.0:
        raise ValueError(f"label_smoothing must be in [0, 1), got {label_smoothing}.")

    def loss(y_true, y_pred):
        from keras import ops

        # The same clipping as Keras's cross-entropy on probabilities, so log(0) never happens.
        log_p = ops.log(ops.clip(y_pred, 1e-7, 1.0 - 1e-7))
        labels = ops.reshape(ops.cast(y_true, "int32"), (-1, 1))
        true_class = -ops.take_along_axis(log_p, labels, axis=-1)[:, 0]
        uniform = -ops.mean(log_p, axis=-1)
        return (1.0 - label_smoothing) * true_class + label_smoothing * uniform

    loss.__name__ = "sparse_smoothed_crossentropy"
    return loss


def TestAccuracyStop(  # noqa: N802  (a factory that reads like a class)
    x_test, y_test, target: float | None = None, *, every: float = 0.5, batch_size: int = 2000
):
    """Callback: test accuracy every ``every`` epoch; stops training the moment it reaches ``target``.

    Its time is part of training (it is how we know the target is reached); ``curve`` holds
    ``{"epoch", "seconds", "accuracy"}`` per evaluation, seconds from the start of training,
    ``eval_seconds`` the time spent evaluating, ``reached`` the first epoch at the target (or None).
    """
    import time

    import keras

    if not 0.0 < every <= 1.0:
        raise ValueError(f"every must be a fraction of an epoch in (0, 1], got {every}.")
    if len(x_test) != len(y_test):
        raise ValueError(f"x_test has {len(x_test)} images but y_test {len(y_test)} labels.")
    labels = np.asarray(y_test).reshape(-1)

    class _TestAccuracyStop(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.curve, self.eval_seconds, self.reached = [], 0.0, None

        def on_train_begin(self, logs=None):
            self._started = time.perf_counter()
            steps = self.params.get("steps") or 1
            # Evaluate after these batches of every epoch (1-based); the last is the epoch's end.
            self._points = sorted(
                {max(1, round(steps * k * every)) for k in range(1, int(1 / every) + 1)} | {steps}
            )
            self._steps, self._epoch = steps, 0

        def on_epoch_begin(self, epoch, logs=None):
            self._epoch = epoch

        def on_train_batch_end(self, batch, logs=None):
            if batch + 1 not in self._points:
                return
            began = time.perf_counter()
            probabilities = self.model.predict(x_test, batch_size=batch_size, verbose=0)
            accuracy = float(np.mean(np.argmax(probabilities, axis=-1) == labels))
            now = time.perf_counter()
            self.eval_seconds += now - began
            epoch = round(self._epoch + (batch + 1) / self._steps, 3)
            self.curve.append(
                {
                    "epoch": epoch,
                    "seconds": round(now - self._started, 2),
                    "accuracy": round(accuracy, 4),
                }
            )
            if target is not None and accuracy >= target and self.reached is None:
                self.reached = epoch
                self.model.stop_training = True

    return _TestAccuracyStop()
