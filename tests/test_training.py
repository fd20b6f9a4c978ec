"""cnnkit.training: LiveHistory records what Keras's History records and draws only when it should."""

from __future__ import annotations

import subprocess
import sys
import types

import keras
import matplotlib.figure
import numpy as np
import pytest

import cnnkit as ck
from cnnkit.training import callbacks


@pytest.fixture
def tiny_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 4)).astype("float32")
    y = (X[:, 0] + X[:, 1] > 0).astype("int32")
    return X, y


def _tiny_model():
    keras.backend.clear_session()
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2)]
    )
    model.compile(
        optimizer="sgd",
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        run_eagerly=True,  # no tracing: these tests are about the callback, not speed
    )
    return model


class _Recorder:
    """Stands in for callbacks._display: remembers the epoch count at every call."""

    def __init__(self, live_history):
        self.live_history = live_history
        self.calls = []

    def __call__(self, fig, handle=None):
        assert isinstance(fig, matplotlib.figure.Figure)
        self.calls.append((len(self.live_history.epoch), handle))
        return handle or "handle"


def _kernel_shell():
    return types.SimpleNamespace(kernel=object())


def test_export_is_lazy_and_extensible():
    code = (
        "import sys, cnnkit as ck; import cnnkit.training as t; "
        "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules; "
        "assert 'LiveHistory' in dir(t) and 'callbacks' in dir(t)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    assert ck.training.LiveHistory is callbacks.LiveHistory
    with pytest.raises(AttributeError, match="no module or attribute"):
        ck.training.no_such_thing  # noqa: B018


def test_records_the_same_history_as_keras(tiny_data, monkeypatch):
    monkeypatch.setenv("CNNKIT_LIVE_PLOT", "0")
    X, y = tiny_data
    live = ck.training.LiveHistory()
    keras_history = _tiny_model().fit(
        X, y, epochs=2, batch_size=16, validation_split=0.25, verbose=0, callbacks=[live]
    )
    assert live.epoch == keras_history.epoch == [0, 1]
    assert live.history.keys() == keras_history.history.keys()
    for key, values in keras_history.history.items():
        np.testing.assert_allclose(live.history[key], values)
    assert set(live.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_headless_draws_nothing_during_training_and_one_final_figure(tiny_data, monkeypatch):
    # As under nbval: an IPython kernel exists, but we are inside pytest, so headless.
    monkeypatch.delenv("CNNKIT_LIVE_PLOT", raising=False)
    monkeypatch.setattr(callbacks, "_ipython_shell", _kernel_shell)
    assert not callbacks.live_plotting_enabled()
    X, y = tiny_data
    live = ck.training.LiveHistory()
    recorder = _Recorder(live)
    monkeypatch.setattr(callbacks, "_display", recorder)
    _tiny_model().fit(
        X, y, epochs=3, batch_size=16, validation_split=0.25, verbose=0, callbacks=[live]
    )
    assert recorder.calls == [(3, None)]  # once, after the last epoch
    fig = live.figure()
    assert isinstance(fig, matplotlib.figure.Figure)
    axes = fig.get_axes()
    assert [ax.get_title().split(" ")[0] for ax in axes] == ["loss", "accuracy"]
    for ax in axes:
        assert [line.get_label() for line in ax.get_lines()] == ["train", "validation"]
        assert len(ax.get_lines()[0].get_xdata()) == 3


def test_no_display_and_no_figure_without_ipython(tiny_data, monkeypatch):
    monkeypatch.setattr(callbacks, "_ipython_shell", lambda: None)
    X, y = tiny_data
    live = ck.training.LiveHistory(metrics=("loss",))
    recorder = _Recorder(live)
    monkeypatch.setattr(callbacks, "_display", recorder)
    _tiny_model().fit(X, y, epochs=2, verbose=0, callbacks=[live])
    assert recorder.calls == []
    assert len(live.figure().get_axes()) == 1


def test_live_mode_updates_one_handle_at_most_once_per_epoch(tiny_data, monkeypatch):
    for name in ("CNNKIT_LIVE_PLOT", "CI", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(callbacks, "_ipython_shell", _kernel_shell)
    assert callbacks.live_plotting_enabled()
    X, y = tiny_data
    live = ck.training.LiveHistory(max_overhead=1.0)
    recorder = _Recorder(live)
    monkeypatch.setattr(callbacks, "_display", recorder)
    _tiny_model().fit(X, y, epochs=4, verbose=0, callbacks=[live])
    epochs_drawn = [epochs for epochs, _ in recorder.calls]
    assert epochs_drawn[0] == 1 and epochs_drawn[-1] == 4
    assert epochs_drawn == sorted(set(epochs_drawn))  # never twice for the same epoch
    assert [handle for _, handle in recorder.calls[1:]] == ["handle"] * (len(recorder.calls) - 1)


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"CNNKIT_LIVE_PLOT": "0"}, False),
        ({"CI": "true"}, False),
        ({"CNNKIT_LIVE_PLOT": "1", "CI": "1"}, True),
    ],
)
def test_live_detection_respects_the_environment(monkeypatch, environment, expected):
    for name in ("CNNKIT_LIVE_PLOT", "CI", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(callbacks, "_ipython_shell", _kernel_shell)
    assert callbacks.live_plotting_enabled() is expected
    monkeypatch.setattr(callbacks, "_ipython_shell", lambda: None)
    assert callbacks.live_plotting_enabled() is False  # no kernel, nothing to draw into


def test_bad_arguments_and_figure_before_training():
    with pytest.raises(ValueError, match="every"):
        ck.training.LiveHistory(every=0)
    with pytest.raises(ValueError, match="metrics"):
        ck.training.LiveHistory(metrics=())
    with pytest.raises(TypeError, match="live"):
        ck.training.LiveHistory(live="yes")
    with pytest.raises(RuntimeError, match="no epoch"):
        ck.training.LiveHistory().figure()
