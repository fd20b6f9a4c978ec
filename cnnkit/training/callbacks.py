"""Keras callbacks of the course: :class:`LiveHistory`, live loss/accuracy curves.

In a live notebook front end the curves are redrawn in place (one output, updated through
its ``display_id``) after every epoch; only when one redraw would cost more than 5% of an
epoch's time are redraws spaced out, to keep plotting overhead under 5%. Headless (no IPython kernel, under CI or pytest/nbval,
or ``CNNKIT_LIVE_PLOT=0``) nothing is drawn while training and one final figure is shown when
training ends (only when there is a display to show it in; ``.figure()`` always works).
"""

from __future__ import annotations

import os
import sys
import time

import keras

from cnnkit.validation import check_int

_OFF = {"0", "false", "no", "off"}
_ON = {"1", "true", "yes", "on"}


def _ipython_shell():
    """The running IPython shell, or None (never imports IPython itself)."""
    module = sys.modules.get("IPython")
    if module is None:
        return None
    try:
        return module.get_ipython()
    except Exception:  # an IPython that is half torn down
        return None


def _in_kernel(shell) -> bool:
    return shell is not None and getattr(shell, "kernel", None) is not None


def live_plotting_enabled() -> bool:
    """True when figures can be redrawn live: an IPython kernel (Jupyter, Colab, VS Code) and
    not CI (``CI`` set), not pytest/nbval, not ``CNNKIT_LIVE_PLOT=0``.

    ``CNNKIT_LIVE_PLOT=1`` forces live drawing whenever a kernel is present (even under CI).
    """
    flag = os.environ.get("CNNKIT_LIVE_PLOT", "").strip().lower()
    if flag in _OFF:
        return False
    kernel = _in_kernel(_ipython_shell())
    if flag in _ON:
        return kernel
    if os.environ.get("CI", "").strip().lower() not in ("", *_OFF):
        return False
    if "PYTEST_CURRENT_TEST" in os.environ or "PYTEST_XDIST_WORKER" in os.environ:
        return False  # nbval runs the notebook's kernel from inside pytest
    return kernel


def _display(fig, handle=None):
    """Show ``fig`` in the notebook; with a ``handle`` replace the output it refers to."""
    if handle is not None:
        handle.update(fig)
        return handle
    from IPython.display import display

    return display(fig, display_id=True)


class LiveHistory(keras.callbacks.Callback):
    """Record the training logs like Keras's ``History`` and plot them, live when possible.

    Live mode (a notebook front end) redraws the curves in place after every epoch. The one
    exception keeps plotting cheap: when one redraw costs more than ``max_overhead`` (5%) of
    an epoch's time (very short epochs), the plot is redrawn only every few epochs, as soon as
    the training time since the last redraw is at least ``redraw cost / max_overhead``; so
    drawing never takes more than about 5% of training. The final state is always drawn.
    Headless, nothing is drawn during training and one figure is shown at the end.

    Parameters
    ----------
    metrics : tuple of str or None
        Panels to draw, e.g. ``("loss", "accuracy")``; each shows the training and, when
        there is one, the validation curve. Metrics that were not compiled are skipped;
        None draws every recorded metric.
    every : int
        Redraw at most every ``every`` epochs (live mode only); 1 = after every epoch.
    live : bool or None
        None decides with :func:`live_plotting_enabled`; True/False force the mode.
    max_overhead : float
        The largest fraction of an epoch's time one redraw may cost before redraws are
        spaced out (see above).

    Attributes
    ----------
    history : dict of lists
        ``{"loss": [...], "val_loss": [...], ...}``, one value per epoch, as ``History.history``.
    epoch : list of int
        The epoch indices Keras reported.
    drawn_after : list of int
        After how many epochs each live redraw happened (empty headless).
    draw_seconds, train_seconds : float
        Time spent drawing live and time spent in epochs (training and validation), so that
        ``draw_seconds / train_seconds`` is the plotting overhead.

    Each ``fit`` call starts a fresh history, as Keras's own ``History`` does. Recording
    costs a dict append per epoch; no batch hook is defined, so Keras keeps its fast path.
    """

    def __init__(
        self,
        metrics=("loss", "accuracy"),
        every: int = 1,
        live: bool | None = None,
        max_overhead: float = 0.05,
        title: str | None = None,
    ):
        super().__init__()
        if metrics is not None:
            if isinstance(metrics, str):
                metrics = (metrics,)
            metrics = tuple(metrics)
            if not metrics or not all(isinstance(m, str) and m for m in metrics):
                raise ValueError(
                    f"metrics must be metric names such as ('loss', 'accuracy') or None, got {metrics!r}"
                )
        every = check_int("every", every, 1, hint="every counts epochs between two redraws.")
        if live is not None and not isinstance(live, bool):
            raise TypeError(
                f"live must be True, False or None (decide automatically), got {live!r}"
            )
        if not 0 < max_overhead <= 1:
            raise ValueError(f"max_overhead must be a fraction in (0, 1], got {max_overhead!r}")
        self.metrics = metrics
        self.every = every
        self.live = live
        self.max_overhead = float(max_overhead)
        self.title = title
        self.history: dict[str, list] = {}
        self.epoch: list[int] = []
        self.drawn_after: list[int] = []
        self.draw_seconds = 0.0
        self.train_seconds = 0.0
        self._live_now = False
        self._handle = None
        self._figure = None
        self._curve_keys = ()
        self._epoch_started = 0.0
        self._trained_since_draw = 0.0
        self._draw_cost = 0.0

    _clock = staticmethod(time.perf_counter)  # tests replace it with a fake clock

    # ------------------------------------------------------------------ Keras hooks
    def on_train_begin(self, logs=None):
        self.history = {}
        self.epoch = []
        self.drawn_after = []
        self.draw_seconds = 0.0
        self.train_seconds = 0.0
        self._live_now = live_plotting_enabled() if self.live is None else self.live
        if self._live_now:  # import before the first epoch so draw timings measure drawing only
            import cnnkit.plots.basics  # noqa: F401
        self._handle = None
        self._figure = None
        self._trained_since_draw = 0.0
        self._draw_cost = 0.0

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_started = self._clock()

    def on_epoch_end(self, epoch, logs=None):
        epoch_seconds = max(self._clock() - self._epoch_started, 0.0)
        self.train_seconds += epoch_seconds
        self._trained_since_draw += epoch_seconds
        self.epoch.append(epoch)
        for key, value in (logs or {}).items():
            self.history.setdefault(key, []).append(value)
        if not self._live_now or len(self.epoch) % self.every:
            return
        # The first two redraws always happen: the first one pays one-time costs (fonts,
        # figure set-up), so the second measures what a redraw really costs.
        affordable = self._draw_cost <= self.max_overhead * self._trained_since_draw
        if len(self.drawn_after) < 2 or affordable:
            self._redraw()

    def on_train_end(self, logs=None):
        if not self.epoch:
            return
        if self._live_now:
            if not self.drawn_after or self.drawn_after[-1] != len(self.epoch):
                self._redraw()
        elif _ipython_shell() is not None:  # headless kernel (nbval, CI): one final figure
            _display(self.figure())

    # ------------------------------------------------------------------ drawing
    def _redraw(self):
        started = self._clock()
        from cnnkit.plots.basics import curve_keys, update_training_curves

        if self._figure is None:
            self._figure = self.figure()
            self._curve_keys = curve_keys(self.history, self.metrics)  # the figure's panels
        else:  # reuse the figure: only the line data change, no new axes or layout pass
            update_training_curves(self._figure, self.history, self._curve_keys)
        self._handle = _display(self._figure, self._handle)
        self._draw_cost = self._clock() - started
        self.draw_seconds += self._draw_cost
        self.drawn_after.append(len(self.epoch))
        self._trained_since_draw = 0.0

    def figure(self):
        """The curves recorded so far as a matplotlib Figure (training and validation)."""
        if not self.epoch:
            raise RuntimeError(
                "LiveHistory has recorded no epoch yet: pass it to "
                "model.fit(..., callbacks=[live]) first"
            )
        from cnnkit.plots.basics import training_curves

        return training_curves(self.history, metrics=self.metrics, title=self.title)

    def summary(self) -> str:
        """One line: how often the live plot was redrawn and what drawing cost."""
        epochs = len(self.epoch)
        if not self._live_now:
            return f"{epochs} epochs recorded; no live front end, so one figure at the end"
        share = self.draw_seconds / self.train_seconds if self.train_seconds else 0.0
        return (
            f"redrawn after {len(self.drawn_after)} of {epochs} epochs; drawing took "
            f"{self.draw_seconds:.1f} s, {share:.1%} of the {self.train_seconds:.0f} s of training"
        )

    def __repr__(self) -> str:
        return (
            f"LiveHistory(metrics={self.metrics!r}, every={self.every}, "
            f"epochs recorded={len(self.epoch)})"
        )
