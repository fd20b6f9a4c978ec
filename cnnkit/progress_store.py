"""The progress file: every check, hint and solution view, and the per-student seed.

The store behind ``ck.progress()`` (:mod:`cnnkit.progress`, which draws the report). It sits
below the exercises and the review, which call :func:`record` on every check; it imports nothing
of the kit, and no TensorFlow.

The file is ``$CNNKIT_HOME/progress.json`` (default ``~/.cnnkit/progress.json``). What it
promises, whatever happens around it:

- **No record lost.** Every change is a read-modify-write under an exclusive lock on
  ``progress.json.lock`` beside the file (``fcntl.flock``; ``msvcrt.locking`` on Windows), and
  the new file replaces the old one atomically (a temporary ``.progress-*.json`` in the same
  folder, flushed to disk with ``fsync``, then ``os.replace``): several kernels checking at once
  keep every check, and a writer killed at any moment leaves the old or the new file, never half
  of one. Temporary files of killed writers (older than a minute) are removed under the lock.
- **One seed per student.** The per-student seed is drawn once, under the same lock
  (:func:`seed_once`): two kernels starting together on a fresh file get the same one.
- **Unreadable files set aside, never raised.** A file that is not valid UTF-8 JSON of the
  expected shape (checked key by key on every load: counts are non-negative ints, flags are
  bools, the seed a non-negative int below 2**63), or a folder in its place, is renamed
  ``progress.json.corrupt-<time>`` and a new file is started, with one line on stderr.
- **A folder that cannot be used keeps the progress in memory.** When the file cannot be written
  (read-only folder, ``CNNKIT_HOME`` a file or ``~nosuchuser/...``, no home directory at all),
  one line on stderr says so and the rest of the session reads and writes a copy in memory
  (starting from the file's content when it could be read), so the seed stays the same for the
  whole session. No other folder is used in its place.

Recording progress must never stop a student from working: :func:`record` raises only for a
programming error in its arguments.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import json
import os
import stat
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

try:  # POSIX
    import fcntl
except ImportError:  # Windows
    fcntl = None
try:
    import msvcrt
except ImportError:  # POSIX
    msvcrt = None

#: The kinds of event :func:`record` accepts.
EVENTS = ("check", "hint", "solution", "practice", "mock_exam")

_VERSION = 1
_FILE_NAME = "progress.json"
_LOCK_NAME = "progress.json.lock"
_TEMPORARY_PREFIX = ".progress-"
_TEMPORARY_SUFFIX = ".json"
_CORRUPT_PREFIX = "progress.json.corrupt-"
_NOT_ATTEMPTED = "not attempted"
_CORRECT = "correct"
_TOPIC_KINDS = ("practice", "mock_exam")

#: A temporary file untouched this long belongs to a writer that died (a live writer holds the
#: lock and finishes in milliseconds).
STALE_TEMPORARY_SECONDS = 60.0
#: How long to wait for another process's lock before writing without it (a kernel stopped in
#: a debugger must not freeze every other notebook).
LOCK_TIMEOUT_SECONDS = 10.0
#: A progress file is a few kilobytes; anything above this is not one (and is not read whole).
_MAX_FILE_BYTES = 16 * 2**20
#: Counts and seeds must fit a 64-bit integer (NumPy's generators take them; JSON keeps them).
_MAX_INT = 2**63


@dataclass
class _Session:
    """Progress kept in memory for this session because ``location`` cannot be written."""

    location: str
    state: dict


# Progress kept in memory for the session (None while the file works); tests reset it.
_memory: _Session | None = None
_warned: set[str] = set()


class _Unusable(Exception):
    """The progress folder cannot be used at all (the message says why)."""


def _warn_once(key: str, message: str) -> None:
    """One line on stderr, once per process and kind of trouble."""
    if key in _warned:
        return
    _warned.add(key)
    print(f"cnnkit progress: {message}", file=sys.stderr)


def _configured_home() -> tuple[str, Path]:
    """(what was configured, the folder); raises _Unusable when no folder can be named."""
    configured = os.environ.get("CNNKIT_HOME", "").strip()
    if configured:
        try:
            return configured, Path(configured).expanduser()
        except (RuntimeError, KeyError, ValueError) as error:  # "~nosuchuser/x", a NUL byte
            raise _Unusable(
                f"CNNKIT_HOME={configured[:60]!r} is not a usable folder ({error})"
            ) from None
    try:
        return "~/.cnnkit", Path.home() / ".cnnkit"
    except (RuntimeError, KeyError) as error:  # no home directory (some sandboxes)
        # Never a folder in the system temp directory: one named "cnnkit" shadows the package
        # for any Python started there, and another user could prepare it.
        raise _Unusable(
            f"there is no home directory ({error}) and CNNKIT_HOME is not set"
        ) from None


def home() -> Path | None:
    """The folder of the progress file (``$CNNKIT_HOME`` or ``~/.cnnkit``); None if none exists."""
    try:
        return _configured_home()[1]
    except _Unusable:
        return None


def path() -> Path | None:
    """Where the progress is stored; None when there is no usable folder (memory only)."""
    folder = home()
    return None if folder is None else folder / _FILE_NAME


def location() -> str:
    """Where the progress is kept, for a reader: the file, or a note that it is in memory."""
    try:
        folder = _configured_home()[1]
    except _Unusable as why:
        return f"memory only ({why})"
    file = folder / _FILE_NAME
    if _memory is not None and _memory.location == str(folder):
        return f"memory only ({file} cannot be written)"
    return str(file)


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _empty() -> dict:
    return {"version": _VERSION, "seed": None, "exercises": {}, "practice": {}, "mock_exam": {}}


# --- the schema -----------------------------------------------------------------------------


def _is_count(value) -> bool:
    return type(value) is int and 0 <= value < _MAX_INT


def valid_seed(value) -> bool:
    """True for a seed the kit stores: an int (not a bool), 0 <= seed < 2**63."""
    return _is_count(value)


_EXERCISE_FIELDS = {
    "checks": _is_count,
    "hints": _is_count,
    "status": lambda value: value is None or isinstance(value, str),
    "solved": lambda value: type(value) is bool,
    "solution": lambda value: type(value) is bool,
    "last": lambda value: value is None or isinstance(value, str),
}
_TOPIC_FIELDS = {
    "checks": _is_count,
    "correct": _is_count,
    "solutions": _is_count,
    "last": lambda value: value is None or isinstance(value, str),
}


def _entry_problem(where: str, entry, fields: dict) -> str | None:
    if not isinstance(entry, dict):
        return f"{where} is {type(entry).__name__}, not an object"
    for name, ok in fields.items():
        if name in entry and not ok(entry[name]):
            return f"{where}.{name} is {json.dumps(entry[name])[:30]}"
    if entry.get("correct", 0) > entry.get("checks", entry.get("correct", 0)):
        return f"{where} has more correct answers than checks"
    return None


def schema_problem(state) -> str | None:
    """What is wrong with a loaded progress file, in a few words; None when it is valid.

    Valid: an object whose optional ``seed`` is None or an int in [0, 2**63), whose
    ``exercises`` maps chapter -> problem -> entry and whose ``practice`` and ``mock_exam`` map
    topic -> entry, every entry an object whose known fields have their types (counts are ints
    in [0, 2**63), ``solved``/``solution`` bools, ``status``/``last`` strings). Unknown keys are
    kept (a newer kit may add some).
    """
    if not isinstance(state, dict):
        return f"the file holds a {type(state).__name__}, not an object"
    if "version" in state and not _is_count(state["version"]):
        return f"version is {json.dumps(state['version'])[:30]}"
    seed = state.get("seed")
    if seed is not None and not valid_seed(seed):
        return f"seed is {json.dumps(seed)[:30]}, not a non-negative integer"
    for key in ("exercises", *_TOPIC_KINDS):
        if not isinstance(state.get(key, {}), dict):
            return f"{key} is {type(state[key]).__name__}, not an object"
    for chapter, items in state.get("exercises", {}).items():
        if not isinstance(items, dict):
            return f"exercises.{chapter[:20]} is {type(items).__name__}, not an object"
        for item, entry in items.items():
            problem = _entry_problem(
                f"exercises.{chapter[:20]}.{item[:20]}", entry, _EXERCISE_FIELDS
            )
            if problem:
                return problem
    for kind in _TOPIC_KINDS:
        for topic, entry in state.get(kind, {}).items():
            problem = _entry_problem(f"{kind}.{topic[:30]}", entry, _TOPIC_FIELDS)
            if problem:
                return problem
    return None


# --- the file -------------------------------------------------------------------------------


def _parse(file: Path) -> tuple[dict | None, str | None]:
    """(state, None) for a valid file, (None, None) when there is none, (None, why) otherwise.

    Never raises: anything wrong with the file (its content, its kind, reading it) is the reason.
    """
    try:
        # Non-blocking, so that a FIFO in the file's place cannot stop the kernel.
        handle = os.open(
            file, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        )
    except FileNotFoundError:
        return None, None
    except IsADirectoryError:
        return None, "a folder stands in its place"
    except OSError as error:
        return None, f"it cannot be read ({error.strerror or error})"
    try:
        with os.fdopen(handle, "rb") as stream:
            if not stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                return None, "it is not a regular file"
            data = stream.read(_MAX_FILE_BYTES + 1)
    except IsADirectoryError:  # Windows opens a folder and fails on reading
        return None, "a folder stands in its place"
    except OSError as error:
        return None, f"it cannot be read ({error.strerror or error})"
    if len(data) > _MAX_FILE_BYTES:
        return None, f"it is larger than {_MAX_FILE_BYTES // 2**20} MiB"
    try:
        state = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None, "it is not UTF-8 text"
    except RecursionError:
        return None, "it is nested too deeply"
    except ValueError as error:  # JSONDecodeError, or an integer of thousands of digits
        return None, f"it is not JSON ({str(error)[:60]})"
    problem = schema_problem(state)
    if problem:
        return None, problem
    for key, value in _empty().items():
        state.setdefault(key, value)
    return state, None


def _set_aside(folder: Path, why: str) -> None:
    """Rename the unreadable file ``progress.json.corrupt-<time>``; warn once. OSError if not."""
    file = folder / _FILE_NAME
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    target = folder / f"{_CORRUPT_PREFIX}{stamp}"
    number = 1
    while os.path.lexists(target):  # two in one second: keep both
        number += 1
        target = folder / f"{_CORRUPT_PREFIX}{stamp}-{number}"
    os.rename(file, target)
    print(
        f"cnnkit progress: {file} was unreadable ({why}); kept it as {target.name} "
        "and started a new one.",
        file=sys.stderr,
    )


class _CannotSetAside(OSError):
    """An unreadable file that cannot be renamed (a read-only folder): the message says all."""


def _read_locked(folder: Path) -> dict:
    """The state in ``folder`` (empty when there is none); an unreadable file is set aside.

    Called only under the lock, so that a file another process has just rewritten is never
    renamed. Raises _CannotSetAside when the unreadable file cannot be renamed.
    """
    if not folder.is_dir():
        return _empty()
    state, why = _parse(folder / _FILE_NAME)
    if why is not None:
        try:
            _set_aside(folder, why)
        except OSError as error:
            raise _CannotSetAside(
                f"{folder / _FILE_NAME} is unreadable ({why}) and cannot be set aside "
                f"({error.strerror or error})"
            ) from None
    return state or _empty()


def _write(folder: Path, state: dict) -> None:
    """Replace the file by ``state`` atomically (temporary file, fsync, os.replace)."""
    handle, temporary = tempfile.mkstemp(
        prefix=_TEMPORARY_PREFIX, suffix=_TEMPORARY_SUFFIX, dir=folder
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(state, stream, indent=1, sort_keys=True, ensure_ascii=False)
            stream.write("\n")
            stream.flush()
            os.fsync(stream.fileno())  # on disk before it takes the real name
        os.replace(temporary, folder / _FILE_NAME)  # atomic: readers see old or new, never half
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _remove_stale_temporaries(folder: Path) -> None:
    """Remove ``.progress-*.json`` files older than a minute: their writers were killed."""
    deadline = time.time() - STALE_TEMPORARY_SECONDS
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        for entry in entries:
            name = entry.name
            if not (name.startswith(_TEMPORARY_PREFIX) and name.endswith(_TEMPORARY_SUFFIX)):
                continue
            with contextlib.suppress(OSError):
                if entry.stat(follow_symlinks=False).st_mtime < deadline:
                    os.unlink(entry.path)


def _try_lock(handle: int) -> bool:
    """Take the exclusive lock on ``handle`` if it is free; True when taken, False when held.

    OSError when locking itself fails (a file system without locks).
    """
    try:
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        elif msvcrt is not None:
            msvcrt.locking(handle, msvcrt.LK_NBLCK, 1)
        return True
    except (BlockingIOError, PermissionError):  # EWOULDBLOCK; EACCES from msvcrt and some NFS
        return False
    except OSError as error:
        if fcntl is None and error.errno == getattr(errno, "EDEADLOCK", None):  # msvcrt: held
            return False
        raise


def _unlock(handle: int) -> None:
    with contextlib.suppress(OSError):
        if fcntl is not None:
            fcntl.flock(handle, fcntl.LOCK_UN)
        elif msvcrt is not None:
            os.lseek(handle, 0, os.SEEK_SET)
            msvcrt.locking(handle, msvcrt.LK_UNLCK, 1)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold the exclusive lock on ``folder/progress.json.lock`` (OSError if it cannot be opened).

    The lock is polled (1 ms, doubling to 20 ms) for up to LOCK_TIMEOUT_SECONDS; after that the
    caller goes on without it, with one warning, rather than freezing the notebook.
    """
    lock_file = folder / _LOCK_NAME
    try:
        handle = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    except PermissionError:  # a read-only folder may still hold a lock file we can open
        handle = os.open(lock_file, os.O_RDONLY)
    try:
        pause, deadline, held = 0.001, time.monotonic() + LOCK_TIMEOUT_SECONDS, False
        try:
            while not (held := _try_lock(handle)) and time.monotonic() < deadline:
                time.sleep(pause)
                pause = min(pause * 2, 0.02)
            if not held:
                _warn_once(
                    f"lock {folder}",
                    f"another process has held {lock_file} for {LOCK_TIMEOUT_SECONDS:.0f} s; "
                    "going on without it.",
                )
        except OSError as error:  # no locks on this file system: better unlocked than not kept
            _warn_once(
                f"lock {folder}",
                f"cannot lock {lock_file} ({error.strerror or error}); going on without the lock.",
            )
        try:
            yield
        finally:
            if held:
                _unlock(handle)
    finally:
        os.close(handle)


def _memory_session(key: str, state: dict, why: str) -> _Session:
    """Keep ``state`` in memory for the rest of the session (one warning per place)."""
    global _memory
    _memory = _Session(key, state)
    _warn_once(f"memory {key}", f"{why}; progress is kept in memory for this session only.")
    return _memory


def _transaction(change: Callable[[dict], object] | None, *, write: bool = True):
    """Apply ``change(state)`` to the recorded state under the lock and store it; its result.

    Read, change and write happen inside one lock, so no other process's record is lost. A
    read (``write=False``, ``change`` None) takes the lock only to set an unreadable file aside.
    When the folder cannot be used, the state lives in memory for the session (see the module).
    """
    try:
        _, folder = _configured_home()
    except _Unusable as why:
        key = f"unusable:{os.environ.get('CNNKIT_HOME', '')}"
        if _memory is None or _memory.location != key:
            _memory_session(key, _empty(), str(why))
        return change(_memory.state) if change else _memory.state
    key, file = str(folder), folder / _FILE_NAME
    if _memory is not None and _memory.location == key:
        return change(_memory.state) if change else _memory.state
    # A read needs no lock (writes are atomic) unless the file must be set aside. On Windows it
    # takes the lock all the same: a reader's open file makes the writer's os.replace fail there.
    if not write and fcntl is not None:
        if not folder.is_dir():
            return _empty()
        state, why = _parse(file)
        if why is None:
            return state or _empty()
    state = None
    try:
        if folder.exists() and not folder.is_dir():
            raise NotADirectoryError(errno.ENOTDIR, "it is a file, not a folder")
        if write:
            folder.mkdir(parents=True, exist_ok=True)
        with _locked(folder):
            state = _read_locked(folder)
            result = change(state) if change else state
            if write:
                _write(folder, state)
                _remove_stale_temporaries(folder)
        return result
    except _CannotSetAside as error:
        why = str(error)
        state = _empty()
        result = change(state) if change else state
    except OSError as error:
        why = f"cannot write {file} ({error.strerror or error})"
        if state is None:  # the lock could not be taken: nothing is read or changed yet
            state, unreadable = _parse(file) if folder.is_dir() else (None, None)
            if not write and not unreadable:  # a plain read of a read-only folder: it worked
                return state or _empty()
            if unreadable:
                why = f"{file} is unreadable ({unreadable}) and cannot be set aside"
            state = state or _empty()
            result = change(state) if change else state
    _memory_session(key, state, why)
    return result


def load() -> dict:
    """The recorded progress (a fresh, empty record when there is none yet). Never raises."""
    return _transaction(None, write=False)


def update(change: Callable[[dict], object]):
    """Run ``change(state)`` on the recorded progress under the lock, store it; change's result."""
    return _transaction(change)


def save(state: dict) -> None:
    """Replace the recorded progress by ``state`` (under the lock, atomically)."""
    problem = schema_problem(state)
    if problem:
        raise ValueError(f"not a progress record: {problem}.")

    def replace(current: dict) -> None:
        current.clear()
        current.update(state)

    _transaction(replace)


def record(event: str, chapter_or_topic: str, item: str, status: str | None = None) -> None:
    """Record one event. Never raises for trouble with the file (warns once instead).

    - ``check``: an exercise was checked; ``chapter_or_topic`` is the chapter module ("ch01"),
      ``item`` the problem ("q2"), ``status`` "correct", "incorrect" or "not attempted"
      (not-attempted checks are not recorded: running an untouched notebook is not work);
    - ``hint`` / ``solution``: a hint or the solution of that exercise was shown;
    - ``practice`` / ``mock_exam``: a practice or mock-exam problem of topic ``chapter_or_topic``
      was checked (``status`` as above) or its solution viewed (``status`` "solution" or None).
    """
    if event not in EVENTS:
        raise ValueError(f"event must be one of {', '.join(EVENTS)}; got {event!r}.")
    for name, value in (("chapter_or_topic", chapter_or_topic), ("item", item)):
        if not isinstance(value, str) or not value:
            raise TypeError(f"{name} must be a non-empty string, got {value!r}.")
    if status is not None and not isinstance(status, str):
        raise TypeError(f"status must be a string such as 'correct' or None, got {status!r}.")
    if status == _NOT_ATTEMPTED:
        return
    now = _now()

    def add(state: dict) -> None:
        if event in ("check", "hint", "solution"):
            entry = state["exercises"].setdefault(chapter_or_topic, {}).setdefault(item, {})
            if event == "check":
                entry["checks"] = entry.get("checks", 0) + 1
                entry["status"] = status
                entry["solved"] = bool(entry.get("solved")) or status == _CORRECT
            elif event == "hint":
                entry["hints"] = entry.get("hints", 0) + 1
            else:
                entry["solution"] = True
        else:
            entry = state[event].setdefault(chapter_or_topic, {})
            if status in (None, "solution"):
                entry["solutions"] = entry.get("solutions", 0) + 1
            else:
                entry["checks"] = entry.get("checks", 0) + 1
                entry["correct"] = entry.get("correct", 0) + (status == _CORRECT)
        entry["last"] = now

    update(add)


# --- the per-student seed -------------------------------------------------------------------


def stored_seed() -> int | None:
    """The per-student seed kept with the progress, or None."""
    return load().get("seed")


def seed_once(draw: Callable[[], int]) -> int:
    """The stored seed; when there is none, ``draw()`` one and store it, under the lock.

    Reading and storing happen inside one lock, so kernels starting together on a fresh file
    agree on one seed; in memory-only mode the seed drawn stays for the whole session.
    """

    def ensure(state: dict) -> int:
        if state.get("seed") is None:
            value = draw()
            if not valid_seed(value):
                raise ValueError(f"a drawn seed must be an int in [0, 2**63), got {value!r}.")
            state["seed"] = value
        return state["seed"]

    current = load().get("seed")  # the usual case: already chosen, no write needed
    return current if current is not None else update(ensure)


def store_seed(value: int) -> None:
    """Store ``value`` as the per-student seed (an int in [0, 2**63))."""
    if not valid_seed(value):
        raise ValueError(f"the seed must be an int in [0, 2**63), got {value!r}.")

    def assign(state: dict) -> None:
        state["seed"] = value

    update(assign)
