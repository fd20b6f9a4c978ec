"""Debian's Chromium driven by the Python ``playwright`` package, for printing and browser tests.

Playwright cannot download its own browsers here (no internet), so it is always pointed at the
Chromium the machine has (``/usr/bin/chromium``, or ``CNNKIT_CHROMIUM``), started with the flags
that keep it off the network.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class BrowserNotFoundError(RuntimeError):
    """No Chromium, or no playwright package; the message says what to install."""


def find_chromium() -> str:
    """Path of the Chromium executable: ``CNNKIT_CHROMIUM``, ``chromium`` or ``chromium-browser``."""
    for candidate in (os.environ.get("CNNKIT_CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    raise BrowserNotFoundError(
        "No Chromium on this machine: install Debian's chromium (apt-get install chromium; "
        "make site-deps does it as root) or set CNNKIT_CHROMIUM to a Chromium executable."
    )


@contextlib.contextmanager
def chromium_context(**options):
    """A fresh headless Chromium context (new empty profile), closed on exit."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise BrowserNotFoundError(
            "The Python package playwright is not installed: pip install -e '.[dev]'."
        ) from None
    executable = find_chromium()
    with tempfile.TemporaryDirectory(prefix="cnnkit-chromium-") as profile:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                profile, executable_path=executable, args=CHROMIUM_ARGS, headless=True, **options
            )
            try:
                yield context
            finally:
                context.close()


FOOTER = (
    "<div style='font-size:8pt;width:100%;text-align:center;color:#555'>"
    "cnnkit · <span class='pageNumber'></span> / <span class='totalPages'></span></div>"
)
#: Playwright's page.pdf options for every A4 page the kit prints (the sheet, the book).
A4_PDF_OPTIONS = {
    # A4 is 793.7 × 1122.5 CSS pixels; Chromium rounds a page size up to whole pixels, so
    # "210mm" (or format="A4") comes out 0.6 pt wider than A4. Whole pixels just inside:
    "width": "793px",
    "height": "1122px",
    "print_background": True,
    "display_header_footer": True,
    "header_template": "<span></span>",
    "footer_template": FOOTER,
    "margin": {"top": "14mm", "bottom": "16mm", "left": "12mm", "right": "12mm"},
    "tagged": True,
}


def print_to_pdf(page_path: Path, pdf_path: Path, *, timeout_ms: int = 300_000) -> Path:
    """Open a local HTML page, let its maths typeset, and print it to an A4 PDF with page numbers."""
    with chromium_context() as context:
        page = context.new_page()
        page.set_default_timeout(timeout_ms)
        page.goto(Path(page_path).resolve().as_uri(), wait_until="load")
        # MathJax 2 typesets after load; wait until its queue is empty.
        page.wait_for_function(
            "() => !window.MathJax || (MathJax.isReady && MathJax.Hub.queue.pending === 0 "
            "&& MathJax.Hub.queue.running === 0)"
        )
        page.emulate_media(media="print")
        page.pdf(path=str(pdf_path), outline=True, **A4_PDF_OPTIONS)
    return pdf_path
