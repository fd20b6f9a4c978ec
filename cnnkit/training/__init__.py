"""Training helpers: live loss/accuracy curves (and, in later chapters, the GAN step, distribution strategy).

Cheap to import: nothing here imports TensorFlow or Keras until a name is used.
``ck.training.LiveHistory()`` loads :mod:`cnnkit.training.callbacks` on first access; a new
module ``cnnkit/training/foo.py`` is reachable as ``ck.training.foo`` without editing this file,
and its public names can be re-exported by adding them to ``_EXPORTS``.
"""

from __future__ import annotations

import importlib
import pkgutil

#: public name -> module (inside cnnkit.training) that defines it
_EXPORTS = {
    "LiveHistory": "callbacks",
    "live_plotting_enabled": "callbacks",
}


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(f"{__name__}.{_EXPORTS[name]}"), name)
    else:
        try:
            value = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"{__name__}.{name}":
                raise
            raise AttributeError(f"cnnkit.training has no module or attribute {name!r}") from None
    globals()[name] = value
    return value


def __dir__():
    modules = {module.name for module in pkgutil.iter_modules(__path__)}
    return sorted(set(globals()) | set(_EXPORTS) | modules)


__all__ = sorted(_EXPORTS)
