"""Lazy subpackages: ``cnnkit.plots`` and ``cnnkit.training`` load a module on its first use.

``import cnnkit`` must stay cheap (no TensorFlow), so a subpackage whose modules import Keras or
matplotlib imports none of them up front. Its ``__init__`` says::

    __getattr__, __dir__ = lazy_package(__name__, __path__, exports={"LiveHistory": "callbacks"})

and ``package.callbacks`` (any module of the package) or ``package.LiveHistory`` (a name listed
in ``exports``, module inside the package) is imported on first access and then cached.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterable


def lazy_package(
    package: str, path: Iterable[str], exports: dict[str, str] | None = None
) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for the package named ``package`` whose ``__path__`` is ``path``."""
    exports = dict(exports or {})

    def __getattr__(name: str):  # noqa: N807  (the module-level hook Python looks for)
        if name in exports:
            value = getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        else:
            try:
                value = importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{package}.{name}":
                    raise  # the module exists but one of its own imports is missing
                raise AttributeError(f"{package} has no module or attribute {name!r}") from None
        vars(sys.modules[package])[name] = value  # cached: the next access skips this hook
        return value

    def __dir__():  # noqa: N807
        modules = {module.name for module in pkgutil.iter_modules(path)}
        return sorted(set(vars(sys.modules[package])) | set(exports) | modules)

    return __getattr__, __dir__
