"""Overfitting (过拟合) on purpose, and each remedy as its own small Keras function.

The baseline is a wide multilayer perceptron (two Dense(256) layers, ~270k parameters) trained
for many epochs on a small subset of Fashion-MNIST: it memorises the training set, its validation
loss turns round and rises, and its training accuracy ends far above its validation accuracy.
Every remedy is one short function the chapter shows with ``ck.show_code`` before running it:

    l2_mlp (L2 weight decay, 权重衰减)        dropout_mlp (随机失活)
    augmented_mlp (数据增强)                  batch_norm_mlp (批归一化)
    early_stopping (早停法, a callback)       smaller_mlp (fewer parameters)
    more data: the baseline itself on a larger training set

``train`` fits one model (same optimizer, seed, batch size for all) and returns its history and a
summary row; the gap (泛化差距) is train accuracy - validation accuracy of the final weights,
both evaluated in inference mode (no dropout, no augmentation).
"""

from __future__ import annotations

import time

import keras
import numpy as np
import pandas as pd

from cnnkit.training.recipes import prepare_images  # noqa: F401  (part of this module's API)
from cnnkit.validation import check_history

INPUT_SHAPE = (28, 28, 1)


# --- the baseline and one function per remedy -------------------------------------------------


def baseline_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2, name="baseline"):
    """Flatten -> ``depth`` x Dense(units, relu) -> Dense(classes, softmax): big enough to memorise."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=name)


def l2_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2, l2=1e-3):
    """The baseline with L2 weight decay: the loss gains l2 * sum(w^2) for every hidden kernel."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(depth):
        x = keras.layers.Dense(
            units, activation="relu", kernel_regularizer=keras.regularizers.L2(l2)
        )(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="L2")


def dropout_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2, rate=0.5):
    """The baseline with Dropout(rate) after each hidden layer (active only in training)."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
        x = keras.layers.Dropout(rate)(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="dropout")


def augmented_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2):
    """The baseline behind random flips and shifts: each epoch sees new variants of every image.

    Keras's preprocessing layers are active only in training (``model.fit``), so evaluation and
    prediction see the images unchanged.
    """
    augment = keras.Sequential(
        [
            keras.layers.RandomFlip("horizontal"),
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant"),
        ],
        name="augmentation",
    )
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(augment(inputs))
    for _ in range(depth):
        x = keras.layers.Dense(units, activation="relu")(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="augmentation")


def batch_norm_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=256, depth=2):
    """The baseline with Dense -> BatchNormalization -> ReLU (the bias is BN's beta, so no bias)."""
    inputs = keras.Input(input_shape)
    x = keras.layers.Flatten()(inputs)
    for _ in range(depth):
        x = keras.layers.Dense(units, use_bias=False)(x)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation("relu")(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name="batch_norm")


def smaller_mlp(input_shape=INPUT_SHAPE, classes=10, *, units=32, depth=2):
    """Fewer parameters: the baseline's architecture with 32 units per layer instead of 256."""
    return baseline_mlp(input_shape, classes, units=units, depth=depth, name="smaller")


def early_stopping(patience=5):
    """Stop when val_loss has not improved for ``patience`` epochs; keep the best epoch's weights."""
    return keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )


#: Remedy name -> the function that builds its model ("early stopping" and "more data" train the
#: baseline: the first with the ``early_stopping`` callback, the second on more images).
REMEDIES = {
    "baseline": baseline_mlp,
    "L2": l2_mlp,
    "dropout": dropout_mlp,
    "augmentation": augmented_mlp,
    "batch norm": batch_norm_mlp,
    "early stopping": baseline_mlp,
    "fewer parameters": smaller_mlp,
}


def build_mlp(remedy: str = "baseline", *, input_shape=INPUT_SHAPE, classes=10, **options):
    """The model of one remedy by name (a key of ``REMEDIES``); ``options`` go to its function."""
    if remedy not in REMEDIES:
        raise ValueError(f"unknown remedy {remedy!r}; choose one of {', '.join(REMEDIES)}")
    return REMEDIES[remedy](input_shape, classes, **options)


# --- training and measuring ---------------------------------------------------------------------


def fit_and_summarise(
    model: keras.Model,
    data,
    *,
    epochs: int,
    batch_size: int = 64,
    optimizer="adam",
    callbacks=(),
    name: str = "",
) -> tuple[dict, dict]:
    """Compile (sparse cross-entropy, accuracy), fit, and summarise one model.

    ``data`` = (x_train, y_train, x_val, y_val). Returns ``(history, row)``: the Keras history dict
    and a row with parameters, epochs run, seconds, train/validation cross-entropy (without
    regularisation penalties) and accuracy of the final weights (inference mode), their gap, the
    best validation accuracy and the epoch of the lowest validation loss.
    """
    x_train, y_train, x_val, y_val = data
    model.compile(optimizer=optimizer, loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    started = time.perf_counter()
    history = model.fit(
        x_train,
        y_train,
        validation_data=(x_val, y_val),
        epochs=epochs,
        batch_size=batch_size,
        validation_batch_size=512,  # fewer, larger validation batches: same numbers, less time
        callbacks=list(callbacks),
        verbose=0,
    ).history
    seconds = time.perf_counter() - started
    train_loss, train_accuracy = _loss_and_accuracy(model, x_train, y_train)
    val_loss, val_accuracy = _loss_and_accuracy(model, x_val, y_val)
    row = {
        "name": name or model.name,
        "parameters": model.count_params(),
        "epochs run": len(history["loss"]),
        "seconds": round(seconds, 1),
        "train loss": train_loss,
        "val loss": val_loss,
        "train accuracy": train_accuracy,
        "val accuracy": val_accuracy,
        "gap": train_accuracy - val_accuracy,
        "best val accuracy": max(history["val_accuracy"]),
        "best val-loss epoch": int(np.argmin(history["val_loss"])) + 1,
    }
    return history, row


def _loss_and_accuracy(model, x, y) -> tuple[float, float]:
    """Cross-entropy and accuracy of the predictions, in inference mode.

    Computed from the predictions rather than ``evaluate`` so that the L2 penalty is not part of
    the loss: every remedy is compared on the same data loss.
    """
    # Eager calls, batch by batch: a model measured once is not worth tracing a predict function.
    probabilities = np.concatenate(
        [
            keras.ops.convert_to_numpy(model(x[start : start + 512], training=False))
            for start in range(0, len(x), 512)
        ]
    )
    y = np.asarray(y).reshape(-1).astype(int)
    picked = np.clip(probabilities[np.arange(len(y)), y], 1e-7, 1.0)
    return float(-np.mean(np.log(picked))), float(np.mean(np.argmax(probabilities, axis=1) == y))


def train(
    build,
    data,
    *,
    epochs: int,
    name: str,
    callbacks=(),
    learning_rate: float = 1e-3,
    batch_size: int = 64,
    seed: int = 0,
    **options,
):
    """Build ``build(input_shape, classes, **options)`` with a fixed seed and fit it with Adam.

    Every remedy goes through this one function, so the only difference between two runs is the
    remedy itself. Returns ``(model, history, row)`` (see :func:`fit_and_summarise`).
    """
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    classes = int(np.max(data[1])) + 1
    model = build(data[0].shape[1:], max(classes, 10), **options)
    history, row = fit_and_summarise(
        model,
        data,
        epochs=epochs,
        batch_size=batch_size,
        optimizer=keras.optimizers.Adam(learning_rate),
        callbacks=callbacks,
        name=name,
    )
    return model, history, row


def run_remedies(
    x_train,
    y_train,
    x_val,
    y_val,
    *,
    epochs: int = 20,
    batch_size: int = 64,
    patience: int = 5,
    remedies=tuple(REMEDIES),
    learning_rate: float = 1e-3,
    seed: int = 0,
    **build_options,
) -> tuple[pd.DataFrame, dict, dict]:
    """Train the baseline and each remedy on the same data; returns ``(table, histories, models)``.

    A loop over :func:`train` (the chapter runs the same steps one remedy at a time).
    """
    data = (prepare_images(x_train), np.asarray(y_train), prepare_images(x_val), np.asarray(y_val))
    rows, histories, models = [], {}, {}
    for remedy in remedies:
        if remedy not in REMEDIES:
            raise ValueError(f"unknown remedy {remedy!r}; choose one of {', '.join(REMEDIES)}")
        callbacks = [early_stopping(patience)] if remedy == "early stopping" else []
        models[remedy], histories[remedy], row = train(
            REMEDIES[remedy],
            data,
            epochs=epochs,
            name=remedy,
            callbacks=callbacks,
            learning_rate=learning_rate,
            batch_size=batch_size,
            seed=seed,
            **build_options,
        )
        rows.append(row)
    return summary_table(rows), histories, models


def summary_table(rows) -> pd.DataFrame:
    """The rows of :func:`train` as one table indexed by remedy name."""
    return pd.DataFrame(list(rows)).rename(columns={"name": "remedy"}).set_index("remedy")


def epochs_to_reach(history, loss: float, key: str = "loss") -> int | None:
    """The first epoch (1-based) whose ``key`` is <= ``loss``; None when it never gets there."""
    values = np.asarray(check_history(history, required=(key,))[key])
    below = np.nonzero(values <= loss)[0]
    return int(below[0]) + 1 if below.size else None


def thinned_ensemble_accuracy(model: keras.Model, x, y, counts=(1, 2, 5, 10, 20), seed: int = 0):
    """Dropout as an implicit ensemble (隐式集成): accuracy of the average of k thinned networks.

    Each forward pass with ``training=True`` samples a new dropout mask: a different "thinned"
    sub-network sharing the same weights. Averaging the probabilities of k of them approaches the
    single pass with ``training=False`` (all units, inverted scaling) as k grows. Returns
    ``(DataFrame with columns k and accuracy, accuracy of the inference-mode pass)``.
    """
    x, y = prepare_images(x), np.asarray(y)
    keras.utils.set_random_seed(seed)
    counts = sorted(int(k) for k in counts)
    total, rows = 0.0, []
    for k in range(1, counts[-1] + 1):
        total = total + keras.ops.convert_to_numpy(model(x, training=True))
        if k in counts:
            rows.append({"k": k, "accuracy": float(np.mean(np.argmax(total, axis=1) == y))})
    inference = keras.ops.convert_to_numpy(model(x, training=False))
    return pd.DataFrame(rows), float(np.mean(np.argmax(inference, axis=1) == y))


def dropout_cnn(input_shape=INPUT_SHAPE, classes=10, *, conv_rate=0.0):
    """``small_cnn`` with Dropout(conv_rate) after each convolution block, for the dropout sweep.

    Neighbouring pixels of a feature map are strongly correlated, so dropping single activations
    of a convolution removes less information than in a dense layer: the usual rates are lower.
    """
    inputs = keras.Input(input_shape)
    x = inputs
    for filters in (16, 32):
        x = keras.layers.Conv2D(filters, 3, activation="relu")(x)
        x = keras.layers.MaxPooling2D()(x)
        x = keras.layers.Dropout(conv_rate)(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(keras.layers.Flatten()(x))
    return keras.Model(inputs, outputs, name="dropout_cnn")


def small_cnn(input_shape=INPUT_SHAPE, classes=10) -> keras.Model:
    """:func:`dropout_cnn` without dropout (Dropout(0) is the identity): Conv(16) - pool -
    Conv(32) - pool - Dense(10), 12,810 parameters, for comparing optimizers in chapter 07.

    The kit's general small CNN is :func:`cnnkit.models.basic_cnns.small_cnn` (chapter 02); this
    name stays for chapter 07's optimizer comparison, which trains the dropout sweep's network.
    """
    return dropout_cnn(input_shape, classes, conv_rate=0.0)
