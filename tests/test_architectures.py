"""cnnkit.plots.architectures: closed Figures whose boxes and texts match the model."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from cnnkit.plots import architectures  # noqa: E402

keras = pytest.importorskip("keras")


def assert_closed_figure(fig):
    assert isinstance(fig, Figure)
    assert not plt.fignum_exists(fig.number), "plot functions must plt.close(fig) before returning"


def texts(fig):
    return [t.get_text() for ax in fig.get_axes() for t in ax.texts]


def boxes(fig):
    ax = fig.get_axes()[0]
    return [p for p in ax.patches if isinstance(p, Rectangle)]


def test_block_diagram_of_a_model_has_one_box_per_block():
    from cnnkit import models

    model = models.resnet_small(stages=(1, 1))
    fig = architectures.block_diagram(model, title="small")
    assert_closed_figure(fig)
    blocks = models.survey.block_summary(model)
    assert len(boxes(fig)) == len(blocks)
    written = "\n".join(texts(fig))
    assert "stage2_block1" in written
    assert f"{int(blocks.set_index('block').loc['predictions', 'parameters']):,} params" in written
    assert fig.get_axes()[0].get_title() == "small"


def test_block_diagram_from_a_spec_and_kinds():
    spec = [
        ("input", "InputLayer", (32, 32, 1), 0),
        ("C1", "Conv2D", (28, 28, 6), 156),
        ("S2", "Subsampling", (14, 14, 6), 12),
        ("out", "Dense", (10,), 850),
    ]
    fig = architectures.block_diagram(spec)
    assert_closed_figure(fig)
    colours = [tuple(p.get_facecolor()) for p in boxes(fig)]
    assert len(set(colours)) == 4
    assert architectures.block_kind("Conv2D → Concatenate") == "inception"
    assert architectures.block_kind("Conv2D → BatchNormalization → Add → Activation") == "residual"
    with pytest.raises(ValueError):
        architectures.block_diagram([])


def test_architecture_figure_falls_back_without_graphviz(monkeypatch):
    from cnnkit import models

    monkeypatch.setattr(architectures, "graphviz_available", lambda: False)
    fig, values = architectures.architecture_figure(models.lenet5())
    assert_closed_figure(fig)
    assert values == {"method": "block_diagram"}
    assert fig.get_axes()[0].get_title() == "lenet5"


def test_inception_module_diagram_writes_the_concatenation():
    fig = architectures.inception_module_diagram((64, 96, 128, 16, 32, 32), in_channels=192)
    assert_closed_figure(fig)
    written = "\n".join(texts(fig))
    assert "64 + 128 + 32 + 32 = 256" in written
    assert f"{25 * 16 * 32:,} weights" in written  # the 5x5 conv after its 1x1 reduction


@pytest.mark.parametrize(
    ("stride", "channels", "expected"), [(2, 64, "projection"), (1, 128, "identity")]
)
def test_residual_block_diagram_picks_the_shortcut(stride, channels, expected):
    fig = architectures.residual_block_diagram(in_channels=channels, filters=128, stride=stride)
    assert_closed_figure(fig)
    assert expected in fig.get_axes()[0].get_title()


def test_connection_table_marks_sixty_connections():
    fig = architectures.connection_table()
    assert_closed_figure(fig)
    assert texts(fig).count("X") == 60
    assert "60 of 96" in fig.get_axes()[0].get_title()
