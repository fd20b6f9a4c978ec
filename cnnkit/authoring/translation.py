"""The Chinese edition, built from the English notebooks through gettext catalogs.

One source, one run, two languages. A chapter's catalog ``locale/<lang>/LC_MESSAGES/<stem>.po``
holds one entry per Markdown block of the English notebook (context ``prose``) and one per line
template the run printed that a reader must understand (context ``output``: every ``Claim
holds: ...`` line, its numbers replaced by ``{0}``, ``{1}``, ...). The translated notebook is the
English one with its prose replaced and those output lines rendered in the other language from
the template and the numbers of the same run; code cells, figures and every other output are
copied, so both editions show the same numbers.

Drift is gettext's own mechanism: :func:`update_catalog` adds new blocks untranslated, and when
an English block changes its old translation is carried over *fuzzy* with the previous English
(``#| msgid``), so a translator sees exactly what changed. :func:`stale_entries` lists every
untranslated, fuzzy or missing entry, and :func:`translated_notebook` refuses to build while
there is one: nothing stale reaches a committed page.
"""

from __future__ import annotations

import copy
import csv
import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import nbformat

from cnnkit.authoring.notebooks import NOTEBOOK_DIR, REPOSITORY_ROOT, write_notebook
from cnnkit.authoring.template import badge_markdown

LOCALE_DIR = REPOSITORY_ROOT / "locale"
GLOSSARY = REPOSITORY_ROOT / "cnnkit" / "review" / "glossary.csv"
LANGUAGES = {"zh": "Chinese (简体中文)"}
PROSE, OUTPUT = "prose", "output"
#: Output lines a reader must read in their language; the rest (shapes, tables) stay as printed.
TRANSLATED_OUTPUT_PREFIXES = ("Claim holds: ",)
#: How close a changed block must be to its old text to keep the old translation as fuzzy.
FUZZY_SIMILARITY = 0.6

# A number as the kit prints it: 12, -0.5, 61,706, 1e-08, 97%. Commas only between digit
# groups; a trailing % belongs to the number.
NUMBER = re.compile(
    r"(?<![\w.{])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|(?<![\w.{])[-+]?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?%?"
)
PLACEHOLDER = re.compile(r"\{(\d+)\}")


class StaleTranslationError(ValueError):
    """A translated page was asked for while its catalog has untranslated or fuzzy entries."""


@dataclass(frozen=True)
class Stale:
    """One entry a translator has to look at."""

    catalog: str
    reason: str  # "untranslated", "fuzzy", "missing" (in the source, not in the catalog)
    msgid: str

    def __str__(self) -> str:
        text = " ".join(self.msgid.split())
        return f"{self.catalog}: {self.reason}: {text[:70]}{'…' if len(text) > 70 else ''}"


def _polib():
    import polib  # a dev dependency: only authoring builds the editions

    return polib


def catalog_path(lang: str, stem: str, locale_dir: Path = LOCALE_DIR) -> Path:
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; the kit has {sorted(LANGUAGES)}.")
    return locale_dir / lang / "LC_MESSAGES" / f"{stem}.po"


def translated_path(lang: str, english: Path) -> Path:
    """notebooks/NN_name.ipynb -> notebooks/<lang>/NN_name.ipynb."""
    return english.parent / lang / english.name


# --- what a notebook asks to translate ----------------------------------------------------------


def _header_title(source: str) -> str:
    """The header cell's text below the Colab badge (the badge is regenerated per edition)."""
    lines = source.split("\n")
    if lines and lines[0].startswith("[![Open In Colab]"):
        lines = lines[1:]
    return "\n".join(lines).strip("\n")


def output_template(line: str) -> tuple[str, list[str]]:
    """A printed line as (template, numbers): 'accuracy 0.87 > 0.85' -> ('accuracy {0} > {1}', [...])."""
    numbers: list[str] = []

    def replace(match: re.Match) -> str:
        numbers.append(match.group(0))
        return "{" + str(len(numbers) - 1) + "}"

    return NUMBER.sub(replace, line), numbers


def _translatable_lines(cell) -> Iterable[str]:
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            for line in output.get("text", "").splitlines():
                if line.startswith(TRANSLATED_OUTPUT_PREFIXES):
                    yield line


def source_entries(notebook) -> list[tuple[str, str]]:
    """(context, msgid) for every block and output template of ``notebook``, in order, unique."""
    entries: list[tuple[str, str]] = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            text = _header_title(cell.source) if index == 0 else cell.source
            if text.strip():
                entries.append((PROSE, text))
        elif cell.cell_type == "code":
            entries.extend((OUTPUT, output_template(line)[0]) for line in _translatable_lines(cell))
    return list(dict.fromkeys(entries))


# --- the catalog -----------------------------------------------------------------------------------


def update_catalog(lang: str, english: Path, locale_dir: Path = LOCALE_DIR) -> Path:
    """Bring ``english``'s catalog up to date (msgmerge's rules); returns its path.

    New blocks are added untranslated; a block that changed keeps the translation of the most
    similar vanished block as *fuzzy*, with that block's English as ``previous_msgid``; blocks
    that vanished are kept as obsolete entries (``#~``) so that no translation is lost.
    """
    polib = _polib()
    english = Path(english)
    path = catalog_path(lang, english.stem, locale_dir)
    catalog = polib.pofile(str(path)) if path.exists() else polib.POFile()
    catalog.metadata = {
        "Project-Id-Version": f"cnnkit {english.stem}",
        "Language": lang,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    wanted = source_entries(nbformat.read(english, as_version=4))
    old = {(entry.msgctxt, entry.msgid): entry for entry in catalog}
    vanished = [entry for key, entry in old.items() if key not in set(wanted) and entry.msgstr]
    merged = polib.POFile()
    merged.metadata = catalog.metadata
    for context, msgid in wanted:
        entry = old.get((context, msgid))
        if entry is not None:
            entry.obsolete = False
            merged.append(entry)
            continue
        entry = polib.POEntry(msgctxt=context, msgid=msgid, msgstr="")
        candidates = [e for e in vanished if e.msgctxt == context]
        best = max(
            candidates,
            key=lambda e: difflib.SequenceMatcher(None, e.msgid, msgid).ratio(),
            default=None,
        )
        if best and difflib.SequenceMatcher(None, best.msgid, msgid).ratio() >= FUZZY_SIMILARITY:
            entry.msgstr = best.msgstr
            entry.flags.append("fuzzy")
            entry.previous_msgid = best.msgid
            vanished.remove(best)
        merged.append(entry)
    for entry in vanished:
        entry.obsolete = True
        merged.append(entry)
    path.parent.mkdir(parents=True, exist_ok=True)
    merged.save(str(path))
    return path


def stale_entries(lang: str, english: Path, locale_dir: Path = LOCALE_DIR) -> list[Stale]:
    """Every entry of ``english``'s catalog that is untranslated, fuzzy or missing."""
    polib = _polib()
    english = Path(english)
    path = catalog_path(lang, english.stem, locale_dir)
    name = path.relative_to(locale_dir).as_posix()
    catalog = polib.pofile(str(path)) if path.exists() else polib.POFile()
    entries = {(e.msgctxt, e.msgid): e for e in catalog if not e.obsolete}
    stale = []
    for context, msgid in source_entries(nbformat.read(english, as_version=4)):
        entry = entries.get((context, msgid))
        if entry is None:
            stale.append(Stale(name, "missing", msgid))
        elif "fuzzy" in entry.flags:
            stale.append(Stale(name, "fuzzy", msgid))
        elif not entry.msgstr.strip():
            stale.append(Stale(name, "untranslated", msgid))
    return stale


def placeholder_problems(msgid: str, msgstr: str) -> list[str]:
    """What is wrong with a translation's numbers: a template's placeholders, prose's numbers."""
    if PLACEHOLDER.search(msgid):
        if sorted(PLACEHOLDER.findall(msgid)) != sorted(PLACEHOLDER.findall(msgstr)):
            return [
                f"placeholders {PLACEHOLDER.findall(msgid)} became {PLACEHOLDER.findall(msgstr)}"
            ]
        return []
    missing = sorted(_numbers(msgid) - _numbers(msgstr))
    return [f"numbers {missing} of the English are not in the translation"] if missing else []


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "").lstrip("+") for n in NUMBER.findall(text)}


# --- the translated notebook ---------------------------------------------------------------------


def _fill(template: str, numbers: list[str]) -> str:
    """A template with {0}, {1}, ... replaced by the run's numbers."""
    return PLACEHOLDER.sub(lambda match: numbers[int(match.group(1))], template)


def _translate_stream(text: str, outputs: dict[str, str]) -> str:
    lines = []
    for line in text.split("\n"):
        if line.startswith(TRANSLATED_OUTPUT_PREFIXES):
            template, numbers = output_template(line)
            line = _fill(outputs[template], numbers)
        lines.append(line)
    return "\n".join(lines)


def translated_notebook(lang: str, english: Path, locale_dir: Path = LOCALE_DIR):
    """The ``lang`` edition of ``english``: its prose and claim lines translated, all else copied.

    Raises :class:`StaleTranslationError` listing every stale entry, and for a translation
    whose numbers differ from the English.
    """
    polib = _polib()
    english = Path(english)
    stale = stale_entries(lang, english, locale_dir)
    if stale:
        listed = "\n  ".join(str(s) for s in stale[:20])
        more = f"\n  … and {len(stale) - 20} more" if len(stale) > 20 else ""
        raise StaleTranslationError(
            f"{len(stale)} entries need a translator before the {LANGUAGES[lang]} edition of "
            f"{english.name} can be built (edit the .po file, then remove the fuzzy flag):\n  "
            f"{listed}{more}"
        )
    catalog = polib.pofile(str(catalog_path(lang, english.stem, locale_dir)))
    prose = {e.msgid: e.msgstr for e in catalog if e.msgctxt == PROSE and not e.obsolete}
    outputs = {e.msgid: e.msgstr for e in catalog if e.msgctxt == OUTPUT and not e.obsolete}
    for msgid, msgstr in [*prose.items(), *outputs.items()]:
        problems = placeholder_problems(msgid, msgstr)
        if problems:
            raise StaleTranslationError(f"{english.name}: {problems[0]} in: {msgid[:70]!r}")
    notebook = copy.deepcopy(nbformat.read(english, as_version=4))
    relative = f"notebooks/{lang}/{english.name}"  # the badge's path in the repository
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            if index == 0:
                title = _header_title(cell.source)
                cell.source = f"{badge_markdown(relative)}\n\n{prose[title]}" if title else ""
            else:
                cell.source = prose[cell.source]
        elif cell.cell_type == "code":
            for output in cell.get("outputs", []):
                if output.get("output_type") == "stream":
                    output["text"] = _translate_stream(output["text"], outputs)
    notebook.metadata["language"] = lang
    return notebook


def build_translations(
    lang: str, englishes: Iterable[Path] | None = None, locale_dir: Path = LOCALE_DIR
) -> list[Path]:
    """Write the ``lang`` edition of every chapter that has a catalog; returns paths written."""
    written = []
    for english in englishes or sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb")):
        if not catalog_path(lang, english.stem, locale_dir).exists():
            continue
        target = translated_path(lang, english)
        if write_notebook(translated_notebook(lang, english, locale_dir), target):
            written.append(target)
    return written


# --- terminology ---------------------------------------------------------------------------------


def glossary_terms() -> list[tuple[tuple[str, ...], str]]:
    """(English spellings, Chinese term) for each glossary row ('neural network / NN' -> 2)."""
    with GLOSSARY.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [
        (tuple(t.strip() for t in row["english"].split(" / ") if t.strip()), row["chinese"])
        for row in rows
    ]


def terminology_problems(msgid: str, msgstr: str) -> list[str]:
    """Glossary terms that the English block uses and its translation does not render."""
    problems = []
    for spellings, chinese in glossary_terms():
        for term in spellings:
            if len(term) > 3 and re.search(rf"(?<!\w){re.escape(term)}(?!\w)", msgid, re.I):
                if chinese not in msgstr:
                    problems.append(f"'{term}' should read {chinese}")
                break
    return problems
