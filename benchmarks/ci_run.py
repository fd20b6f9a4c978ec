"""Time `.ci/run` on a fresh clone of this repository and record it in benchmarks/ci_run.json.

    make bench-ci        # clones HEAD into a temporary folder, runs bash .ci/run with CI=true

The clone is what CI gets: committed files only. The figure is wall-clock seconds on this
machine, including the install step (which is fast when the packages are already installed).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="cnnkit-ci-") as folder:
        clone = Path(folder) / "cnnkit"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=clone, capture_output=True, text=True
        ).stdout.strip()
        started = time.perf_counter()
        completed = subprocess.run(["bash", ".ci/run"], cwd=clone, env={**os.environ, "CI": "true"})
        seconds = time.perf_counter() - started
    figures = {
        "value": round(seconds, 1),
        "passed": completed.returncode == 0,
        "commit": commit,
        "measured_on": time.strftime("%Y-%m-%d"),
        "cpus": os.cpu_count(),
    }
    (ROOT / "benchmarks" / "ci_run.json").write_text(json.dumps(figures, indent=2) + "\n")
    print(
        f".ci/run on a fresh clone of {commit}: {seconds:.0f} s, exit code {completed.returncode}"
    )
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
