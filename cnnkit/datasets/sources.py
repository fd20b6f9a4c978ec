"""Where dataset files come from, in order, and how they are verified and downloaded.

1. ``CNNKIT_DATA_DIR`` or the repository's ``data/`` folder (outside a checkout: ``~/.cache/cnnkit``);
2. files already on the machine: the Keras cache (``KERAS_HOME`` or ``~/.keras``) and Debian's
   ``dataset-fashion-mnist`` package;
3. a download from ``CNNKIT_DATA_MIRROR`` (when set) or the canonical URL with
   ``keras.utils.get_file`` (progress bar), a checksum and an atomic rename (no half-written file
   survives), a timeout on every read and a minimum speed.

When everything fails, one :class:`DatasetNotFoundError` names every place tried and the fix.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import shutil
import tempfile
import time
import urllib.request
import warnings
from dataclasses import dataclass, field
from pathlib import Path

REPOSITORY_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEBIAN_DIRS = {"fashion_mnist": Path("/usr/share/datasets/fashion-mnist")}
DEBIAN_PACKAGES = {"fashion_mnist": "dataset-fashion-mnist"}
DOWNLOAD_TIMEOUT_SECONDS = 30  # longest wait for any single read from the server
# A download slower than this, measured over each window, is abandoned with a clear error: a
# trickling server would otherwise keep the student's notebook waiting forever.
MINIMUM_BYTES_PER_SECOND = 2048
SPEED_WINDOW_SECONDS = 30
# A .part file untouched this long belongs to a download that was killed; it is removed.
STALE_PART_SECONDS = 15 * 60


class DatasetNotFoundError(FileNotFoundError):
    """No source had a usable copy of a dataset file; the message lists what was tried and the fix."""


class CorruptedFileWarning(UserWarning):
    """A dataset file exists but its checksum is wrong; it was skipped."""


class UnreadableFileWarning(UserWarning):
    """A dataset file exists but cannot be read (permissions, a folder of that name...); it was skipped."""


class DownloadTooSlowError(OSError):
    """The server sent less than the minimum speed over a whole window (a trickle or a stall)."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset and the checksums that a good copy matches.

    ``sha256`` lists accepted digests of the file's bytes; ``gzip_content_sha256`` accepted digests
    of a .gz file's decompressed bytes (Debian re-compresses, so its .gz bytes differ from upstream).
    """

    name: str
    url: str
    sha256: tuple[str, ...] = ()
    gzip_content_sha256: tuple[str, ...] = ()
    md5: tuple[str, ...] = ()
    keras_cache_subdir: str = ""


@dataclass
class SearchReport:
    """What was tried while looking for one file."""

    tried: list[str] = field(default_factory=list)
    corrupted: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)


def data_dir() -> Path:
    """The course's data folder: ``CNNKIT_DATA_DIR``, the repository's ``data/``, or ``~/.cache/cnnkit``."""
    configured = os.environ.get("CNNKIT_DATA_DIR")
    if configured:
        return Path(configured).expanduser()
    if (REPOSITORY_DATA_DIR / "README.md").exists():
        return REPOSITORY_DATA_DIR
    return Path.home() / ".cache" / "cnnkit"


def keras_cache_dir() -> Path:
    """Keras's download cache: ``$KERAS_HOME/datasets`` or ``~/.keras/datasets``."""
    keras_home = os.environ.get("KERAS_HOME")
    base = Path(keras_home).expanduser() if keras_home else Path.home() / ".keras"
    return base / "datasets"


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _digest(path: Path, algorithm: str, *, decompress: bool = False) -> str:
    digest = hashlib.new(algorithm)
    opener = gzip.open if decompress else open
    with opener(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_file(path: Path, spec: RemoteFile) -> str:
    """'valid', 'corrupted' (readable, wrong checksum) or 'unreadable: <reason>' for one local file.

    The .gz content checksum is chosen by the name the file will have (``spec.name``), not by
    ``path``, so a download verified under its temporary ``.part`` name is judged like the final file.
    """
    if not (spec.sha256 or spec.gzip_content_sha256 or spec.md5):
        return "valid"
    try:
        if spec.sha256 and _digest(path, "sha256") in spec.sha256:
            return "valid"
        if spec.md5 and _digest(path, "md5") in spec.md5:
            return "valid"
    except OSError as error:
        return f"unreadable: {error.strerror or error}"
    if spec.gzip_content_sha256 and spec.name.endswith(".gz"):
        try:
            if _digest(path, "sha256", decompress=True) in spec.gzip_content_sha256:
                return "valid"
        except (OSError, EOFError, gzip.BadGzipFile):  # not gzip, or truncated: a bad copy
            pass
    return "corrupted"


def is_valid(path: Path, spec: RemoteFile) -> bool:
    """True when ``path`` matches one of the checksums ``spec`` accepts (or ``spec`` has none)."""
    return check_file(path, spec) == "valid"


def remove_stale_partial_files(folder: Path, name: str) -> list[Path]:
    """Delete ``.<name>.*.part`` folders (or files, of older kits) left by downloads that were
    killed (untouched for a while)."""
    removed = []
    if not folder.is_dir():
        return removed
    now = time.time()
    for partial in folder.glob(f".{name}.*.part"):
        with contextlib.suppress(OSError):  # another process may be finishing or removing it
            if now - partial.stat().st_mtime > STALE_PART_SECONDS:
                if partial.is_dir():
                    shutil.rmtree(partial)
                else:
                    partial.unlink()
                removed.append(partial)
    return removed


def candidate_paths(dataset: str, spec: RemoteFile) -> list[Path]:
    """Local places for one file, in the order they are tried."""
    candidates = [data_dir() / dataset / spec.name]
    cache = keras_cache_dir()
    if spec.keras_cache_subdir:
        candidates.append(cache / spec.keras_cache_subdir / spec.name)
    candidates.append(cache / spec.name)
    if dataset in DEBIAN_DIRS:
        candidates.append(DEBIAN_DIRS[dataset] / spec.name)
    return candidates


def download_urls(spec: RemoteFile) -> list[str]:
    """The mirror (``CNNKIT_DATA_MIRROR``) first when set, then the canonical URL."""
    urls = []
    mirror = os.environ.get("CNNKIT_DATA_MIRROR", "").strip()
    if mirror:
        urls.append(f"{mirror.rstrip('/')}/{spec.name}")
    urls.append(spec.url)
    return urls


def download(url: str, destination: Path, spec: RemoteFile, *, progress: bool = True) -> Path:
    """Download ``url`` to ``destination`` with ``keras.utils.get_file``, verify it, then rename.

    ``get_file`` does the transfer (with Keras's progress bar; a failed or interrupted transfer
    deletes what it wrote). It writes into a fresh folder beside ``destination``
    (``.<name>.<random>.part/``), so no half-written file ever has the final name; the file is
    checked against every checksum ``spec`` accepts (``get_file`` takes one, and Debian's
    re-compressed .gz needs its content checksum) and only then moved into place with
    ``os.replace``. While it runs, every HTTP read has a timeout and the transfer a minimum
    speed (:class:`_GuardedDownloads`): a stalled or trickling server fails with a clear error.
    """
    import keras

    destination.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(
        tempfile.mkdtemp(prefix=f".{destination.name}.", suffix=".part", dir=destination.parent)
    )
    try:
        with _GuardedDownloads(), _keras_messages(enabled=progress):
            fetched = Path(
                keras.utils.get_file(
                    fname=destination.name, origin=url, cache_dir=str(staging), cache_subdir=""
                )
            )
        if not is_valid(fetched, spec):
            raise ValueError(
                f"{url} sent a file that does not match the checksum of {spec.name} "
                "(a wrong file, or a login page of a filtered network)"
            )
        os.replace(fetched, destination)
    finally:
        # Interrupted, failed or corrupt: never leave a half-written file behind.
        shutil.rmtree(staging, ignore_errors=True)
    return destination


@contextlib.contextmanager
def _keras_messages(*, enabled: bool):
    """Keras's "Downloading data from ..." line and progress bar, or silence (``enabled=False``)."""
    import keras

    was_enabled = keras.config.is_interactive_logging_enabled()
    if not enabled:
        keras.config.disable_interactive_logging()
    try:
        yield
    finally:
        if was_enabled:
            keras.config.enable_interactive_logging()


class _GuardedDownloads(urllib.request.BaseHandler):
    """While active (``with _GuardedDownloads():``), urllib's HTTP(S) requests get a timeout on
    every read and their responses the minimum-speed and length checks of :class:`_GuardedResponse`.

    ``keras.utils.get_file`` downloads through ``urllib.request.urlopen``, which uses the opener
    installed with the public ``urllib.request.install_opener``; the default opener is installed
    again on exit. It runs after urllib's error processor (handler_order), so redirects and HTTP
    errors are urllib's own, and only a final 2xx response is wrapped.
    """

    handler_order = 1100

    def __enter__(self):
        urllib.request.install_opener(urllib.request.build_opener(self))
        return self

    def __exit__(self, *exc):
        urllib.request.install_opener(None)  # back to urllib's default opener

    def http_request(self, request):
        request.timeout = DOWNLOAD_TIMEOUT_SECONDS  # longest wait for any single read
        return request

    https_request = http_request

    def http_response(self, request, response):
        return _GuardedResponse(response, request.full_url)

    https_response = http_response


class _GuardedResponse:
    """An HTTP response whose ``read`` returns what has arrived (``read1``: a trickle is seen as
    it happens), enforces the minimum speed, and calls a response shorter than its
    Content-Length a cut connection."""

    def __init__(self, response, url: str):
        self._response = response
        self._url = url
        self._expected = int(response.headers.get("Content-Length") or 0) or None
        self._speed = _SpeedGuard(url)

    def read(self, amount: int = -1) -> bytes:
        if amount is None or amount < 0:
            block = self._response.read()
        else:
            block = self._response.read1(amount)
        self._speed.update(len(block))
        if not block and self._expected is not None and self._speed.received != self._expected:
            raise ValueError(
                f"{self._url} ended after {self._speed.received:,} of {self._expected:,} bytes "
                "(connection cut)"
            )
        return block

    def __getattr__(self, name):  # info(), headers, close(), code...: the response's own
        return getattr(self._response, name)


class _SpeedGuard:
    """Raise DownloadTooSlowError when a window of SPEED_WINDOW_SECONDS brings too few bytes."""

    def __init__(self, url: str):
        self.url = url
        self.received = 0
        self.window_start = time.monotonic()
        self.window_bytes = 0

    def update(self, count: int) -> None:
        self.received += count
        self.window_bytes += count
        elapsed = time.monotonic() - self.window_start
        if elapsed < SPEED_WINDOW_SECONDS:
            return
        if self.window_bytes < MINIMUM_BYTES_PER_SECOND * elapsed:
            raise DownloadTooSlowError(
                f"{self.url} sent only {self.window_bytes:,} bytes in {elapsed:.0f} s "
                f"(less than {MINIMUM_BYTES_PER_SECOND:,} bytes/s); gave up"
            )
        self.window_start = time.monotonic()
        self.window_bytes = 0


def fetch(dataset: str, spec: RemoteFile, *, allow_download: bool = True) -> Path:
    """Path of a verified local copy of ``spec``, downloading it when no source has one."""
    report = SearchReport()
    for path in candidate_paths(dataset, spec):
        report.tried.append(str(path))
        if not path.exists():
            continue
        status = check_file(path, spec) if path.is_file() else "unreadable: it is not a file"
        if status == "valid":
            return path
        if status == "corrupted":
            report.corrupted.append(str(path))
            warnings.warn(
                f"{path} is corrupted (its checksum does not match {spec.name}); skipping it. "
                "Delete it so a good copy can take its place.",
                CorruptedFileWarning,
                stacklevel=3,
            )
        else:
            reason = status.split(": ", 1)[1]
            report.unreadable.append(f"{path} ({reason})")
            warnings.warn(
                f"{path} cannot be read ({reason}); skipping it. Fix its permissions "
                f"(for example chmod a+r) or move it away.",
                UnreadableFileWarning,
                stacklevel=3,
            )
    if allow_download:
        destination = data_dir() / dataset / spec.name
        remove_stale_partial_files(destination.parent, spec.name)
        for url in download_urls(spec):
            report.tried.append(url)
            try:
                return download(url, destination, spec)
            except Exception as error:  # get_file reports URL errors as a plain Exception
                reason = getattr(error, "reason", error)
                report.tried[-1] = f"{url} (failed: {reason})"
    raise DatasetNotFoundError(_not_found_message(dataset, spec, report))


def _not_found_message(dataset: str, spec: RemoteFile, report: SearchReport) -> str:
    lines = [f"Could not find {spec.name} of the {dataset!r} dataset. Tried, in order:"]
    lines += [f"  - {place}" for place in report.tried]
    if report.corrupted:
        lines.append("Corrupted copies (wrong checksum, not used): " + ", ".join(report.corrupted))
    if report.unreadable:
        lines.append("Copies that cannot be read (not used): " + ", ".join(report.unreadable))
    lines.append("To fix it, do one of these:")
    lines.append(f"  - put {spec.name} into {data_dir() / dataset}/ (or set CNNKIT_DATA_DIR);")
    if dataset in DEBIAN_PACKAGES:
        lines.append(f"  - on Debian/Ubuntu: sudo apt-get install {DEBIAN_PACKAGES[dataset]};")
    lines.append(
        "  - behind a filtered network, set CNNKIT_DATA_MIRROR to a folder URL that holds "
        f"{spec.name} (http://..., https://... or file:///...);"
    )
    lines.append(
        "  - or work offline with the shipped sample: load(..., sample=True) where offered."
    )
    return "\n".join(lines)
