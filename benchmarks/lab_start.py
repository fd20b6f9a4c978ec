"""`make lab` from a fresh clone to a served landing page, then a second start, timed.

    python benchmarks/lab_start.py                      # BASE_PYTHON=/usr/bin/python3 where it exists
    python benchmarks/lab_start.py --base-python python3.12

Clones HEAD into a temporary folder and runs ``make lab`` there as a student would (no virtual
environment active, so the Makefile makes the clone's own ``.venv``; no browser), until the
server answers for ``START_HERE.ipynb`` with the token; stops it with SIGTERM; then starts it
again. Writes ``first_lab_seconds`` (target 240 s on 2 cores, where pip downloads) and
``second_lab_seconds`` (target 10 s) into benchmarks/results.json, with the seconds of each phase
that `make lab` printed and the megabytes pip fetched (what of the first start is download).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"
TARGETS = {"first_lab_seconds": 240.0, "second_lab_seconds": 10.0}
PHASE = re.compile(r"^\[(\d+) s\] (.*)$")
#: pip's lines for what it fetched over the network ("Downloading x.whl (123.4 MB)"), took from
#: its cache ("Using cached x.whl (123.4 MB)") and read from a local mirror ("Processing /path").
DOWNLOADED = re.compile(r"Downloading \S+ \((\d+(?:\.\d+)?) ([kMG]B)\)")
CACHED = re.compile(r"Using cached \S+ \((\d+(?:\.\d+)?) ([kMG]B)\)")
LOCAL = re.compile(r"Processing (/\S+\.whl)")


def _megabytes(matches) -> int:
    scale = {"kB": 1 / 1000, "MB": 1, "GB": 1000}
    return round(sum(float(size) * scale[unit] for size, unit in matches))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _served(port: int, token: str) -> bool:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/contents/START_HERE.ipynb?content=0",
        headers={"Authorization": f"token {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as reply:
            return reply.status == 200
    except (OSError, urllib.error.HTTPError):
        return False


def start_lab(clone: Path, base_python: str, log: Path, timeout: float = 1800) -> dict:
    """One `make lab` in ``clone``: seconds to the served landing page, then SIGTERM."""
    port, token = _free_port(), secrets.token_hex(16)
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("VIRTUAL_ENV", "PYTHONPATH", "MAKEFLAGS", "MAKELEVEL", "CONDA_PREFIX")
    }
    environment["JUPYTER_TOKEN"] = token
    command = ["make", "--no-print-directory", "lab", f"BASE_PYTHON={base_python}"]
    command += [f"LAB_PORT={port}", "LAB_BROWSER=no"]
    started = time.perf_counter()
    with log.open("w") as output:
        process = subprocess.Popen(
            command,
            cwd=clone,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while not _served(port, token):
                if process.poll() is not None or time.perf_counter() - started > timeout:
                    raise RuntimeError(f"make lab did not serve; see {log}")
                time.sleep(0.5)
            seconds = time.perf_counter() - started
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=120)
    text = log.read_text(errors="replace")
    phases = [
        {"at_seconds": int(m.group(1)), "phase": m.group(2)}
        for m in map(PHASE.match, text.splitlines())
        if m
    ]
    local = sum(
        Path(path).stat().st_size for path in set(LOCAL.findall(text)) if Path(path).exists()
    )
    fetched = {
        "downloaded": _megabytes(DOWNLOADED.findall(text)),
        "from_pip_cache": _megabytes(CACHED.findall(text)),
        "from_local_mirror": round(local / 1e6),
    }
    return {"seconds": round(seconds, 1), "phases": phases, "pip_mb": fetched}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
    parser.add_argument("--base-python", default=default)
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    with tempfile.TemporaryDirectory(prefix="lab_start_") as folder:
        clone = Path(folder) / "cnnkit"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        first = start_lab(clone, args.base_python, Path(folder) / "first.log")
        print(f"first make lab: {first['seconds']} s", json.dumps(first["phases"]), flush=True)
        second = start_lab(clone, args.base_python, Path(folder) / "second.log")
        print(f"second make lab: {second['seconds']} s", json.dumps(second["phases"]), flush=True)
    common = {
        "measured_on": date.today().isoformat(),
        "commit": commit,
        "cpus": os.cpu_count(),
        "base_python": args.base_python,
        "load_after": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }
    entries = {}
    for key, run in (("first_lab_seconds", first), ("second_lab_seconds", second)):
        target = TARGETS[key]
        entries[key] = {
            **common,
            "value": run["seconds"],
            "target": f"<= {target}",
            "verdict": "met" if run["seconds"] <= target else "not met",
            "phases": run["phases"],
            "pip_mb": run["pip_mb"],
        }
    if not args.no_save:
        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        results.update(entries)
        RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n")
    print(json.dumps(entries, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
