"""Early stopping by hand: when does Keras's EarlyStopping stop, and which weights does it keep
(chapter 07)?"""

from __future__ import annotations

import random

from cnnkit.exercises.core import Result, StudentCodeError, correct, incorrect
from cnnkit.review import sections
from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import _as_int, _as_shape, _keras, bounded_items


def _curve(rng: random.Random) -> list[float]:
    best = rng.randint(3, 7)
    values, v = [], 1.2
    for epoch in range(1, 13):
        if epoch <= best:
            v -= rng.choice([0.08, 0.1, 0.15, 0.2])
        else:
            v += rng.choice([-0.03, 0.02, 0.04, 0.06])  # noisy, but never back below the best
        values.append(round(v, 2))
    low = min(values[:best])
    return [round(max(x, low + 0.01), 2) if i >= best else x for i, x in enumerate(values)]


def _simulate(losses, patience):
    """(stop epoch, best epoch), 1-based, as Keras's EarlyStopping (min_delta=0) decides."""
    best, best_epoch, wait = float("inf"), 0, 0
    for epoch, loss in enumerate(losses, start=1):
        wait += 1
        if loss < best:
            best, best_epoch, wait = loss, epoch, 0
            continue
        if wait >= patience and epoch > 1:
            return epoch, best_epoch
    return len(losses), best_epoch


def early_stopping_epochs(rng: random.Random) -> Draft:
    while True:
        losses = _curve(rng)
        patience = rng.choice([2, 3, 4])
        stop, best = _simulate(losses, patience)
        if stop < len(losses):
            break
    shown = ", ".join(f"{i}: {v:.2f}" for i, v in enumerate(losses, start=1))
    statement = (
        "Training runs with `EarlyStopping(monitor='val_loss', patience="
        f"{patience}, restore_best_weights=True)` (早停法) for at most {len(losses)} epochs. The "
        f"validation losses per epoch would be {shown}. After which epoch does training stop, and "
        "the weights of which epoch does the model keep? Answer as (stop epoch, kept epoch)."
    )
    solution = (
        f"The lowest validation loss so far is reached at epoch {best} ({losses[best - 1]:.2f}). "
        f"After it, {patience} epochs without improvement ({best + 1}..{best + patience}) use up "
        f"the patience, so training stops after epoch {stop}. restore_best_weights=True puts back "
        f"the weights of epoch {best}.\n\n**Answer:** ({stop}, {best})"
    )

    def check(answer) -> Result:
        items = (
            _as_shape(answer)  # '(9, 6)' or '9, 6' as text too
            if isinstance(answer, str)
            else bounded_items(answer, "two epochs (stop epoch, kept epoch), e.g. (9, 6)", 2)
        )
        if len(items) != 2:
            raise StudentCodeError("Answer with two epochs, (stop epoch, kept epoch), e.g. (9, 6).")
        got_stop, got_best = (_as_int(v, "an epoch number") for v in items)
        if (got_stop, got_best) == (stop, best):
            return correct(f"Correct: stops after epoch {stop}, keeps epoch {best}.")
        if got_best != best:
            if got_best == got_stop:
                return incorrect(
                    "restore_best_weights=True keeps the best epoch's weights, not the last."
                )
            return incorrect("The kept epoch is the one with the lowest validation loss so far.")
        if got_stop == stop - 1:
            return incorrect(
                f"Off by one: patience={patience} means {patience} epochs without improvement are run after the best one."
            )
        return incorrect(f"Count {patience} epochs without improvement after the best epoch.")

    check.typical_mistake = (stop, stop)

    def verify():
        keras = _keras()
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience)
        model.stop_training = False
        callback.set_model(model)
        callback.on_train_begin()
        ran = 0
        for epoch, loss in enumerate(losses):
            callback.on_epoch_end(epoch, {"val_loss": loss})
            ran = epoch + 1
            if model.stop_training:
                break
        kept = callback.best_epoch + 1
        return (ran, kept) == (stop, best), (ran, kept)

    data = dict(losses=losses, patience=patience)
    return Draft(statement, (stop, best), solution, check, verify, data, source=sections.REMEDIES)
