"""Claims: the one way a chapter states a measured result.

A chapter never writes "momentum reaches a lower loss" in prose alone: the cell that measures it
calls ``ck.claim(loss_momentum < loss_sgd, "momentum reaches a lower loss than plain SGD")``.
When the condition holds the cell prints ``Claim holds: <statement>``; when it does not, the
cell fails, so a page whose output contradicts its text can never be committed.
"""

from __future__ import annotations

import numbers

import numpy as np

from cnnkit.quick_mode import quick_mode
from cnnkit.validation import check_bool

__all__ = ["ClaimError", "ClaimResult", "claim"]


class ClaimError(AssertionError):
    """A result the chapter states was not reproduced by this run."""


class ClaimResult:
    """What :func:`claim` returns: true when the claim held; shows nothing as a cell's last line.

    (A plain ``True`` would print ``True`` under every cell that ends with a claim.)
    """

    def __init__(self, holds: bool, statement: str):
        self.holds = holds
        self.statement = statement

    def __bool__(self) -> bool:
        return self.holds

    def __repr__(self) -> str:
        return f"ClaimResult(holds={self.holds}, statement={self.statement!r})"

    def _ipython_display_(self) -> None:
        pass  # the printed "Claim holds: ..." line is the whole output


def _as_truth_value(condition) -> bool:
    """A plain bool from a Python/NumPy boolean or a one-element array; TypeError otherwise."""
    if isinstance(condition, (bool, np.bool_)):
        return bool(condition)
    if isinstance(condition, np.ndarray) and condition.size == 1 and condition.dtype == bool:
        return bool(condition.reshape(()))
    if hasattr(condition, "numpy") and callable(condition.numpy):  # TensorFlow, PyTorch tensors
        return _as_truth_value(np.asarray(condition.numpy()))
    if hasattr(condition, "__array__") and not isinstance(condition, np.ndarray):  # JAX arrays
        return _as_truth_value(np.asarray(condition))
    if isinstance(condition, numbers.Number):
        raise TypeError(
            f"claim() needs a comparison that is True or False, got the number {condition!r}; "
            "write the comparison out, for example `accuracy > 0.85`."
        )
    raise TypeError(
        f"claim() needs a single True/False condition, got {type(condition).__name__}; "
        "reduce arrays first, for example `(losses[1:] < losses[:-1]).all()`."
    )


def claim(condition, statement: str, *, full_only: bool = False) -> ClaimResult:
    """State a measured result and check it: print ``Claim holds: <statement>`` or fail.

    Parameters
    ----------
    condition : bool
        The measurement, already compared (``test_accuracy > 0.88``).
    statement : str
        What the chapter's prose says, in words a student reads in the output.
    full_only : bool
        The result needs full data or epochs. In quick mode a false condition then prints
        ``Claim checked in full mode: <statement>`` and the notebook goes on. Quick mode is
        ``ck.QUICK`` (``CNNKIT_QUICK``), read at this call.

    Returns a :class:`ClaimResult`, true when the claim holds. Raises :class:`ClaimError` when it does not (after printing
    ``Claim FAILS: <statement>`` in quick mode), except for ``full_only`` claims in quick mode.
    """
    if not isinstance(statement, str) or not statement.strip():
        raise TypeError(
            "claim() needs the statement as a non-empty string, the sentence it proves."
        )
    check_bool("full_only", full_only)
    statement = " ".join(statement.split())
    holds = _as_truth_value(condition)
    if holds:
        print(f"Claim holds: {statement}")
        return ClaimResult(True, statement)
    if quick_mode():
        if full_only:
            print(f"Claim checked in full mode: {statement}")
            return ClaimResult(False, statement)
        print(f"Claim FAILS: {statement}")
    raise ClaimError(f"this run does not support the claim: {statement}")
