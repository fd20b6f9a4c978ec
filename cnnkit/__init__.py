"""cnnkit: the helper package of a Keras course on deep learning and convolutional networks.

``import cnnkit as ck`` is cheap and changes no global state (no environment variable, logger,
import hook or file descriptor): submodules (and TensorFlow behind them) load on first use
(:mod:`cnnkit.lazy`), and ``ck.setup()`` is where TensorFlow's logs are quieted.

Public entry points::

    ck.setup(seed=42)          # seed, quiet TensorFlow's logs, print a one-line environment report
    ck.QUICK                   # True when CNNKIT_QUICK=1 (small data, few epochs); read at each use
    ck.datasets.load("fashion_mnist")
    ck.formulas.conv_output_size(32, 5)
    ck.explain(model)          # layer table with the arithmetic written out
    ck.models.lenet5()
    ck.claim(accuracy > 0.88, "the MLP reaches 88 % test accuracy")   # a measured result, checked
    ck.compare_seeds({"Adam": [...], "SGD": [...]}, metric="val accuracy")   # A beats B only beyond the seeds' spread
    ck.progress()              # exercises solved, hints, practice topics (kept in ~/.cnnkit)
"""

from __future__ import annotations

from cnnkit._version import __version__
from cnnkit.lazy import lazy_package
from cnnkit.quick_mode import quick_mode

#: public name -> module (inside cnnkit) that defines it
_EXPORTS = {
    "setup": "settings",
    "explain": "layer_table",
    "claim": "claims",
    "ClaimError": "claims",
    "show_code": "show_code",
    "progress": "progress",
    "compare_seeds": "seed_comparison",
}

__getattr__, __dir__ = lazy_package(
    __name__, __path__, exports=_EXPORTS, dynamic={"QUICK": quick_mode}
)

__all__ = [
    "QUICK",
    "__version__",
    *_EXPORTS,
    "authoring",
    "datasets",
    "exercises",
    "formulas",
    "models",
    "plots",
    "review",
    "scratch",
    "training",
    "widgets",
]
