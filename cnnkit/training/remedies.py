"""Overfitting (过拟合) on purpose and the remedies, each on the same baseline, in one table.

The baseline is a large multilayer perceptron (two Dense(512) layers, ~670k parameters) trained on
a small subset of Fashion-MNIST: it memorises the training set and the validation accuracy stalls.
``run_remedies`` trains the baseline and one variant per remedy with the same data, epochs,
optimizer and seed, and returns a pandas table plus every history:

    L2 weight decay (权重衰减), dropout (随机失活), data augmentation (数据增强, Keras preprocessing
    layers), batch normalisation (批归一化), early stopping (早停法) with restore_best_weights,
    fewer parameters.

The gap (泛化差距) is measured on the weights the model ends with, both accuracies evaluated in
inference mode (no dropout, no augmentation): train accuracy - validation accuracy.
"""

from __future__ import annotations

import time

import keras
import numpy as np
import pandas as pd

from cnnkit.training.recipes import prepare_images  # noqa: F401  (part of this module's API)

REMEDIES = (
    "baseline",
    "L2",
    "dropout",
    "augmentation",
    "batch norm",
    "early stopping",
    "fewer parameters",
)


def build_mlp(
    remedy: str = "baseline",
    *,
    units: int = 512,
    depth: int = 2,
    l2: float = 1e-3,
    dropout: float = 0.5,
    small_units: int = 32,
    input_shape=(28, 28, 1),
    classes: int = 10,
) -> keras.Model:
    """The baseline MLP, or the baseline with one remedy (a name from ``REMEDIES``).

    "early stopping" builds the baseline unchanged (the remedy is a callback, see ``run_remedies``).
    """
    if remedy not in REMEDIES:
        raise ValueError(f"unknown remedy {remedy!r}; choose one of {', '.join(REMEDIES)}")
    inputs = keras.Input(input_shape)
    x = inputs
    if remedy == "augmentation":
        x = keras.layers.RandomFlip("horizontal")(x)
        x = keras.layers.RandomTranslation(0.1, 0.1, fill_mode="constant")(x)
    x = keras.layers.Flatten()(x)
    width = small_units if remedy == "fewer parameters" else units
    for _ in range(depth):
        regularizer = keras.regularizers.L2(l2) if remedy == "L2" else None
        if remedy == "batch norm":
            x = keras.layers.Dense(width, use_bias=False)(x)
            x = keras.layers.BatchNormalization()(x)
            x = keras.layers.Activation("relu")(x)
        else:
            x = keras.layers.Dense(width, activation="relu", kernel_regularizer=regularizer)(x)
        if remedy == "dropout":
            x = keras.layers.Dropout(dropout)(x)
    outputs = keras.layers.Dense(classes, activation="softmax")(x)
    return keras.Model(inputs, outputs, name=remedy.replace(" ", "_"))


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
    and a row with parameters, epochs run, seconds, train/validation accuracy of the final weights
    (inference mode), their gap and the best validation accuracy during training.
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
        callbacks=list(callbacks),
        verbose=0,
    ).history
    seconds = time.perf_counter() - started
    train_accuracy = model.evaluate(x_train, y_train, batch_size=batch_size, verbose=0)[1]
    val_accuracy = model.evaluate(x_val, y_val, batch_size=batch_size, verbose=0)[1]
    row = {
        "name": name or model.name,
        "parameters": model.count_params(),
        "epochs run": len(history["loss"]),
        "seconds": round(seconds, 1),
        "train accuracy": train_accuracy,
        "val accuracy": val_accuracy,
        "gap": train_accuracy - val_accuracy,
        "best val accuracy": max(history["val_accuracy"]),
        "best epoch": int(np.argmax(history["val_accuracy"])) + 1,
    }
    return history, row


def run_remedies(
    x_train,
    y_train,
    x_val,
    y_val,
    *,
    epochs: int = 20,
    batch_size: int = 64,
    patience: int = 3,
    remedies=REMEDIES,
    learning_rate: float = 1e-3,
    seed: int = 0,
    **build_options,
) -> tuple[pd.DataFrame, dict, dict]:
    """Train the baseline and each remedy on the same data; returns ``(table, histories, models)``.

    The table has one row per remedy (index ``remedy``) and the columns of
    :func:`fit_and_summarise`. Early stopping watches ``val_loss`` with ``patience`` and
    ``restore_best_weights=True``.
    """
    data = (prepare_images(x_train), np.asarray(y_train), prepare_images(x_val), np.asarray(y_val))
    rows, histories, models = [], {}, {}
    for remedy in remedies:
        keras.backend.clear_session()
        keras.utils.set_random_seed(seed)
        model = build_mlp(remedy, input_shape=data[0].shape[1:], **build_options)
        callbacks = []
        if remedy == "early stopping":
            callbacks.append(
                keras.callbacks.EarlyStopping(
                    monitor="val_loss", patience=patience, restore_best_weights=True
                )
            )
        history, row = fit_and_summarise(
            model,
            data,
            epochs=epochs,
            batch_size=batch_size,
            optimizer=keras.optimizers.Adam(learning_rate),
            callbacks=callbacks,
            name=remedy,
        )
        histories[remedy] = history
        models[remedy] = model
        rows.append(row)
    table = pd.DataFrame(rows).rename(columns={"name": "remedy"}).set_index("remedy")
    return table, histories, models


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


def small_cnn(input_shape=(28, 28, 1), classes=10) -> keras.Model:
    """Conv(16) - pool - Conv(32) - pool - Dense(10): 12,810 parameters, for comparing optimizers."""
    return keras.Sequential(
        [
            keras.Input(input_shape),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Conv2D(32, 3, activation="relu"),
            keras.layers.MaxPooling2D(),
            keras.layers.Flatten(),
            keras.layers.Dense(classes, activation="softmax"),
        ],
        name="small_cnn",
    )
