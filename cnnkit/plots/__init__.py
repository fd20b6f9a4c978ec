"""Every figure the notebooks draw, one module per topic; each function returns a matplotlib Figure.

Modules load on first use: ``ck.plots.basics.activation_functions()``.
"""

from __future__ import annotations

import importlib
import pkgutil


def __getattr__(name: str):
    try:
        module = importlib.import_module(f"{__name__}.{name}")
    except ModuleNotFoundError as error:
        if error.name != f"{__name__}.{name}":
            raise
        raise AttributeError(f"cnnkit.plots has no module or attribute {name!r}") from None
    globals()[name] = module
    return module


def __dir__():
    return sorted(module.name for module in pkgutil.iter_modules(__path__))
