"""Data that needs no network: the Fashion-MNIST sample shipped in the package, scikit-learn's digits and photos."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnnkit.datasets import catalog
from cnnkit.datasets.sources import file_sha256

PACKAGE_DATA_DIR = Path(__file__).resolve().parents[1] / "data"


def fashion_mnist_sample():
    """The shipped stratified sample: 5,000 training (500 per class) and 1,000 test images (100 per class)."""
    spec = catalog.FASHION_MNIST_SAMPLE_FILE
    path = PACKAGE_DATA_DIR / spec.name
    if not path.is_file():
        raise FileNotFoundError(
            f"The shipped sample {path} is missing; reinstall cnnkit or run "
            "`python data/make_samples.py` in the repository."
        )
    if file_sha256(path) not in spec.sha256:
        raise ValueError(
            f"The shipped sample {path} is corrupted (checksum mismatch); reinstall cnnkit or "
            "regenerate it with `python data/make_samples.py`."
        )
    with np.load(path, allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def digits(test_fraction: float = 0.2, seed: int = 0):
    """scikit-learn's 1,797 handwritten digits (8×8, values 0..16 as uint8), split stratified into train/test."""
    if not 0 < test_fraction < 1:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction!r}.")
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    bunch = load_digits()
    images = bunch.images.astype("uint8")
    labels = bunch.target.astype("uint8")
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=test_fraction, random_state=seed, stratify=labels
    )
    return (x_train, y_train), (x_test, y_test)


def photo_names() -> tuple[str, ...]:
    return ("china", "flower")


def photo(name: str = "china", grayscale: bool = False) -> np.ndarray:
    """One of scikit-learn's two sample photographs (427×640×3 uint8): 'china' or 'flower'."""
    if name not in photo_names():
        raise ValueError(f"Unknown photo {name!r}; choose one of {photo_names()}.")
    from sklearn.datasets import load_sample_image

    image = load_sample_image(f"{name}.jpg")
    if grayscale:
        weights = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 luma
        return (image @ weights).round().astype("uint8")
    return image
