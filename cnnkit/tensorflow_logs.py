"""Quiet TensorFlow's start-up lines in ``ck.setup()`` while its errors still show.

Nothing here runs at ``import cnnkit``: :func:`cnnkit.settings.setup` calls it. Two kinds of
noise reach a notebook from TensorFlow 2.2x:

- C++ log lines after logging starts (``I``/``W`` records): ``TF_CPP_MIN_LOG_LEVEL=2`` hides
  them and keeps ``E`` (error) and ``F`` (fatal) records; set before TensorFlow is imported,
  and only when the student has not chosen a level.
- lines printed *before* absl logging starts (the oneDNN, "Could not find cuda drivers" and
  CPU-feature lines, measured with TensorFlow 2.21): no log level hides them, so
  :func:`startup_lines_filtered` catches file descriptor 2 for the duration of the import and
  writes back every line except ``I``/``W`` records and absl's "before InitializeLog" banner.
  Error records and anything else (a Python warning, an unknown line) pass through.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import tempfile

LOG_LEVEL_VARIABLE = "TF_CPP_MIN_LOG_LEVEL"
#: 2 hides TensorFlow's C++ INFO and WARNING records, never ERROR or FATAL (3 would hide errors).
LOG_LEVEL = "2"

#: An absl record: severity letter, date (MMDD), time (before absl starts logging TensorFlow 2.21
#: writes 00:00:<seconds since 1970>), thread, file:line] message.
_RECORD = re.compile(r"^([IWEF])\d{4} [\d:.]+\s+\d+\s+\S+:\d+\]")
_BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
#: Lines Python writes itself (a warning, a traceback): always kept, never taken as continuation.
_PYTHON_LINE = re.compile(r"^(Traceback |\S+:\d+: \w*(Warning|Error)\b|\w+(Error|Exception)\b)")


def kept_lines(text: str, drop_containing: tuple[str, ...] = ()) -> str:
    """``text`` without TensorFlow's start-up noise.

    Drops absl ``I`` and ``W`` records (with their continuation lines, e.g. the CPU-feature
    message's second line), absl's banner, and records containing one of ``drop_containing``;
    keeps ``E``/``F`` records, Python's own lines and anything it does not recognise.
    """
    kept, dropping = [], False
    for line in text.splitlines(keepends=True):
        record = _RECORD.match(line)
        if record:
            dropping = record.group(1) in "IW" or any(part in line for part in drop_containing)
        elif line.strip() == _BANNER:
            dropping = True
            continue
        elif _PYTHON_LINE.match(line):
            dropping = False
        if not dropping:
            kept.append(line)
    return "".join(kept)


class StartupLines:
    """What :func:`startup_lines_filtered` drops besides I/W records (see :meth:`drop_containing`)."""

    def __init__(self) -> None:
        self.extra: list[str] = []

    def drop_containing(self, text: str) -> None:
        """Also drop error records containing ``text`` (a known-harmless error, e.g. no GPU)."""
        self.extra.append(text)


@contextlib.contextmanager
def startup_lines_filtered():
    """Catch file descriptor 2 for the block, then write back :func:`kept_lines` of it.

    File descriptor 2 because TensorFlow's C++ code writes there directly, past Python's
    ``sys.stderr``. A temporary file (not a pipe) holds the lines, so a long burst cannot block
    the writer. Without a usable descriptor 2 (some embedded interpreters) the block runs as is.
    """
    startup = StartupLines()
    try:
        stderr_fd = sys.__stderr__.fileno()
    except (AttributeError, OSError, ValueError):
        yield startup
        return
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    saved_fd = os.dup(stderr_fd)
    with tempfile.TemporaryFile(mode="w+b") as caught:
        os.dup2(caught.fileno(), stderr_fd)
        try:
            yield startup
        finally:
            with contextlib.suppress(Exception):
                sys.__stderr__.flush()
            os.dup2(saved_fd, stderr_fd)
            os.close(saved_fd)
            caught.seek(0)
            text = caught.read().decode("utf-8", errors="replace")
            remaining = kept_lines(text, tuple(startup.extra))
            if remaining:
                os.write(stderr_fd, remaining.encode("utf-8"))


def quiet_tensorflow_logs() -> None:
    """Hide TensorFlow's INFO and WARNING log lines from now on, keep its errors.

    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` unless the student set a level (read by TensorFlow's C++
    code when it is imported, so call this first), and, when TensorFlow is imported, the Python
    loggers of TensorFlow and absl to ERROR.
    """
    os.environ.setdefault(LOG_LEVEL_VARIABLE, LOG_LEVEL)
    if "tensorflow" in sys.modules:
        sys.modules["tensorflow"].get_logger().setLevel(logging.ERROR)
    absl_logging = sys.modules.get("absl.logging")
    if absl_logging is not None:
        absl_logging.set_verbosity(absl_logging.ERROR)


def import_tensorflow():
    """``import tensorflow``, with its start-up lines filtered the first time (errors still show)."""
    if "tensorflow" in sys.modules:
        return sys.modules["tensorflow"]
    with startup_lines_filtered():
        import tensorflow
    return tensorflow
