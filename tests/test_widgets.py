"""The output-size calculator: static when headless, widgets when a front end is there."""

import re

import matplotlib

matplotlib.use("Agg")

import pytest
from matplotlib.figure import Figure

from cnnkit import formulas, widgets


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("CNNKIT_WIDGETS", raising=False)
    monkeypatch.delenv("CI", raising=False)
    return monkeypatch


def test_environment_switches(clean_env):
    clean_env.setenv("CNNKIT_WIDGETS", "0")
    assert widgets.widgets_available() is False
    clean_env.setenv("CNNKIT_WIDGETS", "1")
    assert widgets.widgets_available() is True
    clean_env.delenv("CNNKIT_WIDGETS")
    clean_env.setenv("CI", "true")
    assert widgets.widgets_available() is False


def test_no_kernel_means_static(clean_env):
    # pytest runs outside any IPython kernel: there is no front end to talk to.
    assert widgets.widgets_available() is False
    calculator = widgets.output_size_calculator(W=8, F=3, P=0, S=2)
    assert calculator.interactive is False and calculator.widget is None


class _FakeKernel:
    def __init__(self, metadata):
        self.metadata = metadata

    def get_parent(self, channel=None):
        return {"header": {}, "metadata": self.metadata}


class _FakeShell:
    def __init__(self, metadata):
        self.kernel = _FakeKernel(metadata)


@pytest.mark.parametrize("metadata, expected", [({}, False), ({"cellId": "abc"}, True)])
def test_headless_runner_versus_front_end(clean_env, metadata, expected):
    import IPython

    clean_env.setattr(IPython, "get_ipython", lambda: _FakeShell(metadata))
    assert widgets.widgets_available() is expected


def test_update_computes_the_formula_with_numbers_and_the_figure():
    calculator = widgets.OutputSizeCalculator(interactive=False)
    figure, text = calculator.update(W=32, F=5, P=0, S=1)
    assert isinstance(figure, Figure)
    assert text.splitlines()[0] == "W2 = (W1 - F + 2P)/S + 1 = (32 - 5 + 2×0)/1 + 1 = 27/1 + 1 = 28"
    assert calculator.step["output"].shape == (28, 28)


def test_update_explains_flooring_and_impossible_configurations():
    calculator = widgets.OutputSizeCalculator(interactive=False)
    figure, text = calculator.update(W=8, F=3, P=0, S=2)
    assert "floor(5/2) + 1 = 3" in text and "Keras floors" in text
    assert calculator.step["output"].shape == (3, 3)
    figure, text = calculator.update(W=3, F=7, P=1, S=1)
    assert figure is None and "impossible" in text and "larger than the padded input" in text


def test_update_agrees_with_the_formulas_everywhere():
    import warnings

    calculator = widgets.OutputSizeCalculator(interactive=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", formulas.OutputSizeRoundedWarning)
        for W in range(3, 10):
            for F in (1, 3, 5):
                for P in (0, 1, 2):
                    for S in (1, 2, 3):
                        if F > W + 2 * P:
                            continue
                        text = calculator.formula_text(W, F, P, S)  # what update() writes
                        expected = formulas.conv_output_size(W, F, stride=S, padding=P)
                        assert text.splitlines()[0].endswith(f"= {expected}")


def test_static_display_shows_formula_and_figure(monkeypatch):
    shown = []
    import IPython.display

    monkeypatch.setattr(IPython.display, "display", lambda *objects: shown.extend(objects))
    widgets.OutputSizeCalculator(8, 3, 0, 2, interactive=False)._ipython_display_()
    assert "floor(5/2) + 1 = 3" in shown[0].data and "static view" in shown[0].data
    assert isinstance(shown[1], Figure)


class _Handle:
    """Stands in for IPython's DisplayHandle: remembers what each update put there."""

    def __init__(self, shown):
        self.shown = [shown]

    def update(self, obj):
        self.shown.append(obj)


def _capture_display(monkeypatch):
    shown, handles = [], []
    import IPython.display

    def display(*objects, display_id=None):
        shown.extend(objects)
        if display_id:
            handles.append(_Handle(objects[0]))
            return handles[-1]

    monkeypatch.setattr(IPython.display, "display", display)
    return shown, handles


def test_interactive_path_builds_sliders_and_redraws_without_a_front_end(monkeypatch):
    pytest.importorskip("ipywidgets")
    shown, handles = _capture_display(monkeypatch)
    calculator = widgets.OutputSizeCalculator(7, 3, 0, 1, interactive=True)
    assert set(calculator.sliders) == {"W", "F", "P", "S"}
    assert calculator.widget is not None
    calculator._ipython_display_()
    row, formula, figure = shown
    assert formula.data.startswith("**W2 = ") and formula.data.split("**")[1].endswith("= 5")
    assert isinstance(figure, Figure) and calculator.step["output"].shape == (5, 5)
    calculator.sliders["S"].value = 2  # the observer recomputes and updates both outputs
    assert calculator.values == {"W": 7, "F": 3, "P": 0, "S": 2}
    assert calculator.text.splitlines()[0].endswith("= 3")
    text_handle, figure_handle = handles
    assert text_handle.shown[-1].data.split("**")[1].endswith("= 3")
    assert figure_handle.shown[-1] is calculator.figure and calculator.step["output"].shape == (
        3,
        3,
    )
    calculator.sliders["W"].value = 12
    assert figure_handle.shown[-1] is calculator.figure and calculator.step["output"].shape == (
        5,
        5,
    )
    calculator.sliders["F"].value = 7
    calculator.sliders["W"].value = 3  # kernel larger than the input: a note, not a figure
    assert "no figure for W=3, F=7, P=0, S=2" in figure_handle.shown[-1].data


def test_saved_notebook_keeps_formula_and_figure_and_a_readable_slider_row(monkeypatch):
    """Reopened without a kernel, a front end shows each output's saved data: the formula and
    the figure are ordinary outputs, and the slider row's plain text is a note, not
    ``HBox(children=(IntSlider(...`` (what ipywidgets writes)."""
    pytest.importorskip("ipywidgets")
    from IPython.core.formatters import DisplayFormatter

    shown, _ = _capture_display(monkeypatch)
    widgets.OutputSizeCalculator(8, 3, 0, 2, interactive=True)._ipython_display_()
    formatter = DisplayFormatter()
    saved = [formatter.format(obj)[0] for obj in shown]
    row, formula, figure = saved
    assert "application/vnd.jupyter.widget-view+json" in row
    assert (
        not row["text/plain"].startswith("HBox") and "formula and the figure" in row["text/plain"]
    )
    assert "floor(5/2) + 1 = 3" in formula["text/markdown"]
    assert isinstance(shown[2], Figure)  # a kernel's inline backend saves it as image/png


def _numbers_in(text: str) -> dict[str, int]:
    """W, F, P, S as written in a formula ('(11 - 4 + 2×0)/2') or on a figure ('W=11, F=4...')."""
    import re

    labelled = re.search(r"W=(\d+), F=(\d+), P=(\d+), S=(\d+)", text)
    if labelled is None:
        labelled = re.search(r"= \((\d+) - (\d+) \+ 2×(\d+)\)/(\d+) \+ 1", text)
    assert labelled is not None, f"no values in {text!r}"
    return dict(zip("WFPS", map(int, labelled.groups()), strict=True))


def test_after_save_and_reopen_every_saved_output_names_the_values_it_shows(monkeypatch):
    """The bug: the slider row's saved text said 'Shown below: W=8, F=3, P=0, S=2' above a
    figure for W=11, F=4. The row's saved text now names no values; the formula and the
    figure (its title) name theirs, and they agree after any slider moves."""
    pytest.importorskip("ipywidgets")
    from IPython.core.formatters import DisplayFormatter

    shown, handles = _capture_display(monkeypatch)
    calculator = widgets.OutputSizeCalculator(8, 3, 0, 2, interactive=True)
    calculator._ipython_display_()
    for key, value in (("W", 11), ("F", 4), ("S", 1), ("P", 1), ("S", 3)):
        calculator.sliders[key].value = value
    formatter = DisplayFormatter()
    row = formatter.format(shown[0])[0]["text/plain"]
    assert not re.search(r"\d", row), f"the saved slider row names values: {row!r}"
    text_handle, figure_handle = handles
    formula = formatter.format(text_handle.shown[-1])[0]["text/markdown"]
    figure = figure_handle.shown[-1]
    expected = {"W": 11, "F": 4, "P": 1, "S": 3}
    assert _numbers_in(formula) == expected
    assert _numbers_in(figure.get_suptitle()) == expected
    assert calculator.step["output"].shape == (4, 4)  # floor((11 - 4 + 2)/3) + 1


def test_fast_slider_moves_draw_one_figure_at_a_time_and_the_latest_wins(monkeypatch):
    """Slider changes arriving while a figure is drawn (a front end sends them as fast as the
    student moves) never draw two figures at once, and the last figure is for the last values."""
    pytest.importorskip("ipywidgets")
    import threading
    import time

    shown, handles = _capture_display(monkeypatch)
    calculator = widgets.OutputSizeCalculator(7, 3, 0, 1, interactive=True)
    calculator._ipython_display_()
    drawing, overlaps, drawn = [0], [], []
    original = calculator.update

    def slow_update(**values):
        drawing[0] += 1
        overlaps.append(drawing[0])
        time.sleep(0.05)  # a figure takes a while to draw: changes pile up meanwhile
        try:
            return original(**values)
        finally:
            drawn.append(dict(calculator.values))
            drawing[0] -= 1

    monkeypatch.setattr(calculator, "update", slow_update)
    sizes = list(range(3, 13))

    def move(size):
        calculator.sliders["W"].value = size

    threads = [threading.Thread(target=move, args=(size,)) for size in sizes]
    for thread in threads:
        thread.start()
        time.sleep(0.005)
    for thread in threads:
        thread.join()
    calculator._on_change()  # the front end's last message, after every move arrived
    assert max(overlaps) == 1, "two redraws ran at once"
    assert len(drawn) < len(sizes) + 1, "every intermediate value was drawn: nothing skipped"
    final = calculator.sliders["W"].value
    assert drawn[-1]["W"] == final
    _, figure_handle = handles
    assert _numbers_in(figure_handle.shown[-1].get_suptitle())["W"] == final
