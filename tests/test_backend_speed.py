"""benchmarks/backends.py records what it measures, and its three measurements keep each other.

The training itself is replaced by fixed numbers here (it costs minutes per backend); what is
tested is the arithmetic of the records: medians, seed spread in points, the same-start
differences, and that a timing run keeps the seed spread and same-start figures measured apart.
"""

from __future__ import annotations

import json
import subprocess

import pytest

from benchmarks import backends


@pytest.fixture()
def results(tmp_path, monkeypatch):
    path = tmp_path / "results.json"
    monkeypatch.setattr(backends, "RESULTS", path)
    return path


def test_seed_spread_records_min_max_and_points(results, monkeypatch):
    accuracy_of_seed = {0: 0.70, 1: 0.735, 2: 0.668}

    def fake_run(python, backend, epochs, model="simple_convnet", seed=0):
        return {"epoch_seconds": [1.0, 1.0], "test_accuracy": accuracy_of_seed[seed]}

    monkeypatch.setattr(backends, "run_once", fake_run)
    backends.main(["--seed-spread", "3", "--backends", "torch", "--models", "vgg_small"])
    spread = json.loads(results.read_text())["backend_seconds_per_epoch"]["vgg_small"]
    row = spread["seed_spread"]["torch"]
    assert row["seeds"] == [0, 1, 2]
    assert (row["min"], row["max"]) == (0.668, 0.735)
    assert row["spread_points"] == pytest.approx(6.7)


def test_timing_run_keeps_seed_spread_and_same_start(results, monkeypatch):
    earlier = {"seed_spread": {"tensorflow": {"spread_points": 0.3}}, "same_start": {"epochs": 2}}
    results.write_text(json.dumps({"backend_seconds_per_epoch": {"simple_convnet": earlier}}))
    times = iter([[9.0, 8.0], [10.0, 8.4], [11.0, 8.2]])

    def fake_run(python, backend, epochs, model="simple_convnet", seed=0):
        return {"epoch_seconds": next(times), "test_accuracy": 0.86}

    monkeypatch.setattr(backends, "run_once", fake_run)
    arguments = ["--rounds", "3", "--backends", "tensorflow", "--models", "simple_convnet"]
    backends.main(arguments)
    table = json.loads(results.read_text())["backend_seconds_per_epoch"]["simple_convnet"]
    assert table["tensorflow"]["first_epoch_seconds"] == 10.0  # median of 9, 10, 11
    assert table["tensorflow"]["later_epoch_seconds"] == 8.2
    assert table["seed_spread"] == earlier["seed_spread"]
    assert table["same_start"] == earlier["same_start"]


def test_same_start_gives_every_backend_the_first_ones_weights(results, monkeypatch):
    programs = []
    outputs = iter(
        [
            {"loss": [1.0134908, 0.5571679], "test_accuracy": 0.7921},
            {"loss": [1.0134616, 0.5571739], "test_accuracy": 0.7917},
        ]
    )

    def fake_subprocess_run(command, env, **kwargs):
        programs.append((env["KERAS_BACKEND"], command[-1]))
        return subprocess.CompletedProcess(command, 0, stdout=json.dumps(next(outputs)) + "\n")

    monkeypatch.setattr(backends.subprocess, "run", fake_subprocess_run)
    arguments = ["--same-start", "--backends", "tensorflow", "jax", "--models", "simple_convnet"]
    backends.main(arguments)
    (first, first_program), (second, second_program) = programs
    assert (first, second) == ("tensorflow", "jax")
    assert "if True:" in first_program and "if False:" in second_program  # only the first saves
    weights = first_program.split("SAME_START = ")[1].split()[0]
    assert weights.endswith("initial.weights.h5'") and f"SAME_START = {weights}" in second_program
    assert "shuffle=not SAME_START" in first_program and "layer.rate = 0.0" in first_program
    record = json.loads(results.read_text())["backend_seconds_per_epoch"]["simple_convnet"]
    same = record["same_start"]
    assert same["jax"]["loss"] == [1.013462, 0.557174]
    assert same["test_accuracy_difference_points"] == pytest.approx(0.04)
    assert same["last_loss_relative_difference"] == pytest.approx(1.1e-5)


def test_a_timing_run_draws_its_own_weights_and_shuffles(monkeypatch):
    programs = []

    def fake_subprocess_run(command, env, **kwargs):
        programs.append(command[-1])
        output = {"epoch_seconds": [1.0], "test_accuracy": 0.5, "loss": [1.0]}
        return subprocess.CompletedProcess(command, 0, stdout=json.dumps(output) + "\n")

    monkeypatch.setattr(backends.subprocess, "run", fake_subprocess_run)
    backends.run_once("python", "jax", 2, "vgg_small", seed=3)
    (program,) = programs
    assert "ck.setup(seed=3," in program and 'MODEL = "vgg_small"' in program
    assert "SAME_START = ''" in program and "if False:" in program  # no weights: seed, dropout
    compile(program, "child", "exec")  # the placeholders left valid Python
