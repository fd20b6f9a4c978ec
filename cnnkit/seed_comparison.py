"""Comparing training set-ups over several seeds: the one way a chapter says "A beats B".

A single run of each set-up cannot tell a real difference from the luck of the initial weights
and the batch order. :func:`compare_seeds` takes each arm's result for several seeds, prints a
table (mean, spread, every seed) and a verdict, and :meth:`SeedComparison.beats` is what a
chapter passes to ``ck.claim``.

The rule (stated once, used everywhere): **A beats B when A's worst seed is better than B's
best seed**, i.e. the two arms' ranges do not overlap. With no real difference, n seeds per arm
produce non-overlapping ranges in a given direction with probability 1 / C(2n, n) (one-sided):
5 % for 3 seeds each, 1.4 % for 4, 0.4 % for 5; the exact one-sided Mann-Whitney test at its
most extreme outcome. Otherwise the arms are "within noise" and the prose must say so.

With one seed per arm (quick mode) there is no spread to compare with: the verdict says so and
``beats`` is False, so a claim built on it must be ``full_only``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["ArmResult", "SeedComparison", "chance_of_separation", "compare_seeds"]

_MAX_ARMS = 20
_MAX_SEEDS = 1000


def chance_of_separation(seeds_a: int, seeds_b: int) -> float:
    """Probability that A's worst seed beats B's best by luck alone: 1 / C(n_a + n_b, n_a).

    Under no difference every ordering of the n_a + n_b results is equally likely, and exactly
    one of the C(n_a + n_b, n_a) ways to pick A's ranks puts all of A above all of B.
    """
    return 1.0 / math.comb(seeds_a + seeds_b, seeds_a)


@dataclass(frozen=True)
class ArmResult:
    """One arm's results over its seeds."""

    name: str
    values: tuple[float, ...]

    @property
    def mean(self) -> float:
        return float(np.mean(self.values))

    @property
    def spread(self) -> float:
        """Max minus min over the seeds (0 for one seed)."""
        return float(max(self.values) - min(self.values))

    @property
    def std(self) -> float:
        """Sample standard deviation over the seeds (0 for one seed)."""
        return float(np.std(self.values, ddof=1)) if len(self.values) > 1 else 0.0


@dataclass(frozen=True)
class SeedComparison:
    """The arms of one comparison, the metric, and which way is better."""

    arms: tuple[ArmResult, ...]
    metric: str
    higher_is_better: bool

    def arm(self, name: str) -> ArmResult:
        for arm in self.arms:
            if arm.name == name:
                return arm
        names = ", ".join(repr(a.name) for a in self.arms)
        raise ValueError(f"no arm named {name!r} in this comparison; its arms are {names}.")

    def _better(self, x: float, y: float) -> bool:
        return x > y if self.higher_is_better else x < y

    def gap(self, a: str, b: str) -> float:
        """Mean of ``a`` minus mean of ``b``, signed so that positive means ``a`` is better."""
        difference = self.arm(a).mean - self.arm(b).mean
        return difference if self.higher_is_better else -difference

    def beats(self, a: str, b: str) -> bool:
        """True when every seed of ``a`` is better than every seed of ``b`` (2+ seeds each)."""
        arm_a, arm_b = self.arm(a), self.arm(b)
        if len(arm_a.values) < 2 or len(arm_b.values) < 2:
            return False
        worst_a = min(arm_a.values) if self.higher_is_better else max(arm_a.values)
        best_b = max(arm_b.values) if self.higher_is_better else min(arm_b.values)
        return self._better(worst_a, best_b)

    def within_noise(self, a: str, b: str) -> bool:
        """True when neither arm beats the other by the rule of :meth:`beats`."""
        return not self.beats(a, b) and not self.beats(b, a)

    def best(self) -> ArmResult:
        """The arm with the best mean (a ranking, not a verdict: check :meth:`beats`)."""
        key = (lambda arm: arm.mean) if self.higher_is_better else (lambda arm: -arm.mean)
        return max(self.arms, key=key)

    def verdict(self, a: str, b: str) -> str:
        """One sentence: who beats whom and by how much, or that the gap is within noise."""
        arm_a, arm_b = self.arm(a), self.arm(b)
        seeds = min(len(arm_a.values), len(arm_b.values))
        if seeds < 2:
            return (
                f"{a} vs {b}: one seed per arm, so no verdict "
                f"(means {arm_a.mean:.4g} and {arm_b.mean:.4g}; full mode runs several seeds)."
            )
        for winner, loser in ((a, b), (b, a)):
            if self.beats(winner, loser):
                chance = chance_of_separation(
                    len(self.arm(winner).values), len(self.arm(loser).values)
                )
                return (
                    f"{winner} beats {loser} on {self.metric} by {abs(self.gap(a, b)):.4g} "
                    f"(every seed of {winner} is better than every seed of {loser}; "
                    f"chance of that with no real difference: {chance:.1%})."
                )
        return (
            f"{a} vs {b}: within noise on {self.metric} (gap {self.gap(a, b):+.4g}, "
            f"but the seeds' ranges overlap: {_range(arm_a)} vs {_range(arm_b)})."
        )

    def table(self) -> str:
        """A plain-text table: arm, seeds, mean, std, min, max."""
        width = max(len("arm"), *(len(arm.name) for arm in self.arms))
        lines = [f"{'arm':<{width}}  seeds  {'mean':>8}  {'std':>8}  {'min':>8}  {'max':>8}"]
        for arm in self.arms:
            lines.append(
                f"{arm.name:<{width}}  {len(arm.values):>5}  {arm.mean:>8.4f}  {arm.std:>8.4f}"
                f"  {min(arm.values):>8.4f}  {max(arm.values):>8.4f}"
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        direction = "higher" if self.higher_is_better else "lower"
        return f"{self.metric} over seeds ({direction} is better)\n{self.table()}"

    def _ipython_display_(self) -> None:
        print(self)


def _range(arm: ArmResult) -> str:
    return f"[{min(arm.values):.4g}, {max(arm.values):.4g}]"


def _as_values(name: str, values) -> tuple[float, ...]:
    if isinstance(values, (str, bytes)) or not isinstance(values, (Sequence, np.ndarray)):
        raise TypeError(
            f"arm {name!r} needs a list of one result per seed, got {type(values).__name__}; "
            "pass for example [0.871, 0.868, 0.874]."
        )
    if len(values) == 0:
        raise ValueError(f"arm {name!r} has no results; run at least one seed.")
    if len(values) > _MAX_SEEDS:
        raise ValueError(f"arm {name!r} has {len(values)} results; at most {_MAX_SEEDS} seeds.")
    converted = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
            raise TypeError(
                f"arm {name!r}: every result must be a number, got {type(value).__name__}."
            )
        if not math.isfinite(float(value)):
            raise ValueError(
                f"arm {name!r} has a result {value!r}; a run that diverged needs fixing, "
                "not averaging."
            )
        converted.append(float(value))
    return tuple(converted)


def compare_seeds(
    results: Mapping[str, Sequence[float]], *, metric: str, higher_is_better: bool = True
) -> SeedComparison:
    """Collect each arm's results over seeds into a :class:`SeedComparison`.

    ``results`` maps an arm's name to its metric for each seed (the same seeds for every arm, for
    a fair comparison), e.g. ``{"SGD": [0.861, 0.858, 0.866], "Adam": [0.872, 0.869, 0.875]}``.
    ``metric`` names what the numbers are ("validation accuracy"); set ``higher_is_better=False``
    for losses. Print the result (or let the notebook show it) for the table, then state the
    outcome with ``ck.claim(comparison.beats("Adam", "SGD"), ...)`` or say it is within noise.
    """
    if not isinstance(results, Mapping):
        raise TypeError(
            f"compare_seeds() needs a dict from arm name to results, got {type(results).__name__}."
        )
    if not 2 <= len(results) <= _MAX_ARMS:
        raise ValueError(f"compare_seeds() needs 2 to {_MAX_ARMS} arms, got {len(results)}.")
    if not isinstance(metric, str) or not metric.strip():
        raise TypeError("metric must be a non-empty string such as 'validation accuracy'.")
    if not isinstance(higher_is_better, bool):
        raise TypeError("higher_is_better must be True or False.")
    arms = []
    for name, values in results.items():
        if not isinstance(name, str) or not name.strip():
            raise TypeError(f"arm names must be non-empty strings, got {name!r}.")
        arms.append(ArmResult(name, _as_values(name, values)))
    return SeedComparison(tuple(arms), metric, higher_is_better)
