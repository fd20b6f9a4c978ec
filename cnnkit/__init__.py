"""cnnkit: the helper package of a Keras course on deep learning and convolutional networks.

``import cnnkit as ck`` is cheap: submodules (and TensorFlow behind them) load on
first use, so a notebook pays only for what it touches.

Public entry points::

    ck.setup(seed=42)          # seed, quiet TensorFlow, print a one-line environment report
    ck.QUICK                   # True when CNNKIT_QUICK=1 (small data, few epochs)
    ck.datasets.load("fashion_mnist")
    ck.formulas.conv_output_size(32, 5)
    ck.explain(model)          # layer table with the arithmetic written out
    ck.models.lenet5()
    ck.claim(accuracy > 0.88, "the MLP reaches 88 % test accuracy")   # a measured result, checked
    ck.progress()              # exercises solved, hints, practice topics (kept in ~/.cnnkit)
"""

from __future__ import annotations

import importlib
import os

# TensorFlow reads this when it is first imported; setting it here (without
# overriding a user's choice) keeps its C++ start-up lines out of notebooks.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from cnnkit._version import __version__  # noqa: E402
from cnnkit.settings import QUICK, install_quiet_tensorflow_import, setup  # noqa: E402

install_quiet_tensorflow_import()

_SUBMODULES = {
    "authoring",
    "claims",
    "datasets",
    "exercises",
    "formulas",
    "models",
    "plots",
    "review",
    "scratch",
    "settings",
    "training",
    "widgets",
}

_LAZY_ATTRIBUTES = {
    "explain": ("cnnkit.layer_table", "explain"),
    "claim": ("cnnkit.claims", "claim"),
    "ClaimError": ("cnnkit.claims", "ClaimError"),
    "show_code": ("cnnkit.show_code", "show_code"),
    "progress": ("cnnkit.progress", "progress"),
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        module = importlib.import_module(f"cnnkit.{name}")
        globals()[name] = module
        return module
    if name in _LAZY_ATTRIBUTES:
        module_name, attribute = _LAZY_ATTRIBUTES[name]
        value = getattr(importlib.import_module(module_name), attribute)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'cnnkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | _SUBMODULES | set(_LAZY_ATTRIBUTES))


__all__ = [
    "QUICK",
    "setup",
    "explain",
    "claim",
    "ClaimError",
    "show_code",
    "progress",
    "__version__",
    *sorted(_SUBMODULES),
]
