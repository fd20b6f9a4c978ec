"""Dataset loaders that return what ``keras.datasets`` returns, and work offline.

``load("fashion_mnist")`` gives ((x_train, y_train), (x_test, y_test)) as uint8 arrays, found in
``CNNKIT_DATA_DIR``/``data/``, the Keras cache, Debian's ``dataset-fashion-mnist``, or downloaded
(``CNNKIT_DATA_MIRROR`` first when set). ``load("fashion_mnist", sample=True)`` uses the small
sample shipped inside the package and needs nothing else.
"""

from __future__ import annotations

import difflib
import json

import numpy as np

from cnnkit.datasets import catalog
from cnnkit.datasets.bundled import digits, fashion_mnist_sample, photo, photo_names
from cnnkit.datasets.formats import read_cifar10_archive, read_idx
from cnnkit.datasets.sources import (
    CorruptedFileWarning,
    DatasetNotFoundError,
    UnreadableFileWarning,
    data_dir,
    fetch,
    keras_cache_dir,
)
from cnnkit.datasets.splits import train_validation_split
from cnnkit.datasets.toy import moons, spirals
from cnnkit.datasets.transfer import DownloadTooLargeError, DownloadTooSlowError

FASHION_MNIST_CLASS_NAMES = catalog.FASHION_MNIST_CLASS_NAMES
CIFAR10_CLASS_NAMES = catalog.CIFAR10_CLASS_NAMES


def fashion_mnist(*, sample: bool = False):
    """Fashion-MNIST: 60,000 training and 10,000 test images of 28×28 grey clothing, 10 classes."""
    if sample:
        return fashion_mnist_sample()
    files = {key: fetch("fashion_mnist", spec) for key, spec in catalog.FASHION_MNIST_FILES.items()}
    arrays = {key: read_idx(path) for key, path in files.items()}
    return (arrays["train_images"], arrays["train_labels"]), (
        arrays["test_images"],
        arrays["test_labels"],
    )


def mnist():
    """MNIST handwritten digits: 60,000 + 10,000 images of 28×28, from ``mnist.npz`` as Keras stores it."""
    path = fetch("mnist", catalog.MNIST_FILE)
    with np.load(path, allow_pickle=False) as arrays:
        return (arrays["x_train"], arrays["y_train"]), (arrays["x_test"], arrays["y_test"])


def cifar10():
    """CIFAR-10: 50,000 + 10,000 colour images of 32×32×3, labels shaped (N, 1) like Keras."""
    return read_cifar10_archive(fetch("cifar10", catalog.CIFAR10_FILE))


def imdb(
    *,
    num_words: int | None = None,
    skip_top: int = 0,
    maxlen: int | None = None,
    seed: int = 113,
    start_char: int = 1,
    oov_char: int = 2,
    index_from: int = 3,
):
    """IMDB movie reviews as lists of word indices (most frequent word = 1 + index_from), as Keras gives them."""
    path = fetch("imdb", catalog.IMDB_FILE)
    # The file's checksum was verified by fetch(); its ragged arrays are stored as object arrays.
    with np.load(path, allow_pickle=True) as arrays:
        x_train, y_train = arrays["x_train"], arrays["y_train"]
        x_test, y_test = arrays["x_test"], arrays["y_test"]
    rng = np.random.RandomState(seed)
    train_order = rng.permutation(len(x_train))
    test_order = rng.permutation(len(x_test))
    x_train, y_train = x_train[train_order], y_train[train_order]
    x_test, y_test = x_test[test_order], y_test[test_order]
    sequences = list(x_train) + list(x_test)
    labels = np.concatenate([y_train, y_test])
    if start_char is not None:
        sequences = [[start_char] + [word + index_from for word in seq] for seq in sequences]
    elif index_from:
        sequences = [[word + index_from for word in seq] for seq in sequences]
    if maxlen:
        kept = [
            (seq, label) for seq, label in zip(sequences, labels, strict=True) if len(seq) < maxlen
        ]
        if not kept:
            raise ValueError(f"maxlen={maxlen} removes every review; choose a larger maxlen.")
        sequences = [seq for seq, _ in kept]
        labels = np.array([label for _, label in kept])
    if num_words is None:
        num_words = max(max(seq) for seq in sequences)
    if oov_char is not None:
        sequences = [
            [word if skip_top <= word < num_words else oov_char for word in seq]
            for seq in sequences
        ]
    else:
        sequences = [[word for word in seq if skip_top <= word < num_words] for seq in sequences]
    # Like keras.datasets.imdb, the split index stays len(x_train) even after maxlen filtering.
    split = len(x_train)
    x_all = np.array(sequences, dtype="object")
    return (x_all[:split], labels[:split]), (x_all[split:], labels[split:])


def imdb_word_index() -> dict[str, int]:
    """The IMDB word -> index mapping (indices before the ``index_from`` shift)."""
    with open(fetch("imdb", catalog.IMDB_WORD_INDEX_FILE), encoding="utf-8") as handle:
        return json.load(handle)


_LOADERS = {
    "fashion_mnist": fashion_mnist,
    "mnist": mnist,
    "cifar10": cifar10,
    "imdb": imdb,
    "digits": digits,
}

_SAMPLED = {"fashion_mnist"}


def available() -> list[str]:
    """Names that :func:`load` accepts."""
    return sorted(_LOADERS)


def _dataset_key(name) -> str:
    """'Fashion-MNIST ' -> 'fashion_mnist': the key every function of this module uses."""
    if not isinstance(name, str):
        raise TypeError(f"name must be a string such as 'fashion_mnist', got {name!r}.")
    if len(name) > 100:
        raise ValueError(
            "name is too long to be a dataset name; use one of: " + ", ".join(available())
        )
    return name.strip().lower().replace("-", "_")


def load(name: str, sample: bool = False, **options):
    """Load a dataset by name: ((x_train, y_train), (x_test, y_test)), as ``keras.datasets`` returns it.

    ``sample=True`` returns the small stratified sample shipped with cnnkit (Fashion-MNIST only),
    which works on any machine without a network.
    """
    key = _dataset_key(name)
    if not isinstance(sample, (bool, np.bool_)):
        raise TypeError(
            f"sample must be True or False, got {sample!r}; "
            "use load(name, sample=True) for the small sample shipped with cnnkit."
        )
    if key not in _LOADERS:
        close = difflib.get_close_matches(key, _LOADERS, n=1)
        suggestion = f" Did you mean {close[0]!r}?" if close else ""
        raise ValueError(
            f"Unknown dataset {name!r}.{suggestion} Available: {', '.join(available())}."
        )
    if sample:
        if key not in _SAMPLED:
            raise ValueError(
                f"No shipped sample of {key!r}; samples exist for: {', '.join(sorted(_SAMPLED))}."
            )
        return _LOADERS[key](sample=True, **options)
    return _LOADERS[key](**options)


def class_names(name: str) -> tuple[str, ...]:
    """Human-readable class names of a labelled image dataset."""
    names = {
        "fashion_mnist": FASHION_MNIST_CLASS_NAMES,
        "cifar10": CIFAR10_CLASS_NAMES,
        "mnist": tuple(str(digit) for digit in range(10)),
        "digits": tuple(str(digit) for digit in range(10)),
    }
    key = _dataset_key(name)
    if key not in names:
        raise ValueError(f"No class names for {name!r}; known: {', '.join(sorted(names))}.")
    return names[key]


__all__ = [
    "CorruptedFileWarning",
    "DatasetNotFoundError",
    "DownloadTooLargeError",
    "DownloadTooSlowError",
    "UnreadableFileWarning",
    "available",
    "cifar10",
    "class_names",
    "data_dir",
    "digits",
    "fashion_mnist",
    "imdb",
    "imdb_word_index",
    "keras_cache_dir",
    "load",
    "mnist",
    "moons",
    "photo",
    "photo_names",
    "spirals",
    "train_validation_split",
]
