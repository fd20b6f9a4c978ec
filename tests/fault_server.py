"""A local HTTP server on 127.0.0.1 that misbehaves on purpose, for download fault tests.

Each path names a fault: ``/ok/<name>`` serves the file, ``/killed/<name>`` closes the connection
half-way through the body, ``/trickle/<name>`` sends one byte at a time slowly, ``/silent/<name>``
accepts the connection and never answers, ``/portal/<name>`` answers with an HTML login page,
``/redirect/<name>`` redirects to itself forever, ``/wrong/<name>`` serves other bytes,
``/slowheaders/<name>`` sends its status line and headers one byte every ``header_interval``
seconds, ``/slowchunk/<name>`` sends chunked headers and then a chunk-size line (``000...``) one
byte every ``header_interval`` seconds, ``/endless/<name>`` sends the file over and over without
Content-Length until the client gives up, ``/noheader/<name>`` serves the file without
Content-Length, ``/liar/<name>`` announces a Content-Length of 10**12, ``/toftp/<name>``
redirects to ftp://. Every request's path is recorded in ``requests``. Slow and silent faults
give up after ``give_up_seconds`` (closing the connection), so a client without bounds makes its
test fail on the time it took instead of hanging the suite. With ``tls=(certificate,
key)`` it speaks https (:func:`self_signed_certificate` makes a pair for 127.0.0.1).
"""

from __future__ import annotations

import http.server
import ssl
import subprocess
import threading
import time
from pathlib import Path

PORTAL_PAGE = b"<html><body><h1>Campus Wi-Fi</h1><form>Log in to continue</form></body></html>"


class FaultServer:
    """Start with ``with FaultServer(files) as server:``; ``server.url(fault, name)``."""

    def __init__(
        self,
        files: dict[str, bytes],
        trickle_interval: float = 0.2,
        header_interval: float = 1.0,
        tls: tuple[Path, Path] | None = None,
        give_up_seconds: float = 15.0,
    ):
        self.files = files
        self.trickle_interval = trickle_interval
        self.header_interval = header_interval
        self.give_up_seconds = give_up_seconds
        self.requests: list[str] = []
        self._stop = threading.Event()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output clean
                pass

            def trickle(self, data: bytes, interval: float) -> None:
                """Write ``data`` one byte per ``interval`` until done, stopped, cut or given up."""
                give_up = time.monotonic() + outer.give_up_seconds
                for index in range(len(data)):
                    if outer._stop.wait(interval) or time.monotonic() > give_up:
                        return
                    try:
                        self.wfile.write(data[index : index + 1])
                        self.wfile.flush()
                    except OSError:
                        return

            def do_GET(self):  # noqa: N802 (the name http.server requires)
                outer.requests.append(self.path)
                _, fault, name = self.path.split("/", 2)
                body = outer.files.get(name)
                if body is None:
                    self.send_error(404)
                    return
                if fault == "silent":
                    outer._stop.wait(outer.give_up_seconds)
                    return
                if fault == "slowheaders":
                    self.close_connection = True
                    head = f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n"
                    self.trickle(head.encode() + body, outer.header_interval)
                    return
                if fault == "slowchunk":
                    self.close_connection = True
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                    self.wfile.flush()
                    self.trickle(b"0" * 10_000, outer.header_interval)
                    return
                if fault == "endless":
                    self.close_connection = True
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n")
                    give_up = time.monotonic() + outer.give_up_seconds
                    sent = 0  # at most 64 MiB: a client without a size cap fails, not the disk
                    while (
                        not outer._stop.is_set() and time.monotonic() < give_up and sent < 1 << 26
                    ):
                        sent += len(body)
                        try:
                            self.wfile.write(body)
                        except OSError:
                            return
                    return
                if fault == "toftp":
                    self.send_response(302)
                    self.send_header("Location", f"ftp://127.0.0.1:9/{name}")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if fault == "noheader":
                    self.close_connection = True
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)
                    return
                if fault == "liar":
                    self.close_connection = True
                    self.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000000000\r\n\r\n")
                    self.wfile.write(body)
                    return
                if fault == "redirect":
                    self.send_response(302)
                    self.send_header("Location", self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if fault == "portal":
                    body = PORTAL_PAGE
                if fault == "wrong":
                    body = bytes(reversed(body))
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header(
                    "Content-Type", "text/html" if fault == "portal" else "application/octet-stream"
                )
                self.end_headers()
                if fault == "killed":
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if fault == "trickle":
                    self.trickle(body, outer.trickle_interval)
                    return
                self.wfile.write(body)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.scheme = "https" if tls else "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, fault: str, name: str) -> str:
        host, port = self.server.server_address[:2]
        return f"{self.scheme}://{host}:{port}/{fault}/{name}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)
        time.sleep(0.05)


def partial_files(folder: Path) -> list[Path]:
    """Every file left in ``folder`` (recursively): after a failed download there must be none."""
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for https://127.0.0.1, made with the openssl command."""
    certificate, key = folder / "certificate.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(certificate), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return certificate, key
