"""Show the Keras code a chapter teaches, exactly as the package runs it.

The course's rule for chapter code (docs/DEVELOPING.md): the package is the one source of each
model, training step and remedy a chapter teaches, and the chapter displays that source with
``ck.show_code(...)`` right before it runs it. What the student reads is what runs; nothing is
copied, so nothing can drift. To experiment, a student copies the shown code into a new cell.
"""

from __future__ import annotations

import inspect
import textwrap
from pathlib import Path

__all__ = ["show_code", "source_of"]

_PACKAGE_ROOT = Path(__file__).resolve().parent
#: Longest source shown (characters). The kit's largest class is about 8,500; a page of 20,000
#: is already more than a chapter cell should hold.
MAX_SOURCE = 20_000


def source_of(obj) -> tuple[str, str]:
    """(``cnnkit/...`` file name, source text) of a function, class or method of the package
    (or of a notebook cell). Another library's code (``keras.Model``) and sources longer than
    ``MAX_SOURCE`` characters are refused with a ValueError that says what to do instead."""
    target = inspect.unwrap(obj)
    if isinstance(target, property):
        target = target.fget
    if not (inspect.isfunction(target) or inspect.isclass(target) or inspect.ismethod(target)):
        raise TypeError(
            f"show_code() shows functions and classes, got {type(obj).__name__}; "
            "pass the builder itself, for example ck.show_code(ck.models.lenet5)."
        )
    try:
        source = inspect.getsource(target)
        file_name = Path(inspect.getsourcefile(target)).resolve()
    except (OSError, TypeError) as error:
        raise ValueError(f"the source of {target.__qualname__} is not available: {error}") from None
    name = getattr(target, "__qualname__", type(target).__name__)[:60]
    module = str(getattr(target, "__module__", "") or "")
    try:
        shown_name = "cnnkit/" + file_name.relative_to(_PACKAGE_ROOT).as_posix()
    except ValueError:  # code defined outside the package: only a notebook cell's is shown
        if module != "__main__":
            raise ValueError(
                f"show_code() shows the kit's code (and your own cells'), not {module[:40]}'s "
                f"{name}; read another library's code in its documentation or with help({name})."
            ) from None
        shown_name = "<notebook>"
    if len(source) > MAX_SOURCE:
        raise ValueError(
            f"the source of {name} has {len(source):,} characters, more than show_code() shows "
            f"({MAX_SOURCE:,}); show its smaller parts (methods, helper functions) one at a time."
        )
    return shown_name, textwrap.dedent(source).rstrip() + "\n"


class ShownMarkdown(str):
    """The Markdown text :func:`show_code` displayed. As the last expression of a cell it shows
    nothing more (IPython would otherwise repeat it as a quoted string under the code)."""

    def _ipython_display_(self):
        pass


def show_code(*objects, title: str | None = None):
    """Display the source of each object as highlighted Python (printed outside IPython).

    Only the package-relative file name is shown (``cnnkit/models/lenet.py``), never a path of
    the machine. Returns the Markdown text it displayed (a :class:`ShownMarkdown`, which a
    notebook does not display a second time).
    """
    if not objects:
        raise TypeError("show_code() needs at least one function or class to show.")
    parts = [f"**{title}**\n"] if title else []
    for obj in objects:
        shown_name, source = source_of(obj)
        parts.append(f"`{shown_name}`\n\n```python\n{source}```\n")
    markdown = ShownMarkdown("\n".join(parts))
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython ships with every notebook environment
        print(markdown)
        return markdown
    if get_ipython() is None:
        print(markdown)
    else:
        display(Markdown(markdown))
    return markdown
