"""`make outputs` runs a chapter with a fresh progress home: the page never shows the build
machine's history (issue 25: chapter 08's committed ck.progress() did)."""

from __future__ import annotations

import json
import os

import nbformat

from cnnkit.authoring.notebooks import run_notebook


def test_run_notebook_uses_a_fresh_empty_progress_home(tmp_path, monkeypatch):
    machine_home = tmp_path / "machine-home"
    machine_home.mkdir()
    (machine_home / "progress.json").write_text('{"checks": 3}', encoding="utf-8")
    monkeypatch.setenv("CNNKIT_HOME", str(machine_home))
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_code_cell(
            "import json, os\n"
            "home = os.environ['CNNKIT_HOME']\n"
            "print(json.dumps([home, sorted(os.listdir(home)), os.environ['CNNKIT_QUICK']]))"
        )
    ]
    path = tmp_path / "probe.ipynb"
    nbformat.write(notebook, path)
    run_notebook(path, quick=True, timeout=120)
    home, files, quick = json.loads(nbformat.read(path, as_version=4).cells[0].outputs[0]["text"])
    assert home != str(machine_home) and files == [] and quick == "1"
    assert not os.path.exists(home)  # removed after the run
    assert os.environ["CNNKIT_HOME"] == str(machine_home)  # the caller's setting is back
