"""Progress with several processes at once: no record lost, one seed, writers killed mid-write.

Each test starts real Python processes (as several Jupyter kernels would be) that wait for a
common start time, so that they read and write the progress file at the same moment.
"""

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

store = importlib.import_module("cnnkit.progress_store")

pytestmark = pytest.mark.attack

ROOT = Path(__file__).resolve().parents[1]

# Every child imports what it needs, prints "ready", then polls (every millisecond) for the
# file named by argv[1]; the test creates it once every child is ready, so all start together.
WAIT_FOR_GO = """
import os, sys, time
print("ready", flush=True)
while not os.path.exists(sys.argv[1]):
    time.sleep(0.001)
"""

# Records argv[2] checks of one shared problem (and a practice answer of its own topic argv[3]
# every 50 checks).
RECORDER = (
    """
from cnnkit import progress_store
"""
    + WAIT_FOR_GO
    + """
count, name = int(sys.argv[2]), sys.argv[3]
for index in range(count):
    progress_store.record("check", "ch01", "q1", "incorrect")
    if index % 50 == 0:
        progress_store.record("practice", "topic-" + name, "p", "correct")
print("done")
"""
)

# For each of argv[2] rounds: prints "ready", waits for the file "go<round>" in argv[1], then
# prints the seed and the numbers of a personal problem drawn in the fresh home "home<round>".
SEED_READER = """
import json, os, sys, time
from cnnkit import exercises
from cnnkit.exercises import ch01
base, rounds = sys.argv[1], int(sys.argv[2])
for round in range(rounds):
    print("ready", flush=True)
    while not os.path.exists(os.path.join(base, f"go{round}")):
        time.sleep(0.001)
    os.environ["CNNKIT_HOME"] = os.path.join(base, f"home{round}")
    print(json.dumps([exercises.seed(), dict(ch01.q2.given)]), flush=True)
"""


def _environment(home: Path) -> dict:
    return dict(os.environ, CNNKIT_HOME=str(home), PYTHONPATH=str(ROOT))


def _start(code: str, home: Path, *arguments) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, arguments)],
        env=_environment(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _start_together(code: str, homes: list[Path], go: Path, *arguments) -> list:
    """One child per home (homes may repeat), started at one moment once all are ready."""
    children = [_start(code, home, go, *arguments, index) for index, home in enumerate(homes)]
    for child in children:
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
    go.touch()
    return children


def _finish(process: subprocess.Popen, timeout: float = 120) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    assert err == "", err  # no warning: nothing went wrong
    return out


def _stored(home: Path) -> dict:
    state = json.loads((home / "progress.json").read_text(encoding="utf-8"))
    assert store.schema_problem(state) is None
    return state


def test_four_processes_checking_at_once_lose_nothing(tmp_path):
    """4 processes x 500 checks of the same problem at the same moment: 2,000 checks kept."""
    processes, checks = 4, 500
    home = tmp_path / "home"
    running = _start_together(RECORDER, [home] * processes, tmp_path / "go", checks)
    for process in running:
        assert _finish(process).strip() == "done"
    state = _stored(home)
    assert state["exercises"]["ch01"]["q1"]["checks"] == processes * checks
    assert {topic: entry["checks"] for topic, entry in state["practice"].items()} == {
        f"topic-{name}": checks // 50 for name in range(processes)
    }
    assert sorted(path.name for path in home.iterdir()) == [
        "progress.json",
        "progress.json.lock",
    ]


def test_kernels_starting_together_on_a_fresh_file_agree_on_the_seed(tmp_path):
    """Four kernels ask for the seed of a fresh home at the same moment, in 20 fresh homes."""
    kernels, rounds = 4, 20
    children = [_start(SEED_READER, tmp_path, tmp_path, rounds) for _ in range(kernels)]
    for round in range(rounds):
        for child in children:
            assert child.stdout.readline().strip() == "ready"
        (tmp_path / f"go{round}").touch()
        answers = [json.loads(child.stdout.readline()) for child in children]
        seeds = {seed for seed, _ in answers}
        assert len(seeds) == 1, f"round {round}: {kernels} kernels drew seeds {seeds}"
        assert [given for _, given in answers] == [answers[0][1]] * kernels  # the same numbers
        assert _stored(tmp_path / f"home{round}")["seed"] == seeds.pop()
    for child in children:
        _finish(child)


def test_writers_killed_mid_write_leave_a_readable_file(tmp_path):
    """kill -9 at random moments while writing: the file is always whole, no count goes back,
    and the temporary files the killed writers left are removed once stale."""
    endless = RECORDER.replace("range(count)", "__import__('itertools').count()")
    previous = 0
    for attempt in range(8):
        process = _start(endless, tmp_path, tmp_path, 0, attempt)  # "go" at once: the folder
        assert process.stdout.readline().strip() == "ready"  # imported: writing from now on
        time.sleep(0.03 + 0.029 * attempt)  # 3 to 33 writes in, and somewhere inside one
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        checks = _stored(tmp_path)["exercises"]["ch01"]["q1"]["checks"]
        assert checks >= previous
        previous = checks
    assert previous > 0
    long_ago = time.time() - store.STALE_TEMPORARY_SECONDS - 60
    left = list(tmp_path.glob(".progress-*.json"))
    print(f"{len(left)} temporary files left by 8 killed writers")
    for path in left:  # a killed writer's temporary file, as it looks a minute later
        os.utime(path, (long_ago, long_ago))
    survivor = _start(RECORDER, tmp_path, tmp_path, 1, "last")
    _finish(survivor)
    assert list(tmp_path.glob(".progress-*.json")) == []
    assert _stored(tmp_path)["exercises"]["ch01"]["q1"]["checks"] == previous + 1
