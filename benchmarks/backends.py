"""Training speed of the three Keras backends side by side: two networks the course trains.

    python benchmarks/backends.py                 # both networks, 2 epochs, batch 128
    python benchmarks/backends.py --rounds 2 --python-jax /path/to/python --models simple_convnet
    python benchmarks/backends.py --seed-spread 5 --backends tensorflow   # the noise of a seed

The networks: keras.io's "Simple MNIST convnet" (Conv 32 -> pool -> Conv 64 -> pool -> dropout
-> softmax, 34,826 parameters) on all 60,000 Fashion-MNIST training images, and chapter 04's
VGG-small (``ck.models.vgg_small``) on the first 30,000, as the chapter trains it (Adam, warm-up
+ cosine schedule to 3e-3, BN momentum 0.9; it costs about 10x more per image); both 2 epochs of
batch 128 with 10% validation, tested on the 10,000 test images. Each backend trains in its own subprocess
(KERAS_BACKEND is fixed at import); the backends alternate round by round so that a busy
machine slows all of them alike. Recorded per network and backend: seconds of the first epoch
(which includes tracing/compilation), of the later epochs, and test accuracy,
in benchmarks/results.json under ``backend_seconds_per_epoch``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
BACKENDS = ("tensorflow", "jax", "torch")

CHILD = """
import json, sys, time
import keras
import numpy as np
import cnnkit as ck

ck.setup(seed=SEED, verbose=False)
(x_train, y_train), (x_test, y_test) = ck.datasets.load("fashion_mnist")
x_train = (x_train.astype("float32") / 255)[..., None]
x_test = (x_test.astype("float32") / 255)[..., None]
MODEL = "MODEL_NAME"
if MODEL == "vgg_small":  # as chapter 04 trains it: Adam, warm-up + cosine to 3e-3
    from cnnkit.training import schedules

    x_train, y_train = x_train[:30_000], y_train[:30_000]
    from benchmarks.run import short_run_batch_norm

    model = short_run_batch_norm(ck.models.vgg_small())  # BN momentum 0.9, as chapter 04
    steps = EPOCHS * -(-int(len(x_train) * 0.9) // 128)
    optimizer = keras.optimizers.Adam(
        schedules.warmup_cosine(3e-3, max(1, steps // 5), steps - steps // 5)
    )
else:  # as keras.io trains it
    model = ck.models.basic_cnns.simple_convnet()
    optimizer = "adam"
SAME_START = "WEIGHTS"  # --same-start: the first backend's initial weights, no randomness
if SAME_START:
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dropout):
            layer.rate = 0.0
    if SAVE:
        model.save_weights(SAME_START)
    model.load_weights(SAME_START)
model.compile(loss="sparse_categorical_crossentropy", optimizer=optimizer, metrics=["accuracy"])


class EpochTimes(keras.callbacks.Callback):
    def on_epoch_begin(self, epoch, logs=None):
        self.started = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        times.append(time.perf_counter() - self.started)


times = []
history = model.fit(x_train, y_train, batch_size=128, epochs=EPOCHS, validation_split=0.1,
                    verbose=0, callbacks=[EpochTimes()], shuffle=not SAME_START)
accuracy = model.evaluate(x_test, y_test, verbose=0)[1]
print(json.dumps({"epoch_seconds": times, "test_accuracy": float(accuracy),
                  "parameters": model.count_params(), "loss": history.history["loss"]}))
"""

#: Network -> what it is, for the results table.
MODELS = {
    "simple_convnet": "keras.io simple convnet (34,826 parameters), 60,000 images, batch 128",
    "vgg_small": "chapter 04's VGG-small (ck.models.vgg_small), 30,000 images, batch 128",
}


def _load_results() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def _save_results(saved: dict) -> None:
    RESULTS.write_text(json.dumps(saved, indent=2, sort_keys=True) + "\n")


def run_once(
    python: str,
    backend: str,
    epochs: int,
    model: str = "simple_convnet",
    seed: int = 0,
    same_start: tuple[str, bool] = ("", False),
) -> dict:
    """One training in a fresh process; ``same_start``: (weights file, whether to save it first)."""
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONPATH=str(ROOT))
    env.pop("CNNKIT_QUICK", None)
    weights, save = same_start
    child = CHILD.replace("EPOCHS", str(epochs)).replace("MODEL_NAME", model)
    child = child.replace("SEED", str(seed)).replace('"WEIGHTS"', repr(weights))
    done = subprocess.run(
        [python, "-c", child.replace("SAVE", str(save))],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1, help="alternating rounds (default 1)")
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--backends", nargs="+", default=list(BACKENDS), choices=BACKENDS)
    parser.add_argument("--models", nargs="+", default=list(MODELS), choices=MODELS)
    for backend in BACKENDS:
        parser.add_argument(f"--python-{backend}", default=sys.executable)
    parser.add_argument(
        "--seed-spread",
        type=int,
        default=0,
        metavar="N",
        help="instead of timing: train each network N times on each backend, seeds 0..N-1, and "
        "record the spread of test accuracy (the noise of a seed) beside the speed figures",
    )
    parser.add_argument(
        "--same-start",
        action="store_true",
        help="instead of timing: train each network on each backend from the same initial "
        "weights without randomness (no dropout, no shuffling) and record losses and accuracy",
    )
    args = parser.parse_args(argv)
    if args.same_start:
        return measure_same_start(args)
    if args.seed_spread:
        return measure_seed_spread(args)
    runs = {(model, backend): [] for model in args.models for backend in args.backends}
    for round_number in range(args.rounds):
        order = args.backends if round_number % 2 == 0 else args.backends[::-1]
        for model in args.models:
            for backend in order:
                python = getattr(args, f"python_{backend}")
                result = run_once(python, backend, args.epochs, model)
                runs[model, backend].append(result)
                print(model, backend, result, flush=True)
    tables = {model: {"what": MODELS[model]} for model in args.models}
    for (model, backend), results in runs.items():
        firsts = [r["epoch_seconds"][0] for r in results]
        laters = [s for r in results for s in r["epoch_seconds"][1:]]
        tables[model][backend] = {
            "first_epoch_seconds": round(statistics.median(firsts), 1),
            "later_epoch_seconds": round(statistics.median(laters), 1) if laters else None,
            "test_accuracy": round(statistics.median(r["test_accuracy"] for r in results), 4),
            "runs": len(results),
        }
    saved = _load_results()
    for model, table in tables.items():  # measured apart: --seed-spread, --same-start
        before = saved.get("backend_seconds_per_epoch", {}).get(model, {})
        table.update(
            {key: value for key, value in before.items() if key not in (*BACKENDS, "what")}
        )
    kept = {  # networks not run this time keep their last figures
        model: table
        for model, table in saved.get("backend_seconds_per_epoch", {}).items()
        if model in MODELS and model not in tables
    }
    saved["backend_seconds_per_epoch"] = {
        **kept,
        "epochs": args.epochs,
        "cpus": os.cpu_count(),
        "measured_on": time.strftime("%Y-%m-%d"),
        "load_after": " ".join(f"{value:.2f}" for value in os.getloadavg()),
        **tables,
    }
    _save_results(saved)
    print("| network | backend | first epoch (s) | later epochs (s) | test accuracy |")
    print("|---|---|---|---|---|")
    for model, table in tables.items():
        for backend in args.backends:
            row = table[backend]
            print(
                f"| {model} | {backend} | {row['first_epoch_seconds']} | "
                f"{row['later_epoch_seconds']} | {row['test_accuracy']:.4f} |"
            )
    return 0


def measure_seed_spread(args) -> int:
    """Test accuracy of each network and backend over seeds 0..N-1: min, max, spread in points.

    The speed figures are left as they were; a busy machine does not change accuracy, so this
    needs no quiet machine.
    """
    saved = _load_results()
    tables = saved.setdefault("backend_seconds_per_epoch", {})
    for model in args.models:
        for backend in args.backends:
            python = getattr(args, f"python_{backend}")
            accuracies = []
            for seed in range(args.seed_spread):
                result = run_once(python, backend, args.epochs, model, seed=seed)
                accuracies.append(round(result["test_accuracy"], 4))
                print(model, backend, "seed", seed, result, flush=True)
            spread = tables.setdefault(model, {"what": MODELS[model]}).setdefault("seed_spread", {})
            spread[backend] = {
                "seeds": list(range(args.seed_spread)),
                "test_accuracy": accuracies,
                "min": min(accuracies),
                "max": max(accuracies),
                "spread_points": round(100 * (max(accuracies) - min(accuracies)), 1),
                "epochs": args.epochs,
                "measured_on": time.strftime("%Y-%m-%d"),
            }
            print(
                f"| {model} | {backend} | seeds 0-{args.seed_spread - 1} | "
                f"{min(accuracies):.4f}-{max(accuracies):.4f} | "
                f"{spread[backend]['spread_points']} points |",
                flush=True,
            )
    _save_results(saved)
    return 0


def measure_same_start(args) -> int:
    """The timing run without randomness: every backend starts from the first one's weights.

    Dropout off and no shuffling, so what is left to differ is each backend's arithmetic.
    Records per network the per-epoch training losses and test accuracy of every backend and
    the largest differences between backends.
    """
    import tempfile

    saved = _load_results()
    tables = saved.setdefault("backend_seconds_per_epoch", {})
    for model in args.models:
        runs = {}
        with tempfile.TemporaryDirectory() as folder:
            weights = str(Path(folder) / "initial.weights.h5")
            for index, backend in enumerate(args.backends):
                python = getattr(args, f"python_{backend}")
                same_start = (weights, index == 0)
                runs[backend] = run_once(python, backend, args.epochs, model, 0, same_start)
                print(model, backend, runs[backend], flush=True)
        losses = [run["loss"][-1] for run in runs.values()]
        accuracies = [run["test_accuracy"] for run in runs.values()]
        tables.setdefault(model, {"what": MODELS[model]})["same_start"] = {
            "what": "the timing run with dropout off and no shuffling, every backend from the "
            f"initial weights {args.backends[0]} drew",
            "epochs": args.epochs,
            "measured_on": time.strftime("%Y-%m-%d"),
            **{
                backend: {
                    "loss": [round(value, 6) for value in run["loss"]],
                    "test_accuracy": round(run["test_accuracy"], 4),
                }
                for backend, run in runs.items()
            },
            "last_loss_relative_difference": float(
                f"{(max(losses) - min(losses)) / min(losses):.2g}"
            ),
            "test_accuracy_difference_points": round(100 * (max(accuracies) - min(accuracies)), 2),
        }
        print(model, tables[model]["same_start"], flush=True)
    _save_results(saved)
    return 0


if __name__ == "__main__":
    sys.exit(main())
