"""Colab's stack: every chapter and exercise notebook alone in an empty folder, as in Colab.

Run by ``make colab-test`` (part of ``make test``), which first builds or reuses the virtual
environment of ``colab_venv.py`` (Colab's TensorFlow 2.20, Keras 3.13, ... and no cnnkit) and names it
in ``CNNKIT_COLAB_VENV``; skipped in a plain ``pytest tests`` run.

1. ``test_setup_cell_installs_cnnkit_as_in_colab``: the template's setup cell runs in a kernel of
   that environment where ``google.colab`` is imported (as Colab's kernel does), in an empty
   folder. Its ``%pip install "cnnkit @ git+https://github.com/...@main"`` really runs; git's
   ``url.<mirror>.insteadOf`` sends the clone to a copy of this tree instead of GitHub. cnnkit
   must end up installed non-editable from that address, with its data files, TensorFlow and
   Keras left at Colab's versions, and ``pip check`` clean. This runs once per ``make colab-test``
   (the first worker to get there does it; the other waits).
2. ``test_notebook_runs_alone_on_colab_stack[...]``: each notebook, copied alone into an empty
   folder, runs top to bottom in quick mode in such a kernel. Its setup cell must be the
   template's; its ``%pip`` line is recorded instead of rerun (step 1 ran that very line), so
   each notebook costs only its own time.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import time
from pathlib import Path

import nbformat
import pytest

from cnnkit.authoring import lab
from cnnkit.authoring.template import REPOSITORY, setup_cell_source

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import colab_venv  # noqa: E402

REPOSITORY_ROOT = HERE.parents[1]
VENV = os.environ.get("CNNKIT_COLAB_VENV")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not VENV, reason="run by `make colab-test` (needs CNNKIT_COLAB_VENV)"),
]
CELL_TIMEOUT = 900  # seconds; quick mode needs far less, but the machine may be shared
EXPECTED = {"tensorflow": "2.20.", "keras": "3.13."}
GITHUB_URL = f"https://github.com/{REPOSITORY}"

NOTEBOOKS = [
    path.as_posix()
    for path in lab.chapter_notebooks(REPOSITORY_ROOT) + lab.exercise_notebooks(REPOSITORY_ROOT)
]

# Run before a notebook: its %pip line is recorded, not rerun (the install test ran that line).
RECORD_PIP = """\
from IPython import get_ipython as _get_ipython
_cnnkit_pip_lines = []
_get_ipython().register_magic_function(_cnnkit_pip_lines.append, "line", "pip")
"""

# Run after the setup cell or the notebook: where cnnkit came from and the stack's versions.
REPORT = """\
import importlib.metadata as _metadata, json as _json, sys as _sys
import cnnkit as _cnnkit
_distribution = _metadata.distribution("cnnkit")
print("CNNKIT_REPORT " + _json.dumps({
    "cnnkit_file": _cnnkit.__file__,
    "direct_url": _distribution.read_text("direct_url.json"),
    "files": [str(f) for f in _distribution.files or []],
    "versions": {name: _metadata.version(name) for name in ("tensorflow", "keras")},
    "colab": "google.colab" in _sys.modules,
    "pip_lines": globals().get("_cnnkit_pip_lines"),
}))
"""


def _kernel_environment(mirror: Path) -> dict:
    """What a Colab kernel sees: quick mode, no CI, no PYTHONPATH to this tree, GitHub -> mirror."""
    environment = dict(os.environ)
    for name in ("CI", "PYTHONPATH", "MPLBACKEND", "CNNKIT_WIDGETS", "VIRTUAL_ENV"):
        environment.pop(name, None)
    environment.update(
        CNNKIT_QUICK="1",
        JUPYTER_PATH=str(Path(VENV) / "share" / "jupyter"),
        GIT_CONFIG_COUNT="1",
        GIT_CONFIG_KEY_0=f"url.{mirror.as_uri()}.insteadOf",
        GIT_CONFIG_VALUE_0=GITHUB_URL,
        PIP_DISABLE_PIP_VERSION_CHECK="1",
    )
    return environment


def _run(notebook, folder: Path, monkeypatch, *, before: str = "", after: str = "") -> dict:
    """Execute ``notebook`` in a Colab-stack kernel with ``folder`` as its working directory."""
    from nbclient import NotebookClient

    mirror = Path(f"{VENV}-mirror")
    for name, value in _kernel_environment(mirror).items():
        monkeypatch.setenv(name, value)
    for name in ("CI", "PYTHONPATH", "MPLBACKEND", "CNNKIT_WIDGETS", "VIRTUAL_ENV"):
        monkeypatch.delenv(name, raising=False)
    cells = list(notebook.cells)
    if before:
        cells.insert(0, nbformat.v4.new_code_cell(before))
    if after:
        cells.append(nbformat.v4.new_code_cell(after))
    notebook.cells = cells
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT,
        kernel_name=colab_venv.KERNEL_NAME,
        resources={"metadata": {"path": str(folder)}},
    )
    client.execute()
    if not after:
        return {}
    for output in notebook.cells[-1].outputs:
        for line in output.get("text", "").splitlines():
            if line.startswith("CNNKIT_REPORT "):
                return json.loads(line.removeprefix("CNNKIT_REPORT "))
    raise AssertionError(f"no report from the kernel: {notebook.cells[-1].outputs}")


def _install_like_colab(tmp_path_factory, monkeypatch) -> dict:
    """Run the template's setup cell once per `make colab-test` (a lock between the workers)."""
    marker = Path(VENV) / ".cnnkit-installed.json"
    with open(Path(VENV) / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.exists():
            return json.loads(marker.read_text())
        folder = tmp_path_factory.mktemp("colab_setup_cell")
        notebook = nbformat.v4.new_notebook()
        notebook.cells = [nbformat.v4.new_code_cell(setup_cell_source())]
        started = time.perf_counter()
        report = _run(notebook, folder, monkeypatch, after=REPORT)
        report["seconds"] = round(time.perf_counter() - started, 1)
        report["setup_output"] = "".join(
            output.get("text", "") for output in notebook.cells[0].outputs
        )
        marker.write_text(json.dumps(report))
        return report


@pytest.fixture
def installed(tmp_path_factory, monkeypatch):
    return _install_like_colab(tmp_path_factory, monkeypatch)


def test_setup_cell_installs_cnnkit_as_in_colab(installed):
    site_packages = colab_venv.site_packages(Path(VENV))
    assert Path(installed["cnnkit_file"]).is_relative_to(site_packages), (
        f"cnnkit should be installed non-editable in {site_packages}, "
        f"it was imported from {installed['cnnkit_file']}"
    )
    direct_url = json.loads(installed["direct_url"] or "{}")
    assert direct_url.get("url") == GITHUB_URL and direct_url.get("vcs_info", {}).get("vcs") == (
        "git"
    ), f"cnnkit did not come from the setup cell's git address: {direct_url}"
    assert not direct_url.get("dir_info", {}).get("editable"), direct_url
    files = set(installed["files"])
    for data in ("cnnkit/review/glossary.csv",):
        assert data in files, f"the installed package lacks its data file {data}"
    assert any(name.startswith("cnnkit/data/") for name in files), "no shipped sample data"
    for name, prefix in EXPECTED.items():
        assert installed["versions"][name].startswith(prefix), (
            f"installing cnnkit changed Colab's {name}: {installed['versions'][name]}"
        )
    assert installed["colab"], "the kernel did not look like Colab's (google.colab not imported)"
    assert "ERROR" not in installed["setup_output"], installed["setup_output"]
    import subprocess

    check = subprocess.run(
        [str(colab_venv.venv_python(Path(VENV))), "-m", "pip", "check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, f"pip check after installing cnnkit:\n{check.stdout}"
    print(f"setup cell installed cnnkit in {installed['seconds']} s")


@pytest.mark.parametrize("relative", NOTEBOOKS)
def test_notebook_runs_alone_on_colab_stack(relative, installed, tmp_path, monkeypatch):
    source = REPOSITORY_ROOT / relative
    notebook = nbformat.read(source, as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code and code[0].source == setup_cell_source(), (
        f"{relative}: the first code cell is not the template's setup cell; rebuild the notebook"
    )
    for cell in code:
        cell.outputs, cell.execution_count = [], None
    folder = tmp_path / "content"  # Colab's working folder: empty but for the notebook
    folder.mkdir()
    shutil.copy2(source, folder / source.name)
    report = _run(notebook, folder, monkeypatch, before=RECORD_PIP, after=REPORT)
    assert report["pip_lines"] == [f'install -q "cnnkit @ git+{GITHUB_URL}@main"'], (
        f"the setup cell did not take its Colab branch: {report['pip_lines']}"
    )
    assert Path(report["cnnkit_file"]).is_relative_to(colab_venv.site_packages(Path(VENV)))
    for name, prefix in EXPECTED.items():
        assert report["versions"][name].startswith(prefix), report["versions"]
    leftovers = sorted(path.name for path in folder.iterdir() if path.name != source.name)
    print(f"{relative}: ran; files it left in its folder: {leftovers}")
