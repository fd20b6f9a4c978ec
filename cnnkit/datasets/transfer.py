"""Bounded transfers: copy one URL into an open file within a deadline, a minimum speed and a size cap.

Every byte that comes from the network, headers and chunk-size lines included, goes through one
guarded socket (:class:`_GuardedSocket`): before each read it checks the deadline and sets the
socket's timeout to ``min(silence limit, time left)``; after each read it checks the minimum
speed. So a server that trickles its headers one byte a second, or a chunk-size line, fails by
the deadline just as a trickled body does. Host names are resolved in a helper thread that is
abandoned at the deadline (the resolver itself has no timeout). Only ``https``, ``http`` and
``file`` URLs are opened, redirects included.
"""

from __future__ import annotations

import http.client
import io
import socket
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ALLOWED_SCHEMES = ("https", "http", "file")
BLOCK_BYTES = 64 * 1024  # one read from the network or a file
PROGRESS_INTERVAL_SECONDS = 0.25  # the progress line is redrawn at most this often


class DownloadTooSlowError(OSError):
    """The server was silent too long, too slow over a window, or the deadline passed."""


class DownloadTooLargeError(OSError):
    """The server sent (or announced) more bytes than the file can have."""


class UnsupportedURLError(ValueError):
    """A URL whose scheme is not https, http or file; refused before any connection."""


def refuse_unsupported(url: str, what: str = "URL") -> None:
    """Raise UnsupportedURLError unless ``url`` starts with https://, http:// or file://."""
    scheme = urllib.parse.urlsplit(url).scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = f"{scheme}://" if scheme else "no scheme"
        raise UnsupportedURLError(
            f"{what} {url[:80]!r} is refused: it uses {shown}, and only https://, http:// and "
            "file:// are supported"
        )


class Transfer:
    """The time limits of one attempt: a deadline (a ``time.monotonic()`` value), a silence limit
    (the longest wait for any single read) and a minimum speed over windows (the byte cap is
    :func:`copy_url`'s ``max_bytes``).

    ``record(count)`` is called for every read, network bytes of headers, chunk lines and body
    alike: it raises DownloadTooSlowError when a window of ``window_seconds`` brought fewer than
    ``minimum_bytes_per_second × elapsed`` bytes.
    """

    def __init__(
        self,
        url: str,
        *,
        deadline: float,
        silence_seconds: float,
        minimum_bytes_per_second: float,
        window_seconds: float,
        deadline_seconds: float,
    ):
        self.url = url
        self.deadline = deadline
        self.deadline_seconds = deadline_seconds  # what the deadline was, for messages
        self.silence_seconds = silence_seconds
        self.minimum_bytes_per_second = minimum_bytes_per_second
        self.window_seconds = window_seconds
        self.window_start = time.monotonic()
        self.window_bytes = 0

    def remaining(self) -> float:
        return self.deadline - time.monotonic()

    def read_timeout(self) -> float:
        """Seconds the next read may wait: the silence limit, or less when the deadline is near."""
        remaining = self.remaining()
        if remaining <= 0:
            raise self.deadline_error()
        return min(self.silence_seconds, remaining)

    def deadline_error(self) -> DownloadTooSlowError:
        return DownloadTooSlowError(
            f"timed out: the {self.deadline_seconds:g} s deadline for all download attempts "
            "together passed"
        )

    def timeout_error(self) -> DownloadTooSlowError:
        """The error for a read that timed out: the deadline, or the silence limit."""
        if self.remaining() <= 0.01:
            return self.deadline_error()
        return DownloadTooSlowError(f"timed out: no byte for {self.silence_seconds:.1f} s")

    def record(self, count: int) -> None:
        self.window_bytes += count
        elapsed = time.monotonic() - self.window_start
        if elapsed < self.window_seconds:
            return
        if self.window_bytes < self.minimum_bytes_per_second * elapsed:
            raise DownloadTooSlowError(
                f"too slow: {self.window_bytes:,} bytes in {elapsed:.1f} s (less than "
                f"{self.minimum_bytes_per_second:,g} bytes/s)"
            )
        self.window_start = time.monotonic()
        self.window_bytes = 0


class Progress:
    """A one-line progress display that counts bytes: ``name: 1,234 / 5,678 bytes (21%)``."""

    def __init__(self, name: str, url: str, *, enabled: bool, stream=None):
        self.name = name
        self.enabled = enabled
        self.stream = stream if stream is not None else sys.stdout
        self.total: int | None = None
        self.received = 0
        self.last_drawn = 0.0
        self.finished = False
        if enabled:
            # Keras's wording, which tests/test_committed_outputs.py looks for in notebooks.
            self.stream.write(f"Downloading data from {url}\n")

    def update(self, received: int, *, force: bool = False) -> None:
        self.received = received
        now = time.monotonic()
        if not self.enabled or (not force and now - self.last_drawn < PROGRESS_INTERVAL_SECONDS):
            return
        self.last_drawn = now
        if self.total:
            line = f"{self.name}: {received:,} / {self.total:,} bytes ({100 * received // self.total}%)"
        else:
            line = f"{self.name}: {received:,} bytes"
        self.stream.write("\r" + line)
        self.stream.flush()

    def finish(self) -> None:
        """Draw the final count and end the line (once; no count line when nothing arrived)."""
        if self.enabled and not self.finished and (self.received or self.last_drawn):
            self.finished = True
            self.update(self.received, force=True)
            self.stream.write("\n")
            self.stream.flush()


def copy_url(url: str, target, transfer: Transfer, *, max_bytes: int, progress: Progress) -> int:
    """Copy ``url`` into the open binary file ``target``; return the number of bytes copied.

    Raises DownloadTooSlowError (deadline, silence, speed), DownloadTooLargeError (more than
    ``max_bytes`` announced or received), UnsupportedURLError, or the transport's own OSError
    (refused connection, HTTP error, cut connection as ValueError).
    """
    refuse_unsupported(url)
    if urllib.parse.urlsplit(url).scheme.lower() == "file":
        return _copy_file_url(url, target, transfer, max_bytes=max_bytes, progress=progress)
    response = _opener(transfer).open(url, timeout=transfer.read_timeout())
    with response:
        announced = (response.headers.get("Content-Length") or "").strip()
        chunked = "chunked" in (response.headers.get("Transfer-Encoding") or "").lower()
        # With chunked encoding the length is not the body's (http.client ignores it too).
        expected = int(announced) if announced.isdigit() and not chunked else None
        if expected is not None and expected > max_bytes:
            raise DownloadTooLargeError(
                f"too large: it announces {expected:,} bytes, the file has at most {max_bytes:,}"
            )
        progress.total = expected
        received = 0
        while True:
            block = response.read1(BLOCK_BYTES)
            if not block:
                break
            received += len(block)
            if received > max_bytes:
                raise DownloadTooLargeError(
                    f"too large: it sent more than {max_bytes:,} bytes, the most the file can have"
                )
            target.write(block)
            progress.update(received)
        if expected is not None and received != expected:
            raise ValueError(f"connection cut after {received:,} of {expected:,} bytes")
    return received


def _copy_file_url(url: str, target, transfer: Transfer, *, max_bytes: int, progress: Progress):
    parts = urllib.parse.urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise UnsupportedURLError(f"file URL {url[:80]!r} names a host; use file:///path")
    path = Path(urllib.request.url2pathname(parts.path))
    if not path.is_file():  # also refuses a FIFO, whose open() would wait forever
        raise FileNotFoundError(f"no such file: {path}")
    size = path.stat().st_size
    if size > max_bytes:
        raise DownloadTooLargeError(
            f"too large: {size:,} bytes, the file has at most {max_bytes:,}"
        )
    progress.total = size
    received = 0
    with open(path, "rb") as source:
        for block in iter(lambda: source.read(BLOCK_BYTES), b""):
            transfer.read_timeout()  # raises once the deadline has passed
            received += len(block)
            if received > max_bytes:  # the file grew while being read
                raise DownloadTooLargeError(f"too large: more than {max_bytes:,} bytes")
            target.write(block)
            progress.update(received)
    return received


def _opener(transfer: Transfer) -> urllib.request.OpenerDirector:
    """urllib's machinery for http and https only: proxies from the environment, redirects
    (refused to any other scheme), HTTP errors as exceptions, every connection guarded."""
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.ProxyHandler(),
        urllib.request.UnknownHandler(),
        _GuardedHTTPHandler(transfer),
        _GuardedHTTPSHandler(transfer),
        urllib.request.HTTPDefaultErrorHandler(),
        _SchemeCheckingRedirectHandler(),
        urllib.request.HTTPErrorProcessor(),
    ):
        opener.add_handler(handler)
    return opener


class _SchemeCheckingRedirectHandler(urllib.request.HTTPRedirectHandler):
    """urllib's redirects, but a redirect to ftp:// (which urllib follows) is refused."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        target = urllib.parse.urljoin(req.full_url, newurl)
        scheme = urllib.parse.urlsplit(target).scheme.lower()
        if scheme not in ("https", "http"):
            raise UnsupportedURLError(f"redirect to {target[:80]!r} refused (only http/https)")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class _GuardedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, transfer: Transfer):
        super().__init__()
        self.transfer = transfer

    def http_open(self, req):
        return self.do_open(_connection_class(http.client.HTTPConnection, self.transfer), req)


class _GuardedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, transfer: Transfer):
        super().__init__()
        self.transfer = transfer

    def https_open(self, req):
        # No context given: http.client's default one (certificates and host name verified).
        return self.do_open(_connection_class(http.client.HTTPSConnection, self.transfer), req)


def _connection_class(base: type, transfer: Transfer) -> type:
    """``base`` (HTTPConnection or HTTPSConnection) whose name lookup and connect are bounded by
    ``transfer`` and whose socket, once connected (and TLS set up), is a :class:`_GuardedSocket`."""

    class GuardedConnection(base):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # http.client's connect() opens its socket through this attribute
            # (socket.create_connection by default); replacing it bounds lookup and connect.
            self._create_connection = self._bounded_create_connection

        def _bounded_create_connection(self, address, timeout=None, source_address=None):
            host, port = address
            errors = []
            for family, kind, proto, _, sockaddr in _resolve(host, port, transfer):
                sock = socket.socket(family, kind, proto)
                try:
                    sock.settimeout(transfer.read_timeout())
                    if source_address:
                        sock.bind(source_address)
                    sock.connect(sockaddr)
                    return sock
                except TimeoutError:
                    sock.close()
                    raise transfer.timeout_error() from None
                except OSError as error:
                    sock.close()
                    errors.append(error)
            raise errors[0] if errors else OSError(f"no address for {host}")

        def connect(self):
            super().connect()
            self.sock.settimeout(transfer.read_timeout())
            self.sock = _GuardedSocket(self.sock, transfer)

    return GuardedConnection


def _resolve(host: str, port: int, transfer: Transfer) -> list:
    """``socket.getaddrinfo`` bounded by the transfer's read timeout: the lookup runs in a daemon
    thread that is abandoned (not waited for) when it takes too long."""
    result: dict = {}

    def lookup():
        try:
            result["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            result["error"] = error

    thread = threading.Thread(target=lookup, daemon=True, name=f"resolve {host}")
    thread.start()
    waited = transfer.read_timeout()
    thread.join(waited)
    if thread.is_alive():
        if transfer.remaining() <= 0.01:
            raise transfer.deadline_error()
        raise DownloadTooSlowError(f"timed out: looking up {host} took over {waited:.1f} s")
    if "error" in result:
        raise OSError(f"cannot resolve {host}: {result['error']}")
    return result["infos"]


class _GuardedSocket:
    """A connected socket whose reads (through ``makefile``) are bounded by a Transfer."""

    def __init__(self, sock, transfer: Transfer):
        self._sock = sock
        self._transfer = transfer

    def makefile(self, mode="rb", *args, **kwargs):
        # The unbuffered SocketIO keeps the real socket open until the response is closed, as a
        # plain socket's makefile does (urllib closes the connection's socket right away).
        raw = self._sock.makefile("rb", buffering=0)
        return io.BufferedReader(_GuardedReader(raw, self._sock, self._transfer))

    def __getattr__(self, name):  # sendall, close, settimeout...: the socket's own
        return getattr(self._sock, name)


class _GuardedReader(io.RawIOBase):
    """Raw reads from a socket: deadline checked and timeout set before each, speed after."""

    def __init__(self, raw, sock, transfer: Transfer):
        self._raw = raw
        self._sock = sock
        self._transfer = transfer

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self._sock.settimeout(self._transfer.read_timeout())
        try:
            count = self._raw.readinto(buffer)
        except TimeoutError:
            raise self._transfer.timeout_error() from None
        self._transfer.record(count or 0)
        return count

    def close(self) -> None:
        self._raw.close()
        super().close()
