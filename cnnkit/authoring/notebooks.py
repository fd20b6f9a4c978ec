"""Build chapter notebooks from their percent-format sources and exercise notebooks from their chapter module.

A source ``notebooks/src/01_nn_basics.py`` holds cells separated by ``# %%`` lines
(``# %% [markdown]`` for prose, every prose line starting with ``# ``). The built notebook is the
template's badge and setup cell followed by those cells; outputs of an earlier run are kept
for cells whose source did not change.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import nbformat

from cnnkit.authoring import backend_status
from cnnkit.authoring.template import badge_markdown, setup_cell_source

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK_DIR = REPOSITORY_ROOT / "notebooks"
SOURCE_DIR = NOTEBOOK_DIR / "src"
EXERCISE_DIR = REPOSITORY_ROOT / "exercises"
SOLUTION_DIR = EXERCISE_DIR / "solutions"

_CELL_MARKER = re.compile(r"^# %%(?P<rest>.*)$")

KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}


def parse_percent_source(text: str) -> list[tuple[str, str]]:
    """Split percent-format text into (cell_type, source) pairs, with jupytext's reader.

    The kit's sources follow stricter conventions than jupytext needs, checked first (a typo
    there would otherwise turn prose into code silently): nothing but blank lines before the
    first ``# %%`` marker, and every line of a Markdown cell starts with ``# `` (or is ``#``).
    Cells that hold only blank lines are dropped; jupytext's cell metadata is not kept.
    """
    _check_conventions(text)
    import jupytext

    notebook = jupytext.reads(text, fmt="py:percent")
    return [(cell.cell_type, cell.source) for cell in notebook.cells if cell.source.strip()]


def _check_conventions(text: str) -> None:
    kind = None
    for line in text.splitlines():
        match = _CELL_MARKER.match(line)
        if match:
            kind = "markdown" if "[markdown]" in match.group("rest") else "code"
        elif kind is None and line.strip():
            raise ValueError(f"text before the first '# %%' marker: {line!r}")
        elif kind == "markdown" and not (line.startswith("# ") or line.rstrip() in ("#", "")):
            raise ValueError(f"a Markdown line must start with '# ': {line!r}")


def header_cells(notebook_path: str, title_markdown: str | None = None) -> list:
    """The template's first cells: badge (plus the title, when given) and the setup cell."""
    badge = badge_markdown(notebook_path)
    first = f"{badge}\n\n{title_markdown}" if title_markdown else badge
    return [
        nbformat.v4.new_markdown_cell(first),
        nbformat.v4.new_code_cell(setup_cell_source()),
    ]


def new_notebook(cells: list) -> nbformat.NotebookNode:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = KERNELSPEC
    notebook.metadata["language_info"] = {"name": "python"}
    notebook.cells = cells
    return notebook


def chapter_notebook(source_path: Path) -> nbformat.NotebookNode:
    """The chapter notebook that ``source_path`` describes (no outputs)."""
    parsed = parse_percent_source(Path(source_path).read_text(encoding="utf-8"))
    notebook_path = f"notebooks/{Path(source_path).stem}.ipynb"
    title = None
    if parsed and parsed[0][0] == "markdown" and parsed[0][1].startswith("# "):
        title = parsed.pop(0)[1]  # the title goes under the badge, above the setup cell
    # Under the heading: the backends it has been run on (benchmarks/backends.json). Markdown
    # only, so merge_outputs still finds every code cell unchanged and keeps its outputs.
    status = backend_status.backends_line(notebook_path)
    if title is None:
        title = status
    else:
        heading, _, rest = title.partition("\n")
        title = "\n\n".join(part for part in (heading, status, rest.strip("\n")) if part)
    cells = header_cells(notebook_path, title)
    for kind, source in parsed:
        if kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(source))
        else:
            cells.append(nbformat.v4.new_code_cell(source))
    return new_notebook(cells)


def merge_outputs(new, old) -> None:
    """Keep outputs of ``old`` for code cells whose source is unchanged (same position and text)."""
    old_cells = {(index, cell.source): cell for index, cell in enumerate(old.cells)}
    for index, cell in enumerate(new.cells):
        previous = old_cells.get((index, cell.source))
        if cell.cell_type == "code" and previous is not None:
            cell.outputs = previous.get("outputs", [])
            cell.execution_count = previous.get("execution_count")
            cell.metadata = previous.get("metadata", {})
    for key in ("widgets", "language_info"):
        if key in old.metadata:
            new.metadata[key] = old.metadata[key]


def write_notebook(notebook, path: Path) -> bool:
    """Write ``notebook`` to ``path`` if its content changed; True when written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for index, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{index:03d}"  # stable ids keep diffs small
    text = nbformat.writes(notebook) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


def build_chapter_notebooks(sources: list[Path] | None = None) -> list[Path]:
    """Build ``notebooks/*.ipynb`` from ``notebooks/src/*.py``; returns the notebooks written."""
    written = []
    for source in sources or sorted(SOURCE_DIR.glob("[0-9][0-9]_*.py")):
        target = NOTEBOOK_DIR / f"{source.stem}.ipynb"
        notebook = chapter_notebook(source)
        if target.exists():
            merge_outputs(notebook, nbformat.read(target, as_version=4))
        if write_notebook(notebook, target):
            written.append(target)
    return written


# --- exercise notebooks -------------------------------------------------------------------


def exercise_notebook(chapter, *, with_solutions: bool) -> nbformat.NotebookNode:
    """Student (``with_solutions=False``) or solution notebook of a ``Chapter``.

    A personal problem (numbers from the student's seed) gets a code cell ``chNN.qK.show()``
    that renders its statement with the student's own numbers when the notebook runs. The
    notebook ends with the chapter's progress line (``ck.progress("chNN")``).
    """
    folder = "exercises/solutions" if with_solutions else "exercises"
    kind = "solutions" if with_solutions else "exercises"
    title = (
        f"# Chapter {chapter.number:02d} {kind}: {chapter.title}\n\n{chapter.introduction.strip()}"
    )
    personal = [problem for problem in chapter.problems if problem.personal]
    if not with_solutions:
        title += (
            "\n\nFill in each `...` (or the body of each function), run the cell, then run the "
            "check below it. Stuck? `qN.hint()` gives one hint at a time and `qN.solution()` "
            "shows the answer. Your checks, hints and solution views are kept on this machine "
            "(`ck.progress()`)."
        )
    if personal:
        title += (
            "\n\nSome problems use **your own numbers**, drawn from your seed: run their "
            "`.show()` cell to see them. `ck.exercises.seed('your student number')` gives the "
            "same numbers on any machine."
        )
    cells = header_cells(f"{folder}/{chapter.slug}.ipynb", title)
    preamble = f"from cnnkit.exercises import {chapter.module_name}"
    if chapter.preamble.strip():
        preamble = f"{chapter.preamble.strip()}\n{preamble}"
    if with_solutions:
        preamble += (
            f"\n\n# Running the solutions is not solving them: the checks below count as "
            f"solution views.\n{chapter.module_name}.CHAPTER.record_checks_as_solution_views()"
        )
    cells.append(nbformat.v4.new_code_cell(preamble))
    for index, problem in enumerate(chapter.problems, start=1):
        if problem.personal:
            cells.append(
                nbformat.v4.new_markdown_cell(
                    f"## Problem {index}: {problem.title}\n\nYour own numbers: run the next cell."
                )
            )
            cells.append(nbformat.v4.new_code_cell(f"{problem.name}.show()"))
        else:
            cells.append(
                nbformat.v4.new_markdown_cell(
                    f"## Problem {index}: {problem.title}\n\n{problem.statement.strip()}"
                )
            )
        code = problem.solution_code if with_solutions else problem.starter
        cells.append(nbformat.v4.new_code_cell(code.strip()))
        cells.append(nbformat.v4.new_code_cell(f"{problem.name}.check({problem.answer_name})"))
        if not with_solutions:
            cells.append(
                nbformat.v4.new_markdown_cell(
                    f"<small>Hint: `{problem.name}.hint()` · Solution: `{problem.name}.solution()`</small>"
                )
            )
    closing = (
        "## Done\n\nEvery check above should say **correct**. Review the chapter notebook "
        f"`notebooks/{chapter.slug}.ipynb` for anything that surprised you. Your progress in "
        "this chapter (kept on this machine; `ck.progress()` shows every chapter):"
    )
    cells.append(nbformat.v4.new_markdown_cell(closing))
    cells.append(nbformat.v4.new_code_cell(f'ck.progress("{chapter.module_name}")'))
    return new_notebook(cells)


def exercise_chapters() -> list:
    from cnnkit import exercises

    return [
        importlib.import_module(f"cnnkit.exercises.{name}").CHAPTER for name in exercises.chapters()
    ]


def build_exercise_notebooks() -> list[Path]:
    written = []
    for chapter in exercise_chapters():
        for with_solutions, folder in ((False, EXERCISE_DIR), (True, SOLUTION_DIR)):
            notebook = exercise_notebook(chapter, with_solutions=with_solutions)
            if write_notebook(notebook, folder / f"{chapter.slug}.ipynb"):
                written.append(folder / f"{chapter.slug}.ipynb")
    return written


# --- running --------------------------------------------------------------------------------


def run_notebook(path: Path, *, quick: bool, timeout: int = 3600) -> dict:
    """Execute a notebook in place (quick or full mode) with nbclient.

    Returns ``{"seconds": wall time, "peak_rss_mib": largest resident memory of the kernel}``.
    """
    import os
    import tempfile
    import threading
    import time

    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    # A fresh, empty progress home: the committed page shows a new student's ck.progress(),
    # never the history of the machine that ran it (issue 25, chapter 08).
    previous = {key: os.environ.get(key) for key in ("CNNKIT_QUICK", "CNNKIT_HOME")}
    fresh_home = tempfile.TemporaryDirectory(prefix="cnnkit-run-home-")
    os.environ["CNNKIT_QUICK"] = "1" if quick else "0"
    os.environ["CNNKIT_HOME"] = fresh_home.name
    peak = _PeakMemory()
    started = time.perf_counter()
    try:
        client = NotebookClient(
            notebook,
            timeout=timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(Path(path).parent)}},
        )
        watcher = threading.Thread(target=peak.watch, daemon=True)
        watcher.start()
        try:
            client.execute()
        finally:
            peak.stop = True
            watcher.join()
    finally:
        for key, value in previous.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        fresh_home.cleanup()
    elapsed = time.perf_counter() - started
    write_notebook(notebook, Path(path))
    return {"seconds": round(elapsed, 1), "peak_rss_mib": round(peak.mib, 1)}


class _PeakMemory:
    """Polls the resident memory of this process's children (the kernel) and keeps the maximum."""

    def __init__(self, interval: float = 0.2):
        self.interval = interval
        self.stop = False
        self.mib = 0.0

    def watch(self):
        import time

        try:
            import psutil
        except ImportError:  # measuring memory is optional; running the notebook is not
            return
        me = psutil.Process()
        while not self.stop:
            for child in me.children(recursive=True):
                try:
                    self.mib = max(self.mib, child.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            time.sleep(self.interval)


RUN_LOG = REPOSITORY_ROOT / "benchmarks" / "notebook_runs.json"


def record_run(path: Path, mode: str, figures: dict) -> None:
    """Keep the latest time and memory of each notebook per mode in benchmarks/notebook_runs.json."""
    import datetime
    import json

    log = json.loads(RUN_LOG.read_text()) if RUN_LOG.exists() else {}
    key = Path(path).resolve().relative_to(REPOSITORY_ROOT).as_posix()
    entry = dict(figures, date=datetime.date.today().isoformat())
    log.setdefault(mode, {})[key] = entry
    RUN_LOG.parent.mkdir(exist_ok=True)
    RUN_LOG.write_text(json.dumps(log, indent=2, sort_keys=True) + "\n")
