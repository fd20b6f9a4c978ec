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


class _FakeClock:
    """A clock the test advances by hand: epochs and redraws take exactly what we say."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _simulate(live, clock, epoch_seconds, draw_seconds, monkeypatch, epochs=10):
    """Run the callback's hooks as fit() would, with epochs and redraws of known duration."""
    drawn = []

    def slow_display(fig, handle=None):
        assert isinstance(fig, matplotlib.figure.Figure)
        clock.now += draw_seconds
        drawn.append(len(live.epoch))
        return handle or "handle"

    monkeypatch.setattr(callbacks, "_display", slow_display)
    monkeypatch.setattr(live, "_clock", clock)
    live.on_train_begin()
    for epoch in range(epochs):
        live.on_epoch_begin(epoch)
        clock.now += epoch_seconds
        live.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1), "accuracy": epoch / epochs})
    live.on_train_end()
    return drawn


def test_live_plot_redraws_after_every_epoch_when_drawing_is_cheap(monkeypatch):
    live = ck.training.LiveHistory(live=True)
    # A redraw costs 0.3 s, an epoch 10 s: 3% < 5%, so every epoch is drawn, once.
    drawn = _simulate(live, _FakeClock(), 10.0, 0.3, monkeypatch)
    assert drawn == list(range(1, 11)) == live.drawn_after
    assert live.draw_seconds == pytest.approx(3.0) and live.train_seconds == pytest.approx(100.0)
    assert "redrawn after 10 of 10 epochs" in live.summary() and "3.0%" in live.summary()
    # The figure is built once and then updated: its lines hold all 10 epochs.
    ax = live._figure.get_axes()[0]
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), live.history["loss"])


def test_live_plot_spaces_out_redraws_only_when_one_costs_more_than_5_percent(monkeypatch):
    live = ck.training.LiveHistory(live=True)
    # A redraw costs 0.25 s, an epoch 2 s (12.5%): after the first two, redraw every 3 epochs
    # (0.25 s <= 5% of 6 s, but not of 4 s), and always after the last epoch.
    drawn = _simulate(live, _FakeClock(), 2.0, 0.25, monkeypatch, epochs=12)
    assert drawn == [1, 2, 5, 8, 11, 12]
    between = np.diff(drawn[1:-1])
    assert (between == 3).all()
    # Overhead stays near the budget: 5% plus the two measuring redraws and the final one.
    assert live.draw_seconds <= 0.05 * live.train_seconds + 3 * 0.25


def test_the_first_slow_redraw_does_not_stop_later_ones(monkeypatch):
    live = ck.training.LiveHistory(live=True)
    clock = _FakeClock()
    costs = iter([5.0] + [0.2] * 20)  # the first redraw pays one-time costs (fonts, set-up)

    def display(fig, handle=None):
        clock.now += next(costs)
        return handle or "handle"

    monkeypatch.setattr(callbacks, "_display", display)
    monkeypatch.setattr(live, "_clock", clock)
    live.on_train_begin()
    for epoch in range(6):
        live.on_epoch_begin(epoch)
        clock.now += 10.0
        live.on_epoch_end(epoch, {"loss": 1.0})
    assert live.drawn_after == [1, 2, 3, 4, 5, 6]


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
