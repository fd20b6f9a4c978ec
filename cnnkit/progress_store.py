"""The progress file: every check, hint and solution view, and the per-student seed.

The store behind ``ck.progress()`` (:mod:`cnnkit.progress`, which draws the report). It sits
below the exercises and the review, which call :func:`record` on every check; it imports nothing
of the kit, and no TensorFlow.

The file is ``$CNNKIT_HOME/progress.json`` (default ``~/.cnnkit/progress.json``), written
atomically (a temporary file in the same folder, then ``os.replace``). A corrupted file is kept
aside as ``progress.corrupt.json`` and a new one is started; an unwritable folder keeps the
progress in memory for this session. Either gives one line on stderr: recording progress must
never stop a student from working.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
import tempfile
from pathlib import Path

#: The kinds of event :func:`record` accepts.
EVENTS = ("check", "hint", "solution", "practice", "mock_exam")

_VERSION = 1
_FILE_NAME = "progress.json"
_CORRUPT_NAME = "progress.corrupt.json"
_NOT_ATTEMPTED = "not attempted"
_CORRECT = "correct"

# The state of this process, used when the file cannot be read or written (and as a cache).
_memory: dict | None = None
_memory_only = False  # True after a failed write: the file is behind this session
_warned: set[str] = set()


def home() -> Path:
    """The folder of the progress file: ``$CNNKIT_HOME`` or ``~/.cnnkit``."""
    configured = os.environ.get("CNNKIT_HOME", "").strip()
    if configured:
        return Path(configured).expanduser()
    try:
        return Path.home() / ".cnnkit"
    except (RuntimeError, KeyError):  # no home directory (some sandboxes): keep it for this machine
        return Path(tempfile.gettempdir()) / "cnnkit"


def path() -> Path:
    """Where the progress is stored."""
    return home() / _FILE_NAME


def _now() -> str:
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def _warn_once(key: str, message: str) -> None:
    """One line on stderr, once per process and kind of trouble."""
    if key in _warned:
        return
    _warned.add(key)
    print(f"cnnkit progress: {message}", file=sys.stderr)


def _empty() -> dict:
    return {"version": _VERSION, "seed": None, "exercises": {}, "practice": {}, "mock_exam": {}}


def _valid(state) -> bool:
    if not isinstance(state, dict):
        return False
    if not all(
        isinstance(state.get(key, {}), dict) for key in ("exercises", "practice", "mock_exam")
    ):
        return False
    seed = state.get("seed")
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        return False
    chapters_ok = all(
        isinstance(items, dict) and all(isinstance(entry, dict) for entry in items.values())
        for items in state.get("exercises", {}).values()
    )
    topics_ok = all(
        isinstance(entry, dict)
        for key in ("practice", "mock_exam")
        for entry in state.get(key, {}).values()
    )
    return chapters_ok and topics_ok


def load() -> dict:
    """The recorded progress (a fresh, empty record when there is none yet)."""
    global _memory
    file = path()
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return _memory if _memory_only and _memory is not None else _empty()
    except OSError as error:
        _warn_once(
            "unavailable", f"cannot read {file} ({error.strerror}); progress is kept in memory."
        )
        return _memory if _memory is not None else _empty()
    try:
        state = json.loads(text)
    except ValueError:
        state = None
    if not _valid(state):
        _set_aside_corrupt(file)
        return _memory if _memory is not None else _empty()
    for key, value in _empty().items():
        state.setdefault(key, value)
    _memory = state
    return state


def _set_aside_corrupt(file: Path) -> None:
    try:
        os.replace(file, file.with_name(_CORRUPT_NAME))
        where = f"kept it as {_CORRUPT_NAME} and started a new one"
    except OSError:
        where = "starting a new one"
    _warn_once("corrupt", f"the progress file {file} was unreadable; {where}.")


def save(state: dict) -> bool:
    """Write ``state`` atomically; on failure warn once and keep it in memory. True when written."""
    global _memory, _memory_only
    _memory = state
    folder = home()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".progress-", suffix=".json", dir=folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(state, stream, indent=1, sort_keys=True, ensure_ascii=False)
                stream.write("\n")
            os.replace(temporary, folder / _FILE_NAME)  # atomic: readers see old or new, never half
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError as error:
        _warn_once(
            "unavailable",
            f"cannot write {folder / _FILE_NAME} ({error.strerror or error}); "
            "progress is kept in memory for this session only.",
        )
        _memory_only = True
        return False
    _memory_only = False
    return True


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
    if status == _NOT_ATTEMPTED:
        return
    state = load()
    now = _now()
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
    save(state)


# --- the per-student seed -------------------------------------------------------------------


def stored_seed() -> int | None:
    """The per-student seed kept with the progress, or None."""
    return load().get("seed")


def store_seed(value: int) -> None:
    state = load()
    state["seed"] = int(value)
    save(state)
