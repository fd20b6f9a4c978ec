"""Hyperparameter search (超参数搜索) with KerasTuner, and ensembles (集成) of weak models.

``search(method, ...)`` runs grid, random or Bayesian search over the same small space
(``build_tunable``: units, learning rate, dropout) and ``trials_table`` lists every trial.
Tuner files go to a directory you pass (use a temporary one) with ``overwrite=True``.

``ensemble_accuracy`` averages the predicted probabilities of several models (such as
:func:`cnnkit.models.regularized_mlps.weak_mlp`): the errors of
independently trained weak models partly cancel, so the average beats most of its members.
"""

from __future__ import annotations

import keras
import numpy as np
import pandas as pd

from cnnkit.models.regularized_mlps import dropout_mlp

#: The search space of ``build_tunable``.
SPACE = {"units": [16, 128], "learning_rate": [1e-3, 1e-2], "dropout": [0.0, 0.3]}

METHODS = ("grid", "random", "bayesian")


def build_tunable(hp) -> keras.Model:
    """KerasTuner's hypermodel: :func:`~cnnkit.models.regularized_mlps.dropout_mlp` with one hidden
    layer whose width and dropout rate come from ``hp``, compiled with Adam at ``hp``'s rate."""
    # Declared in this order on purpose: the grid search walks the values in declaration order.
    units = hp.Choice("units", SPACE["units"])
    learning_rate = hp.Choice("learning_rate", SPACE["learning_rate"])
    dropout = hp.Choice("dropout", SPACE["dropout"])
    model = dropout_mlp(units=units, depth=1, rate=dropout)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def _fitting_only(tuner_class):
    """``tuner_class`` whose trials only build and fit the model, through KerasTuner's public hook.

    ``run_trial`` is the method KerasTuner documents for overriding ("build the model with
    ``self.hypermodel.build(hp)`` and return ``self.hypermodel.fit(...)``"); the History it
    returns gives the trial its best-epoch ``val_accuracy``, as the built-in trial does. The
    built-in trial also sets up TensorBoard logs, and KerasTuner 1.4 imports ``tensorboard`` for
    that before every trial on the TensorFlow backend, even when no TensorBoard callback is used;
    TensorFlow no longer depends on tensorboard, so a plain ``pip install tensorflow keras-tuner``
    would fail there. This search keeps no checkpoints (``tuner.get_best_models`` is not used:
    the chapter reads ``trials_table`` and ``get_best_hyperparameters``).
    """

    class Tuner(tuner_class):
        def run_trial(self, trial, *args, **kwargs):
            hp = trial.hyperparameters
            model = self.hypermodel.build(hp)
            return self.hypermodel.fit(hp, model, *args, **kwargs)

    Tuner.__name__ = tuner_class.__name__
    return Tuner


def make_tuner(method: str, directory, max_trials: int, seed: int = 0):
    """A KerasTuner tuner ("grid", "random" or "bayesian") over ``build_tunable``'s space."""
    import keras_tuner as kt

    common = dict(
        objective="val_accuracy",
        max_trials=max_trials,
        seed=seed,
        directory=str(directory),
        project_name=method,
        overwrite=True,
    )
    if method == "grid":
        return _fitting_only(kt.GridSearch)(build_tunable, **common)
    if method == "random":
        return _fitting_only(kt.RandomSearch)(build_tunable, **common)
    if method == "bayesian":
        return _fitting_only(kt.BayesianOptimization)(
            build_tunable, num_initial_points=min(2, max_trials), **common
        )
    raise ValueError(f"method must be one of {', '.join(METHODS)}, got {method!r}")


def search(method, x_train, y_train, x_val, y_val, *, directory, max_trials, epochs, seed=0):
    """Run one search; returns the tuner (``tuner.get_best_hyperparameters()[0].values``...)."""
    import warnings

    tuner = make_tuner(method, directory, max_trials, seed)
    with warnings.catch_warnings():
        # The Bayesian oracle fits scikit-learn's Gaussian process to a handful of trials; with so
        # few points its length scale runs into the kernel's bound and scikit-learn warns
        # (ConvergenceWarning, with the path of its source file). The fit is still usable for
        # choosing the next trial, so this one warning is silenced here, where it is raised.
        try:
            from sklearn.exceptions import ConvergenceWarning
        except ImportError:  # scikit-learn is only needed by the Bayesian tuner
            ConvergenceWarning = None
        if ConvergenceWarning is not None:
            warnings.filterwarnings("ignore", category=ConvergenceWarning)
        tuner.search(
            x_train,
            y_train,
            validation_data=(x_val, y_val),
            epochs=epochs,
            batch_size=64,
            verbose=0,
        )
    return tuner


def trials_table(tuner, method: str = "") -> pd.DataFrame:
    """One row per trial: method, trial id, the hyperparameters and the best val_accuracy."""
    rows = []
    for trial in tuner.oracle.trials.values():
        if trial.score is None:
            continue
        rows.append(
            {
                "method": method,
                "trial": trial.trial_id,
                **trial.hyperparameters.values,
                "val accuracy": trial.score,
            }
        )
    return pd.DataFrame(rows)


# --- ensembles --------------------------------------------------------------------------------


def ensemble_accuracy(models, x, y) -> tuple[list[float], float]:
    """Accuracy of each model and of their average probabilities (soft voting, 软投票)."""
    y = np.asarray(y)
    probabilities = [model.predict(x, batch_size=1024, verbose=0) for model in models]
    members = [float(np.mean(np.argmax(p, axis=1) == y)) for p in probabilities]
    averaged = np.mean(probabilities, axis=0)
    return members, float(np.mean(np.argmax(averaged, axis=1) == y))
