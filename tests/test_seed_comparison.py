"""ck.compare_seeds: a verdict only when the gap clears the seeds' spread."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnkit.seed_comparison import chance_of_separation, compare_seeds
from tests.hypothesis_budget import examples


def test_separated_arms_give_a_verdict_with_its_chance():
    comparison = compare_seeds(
        {"Adam": [0.872, 0.869, 0.875], "SGD": [0.861, 0.858, 0.866]}, metric="val accuracy"
    )
    assert comparison.beats("Adam", "SGD") and not comparison.beats("SGD", "Adam")
    assert math.isclose(comparison.gap("Adam", "SGD"), 0.872 - 0.8616666, abs_tol=1e-6)
    verdict = comparison.verdict("SGD", "Adam")
    assert verdict.startswith("Adam beats SGD") and "5.0%" in verdict
    assert comparison.best().name == "Adam"


def test_overlapping_arms_are_within_noise_even_with_a_mean_gap():
    # Means differ by 0.017 (like issue 25's transfer learning 0.907 vs 0.890), ranges overlap.
    comparison = compare_seeds(
        {"fine-tuned": [0.931, 0.898, 0.892], "frozen": [0.890, 0.884, 0.896]},
        metric="test accuracy",
    )
    assert comparison.gap("fine-tuned", "frozen") > 0.01
    assert comparison.within_noise("fine-tuned", "frozen")
    assert "within noise" in comparison.verdict("fine-tuned", "frozen")


def test_losses_compare_lower_is_better():
    comparison = compare_seeds(
        {"momentum": [0.31, 0.30, 0.33], "plain": [0.41, 0.39, 0.40]},
        metric="validation loss",
        higher_is_better=False,
    )
    assert comparison.beats("momentum", "plain")
    assert comparison.gap("momentum", "plain") > 0
    assert comparison.best().name == "momentum"


def test_one_seed_gives_no_verdict():
    comparison = compare_seeds({"a": [0.9], "b": [0.1]}, metric="accuracy")
    assert not comparison.beats("a", "b") and comparison.within_noise("a", "b")
    assert "one seed per arm, so no verdict" in comparison.verdict("a", "b")


def test_table_shows_every_arm():
    text = str(compare_seeds({"a": [1, 2, 3], "bb": [4, 5]}, metric="m"))
    assert "higher is better" in text
    lines = text.splitlines()
    assert lines[2].split() == ["a", "3", "2.0000", "1.0000", "1.0000", "3.0000"]
    assert lines[3].split()[:3] == ["bb", "2", "4.5000"]


def test_chance_of_separation_matches_enumeration():
    from itertools import combinations

    for n_a, n_b in [(2, 2), (3, 3), (3, 4), (4, 4)]:
        orders = list(combinations(range(n_a + n_b), n_a))
        top = [c for c in orders if min(c) >= n_b]  # A holds every top rank
        assert math.isclose(chance_of_separation(n_a, n_b), len(top) / len(orders))


@given(
    st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=6),
    st.lists(st.floats(-1e6, 1e6), min_size=2, max_size=6),
)
@settings(max_examples=examples(200), deadline=None, database=None)
def test_beats_means_no_overlap_and_is_antisymmetric(a, b):
    comparison = compare_seeds({"A": a, "B": b}, metric="m")
    assert comparison.beats("A", "B") == (min(a) > max(b))
    assert not (comparison.beats("A", "B") and comparison.beats("B", "A"))
    if comparison.beats("A", "B"):
        assert comparison.gap("A", "B") > 0


@pytest.mark.parametrize(
    ("results", "error", "words"),
    [
        ({"a": [1.0]}, ValueError, "2 to 20 arms"),
        ([0.1, 0.2], TypeError, "dict"),
        ({"a": "0.9", "b": [1.0]}, TypeError, "one result per seed"),
        ({"a": [], "b": [1.0]}, ValueError, "no results"),
        ({"a": [float("nan")], "b": [1.0]}, ValueError, "diverged"),
        ({"a": [True], "b": [1.0]}, TypeError, "number"),
        ({"a": np.zeros(2000), "b": [1.0]}, ValueError, "at most"),
    ],
)
def test_bad_input_is_explained(results, error, words):
    with pytest.raises(error, match=words):
        compare_seeds(results, metric="accuracy")


def test_unknown_arm_names_the_arms():
    comparison = compare_seeds({"a": [1, 2], "b": [3, 4]}, metric="m")
    with pytest.raises(ValueError, match="'a', 'b'"):
        comparison.beats("a", "c")
