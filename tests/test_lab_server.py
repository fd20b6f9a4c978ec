"""`make lab`'s launcher with a real JupyterLab: the token holds against a user's configuration,
a server that answers without it is stopped, and SIGTERM or SIGINT stops the server and its
kernels.

The launcher's own function (``cnnkit.authoring.lab.run_lab``, what ``python -m cnnkit.authoring
lab`` runs) is started in a child Python on a small copy of the course in a temporary folder, so
the developer's ``work/`` and landing page are never touched. About 35 s on 2 shared cores
(three starts).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from cnnkit.authoring import lab

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 240  # seconds: JupyterLab's first start on a loaded 2-core machine

LAUNCHER = """
import sys
from pathlib import Path
from cnnkit.authoring import lab
if sys.argv[3] == "no-token":  # a configuration that turns authentication off, beating the kit's
    command = lab.lab_command
    lab.lab_command = lambda *a, **k: command(*a, **k) + ["--IdentityProvider.token="]
sys.exit(lab.run_lab(Path(sys.argv[1]), port=int(sys.argv[2]), ip="127.0.0.1", open_browser=False))
"""


def _small_course(root: Path) -> Path:
    """Chapter 01 with its exercises and solutions: what the landing page needs."""
    for notebook in lab.reference_notebooks(REPOSITORY_ROOT):
        if notebook.name.startswith("01_"):
            (root / notebook).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPOSITORY_ROOT / notebook, root / notebook)
    return root


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _port_is_free(port: int) -> bool:
    """Nobody listens there: a connection is refused and a server could bind it again (as
    servers do, with SO_REUSEADDR: our own closed requests leave TIME_WAIT entries behind)."""
    with socket.socket() as client:
        if client.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def _request(url: str, token: str | None = None, method: str = "GET", body: bytes | None = None):
    headers = {"Authorization": f"token {token}"} if token else {}
    request = urllib.request.Request(url, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _hostile_user_config(base: Path) -> dict:
    """A HOME and a JUPYTER_CONFIG_DIR whose Jupyter configuration turns the token off."""
    environment = dict(os.environ, PYTHONPATH=str(REPOSITORY_ROOT), CNNKIT_LAB_STARTED="")
    for folder in (base / "home" / ".jupyter", base / "user-config"):
        folder.mkdir(parents=True)
        (folder / "jupyter_server_config.json").write_text(
            json.dumps({"IdentityProvider": {"token": ""}, "ServerApp": {"password": ""}})
        )
    environment["HOME"] = str(base / "home")
    environment["JUPYTER_CONFIG_DIR"] = str(base / "user-config")
    environment["JUPYTER_RUNTIME_DIR"] = str(base / "runtime")
    environment["JUPYTER_TOKEN"] = "kit-token-" + os.urandom(8).hex()
    environment.pop("JUPYTER_CONFIG_PATH", None)
    return environment


def _start(base: Path, port: int, mode: str, environment: dict) -> tuple[subprocess.Popen, Path]:
    root = _small_course(base / "course")
    log = base / "launcher.log"
    process = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, str(root), str(port), mode],
        env=environment,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # as in a terminal: the signal goes to the launcher alone
    )
    return process, log


def _wait_for(text: str, log: Path, process: subprocess.Popen) -> str:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        output = log.read_text()
        if text in output or process.poll() is not None:
            return output
        time.sleep(0.5)
    return log.read_text()


def _kill_all(process: subprocess.Popen) -> None:
    """After the test: nothing of it left running, whatever happened."""
    try:
        family = [psutil.Process(process.pid), *psutil.Process(process.pid).children(True)]
    except psutil.Error:
        family = []
    for member in family:
        try:
            member.kill()
        except psutil.Error:
            pass
    process.wait(timeout=30)


def test_user_config_cannot_turn_the_token_off_and_sigterm_stops_server_and_kernels(tmp_path):
    port = _free_port()
    environment = _hostile_user_config(tmp_path)
    token = environment["JUPYTER_TOKEN"]
    process, log = _start(tmp_path, port, "kit", environment)
    try:
        output = _wait_for("open this address in your browser", log, process)
        assert "open this address in your browser" in output, output[-3000:]
        base = f"http://127.0.0.1:{port}"
        for endpoint in lab.PROTECTED_ENDPOINTS:
            status, _ = _request(base + endpoint)
            assert status in (401, 403), f"{endpoint} answered {status} without the token"
        assert _request(f"{base}/api/contents/{lab.LANDING_PAGE}", token)[0] == 200
        # the phases, each with its seconds; the kit's settings and token file, private
        for phase in ("notebooks: copied 3 into work/", "server: starting", "server: serving"):
            assert re.search(rf"\[\d+ s\] {phase}", output), f"no line for {phase!r}"
        config = tmp_path / "course" / lab.CONFIG_DIR
        assert (config / "jupyter_server_config.json").stat().st_mode & 0o077 == 0
        news = config / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
        assert json.loads((news / "notification.jupyterlab-settings").read_text()) == {
            "fetchNews": "false",
            "checkForUpdates": False,
        }
        arguments = [p.info["cmdline"] or [] for p in psutil.process_iter(["cmdline"])]
        assert not any(token in " ".join(line) for line in arguments), "the token is in `ps`"

        status, body = _request(f"{base}/api/kernels", token, "POST", b'{"name": "python3"}')
        assert status == 201, body
        family = psutil.Process(process.pid).children(recursive=True)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not any(
            "ipykernel" in " ".join(p.cmdline()) for p in family
        ):
            time.sleep(0.5)
            family = psutil.Process(process.pid).children(recursive=True)
        kernels = [p for p in family if "ipykernel" in " ".join(p.cmdline())]
        assert kernels, "no kernel process appeared after POST /api/kernels"

        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=90) == 0
        gone, alive = psutil.wait_procs(family, timeout=30)
        assert not alive, f"left running after SIGTERM: {[p.cmdline() for p in alive]}"
        assert _port_is_free(port), f"port {port} still taken after SIGTERM"
        assert "stopping JupyterLab and its kernels" in log.read_text()
        assert not (config / "jupyter_server_config.json").exists(), "the token file was left"
    finally:
        _kill_all(process)


def test_a_server_answering_without_the_token_is_stopped_with_a_message(tmp_path):
    port = _free_port()
    process, log = _start(tmp_path, port, "no-token", _hostile_user_config(tmp_path))
    try:
        assert process.wait(timeout=START_TIMEOUT) == 1, log.read_text()[-3000:]
        output = log.read_text()
        assert "STOPPED: JupyterLab answered without the token" in output
        assert "/api/contents (200)" in output
        assert "open this address" not in output
        assert _port_is_free(port), f"port {port} still taken after the refusal"
    finally:
        _kill_all(process)


def test_ctrl_c_stops_the_server_at_once(tmp_path):
    """SIGINT (Ctrl+C in the terminal) stops JupyterLab with one press: no "Shutdown? (y/[n])"."""
    port = _free_port()
    process, log = _start(tmp_path, port, "kit", _hostile_user_config(tmp_path))
    try:
        output = _wait_for("open this address in your browser", log, process)
        assert "open this address in your browser" in output, output[-3000:]
        family = psutil.Process(process.pid).children(recursive=True)
        assert family, "JupyterLab is not a child of the launcher"
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=90) == 0
        _, alive = psutil.wait_procs(family, timeout=30)
        assert not alive, f"left running after SIGINT: {[p.cmdline() for p in alive]}"
        assert _port_is_free(port), f"port {port} still taken after SIGINT"
        assert "SIGINT: stopping JupyterLab and its kernels" in log.read_text()
    finally:
        _kill_all(process)
