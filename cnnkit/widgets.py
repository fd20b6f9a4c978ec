"""Interactive helpers for the notebooks, with a static fallback wherever no widget front end runs.

:func:`output_size_calculator` shows sliders for the input size W, kernel size F, padding P and
stride S; every change redraws the convolution step figure and the formula
W2 = (W1 - F + 2P)/S + 1 with the numbers filled in (from :mod:`cnnkit.formulas`). The formula
and the figure are ordinary cell outputs beside the slider row (updated in place), so a saved
notebook reopened without a kernel still shows them; the slider row then shows a one-line note.

Headless runs (nbval, nbclient, papermill, a plain Python script, CI) cannot show widgets: there
the calculator displays the same figure and formula once, as ordinary outputs that a committed
notebook keeps. :func:`widgets_available` decides, in this order:

1. ``CNNKIT_WIDGETS=0`` (or false/no/off) -> static; ``CNNKIT_WIDGETS=1`` -> interactive;
2. ``CI`` set -> static;
3. ipywidgets not importable, or not inside an IPython kernel -> static;
4. Google Colab -> interactive;
5. the running cell's request carries no ``cellId`` metadata -> static: JupyterLab, Notebook 7
   and VS Code send it, headless runners (nbclient, nbval, papermill) do not.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings

import numpy as np

_FALSE = {"0", "false", "no", "off"}
_TRUE = {"1", "true", "yes", "on"}


def _kernel_request_metadata():
    """Metadata of the execute request being run, or None outside an IPython kernel."""
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    kernel = getattr(shell, "kernel", None)
    if kernel is None:
        return None
    if not hasattr(kernel, "get_parent"):  # public since ipykernel 6; older kernels: headless
        return None
    try:
        parent = kernel.get_parent("shell")
    except Exception:  # an unusual kernel: treat as headless rather than fail
        return None
    return (parent or {}).get("metadata") or {}


def widgets_available() -> bool:
    """True when interactive widgets can be shown here (see the module docstring for the rules)."""
    setting = os.environ.get("CNNKIT_WIDGETS", "").strip().lower()
    if setting in _FALSE:
        return False
    if setting in _TRUE:
        return True
    if os.environ.get("CI", "").strip().lower() not in ("", *_FALSE):
        return False
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        return False
    metadata = _kernel_request_metadata()
    if metadata is None:
        return False
    if "google.colab" in sys.modules:
        return True
    return "cellId" in metadata


def _demo_grid(size: int) -> np.ndarray:
    """A small deterministic input grid of digits 0-3 (easy to multiply by hand)."""
    rows, cols = np.indices((size, size))
    return (rows * 2 + cols * 3) % 4


def _demo_kernel(size: int) -> np.ndarray:
    """An F×F vertical-edge kernel: 1 in the first column, -1 in the last (F = 1: [[1]])."""
    kernel = np.zeros((size, size), dtype=int)
    kernel[:, 0] = 1
    if size > 1:
        kernel[:, -1] = -1
    return kernel


class OutputSizeCalculator:
    """Output-size calculator for one convolution: W, F, P, S -> W2, the formula and the step figure.

    ``update(W, F, P, S)`` returns ``(figure_or_None, formula_text)`` and is what the sliders call
    (``.step`` keeps the numbers of the drawn step: ``sum``, ``products``, ``output``);
    tests and headless runs call it directly. Display the object (last expression of a cell) to
    get the sliders, or the static figure plus formula where widgets cannot run.
    """

    def __init__(self, W=7, F=3, P=0, S=1, *, interactive=None, max_size=12):
        self.values = {"W": int(W), "F": int(F), "P": int(P), "S": int(S)}
        self.max_size = int(max_size)
        self.interactive = widgets_available() if interactive is None else bool(interactive)
        self.widget = None
        self.sliders = {}
        self._handles = None  # display handles of the formula and figure outputs (interactive)
        # One redraw at a time, the latest values win: a slider moved while a figure is being
        # drawn only marks a redraw as pending (the one running then draws again, once, with the
        # sliders' values at that moment), so two drawings never interleave into one figure.
        self._redraw_lock = threading.Lock()
        self._drawing = False
        self._pending = False
        if self.interactive:
            self._build_widgets()

    # --- the computation, shared by both paths --------------------------------------------------

    @staticmethod
    def formula_text(W, F, P, S) -> str:
        """The formula with numbers: 'W2 = (7 - 3 + 2×0)/1 + 1 = 5' plus Keras's flooring note."""
        from cnnkit import formulas

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", formulas.OutputSizeRoundedWarning)
                w2 = formulas.conv_output_size(W, F, stride=S, padding=P)
            explanation = formulas.output_size_explanation(W, F, stride=S, padding=P)
        except ValueError as error:
            return f"W = {W}, F = {F}, P = {P}, S = {S}: impossible. {error}"
        numerator = W - F + 2 * P
        line = f"W2 = (W1 - F + 2P)/S + 1 = ({W} - {F} + 2×{P})/{S} + 1"
        if numerator % S == 0:
            return f"{line} = {numerator}/{S} + 1 = {w2}\nNothing is rounded: {numerator} divides by {S}."
        return f"{line} = floor({numerator}/{S}) + 1 = {w2}\n{explanation}"

    def update(self, W=None, F=None, P=None, S=None):
        """Recompute for new values (None keeps the current one); returns (figure or None, text)."""
        for key, value in zip("WFPS", (W, F, P, S), strict=True):
            if value is not None:
                self.values[key] = int(value)
        W, F, P, S = (self.values[key] for key in "WFPS")
        text = self.formula_text(W, F, P, S)
        figure, step = None, None
        if F <= W + 2 * P:
            from cnnkit.plots.convolution import convolution_step

            figure, step = convolution_step(
                _demo_grid(W), _demo_kernel(F), position=(0, 0), stride=S, padding=P
            )
            # the figure carries its own numbers: saved and reopened, it says what it shows
            figure.suptitle(f"{values_label(W, F, P, S)}: {_suptitle(figure)}", fontsize="medium")
        self.figure, self.step, self.text = figure, step, text
        return figure, text

    # --- interactive path -----------------------------------------------------------------------

    def _build_widgets(self):
        import ipywidgets as widgets

        limits = {"W": (3, self.max_size), "F": (1, 7), "P": (0, 3), "S": (1, 4)}
        descriptions = {
            "W": "W1 input",
            "F": "F kernel",
            "P": "P padding",
            "S": "S stride",
        }
        for key, (low, high) in limits.items():
            self.sliders[key] = widgets.IntSlider(
                value=self.values[key],
                min=low,
                max=high,
                description=descriptions[key],
                continuous_update=False,
                style={"description_width": "initial"},
            )
        for slider in self.sliders.values():
            slider.observe(self._on_change, names="value")
        self.widget = widgets.HBox(list(self.sliders.values()))
        self._handles = None
        self.update(**{key: slider.value for key, slider in self.sliders.items()})

    def _on_change(self, _change=None):
        """A slider moved: redraw, unless a redraw is running (it then draws the latest once more)."""
        with self._redraw_lock:
            self._pending = True
            if self._drawing:
                return
            self._drawing = True
        try:
            while True:
                with self._redraw_lock:
                    if not self._pending:
                        self._drawing = False
                        return
                    self._pending = False
                self._redraw()
        except BaseException:
            with self._redraw_lock:
                self._drawing = False
            raise

    def _redraw(self):
        """Recompute from the sliders and update the formula and figure outputs in place."""
        figure, text = self.update(**{key: slider.value for key, slider in self.sliders.items()})
        if self._handles is not None:
            text_handle, figure_handle = self._handles
            figure_handle.update(_figure_output(figure, self.values))
            text_handle.update(_formula_output(text))

    # --- display ----------------------------------------------------------------------------------

    def _ipython_display_(self):
        """Interactive: the sliders, then the formula and the figure as ordinary outputs.

        The formula and figure are ordinary outputs (updated in place through their display
        ids when a slider moves), not children of the widget: a saved notebook keeps them, so
        reopened without a kernel it still shows the last formula and figure, and the slider
        row falls back to a one-line note instead of ``HBox(children=...)``.
        """
        from IPython.display import Markdown, display

        if self.interactive and self.widget is not None:
            figure, text = self.update()
            display(_SavedWidget(self.widget, self.values))
            self._handles = (
                display(_formula_output(text), display_id=True),
                display(_figure_output(figure, self.values), display_id=True),
            )
            return
        figure, text = self.update()
        display(
            Markdown(
                _as_markdown(text)
                + "\n\n*(static view: no widget front end here; in JupyterLab or Colab the "
                "sliders for W, F, P, S appear. `CNNKIT_WIDGETS=1` forces them.)*"
            )
        )
        if figure is not None:
            display(figure)

    def __repr__(self):
        W, F, P, S = (self.values[key] for key in "WFPS")
        return self.formula_text(W, F, P, S)


class _SavedWidget:
    """The slider row, with a readable plain-text fallback for a notebook saved without its
    widget state (instead of ipywidgets' ``HBox(children=(IntSlider(...), ...))``)."""

    def __init__(self, widget, values):
        self.widget = widget
        self.values = values

    def _repr_mimebundle_(self, **kwargs):
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        # No numbers here: this text is saved once, when the row is displayed, and is never
        # updated when a slider moves; the formula and the figure below name their own values.
        data["text/plain"] = (
            "[sliders for W, F, P, S; run the cell to move them. The formula and the figure "
            "below show the values last chosen]"
        )
        return bundle


def values_label(W, F, P, S) -> str:
    """'W=8, F=3, P=0, S=2': the values a figure was drawn for, written on the figure."""
    return f"W={W}, F={F}, P={P}, S={S}"


def _formula_output(text):
    from IPython.display import Markdown

    return Markdown(_as_markdown(text))


def _suptitle(figure) -> str:
    """The figure's overall title (``Figure.get_suptitle`` from matplotlib 3.8 on)."""
    if hasattr(figure, "get_suptitle"):
        return figure.get_suptitle()
    title = getattr(figure, "_suptitle", None)
    return title.get_text() if title is not None else ""


def _figure_output(figure, values):
    from IPython.display import Markdown

    if figure is None:
        return Markdown(
            f"*(no figure for {values_label(*(values[key] for key in 'WFPS'))}: the kernel does "
            "not fit in the padded input)*"
        )
    return figure


def _as_markdown(text: str) -> str:
    first, _, rest = text.partition("\n")
    return f"**{first}**" + (f"\n\n{rest}" if rest else "")


def output_size_calculator(W=7, F=3, P=0, S=1, *, interactive=None) -> OutputSizeCalculator:
    """Sliders for W, F, P, S redrawing the step figure and W2 = (W1 - F + 2P)/S + 1 with numbers.

    Make it the last expression of a cell. Where no widget front end runs (nbval, nbclient,
    ``CNNKIT_WIDGETS=0``, ``CI``) it shows the static figure and the formula for the given values.
    ``interactive=True/False`` overrides the detection.
    """
    return OutputSizeCalculator(W, F, P, S, interactive=interactive)
