"""Training helpers: live loss/accuracy curves (and, in later chapters, the GAN step, distribution strategy).

Cheap to import: nothing here imports TensorFlow or Keras until a name is used.
``ck.training.LiveHistory()`` loads :mod:`cnnkit.training.callbacks` on first access; a new
module ``cnnkit/training/foo.py`` is reachable as ``ck.training.foo`` without editing this file,
and its public names can be re-exported by adding them to ``_EXPORTS``.
"""

from __future__ import annotations

from cnnkit.lazy import lazy_package

#: public name -> module (inside cnnkit.training) that defines it
_EXPORTS = {
    "LiveHistory": "callbacks",
    "live_plotting_enabled": "callbacks",
}


__getattr__, __dir__ = lazy_package(__name__, __path__, exports=_EXPORTS)

__all__ = sorted(_EXPORTS)
