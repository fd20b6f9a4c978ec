"""`make lab` as the README says, in the background: it must serve the landing page.

Run by `make lab-check` (part of `make test`): starts `make lab` on a free port with a known token
and no browser, reads the landing page and the student's copies through the server's REST API,
checks that `make lab` printed the address to open, then stops the whole process group.
Exits non-zero, saying why, when any of that fails.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY_ROOT))

from cnnkit.authoring import lab  # noqa: E402

START_TIMEOUT = 600  # seconds: `make lab` may first install (pip) on a slow shared machine


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, token: str | None) -> tuple[int, bytes]:
    headers = {"Authorization": f"token {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _descendants(pid: int) -> list:
    import psutil

    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.Error:
        return []


def _still_running(processes: list) -> list[str]:
    import psutil

    _, alive = psutil.wait_procs(processes, timeout=30)
    left = []
    for member in alive:
        try:
            left.append(" ".join(member.cmdline())[:120])
            member.kill()
        except psutil.Error:
            pass
    return left


def main() -> int:
    port, token = _free_port(), secrets.token_hex(16)
    base = f"http://127.0.0.1:{port}"
    environment = dict(os.environ, JUPYTER_TOKEN=token)
    environment.pop("MAKEFLAGS", None)  # a fresh `make`, as a student would type it
    environment.pop("MAKELEVEL", None)
    command = ["make", "--no-print-directory", "lab", f"PYTHON={sys.executable}"]
    command += [f"LAB_PORT={port}", "LAB_BROWSER=no"]
    log = tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="lab_check_", delete=False)
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        cwd=REPOSITORY_ROOT,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: make, the launcher and JupyterLab
    )
    problems = []
    try:
        status, body = 0, b""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, body = _get(f"{base}/api/contents/{lab.LANDING_PAGE}?content=1", token)
                if status == 200:
                    break
            except OSError:
                pass
            time.sleep(1)
        if status != 200:
            problems.append(
                f"no landing page from the server (status {status}, make exit code "
                f"{process.poll()})"
            )
        else:
            model = json.loads(body)
            text = "\n".join(cell["source"] for cell in model["content"]["cells"])
            for notebook in lab.reference_notebooks(REPOSITORY_ROOT):
                copy = lab.work_copy(notebook).as_posix()
                if f"({copy})" not in text:
                    problems.append(f"the landing page does not link {copy}")
                status, _ = _get(f"{base}/api/contents/{copy}?content=0", token)
                if status != 200:
                    problems.append(f"no copy {copy} on the server ({status})")
            for endpoint in lab.PROTECTED_ENDPOINTS:
                status, _ = _get(base + endpoint, token=None)
                if status not in (401, 403):
                    problems.append(f"{endpoint} answered {status} without the token")
            status, page = _get(f"{base}/lab/tree/{lab.LANDING_PAGE}", token)
            if status != 200 or b"JupyterLab" not in page:
                problems.append(f"/lab/tree/{lab.LANDING_PAGE} did not answer with JupyterLab")
            # the address is printed once the server answers: give the launcher a moment
            printed = f"http://127.0.0.1:{port}/lab/tree/{lab.LANDING_PAGE}?token={token}"
            for _ in range(30):
                log.seek(0)
                if printed in log.read():
                    break
                time.sleep(1)
            else:
                problems.append(f"make lab did not print the address {printed}")
        seconds = time.perf_counter() - started
    finally:
        # Stopped as a terminal's Ctrl+C would (the signal to make's process group); JupyterLab
        # runs in a session of its own, so the launcher must stop it and its kernels itself.
        family = _descendants(process.pid)
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                problems.append("make lab did not end within 60 s of SIGTERM")
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        left = _still_running(family)
        if left:
            problems.append(f"left running after SIGTERM: {left}")
        with socket.socket() as client:
            if client.connect_ex(("127.0.0.1", port)) == 0:
                problems.append(f"port {port} still answers after SIGTERM")
    log.seek(0)
    output = log.read()
    log.close()
    os.unlink(log.name)
    if problems:
        print("lab-check FAILED:\n  " + "\n  ".join(problems))
        print("--- output of make lab ---\n" + output[-4000:])
        return 1
    print(
        f"lab-check: make lab served {lab.LANDING_PAGE} and the copies in "
        f"{lab.WORK_DIR}/ after {seconds:.0f} s, refused requests without the token, and "
        "stopped with its kernels on SIGTERM"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
