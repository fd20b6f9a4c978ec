"""Figures of network architectures (chapter 04), drawn with matplotlib from a model's layers or
from a compact spec, so they work everywhere (no Graphviz needed).

- :func:`block_diagram`: one box per block (``conv1``, ``block3``, ``inception_4a``,
  ``stage2_block1``...) with its layers, output shape and parameters, coloured by kind.
- :func:`architecture_figure`: ``keras.utils.plot_model`` when pydot and Graphviz are installed,
  otherwise :func:`block_diagram` (always a matplotlib Figure).
- :func:`inception_module_diagram`, :func:`residual_block_diagram`: one module / block, branch by
  branch, with the channel arithmetic.
- :func:`connection_table`: LeNet-5's C3 connection table (the paper's Table I).

Every function builds its figure with ``plt.subplots``, closes it and returns it.
"""

from __future__ import annotations

import importlib.util
import shutil
import tempfile
from pathlib import Path

import numpy as np

from cnnkit.plots.common import Drawn, pyplot

__all__ = [
    "KIND_COLOURS",
    "architecture_figure",
    "block_diagram",
    "block_kind",
    "connection_table",
    "graphviz_available",
    "inception_module_diagram",
    "residual_block_diagram",
]

#: Box colour of each kind of block.
KIND_COLOURS = {
    "input": "#eeeeee",
    "conv": "#9ecae1",
    "pool": "#fdd0a2",
    "dense": "#a1d99b",
    "inception": "#bcbddc",
    "residual": "#fcbba1",
    "norm": "#d9d9d9",
    "other": "#f7f7f7",
}


def block_kind(layers_text: str) -> str:
    """The kind of a block from its layer types ("Conv2D → BatchNormalization → ...")."""
    text = layers_text.lower()
    if "concatenate" in text:
        return "inception"
    if "add" in text.split(" → "):
        return "residual"
    if "inputlayer" in text:
        return "input"
    if "conv" in text:
        return "conv"
    if "pool" in text or "subsampling" in text:
        return "pool"
    if "dense" in text:
        return "dense"
    if "normalization" in text:
        return "norm"
    return "other"


def _short_types(layers_text: str) -> str:
    replacements = {
        "BatchNormalization": "BN",
        "Activation": "act",
        "MaxPooling2D": "maxpool",
        "AveragePooling2D": "avgpool",
        "GlobalAveragePooling2D": "GAP",
        "LocalResponseNormalization": "LRN",
        "DepthwiseConv2D": "dwconv",
        "ZeroPadding2D": "pad",
        "Concatenate": "concat",
        "PartialConv2D": "partial conv",
    }
    parts = [replacements.get(part, part) for part in layers_text.split(" → ")]
    text = "→".join(parts)
    return text if len(text) <= 28 else text[:26] + "…"


def _blocks_from(source) -> list[dict]:
    """Block rows (block, layers, output shape, parameters) from a model, a block summary
    DataFrame or a list of dicts / (name, layers, shape, parameters) tuples."""
    try:
        import keras

        if isinstance(source, keras.Model):
            from cnnkit.models.survey import block_summary

            source = block_summary(source)
    except ImportError:  # pragma: no cover - keras is a dependency
        pass
    if hasattr(source, "to_dict"):
        return source.to_dict("records")
    rows = []
    for item in source:
        if isinstance(item, dict):
            rows.append(item)
        else:
            name, layers_text, shape, parameters = item
            rows.append(
                {
                    "block": name,
                    "layers": layers_text,
                    "output shape": shape,
                    "parameters": parameters,
                }
            )
    if not rows:
        raise ValueError("block_diagram needs at least one block")
    return rows


def _shape_text(shape) -> str:
    if isinstance(shape, (tuple, list)):
        return "×".join(str(d) for d in shape)
    return str(shape)


def block_diagram(source, title: str | None = None, columns: int | None = None):
    """A block diagram: one box per block, left to right and row by row, joined by arrows.

    ``source``: a ``keras.Model`` (blocks found by :func:`cnnkit.models.survey.block_summary`
    from the builders' layer names), a block summary DataFrame, or a list of
    ``(name, layers, output shape, parameters)`` tuples. Each box shows the block's name, its
    layer types, its output shape and its parameters; its colour tells the kind
    (:data:`KIND_COLOURS`).
    """
    plt = pyplot()
    rows = _blocks_from(source)
    count = len(rows)
    columns = columns or min(count, 6 if count <= 24 else 8)
    lines = -(-count // columns)
    fig, ax = plt.subplots(figsize=(2.2 * columns, 1.35 * lines + (0.5 if title else 0.2)))
    width, height = 1.8, 0.95
    for index, row in enumerate(rows):
        line, column = divmod(index, columns)
        x, y = column * 2.2, -line * 1.35
        kind = block_kind(str(row.get("layers", "")))
        ax.add_patch(
            plt.Rectangle(
                (x, y),
                width,
                height,
                facecolor=KIND_COLOURS[kind],
                edgecolor="#444444",
                linewidth=0.8,
            )
        )
        parameters = row.get("parameters", 0)
        text = (
            f"{row['block']}\n{_short_types(str(row.get('layers', '')))}\n"
            f"{_shape_text(row.get('output shape', ''))}\n{int(parameters):,} params"
        )
        ax.text(x + width / 2, y + height / 2, text, ha="center", va="center", fontsize=6.5)
        if index + 1 < count:
            next_line, next_column = divmod(index + 1, columns)
            if next_line == line:
                ax.annotate(
                    "",
                    xy=(x + 2.2, y + height / 2),
                    xytext=(x + width, y + height / 2),
                    arrowprops={"arrowstyle": "->", "color": "#444444"},
                )
            else:
                ax.annotate(
                    "",
                    xy=(next_column * 2.2 + width / 2, y - 1.35 + height),
                    xytext=(x + width / 2, y),
                    arrowprops={"arrowstyle": "->", "color": "#999999", "linestyle": ":"},
                )
    ax.set_xlim(-0.2, columns * 2.2)
    ax.set_ylim(-(lines - 1) * 1.35 - 0.2, height + 0.2)
    ax.axis("off")
    handles = [
        plt.Rectangle((0, 0), 1, 1, facecolor=KIND_COLOURS[kind], edgecolor="#444444")
        for kind in KIND_COLOURS
    ]
    used = {block_kind(str(row.get("layers", ""))) for row in rows}
    legend = [(h, k) for h, k in zip(handles, KIND_COLOURS, strict=True) if k in used]
    if legend:
        ax.legend(
            [h for h, _ in legend],
            [k for _, k in legend],
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=len(legend),
            fontsize=7,
            frameon=False,
        )
    if title:
        ax.set_title(title)
    fig.tight_layout()
    plt.close(fig)
    return fig


def graphviz_available() -> bool:
    """True when ``keras.utils.plot_model`` can draw: pydot is importable and Graphviz's
    ``dot`` program is on the PATH."""
    return importlib.util.find_spec("pydot") is not None and shutil.which("dot") is not None


def architecture_figure(model, title: str | None = None, prefer_graphviz: bool = True):
    """The model's architecture as a Figure: ``keras.utils.plot_model`` (layer graph with shapes)
    when Graphviz is installed and ``prefer_graphviz``, else :func:`block_diagram`.

    Returns a :class:`~cnnkit.plots.common.Drawn` (shown as the figure in a notebook) whose
    ``values["method"]`` says which was used: "plot_model" or "block_diagram"."""
    if prefer_graphviz and graphviz_available():
        import keras

        plt = pyplot()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "model.png"
            try:
                keras.utils.plot_model(model, to_file=str(path), show_shapes=True, dpi=72)
                image = plt.imread(str(path))
            except (ImportError, OSError):  # pydot/Graphviz present but not working
                image = None
        if image is not None:
            height, width = image.shape[:2]
            fig, ax = plt.subplots(figsize=(min(14, width / 72), min(40, height / 72)))
            ax.imshow(image)
            ax.axis("off")
            if title:
                ax.set_title(title)
            plt.close(fig)
            return Drawn(fig, {"method": "plot_model"})
    return Drawn(block_diagram(model, title=title or model.name), {"method": "block_diagram"})


def _box(ax, x, y, text, colour, width=2.0, height=0.6):
    plt = pyplot()
    ax.add_patch(
        plt.Rectangle(
            (x - width / 2, y - height / 2),
            width,
            height,
            facecolor=colour,
            edgecolor="#444444",
            linewidth=0.8,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=7.5)


def _arrow(ax, start, end, colour="#444444", style="-"):
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={"arrowstyle": "->", "color": colour, "linestyle": style},
    )


def inception_module_diagram(
    filters=(64, 96, 128, 16, 32, 32), in_channels: int = 192, size: int = 28, title=None
):
    """One inception module, branch by branch, with weights (no biases) per convolution.

    ``filters``: (1×1, 3×3 reduce, 3×3, 5×5 reduce, 5×5, pool proj) as in GoogLeNet's Table 1
    (default: inception 3a on 28×28×192). The bottom box is the depth-wise concatenation:
    ``1×1 + 3×3 + 5×5 + pool proj`` channels.
    """
    f1, r3, f3, r5, f5, pp = (int(f) for f in filters)
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(11, 4.6))
    conv, pool, concat = KIND_COLOURS["conv"], KIND_COLOURS["pool"], KIND_COLOURS["inception"]
    _box(ax, 4.5, 4.0, f"input {size}×{size}×{in_channels}", KIND_COLOURS["input"], width=3.0)
    branches = [
        [(f"1×1 conv, {f1}\n{in_channels * f1:,} weights", conv)],
        [
            (f"1×1 conv, {r3} (reduce)\n{in_channels * r3:,} weights", conv),
            (f"3×3 conv, {f3}\n{9 * r3 * f3:,} weights", conv),
        ],
        [
            (f"1×1 conv, {r5} (reduce)\n{in_channels * r5:,} weights", conv),
            (f"5×5 conv, {f5}\n{25 * r5 * f5:,} weights", conv),
        ],
        [
            ("3×3 max pool, stride 1\n0 weights", pool),
            (f"1×1 conv, {pp} (pool proj)\n{in_channels * pp:,} weights", conv),
        ],
    ]
    xs = [0.9, 3.3, 5.7, 8.1]
    for x, branch in zip(xs, branches, strict=True):
        _arrow(ax, (4.5, 3.7), (x, 3.15))
        y = 2.85
        for index, (text, colour) in enumerate(branch):
            _box(ax, x, y, text, colour, width=2.2)
            if index + 1 < len(branch):
                _arrow(ax, (x, y - 0.3), (x, y - 0.85))
            y -= 1.15 if index + 1 < len(branch) else 0
        _arrow(ax, (x, (2.85 if len(branch) == 1 else 1.7) - 0.3), (4.5, 0.35))
    out = f1 + f3 + f5 + pp
    _box(
        ax,
        4.5,
        0.05,
        f"depth concat: {f1} + {f3} + {f5} + {pp} = {out} channels → {size}×{size}×{out}",
        concat,
        width=6.0,
    )
    ax.set_xlim(-0.5, 9.5)
    ax.set_ylim(-0.4, 4.4)
    ax.axis("off")
    ax.set_title(title or "inception module")
    fig.tight_layout()
    plt.close(fig)
    return fig


def residual_block_diagram(in_channels: int = 64, filters: int = 128, stride: int = 2, title=None):
    """A basic residual block ``y = ReLU(F(x) + shortcut(x))``: the main path (3×3 conv-BN-ReLU,
    3×3 conv-BN) on the left, the shortcut on the right: the identity when the shape is kept,
    otherwise a projection (1×1 conv with the stride, then BN)."""
    plt = pyplot()
    projection = stride != 1 or in_channels != filters
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    conv, norm = KIND_COLOURS["conv"], KIND_COLOURS["norm"]
    _box(ax, 2.5, 5.0, f"x: {in_channels} channels", KIND_COLOURS["input"], width=2.6)
    main = [
        (f"3×3 conv, {filters}, stride {stride}, no bias", conv),
        ("BN → ReLU", norm),
        (f"3×3 conv, {filters}, no bias", conv),
        ("BN", norm),
    ]
    y = 4.0
    _arrow(ax, (1.6, 4.7), (1.2, y + 0.3))
    for index, (text, colour) in enumerate(main):
        _box(ax, 1.2, y, text, colour, width=2.6)
        if index + 1 < len(main):
            _arrow(ax, (1.2, y - 0.3), (1.2, y - 0.55))
        y -= 0.85
    ax.text(-0.35, 2.7, "F(x)", fontsize=10, color="#555555", rotation=90, va="center")
    if projection:
        _box(
            ax, 4.1, 2.7, f"projection: 1×1 conv, {filters},\nstride {stride} → BN", conv, width=2.6
        )
        _arrow(ax, (3.4, 4.7), (4.1, 3.0))
        _arrow(ax, (4.1, 2.4), (2.9, 0.9))
        label = "projection shortcut"
    else:
        _arrow(ax, (3.4, 4.7), (2.9, 0.9), style="--")
        ax.text(3.6, 2.7, "identity\nshortcut", fontsize=9, color="#555555")
        label = "identity shortcut"
    _arrow(ax, (1.2, 1.15), (1.6, 0.9))  # last BN of F(x) -> add
    _box(ax, 2.5, 0.6, "add: F(x) + shortcut(x) → ReLU", KIND_COLOURS["residual"], width=3.4)
    ax.set_xlim(-0.5, 5.6)
    ax.set_ylim(0.1, 5.5)
    ax.axis("off")
    ax.set_title(title or f"residual block ({label})")
    fig.tight_layout()
    plt.close(fig)
    return fig


def connection_table(table=None, in_maps: int = 6, title: str | None = None):
    """LeNet-5's C3 connection table: which S2 maps (rows) each C3 map (columns) reads, an X
    per connection, as in the paper's Table I. Default: :data:`cnnkit.models.LENET_C3_TABLE`."""
    if table is None:
        from cnnkit.models.layers import LENET_C3_TABLE as table
    grid = np.zeros((in_maps, len(table)), dtype=int)
    for column, inputs in enumerate(table):
        for row in inputs:
            grid[row, column] = 1
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(0.45 * len(table) + 1.5, 0.45 * in_maps + 1.2))
    ax.imshow(grid, cmap="Blues", vmin=0, vmax=1.6)
    for row, column in zip(*np.nonzero(grid), strict=True):
        ax.text(column, row, "X", ha="center", va="center", fontsize=9)
    ax.set_xticks(range(len(table)))
    ax.set_yticks(range(in_maps))
    ax.set_xlabel("C3 feature map")
    ax.set_ylabel("S2 feature map")
    ax.set_title(title or f"C3 connection table: {int(grid.sum())} of {grid.size} pairs connected")
    fig.tight_layout()
    plt.close(fig)
    return fig
