"""Readers for the file formats the datasets come in: IDX (MNIST family), .npz, CIFAR's pickled batches."""

from __future__ import annotations

import gzip
import pickle
import tarfile
from pathlib import Path

import numpy as np

_IDX_DTYPES = {0x08: np.uint8}


def read_idx(path: Path) -> np.ndarray:
    """Read an IDX file (optionally gzipped): magic 0x0000 | dtype | ndim, then big-endian sizes, then data."""
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_DTYPES:
        raise ValueError(f"{path} is not an IDX file of unsigned bytes (bad magic number)")
    ndim = data[3]
    header_end = 4 + 4 * ndim
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    array = np.frombuffer(data, dtype=np.uint8, offset=header_end)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path} is truncated: header says {shape}, found {array.size} values")
    return array.reshape(shape)


def read_cifar10_archive(path: Path):
    """((x_train, y_train), (x_test, y_test)) from cifar-10-python.tar.gz, shaped as keras.datasets gives them."""
    train_images, train_labels = [], []
    test = None
    with tarfile.open(path, "r:gz") as archive:
        members = {Path(member.name).name: member for member in archive.getmembers()}
        for index in range(1, 6):
            images, labels = _cifar_batch(archive, members, f"data_batch_{index}")
            train_images.append(images)
            train_labels.append(labels)
        test = _cifar_batch(archive, members, "test_batch")
    x_train = np.concatenate(train_images)
    y_train = np.concatenate(train_labels).reshape(-1, 1)
    x_test, y_test = test[0], test[1].reshape(-1, 1)
    return (x_train, y_train), (x_test, y_test)


def _cifar_batch(archive, members, name):
    if name not in members:
        raise ValueError(f"the CIFAR-10 archive has no member {name!r}")
    with archive.extractfile(members[name]) as handle:
        # The archive's checksum was verified before we get here; its batches are pickles by design.
        batch = pickle.load(handle, encoding="bytes")
    images = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    labels = np.asarray(batch[b"labels"], dtype=np.uint8)
    return images, labels
