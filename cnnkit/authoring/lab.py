"""``make lab``: the student's copies in ``work/``, the landing page, and JupyterLab started safely.

What ``python -m cnnkit.authoring lab`` does, in order:

1. copies every chapter, exercise and solution notebook that has no copy yet into ``work/``
   (``work/notebooks/NN_name.ipynb``, ``work/exercises/NN_name_exercises.ipynb``,
   ``work/exercises/solutions/NN_name_solutions.ipynb``: a chapter and its exercises open as
   two tabs with different names). git ignores ``work/``; the committed reference pages with
   their full-mode outputs are never written by the student's runs and saves. A copy is never
   overwritten: delete it to get the reference page again on the next start.
2. writes the landing page ``START_HERE.ipynb`` at the repository root (git ignores it too; it is
   rewritten on every start from the notebooks on disk, so it cannot drift from the chapter list),
   exactly as JupyterLab would save it, so that it opens clean (not marked unsaved);
3. starts JupyterLab at the repository root on that page: on 127.0.0.1, a free port from 8888
   on, a token, ``--allow-root`` only when we are root, no browser when there is no display.
   Jupyter reads its configuration from the kit's own folder ``.lab/`` (``JUPYTER_CONFIG_DIR``),
   never from ``~/.jupyter``: a user's ``{"IdentityProvider": {"token": ""}}`` there would turn
   the token off. The kit's lab settings turn JupyterLab's news pop-up off.
4. once the server answers, checks that its API refuses a request without the token (and stops
   the server with a message saying why when it does not), then prints the address to open.
5. SIGINT (Ctrl+C) or SIGTERM to the launcher stops JupyterLab and every kernel it started.

Each phase prints one line with the seconds since ``make lab`` started (``CNNKIT_LAB_STARTED``,
a Unix time, set by the Makefile; else since the launcher started).
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat

WORK_DIR = "work"
LANDING_PAGE = "START_HERE.ipynb"
DEFAULT_PORT = 8888
#: Jupyter's configuration folder for ``make lab`` (JUPYTER_CONFIG_DIR), at the repository root;
#: hidden, so the server does not list or serve it, and git ignores it.
CONFIG_DIR = ".lab"
#: JupyterLab's settings that the kit chooses (a student's changes in the lab are kept).
LAB_SETTINGS = {
    # the news and update pop-up covers the notebook on the first start; the course is offline
    "@jupyterlab/apputils-extension/notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
#: API endpoints that must answer 401/403 without the token (contents, kernels, sessions).
PROTECTED_ENDPOINTS = ("/api/contents", "/api/kernels", "/api/sessions")

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


def work_copy(notebook: Path) -> Path:
    """Where the student's copy of a reference notebook goes, relative to the root.

    ``notebooks/02_x.ipynb`` -> ``work/notebooks/02_x.ipynb``; ``exercises/02_x.ipynb`` ->
    ``work/exercises/02_x_exercises.ipynb``; ``exercises/solutions/02_x.ipynb`` ->
    ``work/exercises/solutions/02_x_solutions.ipynb`` (a tab shows only the file name).
    """
    notebook = Path(notebook)
    parts = notebook.parts
    if parts[:2] == ("exercises", "solutions"):
        return Path(WORK_DIR, *parts[:-1], f"{notebook.stem}_solutions{notebook.suffix}")
    if parts[:1] == ("exercises",):
        return Path(WORK_DIR, *parts[:-1], f"{notebook.stem}_exercises{notebook.suffix}")
    return Path(WORK_DIR) / notebook


def prepare_work(root: Path) -> list[Path]:
    """Copy each reference notebook that has no copy in ``work/`` yet; returns the copies made.

    A copy made under the earlier name (``work/exercises/02_x.ipynb``) is renamed, not replaced.
    """
    made = []
    for notebook in reference_notebooks(root):
        copy = root / work_copy(notebook)
        if copy.exists():
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        earlier = root / WORK_DIR / notebook
        if earlier != copy and earlier.exists():
            earlier.rename(copy)  # the student's work under its new name
            continue
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
    rows = [
        "| # | chapter | your copy | exercises | solutions | reference page |",
        "|---|---|---|---|---|---|",
    ]
    for notebook in chapter_notebooks(root):
        name = notebook.name
        exercise = (
            _link(work_copy(Path("exercises", name)), "exercises")
            if name in exercises
            else "practice problems inside"
        )
        solution = (
            _link(work_copy(Path("exercises", "solutions", name)), "solutions")
            if name in solutions
            else ""
        )
        rows.append(
            f"| {name[:2]} | {chapter_title(root, notebook)} | {_link(work_copy(notebook), name)} "
            f"| {exercise} | {solution} | {_link(notebook, 'committed outputs')} |"
        )
    orphans = sorted((exercises | solutions) - {path.name for path in chapter_notebooks(root)})
    if orphans:
        raise ValueError(
            f"exercise notebooks without a chapter notebook: {orphans}; "
            "name each exercise notebook like its chapter (notebooks/NN_name.ipynb)"
        )
    return [_INTRO.format(work=WORK_DIR), "\n".join(rows), _HOW.format(work=WORK_DIR)]


#: What ipykernel's ``python3`` kernel reports: JupyterLab writes both into the notebook's metadata
#: when the kernel starts, and a page whose metadata differ opens marked unsaved.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def language_info(version: str | None = None) -> dict:
    """The ``language_info`` an ipykernel of this Python (``version``, default ours) reports."""
    return {
        "codemirror_mode": {"name": "ipython", "version": 3},
        "file_extension": ".py",
        "mimetype": "text/x-python",
        "name": "python",
        "nbconvert_exporter": "python",
        "pygments_lexer": "ipython3",
        "version": version or platform.python_version(),
    }


def landing_notebook(root: Path) -> nbformat.NotebookNode:
    """The landing page as JupyterLab 4 would save it (nbformat 4.5, cell ids, kernel metadata).

    Cell ids are fixed (``start-1``, ...), so rewriting the page on every start changes nothing
    when the chapters did not change.
    """
    notebook = nbformat.v4.new_notebook()
    notebook.nbformat, notebook.nbformat_minor = 4, 5
    notebook.metadata["kernelspec"] = dict(KERNELSPEC)
    notebook.metadata["language_info"] = language_info()
    notebook.cells = [
        nbformat.v4.new_markdown_cell(text, id=f"start-{number}")
        for number, text in enumerate(landing_markdown(root), start=1)
    ]
    return notebook


def write_landing(root: Path) -> Path:
    """Write ``START_HERE.ipynb`` as Jupyter's contents manager saves (``nbformat.write``)."""
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


def prepare_config(root: Path, token: str) -> Path:
    """The kit's Jupyter configuration folder ``.lab/`` (JUPYTER_CONFIG_DIR), made private.

    Written there: ``jupyter_server_config.json`` with the token (mode 600, rewritten each start;
    a file in JUPYTER_CONFIG_DIR outranks every other configuration file, so a system-wide
    ``token = ""`` loses too), and the kit's JupyterLab settings (LAB_SETTINGS) where the
    student has none of their own yet.
    """
    config = Path(root) / CONFIG_DIR
    config.mkdir(parents=True, exist_ok=True)
    config.chmod(0o700)
    server_config = config / "jupyter_server_config.json"
    server_config.unlink(missing_ok=True)  # created anew, so that the mode below holds
    descriptor = os.open(server_config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump({"IdentityProvider": {"token": token}}, file, indent=1)
    for plugin, values in LAB_SETTINGS.items():
        settings = config / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        if not settings.exists():
            settings.parent.mkdir(parents=True, exist_ok=True)
            settings.write_text(json.dumps(values, indent=4) + "\n", encoding="utf-8")
    return config


def lab_environment(root: Path, token: str, base: dict | None = None) -> dict:
    """The server's environment: the token, and Jupyter's configuration from ``.lab/`` only.

    The token goes in the environment and a private file, not on the command line: ``ps`` shows
    a process's arguments to every user of the machine.
    """
    environment = dict(os.environ if base is None else base)
    environment["JUPYTER_TOKEN"] = token
    environment["JUPYTER_CONFIG_DIR"] = str(prepare_config(root, token))
    environment.pop("JUPYTER_CONFIG_PATH", None)  # a user's extra configuration folders
    return environment


def unauthenticated_answers(ip: str, port: int) -> list[str]:
    """The protected API endpoints that answered a request without the token (should be none)."""
    host = "127.0.0.1" if ip in ("0.0.0.0", "") else ip
    answered = []
    for endpoint in PROTECTED_ENDPOINTS:
        try:
            with urllib.request.urlopen(f"http://{host}:{port}{endpoint}", timeout=10) as reply:
                answered.append(f"{endpoint} ({reply.status})")
        except urllib.error.HTTPError as error:
            if error.code not in (401, 403):
                answered.append(f"{endpoint} ({error.code})")
        except OSError as error:  # no answer at all is not an answer without the token
            print(f"cnnkit: could not check {endpoint} without the token: {error}", flush=True)
    return answered


def stop_lab(process: subprocess.Popen, timeout: float = 30.0) -> None:
    """Stop JupyterLab and every process it started (its kernels), whatever state they are in.

    SIGTERM lets JupyterLab shut its kernels down itself; the kernels run in sessions of their
    own (jupyter_client starts them so), so whatever of them is left afterwards is found by
    process ancestry, recorded before the server goes, and terminated, then killed.
    """
    try:
        import psutil
    except ImportError:  # psutil comes with ipykernel; without it, the process group only
        psutil = None
    descendants = []
    if psutil is not None:
        try:
            descendants = psutil.Process(process.pid).children(recursive=True)
        except psutil.Error:
            descendants = []
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=timeout)
    if psutil is not None:
        for child in descendants:
            with contextlib.suppress(psutil.Error):
                child.terminate()
        _, alive = psutil.wait_procs(descendants, timeout=10)
        for child in alive:
            with contextlib.suppress(psutil.Error):
                child.kill()
        psutil.wait_procs(alive, timeout=10)


class StopRequested(Exception):
    """SIGINT or SIGTERM reached the launcher: stop JupyterLab and its kernels."""


def _request_stop(signum, _frame):
    raise StopRequested(signal.Signals(signum).name)


class _Phases:
    """One line per phase of the start, with the seconds since ``make lab`` started."""

    def __init__(self):
        try:
            self.started = float(os.environ["CNNKIT_LAB_STARTED"])
        except (KeyError, ValueError):
            self.started = time.time()

    def say(self, text: str) -> None:
        print(f"[{time.time() - self.started:.0f} s] {text}", flush=True)


def run_lab(root: Path, *, port: int | None, ip: str, open_browser: bool | None) -> int:
    """Prepare ``work/`` and the landing page, start JupyterLab, check it, print the address, wait.

    Returns JupyterLab's exit code, 0 after a stop asked for by SIGINT/SIGTERM, and 1 when the
    server answered without the token (it is stopped then).
    """
    phases = _Phases()
    root = Path(root).resolve()
    made = prepare_work(root)
    phases.say(
        f"notebooks: copied {len(made)} into {WORK_DIR}/ (your copies; git ignores them)"
        if made
        else f"notebooks: your copies in {WORK_DIR}/ are all there"
    )
    write_landing(root)
    port = port or free_port(DEFAULT_PORT, "127.0.0.1" if ip == "0.0.0.0" else ip)
    token = os.environ.get("JUPYTER_TOKEN") or secrets.token_hex(24)
    environment = lab_environment(root, token)
    command = lab_command(root, port=port, ip=ip, open_browser=open_browser)
    phases.say(f"server: starting JupyterLab on {ip}:{port} (its own log follows)")
    # Its own session: Ctrl+C in the terminal reaches only this launcher, which then stops the
    # server and its kernels itself (JupyterLab alone would ask "Shutdown? (y/[n])").
    process = subprocess.Popen(command, env=environment, start_new_session=True)
    previous = {
        number: signal.signal(number, _request_stop) for number in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        if wait_until_serving(ip, port, token, process):
            answered = unauthenticated_answers(ip, port)
            if answered:
                print(
                    "\ncnnkit: STOPPED: JupyterLab answered without the token: "
                    f"{', '.join(answered)}. Some Jupyter configuration turns authentication "
                    "off (see `jupyter --paths`, config). Nothing was served; remove that "
                    "setting and run make lab again.\n",
                    flush=True,
                )
                stop_lab(process)
                return 1
            phases.say("server: serving; the API refuses requests without the token")
            print(
                f"\ncnnkit: JupyterLab serves the course from {root}\n"
                f"    open this address in your browser:  {landing_url(ip, port, token)}\n"
                "    stop it with Ctrl+C\n",
                flush=True,
            )
        return process.wait()
    except StopRequested as stop:
        for number in previous:  # a second Ctrl+C must not cut the stop short
            signal.signal(number, signal.SIG_IGN)
        print(f"\ncnnkit: {stop}: stopping JupyterLab and its kernels", flush=True)
        stop_lab(process)
        return 0
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if process.poll() is None:  # any other way out: leave nothing running
            stop_lab(process)
        # the token is worth nothing once the server is gone; leave no copy of it on disk
        (root / CONFIG_DIR / "jupyter_server_config.json").unlink(missing_ok=True)
