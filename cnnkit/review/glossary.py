"""English-Chinese glossary of the course: ``glossary("卷积核")``, ``glossary("kernel")``, ``glossary()``.

The data lives in ``glossary.csv`` beside this file (columns english, chinese, definition, chapter).
A cell may hold several names separated by `` / ``: the first is the usual one, the others are
synonyms that lookups also find (``kernel / convolution kernel``).

Lookups forgive case, extra whitespace, hyphens and small typos (``difflib`` close matches);
an unknown term gives a message with suggestions, never an exception.

``find_chinese_terms(text)`` extracts the parenthesised Chinese terms of notebook prose
("convolution (卷积)") and ``missing_terms(paths)`` reports those that the glossary lacks.
"""

from __future__ import annotations

import csv
import difflib
import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY_CSV = Path(__file__).with_name("glossary.csv")
COLUMNS = ("english", "chinese", "definition", "chapter")

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# A term: CJK characters, possibly with Latin letters, digits or x/× glued to them without
# a space ("KL散度", "1×1卷积", "L2正则化", "ResNet网络").
_TERM = re.compile(rf"[A-Za-z0-9×\-]*[{_CJK}]+(?:[A-Za-z0-9×\-]*[{_CJK}]+)*[A-Za-z0-9]*")
_PARENTHESISED = re.compile(r"[(（]([^()（）]*)[)）]")
# Chinese conjunctions that join two terms into a heading such as 过拟合与优化算法.
_CONJUNCTIONS = re.compile("[与和及]")


@dataclass(frozen=True)
class Entry:
    """One row of the glossary."""

    english: str
    chinese: str
    definition: str
    chapter: str

    @property
    def english_names(self) -> list[str]:
        return _split_names(self.english)

    @property
    def chinese_names(self) -> list[str]:
        return _split_names(self.chinese)

    def __str__(self) -> str:
        return f"{self.english} | {self.chinese} | ch{self.chapter}: {self.definition}"


def _split_names(cell: str) -> list[str]:
    return [name.strip() for name in cell.split(" / ") if name.strip()]


#: Longer queries are not terms: they get a short message instead of being echoed.
MAX_QUERY = 100


def _short(text: str, limit: int = 40) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _normalise(text: str) -> str:
    """NFKC (full-width ｋｅｒｎｅｌ -> kernel), case-folded, hyphens/underscores as spaces,
    whitespace collapsed."""
    text = (
        unicodedata.normalize("NFKC", str(text))
        .casefold()
        .replace("-", " ")
        .replace("_", " ")
        .replace("‐", " ")
    )
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace(" ", "") if re.search(f"[{_CJK}]", text) else text


@lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """All glossary rows, in file order."""
    with GLOSSARY_CSV.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(Entry(**{column: row[column].strip() for column in COLUMNS}) for row in rows)


@lru_cache(maxsize=1)
def _index() -> dict[str, list[int]]:
    """Normalised name (English or Chinese) -> row numbers."""
    index: dict[str, list[int]] = {}
    for number, entry in enumerate(entries()):
        for name in entry.english_names + entry.chinese_names:
            index.setdefault(_normalise(name), []).append(number)
    return index


def glossary_terms() -> set[str]:
    """The set of every Chinese term (synonyms included) in the glossary."""
    return {name for entry in entries() for name in entry.chinese_names}


class GlossaryResult:
    """What ``glossary(query)`` returns: the matching entries, shown as a small table.

    ``result.found`` says whether anything matched; ``result.entries`` holds the rows;
    ``result.chinese`` / ``result.english`` give the best match's names; ``result.message``
    explains typo corrections or, for an unknown term, suggests close ones.
    """

    def __init__(self, query: str, found: list[Entry], message: str = "", suggestions=()):
        self.query = query
        self.entries = list(found)
        self.message = message
        self.suggestions = list(suggestions)

    @property
    def found(self) -> bool:
        return bool(self.entries)

    @property
    def english(self) -> str | None:
        return self.entries[0].english_names[0] if self.entries else None

    @property
    def chinese(self) -> str | None:
        return self.entries[0].chinese_names[0] if self.entries else None

    @property
    def definition(self) -> str | None:
        return self.entries[0].definition if self.entries else None

    def __bool__(self) -> bool:
        return self.found

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self):
        return iter(self.entries)

    def __getitem__(self, item):
        return self.entries[item]

    def to_frame(self):
        """The matching rows as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame([entry.__dict__ for entry in self.entries], columns=list(COLUMNS))

    def __str__(self) -> str:
        lines = [self.message] if self.message else []
        lines += [str(entry) for entry in self.entries]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        parts = []
        if self.message:
            parts.append(f"<p><em>{html.escape(self.message)}</em></p>")
        if self.entries:
            rows = "".join(
                "<tr>"
                + "".join(f"<td>{html.escape(getattr(entry, column))}</td>" for column in COLUMNS)
                + "</tr>"
                for entry in self.entries
            )
            header = "".join(f"<th>{column}</th>" for column in COLUMNS)
            parts.append(f"<table><thead><tr>{header}</tr></thead><tbody>{rows}</tbody></table>")
        return "\n".join(parts)


def _best_names(query_key: str, cutoff: float, n: int = 5) -> list[str]:
    return difflib.get_close_matches(query_key, list(_index()), n=n, cutoff=cutoff)


def _display_name(key: str) -> str:
    entry = entries()[_index()[key][0]]
    for name in entry.english_names + entry.chinese_names:
        if _normalise(name) == key:
            return name
    return key


def _rows(numbers: Iterable[int]) -> list[Entry]:
    seen: list[int] = []
    for number in numbers:
        if number not in seen:
            seen.append(number)
    return [entries()[number] for number in seen]


def lookup(query: str) -> GlossaryResult:
    """Find ``query`` (English or Chinese) in the glossary; never raises for unknown terms."""
    if len(query) > MAX_QUERY:
        return GlossaryResult(
            _short(query),
            [],
            f"That query is {len(query):,} characters long; glossary terms are short. "
            "Type one term, e.g. glossary('kernel') or glossary('卷积核').",
        )
    key = _normalise(query)
    index = _index()
    if not key:
        return GlossaryResult(
            query, [], "Type a term, e.g. glossary('kernel') or glossary('卷积核')."
        )
    if key in index:
        return GlossaryResult(query, _rows(index[key]))
    close = _best_names(key, cutoff=0.8, n=3)
    if close:
        names = ", ".join(repr(_display_name(name)) for name in close)
        return GlossaryResult(
            query,
            _rows(number for name in close for number in index[name]),
            f"No entry {_short(query)!r}; showing the closest: {names}.",
        )
    # Part of a longer term ("pooling" -> max pooling, average pooling ...).
    shortest = 2 if re.search(f"[{_CJK}]", key) else 3
    containing = [
        number
        for name, numbers in index.items()
        if len(key) >= shortest and key in name
        for number in numbers
    ]
    if containing:
        rows = _rows(containing)
        return GlossaryResult(query, rows, f"{len(rows)} entries contain {_short(query)!r}.")
    suggestions = [_display_name(name) for name in _best_names(key, cutoff=0.5)]
    hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
    return GlossaryResult(
        query,
        [],
        f"{_short(query)!r} is not in the glossary.{hint} glossary() shows the whole table.",
        suggestions,
    )


def glossary(query: str | None = None):
    """Look a term up in both directions, or return the whole glossary.

    ``glossary("卷积核")`` and ``glossary("kernel")`` return a ``GlossaryResult`` (a small
    table in a notebook); ``glossary()`` returns every row as a pandas DataFrame with columns
    english, chinese, definition, chapter.
    """
    if query is None:
        import pandas as pd

        return pd.DataFrame([entry.__dict__ for entry in entries()], columns=list(COLUMNS))
    if not isinstance(query, str):
        return GlossaryResult(
            _short(query), [], f"glossary() takes a term as text, got {type(query).__name__}."
        )
    return lookup(query)


def glossary_search(text: str = "", chapter: str | int | None = None):
    """The glossary rows that contain ``text`` anywhere (English, Chinese or definition).

    A widget-free search box for notebooks: case and hyphens are forgiven, ``chapter`` (``"02"``
    or ``2``) keeps one chapter's terms; an empty ``text`` keeps every row. Returns a pandas
    DataFrame with the columns english, chinese, definition, chapter (possibly empty).
    """
    import pandas as pd

    if not isinstance(text, str):
        raise TypeError(f"glossary_search() takes the text to look for, got {type(text).__name__}.")
    if chapter is not None:
        chapter = f"{int(chapter):02d}" if str(chapter).isdigit() else str(chapter)
        known = sorted({entry.chapter for entry in entries()})
        if chapter not in known:
            raise ValueError(f"chapter must be one of {', '.join(known)}, got {chapter!r}.")
    key = _normalise(text)
    if len(key) > MAX_QUERY:  # no row contains a text this long; do not scan for it
        return pd.DataFrame([], columns=list(COLUMNS))
    rows = [
        entry.__dict__
        for entry in entries()
        if (chapter is None or entry.chapter == chapter)
        and any(key in _normalise(getattr(entry, column)) for column in COLUMNS[:3])
    ]
    return pd.DataFrame(rows, columns=list(COLUMNS))


def find_chinese_terms(text: str) -> list[str]:
    """The Chinese terms written in parentheses in ``text``, in order, without repeats.

    ``"kernel (卷积核), stride （步长）, (局部感受野, 局部连接), (KL散度)"`` gives
    ``['卷积核', '步长', '局部感受野', '局部连接', 'KL散度']``; parentheses without Chinese
    ("(1998)") are ignored, and English inside them ("(bias 偏置)") is dropped.
    """
    found: list[str] = []
    for group in _PARENTHESISED.finditer(text):
        for term in _TERM.findall(group.group(1)):
            term = term.strip("-")
            if term and term not in found:
                found.append(term)
    return found


def is_covered(term: str, terms: set[str] | None = None) -> bool:
    """True when ``term`` is in the glossary, or is glossary terms joined by 与/和/及."""
    terms = glossary_terms() if terms is None else terms
    if term in terms or term.replace(" ", "") in terms:
        return True
    parts = [part for part in _CONJUNCTIONS.split(term) if part]
    return len(parts) > 1 and all(part in terms for part in parts)


def _notebook_text(path: Path) -> str:
    """The markdown prose of an .ipynb notebook, or the whole text of any other file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        import json

        notebook = json.loads(text)
        return "\n".join(
            "".join(cell.get("source", ""))
            for cell in notebook.get("cells", [])
            if cell.get("cell_type") == "markdown"
        )
    return text


def missing_terms(paths: Iterable[str | Path]) -> dict[str, list[str]]:
    """For each file that uses a Chinese term missing from the glossary: the missing terms.

    Takes notebooks (.ipynb, markdown cells only) or text files (percent-format sources,
    markdown). An empty dict means every parenthesised Chinese term is covered.
    """
    terms = glossary_terms()
    report: dict[str, list[str]] = {}
    for path in map(Path, paths):
        missing = [t for t in find_chinese_terms(_notebook_text(path)) if not is_covered(t, terms)]
        if missing:
            report[str(path)] = missing
    return report
