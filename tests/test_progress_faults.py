"""Progress under faults: unreadable files, read-only folders, unusable homes, stale temporaries.

Whatever the file or the folder, `ck.progress()`, `ck.exercises.seed()` and recording a check
never raise, warn with one line, and keep the per-student seed stable for the whole session.
(Several processes at once, and writers killed mid-write: tests/test_progress_processes.py.)
"""

import errno
import importlib
import json
import math
import os
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import pytest

import cnnkit as ck
from cnnkit import exercises
from cnnkit.exercises import ch01

store = importlib.import_module("cnnkit.progress_store")

pytestmark = pytest.mark.attack

RIGHT_Q1 = 784 * 128 + 128  # ch01.q1 is not personal: its right answer is fixed


@pytest.fixture
def cnnkit_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("CNNKIT_HOME", str(home))
    monkeypatch.setattr(store, "_memory", None)
    monkeypatch.setattr(store, "_warned", set())
    for problem in ch01.CHAPTER.problems:  # as in a student's notebook, not the solution one
        monkeypatch.setattr(problem, "_checks_are_solution_views", False)
    return home


@pytest.fixture
def make_read_only(monkeypatch):
    """Make a folder read-only: chmod for a user; for root (whom chmod does not stop), every
    call that would create, rename or remove something in it fails with EACCES, as the kernel
    fails it for a user."""
    restore = []

    def make(folder: Path) -> None:
        folder = folder.resolve()
        if os.geteuid() != 0:
            folder.chmod(0o555)
            restore.append(folder)
            return

        def inside(path) -> bool:
            if not isinstance(path, (str, bytes, os.PathLike)):
                return False
            return Path(os.fsdecode(path)).resolve().is_relative_to(folder)

        def refuse(path):
            raise PermissionError(errno.EACCES, "Permission denied", os.fsdecode(path))

        real_open = os.open

        def guarded_open(path, flags, mode=0o777, *, dir_fd=None):
            if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT) and inside(path):
                refuse(path)
            return real_open(path, flags, mode, dir_fd=dir_fd)

        monkeypatch.setattr(os, "open", guarded_open)
        for name in ("mkdir", "rename", "replace", "unlink", "rmdir"):
            real = getattr(os, name)

            def guarded(*args, _real=real, **kwargs):
                for path in args[:2]:
                    if inside(path):
                        refuse(path)
                return _real(*args, **kwargs)

            monkeypatch.setattr(os, name, guarded)

    yield make
    for folder in restore:
        folder.chmod(0o755)


def right_q2() -> int:
    given = ch01.q2.given
    return math.ceil(given.samples / given.batch_size)


def error_lines(capsys) -> list[str]:
    return capsys.readouterr().err.splitlines()


# --- read-only folders ------------------------------------------------------------------------


def test_read_only_folder_keeps_one_seed_and_every_check_in_memory(
    cnnkit_home, make_read_only, capsys
):
    history = {"exercises": {"ch01": {"q1": {"checks": 1, "solved": True, "status": "correct"}}}}
    file = cnnkit_home / "progress.json"
    file.write_text(json.dumps(history))
    make_read_only(cnnkit_home)
    seeds = {exercises.seed() for _ in range(3)}
    assert len(seeds) == 1  # it used to change on every call: 651649 445928 578986
    results = [ch01.q2.check(right_q2()).status for _ in range(5)]
    assert results == ["correct"] * 5
    row = next(row for row in ck.progress().chapters if row["chapter"] == "ch01")
    assert (row["solved"], row["attempted"]) == (2, 2)  # the file's history and the new checks
    assert store.load()["exercises"]["ch01"]["q2"]["checks"] == 5
    lines = error_lines(capsys)
    assert len(lines) == 1 and "kept in memory for this session" in lines[0], lines
    assert "memory only" in ck.progress().location
    assert exercises.seed("2023011234") == exercises.seed() == exercises.seed()
    assert ch01.q2.check(right_q2()).status == "correct"
    assert json.loads(file.read_text()) == history  # the file was not touched
    assert error_lines(capsys) == []


def test_read_only_folder_uses_the_stored_seed(cnnkit_home, make_read_only, capsys):
    (cnnkit_home / "progress.json").write_text('{"seed": 424242}')
    make_read_only(cnnkit_home)
    assert exercises.seed() == 424242
    assert ch01.q1.check(RIGHT_Q1).status == "correct"
    assert exercises.seed() == 424242
    assert len(error_lines(capsys)) == 1


def test_read_only_folder_with_an_unreadable_file(cnnkit_home, make_read_only, capsys):
    (cnnkit_home / "progress.json").write_bytes(b"\xff\xfe\x00 not text")
    make_read_only(cnnkit_home)
    report = ck.progress()
    assert all(row["attempted"] == 0 for row in report.chapters)
    first = exercises.seed()
    assert ch01.q2.check(right_q2()).status == "correct"
    assert exercises.seed() == first
    lines = error_lines(capsys)
    assert len(lines) == 1 and "unreadable" in lines[0] and "memory" in lines[0], lines
    assert (cnnkit_home / "progress.json").read_bytes() == b"\xff\xfe\x00 not text"


# --- unreadable files -------------------------------------------------------------------------

UNREADABLE = {
    "binary bytes": b"\xff\xfe\x00\x01binary",
    "checks a word": b'{"exercises": {"ch01": {"q1": {"checks": "three"}}}}',
    "hints null": b'{"exercises": {"ch01": {"q1": {"hints": null}}}}',
    "100,000-deep array": b"[" * 100_000 + b"]" * 100_000,
    "seed -5": b'{"seed": -5}',
    "seed a word": b'{"seed": "x"}',
    "seed a float": b'{"seed": 1.5}',
    "seed true": b'{"seed": true}',
    "seed of 5,000 digits": b'{"seed": 1' + b"0" * 5000 + b"}",
    "more correct than checks": b'{"practice": {"pooling": {"checks": 1, "correct": 2}}}',
    "a list": b"[]",
    "empty": b"",
    "exercises a number": b'{"exercises": 5}',
    "chapter a list": b'{"exercises": {"ch01": [1, 2]}}',
    "truncated": b'{"exercises": {"ch01": {"q1": {"checks": 1',
}
CONTENTS = [*UNREADABLE, "a folder"]


def _place(home: Path, kind: str) -> None:
    file = home / "progress.json"
    if kind == "a folder":
        file.mkdir()
        (file / "inside.txt").write_text("x")
    else:
        file.write_bytes(UNREADABLE[kind])


def _kept_aside(home: Path, kind: str) -> None:
    (aside,) = home.glob("progress.json.corrupt-*")
    if kind == "a folder":
        assert (aside / "inside.txt").read_text() == "x"
    else:
        assert aside.read_bytes() == UNREADABLE[kind]


@pytest.mark.parametrize("kind", CONTENTS)
def test_an_unreadable_file_is_set_aside_by_the_report(cnnkit_home, capsys, kind):
    _place(cnnkit_home, kind)
    report = ck.progress()
    assert all(row["attempted"] == 0 for row in report.chapters) and not report.topics
    lines = error_lines(capsys)
    assert len(lines) == 1 and "unreadable" in lines[0] and "progress.json.corrupt-" in lines[0]
    _kept_aside(cnnkit_home, kind)
    ck.progress()
    assert error_lines(capsys) == []


@pytest.mark.parametrize("kind", CONTENTS)
def test_an_unreadable_file_is_set_aside_by_the_seed(cnnkit_home, capsys, kind):
    _place(cnnkit_home, kind)
    first = exercises.seed()
    assert store.valid_seed(first) and exercises.seed() == first
    assert json.loads((cnnkit_home / "progress.json").read_text())["seed"] == first
    assert len(error_lines(capsys)) == 1
    _kept_aside(cnnkit_home, kind)


@pytest.mark.parametrize("kind", CONTENTS)
def test_an_unreadable_file_is_set_aside_by_a_check(cnnkit_home, capsys, kind):
    _place(cnnkit_home, kind)
    assert ch01.q1.check(RIGHT_Q1).status == "correct"
    stored = json.loads((cnnkit_home / "progress.json").read_text())
    assert stored["exercises"]["ch01"]["q1"]["checks"] == 1
    lines = error_lines(capsys)
    assert len(lines) == 1 and "unreadable" in lines[0], lines
    _kept_aside(cnnkit_home, kind)


def test_two_unreadable_files_in_one_second_are_both_kept(cnnkit_home, capsys):
    for content in (b"first", b"second"):
        (cnnkit_home / "progress.json").write_bytes(content)
        ck.progress()
    kept = sorted(path.read_bytes() for path in cnnkit_home.glob("progress.json.corrupt-*"))
    assert kept == [b"first", b"second"]
    assert len(error_lines(capsys)) == 2  # one line for each file set aside


def test_every_valid_field_is_accepted_and_kept(cnnkit_home, capsys):
    state = {
        "version": 1,
        "seed": 2**63 - 1,
        "exercises": {"ch01": {"q1": {"checks": 2, "hints": 1, "status": "correct"}}},
        "practice": {"pooling": {"checks": 3, "correct": 1, "solutions": 1, "last": None}},
        "mock_exam": {},
        "a key of a newer kit": [1, 2],
    }
    (cnnkit_home / "progress.json").write_text(json.dumps(state))
    assert store.load() == state
    ch01.q1.check(RIGHT_Q1)
    stored = json.loads((cnnkit_home / "progress.json").read_text())
    assert stored["a key of a newer kit"] == [1, 2] and stored["seed"] == 2**63 - 1
    assert error_lines(capsys) == []


# --- homes that cannot be used ----------------------------------------------------------------


def _file_home(tmp_path: Path) -> str:
    (tmp_path / "a-file").write_text("x")
    return str(tmp_path / "a-file")


def _below_a_file(tmp_path: Path) -> str:
    (tmp_path / "a-file").write_text("x")
    return str(tmp_path / "a-file" / "cnnkit")


def _no_home(cls):
    raise RuntimeError("Could not determine home directory.")


HOMES = {
    "~nosuchuser": lambda tmp_path: "~nosuchuser-cnnkit-test/x",
    "a file": _file_home,
    "below a file": _below_a_file,
    "no home directory": lambda tmp_path: None,
}


@pytest.mark.parametrize("kind", HOMES)
def test_an_unusable_home_warns_once_and_keeps_progress_in_memory(
    tmp_path, monkeypatch, capsys, kind
):
    monkeypatch.setattr(store, "_memory", None)
    monkeypatch.setattr(store, "_warned", set())
    monkeypatch.setattr(ch01.q1, "_checks_are_solution_views", False)
    system_temp = tmp_path / "system-temp"
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    configured = HOMES[kind](tmp_path)
    if configured is None:
        monkeypatch.delenv("CNNKIT_HOME")
        monkeypatch.setattr(Path, "home", classmethod(_no_home))
    else:
        monkeypatch.setenv("CNNKIT_HOME", configured)
    before = sorted(tmp_path.rglob("*"))
    assert all(row["attempted"] == 0 for row in ck.progress().chapters)
    first = exercises.seed()
    assert ch01.q1.check(RIGHT_Q1).status == "correct"
    assert ch01.q2.check(right_q2()).status == "correct"
    assert exercises.seed() == first
    row = next(row for row in ck.progress().chapters if row["chapter"] == "ch01")
    assert (row["solved"], row["attempted"]) == (2, 2)
    lines = error_lines(capsys)
    assert len(lines) == 1 and "memory" in lines[0], lines
    assert "memory only" in ck.progress().location
    assert sorted(tmp_path.rglob("*")) == before  # no folder made anywhere, none in the temp dir


# --- temporary files of killed writers --------------------------------------------------------


def test_stale_temporary_files_are_removed_and_fresh_ones_kept(cnnkit_home):
    stale = cnnkit_home / ".progress-killed1.json"
    fresh = cnnkit_home / ".progress-running.json"
    other = cnnkit_home / "notes.json"
    for path in (stale, fresh, other):
        path.write_text("{")
    old = time.time() - store.STALE_TEMPORARY_SECONDS - 60
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    ch01.q1.check(RIGHT_Q1)
    assert not stale.exists() and fresh.exists() and other.exists()


# --- the lock ---------------------------------------------------------------------------------


def _hold_lock(home: Path):
    """Take the progress lock through a second open file (flock conflicts with it)."""
    import fcntl

    handle = os.open(home / "progress.json.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def test_a_record_waits_for_the_lock_and_loses_nothing(cnnkit_home):
    ch01.q1.check(RIGHT_Q1)
    handle = _hold_lock(cnnkit_home)
    releaser = threading.Timer(0.3, os.close, (handle,))
    releaser.start()
    started = time.monotonic()
    ch01.q1.check(RIGHT_Q1)
    waited = time.monotonic() - started
    releaser.join()
    assert waited >= 0.25
    stored = json.loads((cnnkit_home / "progress.json").read_text())
    assert stored["exercises"]["ch01"]["q1"]["checks"] == 2


def test_a_lock_held_too_long_is_passed_with_one_warning(cnnkit_home, monkeypatch, capsys):
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 0.2)
    handle = _hold_lock(cnnkit_home)
    try:
        for _ in range(2):
            assert ch01.q1.check(RIGHT_Q1).status == "correct"
    finally:
        os.close(handle)
    stored = json.loads((cnnkit_home / "progress.json").read_text())
    assert stored["exercises"]["ch01"]["q1"]["checks"] == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and "going on without it" in lines[0]


# --- the seed's arguments ---------------------------------------------------------------------


def test_seed_takes_any_integral_and_refuses_the_rest(cnnkit_home):
    assert exercises.seed(np.int64(5)) == 5 and type(exercises.seed()) is int
    assert json.loads((cnnkit_home / "progress.json").read_text())["seed"] == 5
    assert exercises.seed(np.uint16(7)) == 7 and exercises.seed(2**63 - 1) == 2**63 - 1
    for value in (5.0, np.float64(5), np.bool_(True), True, [5], None.__class__):
        with pytest.raises(TypeError, match="student number or name"):
            exercises.seed(value)
    for value in (-1, np.int64(-5), 2**63, 10**5000):
        with pytest.raises(ValueError, match="non-negative integer below 2\\*\\*63") as error:
            exercises.seed(value)
        assert len(str(error.value)) < 300
    assert exercises.seed() == 2**63 - 1  # refused values change nothing
    with pytest.raises(ValueError, match="seed must be an int"):
        store.store_seed(-5)


def test_a_fifo_in_place_of_the_file_is_set_aside_without_blocking(cnnkit_home, capsys):
    os.mkfifo(cnnkit_home / "progress.json")  # opening it for reading would wait for a writer
    assert ch01.q1.check(RIGHT_Q1).status == "correct"
    lines = error_lines(capsys)
    assert len(lines) == 1 and "not a regular file" in lines[0]
    (aside,) = cnnkit_home.glob("progress.json.corrupt-*")
    assert aside.is_fifo()
    assert json.loads((cnnkit_home / "progress.json").read_text())["exercises"]["ch01"]


def test_reads_under_the_lock_as_on_windows(cnnkit_home, monkeypatch, capsys):
    """Without fcntl (Windows), reads take the lock too; everything else is the same."""
    monkeypatch.setattr(store, "fcntl", None)
    (cnnkit_home / "progress.json").write_bytes(b"\xff not text")
    assert all(row["attempted"] == 0 for row in ck.progress().chapters)
    assert len(error_lines(capsys)) == 1
    first = exercises.seed()
    assert ch01.q1.check(RIGHT_Q1).status == "correct"
    assert exercises.seed() == first
    stored = json.loads((cnnkit_home / "progress.json").read_text())
    assert stored["seed"] == first and stored["exercises"]["ch01"]["q1"]["checks"] == 1
    assert error_lines(capsys) == []


def test_a_file_system_without_locks_still_keeps_the_progress(cnnkit_home, monkeypatch, capsys):
    def no_locks(handle, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(store.fcntl, "flock", no_locks)
    for _ in range(2):
        assert ch01.q1.check(RIGHT_Q1).status == "correct"
    stored = json.loads((cnnkit_home / "progress.json").read_text())
    assert stored["exercises"]["ch01"]["q1"]["checks"] == 2
    lines = error_lines(capsys)
    assert len(lines) == 1 and "No locks available" in lines[0], lines
