"""The course's data rule, checked on the code: nothing that chooses ever sees the test set.

Validation data is carved from the training data (``ck.datasets.train_validation_split``);
early stopping, schedules, checkpoints and searches watch ``validation_data``. This test reads
every chapter source and every module of ``cnnkit/`` with ``ast`` and reports each place where
test data reaches a choice: a ``validation_data=`` argument built from a name that mentions
"test", or a validation variable (a name with "val") assigned from one.

``KNOWN_VIOLATIONS`` lists the places issue 25 found and that the chapters' rewrite removes; the
test fails when a new one appears and when a listed one is gone (so the list only shrinks).
"""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from cnnkit.datasets.splits import train_validation_split

ROOT = Path(__file__).resolve().parents[1]

# (file, line's code, what reaches the choice). Remove an entry when its chapter is fixed.
KNOWN_VIOLATIONS = {
    ("notebooks/src/04_classic_cnns.py", "validation_data", "x_small_test, y_test"),
    ("notebooks/src/04_classic_cnns.py", "validation_data", "x_test, y_test"),
}


def _test_names(node: ast.AST) -> list[str]:
    return sorted(
        {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and "test" in n.id.lower()}
    )


def _is_validation_name(target: ast.AST) -> bool:
    names = [n.id for n in ast.walk(target) if isinstance(n, ast.Name)]
    return any(name.lower().startswith(("x_val", "y_val", "val_", "validation")) for name in names)


def violations_in(source: str, path: str) -> set[tuple[str, str, str]]:
    """Every place in ``source`` where a name mentioning "test" feeds validation data."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.keyword) and node.arg == "validation_data":
            names = _test_names(node.value)
            if names:
                found.add((path, "validation_data", ", ".join(names)))
        if isinstance(node, ast.Assign) and any(_is_validation_name(t) for t in node.targets):
            names = _test_names(node.value)
            if names:
                targets = sorted(
                    {n.id for t in node.targets for n in ast.walk(t) if isinstance(n, ast.Name)}
                )
                found.add((path, ", ".join(targets), ", ".join(names)))
    return found


def test_the_scan_catches_test_data_at_a_choice():
    caught = violations_in(
        "model.fit(x, y, validation_data=(x_test, y_test))\nx_val = x_test[:100]\n", "f.py"
    )
    assert caught == {("f.py", "validation_data", "x_test, y_test"), ("f.py", "x_val", "x_test")}
    clean = (
        "(xt, yt), (x_val, y_val) = split(x_train, y_train)\nm.fit(validation_data=(x_val, y_val))"
    )
    assert violations_in(clean, "g.py") == set()


def test_no_test_data_reaches_a_choice_in_chapters_or_the_kit():
    files = sorted((ROOT / "notebooks" / "src").glob("*.py")) + sorted(
        (ROOT / "cnnkit").rglob("*.py")
    )
    found = set()
    for file in files:
        relative = file.relative_to(ROOT).as_posix()
        found |= violations_in(file.read_text(encoding="utf-8"), relative)
    new = found - KNOWN_VIOLATIONS
    fixed = KNOWN_VIOLATIONS - found
    assert not new, f"test data reaches a choice (carve validation from training data): {new}"
    assert not fixed, f"fixed, remove from KNOWN_VIOLATIONS: {fixed}"


def test_split_is_stratified_disjoint_and_reproducible():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 10, size=1003)
    x = np.arange(1003)[:, None] * np.ones((1, 4), dtype=int)
    (x_train, y_train), (x_val, y_val) = train_validation_split(x, y, validation=0.2, seed=7)
    assert len(x_val) == round(0.2 * 1003) and len(x_train) + len(x_val) == 1003
    assert set(x_train[:, 0]).isdisjoint(x_val[:, 0])
    assert sorted(np.concatenate([x_train[:, 0], x_val[:, 0]])) == list(range(1003))
    np.testing.assert_array_equal(y_val, y[x_val[:, 0]])  # labels travel with their images
    for label in range(10):
        share = (y == label).mean()
        assert abs((y_val == label).sum() - share * len(y_val)) < 1  # each class keeps its share
    again = train_validation_split(x, y, validation=0.2, seed=7)
    np.testing.assert_array_equal(again[1][0], x_val)
    other = train_validation_split(x, y, validation=0.2, seed=8)
    assert not np.array_equal(other[1][0], x_val)
    assert len(train_validation_split(x, y, validation=250)[1][0]) == 250


@pytest.mark.parametrize(
    ("validation", "error"),
    [(0, ValueError), (1003, ValueError), (1.5, ValueError), ("0.1", TypeError), (True, TypeError)],
)
def test_split_refuses_bad_sizes(validation, error):
    with pytest.raises(error, match="validation"):
        train_validation_split(np.zeros((1003, 2)), np.zeros(1003), validation=validation)


def test_split_refuses_mismatched_arrays():
    with pytest.raises(ValueError, match="same length"):
        train_validation_split(np.zeros((10, 2)), np.zeros(9), validation=2)
