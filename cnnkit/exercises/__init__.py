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

import importlib
import pkgutil

from cnnkit.exercises.core import Problem, Result, seed  # noqa: F401


def chapters() -> list[str]:
    """Names of the chapter modules that have exercises, e.g. ['ch01', 'ch02']."""
    return sorted(
        module.name
        for module in pkgutil.iter_modules(__path__)
        if module.name.startswith("ch") and module.name[2:].isdigit()
    )


def __getattr__(name: str):
    if name.startswith("ch") and name[2:].isdigit():
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(
                f"There are no exercises for {name}; available: {', '.join(chapters())}"
            ) from None
        globals()[name] = module
        return module
    raise AttributeError(f"cnnkit.exercises has no attribute {name!r}")
