"""Every figure the notebooks draw, one module per topic; each function returns a matplotlib Figure.

Modules load on first use: ``ck.plots.basics.activation_functions()``.
"""

from __future__ import annotations

from cnnkit.lazy import lazy_package

__getattr__, __dir__ = lazy_package(__name__, __path__)
