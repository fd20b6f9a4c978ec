"""Exercises with instant feedback: ``from cnnkit.exercises import ch01``, then ``ch01.q1.check(answer)``.

Each chapter module (``ch01``, ``ch02`` ...) is the one source of truth of its problems: statement,
starter code, solution, hints, checks. The student and solution notebooks in ``exercises/`` are
generated from it (``python -m cnnkit.authoring exercises``).

Problems that would repeat a worked example of the chapter are *personal*: their numbers come
from the student's seed (``ck.exercises.seed()``; set it with ``ck.exercises.seed("your
student number")`` to get the same numbers on another machine). Checks, hints and solution
views are recorded in the student's progress (``ck.progress()``).
"""

from __future__ import annotations

import pkgutil

from cnnkit.exercises.core import Problem, Result, seed  # noqa: F401
from cnnkit.lazy import lazy_package


def chapters() -> list[str]:
    """Names of the chapter modules that have exercises, e.g. ['ch01', 'ch02']."""
    return sorted(
        module.name
        for module in pkgutil.iter_modules(__path__)
        if module.name.startswith("ch") and module.name[2:].isdigit()
    )


# ``ch01`` ... load on first use (``from cnnkit.exercises import ch02`` or ``exercises.ch02``).
__getattr__, __dir__ = lazy_package(__name__, __path__)
