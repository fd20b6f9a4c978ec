"""A student's progress that lasts: every check, hint and solution view, kept in a small JSON file.

    import cnnkit as ck
    ck.progress()                 # one row per chapter, then practice and mock-exam topics, weakest first
    ck.progress("ch02")           # one chapter (also 2, "02", "02_convolution")
    ck.progress(reset=True)       # forget everything (the per-student seed is kept)

The file is ``$CNNKIT_HOME/progress.json`` (default ``~/.cnnkit/progress.json``). It is written
atomically (a temporary file in the same folder, then ``os.replace``), so a new kernel, a
restarted notebook or another chapter's notebook sees what was recorded. Nothing is sent
anywhere: the file stays on this machine.

A corrupted file is kept aside as ``progress.corrupt.json`` and a new one is started; an
unwritable folder keeps the progress in memory for this session. Either gives one line on
stderr and checking goes on: recording progress must never stop a student from working.

This module imports no TensorFlow (it is called on every check).
"""

from __future__ import annotations

import datetime
import html
import json
import os
import sys
import tempfile
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
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


# --- the report -----------------------------------------------------------------------------


def _chapter_key(chapter, known: Mapping[str, object]) -> str:
    """'ch02' from 2, '2', '02', 'ch02', '02_convolution' or 'chapter 2'."""
    text = str(chapter).strip().lower() if not isinstance(chapter, bool) else ""
    digits = ""
    for character in text.removeprefix("chapter").removeprefix("ch").strip():
        if not character.isdigit():
            break
        digits += character
    key = f"ch{int(digits):02d}" if digits else ""
    if key not in known:
        raise ValueError(
            f"No exercises for chapter {chapter!r}; choose one of {', '.join(known)} "
            "(or call ck.progress() for every chapter)."
        )
    return key


def _short_time(stamp: str | None) -> str:
    if not stamp:
        return "-"
    try:
        return datetime.datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return "-"


@dataclass
class ProgressReport:
    """What ``ck.progress()`` returns: ``chapters`` rows and ``topics`` rows (weakest first)."""

    chapters: list[dict]
    topics: list[dict] = field(default_factory=list)
    single: bool = False
    location: str = ""

    def line(self, row: dict) -> str:
        """One chapter's progress as one line of text."""
        return (
            f"Chapter {row['chapter'][2:]}: {row['solved']}/{row['problems']} solved, "
            f"{row['attempted']} attempted, {row['hints']} hints used, "
            f"{row['solutions']} solutions viewed; last activity {_short_time(row['last'])}."
        )

    def suggestions(self, limit: int = 3) -> list[str]:
        """What to review next: weakest practice topics, then chapters with unsolved attempts."""
        advice = [
            f"practice topic {row['topic']} ({row['correct']}/{row['checks']} correct)"
            for row in self.topics
            if row["accuracy"] < 0.7
        ]
        for row in sorted(self.chapters, key=lambda r: r["solved"] / max(1, r["problems"])):
            struggling = row["attempted"] > row["solved"] or row["solutions"] > 0
            if struggling:  # tried and not solved, or needed the solution
                solved = f"{row['solved']}/{row['problems']} solved"
                advice.append(f"chapter {row['chapter'][2:]} exercises ({solved})")
        if not advice:
            untouched = [row for row in self.chapters if not row["attempted"]]
            advice = [f"chapter {row['chapter'][2:]} exercises (not started)" for row in untouched]
        return advice[:limit]

    def to_frame(self):
        """The chapter rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.chapters)

    def __str__(self) -> str:
        if self.single:
            return self.line(self.chapters[0])
        lines = ["Progress by chapter"] + [self.line(row) for row in self.chapters]
        if self.suggestions():
            lines.append("Review next: " + "; ".join(self.suggestions()) + ".")
        if self.topics:
            lines.append("Practice and mock exams by topic (weakest first)")
            lines += [
                f"  {row['kind']:9} {row['topic']}: {row['correct']}/{row['checks']} correct"
                f" ({row['accuracy']:.0%}), last {_short_time(row['last'])}"
                for row in self.topics
            ]
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        if self.single:
            return f'<div style="font-family:sans-serif">{html.escape(str(self))}</div>'
        header = (
            "Chapter",
            "Problems",
            "Solved",
            "Attempted",
            "Hints used",
            "Solutions viewed",
            "Last activity",
        )
        body = [
            (
                f"{row['chapter'][2:]} {row['title']}",
                row["problems"],
                row["solved"],
                row["attempted"],
                row["hints"],
                row["solutions"],
                _short_time(row["last"]),
            )
            for row in self.chapters
        ]
        parts = ["<b>Exercises by chapter</b>", _html_table(header, body)]
        if self.topics:
            header = ("Kind", "Topic", "Correct", "Checks", "Accuracy", "Last activity")
            body = [
                (
                    row["kind"].replace("_", " "),
                    row["topic"],
                    row["correct"],
                    row["checks"],
                    f"{row['accuracy']:.0%}",
                    _short_time(row["last"]),
                )
                for row in self.topics
            ]
            parts += ["<b>Practice and mock exams by topic (weakest first)</b>"]
            parts += [_html_table(header, body)]
        if self.suggestions():
            parts.append(f"<p>Review next: {html.escape('; '.join(self.suggestions()))}.</p>")
        return f'<div style="font-family:sans-serif">{"".join(parts)}</div>'


def _html_table(header, rows) -> str:
    cell = 'style="padding:2px 8px;border-bottom:1px solid #ddd;text-align:left"'
    head = "".join(f"<th {cell}>{html.escape(str(value))}</th>" for value in header)
    body = "".join(
        "<tr>" + "".join(f"<td {cell}>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in rows
    )
    return (
        f'<table style="border-collapse:collapse;margin:4px 0 10px 0"><tr>{head}</tr>{body}</table>'
    )


def _exercise_chapters() -> dict:
    """{'ch01': Chapter, ...} of every chapter with exercises (NumPy only, no TensorFlow)."""
    import importlib

    from cnnkit import exercises

    return {
        name: importlib.import_module(f"cnnkit.exercises.{name}").CHAPTER
        for name in exercises.chapters()
    }


def _chapter_row(key: str, chapter, items: dict) -> dict:
    names = [problem.name.rsplit(".", 1)[-1] for problem in chapter.problems]
    entries = [items.get(name, {}) for name in names]
    stamps = [entry.get("last") for entry in items.values() if entry.get("last")]
    return {
        "chapter": key,
        "title": chapter.title,
        "problems": len(names),
        "solved": sum(1 for entry in entries if entry.get("solved")),
        "attempted": sum(1 for entry in entries if entry.get("checks")),
        "hints": sum(int(entry.get("hints", 0)) for entry in entries),
        "solutions": sum(1 for entry in entries if entry.get("solution")),
        "last": max(stamps) if stamps else None,
    }


def _topic_rows(state: dict) -> list[dict]:
    rows = []
    for kind in ("practice", "mock_exam"):
        for topic, entry in state.get(kind, {}).items():
            checks = int(entry.get("checks", 0))
            correct = int(entry.get("correct", 0))
            if not checks:
                continue
            rows.append(
                {
                    "kind": kind,
                    "topic": topic,
                    "checks": checks,
                    "correct": correct,
                    "accuracy": correct / checks,
                    "last": entry.get("last"),
                }
            )
    rows.sort(key=lambda row: (row["accuracy"], -row["checks"], row["topic"]))
    return rows


def progress(chapter=None, reset: bool = False) -> ProgressReport:
    """The student's progress: one row per chapter, then practice/mock-exam topics, weakest first.

    ``chapter`` (2, "02", "ch02" or "02_convolution") keeps one chapter's row. ``reset=True``
    forgets the recorded progress (of that chapter only, when one is given) and keeps the
    per-student seed, so the numbers of the exercises stay the same.
    """
    if not isinstance(reset, bool):
        raise TypeError(f"reset must be True or False, got {reset!r}.")
    chapters = _exercise_chapters()
    key = None if chapter is None else _chapter_key(chapter, chapters)
    state = load()
    if reset:
        if key is None:
            state = dict(_empty(), seed=state.get("seed"))
        else:
            state["exercises"].pop(key, None)
        save(state)
    wanted = [key] if key else list(chapters)
    rows = [_chapter_row(name, chapters[name], state["exercises"].get(name, {})) for name in wanted]
    topics = [] if key else _topic_rows(state)
    return ProgressReport(rows, topics, single=key is not None, location=str(path()))


class _CallableModule(types.ModuleType):
    """``import cnnkit.progress`` binds this module to ``ck.progress``; calling it still works."""

    def __call__(self, chapter=None, reset: bool = False) -> ProgressReport:
        return progress(chapter, reset=reset)


sys.modules[__name__].__class__ = _CallableModule
