"""``make lab``: the student's copies in ``work/``, the landing page, and JupyterLab started safely.

What ``python -m cnnkit.authoring lab`` does, in order:

1. copies every chapter, exercise and solution notebook that has no copy yet into ``work/``
   (same layout: ``work/notebooks/``, ``work/exercises/``, ``work/exercises/solutions/``).
   git ignores ``work/``; the committed reference pages with their full-mode outputs are never
   written by the student's runs and saves. A copy is never overwritten: delete it to get the
   reference page again on the next start.
2. writes the landing page ``START_HERE.ipynb`` at the repository root (git ignores it too; it is
   rewritten on every start from the notebooks on disk, so it cannot drift from the chapter list);
3. starts JupyterLab at the repository root on that page: on 127.0.0.1, a free port from 8888
   on, a token, ``--allow-root`` only when we are root, no browser when there is no display;
   then prints the address to open.
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat

WORK_DIR = "work"
LANDING_PAGE = "START_HERE.ipynb"
DEFAULT_PORT = 8888

_TITLE_PREFIX = re.compile(r"^(chapter\s+)?\d+\s*[:.]?\s*", re.IGNORECASE)


# --- what the course holds ------------------------------------------------------------------------


def chapter_notebooks(root: Path) -> list[Path]:
    """The chapter notebooks ``notebooks/NN_name.ipynb``, relative to ``root``, in order."""
    return sorted(
        path.relative_to(root) for path in (root / "notebooks").glob("[0-9][0-9]_*.ipynb")
    )


def exercise_notebooks(root: Path, *, solutions: bool = False) -> list[Path]:
    """``exercises/NN_name.ipynb`` (or ``exercises/solutions/...``), relative to ``root``."""
    folder = root / "exercises" / ("solutions" if solutions else "")
    return sorted(path.relative_to(root) for path in folder.glob("[0-9][0-9]_*.ipynb"))


def reference_notebooks(root: Path) -> list[Path]:
    """Every notebook the landing page links and ``work/`` holds a copy of."""
    return (
        chapter_notebooks(root)
        + exercise_notebooks(root)
        + exercise_notebooks(root, solutions=True)
    )


def chapter_title(root: Path, notebook: Path) -> str:
    """'Convolution (卷积)' from the first '# ' heading of the chapter (its source when present)."""
    source = root / "notebooks" / "src" / f"{notebook.stem}.py"
    if source.exists():
        lines = [line[2:] for line in source.read_text(encoding="utf-8").splitlines()]
    else:
        lines = []
        for cell in nbformat.read(root / notebook, as_version=4).cells:
            if cell.cell_type == "markdown":
                lines += cell.source.splitlines()
    for line in lines:
        if line.startswith("# "):
            return _TITLE_PREFIX.sub("", line[2:].strip())
    return notebook.stem


# --- the student's copies -------------------------------------------------------------------------


def prepare_work(root: Path) -> list[Path]:
    """Copy each reference notebook that has no copy in ``work/`` yet; returns the copies made."""
    made = []
    for notebook in reference_notebooks(root):
        copy = root / WORK_DIR / notebook
        if copy.exists():
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes((root / notebook).read_bytes())
        made.append(copy.relative_to(root))
    return made


# --- the landing page -----------------------------------------------------------------------------

_INTRO = """\
# Start here: the cnnkit course

Open a chapter, then its exercises. **Your work goes in `{work}/`**: the links below open your
own copies there (git ignores that folder), so run, edit and save them freely. The reference
pages, with the full-mode outputs that were committed, stay untouched for you to compare with."""

_HOW = """\
## How this works

- **Start one notebook over:** delete your copy in `{work}/` and run `make lab` again; it copies
  the reference page back. Your other copies are never overwritten.
- **A reference page was run or saved by mistake:** `make restore` puts the committed reference
  pages back (`git checkout HEAD -- 'notebooks/*.ipynb' 'exercises/*.ipynb'`); `{work}/` is not
  touched.
- **Run** a cell with Shift+Enter, a whole notebook with *Run → Run All Cells*. Chapters run in
  full mode (minutes each on a laptop CPU); `CNNKIT_QUICK=1 make lab` starts a small, fast mode.
- **Exercises:** fill in the `...`, run the check cell: it says **correct**, **incorrect** with a
  message that teaches, or **not attempted**. `q1.hint()` gives one hint at a time,
  `q1.solution()` shows the answer.
- **Colab:** every notebook's first line has an *Open in Colab* badge; its first code cell
  installs cnnkit there.

This page is rewritten by `make lab` on every start (from `cnnkit/authoring/lab.py`)."""


def _link(path: Path, text: str) -> str:
    return f"[{text}]({path.as_posix()})"


def landing_markdown(root: Path) -> list[str]:
    """The landing page's Markdown cells: how the course works, then one table row per chapter."""
    exercises = {path.name for path in exercise_notebooks(root)}
    solutions = {path.name for path in exercise_notebooks(root, solutions=True)}
    work = Path(WORK_DIR)
    rows = [
        "| # | chapter | your copy | exercises | solutions | reference page |",
        "|---|---|---|---|---|---|",
    ]
    for notebook in chapter_notebooks(root):
        name = notebook.name
        exercise = (
            _link(work / "exercises" / name, "exercises")
            if name in exercises
            else "practice problems inside"
        )
        solution = (
            _link(work / "exercises" / "solutions" / name, "solutions") if name in solutions else ""
        )
        rows.append(
            f"| {name[:2]} | {chapter_title(root, notebook)} | {_link(work / notebook, name)} "
            f"| {exercise} | {solution} | {_link(notebook, 'committed outputs')} |"
        )
    orphans = sorted((exercises | solutions) - {path.name for path in chapter_notebooks(root)})
    if orphans:
        raise ValueError(
            f"exercise notebooks without a chapter notebook: {orphans}; "
            "name each exercise notebook like its chapter (notebooks/NN_name.ipynb)"
        )
    return [_INTRO.format(work=WORK_DIR), "\n".join(rows), _HOW.format(work=WORK_DIR)]


def landing_notebook(root: Path) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "display_name": "Python 3",
        "language": "python",
        "name": "python3",
    }
    notebook.cells = [nbformat.v4.new_markdown_cell(text) for text in landing_markdown(root)]
    return notebook


def write_landing(root: Path) -> Path:
    path = root / LANDING_PAGE
    nbformat.write(landing_notebook(root), path)
    return path


# --- JupyterLab -----------------------------------------------------------------------------------


def has_display() -> bool:
    """True where a browser can open a window: macOS, Windows, or X11/Wayland on Linux."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def free_port(start: int = DEFAULT_PORT, host: str = "127.0.0.1", tries: int = 50) -> int:
    """The first port from ``start`` on that nobody listens on."""
    for port in range(start, start + tries):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {start}..{start + tries - 1}; pass --port")


def lab_command(
    root: Path,
    *,
    port: int,
    ip: str = "127.0.0.1",
    open_browser: bool | None = None,
    python: str = sys.executable,
) -> list[str]:
    """The JupyterLab command line of ``make lab`` (the token comes from ``JUPYTER_TOKEN``)."""
    if open_browser is None:
        open_browser = has_display()
    command = [
        python,
        "-m",
        "jupyter",
        "lab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.ip={ip}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--LabApp.default_url=/lab/tree/{LANDING_PAGE}",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # containers and cloud machines run as root; say so
    if not open_browser:
        command.append("--no-browser")
    return command


def landing_url(ip: str, port: int, token: str) -> str:
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    return f"http://{host}:{port}/lab/tree/{LANDING_PAGE}?token={token}"


def wait_until_serving(ip: str, port: int, token: str, process, timeout: float = 120.0) -> bool:
    """Poll the server's /api/status until it answers (False when it died or timed out)."""
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        try:
            request = urllib.request.Request(
                f"http://{host}:{port}/api/status",
                headers={"Authorization": f"token {token}"},
            )
            with urllib.request.urlopen(request, timeout=2):
                return True
        except OSError:
            time.sleep(0.5)
    return False


def run_lab(root: Path, *, port: int | None, ip: str, open_browser: bool | None) -> int:
    """Prepare ``work/`` and the landing page, start JupyterLab, print the address, wait."""
    root = Path(root).resolve()
    made = prepare_work(root)
    if made:
        print(
            f"cnnkit: copied {len(made)} notebooks into {WORK_DIR}/ (your copies; git ignores them)"
        )
    write_landing(root)
    port = port or free_port(DEFAULT_PORT, "127.0.0.1" if ip == "0.0.0.0" else ip)
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    environment = dict(os.environ, JUPYTER_TOKEN=token)  # env, not argv: `ps` shows argv
    command = lab_command(root, port=port, ip=ip, open_browser=open_browser)
    process = subprocess.Popen(command, env=environment)
    # Ctrl+C reaches JupyterLab too (same process group); it asks, or stops on the second one.
    # We only wait for it, so that `make lab` ends when JupyterLab does.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if wait_until_serving(ip, port, token, process):
        print(
            f"\ncnnkit: JupyterLab serves the course from {root}\n"
            f"    open this address in your browser:  {landing_url(ip, port, token)}\n"
            "    stop it with Ctrl+C, twice\n",
            flush=True,
        )
    return process.wait()
