"""Training arithmetic: batches and epochs, dropout (chapters 01 and 07)."""

from __future__ import annotations

import random

from cnnkit.review.problem import Draft
from cnnkit.review.topics._checks import (
    _check_float,
    _check_int,
    _keras,
    float_draft,
)

# --------------------------------------------------------------------------- batch_epoch

_SAMPLES = [1840, 60000, 50000, 10000, 5000, 2500, 1000, 12000, 800, 1500, 3000, 45000, 1234, 999]


def batch_epoch(rng: random.Random) -> Draft:
    samples = rng.choice(_SAMPLES)
    batch = rng.choice([8, 16, 32, 64, 100, 128, 256])
    per_epoch = -(-samples // batch)
    divides = samples % batch == 0
    if rng.random() < 0.5:
        statement = (
            f"A training set has {samples:,} samples and the batch size (批大小) is {batch}. "
            "How many iterations (迭代, gradient steps) does one epoch (轮) take in Keras?"
        )
        steps = [
            f"iterations per epoch = ceil(N / B) = ceil({samples:,} / {batch}) = {per_epoch:,}."
        ]
        if not divides:
            steps.append(
                f"{samples:,}/{batch} = {samples / batch:.3f}: the last batch is smaller "
                f"({samples - (per_epoch - 1) * batch} samples) but still one step, so round up."
            )
        steps.append(f"**Answer:** {per_epoch}")
        pairs = [
            (
                samples // batch,
                "Keras also runs the last, smaller batch: round up (ceil), not down.",
            ),
            (samples * batch, "Divide the samples by the batch size."),
            (samples, "One iteration processes a whole batch, not one sample."),
        ]
        expected = per_epoch
        checker = _check_int(expected, pairs)
        data = dict(kind="iterations", samples=samples, batch=batch)
    else:
        iterations = rng.choice([1000, 2000, 4000, 5000, 10000, 20000])
        exact = iterations / per_epoch
        statement = (
            f"A training set has {samples:,} samples, the batch size (批大小) is {batch}, and "
            f"training runs {iterations:,} iterations (迭代). How many epochs (轮) is that? "
            "Answer to one decimal."
        )
        steps = [
            f"iterations per epoch = ceil({samples:,} / {batch}) = {per_epoch:,}.",
            f"epochs = {iterations:,} / {per_epoch:,} = {exact:.3f}, about {exact:.1f}.",
            f"**Answer:** {round(exact, 1)}",
        ]
        pairs = [
            (
                iterations / samples,
                "One iteration uses a batch of samples: first compute iterations per epoch = ceil(N/B).",
            ),
            (iterations * per_epoch, "Divide the iterations by the iterations per epoch."),
            (
                iterations / (samples // batch) if samples >= batch else 0.0,
                "Keras runs the last partial batch too: ceil(N/B) iterations per epoch.",
            ),
        ]
        expected = round(exact, 1)
        checker = _check_float(exact, pairs, 0.051 + abs(expected - exact), rounding=0.0501)
        data = dict(kind="epochs", samples=samples, batch=batch, iterations=iterations)

    def verify():
        import numpy as np

        # Keras's own count: fit tells its callbacks the steps per epoch ("steps" in params);
        # the callback reads it before the first batch and stops after that one batch.
        keras = _keras()
        steps_seen = []

        def read_steps(_logs=None):
            steps_seen.append(counter.params["steps"])
            counter.model.stop_training = True

        counter = keras.callbacks.LambdaCallback(on_train_begin=read_steps)
        model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
        model.compile("sgd", "mse")
        x = np.zeros((samples, 1), dtype="float32")
        model.fit(x, x, batch_size=batch, epochs=1, verbose=0, callbacks=[counter])
        got = steps_seen[0]
        return got == per_epoch, got

    return Draft(statement, expected, "\n\n".join(steps), checker, verify, data)


# --------------------------------------------------------------------------- dropout_expectation


def dropout_expectation(rng: random.Random) -> Draft:
    rate = rng.choice([0.2, 0.25, 0.3, 0.4, 0.5])
    x = rng.choice([0.6, 1.0, 1.2, 2.0, 3.0, 4.0])
    kind = rng.choice(["kept", "kept", "mean", "inference", "count"])
    units = rng.choice([100, 200, 500, 1000])
    kept = x / (1 - rate)
    intro = (
        f"A Keras Dropout layer (随机失活) with rate p = {rate:g} receives a vector of {units} "
        f"activations, all equal to {x:g}."
    )
    tol = 0.0015
    base = [
        "Keras uses inverted dropout: during training each unit is zeroed with probability p "
        "and the kept ones are scaled by 1/(1 - p); at inference the layer does nothing."
    ]
    if kind == "kept":
        exact = kept
        question = "During training, what value does a unit that is kept have? (3 decimals)"
        steps = base + [f"kept value = x/(1 - p) = {x:g}/{1 - rate:g} = {kept:.4f}."]
        pairs = [
            (x, "Keras scales the kept units during training by 1/(1 - p) (inverted dropout)."),
            (
                x * (1 - rate),
                "Multiplying by (1 - p) is the old test-time scaling; Keras divides the kept units by (1 - p) during training.",
            ),
            (x / rate, "Divide by the keep probability 1 - p, not by p."),
            (x * rate, "The kept units are scaled up by 1/(1 - p)."),
        ]
    elif kind == "mean":
        exact = x
        question = "During training, what is the expected value of one output unit? (3 decimals)"
        steps = base + [
            f"E[out] = (1 - p)·x/(1 - p) + p·0 = x = {x:g}: the scaling keeps the expectation."
        ]
        pairs = [
            (
                x * (1 - rate),
                "The kept units are scaled by 1/(1 - p), which cancels the (1 - p) chance of being kept.",
            ),
            (kept, "That is the value of a kept unit; average over dropped (0) and kept units."),
        ]
    elif kind == "inference":
        exact = x
        question = "At inference (test time, training=False), what is the value of an output unit?"
        steps = base + [f"At inference dropout is the identity: {x:g}."]
        pairs = [
            (
                x * (1 - rate),
                "Keras already scaled during training (inverted dropout): nothing changes at test time.",
            ),
            (kept, "The 1/(1 - p) scaling is applied during training only."),
        ]
    else:
        exact = rate * units
        question = "During training, how many of the units are zeroed on average?"
        steps = base + [
            f"Each unit is dropped with probability p: p × n = {rate:g} × {units} = {exact:g}."
        ]
        pairs = [
            (
                (1 - rate) * units,
                "That is the number kept; the rate p is the probability of dropping.",
            ),
            (rate, "That is the probability p of dropping one unit; multiply it by the n units."),
        ]
    statement = f"{intro} {question}"
    steps.append(f"**Answer:** {round(exact, 3):g}")

    def verify():
        import numpy as np

        keras = _keras()
        layer = keras.layers.Dropout(rate, seed=1234)
        inputs = np.full((1, 20000), x, dtype="float32")
        trained = keras.ops.convert_to_numpy(layer(inputs, training=True))
        inferred = keras.ops.convert_to_numpy(layer(inputs, training=False))
        nonzero = trained[trained != 0]
        scale_ok = bool(np.allclose(nonzero, kept, rtol=1e-5))
        identity_ok = bool(np.allclose(inferred, x))
        dropped = float(np.mean(trained == 0))
        rate_ok = abs(dropped - rate) < 0.03
        mean_ok = abs(float(trained.mean()) - x) < 0.05 * x
        values = {
            "kept": float(nonzero[0]),
            "mean": float(trained.mean()),
            "inference": float(inferred[0, 0]),
            "count": dropped * units,
        }
        agrees = scale_ok and identity_ok and rate_ok and mean_ok
        return agrees, values[kind]

    data = dict(rate=rate, x=x, kind=kind, units=units)
    return float_draft(
        statement,
        exact,
        "\n\n".join(steps),
        pairs,
        verify,
        data,
        tol=tol if kind != "count" else 0.5,
    )
