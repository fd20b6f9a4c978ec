"""How many examples a hypothesis test of a Keras comparison tries.

``examples(n)`` is ``n``, or ``CNNKIT_HYPOTHESIS_EXAMPLES`` when that is set and smaller: the JAX
and PyTorch passes in CI (benchmarks/backend_tests.py --subset ci) set it, because on JAX every
new random shape is a new XLA compile (the formula tests took about 400 s with the full numbers).
TensorFlow's `make test` leaves it unset and tries every example.
"""

from __future__ import annotations

import os


def examples(n: int) -> int:
    """``min(n, CNNKIT_HYPOTHESIS_EXAMPLES)``; ``n`` when the variable is unset or empty."""
    cap = os.environ.get("CNNKIT_HYPOTHESIS_EXAMPLES", "").strip()
    if not cap:
        return n
    if not cap.isdigit() or int(cap) < 1:
        raise ValueError(
            f"CNNKIT_HYPOTHESIS_EXAMPLES={cap!r}: give a positive whole number, or unset it"
        )
    return min(n, int(cap))
