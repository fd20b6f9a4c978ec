"""The one source of truth for the formula sheet: every formula, registered once.

Each formula function is decorated with :func:`formula`, which records a
:class:`Formula` entry in :data:`FORMULAS` (a dict keyed by ``Formula.key``, in
registration order, which follows the chapters). The printable formula sheet and
the practice problems read this registry; they compute each worked example by
calling ``entry.function(**entry.example)`` (or ``entry.evaluate()``), so the
numbers on the sheet can never drift from the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Formula:
    """One entry of the formula sheet.

    Attributes:
        key: stable identifier, the function's name (``"conv_output_size"``).
        title: English title (``"Convolution output size"``).
        chinese: Chinese title (``"卷积输出尺寸"``).
        text: the formula in plain text (``"W2 = floor((W1 - F + 2P)/S) + 1"``).
        function: the Python function that computes it.
        example: keyword arguments of a worked example for ``function``.
        chapter: the syllabus chapter that teaches it (``"02"``).
        legend: what the symbols in ``text`` mean.
    """

    key: str
    title: str
    chinese: str
    text: str
    function: Callable
    example: dict = field(default_factory=dict)
    chapter: str = ""
    legend: str = ""

    def evaluate(self):
        """Compute the worked example: ``function(**example)``."""
        return self.function(**self.example)


FORMULAS: dict[str, Formula] = {}


def formula(
    *,
    title: str,
    chinese: str,
    text: str,
    example: dict,
    chapter: str,
    legend: str = "",
    key: str | None = None,
):
    """Decorator that registers a formula function in :data:`FORMULAS` and returns it unchanged.

    The key defaults to the function's name; registering the same key twice is an error.
    """

    def register(function: Callable) -> Callable:
        entry_key = key or function.__name__
        if entry_key in FORMULAS:
            raise ValueError(f"formula {entry_key!r} is registered twice; keys must be unique.")
        FORMULAS[entry_key] = Formula(
            key=entry_key,
            title=title,
            chinese=chinese,
            text=text,
            function=function,
            example=dict(example),
            chapter=chapter,
            legend=legend,
        )
        return function

    return register


def sort_by_chapter() -> None:
    """Reorder :data:`FORMULAS` in place by chapter (stable: registration order within one)."""
    entries = sorted(FORMULAS.values(), key=lambda entry: entry.chapter)
    FORMULAS.clear()
    FORMULAS.update((entry.key, entry) for entry in entries)
