"""The printable book (make book): every chapter in the PDF outline, a CJK font embedded, A4 pages.

Built from the committed notebooks by Jupyter Book's single-page build, printed by Chromium.
In its own module because printing drives Chromium too, apart from test_site's browser session.
"""

from __future__ import annotations

from cnnkit.authoring import site
from tests.test_site import CHAPTER_WORDS, _missing

A4_WIDTH_POINTS = 595.28


def test_book_has_every_chapter_a_cjk_font_and_a4_pages():
    from pypdf import PdfReader

    try:
        pdf = site.build_book()
    except site.SiteBuildError as error:
        if "not installed" in str(error) or "MathJax is not" in str(error):
            _missing(str(error))
        raise
    reader = PdfReader(str(pdf))
    titles = []

    def walk(entries):
        for entry in entries:
            if isinstance(entry, list):
                walk(entry)
            else:
                titles.append(entry.title)

    walk(reader.outline)
    outline = " | ".join(titles)
    for number, words in CHAPTER_WORDS.items():
        assert words in outline, f"chapter {number} ({words}) is not in the PDF outline"
    assert "Formula sheet" in outline and "Glossary" in outline and "solutions" in outline
    widths = {round(float(page.mediabox.width), 1) for page in reader.pages}
    assert max(widths) <= A4_WIDTH_POINTS + 0.5, widths
    fonts = set()
    for page in reader.pages[:60]:
        for font in (page.get("/Resources", {}).get("/Font") or {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    assert any("WenQuanYi" in name or "CJK" in name or "Hei" in name for name in fonts), fonts
