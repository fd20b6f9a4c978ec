"""Attack suite, datasets: hostile servers, broken files and odd arguments never hurt a student.

The rules: a failing download ends within the deadline (60 s for a student; DEADLINE here, so the
suite is fast), every attempt together, with one clear DatasetNotFoundError that names every place
tried and the fix, and leaves no partial or wrong file in any cache; bad arguments get a TypeError
or ValueError that names them. The servers run on 127.0.0.1 and are started and stopped here.
Every fault test measures how long the student waited.
"""

from __future__ import annotations

import gzip
import hashlib
import os
import socket
import threading
import time

import pytest

from cnnkit import datasets
from cnnkit.datasets import sources
from tests.fault_server import FaultServer, partial_files, self_signed_certificate

pytestmark = pytest.mark.attack

CONTENT = bytes(range(256)) * 40  # 10 KiB of "dataset"
DEADLINE = 3.0  # seconds for every download attempt of one file together, in these tests
SLACK = 1.0  # seconds past the deadline that closing sockets and cleaning up may take


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
        size=len(UPSTREAM_GZ),
        decompressed_size=len(CONTENT),
    )


def plain_spec(url: str) -> sources.RemoteFile:
    return sources.RemoteFile(
        name="data.bin", url=url, sha256=(hashlib.sha256(CONTENT).hexdigest(),), size=len(CONTENT)
    )


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.delenv("CNNKIT_DATA_MIRROR", raising=False)
    monkeypatch.delenv("CNNKIT_DOWNLOAD_SECONDS", raising=False)
    monkeypatch.setattr(sources, "DEBIAN_DIRS", {})
    # Short bounds so that each fault shows itself in seconds; the rules are the same.
    monkeypatch.setattr(sources, "DOWNLOAD_DEADLINE_SECONDS", DEADLINE)
    monkeypatch.setattr(sources, "READ_TIMEOUT_SECONDS", 2.0)
    monkeypatch.setattr(sources, "SPEED_WINDOW_SECONDS", 1.0)
    monkeypatch.setattr(sources, "MINIMUM_BYTES_PER_SECOND", 200)
    return tmp_path


def failed_fetch(isolated, spec, dataset="demo"):
    """fetch() that must fail: (message, seconds waited), after the checks every fault shares:
    one DatasetNotFoundError within the deadline, that names the file and the fix, no traceback,
    and nothing left in any cache."""
    started = time.monotonic()
    with pytest.raises(datasets.DatasetNotFoundError) as caught:
        sources.fetch(dataset, spec)
    elapsed = time.monotonic() - started
    assert elapsed < DEADLINE + SLACK, f"the student waited {elapsed:.1f} s"
    message = str(caught.value)
    assert spec.name in message and "To fix it" in message, message
    assert "Traceback" not in message
    assert partial_files(isolated / "data") == []
    assert partial_files(isolated / "keras") == []
    return message, elapsed


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
    message, _ = failed_fetch(isolated, spec)
    assert reason in message.lower() or reason in message, message
    assert spec.url in message


def test_the_default_deadline_is_60_seconds_and_can_be_raised(monkeypatch):
    """What a student gets: 60 s for every attempt together; CNNKIT_DOWNLOAD_SECONDS for a slow
    network, checked."""
    monkeypatch.delenv("CNNKIT_DOWNLOAD_SECONDS", raising=False)
    assert sources.DOWNLOAD_DEADLINE_SECONDS == 60
    assert sources.download_deadline_seconds() == 60
    monkeypatch.setenv("CNNKIT_DOWNLOAD_SECONDS", "600")
    assert sources.download_deadline_seconds() == 600
    for bad in ("soon", "0", "-5", "nan", "1e9", "9" * 10_000):
        monkeypatch.setenv("CNNKIT_DOWNLOAD_SECONDS", bad)
        with pytest.raises(ValueError, match="CNNKIT_DOWNLOAD_SECONDS must be") as caught:
            sources.download_deadline_seconds()
        assert len(str(caught.value)) < 300


@pytest.mark.parametrize("fault", ["slowheaders", "slowchunk"])
@pytest.mark.parametrize(
    "minimum_speed, reason, waited",
    [(200, "bytes/s", 0.9), (0, f"the {DEADLINE:g} s deadline", DEADLINE - 0.3)],
    ids=["speed guard", "deadline alone"],
)
def test_trickled_headers_or_chunk_line_end_by_the_deadline(
    isolated, server, monkeypatch, fault, minimum_speed, reason, waited
):
    """Headers, or a chunk-size line, one byte per second: the speed minimum covers them (it
    ends the attempt after one 1 s window), and without it (a server just fast enough) the
    deadline still ends the attempt."""
    monkeypatch.setattr(sources, "MINIMUM_BYTES_PER_SECOND", minimum_speed)
    message, elapsed = failed_fetch(isolated, plain_spec(server.url(fault, "data.bin")))
    assert reason in message, message
    assert "CNNKIT_DOWNLOAD_SECONDS" in message  # the fix for a slow network
    assert elapsed > waited  # stopped by the rule named, not by something else earlier


def test_silent_server_ends_at_the_deadline_even_with_a_long_silence_limit(
    isolated, server, monkeypatch
):
    monkeypatch.setattr(sources, "READ_TIMEOUT_SECONDS", 30.0)  # the student's value
    message, elapsed = failed_fetch(isolated, plain_spec(server.url("silent", "data.bin")))
    assert "timed out" in message and elapsed > DEADLINE - 0.5


def test_endless_body_without_content_length_stops_past_the_file_size(isolated, server):
    message, elapsed = failed_fetch(isolated, plain_spec(server.url("endless", "data.bin")))
    assert f"more than {len(CONTENT):,} bytes" in message, message
    assert elapsed < 1.0  # stopped by size at once, not by the deadline


def test_announced_size_above_the_file_size_is_refused_before_reading(isolated, server):
    message, elapsed = failed_fetch(isolated, plain_spec(server.url("liar", "data.bin")))
    assert "announces 1,000,000,000,000 bytes" in message, message
    assert elapsed < 1.0


def hanging_resolver(monkeypatch, host: str) -> threading.Event:
    """Make name lookups of ``host`` hang (as a resolver with no answer does) until released."""
    release = threading.Event()
    real = socket.getaddrinfo

    def getaddrinfo(name, *args, **kwargs):
        if name == host:
            release.wait(60)
            raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return release


@pytest.mark.parametrize("canonical", ["hanging lookup", "refused", "silent"])
def test_silent_mirror_and_unreachable_canonical_host_share_one_deadline(
    isolated, server, monkeypatch, canonical
):
    monkeypatch.setattr(sources, "READ_TIMEOUT_SECONDS", 30.0)  # the student's value
    monkeypatch.setenv("CNNKIT_DATA_MIRROR", server.url("silent", "").rstrip("/"))
    release = hanging_resolver(monkeypatch, "unreachable.invalid")
    with socket.socket() as closed:  # a port that nothing listens on: connection refused
        closed.bind(("127.0.0.1", 0))
        refused_port = closed.getsockname()[1]
    with FaultServer({"data.bin": CONTENT}) as canonical_server:
        url = {
            "hanging lookup": "http://unreachable.invalid/data.bin",
            "refused": f"http://127.0.0.1:{refused_port}/data.bin",
            "silent": canonical_server.url("silent", "data.bin"),
        }[canonical]
        try:
            message, _ = failed_fetch(isolated, plain_spec(url))
        finally:
            release.set()
    mirror_line = next(line for line in message.splitlines() if "/silent/data.bin" in line)
    assert "timed out" in mirror_line, message
    # The canonical host was tried too, within the same deadline, and its failure named.
    canonical_line = next(line for line in message.splitlines() if url in line)
    assert "failed:" in canonical_line, message
    assert "CNNKIT_DOWNLOAD_SECONDS" in message  # the fix for a slow network
    assert message.index(mirror_line) < message.index(canonical_line)


def test_gzip_bomb_from_a_mirror_is_refused_after_inflating_only_the_content_size(
    isolated, server, monkeypatch
):
    """A 1 MiB-per-member gzip bomb that fits the download size cap (its content could be
    stored gzip) is inflated at most to the content's size plus one byte, then refused."""
    member = gz(bytes(1 << 20), 9)  # about 1 KiB that inflates to 1 MiB
    bomb = member * 8
    assert len(bomb) < gz_spec("").max_download_bytes()
    server.files["images.gz"] = bomb
    inflated = []
    real_read = gzip.GzipFile.read

    def counting_read(handle, *args):
        block = real_read(handle, *args)
        inflated.append(len(block))
        return block

    monkeypatch.setattr(gzip.GzipFile, "read", counting_read)
    monkeypatch.setenv("CNNKIT_DATA_MIRROR", server.url("ok", "").rstrip("/"))
    message, elapsed = failed_fetch(isolated, gz_spec("http://127.0.0.1:9/nowhere/images.gz"))
    assert "does not match the checksum" in message
    assert 0 < sum(inflated) <= len(CONTENT) + 1
    assert elapsed < 1.0


def test_gigabyte_gzip_bomb_in_the_data_folder_is_refused_in_a_moment(isolated):
    """The issue's case: a file of about 1 MiB that inflates to 1 GiB, found on disk."""
    folder = isolated / "data" / "demo"
    folder.mkdir(parents=True)
    (folder / "images.gz").write_bytes(gz(bytes(1 << 24), 9) * 64)  # 1 GiB inflated
    spec = gz_spec((isolated / "nowhere" / "images.gz").as_uri())
    started = time.monotonic()
    assert sources.check_file(folder / "images.gz", spec) == "corrupted"
    assert time.monotonic() - started < 1.0


@pytest.mark.parametrize("scheme", ["ftp", "gopher", "data", "javascript", "FTP", "smb"])
def test_mirror_of_another_scheme_is_refused_by_name_before_any_connection(
    isolated, server, monkeypatch, scheme
):
    monkeypatch.setenv("CNNKIT_DATA_MIRROR", f"{scheme}://127.0.0.1:{server.port}/files")
    message, elapsed = failed_fetch(isolated, plain_spec(server.url("ok", "data.bin")))
    assert f"uses {scheme.lower()}://" in message and "CNNKIT_DATA_MIRROR" in message
    assert "only https://, http:// and file://" in message
    assert server.requests == []  # neither the mirror nor the canonical host was contacted
    assert elapsed < 0.5


def test_redirect_to_ftp_is_refused(isolated, server):
    message, _ = failed_fetch(isolated, plain_spec(server.url("toftp", "data.bin")))
    assert "redirect to 'ftp://" in message and "refused" in message


def test_progress_counts_bytes(isolated, server, capsys):
    """31 bytes show as 31 bytes, with or without a Content-Length."""
    small = b"thirty-one bytes of a data file"
    assert len(small) == 31
    server.files["small.bin"] = small
    for fault in ("ok", "noheader"):
        spec = sources.RemoteFile(
            "small.bin",
            server.url(fault, "small.bin"),
            (hashlib.sha256(small).hexdigest(),),
            size=31,
        )
        started = time.monotonic()
        path = sources.fetch(f"demo-{fault}", spec)
        assert time.monotonic() - started < 1.0
        assert path.read_bytes() == small
        shown = capsys.readouterr().out
        final = shown.rstrip("\n").split("\r")[-1]
        assert final == (
            "small.bin: 31 / 31 bytes (100%)" if fault == "ok" else "small.bin: 31 bytes"
        )
        assert "8,192" not in shown and "100000" not in shown and "100,000" not in shown


def test_good_download_is_verified_and_quick(isolated, server):
    started = time.monotonic()
    path = sources.fetch("demo", plain_spec(server.url("ok", "data.bin")))
    elapsed = time.monotonic() - started
    assert path == isolated / "data" / "demo" / "data.bin"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == plain_spec("").sha256[0]
    assert [p.name for p in path.parent.iterdir()] == ["data.bin"]  # no .part left
    assert elapsed < 1.0


def test_good_gzip_with_content_checksum_is_accepted_within_its_bounds(isolated, server):
    """The size and inflation caps do not refuse the good files: Debian's re-compressed .gz
    (other bytes, other size) from a mirror is accepted by its content checksum."""
    server.files["images.gz"] = gz(CONTENT, 0)  # stored: the largest gzip of the content
    spec = gz_spec(server.url("ok", "images.gz"))
    assert len(server.files["images.gz"]) > spec.size
    path = sources.fetch("demo", spec)
    assert gzip.decompress(path.read_bytes()) == CONTENT


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    return self_signed_certificate(tmp_path_factory.mktemp("tls"))


def test_https_is_verified_and_guarded_like_http(isolated, certificate, monkeypatch):
    """Over https the same guard sits on the encrypted socket: a good file arrives when its
    certificate is trusted, an untrusted one is refused, and trickled headers end at the deadline."""
    monkeypatch.setattr(sources, "MINIMUM_BYTES_PER_SECOND", 0)  # the deadline alone
    with FaultServer({"data.bin": CONTENT}, tls=certificate) as tls_server:
        untrusted, _ = failed_fetch(isolated, plain_spec(tls_server.url("ok", "data.bin")))
        assert "CERTIFICATE_VERIFY_FAILED" in untrusted, untrusted
        monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trusted from now on
        path = sources.fetch("demo", plain_spec(tls_server.url("ok", "data.bin")))
        assert path.read_bytes() == CONTENT
        path.unlink()
        trickled, elapsed = failed_fetch(
            isolated, plain_spec(tls_server.url("slowheaders", "data.bin"))
        )
        assert f"the {DEADLINE:g} s deadline" in trickled and elapsed > DEADLINE - 0.3


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
