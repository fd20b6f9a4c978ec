"""Every pin installs on the oldest Python the kit supports that this machine has.

Debian 12's own ``/usr/bin/python3`` (3.11.2) where it exists, else the oldest ``python3.1x`` on
PATH from 3.10 on: a fresh virtual environment of that interpreter resolves, with pip's
``--dry-run``, the course's environment (requirements.txt and the kit with its [dev] extra: what
``make install`` installs) and the website's (requirements-site.txt: ``make site-deps``). A pin
whose release requires a newer Python (soupsieve 4.1.3 wants 3.11.5) fails here, not on a
student's machine. Nothing is installed; pip reads each package's metadata (from its cache or
index). Measured on 2 shared cores: about 60-120 s, both resolutions side by side.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
OLDEST_SUPPORTED = (3, 10)
DEBIAN_PYTHON = Path("/usr/bin/python3")


def _version(python: str) -> tuple[int, int, int] | None:
    try:
        done = subprocess.run(
            [python, "-c", "import sys; print(*sys.version_info[:3])"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except OSError:
        return None
    if done.returncode != 0:
        return None
    return tuple(int(part) for part in done.stdout.split())


def oldest_interpreter() -> tuple[str, tuple[int, int, int]]:
    """Debian's /usr/bin/python3 where it exists, else the oldest python3.1x on PATH (>= 3.10)."""
    if DEBIAN_PYTHON.exists():
        return str(DEBIAN_PYTHON), _version(str(DEBIAN_PYTHON))
    found = []
    for minor in range(10, 20):
        path = shutil.which(f"python3.{minor}")
        version = _version(path) if path else None
        if version and version[:2] >= OLDEST_SUPPORTED:
            found.append((version, path))
    assert found, "no Python 3.10 or newer on PATH"
    version, path = min(found)
    return path, version


def _dry_run(python: Path, requirements: list[str], report: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(python), "-m", "pip", "install", "--dry-run", "--quiet", "--disable-pip-version-check"]
        + ["--report", str(report), *requirements],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=1200,
    )


def _pins(path: Path) -> dict[str, str]:
    """{normalised name: version} of the ``name==version`` lines that apply to any Python."""
    pins = {}
    for line in path.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)\s*(;.*)?$", line.strip())
        if match:
            pins.setdefault(re.sub(r"[-_.]+", "-", match.group(1)).lower(), set()).add(
                match.group(2)
            )
    return pins


def test_every_pin_installs_on_the_oldest_python_here(tmp_path):
    python, version = oldest_interpreter()
    assert version[:2] >= OLDEST_SUPPORTED, f"{python} is {version}, older than the kit supports"
    venv = tmp_path / "venv"
    made = subprocess.run([python, "-m", "venv", str(venv)], capture_output=True, text=True)
    assert made.returncode == 0, (
        f"{python} cannot make a virtual environment (Debian: apt-get install python3-venv): "
        f"{made.stdout}{made.stderr}"
    )
    venv_python = venv / "bin" / "python"
    environments = {
        "course": ["-r", "requirements.txt", "-e", ".[dev]"],
        "site": ["-r", "requirements-site.txt"],
    }
    with ThreadPoolExecutor(len(environments)) as pool:
        results = dict(
            zip(
                environments,
                pool.map(
                    lambda item: _dry_run(venv_python, item[1], tmp_path / f"{item[0]}.json"),
                    environments.items(),
                ),
                strict=True,
            )
        )
    for name, done in results.items():
        assert done.returncode == 0, (
            f"the {name} environment does not install on Python {'.'.join(map(str, version))} "
            f"({python}):\n{done.stderr[-3000:]}"
        )
    # the site's pins are what pip chose (one of each pin's versions: markers pick by Python)
    report = json.loads((tmp_path / "site.json").read_text())
    chosen = {
        re.sub(r"[-_.]+", "-", item["metadata"]["name"]).lower(): item["metadata"]["version"]
        for item in report["install"]
    }
    for name, versions in _pins(ROOT / "requirements-site.txt").items():
        assert chosen.get(name) in versions, (
            f"{name}: pinned {versions}, pip chose {chosen.get(name)}"
        )
