"""The one lazy-loading mechanism of the kit: a package loads a module on its first use.

``import cnnkit`` must stay cheap (no TensorFlow), so the package root and the subpackages whose
modules import Keras or matplotlib (``plots``, ``training``, ``exercises``) import none of them
up front. Their ``__init__`` says::

    __getattr__, __dir__ = lazy_package(__name__, __path__, exports={"LiveHistory": "callbacks"})

and ``package.callbacks`` (any module of the package) or ``package.LiveHistory`` (a name listed
in ``exports``, found in that module of the package) is imported on first access and then
cached. ``dynamic`` names are computed at every access and never cached (``ck.QUICK`` reads
``CNNKIT_QUICK`` each time).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Callable, Iterable


def lazy_package(
    package: str,
    path: Iterable[str],
    exports: dict[str, str] | None = None,
    dynamic: dict[str, Callable[[], object]] | None = None,
) -> tuple[Callable, Callable]:
    """``(__getattr__, __dir__)`` for the package named ``package`` whose ``__path__`` is ``path``.

    ``exports`` maps a public name to the module (inside the package) that defines it;
    ``dynamic`` maps a public name to a function called at every access.
    """
    exports = dict(exports or {})
    dynamic = dict(dynamic or {})

    def modules() -> list[str]:
        return sorted(module.name for module in pkgutil.iter_modules(path))

    def __getattr__(name: str):  # noqa: N807  (the module-level hook Python looks for)
        if name in dynamic:
            return dynamic[name]()
        if name in exports:
            value = getattr(importlib.import_module(f"{package}.{exports[name]}"), name)
        else:
            try:
                value = importlib.import_module(f"{package}.{name}")
            except ModuleNotFoundError as error:
                if error.name != f"{package}.{name}":
                    raise  # the module exists but one of its own imports is missing
                public = [module for module in modules() if not module.startswith("_")]
                raise AttributeError(
                    f"{package} has no module or attribute {name!r}; "
                    f"its modules: {', '.join(public)}"
                ) from None
        vars(sys.modules[package])[name] = value  # cached: the next access skips this hook
        return value

    def __dir__():  # noqa: N807
        return sorted(
            set(vars(sys.modules[package])) | set(exports) | set(dynamic) | set(modules())
        )

    return __getattr__, __dir__
