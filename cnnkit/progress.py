"""A student's progress that lasts: every check, hint and solution view, kept in a small JSON file.

    import cnnkit as ck
    ck.progress()                 # one row per chapter, then practice and mock-exam topics, weakest first
    ck.progress("ch02")           # one chapter (also 2, "02", "02_convolution")
    ck.progress(reset=True)       # forget everything (the per-student seed is kept)

The file is ``$CNNKIT_HOME/progress.json`` (default ``~/.cnnkit/progress.json``), so a new
kernel, a restarted notebook or another chapter's notebook sees what was recorded. Nothing is
sent anywhere: the file stays on this machine.

Several kernels may check at once: every record is written under a file lock and replaces the
file atomically, so none is lost. An unreadable file is set aside as
``progress.json.corrupt-<time>`` and a new one is started; a folder that cannot be written keeps
the progress in memory for this session. Either gives one line on stderr and checking goes on:
recording progress must never stop a student from working.

The file itself (load, update, :func:`record`, the seed) is :mod:`cnnkit.progress_store`, which
the exercises and the review call on every check; this module draws the report and imports no
TensorFlow.
"""

from __future__ import annotations

import datetime
import html
import numbers
import re
import sys
import types
from collections.abc import Mapping
from dataclasses import dataclass, field

from cnnkit.progress_store import (  # noqa: F401  (record, store_seed... stay importable from here)
    EVENTS,
    _empty,
    home,
    load,
    location,
    path,
    record,
    save,
    store_seed,
    stored_seed,
    update,
)

# --- the report -----------------------------------------------------------------------------


def _chapter_key(chapter, known: Mapping[str, object]) -> str:
    """'ch02' from 2, '2', '02', 'ch02', '02_convolution' or 'chapter 2' (nothing else)."""
    if isinstance(chapter, bool) or not isinstance(chapter, (numbers.Integral, str)):
        raise TypeError(
            f"chapter must be a chapter number (2) or name ('ch02', '02_convolution'), "
            f"got {chapter!r:.40}."
        )
    if isinstance(chapter, str):
        # A whole-string match: '1.5', '1e3' or '2x' are not chapter 01 or 02.
        found = re.fullmatch(r"(?:chapter\s*|ch)?\s*(\d{1,3})(?:_\w*)?", chapter.strip().lower())
        number = int(found.group(1)) if found else None
    else:
        number = int(chapter) if 0 <= chapter < 1000 else None
    key = f"ch{number:02d}" if number is not None else ""
    if key not in known:
        raise ValueError(
            f"No exercises for chapter {chapter!r:.40}; choose one of {', '.join(known)} "
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
        where = {"practice": "practice topic", "mock_exam": "mock-exam topic"}
        advice = [
            f"{where[row['kind']]} {row['topic']} ({row['correct']}/{row['checks']} correct)"
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

    ``chapter`` (2, "02", "ch02" or "02_convolution") keeps one chapter's row; anything else
    (1.5, "1e3") is refused with a TypeError or ValueError. ``reset=True`` forgets the recorded
    progress (of that chapter only, when one is given) and keeps the per-student seed, so the
    numbers of the exercises stay the same. The report shows this machine's history: build
    committed outputs with a fresh ``CNNKIT_HOME`` (an empty report has no date and no path).
    """
    if not isinstance(reset, bool):
        raise TypeError(f"reset must be True or False, got {reset!r}.")
    chapters = _exercise_chapters()
    key = None if chapter is None else _chapter_key(chapter, chapters)
    if reset:

        def forget(state: dict) -> None:
            if key is None:
                seed = state.get("seed")
                state.clear()
                state.update(_empty(), seed=seed)
            else:
                state["exercises"].pop(key, None)

        update(forget)
    state = load()
    wanted = [key] if key else list(chapters)
    rows = [_chapter_row(name, chapters[name], state["exercises"].get(name, {})) for name in wanted]
    topics = [] if key else _topic_rows(state)
    return ProgressReport(rows, topics, single=key is not None, location=location())


class _CallableModule(types.ModuleType):
    """``import cnnkit.progress`` binds this module to ``ck.progress``; calling it still works."""

    def __call__(self, chapter=None, reset: bool = False) -> ProgressReport:
        return progress(chapter, reset=reset)


sys.modules[__name__].__class__ = _CallableModule
