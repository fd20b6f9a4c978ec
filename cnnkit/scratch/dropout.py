"""Dropout (随机失活) with inverted scaling, as ``keras.layers.Dropout``.

Training: each unit is kept with probability 1 - rate and the kept ones are divided by
(1 - rate), so the expected value E[out] = x is unchanged: out = x * mask / (1 - rate).
Inference: the identity, out = x (no scaling needed at test time, thanks to the division above).
"""

from __future__ import annotations

import numpy as np

from cnnkit.scratch._checks import as_float_array
from cnnkit.validation import check_real


def dropout(x, rate: float, training: bool = False, rng=None, return_mask: bool = False):
    """Drop each element with probability ``rate`` and scale the rest by 1 / (1 - rate).

    ``rng`` is a ``numpy.random.Generator``, a seed, or None (fresh randomness).
    With ``return_mask=True`` returns ``(out, mask)``, mask True where the element was kept.
    """
    x = as_float_array(x, "x")
    rate = check_real(
        "rate", rate, 0, 1, include_boundaries="left", hint="rate is the fraction of units dropped."
    )
    if not training or rate == 0:
        mask = np.ones(x.shape, dtype=bool)
        out = x.copy()
    else:
        generator = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
        mask = generator.random(x.shape) >= rate
        out = np.where(mask, x / (1 - rate), 0).astype(x.dtype)
    return (out, mask) if return_mask else out
