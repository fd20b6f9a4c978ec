"""The website and the book: built offline from the committed notebooks, checked in a real browser.

`make test` builds both (the site in about 20 s, the book in 2-4 minutes on 2 shared cores) and
checks: every page exists; no page would fetch anything from the network (the HTML and CSS parser
of cnnkit/authoring/remote_refs.py); every Colab and GitHub link opens a file of `git ls-files`;
the build gives no warning; the code shown has no nbval markers and every chapter is titled
"Chapter NN: ..."; in Chromium (Debian's, driven by playwright) against a local server on
127.0.0.1: the home page links to chapter 02, search finds 卷积, 池化 and pooling in the right
chapters, dark mode toggles, every image on every page loads, maths is typeset, display
equations are centred, and the console shows no error. The PDF book is checked in
tests/test_book.py. Screenshots go to build/screenshots/site/ (ignored by git).
"""

from __future__ import annotations

import functools
import html
import html.parser
import http.server
import os
import re
import subprocess
import threading
from pathlib import Path

import pytest

from cnnkit.authoring import site

SCREENSHOTS = site.BUILD / "screenshots" / "site"
CHAPTER_WORDS = {
    "01": "Neural-network basics",
    "02": "Convolution",
    "03": "Pooling",
    "04": "Classic CNNs",
    "05": "Recurrent",
    "06": "Generative adversarial",
    "07": "Overfitting",
    "08": "Exam review",
}


def _missing(reason: str):
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CI installs it with make site-deps)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def built_site() -> Path:
    try:
        site.build_site()
    except site.SiteBuildError as error:
        if "not installed" in str(error) or "MathJax is not" in str(error):
            _missing(str(error))
        raise
    return site.SITE


@pytest.fixture(scope="module")
def server(built_site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(built_site))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser_page(server):
    from cnnkit.authoring import browser

    try:
        context_manager = browser.chromium_context(viewport={"width": 1300, "height": 900})
        context = context_manager.__enter__()
    except browser.BrowserNotFoundError as error:
        _missing(str(error))
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = context.new_page()
    page.set_default_timeout(120_000)
    page.console_errors = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    try:
        yield page
    finally:
        context_manager.__exit__(None, None, None)


def _pages(folder: Path) -> list[str]:
    return sorted(
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*.html")
        if not path.relative_to(folder).parts[0].startswith("_") and path.name != "genindex.html"
    )


def test_every_page_exists(built_site):
    pages = set(_pages(built_site))
    for number in CHAPTER_WORDS:
        assert any(page.startswith(f"chapters/{number}_") for page in pages), number
    for number in list(CHAPTER_WORDS)[:7]:
        assert any(page.startswith(f"exercises/{number}_") for page in pages), number
        assert any(page.startswith(f"solutions/{number}_") for page in pages), number
    for page in (
        "index.html",
        "search.html",
        "review/formula_sheet.html",
        "review/glossary.html",
        "review/benchmarks.html",
    ):
        assert page in pages


def test_no_page_refers_to_the_network(built_site):
    assert site.remote_references(built_site) == []
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "THEBE_JS_URL" not in text and "cdn.jsdelivr.net/npm/mathjax" not in text, page


def _git_files() -> set[str]:
    listed = subprocess.run(
        ["git", "ls-files"], cwd=site.REPOSITORY_ROOT, capture_output=True, text=True, check=True
    )
    return set(listed.stdout.splitlines())


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value for name, value in attrs if name == "href" and value]


def test_every_colab_and_github_link_opens_a_file_that_exists(built_site):
    files = _git_files()
    folders = {"/".join(path.split("/")[:depth]) for path in files for depth in range(1, 8)}
    blob = re.compile(
        rf"^https://(?:colab\.research\.google\.com/github|github\.com)/{site.REPOSITORY}"
        r"/(blob|tree)/main/([^?#]+)"
    )
    checked, broken = [], []
    for page in built_site.rglob("*.html"):
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for href in parser.hrefs:
            if "colab.research.google.com" in href and "/assets/" not in href:
                assert blob.match(href), f"{page}: a Colab link not to this repository: {href}"
            match = blob.match(href)
            if match:
                kind, path = match.groups()
                exists = path in files if kind == "blob" else path.rstrip("/") in folders
                checked.append(href)
                if not exists:
                    broken.append(f"{page.relative_to(built_site)}: {href}")
    assert broken == []
    colab = {href for href in checked if "colab" in href}
    # Each chapter, exercise set and solution set has its Colab link on its page.
    assert len(colab) >= 8 + 7 + 7, sorted(colab)


def test_the_build_gives_no_warning(built_site):
    assert site.build_warnings("html") == []


def test_shown_code_has_no_test_markers_and_chapters_one_title_style(built_site):
    for page in built_site.rglob("*.html"):
        assert "NBVAL_" not in page.read_text(encoding="utf-8"), page
    for number in CHAPTER_WORDS:
        (chapter,) = built_site.glob(f"chapters/{number}_*.html")
        (title,) = re.findall(r"<h1>(.*?)<a class=\"headerlink\"", chapter.read_text("utf-8"))
        assert title.startswith(f"Chapter {number}: {CHAPTER_WORDS[number]}"), title


def test_strip_test_markers_and_chapter_heading():
    code = "# NBVAL_CHECK_OUTPUT\nx = 1\n  #NBVAL_IGNORE_OUTPUT  \nprint(x)  # NBVAL_ not alone\n"
    assert site.strip_test_markers(code) == "x = 1\nprint(x)  # NBVAL_ not alone\n"
    assert (
        site.chapter_heading("# 02 Convolution (卷积)\ntext")
        == "# Chapter 02: Convolution (卷积)\ntext"
    )
    assert site.chapter_heading("# Chapter 01: Basics") == "# Chapter 01: Basics"


def _text(page: Path) -> str:
    """The page's text without tags (code is split into highlighted spans)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_exercise_pages_link_their_solutions_instead_of_showing_them(built_site):
    from cnnkit.exercises import ch02

    exercise_html = (built_site / "exercises" / "02_convolution.html").read_text(encoding="utf-8")
    assert "../solutions/02_convolution.html" in exercise_html
    exercise = _text(built_site / "exercises" / "02_convolution.html")
    solution = _text(built_site / "solutions" / "02_convolution.html")
    for problem in ch02.CHAPTER.problems:
        solution_lines = [
            line.strip()
            for line in problem.solution_code.splitlines()
            if len(line.strip()) > 15 and line.strip() not in problem.starter
        ]
        assert solution_lines and solution_lines[0] in solution, problem.name
        assert solution_lines[0] not in exercise, f"{problem.name}'s solution shows on its page"


def _search(page, server, query: str) -> str:
    page.goto(f"{server}/search.html?q={query}")
    page.wait_for_selector("#search-results p.search-summary, #search-results .search-summary")
    page.wait_for_function(
        "() => !document.querySelector('#search-results .search-summary')"
        ".textContent.includes('Preparing')"
    )
    return page.inner_text("#search-results")


def test_browser_walk_home_chapter_search_dark_mode(browser_page, server):
    page = browser_page
    page.goto(f"{server}/index.html")
    page.screenshot(path=str(SCREENSHOTS / "1_home.png"))
    page.click("article a:has-text('Convolution (卷积)')")
    page.wait_for_url("**/chapters/02_convolution.html")
    page.screenshot(path=str(SCREENSHOTS / "2_chapter02.png"))

    results = _search(page, server, "卷积")
    page.screenshot(path=str(SCREENSHOTS / "3_search_juanji.png"))
    assert "Chapter 02: Convolution" in results, results[:500]
    results = _search(page, server, "池化")
    assert "Chapter 03: Pooling" in results, results[:500]
    results = _search(page, server, "pooling")
    page.screenshot(path=str(SCREENSHOTS / "4_search_pooling.png"))
    assert "Chapter 03: Pooling" in results, results[:500]

    page.goto(f"{server}/chapters/03_pooling.html")
    before = page.evaluate("document.documentElement.dataset.theme")
    for _ in range(3):  # the switch cycles light -> dark -> auto
        page.click("button.theme-switch-button")
        if page.evaluate("document.documentElement.dataset.theme") == "dark":
            break
    page.screenshot(path=str(SCREENSHOTS / "5_dark_mode.png"))
    assert page.evaluate("document.documentElement.dataset.theme") == "dark", before
    assert page.console_errors == []


def test_every_image_loads_and_maths_is_typeset_and_centred_on_every_page(
    browser_page, server, built_site
):
    page = browser_page
    broken, raw_maths, off_centre, displays = [], [], [], 0
    for path in _pages(built_site):
        page.goto(f"{server}/{path}", wait_until="load")
        page.wait_for_function(
            "() => !window.MathJax || (MathJax.isReady && MathJax.Hub.queue.pending === 0 "
            "&& MathJax.Hub.queue.running === 0)"
        )
        broken += [
            f"{path}: {source}"
            for source in page.evaluate(
                "Array.from(document.images).filter(i => !i.complete || i.naturalWidth === 0)"
                ".map(i => i.getAttribute('src'))"
            )
        ]
        off_centre += [
            f"{path}: {offset:.0f} px"
            for offset in page.evaluate(
                "Array.from(document.querySelectorAll('div.math .mjx-math')).map(m => {"
                " const box = m.closest('div.math').getBoundingClientRect();"
                " const eq = m.getBoundingClientRect();"
                " return (eq.left + eq.right) / 2 - (box.left + box.right) / 2; })"
            )
            if abs(offset) > 5
        ]
        displays += page.evaluate("document.querySelectorAll('div.math .mjx-math').length")
        text = page.inner_text("article") if page.query_selector("article") else ""
        if "\\(" in text or "\\[" in text or "$$" in text:
            raw_maths.append(path)
    assert broken == []
    assert raw_maths == []
    assert displays >= 8 and off_centre == [], (displays, off_centre)
    assert page.console_errors == []
