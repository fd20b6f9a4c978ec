"""Run every benchmark on this machine, print a table and write benchmarks/results.json.

    python benchmarks/run.py                 # everything (about 25-35 minutes on 2 idle CPU cores)
    python benchmarks/run.py --only ready_ratio scratch_conv_ratio

Ratios are measured side by side in one run (alternating, median of repeats) so that machine
noise cancels. CI does not run this; `make bench` does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RESULTS = ROOT / "benchmarks" / "results.json"

TARGETS = {
    "overhead_ratio": ("<=", 1.05),
    "ready_ratio": ("<=", 1.15),
    "time_to_match_ratio": ("<=", 0.5),
    "scratch_conv_ratio": ("<=", 3.0),
    "quick_course_seconds": ("slowest notebook <", 60.0),
    "peak_rss_mib": ("<=", 2500.0),
    "full_course_seconds": ("every chapter <=", "600 s (04: 1200 s)"),
    "ci_seconds": ("<=", 5400.0),
}
# Figures reported without a target (run after the targets, so they can reuse this run's data).
REPORTS = ("course_recipes",)
#: Keys of results.json kept between runs (backends.py writes backend_seconds_per_epoch);
#: anything else, e.g. the old ``import_ratio`` that ``ready_ratio`` replaced, is dropped.
KNOWN_KEYS = {*TARGETS, *REPORTS, "backend_seconds_per_epoch", "machine"}
KNOWN_KEYS |= {"first_lab_seconds", "second_lab_seconds"}  # benchmarks/lab_start.py writes them


def _python_seconds(code: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
    return time.perf_counter() - started


KIT_FIRST_RESULT = """
import cnnkit as ck
ck.setup(verbose=False)
ck.explain(ck.models.lenet5(), print_total=False)
"""

KERAS_FIRST_RESULT = """
import keras
from keras import layers
inputs = keras.Input(shape=(28, 28, 1))
x = layers.Conv2D(6, 5, padding="same", activation="tanh")(inputs)
x = layers.MaxPooling2D(2)(x)
x = layers.Conv2D(16, 5, activation="tanh")(x)
x = layers.MaxPooling2D(2)(x)
x = layers.Flatten()(x)
x = layers.Dense(120, activation="tanh")(x)
x = layers.Dense(84, activation="tanh")(x)
outputs = layers.Dense(10, activation="softmax")(x)
keras.Model(inputs, outputs).summary()
"""


def ready_ratio(repeats: int = 5) -> dict:
    """Fresh process to a first useful result: the kit's LeNet-5 layer table ÷ plain Keras's summary.

    Both build the same 61,706-parameter LeNet-5; alternating runs, medians.
    """
    kit_times, keras_times = [], []
    for _ in range(repeats):
        kit_times.append(_python_seconds(KIT_FIRST_RESULT))
        keras_times.append(_python_seconds(KERAS_FIRST_RESULT))
    kit_median, keras_median = statistics.median(kit_times), statistics.median(keras_times)
    return {
        "value": round(kit_median / keras_median, 3),
        "kit_seconds": round(kit_median, 2),
        "keras_seconds": round(keras_median, 2),
        "repeats": repeats,
        "what": "import cnnkit; ck.setup(); ck.explain(ck.models.lenet5()) vs import keras; "
        "the same LeNet-5; model.summary(), each in a fresh process",
    }


def full_course_seconds() -> dict:
    """Sum of the chapters' full-mode times recorded by `make outputs` (benchmarks/notebook_runs.json)."""
    log_path = ROOT / "benchmarks" / "notebook_runs.json"
    log = json.loads(log_path.read_text()) if log_path.exists() else {}
    chapters = {key: entry["seconds"] for key, entry in log.get("full", {}).items()}
    if not chapters:
        return {"value": None, "note": "no full-mode run recorded: run `make outputs`"}
    over = [key for key, seconds in chapters.items() if seconds > (1200 if "/04_" in key else 600)]
    return {
        "value": round(sum(chapters.values()), 1),
        "per_chapter_seconds": chapters,
        "chapters_over_budget": over,
        "source": "recorded by the last full-mode run of each chapter (make outputs)",
    }


def ci_seconds() -> dict:
    """The figure `make bench-ci` recorded: `.ci/run` on a fresh clone (benchmarks/ci_run.json)."""
    log_path = ROOT / "benchmarks" / "ci_run.json"
    if not log_path.exists():
        return {"value": None, "note": "run `make bench-ci` to measure .ci/run on a fresh clone"}
    return json.loads(log_path.read_text())


def _fashion(limit: int | None = None):
    import cnnkit as ck
    from cnnkit.training.recipes import prepare_images

    (x_train, y_train), (x_test, y_test) = ck.datasets.load("fashion_mnist")
    if limit:
        x_train, y_train = x_train[:limit], y_train[:limit]
    return (prepare_images(x_train), y_train), (prepare_images(x_test), y_test)


def overhead_ratio(repeats: int = 6) -> dict:
    """Training time with cnnkit's LiveHistory callback ÷ bare model.fit(verbose=0), same model and data."""
    import keras

    import cnnkit as ck

    ck.setup(seed=0, verbose=False)
    (x_train, y_train), _ = _fashion()

    def chapter01_mlp():
        model = keras.Sequential(
            [
                keras.Input((28, 28, 1)),
                keras.layers.Flatten(),
                keras.layers.Dense(256, activation="relu"),
                keras.layers.Dense(128, activation="relu"),
                keras.layers.Dense(10, activation="softmax"),
            ]
        )
        model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    def timed(with_kit: bool) -> float:
        keras.utils.set_random_seed(0)
        model = chapter01_mlp()
        callbacks = [ck.training.LiveHistory()] if with_kit else []
        started = time.perf_counter()
        model.fit(
            x_train,
            y_train,
            epochs=4,
            batch_size=128,
            validation_split=0.1,
            verbose=0,
            callbacks=callbacks,
        )
        if with_kit:
            callbacks[0].figure()  # the final figure is part of the price
        return time.perf_counter() - started

    timed(False)  # warm-up: graph tracing, thread pools
    timed(True)  # warm-up: the first figure imports pyplot, a one-off per session
    bare, kit = [], []
    for index in range(repeats):
        order = (False, True) if index % 2 == 0 else (True, False)
        for with_kit in order:
            (kit if with_kit else bare).append(timed(with_kit))
    return {
        "value": round(statistics.median(kit) / statistics.median(bare), 3),
        "bare_fit_s": round(statistics.median(bare), 2),
        "with_cnnkit_s": round(statistics.median(kit), 2),
        "model": "chapter 01 MLP, 60,000 images, 4 epochs, batch 128, validation_split 0.1",
    }


def _reference_run(data) -> dict:
    """The keras.io recipe as keras.io runs it: batch 128, 15 epochs, validation_split 0.1, Adam.

    Its seconds: the fit (its own validation included) plus ONE test evaluation; the per-epoch
    test accuracies recorded for the figure are measured but their time is taken out.
    """
    import keras

    from cnnkit.models.basic_cnns import simple_convnet
    from cnnkit.training import recipes

    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(0)
    model = simple_convnet()
    # compiled as keras.io's example does
    model.compile(loss="sparse_categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
    watch = recipes.TestAccuracyStop(x_test, y_test, target=None, every=1.0)
    started = time.perf_counter()
    model.fit(
        x_train,
        y_train,
        batch_size=128,
        epochs=15,
        validation_split=0.1,
        verbose=0,
        callbacks=[watch],
    )
    fit_seconds = time.perf_counter() - started
    one_evaluation = watch.eval_seconds / len(watch.curve)
    seconds = fit_seconds - watch.eval_seconds + one_evaluation
    # Point k was timed after k + 1 evaluations; keep one, as for the final accuracy.
    curve = [
        {
            "epoch": point["epoch"],
            "seconds": round(point["seconds"] - index * one_evaluation, 1),
            "accuracy": point["accuracy"],
        }
        for index, point in enumerate(watch.curve)
    ]
    return {"seconds": round(seconds, 1), "accuracy": watch.curve[-1]["accuracy"], "curve": curve}


def _recipe_run(data, target: float, *, batch_norm: bool, max_epochs: int = 4) -> dict:
    """The recommended recipe, stopped at the half epoch where its test accuracy first reaches ``target``.

    Its seconds: the whole fit, every half-epoch test evaluation included.
    """
    import keras

    from cnnkit.training import recipes

    (x_train, y_train), (x_test, y_test) = data
    keras.utils.set_random_seed(0)
    batch = recipes.RECOMMENDED_BATCH_SIZE
    model = recipes.recommended_fashion_mnist(
        epochs=max_epochs, steps_per_epoch=-(-len(x_train) // batch), batch_norm=batch_norm
    )
    watch = recipes.TestAccuracyStop(x_test, y_test, target=target, every=0.5)
    started = time.perf_counter()
    model.fit(x_train, y_train, batch_size=batch, epochs=max_epochs, verbose=0, callbacks=[watch])
    seconds = time.perf_counter() - started
    return {
        "seconds": round(seconds, 1),
        "reached_epoch": watch.reached,
        "eval_seconds": round(watch.eval_seconds, 1),
        "curve": watch.curve,
    }


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def time_to_match_ratio(rounds: int = 3) -> dict:
    """Seconds for the recommended recipe to reach the keras.io recipe's 15-epoch test accuracy ÷ that recipe's seconds.

    Alternating in one process: reference, recipe, recipe with batch norm, reference, ... Each
    recipe run stops at the accuracy of the reference run just before it. Both train on the same
    54,000 images (the reference's validation_split leaves the last 10% out) and both times include
    evaluation. The value is median(recipe seconds) / median(reference seconds); a recipe run that
    never reaches its target counts as missing (value None when fewer than half reach it).
    """
    import keras

    import cnnkit as ck

    ck.setup(seed=0, verbose=False)
    (x_train, y_train), test = _fashion()
    train_count = int(len(x_train) * 0.9)  # the same 90% the reference trains on
    recipe_data = ((x_train[:train_count], y_train[:train_count]), test)
    reference_data = ((x_train, y_train), test)
    runs = {"reference": [], "recipe": [], "recipe_batch_norm": []}
    for round_index in range(rounds):
        keras.backend.clear_session()
        load = _load()
        reference = _reference_run(reference_data)
        runs["reference"].append({**reference, "load_before": load})
        print(
            f"  round {round_index + 1}: reference {reference['seconds']} s, "
            f"test accuracy {reference['accuracy']} (load {load})",
            flush=True,
        )
        for key, batch_norm in (("recipe", False), ("recipe_batch_norm", True)):
            keras.backend.clear_session()
            load = _load()
            run = _recipe_run(recipe_data, reference["accuracy"], batch_norm=batch_norm)
            runs[key].append({**run, "target": reference["accuracy"], "load_before": load})
            print(
                f"  round {round_index + 1}: {key} {run['seconds']} s, reached at epoch "
                f"{run['reached_epoch']} (load {load})",
                flush=True,
            )

    def ratio(key):
        reached = [run["seconds"] for run in runs[key] if run["reached_epoch"] is not None]
        if len(reached) * 2 < len(runs[key]):
            return None
        reference_median = statistics.median(run["seconds"] for run in runs["reference"])
        return round(statistics.median(reached) / reference_median, 3)

    per_round = [
        round(recipe["seconds"] / reference["seconds"], 3)
        for recipe, reference in zip(runs["recipe"], runs["reference"], strict=True)
        if recipe["reached_epoch"] is not None
    ]
    _time_to_match_figure(runs)
    return {
        "value": ratio("recipe"),
        "with_batch_norm": ratio("recipe_batch_norm"),
        "per_round_ratio": per_round,
        "rounds": rounds,
        "reference_seconds_median": statistics.median(run["seconds"] for run in runs["reference"]),
        "reference_accuracy_median": statistics.median(
            run["accuracy"] for run in runs["reference"]
        ),
        "recipe_seconds_median": statistics.median(run["seconds"] for run in runs["recipe"]),
        "recipe_batch_norm_seconds_median": statistics.median(
            run["seconds"] for run in runs["recipe_batch_norm"]
        ),
        "runs": runs,
        "figure": "benchmarks/time_to_match.png",
        "what": "keras.io simple convnet (batch 128, 15 epochs) vs the recommended recipe "
        "(cnnkit.training.recipes) stopped at the reference's test accuracy; test accuracy "
        "every epoch (reference) / half epoch (recipe); seconds include evaluation",
    }


def _time_to_match_figure(runs: dict) -> None:
    """benchmarks/time_to_match.png: test accuracy against seconds, the median-time run of each recipe."""
    from cnnkit.plots.benchmarks import accuracy_vs_seconds

    names = {
        "reference": "keras.io simple convnet",
        "recipe": "recommended recipe",
        "recipe_batch_norm": "recommended recipe + batch norm",
    }
    curves = {}
    for key, label in names.items():
        ordered = sorted(runs[key], key=lambda run: run["seconds"])
        median_run = ordered[len(ordered) // 2]
        curves[label] = (
            [point["seconds"] for point in median_run["curve"]],
            [point["accuracy"] for point in median_run["curve"]],
        )
    target = statistics.median(run["accuracy"] for run in runs["reference"])
    figure = accuracy_vs_seconds(curves, target=target)
    figure.savefig(ROOT / "benchmarks" / "time_to_match.png", dpi=110)


def short_run_batch_norm(model, momentum: float = 0.9):
    """Chapter 04's ``bn_momentum(model, 0.9)``: BN moving averages that keep up with a 2-epoch run.

    moving = momentum · moving + (1 − momentum) · batch statistic, over about 1/(1 − momentum) steps.
    """
    import keras

    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.momentum = momentum
    return model


# The three networks chapter 04 trains on Fashion-MNIST, with the chapter's recipe (Adam with a
# warm-up + cosine schedule to 3e-3, batch 128, the first 30,000 training images, BN momentum
# 0.9).
COURSE_NETWORKS = {
    "LeNet-5 (ReLU)": ("lenet5", {"activation": "relu"}, 10),
    "VGG-small": ("vgg_small", {}, 2),
    "ResNet-small": ("resnet_small", {}, 2),
}
COURSE_TRAIN_IMAGES = 30_000


def _course_network_run(builder_name: str, options: dict, epochs: int, data) -> dict:
    """One chapter 04 network trained as the chapter trains it, test accuracy after every epoch.

    Seconds are counted as for the keras.io reference: the fit plus ONE test evaluation (the
    per-epoch evaluations drawn in the figure are measured, their time taken out).
    """
    import math

    import keras

    import cnnkit as ck
    from cnnkit.training import recipes, schedules

    (x_train, y_train), (x_test, y_test) = data
    x_train, y_train = x_train[:COURSE_TRAIN_IMAGES], y_train[:COURSE_TRAIN_IMAGES]
    keras.utils.set_random_seed(0)
    model = short_run_batch_norm(getattr(ck.models, builder_name)(**options))
    batch = 128
    steps = epochs * math.ceil(len(x_train) / batch)
    schedule = schedules.warmup_cosine(3e-3, max(1, steps // 5), steps - steps // 5)
    model.compile(
        keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
        jit_compile=False,
    )
    watch = recipes.TestAccuracyStop(x_test, y_test, target=None, every=1.0)
    started = time.perf_counter()
    model.fit(x_train, y_train, batch_size=batch, epochs=epochs, verbose=0, callbacks=[watch])
    fit_seconds = time.perf_counter() - started
    one_evaluation = watch.eval_seconds / len(watch.curve)
    curve = [
        {
            "epoch": point["epoch"],
            "seconds": round(point["seconds"] - index * one_evaluation, 1),
            "accuracy": point["accuracy"],
        }
        for index, point in enumerate(watch.curve)
    ]
    return {
        "seconds": round(fit_seconds - watch.eval_seconds + one_evaluation, 1),
        "accuracy": watch.curve[-1]["accuracy"],
        "epochs": epochs,
        "parameters": model.count_params(),
        "curve": curve,
    }


def course_recipes(time_to_match: dict | None = None) -> dict:
    """Test accuracy against seconds for the five recipes the course trains, in one run.

    The keras.io simple convnet and the recommended recipe come from this run's
    ``time_to_match_ratio`` (its median-time runs); without it, one run of each is made here.
    Writes benchmarks/accuracy_vs_seconds.png.
    """
    import keras

    import cnnkit as ck
    from cnnkit.plots.benchmarks import accuracy_vs_seconds

    ck.setup(seed=0, verbose=False)
    (x_train, y_train), test = _fashion()
    if time_to_match is None:
        train_count = int(len(x_train) * 0.9)
        reference = _reference_run(((x_train, y_train), test))
        keras.backend.clear_session()
        recipe = _recipe_run(
            ((x_train[:train_count], y_train[:train_count]), test), None, batch_norm=False
        )
        source = "one run of each, made by course_recipes"
    else:
        runs = time_to_match["runs"]
        reference, recipe = (
            sorted(runs[key], key=lambda run: run["seconds"])[len(runs[key]) // 2]
            for key in ("reference", "recipe")
        )
        source = "the median-time runs of time_to_match_ratio in this run"
    entries = {
        "keras.io simple convnet (15 epochs)": {
            "seconds": reference["seconds"],
            "accuracy": reference["accuracy"],
            "curve": reference["curve"],
        },
        "recommended recipe (stops at the target)": {
            "seconds": recipe["seconds"],
            "accuracy": recipe["curve"][-1]["accuracy"],
            "curve": recipe["curve"],
        },
    }
    for label, (builder_name, options, epochs) in COURSE_NETWORKS.items():
        keras.backend.clear_session()
        run = _course_network_run(builder_name, options, epochs, ((x_train, y_train), test))
        entries[f"{label} (chapter 04, {epochs} epochs)"] = run
        print(f"  {label}: {run['seconds']} s, test accuracy {run['accuracy']}", flush=True)
    curves = {
        name: ([p["seconds"] for p in entry["curve"]], [p["accuracy"] for p in entry["curve"]])
        for name, entry in entries.items()
    }
    figure = accuracy_vs_seconds(curves, title="What each second of CPU training buys")
    figure.savefig(ROOT / "benchmarks" / "accuracy_vs_seconds.png", dpi=110)
    return {
        "value": {name: entry["accuracy"] for name, entry in entries.items()},
        "seconds": {name: entry["seconds"] for name, entry in entries.items()},
        "recipes": entries,
        "source": source,
        "figure": "benchmarks/accuracy_vs_seconds.png",
        "what": "test accuracy (10,000 test images) against training seconds on this machine; "
        f"chapter 04 networks on the first {COURSE_TRAIN_IMAGES:,} training images",
    }


def scratch_conv_ratio() -> dict:
    from benchmarks.bench_scratch_conv import measure

    figures = measure()
    return {
        "value": round(figures["ratio"], 3),
        **{k: v for k, v in figures.items() if k != "ratio"},
    }


def _notebooks(include_exercises: bool) -> list[Path]:
    paths = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    if include_exercises:
        paths += sorted((ROOT / "exercises" / "solutions").glob("*.ipynb"))
    return paths


def _run_copies(paths: list[Path], *, quick: bool) -> dict:
    """Run copies of the notebooks (committed outputs stay untouched) and collect their figures."""
    from cnnkit.authoring.notebooks import run_notebook

    figures = {}
    with tempfile.TemporaryDirectory() as scratch:
        for path in paths:
            relative = path.relative_to(ROOT)
            copy = Path(scratch) / relative
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, copy)
            figures[relative.as_posix()] = run_notebook(copy, quick=quick)
            figures[relative.as_posix()]["warnings"] = _warning_lines(copy)
            print(f"  {relative}: {figures[relative.as_posix()]}", flush=True)
    return figures


def _warning_lines(path: Path) -> list[str]:
    """Lines of the notebook's outputs that carry a Python warning (a clean run has none)."""
    import nbformat

    lines = []
    for cell in nbformat.read(path, as_version=4).cells:
        for output in cell.get("outputs", []):
            text = output.get("text", "") if output.get("output_type") == "stream" else ""
            lines += [line[:200] for line in text.splitlines() if "Warning:" in line]
    return lines


def quick_course_seconds() -> dict:
    figures = _run_copies(_notebooks(include_exercises=True), quick=True)
    slowest = max(figures, key=lambda key: figures[key]["seconds"])
    return {
        "value": round(sum(entry["seconds"] for entry in figures.values()), 1),
        "slowest_notebook": slowest,
        "slowest_seconds": figures[slowest]["seconds"],
        "per_notebook_seconds": {key: entry["seconds"] for key, entry in figures.items()},
        "warnings": {key: entry["warnings"] for key, entry in figures.items() if entry["warnings"]},
    }


def peak_rss_mib(rerun: bool) -> dict:
    """Largest peak resident memory of a chapter notebook in full mode (recorded by `make outputs`, or rerun)."""
    if rerun:
        figures = _run_copies(_notebooks(include_exercises=False), quick=False)
        source = "measured in this run"
    else:
        log_path = ROOT / "benchmarks" / "notebook_runs.json"
        log = json.loads(log_path.read_text()) if log_path.exists() else {}
        figures = log.get("full", {})
        source = "recorded by the last full-mode run (make outputs)"
    if not figures:
        return {
            "value": None,
            "note": "no full-mode run recorded: run `make outputs` or pass --full-notebooks",
        }
    largest = max(figures, key=lambda key: figures[key]["peak_rss_mib"])
    return {
        "value": figures[largest]["peak_rss_mib"],
        "notebook": largest,
        "source": source,
        "per_notebook_mib": {key: entry["peak_rss_mib"] for key, entry in figures.items()},
        "full_mode_seconds": {key: entry["seconds"] for key, entry in figures.items()},
    }


def verdict(key: str, entry: dict) -> str:
    value = entry.get("value")
    if value is None:
        return "not measured"
    relation, target = TARGETS[key]
    if key == "quick_course_seconds":
        return "met" if entry["slowest_seconds"] < target else "missed"
    if key == "full_course_seconds":
        return "met" if not entry["chapters_over_budget"] else "missed"
    return "met" if value <= target else "missed"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", nargs="*", choices=sorted([*TARGETS, *REPORTS]), help="run only these benchmarks"
    )
    parser.add_argument(
        "--full-notebooks",
        action="store_true",
        help="rerun every chapter in full mode for peak_rss_mib",
    )
    arguments = parser.parse_args(argv)
    os.environ.setdefault("MPLBACKEND", "Agg")
    chosen = arguments.only or [*TARGETS, *REPORTS]
    previous = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results = {key: value for key, value in previous.items() if key in KNOWN_KEYS}
    runners = {
        "ready_ratio": ready_ratio,
        "full_course_seconds": full_course_seconds,
        "ci_seconds": ci_seconds,
        "scratch_conv_ratio": scratch_conv_ratio,
        "overhead_ratio": overhead_ratio,
        "time_to_match_ratio": time_to_match_ratio,
        "quick_course_seconds": quick_course_seconds,
        "peak_rss_mib": lambda: peak_rss_mib(arguments.full_notebooks),
        "course_recipes": lambda: course_recipes(
            results["time_to_match_ratio"] if "time_to_match_ratio" in chosen else None
        ),
    }
    for key in chosen:
        print(f"running {key} ...", flush=True)
        results[key] = runners[key]()
        results[key]["measured_on"] = time.strftime("%Y-%m-%d")
        results[key]["load_after"] = _load()
        if key in TARGETS:
            results[key]["target"] = " ".join(str(part) for part in TARGETS[key])
            results[key]["verdict"] = verdict(key, results[key])
    results["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(f"\n{'benchmark':24} {'value':>10}  {'target':22} verdict")
    for key in TARGETS:
        if key in results:
            entry = results[key]
            print(f"{key:24} {entry.get('value')!s:>10}  {entry['target']:22} {entry['verdict']}")
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
