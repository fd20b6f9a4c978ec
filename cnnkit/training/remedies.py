"""Overfitting (过拟合) on purpose, each remedy trained and measured the same way.

The baseline and every remedy's model are builders in :mod:`cnnkit.models.regularized_mlps`;
this module fits them, for scripts and tests (chapter 07 writes the same models and its
``compile``/``fit`` in its own cells, and uses only the measurements below it):

    early_stopping (早停法, a callback)       more data: the baseline on a larger training set

``train`` fits one model (same optimizer, seed, batch size for all) and returns its history and a
summary row; the gap (泛化差距) is train accuracy - validation accuracy of the final weights,
both evaluated in inference mode (no dropout, no augmentation).
"""

from __future__ import annotations

import time

import keras
import numpy as np
import pandas as pd

from cnnkit.models.regularized_mlps import (
    augmented_mlp,
    baseline_mlp,
    batch_norm_mlp,
    dropout_mlp,
    l2_mlp,
    smaller_mlp,
)
from cnnkit.training.recipes import prepare_images  # noqa: F401  (part of this module's API)
from cnnkit.validation import check_history


def early_stopping(patience=5):
    """Stop when val_loss has not improved for ``patience`` epochs; keep the best epoch's weights."""
    return keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=patience, restore_best_weights=True
    )


#: Remedy name -> the builder of its model ("early stopping" and "more data" train the
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
