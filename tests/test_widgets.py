"""The output-size calculator: static when headless, widgets when a front end is there."""

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
    assert "no figure" in figure_handle.shown[-1].data


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
    assert not row["text/plain"].startswith("HBox") and "W=8, F=3, P=0, S=2" in row["text/plain"]
    assert "floor(5/2) + 1 = 3" in formula["text/markdown"]
    assert isinstance(shown[2], Figure)  # a kernel's inline backend saves it as image/png
