"""Attack suite, datasets: hostile servers, broken files and odd arguments never hurt a student.

The rules: a failing download ends within 60 s with one clear DatasetNotFoundError that says what
went wrong, and leaves no partial or wrong file in any cache; bad arguments get a TypeError or
ValueError that names them. The servers run on 127.0.0.1 and are started and stopped here.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import time

import pytest

from cnnkit import datasets
from cnnkit.datasets import sources
from tests.fault_server import FaultServer, partial_files

pytestmark = pytest.mark.attack

CONTENT = bytes(range(256)) * 40  # 10 KiB of "dataset"


def gz(data: bytes, level: int) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


UPSTREAM_GZ = gz(CONTENT, 9)
DEBIAN_GZ = gz(CONTENT, 1)  # same content, different .gz bytes: as Debian re-compresses
assert UPSTREAM_GZ != DEBIAN_GZ


def gz_spec(url: str) -> sources.RemoteFile:
    return sources.RemoteFile(
        name="images.gz",
        url=url,
        md5=(hashlib.md5(UPSTREAM_GZ).hexdigest(),),
        gzip_content_sha256=(hashlib.sha256(CONTENT).hexdigest(),),
    )


def plain_spec(url: str) -> sources.RemoteFile:
    return sources.RemoteFile(
        name="data.bin", url=url, sha256=(hashlib.sha256(CONTENT).hexdigest(),)
    )


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("CNNKIT_DATA_MIRROR", raising=False)
    monkeypatch.setattr(sources, "DEBIAN_DIRS", {})
    # Short bounds so that each fault shows itself in seconds; the rules are the same.
    monkeypatch.setattr(sources, "DOWNLOAD_TIMEOUT_SECONDS", 2)
    monkeypatch.setattr(sources, "SPEED_WINDOW_SECONDS", 1.0)
    monkeypatch.setattr(sources, "MINIMUM_BYTES_PER_SECOND", 200)
    return tmp_path


@pytest.fixture
def server():
    with FaultServer({"images.gz": DEBIAN_GZ, "data.bin": CONTENT}) as running:
        yield running


def test_mirror_with_debian_recompressed_files_is_accepted(isolated, server, monkeypatch):
    """Defect 1: the .gz content checksum must apply to downloads (verified as .part files)."""
    monkeypatch.setenv("CNNKIT_DATA_MIRROR", server.url("ok", "").rstrip("/"))
    spec = gz_spec("http://127.0.0.1:9/nowhere/images.gz")
    path = sources.fetch("demo", spec)
    assert path.read_bytes() == DEBIAN_GZ
    assert gzip.decompress(path.read_bytes()) == CONTENT


@pytest.mark.parametrize(
    "fault, reason",
    [
        ("killed", "connection cut"),
        ("wrong", "does not match the checksum"),
        ("portal", "does not match the checksum"),
        ("trickle", "bytes/s"),
        ("silent", "timed out"),
        ("redirect", "redirect"),
    ],
)
def test_faulty_server_fails_fast_cleanly_and_says_why(isolated, server, fault, reason):
    """Defect 2 (trickle) and the fault-injection rules: bounded time, clear error, no file left."""
    spec = plain_spec(server.url(fault, "data.bin"))
    started = time.monotonic()
    with pytest.raises(datasets.DatasetNotFoundError) as caught:
        sources.fetch("demo", spec)
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"{fault}: the student waited {elapsed:.0f} s"
    message = str(caught.value)
    assert reason in message.lower() or reason in message, message
    assert "Traceback" not in message
    assert partial_files(isolated / "data") == []
    assert partial_files(isolated / "keras") == []


def test_unreadable_file_is_not_called_corrupted(isolated, monkeypatch):
    """Defect 6: say the file cannot be read and why, not that it is corrupted."""
    folder = isolated / "data" / "demo"
    folder.mkdir(parents=True)
    (folder / "data.bin").write_bytes(CONTENT)
    real_digest = sources._digest

    def permission_denied(path, algorithm, *, decompress=False):
        if path.name == "data.bin":
            raise PermissionError(13, "Permission denied", str(path))
        return real_digest(path, algorithm, decompress=decompress)

    monkeypatch.setattr(sources, "_digest", permission_denied)
    spec = plain_spec((isolated / "nowhere" / "data.bin").as_uri())
    with pytest.warns(
        sources.UnreadableFileWarning, match="cannot be read \\(Permission denied\\)"
    ):
        with pytest.raises(datasets.DatasetNotFoundError) as caught:
            sources.fetch("demo", spec)
    assert "corrupted" not in str(caught.value).lower()
    assert "cannot be read" in str(caught.value)


def test_a_folder_in_place_of_the_file_is_reported_as_unreadable(isolated):
    (isolated / "data" / "demo" / "data.bin").mkdir(parents=True)
    spec = plain_spec((isolated / "nowhere" / "data.bin").as_uri())
    with pytest.warns(sources.UnreadableFileWarning, match="not a file"):
        with pytest.raises(datasets.DatasetNotFoundError):
            sources.fetch("demo", spec)


def test_stale_partial_file_of_a_killed_kernel_is_cleaned_up(isolated, server):
    """Defect 7: a .part file left by a killed download disappears on a later load."""
    folder = isolated / "data" / "demo"
    folder.mkdir(parents=True)
    stale = folder / ".data.bin.k1ll3d.part"
    stale.write_bytes(CONTENT[:100])
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))
    fresh = folder / ".data.bin.running.part"  # another kernel's download in progress: kept
    fresh.write_bytes(CONTENT[:100])
    path = sources.fetch("demo", plain_spec(server.url("ok", "data.bin")))
    assert path.read_bytes() == CONTENT
    assert not stale.exists()
    assert fresh.exists()


@pytest.mark.parametrize(
    "call, error, match",
    [
        (
            lambda: datasets.load("fashion_mnist", sample="yes"),
            TypeError,
            "sample must be True or False",
        ),
        (
            lambda: datasets.load("fashion_mnist", sample=1),
            TypeError,
            "sample must be True or False",
        ),
        (lambda: datasets.load(None), TypeError, "name must be a string"),
        (lambda: datasets.load("x" * 100_000), ValueError, "too long"),
        (lambda: datasets.load("fashion_mnits"), ValueError, "Did you mean 'fashion_mnist'"),
        (lambda: datasets.class_names(3), TypeError, "name must be a string"),
        (lambda: datasets.class_names("imdb"), ValueError, "No class names"),
    ],
)
def test_bad_arguments_get_clear_errors(call, error, match):
    """Defect 12 (datasets part)."""
    with pytest.raises(error, match=match) as caught:
        call()
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize("name", ["fashion-mnist", "Fashion_MNIST", " fashion_mnist "])
def test_class_names_accepts_the_spellings_load_accepts(name):
    assert datasets.class_names(name) == datasets.class_names("fashion_mnist")
