"""The printable book (make book): a book worth printing for an open-book exam.

Built once for this module (about 2-3 minutes on 2 shared cores: the single-page build and two
printings by Chromium, see cnnkit/authoring/book.py). Checked on the PDF itself with pypdf (and
poppler's pdftoppm for how full each page is):

- a cover, then the contents, whose printed page numbers are the pages the headings are on;
- every chapter, exercise set, the formula sheet, the glossary and the index start a new page;
- the outline is chapter -> section, each title exactly the text of the page it points to
  (no doubled, truncated or run-together titles);
- each index entry (English and Chinese, from the glossary) lists pages that contain its term;
- no page is more than half empty except the last page of a chapter (and the cover);
- a CJK font is embedded, the pages are A4, and the glossary's headers are whole words.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata

import numpy as np
import pytest

from cnnkit.authoring import book as book_module
from cnnkit.authoring import site
from tests.test_site import CHAPTER_WORDS, _missing

A4_WIDTH_POINTS = 595.28


@pytest.fixture(scope="module")
def book():
    from pypdf import PdfReader

    try:
        pdf = site.build_book()
    except site.SiteBuildError as error:
        if "not installed" in str(error) or "MathJax is not" in str(error):
            _missing(str(error))
        raise
    reader = PdfReader(str(pdf))
    texts = [_plain(page.extract_text() or "") for page in reader.pages]
    record = json.loads(site.BOOK_RECORD.read_text(encoding="utf-8"))
    return {"pdf": pdf, "reader": reader, "texts": texts, "record": record}


def _plain(text: str) -> str:
    """Lower case, ligatures undone, one space between words, none next to CJK characters or
    after a hyphen at a line end ("nine-\nstep" is "nine-step")."""
    text = " ".join(unicodedata.normalize("NFKC", text).lower().split())
    text = re.sub(r"(?<=[a-z])- (?=[a-z])", "-", text)
    return re.sub(r"\s*([\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef])\s*", r"\1", text)


def _outline(reader):
    """The outline as [(title, page, [(title, page), ...]), ...] (pages 1-based)."""
    entries, items = [], list(reader.outline)
    for position, item in enumerate(items):
        if isinstance(item, list):
            continue
        children = items[position + 1] if position + 1 < len(items) else None
        sections = []
        if isinstance(children, list):
            for child in children:
                assert not isinstance(child, list), f"{item.title}: outline deeper than 2 levels"
                sections.append((child.title, reader.get_destination_page_number(child) + 1))
        entries.append((item.title, reader.get_destination_page_number(item) + 1, sections))
    return entries


def test_outline_is_chapter_then_section_with_the_page_text_as_titles(book):
    reader, texts, record = book["reader"], book["texts"], book["record"]
    outline = _outline(reader)
    titles = [title for title, _, _ in outline]
    expected = ["Contents (目录)"] + [c["title"] for c in record["chapters"]]
    assert titles == expected + ["Index of terms (索引)"]
    for number, words in CHAPTER_WORDS.items():
        assert any(t.startswith(f"Chapter {number}: {words}") for t in titles), number
    assert any(t.startswith("Formula sheet") for t in titles)
    assert any(t.startswith("Glossary") for t in titles)
    assert sum(t.startswith("Chapter 0") and "solutions" in t for t in titles) == 7
    checked = 0
    for (title, page, sections), chapter in zip(outline[1:-1], record["chapters"], strict=True):
        assert [s for s, _ in sections] == [s["title"] for s in chapter["sections"]], title
        for entry_title, entry_page in [(title, page), *sections]:
            assert re.fullmatch(r"(.+)\1", entry_title) is None, f"doubled: {entry_title}"
            # The title is on its page word for word: not truncated, no words run together.
            assert _plain(entry_title) in texts[entry_page - 1], (entry_title, entry_page)
            checked += 1
    assert checked > 150


def test_every_document_and_the_index_start_a_new_page(book):
    texts, record = book["texts"], book["record"]
    starts = [(c["title"], c["page"]) for c in record["chapters"]]
    starts.append(("Index of terms (索引)", record["index_page"]))
    for title, page in starts:
        # At the top of its page (a floated chapter tag such as "ch01" may be read out first).
        assert _plain(title) in texts[page - 1][:200], (title, page, texts[page - 1][:200])
        assert _plain(title) not in texts[page - 2], (title, "also on the page before")
    pages = [page for _, page in starts]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)


def test_cover_then_contents_with_the_pages_of_every_heading(book):
    texts, record = book["texts"], book["record"]
    assert texts[0].startswith("cnnkit") and "深度学习" in texts[0]
    assert texts[1].startswith(_plain("Contents (目录)"))
    first_chapter = record["chapters"][0]["page"]
    contents = " ".join(texts[1 : first_chapter - 1])
    listed = 0
    for chapter in record["chapters"]:
        for entry in [chapter, *chapter["sections"]]:
            assert f"{_plain(entry['title'])} {entry['page']}" in contents, entry
            listed += 1
    assert f"{_plain('Index of terms (索引)')} {record['index_page']}" in contents
    assert listed > 150


def _contains(text: str, spelling: str, chinese: bool) -> bool:
    spelling = _plain(spelling)
    if chinese:
        return spelling.replace(" ", "") in text.replace(" ", "")
    return re.search(rf"(?<![a-z0-9]){re.escape(spelling)}(?:e?s)?(?![a-z0-9])", text) is not None


def test_index_entries_point_to_pages_holding_their_term(book):
    texts, record = book["texts"], book["record"]
    index_text = " ".join(texts[record["index_page"] - 1 :])
    glossary_terms = book_module.glossary_terms()
    for language, chinese in (("english", False), ("chinese", True)):
        entries = record["index"][language]
        assert len(entries) > 0.5 * len(glossary_terms), (language, len(entries))
        for entry in entries:
            name = entry["chinese"] if chinese else entry["english"]
            spellings = [part.strip() for part in name.split("/")]
            assert entry["pages"] and all(p < record["index_page"] for p in entry["pages"])
            for page in entry["pages"]:
                assert any(_contains(texts[page - 1], s, chinese) for s in spellings), (
                    name,
                    page,
                )
            assert ", ".join(map(str, entry["pages"])) in index_text, entry
    assert "卷积" in index_text and "convolution" in index_text


def _fill(gray: np.ndarray) -> float:
    """How far down the text area a page image is used: the lowest non-white row, 0..1."""
    height = gray.shape[0]
    top, bottom = int(height * 14 / 297), int(height * (297 - 16) / 297)  # the page margins
    rows = np.where((gray[top:bottom] < 200).any(axis=1))[0]
    return 0.0 if rows.size == 0 else (rows[-1] + 1) / (bottom - top)


def _read_pgm(path) -> np.ndarray:
    data = path.read_bytes()
    header = data.split(maxsplit=4)
    width, height = int(header[1]), int(header[2])
    return np.frombuffer(data[-width * height :], dtype=np.uint8).reshape(height, width)


def test_no_page_is_more_than_half_empty_except_chapter_ends(book, tmp_path):
    if shutil.which("pdftoppm") is None:
        _missing("pdftoppm is not installed (Debian's poppler-utils)")
    record = book["record"]
    subprocess.run(
        ["pdftoppm", "-r", "20", "-gray", str(book["pdf"]), str(tmp_path / "p")], check=True
    )
    images = sorted(tmp_path.glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[1]))
    assert len(images) == len(book["reader"].pages)
    starts = [c["page"] for c in record["chapters"]] + [record["index_page"]]
    allowed = {1, len(images)} | {page - 1 for page in starts}  # cover, last, chapter ends
    half_empty = [
        (number, round(fill, 2))
        for number, image in enumerate(images, start=1)
        if number not in allowed and (fill := _fill(_read_pgm(image))) < 0.5
    ]
    assert half_empty == [], f"pages (number, fill) more than half empty: {half_empty}"


def test_a_cjk_font_a4_pages_and_whole_table_headers(book):
    reader, texts = book["reader"], book["texts"]
    widths = {round(float(page.mediabox.width), 1) for page in reader.pages}
    assert max(widths) <= A4_WIDTH_POINTS + 0.5, widths
    fonts = set()
    for page in reader.pages[:60]:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("WenQuanYi" in name or "CJK" in name or "Hei" in name for name in fonts), fonts
    (glossary,) = [c for c in book["record"]["chapters"] if c["title"].startswith("Glossary")]
    assert "english中文definition chapter" in texts[glossary["page"] - 1], texts[
        glossary["page"] - 1
    ][:400]
    assert not any("NBVAL_" in text.upper() for text in texts)
    assert site.build_warnings("singlehtml") == []
