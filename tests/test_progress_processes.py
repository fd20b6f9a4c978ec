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

store = importlib.import_module("cnnkit.progress_store")

ROOT = Path(__file__).resolve().parents[1]

# Waits for the start time given as argv[1], then records argv[2] checks of one shared problem
# (and one practice answer of its own topic every 50 checks).
RECORDER = """
import sys, time
from cnnkit import progress_store
start, count, name = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
while time.time() < start:
    time.sleep(0.001)
for index in range(count):
    progress_store.record("check", "ch01", "q1", "incorrect")
    if index % 50 == 0:
        progress_store.record("practice", "topic-" + name, "p", "correct")
print("done")
"""

# Waits for the start time, then prints the seed and the numbers of a personal problem.
SEED_READER = """
import json, sys, time
start = float(sys.argv[1])
from cnnkit import exercises
from cnnkit.exercises import ch01
while time.time() < start:
    time.sleep(0.001)
print(json.dumps([exercises.seed(), dict(ch01.q2.given)]))
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
    start = time.time() + 1.5  # every interpreter started and waiting
    running = [_start(RECORDER, tmp_path, start, checks, name) for name in range(processes)]
    for process in running:
        assert _finish(process).strip() == "done"
    state = _stored(tmp_path)
    assert state["exercises"]["ch01"]["q1"]["checks"] == processes * checks
    assert {topic: entry["checks"] for topic, entry in state["practice"].items()} == {
        f"topic-{name}": checks // 50 for name in range(processes)
    }
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "progress.json",
        "progress.json.lock",
    ]


def test_kernels_starting_together_on_a_fresh_file_agree_on_the_seed(tmp_path):
    """Three fresh homes, four kernels each, all asking for the seed at the same moment."""
    homes = [tmp_path / f"home{index}" for index in range(3)]
    start = time.time() + 3.0  # importing the exercises takes about a second on a busy machine
    running = {home: [_start(SEED_READER, home, start) for _ in range(4)] for home in homes}
    for home, processes in running.items():
        answers = [json.loads(_finish(process).strip().splitlines()[-1]) for process in processes]
        seeds = {seed for seed, _ in answers}
        assert len(seeds) == 1, seeds
        assert [given for _, given in answers] == [answers[0][1]] * 4  # the same numbers
        assert _stored(home)["seed"] == seeds.pop()


def test_writers_killed_mid_write_leave_a_readable_file(tmp_path):
    """kill -9 at random moments while writing: the file is always whole, no count goes back,
    and the temporary files the killed writers left are removed once stale."""
    endless = RECORDER.replace("range(count)", "__import__('itertools').count()")
    previous = 0
    for attempt in range(8):
        process = _start(endless, tmp_path, 0, 0, attempt)
        deadline = time.monotonic() + 60
        while not (tmp_path / "progress.json").exists() and time.monotonic() < deadline:
            time.sleep(0.01)  # the first write is on disk: the process is writing now
        time.sleep(0.05 + 0.037 * attempt)
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
    survivor = _start(RECORDER, tmp_path, 0, 1, "last")
    _finish(survivor)
    assert list(tmp_path.glob(".progress-*.json")) == []
    assert _stored(tmp_path)["exercises"]["ch01"]["q1"]["checks"] == previous + 1
