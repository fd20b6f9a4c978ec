"""Figures of chapter 02: convolution step by step, filters, feature maps, receptive fields.

Every function builds its figure with ``plt.subplots``, closes it and returns it, so a notebook
shows it once as the cell's last expression.

- :func:`convolution_step`: the sliding weighted sum (加权求和) at one kernel position: the
  (padded) input with the window highlighted, the kernel, the element-wise products and their
  sum, and the output grid with that cell being filled.
- :func:`transposed_convolution_step`: the transposed convolution (转置卷积) the other way round:
  one input value paints a scaled copy of the kernel into the output, S cells after the last.
- :func:`multichannel_step`: one filter spans every input channel; per-channel sums add up to
  one number of one feature map (特征图).
- :func:`image_grid`, :func:`feature_maps`, :func:`filter_grid`: grids of images, of a layer's
  feature maps and of a layer's kernels.
- :func:`hand_made_filters`: a photograph and its responses to hand-made filters (edges, blur,
  sharpen), zoomed on a detail so that each effect is visible.
- :func:`receptive_field_growth`: receptive field (感受野) after each layer of several stacks.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.patches import Rectangle

from cnnkit.plots.common import Drawn, pyplot
from cnnkit.scratch import conv_transpose2d_single, correlate2d_single
from cnnkit.style import label

#: Colours of the step figures.
WINDOW_COLOUR = "#d62728"
PADDING_COLOUR = "#e8e8e8"
DONE_COLOUR = "#c6dbef"


def _number(value: float) -> str:
    value = float(value)
    if value.is_integer():
        return f"{int(value)}"
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _draw_grid(ax, values, *, title="", fill=None, fontsize=None, text=None):
    """Draw ``values`` as a table of numbers; ``fill[i, j]`` is a colour or None; ``text`` overrides."""
    values = np.asarray(values)
    rows, cols = values.shape
    ax.set_xlim(-0.05, cols + 0.05)
    ax.set_ylim(rows + 0.05, -0.05)
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(False)
    size = fontsize or max(6, min(12, 80 / max(rows, cols)))
    for i in range(rows):
        for j in range(cols):
            colour = None if fill is None else fill[i][j]
            ax.add_patch(
                Rectangle(
                    (j, i), 1, 1, facecolor=colour or "white", edgecolor="#888888", linewidth=0.8
                )
            )
            content = _number(values[i, j]) if text is None else text[i][j]
            if content != "":
                ax.text(j + 0.5, i + 0.5, content, ha="center", va="center", fontsize=size)
    ax.set_title(title)


def _draw_output_so_far(ax, output, i, j, title):
    """Draw ``output`` while position (i, j) is being computed: the cells before it (row by row)
    shaded as done, the numbers of those cells and of (i, j) shown, (i, j) outlined."""
    rows, columns = output.shape[:2]
    fill = [[DONE_COLOUR if (r, c) < (i, j) else None for c in range(columns)] for r in range(rows)]
    text = [
        [_number(output[r, c]) if (r, c) <= (i, j) else "" for c in range(columns)]
        for r in range(rows)
    ]
    _draw_grid(ax, output, title=title, fill=fill, text=text)
    _outline(ax, i, j, 1, 1)


def _outline(ax, top, left, height, width, colour=WINDOW_COLOUR):
    ax.add_patch(
        Rectangle((left, top), width, height, fill=False, edgecolor=colour, linewidth=2.5, zorder=5)
    )


def convolution_step(grid, kernel, position=(0, 0), stride=1, padding=0):
    """The convolution at one output position ``(i, j)``, in four panels.

    1. the input (zero padding (填充) shaded) with the F×F window of ``position`` outlined;
    2. the kernel (卷积核);
    3. the element-wise products, and their sum in the title (the weighted sum);
    4. the output grid, cells before ``position`` filled, the current one outlined.

    ``stride`` and ``padding`` (an int P) follow W2 = floor((W1 - F + 2P)/S) + 1. The numbers
    come from :func:`cnnkit.scratch.correlate2d_single`, so the written sum is what Keras's
    ``Conv2D`` computes (cross-correlation, no kernel flip). Returns a
    :class:`~cnnkit.plots.common.Drawn`: the figure and the step's numbers in ``.values``
    (``sum``, ``products``, ``output``, ``position``); a notebook shows it as the figure.
    """
    grid = np.asarray(grid, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if not isinstance(padding, (int, np.integer)) or padding < 0:
        raise ValueError(
            f"padding must be an int P >= 0 (zeros on each side) for the step figure, got {padding!r}"
        )
    output, products = correlate2d_single(
        grid, kernel, stride=stride, padding=int(padding), return_products=True
    )
    i, j = (int(position[0]), int(position[1]))
    if not (0 <= i < output.shape[0] and 0 <= j < output.shape[1]):
        raise ValueError(
            f"position {position} is outside the {output.shape[0]}×{output.shape[1]} output; "
            f"use 0 <= i < {output.shape[0]} and 0 <= j < {output.shape[1]}"
        )
    p = int(padding)
    padded = np.pad(grid, p)
    f_h, f_w = kernel.shape
    top, left = i * stride, j * stride

    fig, axes = pyplot().subplots(
        1,
        4,
        figsize=(13, 3.8),
        gridspec_kw={"width_ratios": [padded.shape[1], f_w, f_w, output.shape[1]]},
    )
    fill = [
        [
            PADDING_COLOUR
            if (r < p or r >= p + grid.shape[0] or c < p or c >= p + grid.shape[1])
            else None
            for c in range(padded.shape[1])
        ]
        for r in range(padded.shape[0])
    ]
    size_note = f"{grid.shape[0]}×{grid.shape[1]}" + (f", P={p}" if p else "")
    _draw_grid(axes[0], padded, title=f"{label('input', '输入')} {size_note}", fill=fill)
    _outline(axes[0], top, left, f_h, f_w)

    _draw_grid(axes[1], kernel, title=f"{label('kernel', '卷积核')} {f_h}×{f_w}")

    step_products = products[i, j]
    value = float(step_products.sum())
    window = padded[top : top + f_h, left : left + f_w]
    text = [
        [f"{_number(window[r, c])}×{_number(kernel[r, c])}" for c in range(f_w)] for r in range(f_h)
    ]
    _draw_grid(
        axes[2],
        step_products,
        title=f"products, Σ = {_number(value)}",
        text=text,
        fontsize=max(6, min(10, 40 / max(f_h, f_w))),
    )

    title = f"{label('output', '输出')} {output.shape[0]}×{output.shape[1]}, S={stride}"
    _draw_output_so_far(axes[3], output, i, j, title)
    fig.suptitle(f"output[{i}, {j}] = sum of window × kernel = {_number(value)}", fontsize="medium")
    fig.tight_layout()
    pyplot().close(fig)
    step = {"sum": value, "products": step_products, "output": output, "position": (i, j)}
    return Drawn(fig, step)


def transposed_convolution_step(grid, kernel, position=(0, 0), stride=2, padding=0):
    """The transposed convolution at one input position ``(i, j)``, in four panels.

    1. the input with cell (i, j) outlined;
    2. the kernel;
    3. the painted copy grid[i, j] × kernel;
    4. the output before cropping, ((H-1)S + F) × ((W-1)S + F): the copies of the cells before
       (i, j) already added (filled), the current F×F window at (i·S, j·S) outlined, and the P
       cropped border cells shaded. Overlapping copies add up.

    The numbers come from :func:`cnnkit.scratch.conv_transpose2d_single`, which matches Keras's
    ``Conv2DTranspose`` (tests). Size: W2 = (W1 - 1)S - 2P + F (:func:`cnnkit.formulas.
    conv_transpose_output_size`).
    """
    grid = np.asarray(grid, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    _, full = conv_transpose2d_single(grid, kernel, stride=stride, padding=padding)
    i, j = (int(position[0]), int(position[1]))
    if not (0 <= i < grid.shape[0] and 0 <= j < grid.shape[1]):
        raise ValueError(
            f"position {position} is outside the {grid.shape[0]}×{grid.shape[1]} input; "
            f"use 0 <= i < {grid.shape[0]} and 0 <= j < {grid.shape[1]}"
        )
    f_h, f_w = kernel.shape
    # the output as it stands after painting every input cell up to and including (i, j)
    painted = np.zeros_like(full)
    covered = np.zeros(full.shape, dtype=bool)
    for r in range(grid.shape[0]):
        for c in range(grid.shape[1]):
            if (r, c) > (i, j):
                continue
            window = (slice(r * stride, r * stride + f_h), slice(c * stride, c * stride + f_w))
            painted[window] += grid[r, c] * kernel
            covered[window] = True
    p = int(padding)
    rows, cols = full.shape
    fill = [
        [
            PADDING_COLOUR
            if (r < p or r >= rows - p or c < p or c >= cols - p)
            else (DONE_COLOUR if covered[r, c] else None)
            for c in range(cols)
        ]
        for r in range(rows)
    ]
    text = [
        [_number(painted[r, c]) if covered[r, c] else "" for c in range(cols)] for r in range(rows)
    ]
    fig, axes = pyplot().subplots(
        1, 4, figsize=(13, 3.8), gridspec_kw={"width_ratios": [grid.shape[1], f_w, f_w, cols]}
    )
    _draw_grid(axes[0], grid, title=f"{label('input', '输入')} {grid.shape[0]}×{grid.shape[1]}")
    _outline(axes[0], i, j, 1, 1)
    _draw_grid(axes[1], kernel, title=f"{label('kernel', '卷积核')} {f_h}×{f_w}")
    _draw_grid(axes[2], grid[i, j] * kernel, title=f"{_number(grid[i, j])} × kernel")
    out_rows, out_cols = rows - 2 * p, cols - 2 * p
    crop_note = f", crop P={p} → {out_rows}×{out_cols}" if p else ""
    _draw_grid(
        axes[3],
        painted,
        title=f"{label('output', '输出')} {rows}×{cols}, S={stride}{crop_note}",
        fill=fill,
        text=text,
    )
    _outline(axes[3], i * stride, j * stride, f_h, f_w)
    fig.suptitle(
        f"input[{i}, {j}] = {_number(grid[i, j])} adds {_number(grid[i, j])} × kernel to the "
        f"output window at ({i}·{stride}, {j}·{stride}); overlaps add up",
        fontsize="medium",
    )
    fig.tight_layout()
    pyplot().close(fig)
    return fig


def multichannel_step(image, kernel, position=(0, 0), bias=0.0):
    """One filter over a C-channel input: C per-channel weighted sums, added, plus one bias.

    ``image`` is (H, W, C), ``kernel`` (F, F, C). Row c shows channel c with the window and the
    kernel slice c; the title gives the channel's sum. The suptitle adds them up: one number of
    one feature map, whatever C is. Returns a :class:`~cnnkit.plots.common.Drawn`:
    ``.values["sum"]`` holds the total (bias included), ``.values["channel_sums"]`` the sums.
    """
    image = np.asarray(image, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if image.ndim != 3 or kernel.ndim != 3 or image.shape[-1] != kernel.shape[-1]:
        raise ValueError(
            f"image must be (H, W, C) and kernel (F, F, C) with the same C; got {image.shape} and "
            f"{kernel.shape}. A filter spans all input channels."
        )
    channels = image.shape[-1]
    i, j = position
    f = kernel.shape[0]
    fig, axes = pyplot().subplots(channels, 2, figsize=(6, 2.4 * channels), squeeze=False)
    sums = []
    for c in range(channels):
        window = image[i : i + f, j : j + f, c]
        sums.append(float((window * kernel[:, :, c]).sum()))
        _draw_grid(axes[c, 0], image[:, :, c], title=f"channel {c}")
        _outline(axes[c, 0], i, j, f, f)
        _draw_grid(axes[c, 1], kernel[:, :, c], title=f"kernel slice {c}: Σ = {_number(sums[-1])}")
    total = sum(sums) + float(bias)
    terms = " + ".join(_number(s) for s in sums)
    fig.suptitle(
        f"one output number: {terms} + bias {_number(bias)} = {_number(total)}", fontsize="medium"
    )
    fig.tight_layout()
    pyplot().close(fig)
    return Drawn(fig, {"sum": total, "channel_sums": sums})


def image_grid(
    images, titles=None, *, ncols=None, cmap="gray", suptitle=None, size=2.2, symmetric=False
):
    """Show 2-D arrays side by side (photos, filtered photos, feature maps); returns the Figure.

    ``symmetric=True`` centres each colour scale on 0 (signed responses, kernels).
    """
    images = [np.asarray(image) for image in images]
    if not images:
        raise ValueError("image_grid needs at least one image")
    count = len(images)
    ncols = ncols or min(count, 6)
    nrows = math.ceil(count / ncols)
    fig, axes = pyplot().subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows + 0.4), squeeze=False
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= count:
            continue
        image = images[index]
        kwargs = {}
        if symmetric and image.ndim == 2:
            limit = float(np.abs(image).max()) or 1.0
            kwargs = {"vmin": -limit, "vmax": limit}
        ax.imshow(image, cmap=cmap if image.ndim == 2 else None, **kwargs)
        if titles is not None:
            ax.set_title(titles[index], fontsize="small")
    if suptitle:
        fig.suptitle(suptitle)
    fig.tight_layout()
    pyplot().close(fig)
    return fig


#: Chinese titles of the hand-made filters, found by the start of the English name.
FILTER_NAMES_ZH = {
    "original": "原图",
    "vertical edges": "竖直边缘",
    "horizontal edges": "水平边缘",
    "edge strength": "边缘强度",
    "blur": "模糊",
    "sharpen": "锐化",
}


def _filter_title(name: str) -> str:
    chinese = next((zh for en, zh in FILTER_NAMES_ZH.items() if name.startswith(en)), None)
    return label(name, chinese) if chinese else name


def hand_made_filters(photo, filters, responses, *, crop=None, panel_width=3.0):
    """The photograph and its response to each hand-made filter, on a zoomed detail.

    ``filters``: {name: kernel}; ``responses``: the filtered photos in the same order (what
    the chapter's fixed-weight ``Conv2D`` computed). A kernel whose weights sum to 0 detects
    edges: its response is shown as |response| scaled to its 99th percentile (white = strong
    edge, black = flat region). Other kernels (blur, sharpen) keep brightness: their response
    is shown as an image clipped to [0, 1]. When both a vertical and a horizontal edge filter
    are given, a last panel shows the edge strength sqrt(v² + h²). ``crop`` = (rows, columns)
    slices selects the detail; each panel has the detail's aspect ratio, so the figure has no
    empty space.
    """
    photo = np.asarray(photo, dtype=float)
    if photo.ndim != 2:
        raise ValueError(f"photo must be a 2-D grey image, got shape {photo.shape}")
    names = list(filters)
    responses = [np.asarray(r, dtype=float) for r in responses]
    if len(responses) != len(names) or any(r.shape != photo.shape for r in responses):
        raise ValueError(
            "responses must hold one filtered photo per filter, each of the photo's shape "
            f"{photo.shape}; got {[r.shape for r in responses]} for {len(names)} filters"
        )
    rows, cols = crop if crop is not None else (slice(None), slice(None))
    panels = [("original", np.clip(photo[rows, cols], 0, 1), "image")]
    edges = {}
    for name, response in zip(names, responses, strict=True):
        is_edge = abs(float(np.sum(filters[name]))) < 1e-6
        panels.append((name, response[rows, cols], "edges" if is_edge else "image"))
        if is_edge:
            edges[name.split(" ")[0]] = response[rows, cols]
    if {"vertical", "horizontal"} <= set(edges):
        strength = np.hypot(edges["vertical"], edges["horizontal"])
        panels.append(("edge strength √(v² + h²)", strength, "edges"))
    ncols = 3 if len(panels) > 4 else len(panels)
    nrows = math.ceil(len(panels) / ncols)
    height, width = panels[0][1].shape
    panel_height = panel_width * height / width
    fig, axes = pyplot().subplots(
        nrows, ncols, figsize=(panel_width * ncols, (panel_height + 0.35) * nrows), squeeze=False
    )
    for ax in axes.flat:
        ax.axis("off")
    for ax, (name, image, kind) in zip(axes.flat, panels, strict=False):
        if kind == "edges":
            image = np.abs(image)
            ax.imshow(image, cmap="gray", vmin=0, vmax=float(np.percentile(image, 99)) or 1.0)
        else:
            ax.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1)
        ax.set_title(_filter_title(name), fontsize="medium")
    fig.subplots_adjust(
        left=0.01,
        right=0.99,
        bottom=0.01,
        top=1 - 0.35 / (panel_height + 0.35) / nrows * 1.1,
        wspace=0.03,
        hspace=0.12,
    )
    pyplot().close(fig)
    return fig


def feature_maps(maps, *, max_maps=16, ncols=8, title=None):
    """The feature maps (特征图) of one image at one layer: ``maps`` is (H, W, K) (or (1, H, W, K)).

    Shows the first ``max_maps`` channels, each titled with its index.
    """
    maps = np.asarray(maps)
    if maps.ndim == 4:
        maps = maps[0]
    if maps.ndim != 3:
        raise ValueError(f"maps must be (H, W, K) or (1, H, W, K), got shape {maps.shape}")
    count = min(max_maps, maps.shape[-1])
    height, width = maps.shape[:2]
    default = f"{maps.shape[-1]} feature maps of {height}×{width} (first {count})"
    return image_grid(
        [maps[:, :, k] for k in range(count)],
        [f"map {k}" for k in range(count)],
        ncols=min(ncols, count),
        cmap="viridis",
        suptitle=title or default,
        size=1.6,
    )


def filter_grid(kernel, *, max_filters=32, ncols=8, title=None):
    """The kernels of a Conv2D layer (``layer.kernel``, shape (F, F, C_in, K)), one panel per filter.

    With C_in = 1 each panel is the F×F kernel (blue-white-red, 0 is white); with C_in = 3 the
    filter is shown as a colour image (min-max scaled); otherwise channel 0 is shown.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(
            f"kernel must be (F, F, C_in, K) like Conv2D.kernel, got shape {kernel.shape}"
        )
    f_h, f_w, c_in, k = kernel.shape
    count = min(max_filters, k)
    panels = []
    for index in range(count):
        weights = kernel[:, :, :, index]
        if c_in == 3:
            low, high = weights.min(), weights.max()
            panels.append((weights - low) / (high - low + 1e-12))
        else:
            panels.append(weights[:, :, 0])
    default = f"{k} learned filters of {f_h}×{f_w}×{c_in}" + (
        " (channel 0)" if c_in not in (1, 3) else ""
    )
    return image_grid(
        panels,
        [f"filter {index}" for index in range(count)],
        ncols=min(ncols, count),
        cmap="bwr",
        suptitle=title or default,
        size=1.3,
        symmetric=True,
    )


def receptive_field_growth(stacks):
    """Receptive field after each layer for several stacks: ``{name: [(k, s), ...]}``.

    One line per stack, via :func:`cnnkit.formulas.receptive_field_growth`
    (r_i = r_{i-1} + (k_i - 1) × J_i, J_i the product of earlier strides). The legend gives each
    stack's final receptive field.
    """
    from cnnkit import formulas

    if not isinstance(stacks, dict) or not stacks:
        raise TypeError("stacks must be a non-empty dict {name: [(kernel_size, stride), ...]}")
    fig, ax = pyplot().subplots(figsize=(6.5, 4))
    for name, layers in stacks.items():
        growth = [1, *formulas.receptive_field_growth(layers)]
        ax.plot(range(len(growth)), growth, marker="o", label=f"{name}: {growth[-1]}×{growth[-1]}")
    ax.set_xlabel("layers applied")
    ax.set_ylabel(label("receptive field (pixels)", "感受野"))
    ax.set_title("Receptive field growth through a stack")
    ax.legend()
    fig.tight_layout()
    pyplot().close(fig)
    return fig
