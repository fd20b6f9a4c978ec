"""Where dataset files come from, in order, and how they are verified and downloaded.

1. ``CNNKIT_DATA_DIR`` or the repository's ``data/`` folder (outside a checkout: ``~/.cache/cnnkit``);
2. files already on the machine: the Keras cache (``KERAS_HOME`` or ``~/.keras``) and Debian's
   ``dataset-fashion-mnist`` package;
3. a download from ``CNNKIT_DATA_MIRROR`` (when set; https, http or file only) or the canonical
   URL, with a progress line that counts bytes, a checksum and an atomic rename (no half-written
   file survives). All attempts for one file share one deadline (DOWNLOAD_DEADLINE_SECONDS), every
   read has a silence limit and the transfer a minimum speed, headers included, and a file never
   grows past the size it can have (:mod:`cnnkit.datasets.transfer`).

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
import urllib.error
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from cnnkit.datasets import transfer
from cnnkit.datasets.transfer import DownloadTooSlowError

REPOSITORY_DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEBIAN_DIRS = {"fashion_mnist": Path("/usr/share/datasets/fashion-mnist")}
DEBIAN_PACKAGES = {"fashion_mnist": "dataset-fashion-mnist"}
# Every download attempt for one file (each mirror, then the canonical host) together ends
# within this many seconds, whatever the servers do; CNNKIT_DOWNLOAD_SECONDS overrides it.
DOWNLOAD_DEADLINE_SECONDS = 60.0
# Longest wait for any single read (connect, name lookup, headers, body); with several places to
# try, each gets at most its share of what is left of the deadline, so one silent mirror cannot
# use up the time of the canonical host.
READ_TIMEOUT_SECONDS = 30.0
# A transfer slower than this, measured over each window, headers and chunk lines included, is
# abandoned with a clear error: a trickling server would otherwise keep the notebook waiting.
MINIMUM_BYTES_PER_SECOND = 2048
SPEED_WINDOW_SECONDS = 15.0
# A file whose size is not recorded is never downloaded past this many bytes.
UNKNOWN_SIZE_MAX_BYTES = 256 * 1024 * 1024
# A .part file untouched this long belongs to a download that was killed; it is removed.
STALE_PART_SECONDS = 15 * 60


class DatasetNotFoundError(FileNotFoundError):
    """No source had a usable copy of a dataset file; the message lists what was tried and the fix."""


class CorruptedFileWarning(UserWarning):
    """A dataset file exists but its checksum is wrong; it was skipped."""


class UnreadableFileWarning(UserWarning):
    """A dataset file exists but cannot be read (permissions, a folder of that name...); it was skipped."""


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset and the checksums that a good copy matches.

    ``sha256`` lists accepted digests of the file's bytes; ``gzip_content_sha256`` accepted digests
    of a .gz file's decompressed bytes (Debian re-compresses, so its .gz bytes differ from upstream).
    ``size`` is the canonical file's size in bytes and ``decompressed_size`` the size of a .gz
    file's content: they cap downloads and decompression (:meth:`max_download_bytes`).
    """

    name: str
    url: str
    sha256: tuple[str, ...] = ()
    gzip_content_sha256: tuple[str, ...] = ()
    md5: tuple[str, ...] = ()
    keras_cache_subdir: str = ""
    size: int | None = None
    decompressed_size: int | None = None

    def max_download_bytes(self) -> int:
        """The most bytes a good copy can have.

        ``size`` when only the exact bytes are accepted. When any gzip of the content is accepted,
        also the largest gzip of ``decompressed_size`` bytes: stored deflate blocks add 5 bytes per
        65,535, plus 1 KiB of header room. UNKNOWN_SIZE_MAX_BYTES when neither size is known.
        """
        limits = [self.size] if self.size else []
        if self.gzip_content_sha256:
            if not self.decompressed_size:
                return max([UNKNOWN_SIZE_MAX_BYTES, *limits])
            content = self.decompressed_size
            limits.append(content + 5 * (content // 65_535 + 1) + 1024)
        return max(limits) if limits else UNKNOWN_SIZE_MAX_BYTES


@dataclass
class SearchReport:
    """What was tried while looking for one file."""

    tried: list[str] = field(default_factory=list)
    corrupted: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    timed_out: bool = False  # a download hit the deadline or was too slow


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


class _InflatesTooFar(ValueError):
    """A .gz file inflates past the size its content has (a gzip bomb, or another file)."""


def _digest(
    path: Path, algorithm: str, *, decompress: bool = False, limit: int | None = None
) -> str:
    """Hex digest of the file's bytes, or of its gzip content (``decompress=True``).

    With ``limit``, at most ``limit + 1`` bytes are ever inflated: one byte more than the content
    can have raises _InflatesTooFar, so a gzip bomb costs milliseconds, not gigabytes.
    """
    digest = hashlib.new(algorithm)
    opener = gzip.open if decompress else open
    produced = 0
    with opener(path, "rb") as handle:
        while True:
            want = 1 << 20 if limit is None else min(1 << 20, limit + 1 - produced)
            block = handle.read(want)
            if not block:
                break
            produced += len(block)
            if limit is not None and produced > limit:
                raise _InflatesTooFar(f"{path} inflates to more than {limit:,} bytes")
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
        # The content can be no larger than the recorded size (a bomb stops there).
        limit = spec.decompressed_size or UNKNOWN_SIZE_MAX_BYTES
        try:
            if _digest(path, "sha256", decompress=True, limit=limit) in spec.gzip_content_sha256:
                return "valid"
        except (OSError, EOFError, gzip.BadGzipFile, _InflatesTooFar):
            pass  # not gzip, truncated, or too large: a bad copy
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
    """The mirror (``CNNKIT_DATA_MIRROR``) first when set, then the canonical URL.

    A mirror that is not https, http or file raises UnsupportedURLError (before any connection).
    """
    urls = []
    mirror = os.environ.get("CNNKIT_DATA_MIRROR", "").strip()
    if mirror:
        transfer.refuse_unsupported(mirror, "CNNKIT_DATA_MIRROR")
        urls.append(f"{mirror.rstrip('/')}/{spec.name}")
    urls.append(spec.url)
    return urls


def download_deadline_seconds() -> float:
    """Seconds that all download attempts of one file get together: ``CNNKIT_DOWNLOAD_SECONDS``
    when set (for a slow network), else DOWNLOAD_DEADLINE_SECONDS."""
    configured = os.environ.get("CNNKIT_DOWNLOAD_SECONDS", "").strip()
    if not configured:
        return DOWNLOAD_DEADLINE_SECONDS
    try:
        seconds = float(configured[:40])
    except ValueError:
        seconds = float("nan")
    if not 0 < seconds <= 86_400:
        raise ValueError(
            f"CNNKIT_DOWNLOAD_SECONDS must be a number of seconds between 0 and 86400, "
            f"got {configured[:40]!r}; unset it for the default {DOWNLOAD_DEADLINE_SECONDS:g} s."
        )
    return seconds


def download(
    url: str,
    destination: Path,
    spec: RemoteFile,
    *,
    progress: bool = True,
    deadline: float | None = None,
    silence_seconds: float | None = None,
) -> Path:
    """Download ``url`` to ``destination`` within bounds, verify it, then rename it into place.

    The bytes go to a temporary file beside ``destination`` (``.<name>.<random>.part``), so no
    half-written file ever has the final name; it is checked against every checksum ``spec``
    accepts and only then moved into place with ``os.replace``. Bounds (:mod:`.transfer`): the
    ``deadline`` (a ``time.monotonic()`` value; default now + :func:`download_deadline_seconds`),
    at most ``silence_seconds`` (default READ_TIMEOUT_SECONDS) without a byte, at least
    MINIMUM_BYTES_PER_SECOND over every SPEED_WINDOW_SECONDS window, headers and chunk lines
    included, and at most ``spec.max_download_bytes()`` bytes. The progress line counts bytes.
    """
    transfer.refuse_unsupported(url)
    if deadline is None:
        deadline = time.monotonic() + download_deadline_seconds()
    limits = transfer.Transfer(
        url,
        deadline=deadline,
        deadline_seconds=download_deadline_seconds(),
        silence_seconds=READ_TIMEOUT_SECONDS if silence_seconds is None else silence_seconds,
        minimum_bytes_per_second=MINIMUM_BYTES_PER_SECOND,
        window_seconds=SPEED_WINDOW_SECONDS,
    )
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, staging_name = tempfile.mkstemp(
        prefix=f".{destination.name}.", suffix=".part", dir=destination.parent
    )
    staging = Path(staging_name)
    shown = transfer.Progress(spec.name, url, enabled=progress)
    try:
        with os.fdopen(handle, "wb") as target:
            transfer.copy_url(
                url, target, limits, max_bytes=spec.max_download_bytes(), progress=shown
            )
        if not is_valid(staging, spec):
            raise ValueError(
                f"{url} sent a file that does not match the checksum of {spec.name} "
                "(a wrong file, or a login page of a filtered network)"
            )
        os.replace(staging, destination)
    finally:
        shown.finish()  # end the progress line before any error is shown
        # Interrupted, failed or corrupt: never leave a half-written file behind.
        staging.unlink(missing_ok=True)
    return destination


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
        downloaded = _download_somewhere(dataset, spec, report)
        if downloaded is not None:
            return downloaded
    raise DatasetNotFoundError(_not_found_message(dataset, spec, report))


def _download_somewhere(dataset: str, spec: RemoteFile, report: SearchReport) -> Path | None:
    """Try every download URL in order within one deadline: the verified file, or None with
    each outcome recorded in ``report``.

    Each attempt may wait at most its share of the time left for a single read (the time left
    divided by the attempts left, and at most READ_TIMEOUT_SECONDS), so a silent mirror leaves
    time for the canonical host; a transfer that flows may use all the time left.
    """
    try:
        urls = download_urls(spec)
    except transfer.UnsupportedURLError as error:
        report.tried.append(f"{error} (nothing was downloaded; fix or unset it)")
        return None
    seconds = download_deadline_seconds()
    deadline = time.monotonic() + seconds
    destination = data_dir() / dataset / spec.name
    remove_stale_partial_files(destination.parent, spec.name)
    for index, url in enumerate(urls):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            report.tried.append(f"{url} (not tried: the {seconds:g} s download deadline passed)")
            report.timed_out = True
            continue
        report.tried.append(url)
        try:
            return download(
                url,
                destination,
                spec,
                deadline=deadline,
                silence_seconds=min(READ_TIMEOUT_SECONDS, remaining / (len(urls) - index)),
            )
        except Exception as error:  # every transport error ends here as one line
            reason = _reason(error)
            report.tried[-1] = f"{url} (failed: {reason})"
            # urllib wraps errors of the connect phase (lookup, connect, TLS) in a URLError.
            cause = (
                getattr(error, "reason", error) if type(error) is urllib.error.URLError else error
            )
            report.timed_out |= isinstance(cause, DownloadTooSlowError)
    return None


def _reason(error: Exception) -> str:
    """One line (at most 200 characters) saying why a download failed."""
    if isinstance(error, urllib.error.HTTPError):
        text = f"HTTP error {error.code}: {error.reason}"
        if "redirect" in str(error):
            text = f"redirect loop (HTTP {error.code}, redirected too many times)"
    elif isinstance(error, urllib.error.URLError):
        text = str(getattr(error.reason, "strerror", None) or error.reason)
    else:
        text = str(error) or type(error).__name__
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:197] + "..."


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
    if report.timed_out:
        lines.append(
            f"  - on a slow network, allow more time than {download_deadline_seconds():g} s: "
            "set CNNKIT_DOWNLOAD_SECONDS (for example 600);"
        )
    lines.append(
        "  - or work offline with the shipped sample: load(..., sample=True) where offered."
    )
    return "\n".join(lines)
