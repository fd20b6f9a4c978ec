"""Which Python `make` uses: the project's own .venv when no environment is active, else the
active one; a Python that cannot make a virtual environment gets a message saying what to do.

Runs the Makefile's `venv` target (and `make -n install`) in a temporary folder holding only the
Makefile, with the base interpreter under this test (never a virtual environment). About 10-20 s:
one real `python -m venv` with pip.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BASE = getattr(sys, "_base_executable", sys.executable)  # the interpreter under any venv

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")


def _make(folder: Path, *arguments: str, path: str | None = None) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "CONDA_PREFIX", "PYTHON", "MAKEFLAGS", "MAKELEVEL")
    }
    if path is not None:
        environment["PATH"] = path
    return subprocess.run(
        [shutil.which("make"), "--no-print-directory", *arguments],
        cwd=folder,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_without_an_active_environment_make_creates_and_uses_the_projects_venv(tmp_path):
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    first = _make(tmp_path, "venv", f"BASE_PYTHON={BASE}")
    assert first.returncode == 0, first.stdout + first.stderr
    said = [line for line in first.stdout.splitlines() if line.strip()]
    assert len(said) == 1 and "creating the project's own in .venv/" in said[0], said
    venv_python = tmp_path / ".venv" / "bin" / "python"
    assert subprocess.run([venv_python, "-m", "pip", "--version"]).returncode == 0

    second = _make(tmp_path, "venv", f"BASE_PYTHON={BASE}")
    said = [line for line in second.stdout.splitlines() if line.strip()]
    assert (
        len(said) == 1
        and "Python: .venv/bin/python (the project's virtual environment" in (said[0])
    ), said
    planned = _make(tmp_path, "-n", "install", f"BASE_PYTHON={BASE}").stdout
    assert f"{venv_python} -m pip install" in planned

    # an active virtual environment is used as it is, and no other one is made
    active = _make(tmp_path, "-n", "install", f"BASE_PYTHON={venv_python}").stdout
    assert f"{venv_python} -m pip install" in active and "(the active environment" in active


def test_a_python_without_venv_support_gets_a_message_and_leaves_no_half_made_venv(tmp_path):
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    # Debian's python3 without python3-venv: `-m venv` fails after making part of the folder
    fake = tmp_path / "python3"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then\n'
        '  mkdir -p "$3/bin"; echo "ensurepip is not available" >&2; exit 1\n'
        "fi\n"
        f'exec "{BASE}" "$@"\n'
    )
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    tools = tmp_path / "bin"  # the commands the recipe needs, and no apt-get
    tools.mkdir()
    for tool in ("rm", "id", "date", "cut", "sh"):
        (tools / tool).symlink_to(shutil.which(tool))
    done = _make(tmp_path, "venv", f"BASE_PYTHON={fake}", path=str(tools))
    assert done.returncode != 0
    assert "cannot create a virtual environment: install python3-venv" in done.stdout
    assert not (tmp_path / ".venv").exists(), "a half-made .venv was left behind"


def test_a_too_old_python_is_refused_by_name(tmp_path):
    shutil.copy2(ROOT / "Makefile", tmp_path / "Makefile")
    old = tmp_path / "python3"
    old.write_text(
        "#!/bin/sh\n"
        'case "$*" in *version_info*\\<*) exit 1;; -V) echo "Python 3.9.18"; exit 0;; esac\n'
        f'exec "{BASE}" "$@"\n'
    )
    old.chmod(old.stat().st_mode | stat.S_IXUSR)
    done = _make(tmp_path, "venv", f"BASE_PYTHON={old}")
    assert done.returncode != 0
    assert "is Python 3.9.18; the kit needs 3.10 to 3.13" in done.stdout, done.stdout
