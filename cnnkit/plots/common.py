"""Helpers shared by the plot modules: an image grid and small argument checks.

Like every plot function of the course, :func:`image_grid` builds its figure with
``plt.subplots``, closes it (so a notebook does not show it twice) and returns it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from cnnkit.style import pyplot  # the one font set-up; re-exported for the plot modules


@dataclass(frozen=True, eq=False)
class Drawn:
    """A figure and the numbers it shows, returned together (never stuck on the Figure).

    ``drawn.figure`` is the matplotlib Figure, ``drawn.values`` what the figure computed (for
    example ``drawn.values["sum"]`` of a convolution step); ``figure, values = drawn`` unpacks it.
    As the last expression of a notebook cell (or in ``display(drawn)``) it shows as its figure.
    """

    figure: object
    values: Mapping[str, object]

    def __iter__(self):
        return iter((self.figure, self.values))

    def _repr_mimebundle_(self, include=None, exclude=None):
        """The figure's own output (the PNG and ``<Figure size ...>``), from IPython's formatter."""
        try:
            from IPython import get_ipython
        except ImportError:
            return None
        shell = get_ipython()
        if shell is None:
            return None
        return shell.display_formatter.format(self.figure, include=include, exclude=exclude)

    def __repr__(self) -> str:
        return f"Drawn({self.figure!r}, values: {', '.join(self.values)})"


def finish(fig, title=None):
    """Add ``title`` above the panels, tighten the layout and close ``fig`` (so a notebook shows it
    once, as the returned value) and return it."""
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    pyplot().close(fig)
    return fig


def as_images(images) -> np.ndarray:
    """(N, H, W) grey or (N, H, W, 1|3) colour images as an array; channel-1 images are squeezed."""
    array = np.asarray(images)
    if array.ndim == 4 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (3, 4) or (array.ndim == 4 and array.shape[-1] not in (3, 4)):
        raise ValueError(
            "images must have shape (N, height, width) or (N, height, width, channels) with 1, 3 "
            f"or 4 channels, got {np.shape(images)}"
        )
    return array


def class_name(index, class_names) -> str:
    """``class_names[index]`` when names are given, else the index as text."""
    index = int(index)
    if class_names is None:
        return str(index)
    if not 0 <= index < len(class_names):
        raise ValueError(f"label {index} has no entry in class_names (length {len(class_names)})")
    return str(class_names[index])


def image_grid(
    images,
    labels=None,
    class_names=None,
    predictions=None,
    *,
    columns: int = 8,
    max_images: int = 32,
    title: str | None = None,
    cmap: str = "gray_r",
):
    """A grid of images titled with their class names.

    ``predictions`` (class indices), when given, are written under the label as "pred: ...",
    red when wrong and green when right. At most ``max_images`` images are drawn; unused
    cells of the last row are hidden.
    """
    plt = pyplot()
    array = as_images(images)
    count = min(len(array), int(max_images))
    if count < 1:
        raise ValueError("image_grid needs at least one image")
    for name, values in (("labels", labels), ("predictions", predictions)):
        if values is not None and len(values) < count:
            raise ValueError(f"{name} has {len(values)} entries for {count} images")
    columns = max(1, min(int(columns), count))
    rows = math.ceil(count / columns)
    row_height = 1.3 + 0.15 * ((labels is not None) + (predictions is not None))
    fig, axes = plt.subplots(
        rows,
        columns,
        figsize=(1.25 * columns, row_height * rows + (0.3 if title else 0)),
        squeeze=False,
    )
    for index, ax in enumerate(axes.flat):
        ax.axis("off")
        if index >= count:
            ax.set_visible(False)
            continue
        ax.imshow(array[index], cmap=cmap if array.ndim == 3 else None)
        text, colour = "", "black"
        if labels is not None:
            text = class_name(labels[index], class_names)
        if predictions is not None:
            predicted = class_name(predictions[index], class_names)
            right = labels is None or int(predictions[index]) == int(labels[index])
            colour = "tab:green" if right else "tab:red"
            text = f"{text}\npred: {predicted}" if text else f"pred: {predicted}"
        if text:
            ax.set_title(text, fontsize=7, color=colour)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    plt.close(fig)
    return fig
