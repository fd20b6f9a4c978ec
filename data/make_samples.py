"""Regenerate the Fashion-MNIST sample shipped in cnnkit/data/ from the full dataset.

Stratified: 500 training and 100 test images per class, drawn with a fixed seed, so quick mode
sees every class equally. Prints the SHA-256 to record in cnnkit/datasets/catalog.py and
data/README.md.

    python data/make_samples.py
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

TRAIN_PER_CLASS = 500
TEST_PER_CLASS = 100
SEED = 20261123
OUTPUT = Path(__file__).resolve().parents[1] / "cnnkit" / "data" / "fashion_mnist_sample.npz"


def stratified_indices(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    chosen = [rng.choice(np.flatnonzero(labels == k), per_class, replace=False) for k in range(10)]
    return rng.permutation(np.concatenate(chosen))


def main() -> None:
    from cnnkit.datasets import fashion_mnist

    (x_train, y_train), (x_test, y_test) = fashion_mnist()
    rng = np.random.default_rng(SEED)
    train = stratified_indices(y_train, TRAIN_PER_CLASS, rng)
    test = stratified_indices(y_test, TEST_PER_CLASS, rng)
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        OUTPUT,
        x_train=x_train[train],
        y_train=y_train[train],
        x_test=x_test[test],
        y_test=y_test[test],
        train_indices=train.astype("int32"),
        test_indices=test.astype("int32"),
    )
    digest = hashlib.sha256(OUTPUT.read_bytes()).hexdigest()
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size / 1e6:.2f} MB), sha256 {digest}")


if __name__ == "__main__":
    main()
