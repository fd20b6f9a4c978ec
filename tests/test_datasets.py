"""Datasets: source order, checksums, atomic downloads, clear errors; tested on small files made here."""

import functools
import gzip
import hashlib
import http.server
import io
import pickle
import tarfile
import threading
from pathlib import Path

import numpy as np
import pytest

from cnnkit import datasets
from cnnkit.datasets import catalog, sources, transfer
from cnnkit.datasets.formats import read_idx


def write_idx(array: np.ndarray, path: Path) -> None:
    """Write a uint8 array as a gzipped IDX file (test fixtures)."""
    array = np.ascontiguousarray(array, dtype=np.uint8)
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(
        int(size).to_bytes(4, "big") for size in array.shape
    )
    with gzip.open(path, "wb") as handle:
        handle.write(header + array.tobytes())


DEBIAN_FASHION = Path("/usr/share/datasets/fashion-mnist")


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """Empty data dir and Keras cache, no Debian copy, no mirror, and no real network."""
    monkeypatch.setenv("CNNKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("CNNKIT_DATA_MIRROR", raising=False)
    monkeypatch.setattr(sources, "DEBIAN_DIRS", {"fashion_mnist": tmp_path / "no-debian"})
    return tmp_path


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def offline(spec, tmp_path):
    """The same file description with its canonical URL pointing nowhere reachable."""
    return sources.RemoteFile(
        name=spec.name, url=(tmp_path / "nowhere" / spec.name).as_uri(), sha256=spec.sha256
    )


def make_mnist_npz(path: Path, rng) -> dict:
    arrays = {
        "x_train": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "y_train": rng.integers(0, 10, 12, dtype=np.uint8),
        "x_test": rng.integers(0, 256, (4, 28, 28), dtype=np.uint8),
        "y_test": rng.integers(0, 10, 4, dtype=np.uint8),
    }
    np.savez(path, **arrays)
    return arrays


@pytest.mark.skipif(
    not DEBIAN_FASHION.exists(), reason="Debian's dataset-fashion-mnist is not installed"
)
def test_full_fashion_mnist_from_debian_with_empty_keras_cache(isolated, monkeypatch):
    monkeypatch.setattr(sources, "DEBIAN_DIRS", {"fashion_mnist": DEBIAN_FASHION})
    (x_train, y_train), (x_test, y_test) = datasets.load("fashion_mnist")
    assert x_train.shape == (60000, 28, 28) and x_test.shape == (10000, 28, 28)
    assert y_train.shape == (60000,) and y_test.shape == (10000,)
    assert x_train.dtype == np.uint8 and y_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [6000] * 10


def test_sample_works_with_nothing_else(isolated):
    (x_train, y_train), (x_test, y_test) = datasets.load("fashion_mnist", sample=True)
    assert x_train.shape == (5000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8
    assert np.bincount(y_train).tolist() == [500] * 10
    assert np.bincount(y_test).tolist() == [100] * 10


def test_sample_checksum_is_recorded_in_data_readme():
    digest = catalog.FASHION_MNIST_SAMPLE_FILE.sha256[0]
    readme = (Path(__file__).parents[1] / "data" / "README.md").read_text()
    assert digest in readme


def test_mnist_downloads_from_mirror_verifies_and_caches(isolated, monkeypatch):
    rng = np.random.default_rng(0)
    mirror = isolated / "mirror"
    mirror.mkdir()
    arrays = make_mnist_npz(mirror / "mnist.npz", rng)
    spec = sources.RemoteFile(
        "mnist.npz", (isolated / "gone.npz").as_uri(), (sha256(mirror / "mnist.npz"),)
    )
    monkeypatch.setattr(catalog, "MNIST_FILE", spec)
    monkeypatch.setenv("CNNKIT_DATA_MIRROR", mirror.as_uri())
    (x_train, y_train), (x_test, y_test) = datasets.load("mnist")
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])
    cached = isolated / "data" / "mnist" / "mnist.npz"
    assert cached.exists()
    # Second load: the mirror is gone, the cached copy is used.
    (mirror / "mnist.npz").unlink()
    datasets.load("mnist")
    assert not list((isolated / "data" / "mnist").glob("*.part"))


def test_keras_cache_is_used_before_download(isolated, monkeypatch):
    rng = np.random.default_rng(1)
    cache = isolated / "keras" / "datasets"
    cache.mkdir(parents=True)
    make_mnist_npz(cache / "mnist.npz", rng)
    spec = sources.RemoteFile(
        "mnist.npz", (isolated / "gone").as_uri(), (sha256(cache / "mnist.npz"),)
    )
    monkeypatch.setattr(catalog, "MNIST_FILE", spec)
    (x_train, _), _ = datasets.load("mnist")
    assert x_train.shape == (12, 28, 28)
    assert not (isolated / "data" / "mnist").exists()


def make_cifar_archive(path: Path, rng, per_batch: int = 3):
    with tarfile.open(path, "w:gz") as archive:
        for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
            batch = {
                b"data": rng.integers(0, 256, (per_batch, 3072), dtype=np.uint8),
                b"labels": rng.integers(0, 10, per_batch).tolist(),
            }
            payload = pickle.dumps(batch)
            info = tarfile.TarInfo(f"cifar-10-batches-py/{name}")
            info.size = len(payload)
            archive.addfile(info, io.BytesIO(payload))


@pytest.fixture
def http_server(tmp_path):
    """A real HTTP server on 127.0.0.1 serving tmp_path/served."""
    served = tmp_path / "served"
    served.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_cifar10_downloads_over_http_in_keras_layout(isolated, monkeypatch, http_server):
    served, base_url = http_server
    make_cifar_archive(served / "cifar-10-python.tar.gz", np.random.default_rng(2))
    spec = sources.RemoteFile(
        "cifar-10-python.tar.gz",
        f"{base_url}/cifar-10-python.tar.gz",
        (sha256(served / "cifar-10-python.tar.gz"),),
    )
    monkeypatch.setattr(catalog, "CIFAR10_FILE", spec)
    (x_train, y_train), (x_test, y_test) = datasets.load("cifar10")
    assert x_train.shape == (15, 32, 32, 3) and y_train.shape == (15, 1)
    assert x_test.shape == (3, 32, 32, 3) and x_train.dtype == np.uint8


def test_imdb_indices_are_shifted_like_keras(isolated, monkeypatch):
    reviews = np.empty(3, dtype=object)
    reviews[:] = [[1, 2, 3], [4, 5], [6]]
    tests = np.empty(2, dtype=object)
    tests[:] = [[7, 1], [2]]
    path = isolated / "imdb.npz"
    np.savez(
        path, x_train=reviews, y_train=np.array([1, 0, 1]), x_test=tests, y_test=np.array([0, 1])
    )
    monkeypatch.setattr(
        catalog, "IMDB_FILE", offline(sources.RemoteFile("imdb.npz", "", (sha256(path),)), isolated)
    )
    monkeypatch.setenv("CNNKIT_DATA_MIRROR", isolated.as_uri())
    (x_train, y_train), (x_test, y_test) = datasets.load("imdb", num_words=8)
    assert len(x_train) == 3 and len(x_test) == 2
    every = [word for seq in list(x_train) + list(x_test) for word in seq]
    assert all(seq[0] == 1 for seq in x_train)  # start_char
    assert max(every) < 8 and 2 in every  # words >= num_words became oov_char=2
    assert sorted(map(len, x_train)) == [2, 3, 4]


def test_corrupted_file_is_reported_by_name_and_skipped(isolated, monkeypatch):
    rng = np.random.default_rng(3)
    mirror = isolated / "mirror"
    mirror.mkdir()
    make_mnist_npz(mirror / "mnist.npz", rng)
    good = sha256(mirror / "mnist.npz")
    bad = isolated / "data" / "mnist" / "mnist.npz"
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"not really an npz")
    monkeypatch.setattr(
        catalog, "MNIST_FILE", sources.RemoteFile("mnist.npz", (isolated / "x").as_uri(), (good,))
    )
    monkeypatch.setenv("CNNKIT_DATA_MIRROR", mirror.as_uri())
    with pytest.warns(sources.CorruptedFileWarning, match=str(bad)):
        (x_train, _), _ = datasets.load("mnist")
    assert x_train.shape == (12, 28, 28)
    assert sha256(bad) == good  # replaced by the verified download


def test_failed_checksum_leaves_no_partial_file_and_error_lists_everything(isolated, monkeypatch):
    mirror = isolated / "mirror"
    mirror.mkdir()
    (mirror / "mnist.npz").write_bytes(b"tampered")
    spec = sources.RemoteFile(
        "mnist.npz", (isolated / "nowhere" / "mnist.npz").as_uri(), ("0" * 64,)
    )
    monkeypatch.setattr(catalog, "MNIST_FILE", spec)
    monkeypatch.setenv("CNNKIT_DATA_MIRROR", mirror.as_uri())
    with pytest.raises(datasets.DatasetNotFoundError) as raised:
        datasets.load("mnist")
    message = str(raised.value)
    assert "mnist.npz" in message and "CNNKIT_DATA_MIRROR" in message
    assert str(isolated / "data" / "mnist" / "mnist.npz") in message
    assert str(isolated / "keras" / "datasets" / "mnist.npz") in message
    assert "does not match the checksum" in message and mirror.as_uri() in message
    target = isolated / "data" / "mnist"
    assert not target.exists() or not any(target.iterdir())


def test_fashion_error_names_the_debian_package(isolated, monkeypatch):
    for key, spec in catalog.FASHION_MNIST_FILES.items():
        monkeypatch.setitem(catalog.FASHION_MNIST_FILES, key, offline(spec, isolated))
    with pytest.raises(
        datasets.DatasetNotFoundError, match="apt-get install dataset-fashion-mnist"
    ):
        datasets.load("fashion_mnist")


def test_interrupted_download_leaves_nothing_behind(isolated, monkeypatch, http_server):
    served, base_url = http_server
    (served / "big.bin").write_bytes(b"x" * 200_000)
    real_update = transfer.Progress.update

    def interrupt_after_1000_bytes(progress, received, **options):  # the student presses Stop
        real_update(progress, received, **options)
        if received > 1000:
            raise KeyboardInterrupt

    monkeypatch.setattr(transfer.Progress, "update", interrupt_after_1000_bytes)
    spec = sources.RemoteFile("big.bin", f"{base_url}/big.bin", ("0" * 64,))
    destination = isolated / "data" / "demo" / "big.bin"
    with pytest.raises(KeyboardInterrupt):
        sources.download(spec.url, destination, spec, progress=False)
    assert not destination.exists()
    assert list(destination.parent.iterdir()) == []


def downloadable_files() -> list[sources.RemoteFile]:
    files = [catalog.MNIST_FILE, catalog.CIFAR10_FILE, catalog.IMDB_FILE]
    return [*catalog.FASHION_MNIST_FILES.values(), *files, catalog.IMDB_WORD_INDEX_FILE]


@pytest.mark.parametrize("spec", downloadable_files(), ids=lambda spec: spec.name)
def test_every_downloadable_file_records_the_sizes_that_cap_it(spec):
    """A download is capped by the file's size and a .gz's inflation by its content's size; a
    file without them would only get the generic 256 MiB cap."""
    assert spec.size and spec.max_download_bytes() >= spec.size
    assert spec.max_download_bytes() < sources.UNKNOWN_SIZE_MAX_BYTES
    assert bool(spec.decompressed_size) == bool(spec.gzip_content_sha256)


@pytest.mark.skipif(
    not DEBIAN_FASHION.exists(), reason="Debian's dataset-fashion-mnist is not installed"
)
def test_debian_recompressed_fashion_files_fit_the_recorded_sizes():
    """Debian's .gz files (other bytes than upstream) inflate to exactly the recorded content
    size and fit the download cap, so the caps never refuse a good copy."""
    for spec in catalog.FASHION_MNIST_FILES.values():
        path = DEBIAN_FASHION / spec.name
        assert path.stat().st_size <= spec.max_download_bytes()
        with gzip.open(path, "rb") as handle:
            assert len(handle.read()) == spec.decompressed_size
        assert sources.check_file(path, spec) == "valid"


def test_idx_round_trip_and_truncation(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(array, tmp_path / "a.gz")
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), array)
    import gzip

    with gzip.open(tmp_path / "a.gz", "rb") as handle:
        data = handle.read()
    with gzip.open(tmp_path / "b.gz", "wb") as handle:
        handle.write(data[:-5])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "b.gz")


def test_fashion_mnist_from_idx_files_in_data_dir(isolated, monkeypatch):
    rng = np.random.default_rng(4)
    folder = isolated / "data" / "fashion_mnist"
    folder.mkdir(parents=True)
    shapes = {
        "train_images": (6, 28, 28),
        "train_labels": (6,),
        "test_images": (2, 28, 28),
        "test_labels": (2,),
    }
    for key, spec in catalog.FASHION_MNIST_FILES.items():
        write_idx(rng.integers(0, 10, shapes[key], dtype=np.uint8), folder / spec.name)
        digest = sha256(folder / spec.name)
        monkeypatch.setitem(
            catalog.FASHION_MNIST_FILES, key, sources.RemoteFile(spec.name, spec.url, (digest,))
        )
    (x_train, y_train), (x_test, y_test) = datasets.load("fashion_mnist")
    assert x_train.shape == (6, 28, 28) and y_test.shape == (2,)


@pytest.mark.parametrize(
    "name, error, match",
    [
        ("fashion", ValueError, "Did you mean 'fashion_mnist'"),
        (3, TypeError, "string"),
        ("mnist", ValueError, "No shipped sample"),
    ],
)
def test_bad_names(name, error, match):
    with pytest.raises(error, match=match):
        datasets.load(name, sample=(name == "mnist"))


def test_bundled_and_toy_data():
    (x_train, y_train), (x_test, _) = datasets.load("digits")
    assert x_train.shape[1:] == (8, 8) and len(x_train) + len(x_test) == 1797
    assert datasets.photo("flower").shape == (427, 640, 3)
    assert datasets.photo("china", grayscale=True).shape == (427, 640)
    features, labels = datasets.spirals(n_samples=300, classes=3)
    assert features.shape == (300, 2) and set(labels.tolist()) == {0, 1, 2}
    features, labels = datasets.moons(100)
    assert features.shape == (100, 2)
    with pytest.raises(ValueError, match="n_samples"):
        datasets.moons(0)
    with pytest.raises(ValueError, match="Unknown photo"):
        datasets.photo("cat")
