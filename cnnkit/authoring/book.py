"""The course as a printable book (build/cnnkit-course.pdf): ``python -m cnnkit.authoring.site book``.

Jupyter Book's single-page build is rearranged into a book (a cover, contents with page numbers,
every chapter, exercise set, the formula sheet, the glossary and the solutions each from a new
page, an index of terms in English and Chinese built from cnnkit/review/glossary.csv) and
printed to A4 by Chromium, twice:

1. printed with placeholder page numbers; each chapter and section heading is a link target of
   the contents, so Chromium records the page it lands on as a named destination, and the text
   of every page (pypdf) gives the pages where each glossary term occurs;
2. printed again with the real numbers, which take the same room as the placeholders (fixed
   width), so no page moves: the build checks that every heading is where pass 1 found it.

The PDF outline (chapter -> section) is then written with pypdf from the headings' own text,
not from Chromium's, which doubles and runs titles together. Nothing in the book may be fetched
from the network (cnnkit/authoring/remote_refs.py checks the page before printing).

cnnkit/authoring/site.py builds the single page (``site.build_book``) and calls
:func:`print_book` on it; this module does not import site.py.
"""

from __future__ import annotations

import csv
import html
import json
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cnnkit.authoring.notebooks import REPOSITORY_ROOT

GLOSSARY_CSV = REPOSITORY_ROOT / "cnnkit" / "review" / "glossary.csv"
PLACEHOLDER = "000"
MAX_INDEX_PAGES = 8  # an index entry lists at most this many pages (where the term is taught first)
# A code cell or output at most this high (a fraction of the text height of a page) moves whole
# to the next page instead of splitting; a taller one splits, so no page is left half empty.
SHORT_BLOCK_FRACTION = 0.4
TEXT_HEIGHT_PX = 1122 - round((14 + 16) * 96 / 25.4)  # A4 minus the top and bottom margins
PART_NAMES = {
    "chapters": "Chapters",
    "exercises": "Exercises",
    "review": "Exam review",
    "solutions": "Solutions",
}

BOOK_CSS = """
@page { size: A4; }
@media print {
  .bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-footer, .bd-header-article,
  .prev-next-area, .headerlink, .bd-search, .skip-link, #pst-back-to-top, .toc-entry,
  .sidebar-toggle, .header-article-items, #glossary-filter, .bd-footer-content,
  .bd-footer-article, #jb-print-toc, .tag_hide-input { display: none !important; }
  /* The theme's print style hides every h1:first-of-type (each document's title once the
     documents are siblings), keeps tables whole (a long table then leaves a page empty) and
     prints its own title block: undo all three. */
  .bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
  .bd-main .bd-content table { break-inside: auto; }
  #jb-print-docs-body { display: none !important; }
  .bd-main .bd-content { margin-left: 0 !important; }
  .bd-main, .bd-content, .bd-article-container, .bd-article, .bd-page-width, .bd-container,
  .bd-container__inner { max-width: 100% !important; width: 100% !important; padding: 0 !important;
    margin: 0 !important; }
  html { font-size: 10pt; }
  body { font-family: "DejaVu Sans", "WenQuanYi Micro Hei", sans-serif; }
  pre, code, .output, .highlight pre { white-space: pre-wrap !important;
    overflow-wrap: break-word; overflow: visible !important; font-size: 8pt; }
  /* break-word wraps a long word only when it cannot fit, so a header such as "chapter" keeps
     its width instead of breaking into cha/pte/r (word-break: break-word made every letter a
     break opportunity). */
  table { table-layout: auto; width: 100% !important; max-width: 100%; font-size: 8pt;
    word-break: normal; overflow-wrap: break-word; }
  th { word-break: keep-all; overflow-wrap: normal; }  /* wraps between words only */
  /* Only a table too wide for the page breaks its cells' long words (auto layout uses the
     cells' natural widths whenever they fit). */
  td { overflow-wrap: anywhere; }
  img { max-width: 100% !important; max-height: 115mm !important; width: auto !important;
    height: auto !important; object-fit: contain; break-inside: avoid; }
  .cell_output, .output { overflow: visible !important; }
  h1, h2, h3, h4 { break-after: avoid; break-inside: avoid; }
  /* A code frame is never left empty at a page end: a short cell moves whole; a long one
     splits inside its lines and its frame is drawn on both pages. */
  div.cell_input, div.cell_output, div.output, div.highlight, div[class*="highlight-"] {
    break-inside: auto !important; display: block !important; }
  .book-short, .book-short div { break-inside: avoid !important; }
  div.highlight, div.highlight pre { box-decoration-break: clone; -webkit-box-decoration-break: clone; }
  .book-document, .book-contents, .book-index { break-before: page; }
  .book-cover { break-after: page; text-align: center; padding-top: 55mm; }
  .book-cover h1 { font-size: 30pt; margin-bottom: 4mm; }
  .book-cover .subtitle { font-size: 16pt; }
  .book-cover .zh { font-size: 15pt; }
  .book-contents h1, .book-index h1 { font-size: 20pt; }
  .book-contents .part { font-weight: bold; font-size: 11pt; margin: 3mm 0 1mm 0; }
  .book-contents a { display: flex; color: inherit; text-decoration: none; line-height: 1.35; }
  .book-contents a .title { flex: 1; }
  .book-contents a .page { width: 3em; text-align: right; }
  .book-contents a.chapter { font-weight: bold; margin-top: 1.2mm; }
  .book-contents a.section { padding-left: 5mm; font-size: 9pt; }
  .book-index .entries { column-count: 2; column-gap: 8mm; font-size: 8.5pt; }
  .book-index .entry { break-inside: avoid; margin: 0 0 .8mm 0; padding-left: 3mm;
    text-indent: -3mm; }
  .book-index .entry .other { color: #555; }
}
"""


class BookBuildError(RuntimeError):
    """The book could not be laid out or printed as promised; the message says what went wrong."""


@dataclass
class Heading:
    """A chapter (level 1) or section (level 2) of the book, with its anchor and page (1-based)."""

    anchor: str
    title: str
    level: int
    part: str = ""
    page: int = 0
    sections: list[Heading] = field(default_factory=list)


def _clean_title(tag) -> str:
    for link in tag.find_all("a", class_="headerlink"):
        link.decompose()
    return " ".join(tag.get_text(" ").split()).replace(" :", ":").replace("( ", "(")


def _documents(soup) -> list[tuple[str, object]]:
    """The documents of the single-page build in contents order, as (folder, <section>) pairs."""
    documents = []
    for span in soup.find_all("span", id=re.compile(r"^document-")):
        folder = span["id"][len("document-") :].split("/")[0]
        section = span.find_next_sibling("section")
        if section is not None:
            documents.append((folder, section))
    return documents


def _arrange(page_html: str) -> tuple[str, list[Heading]]:
    """The single page rearranged as a book, and its chapters and sections (pages still 0)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page_html, "html.parser")
    article = soup.find("article")
    if article is None:
        raise BookBuildError("the single-page build has no <article>: Jupyter Book changed?")
    headings: list[Heading] = []
    documents = _documents(soup)
    if not documents:
        raise BookBuildError("the single-page build has no documents (no span#document-*)")
    kept = []
    for number, (folder, document) in enumerate(documents, start=1):
        document.extract()
        # The single-page build demotes each document by one level (its title is an <h2>).
        for tag in document.find_all(re.compile(r"^h[2-6]$")):
            tag.name = f"h{int(tag.name[1]) - 1}"
        title_tag = document.find("h1")
        chapter = Heading(f"book-d{number}", _clean_title(title_tag), 1, PART_NAMES.get(folder, ""))
        document["id"] = chapter.anchor
        document["class"] = document.get("class", []) + ["book-document"]
        for index, section in enumerate(document.find_all("section", recursive=False), start=1):
            heading = section.find(["h2"], recursive=False)
            if heading is None:
                continue
            section["id"] = f"{chapter.anchor}-s{index}"
            chapter.sections.append(Heading(section["id"], _clean_title(heading), 2))
        headings.append(chapter)
        kept.append(document)
    article.clear()
    article.append(BeautifulSoup(_cover(), "html.parser"))
    article.append(BeautifulSoup(_contents(headings, {}), "html.parser"))
    for document in kept:
        article.append(document)
    article.append(BeautifulSoup(_index_html({}), "html.parser"))
    head = soup.find("head")
    style = soup.new_tag("style")
    style.string = BOOK_CSS
    head.append(style)
    return str(soup), headings


def _cover() -> str:
    return (
        "<div class='book-cover'><h1>cnnkit</h1>"
        "<p class='subtitle'>Deep learning with convolutional networks, in Keras</p>"
        "<p class='zh'>深度学习与卷积神经网络</p>"
        "<p>The course, its exercises with solutions, the formula sheet, the glossary and an index"
        " of terms in English and Chinese.</p></div>"
    )


def _contents(headings: list[Heading], pages: dict[str, int]) -> str:
    """The contents; ``pages`` maps anchors to page numbers (empty: placeholders of equal width)."""

    def entry(heading: Heading, kind: str) -> str:
        number = pages.get(heading.anchor, PLACEHOLDER)
        return (
            f"<a class='{kind}' href='#{heading.anchor}'><span class='title'>"
            f"{html.escape(heading.title)}</span><span class='page'>{number}</span></a>"
        )

    parts, part = [], None
    for chapter in headings:
        if chapter.part != part:
            part = chapter.part
            parts.append(f"<div class='part'>{html.escape(part)}</div>")
        parts.append(entry(chapter, "chapter"))
        parts += [entry(section, "section") for section in chapter.sections]
    parts.append(entry(INDEX_HEADING, "chapter"))
    return (
        "<div class='book-contents' id='book-contents'><h1>Contents (目录)</h1>"
        + "".join(parts)
        + "</div>"
    )


INDEX_HEADING = Heading("book-index", "Index of terms (索引)", 1, "")


@dataclass
class Term:
    """A glossary term: its English and Chinese names, their spellings, and where it is taught."""

    english: str
    chinese: str
    chapter: str
    english_pages: list[int] = field(default_factory=list)
    chinese_pages: list[int] = field(default_factory=list)

    @property
    def english_spellings(self) -> list[str]:
        # "neural network / NN": both are searched; one- and two-letter spellings match too much.
        return [part.strip() for part in self.english.split("/") if len(part.strip()) > 2]

    @property
    def chinese_spellings(self) -> list[str]:
        return [part.strip() for part in self.chinese.split("/") if len(part.strip()) > 1]


def glossary_terms() -> list[Term]:
    """The terms of cnnkit/review/glossary.csv."""
    with open(GLOSSARY_CSV, encoding="utf-8", newline="") as handle:
        return [
            Term(row["english"].strip(), row["chinese"].strip(), row["chapter"].strip())
            for row in csv.DictReader(handle)
        ]


def normalised_text(text: str) -> str:
    """Page text for term search: NFKC (ligatures "ﬁ" -> "fi"), lower case, one space between words."""
    return " ".join(unicodedata.normalize("NFKC", text).lower().split())


def contains_english(page_text: str, spelling: str) -> bool:
    """True when ``spelling`` (or its plural) occurs in ``page_text`` (normalised) as whole words."""
    # A plural counts: "activation functions" is an occurrence of "activation function".
    pattern = r"(?<![a-z0-9])" + re.escape(normalised_text(spelling)) + r"(?:e?s)?(?![a-z0-9])"
    return re.search(pattern, page_text) is not None


def contains_chinese(page_text: str, spelling: str) -> bool:
    """True when ``spelling`` occurs in ``page_text`` (normalised), spaces between characters ignored."""
    return normalised_text(spelling).replace(" ", "") in page_text.replace(" ", "")


def _index_html(terms_by_language: dict[str, list[Term]]) -> str:
    def pages(numbers: list[int]) -> str:
        return ", ".join(str(number) for number in numbers)

    english = "".join(
        f"<div class='entry'>{html.escape(term.english)} <span class='other zh'>"
        f"{html.escape(term.chinese)}</span> {pages(term.english_pages)}</div>"
        for term in terms_by_language.get("english", [])
    )
    chinese = "".join(
        f"<div class='entry'><span class='zh'>{html.escape(term.chinese)}</span> "
        f"<span class='other'>{html.escape(term.english)}</span> {pages(term.chinese_pages)}</div>"
        for term in terms_by_language.get("chinese", [])
    )
    return (
        f"<section class='book-index' id='{INDEX_HEADING.anchor}'><h1>{INDEX_HEADING.title}</h1>"
        "<p>Pages where each glossary term is used (at most "
        f"{MAX_INDEX_PAGES}, in the term's own chapter first).</p>"
        f"<h2>English</h2><div class='entries'>{english}</div>"
        f"<h2>中文</h2><div class='entries'>{chinese}</div></section>"
    )


def _page_numbers(reader, headings: list[Heading]) -> dict[str, int]:
    """The 1-based page of every heading's anchor, from the PDF's named destinations."""
    destinations = reader.named_destinations
    pages = {}
    for heading in [*headings, *(s for h in headings for s in h.sections), INDEX_HEADING]:
        destination = destinations.get(f"/{heading.anchor}") or destinations.get(heading.anchor)
        if destination is None:
            raise BookBuildError(
                f"the printed book has no destination for {heading.title!r} ({heading.anchor})"
            )
        pages[heading.anchor] = reader.get_destination_page_number(destination) + 1
    return pages


def _index_terms(page_texts: list[str], headings: list[Heading], pages: dict[str, int]):
    """Each glossary term with the body pages (not the glossary itself) where it occurs."""
    starts = [(pages[h.anchor], h) for h in headings] + [(pages[INDEX_HEADING.anchor], None)]
    searched, chapter_pages = [], {}
    for (first, heading), (following, _) in zip(starts, starts[1:], strict=False):
        if heading.title.startswith("Glossary"):
            continue
        document_pages = list(range(first, following))
        searched += document_pages
        match = re.match(r"Chapter (\d\d)", heading.title)
        if match:
            chapter_pages.setdefault(match.group(1), []).extend(document_pages)
    terms = glossary_terms()
    for term in terms:
        for spellings, check, target in (
            (term.english_spellings, contains_english, term.english_pages),
            (term.chinese_spellings, contains_chinese, term.chinese_pages),
        ):
            found = [
                page
                for page in searched
                if any(check(page_texts[page - 1], spelling) for spelling in spellings)
            ]
            own = [page for page in found if page in chapter_pages.get(term.chapter, [])]
            others = [page for page in found if page not in own]
            target[:] = sorted((own + others)[:MAX_INDEX_PAGES])
    english = sorted((t for t in terms if t.english_pages), key=lambda t: t.english.lower())
    chinese = sorted((t for t in terms if t.chinese_pages), key=lambda t: t.chinese)
    return {"english": english, "chinese": chinese}


def _print(page_path: Path, pdf_path: Path) -> None:
    """Print the page to A4 with Chromium (no outline of its own) after checking the layout."""
    from cnnkit.authoring.browser import A4_PDF_OPTIONS, chromium_context

    with chromium_context() as context:
        page = context.new_page()
        page.set_default_timeout(300_000)
        page.goto(page_path.resolve().as_uri(), wait_until="load")
        page.wait_for_function(
            "() => !window.MathJax || (MathJax.isReady && MathJax.Hub.queue.pending === 0 "
            "&& MathJax.Hub.queue.running === 0)"
        )
        page.emulate_media(media="print")
        # The text width of the printed page (A4 less 12 mm margins), so that heights are the
        # printed ones.
        page.set_viewport_size({"width": 793 - 2 * 45, "height": TEXT_HEIGHT_PX})
        page.evaluate(MARK_SHORT_BLOCKS, SHORT_BLOCK_FRACTION * TEXT_HEIGHT_PX)
        problems = page.evaluate(LAYOUT_CHECK)
        if problems:
            raise BookBuildError("the book's layout does not fit the page:\n" + "\n".join(problems))
        page.pdf(path=str(pdf_path), outline=False, **A4_PDF_OPTIONS)  # pypdf writes the outline


# Measured in the print layout at the page's text width, so both printings mark the same blocks.
MARK_SHORT_BLOCKS = """(limit) => {
  document.querySelectorAll('div.cell_input, div.cell_output > div.output').forEach(block => {
    if (block.getBoundingClientRect().height <= limit) block.classList.add('book-short');
  });
}"""

# Tables wider than the text, and one-word table headers broken over lines.
LAYOUT_CHECK = """() => {
  const problems = [];
  const width = document.querySelector('article').getBoundingClientRect().width;
  document.querySelectorAll('article table').forEach((table, i) => {
    const w = table.getBoundingClientRect().width;
    if (w > width + 1) problems.push(`table ${i} is ${Math.round(w)} px wide, text ${Math.round(width)} px`);
  });
  document.querySelectorAll('article th').forEach(th => {
    const text = th.textContent.trim();
    if (!text || /\\s/.test(text)) return;
    const lines = new Set();
    const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const range = document.createRange(); range.selectNodeContents(walker.currentNode);
      Array.from(range.getClientRects()).forEach(r => { if (r.width > 0) lines.add(Math.round(r.top)); });
    }
    if (lines.size > 1) problems.push(`table header "${text}" breaks over ${lines.size} lines`);
  });
  return problems;
}"""


def _write_outline(pdf_path: Path, headings: list[Heading], pages: dict[str, int]) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(pdf_path)))
    writer.add_outline_item(title="Contents (目录)", page_number=1)  # page 2, after the cover
    for chapter in headings:
        parent = writer.add_outline_item(title=chapter.title, page_number=pages[chapter.anchor] - 1)
        for section in chapter.sections:
            writer.add_outline_item(
                title=section.title, page_number=pages[section.anchor] - 1, parent=parent
            )
    writer.add_outline_item(title=INDEX_HEADING.title, page_number=pages[INDEX_HEADING.anchor] - 1)
    writer.page_mode = "/UseOutlines"
    with open(pdf_path, "wb") as handle:
        writer.write(handle)


def print_book(
    page_path: Path, pdf_path: Path, record_path: Path, *, check: Callable[[], None] | None = None
) -> Path:
    """Turn Jupyter Book's single page at ``page_path`` into the book at ``pdf_path``.

    ``record_path`` receives the contents and the index as JSON (for tests/test_book.py).
    The page is rearranged in place; ``check()`` runs on it before anything is printed (it
    raises to stop the build). See the module docstring for the two printings.
    """
    from bs4 import BeautifulSoup
    from pypdf import PdfReader

    started = time.monotonic()
    arranged, headings = _arrange(page_path.read_text(encoding="utf-8"))
    page_path.write_text(arranged, encoding="utf-8")
    if check is not None:
        check()
    draft = pdf_path.with_name(pdf_path.stem + ".draft.pdf")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    _print(page_path, draft)
    reader = PdfReader(str(draft))
    pages = _page_numbers(reader, headings)
    texts = [normalised_text(page.extract_text() or "") for page in reader.pages]
    terms = _index_terms(texts, headings, pages)
    soup = BeautifulSoup(arranged, "html.parser")
    soup.find(id="book-contents").replace_with(
        BeautifulSoup(_contents(headings, pages), "html.parser")
    )
    soup.find(id=INDEX_HEADING.anchor).replace_with(
        BeautifulSoup(_index_html(terms), "html.parser")
    )
    page_path.write_text(str(soup), encoding="utf-8")
    _print(page_path, pdf_path)
    final = _page_numbers(PdfReader(str(pdf_path)), headings)
    moved = {
        anchor: (pages[anchor], page) for anchor, page in final.items() if pages[anchor] != page
    }
    if moved:
        raise BookBuildError(f"headings moved between the two printings: {moved}")
    _write_outline(pdf_path, headings, final)
    draft.unlink()
    record = {
        "seconds": round(time.monotonic() - started, 1),
        "chapters": [
            {
                "title": h.title,
                "page": final[h.anchor],
                "sections": [{"title": s.title, "page": final[s.anchor]} for s in h.sections],
            }
            for h in headings
        ],
        "index_page": final[INDEX_HEADING.anchor],
        "index": {
            language: [
                {
                    "english": t.english,
                    "chinese": t.chinese,
                    "pages": t.english_pages if language == "english" else t.chinese_pages,
                }
                for t in listed
            ]
            for language, listed in terms.items()
        },
    }
    record_path.write_text(json.dumps(record, ensure_ascii=False, indent=1), encoding="utf-8")
    return pdf_path
