"""The course as a website and a printable book, built offline from the committed notebooks.

    python -m cnnkit.authoring site     # build/site/index.html (make site)
    python -m cnnkit.authoring book     # build/cnnkit-course.pdf (make book)

Nothing is executed: the pages show the committed full-mode outputs. This module writes a
Jupyter Book 1.x source tree (build/site-src/: the notebooks, a home page, the formula sheet,
the glossary, the benchmarks) and runs ``jupyter-book`` from its own environment
(build/venv-site, from requirements-site.txt). Maths is typeset by a local MathJax copy
(Debian's libjs-mathjax), search understands Chinese (jieba), and no page refers to a remote
script, style or image. The book is the single-page build printed to A4 PDF by Chromium.
"""

from __future__ import annotations

import contextlib
import csv
import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from cnnkit.authoring.notebooks import REPOSITORY_ROOT
from cnnkit.authoring.template import REPOSITORY, colab_url

BUILD = REPOSITORY_ROOT / "build"
SOURCE_TREE = BUILD / "site-src"
SITE = BUILD / "site"
BOOK_PDF = BUILD / "cnnkit-course.pdf"
BOOK_RECORD = BUILD / "cnnkit-course.index.json"  # the book's contents and index, for its test
SITE_VENV = BUILD / "venv-site"
MATHJAX_DIR = Path(os.environ.get("CNNKIT_MATHJAX_DIR", "/usr/share/javascript/mathjax"))
COLAB_BADGE_URL = "https://colab.research.google.com/assets/colab-badge.svg"
LOCAL_BADGE = "images/colab-badge.svg"

CHAPTER_TITLES = {
    "01": "Neural-network basics (神经网络基础)",
    "02": "Convolution (卷积)",
    "03": "Pooling (池化)",
    "04": "Classic CNNs (经典卷积网络)",
    "05": "Recurrent networks (循环神经网络)",
    "06": "Generative adversarial networks (生成对抗网络)",
    "07": "Overfitting and optimizers (过拟合与优化算法)",
    "08": "Exam review (考试复习)",
}

# A local copy of the "Open in Colab" badge, so that no page loads an image from the network.
COLAB_BADGE_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="117" height="20" role="img"
 aria-label="Open in Colab"><rect width="117" height="20" rx="3" fill="#555"/>
<rect x="0" width="117" height="20" rx="3" fill="#e37400"/>
<text x="58.5" y="14" fill="#fff" font-family="DejaVu Sans,Verdana,sans-serif" font-size="11"
 text-anchor="middle">Open in Colab</text></svg>
"""

FAVICON_SVG = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">
<rect width="16" height="16" rx="3" fill="#1f4e8c"/><path d="M3 3h4v4H3zM9 9h4v4H9z" fill="#fff"/></svg>
"""

GLOSSARY_FILTER_JS = """
document.addEventListener("DOMContentLoaded", function () {
  var box = document.getElementById("glossary-filter");
  if (!box) return;
  var rows = document.querySelectorAll("table.glossary tbody tr");
  box.addEventListener("input", function () {
    var query = box.value.trim().toLowerCase();
    rows.forEach(function (row) {
      row.style.display = row.textContent.toLowerCase().indexOf(query) >= 0 ? "" : "none";
    });
  });
});
"""

SITE_CSS = """
.f { margin: 0 0 .6em 0; break-inside: avoid; }
.f .t { font-weight: bold; }
.f .ch { float: right; color: #777; font-size: .85em; }
.f .x { font-family: var(--pst-font-family-monospace); background: var(--pst-color-surface);
        padding: 0 .3em; }
.f .l { color: var(--pst-color-text-muted); font-size: .9em; }
.zh { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; }
/* The theme lays div.math out as a flex row made for MathJax 3 (mjx-container grows); MathJax 2's
   display box does not grow, so equations sat flush right. Grow it and centre the equation. */
div.math > .MJXc-display, div.math > .MathJax_Display, div.math > .MathJax_SVG_Display
  { flex-grow: 1; text-align: center !important; }
#glossary-filter { width: 100%; padding: .4em; margin: .5em 0 1em 0; font-size: 1em; }
"""


class SiteBuildError(RuntimeError):
    """The website or the book could not be built; the message says what is missing."""


def _chapters() -> list[Path]:
    return sorted((REPOSITORY_ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def _exercises() -> list[Path]:
    return sorted((REPOSITORY_ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))


# Test markers of nbval (`# NBVAL_CHECK_OUTPUT` ...) are for the test run, not for the reader.
NBVAL_MARKER_LINE = re.compile(r"^[ \t]*#[ \t]*NBVAL_[A-Z_]+[ \t]*(?:\n|$)", re.M)
# A chapter's title as its source writes it: "# 02 Convolution (卷积)" or "# Chapter 01: ...".
CHAPTER_HEADING = re.compile(r"^# (?:Chapter )?(\d\d):? +(.+)$", re.M)
# A Markdown link or image whose target is a relative path (not a URL, an anchor or an e-mail).
RELATIVE_LINK = re.compile(r"(\]\()(?![a-zA-Z][a-zA-Z0-9+.-]*:|#|/)([^)\s#]+)(#[^)\s]*)?(\))")


def strip_test_markers(code: str) -> str:
    """``code`` without the lines holding only an nbval marker comment (``# NBVAL_...``)."""
    return NBVAL_MARKER_LINE.sub("", code)


def chapter_heading(source: str) -> str:
    """``source`` with its chapter title written as ``# Chapter NN: Title`` (as chapter 01 does)."""
    return CHAPTER_HEADING.sub(lambda m: f"# Chapter {m.group(1)}: {m.group(2).strip()}", source, 1)


def repository_links(source: str, origin: Path, destination: Path) -> str:
    """Relative links of ``source`` that the site cannot serve, pointed at the repository on GitHub.

    ``origin`` is the notebook's place in the repository, ``destination`` its place in the site's
    source tree. A link is kept when its target exists beside ``destination``; it becomes
    ``https://github.com/<repository>/blob/main/<path>`` when its target is a file of the
    repository (chapter 08 links the printable formula sheet in review/, which the site does
    not publish); anything else is left for the build to report.
    """

    def replace(match: re.Match) -> str:
        target = match.group(2)
        if (destination.parent / target).exists():
            return match.group(0)
        in_repository = (origin.parent / target).resolve()
        try:
            relative = in_repository.relative_to(REPOSITORY_ROOT)
        except ValueError:
            return match.group(0)
        if not in_repository.is_file():
            return match.group(0)
        url = f"https://github.com/{REPOSITORY}/blob/main/{relative.as_posix()}"
        return f"{match.group(1)}{url}{match.group(3) or ''}{match.group(4)}"

    return RELATIVE_LINK.sub(replace, source)


def _localised_notebook(
    path: Path, destination: Path, note: str = "", *, is_chapter: bool = False
) -> None:
    """Copy a notebook for the site: the local Colab badge, no test markers, one title style.

    ``note`` (Markdown) goes in a cell right after the first (title) cell: a link to the solutions.
    Links to repository files the site does not publish go to GitHub (:func:`repository_links`).
    """
    notebook = json.loads(path.read_text(encoding="utf-8"))
    if note:
        cell = {"cell_type": "markdown", "id": "site-note", "metadata": {}, "source": note}
        notebook["cells"].insert(1, cell)
    depth = len(destination.relative_to(SOURCE_TREE).parts) - 1
    badge = "../" * depth + LOCAL_BADGE
    destination.parent.mkdir(parents=True, exist_ok=True)
    titled = not is_chapter
    for cell in notebook["cells"]:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown":
            source = source.replace(COLAB_BADGE_URL, badge)
            if not titled and CHAPTER_HEADING.search(source):
                source, titled = chapter_heading(source), True
            source = repository_links(source, path, destination)
        elif cell["cell_type"] == "code":
            source = strip_test_markers(source)
        cell["source"] = source
    destination.write_text(json.dumps(notebook, ensure_ascii=False, indent=1), encoding="utf-8")


def _home_page() -> str:
    rows = []
    for chapter in _chapters():
        number = chapter.stem[:2]
        title = CHAPTER_TITLES.get(number, chapter.stem)
        exercise = REPOSITORY_ROOT / "exercises" / chapter.name
        exercise_link = f"[exercises](exercises/{chapter.stem})" if exercise.exists() else "—"
        badge = f"[![Open in Colab]({LOCAL_BADGE})]({colab_url(f'notebooks/{chapter.name}')})"
        rows.append(
            f"| {number} | [{title}](chapters/{chapter.stem}) | {exercise_link} | {badge} |"
        )
    table = "\n".join(rows)
    return f"""# cnnkit: deep learning with convolutional networks, in Keras

A course kit for a university deep-learning course (深度学习课程): neural networks, convolution,
pooling, classic CNNs, recurrent networks, GANs, overfitting and optimizers, with exercises
that check the student's answers and an exam review. Every result a chapter states is
asserted by its own output (`Claim holds: ...` lines).

## Run it yourself

```bash
make lab     # install what is needed and open the course in JupyterLab
make test    # install what is needed and run every test, the notebooks included
```

or open a chapter in Google Colab with its badge below.

## Chapters

| # | chapter | exercises | Colab |
|---|---|---|---|
{table}

Also: the [formula sheet](review/formula_sheet) (公式表), the [glossary](review/glossary)
(术语表) and the [benchmarks](review/benchmarks). The source is at
<https://github.com/{REPOSITORY}>.
"""


def _glossary_page() -> str:
    path = REPOSITORY_ROOT / "cnnkit" / "review" / "glossary.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        entries = list(csv.DictReader(handle))
    body = "\n".join(
        "<tr>"
        f"<td>{html.escape(entry['english'])}</td>"
        f"<td class='zh'>{html.escape(entry['chinese'])}</td>"
        f"<td>{html.escape(entry['definition'])}</td>"
        f"<td>{html.escape(entry['chapter'])}</td>"
        "</tr>"
        for entry in entries
    )
    return f"""# Glossary (术语表)

{len(entries)} terms, English and Chinese. Type in the box to filter the table (English or
中文); in a notebook, `ck.review.glossary("卷积")` looks a term up both ways.

```{{raw}} html
<input id="glossary-filter" type="search" placeholder="filter: kernel, 卷积, dropout ..."
 aria-label="Filter the glossary">
<table class="glossary table">
<thead><tr><th>English</th><th>中文</th><th>definition</th><th>chapter</th></tr></thead>
<tbody>
{body}
</tbody></table>
```
"""


def _formula_sheet_page() -> str:
    from cnnkit.review import sheet

    return f"""# Formula sheet (公式表)

Every example on this sheet is computed by the code that the course uses, and every formula is
tested against Keras. Keras conventions: floor for `'valid'`, `ceil(W/S)` for `'same'`; `ln` in
losses. The printable two-page version is built by `make sheet`.

## Layer arithmetic (层的计算)

```{{raw}} html
{sheet.layer_formulas_html()}
```

## Activations, losses, training (激活函数、损失函数、优化算法)

```{{raw}} html
{sheet.review_formulas_html()}
```

## Classic networks (经典卷积网络)

```{{raw}} html
{sheet.classic_networks_html()}
```
"""


def _benchmarks_page() -> str:
    results_path = REPOSITORY_ROOT / "benchmarks" / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {}
    rows = [
        f"| `{key}` | {entry.get('value')} | {entry.get('target', '')} | "
        f"{entry.get('verdict', '')} | {entry.get('measured_on', '')} |"
        for key, entry in sorted(results.items())
        if isinstance(entry, dict) and "value" in entry
    ]
    machine = results.get("machine", {})
    return (
        "# Benchmarks\n\n"
        "Speed and memory of the kit on a 2-core CPU machine without a GPU, measured by "
        "`make bench` (`benchmarks/run.py`); ratios are measured side by side in one run.\n\n"
        "| figure | value | target | verdict | measured |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + f"\n\nMachine: {machine.get('cpus', '?')} CPUs, Python {machine.get('python', '?')}.\n"
    )


def _config(title: str) -> str:
    return f"""title: "{title}"
author: "the cnnkit authors"
copyright: "2026"
only_build_toc_files: true
execute:
  execute_notebooks: "off"
repository:
  url: https://github.com/{REPOSITORY}
  branch: main
html:
  use_repository_button: true
  use_issues_button: false
  use_edit_page_button: false
  extra_footer: "Code MIT, text CC BY 4.0."
launch_buttons:
  colab_url: "https://colab.research.google.com"
  binderhub_url: ""
  thebe: false
  notebook_interface: "jupyterlab"
parse:
  myst_enable_extensions: [dollarmath, amsmath, colon_fence, html_image]
sphinx:
  config:
    language: en
    html_search_language: zh
    html_static_path: ["assets", "mathjax_root"]
    html_favicon: "assets/favicon.svg"
    html_context:
      default_mode: auto
    html_css_files: ["site.css"]
    html_js_files: ["glossary.js"]
    mathjax_path: "mathjax/MathJax.js?config=TeX-AMS_CHTML"
    mathjax2_config:
      tex2jax:
        inlineMath: [["\\\\(", "\\\\)"]]
        displayMath: [["\\\\[", "\\\\]"]]
        processRefs: false
        processEnvironments: false
        # MyST-NB marks notebook pages tex2jax_ignore (so a "$" in an output stays text) and
        # wraps real maths in class "math", which MathJax 2 must be told to process.
        processClass: "tex2jax_process|mathjax_process|math|output_area"
      HTML-CSS:
        imageFont: null
    nb_render_markdown_format: myst
    suppress_warnings: ["myst.header", "mystnb.unknown_mime_type", "misc.highlighting_failure"]
"""


def _toc() -> str:
    """Jupyter Book's table of contents: the chapters, exercises, exam review and solutions parts."""
    parts = {
        "Chapters": [f"chapters/{path.stem}" for path in _chapters()],
        "Exercises": [f"exercises/{path.stem}" for path in _exercises()],
        "Exam review": ["review/formula_sheet", "review/glossary", "review/benchmarks"],
        "Appendix - solutions": [f"solutions/{path.stem}" for path in _exercises()],
    }
    text = "format: jb-book\nroot: index\nparts:\n"
    for caption, files in parts.items():
        if files:  # Jupyter Book refuses an empty part
            text += f"- caption: {caption}\n  chapters:\n"
            text += "".join(f"  - file: {file}\n" for file in files)
    return text


def _copy_mathjax(destination: Path) -> None:
    """The parts of MathJax 2 that TeX-AMS_CHTML needs (no tests, no unpacked sources, woff fonts only)."""
    if not (MATHJAX_DIR / "MathJax.js").exists():
        raise SiteBuildError(
            f"MathJax is not at {MATHJAX_DIR}: install Debian's libjs-mathjax "
            "(apt-get install libjs-mathjax fonts-mathjax; make site-deps does it as root) or set "
            "CNNKIT_MATHJAX_DIR to a folder holding MathJax.js."
        )
    skipped = {"test", "unpacked", "otf", "svg", "SVG", "PreviewHTML", "MathML"}
    shutil.copytree(
        MATHJAX_DIR,
        destination / "mathjax",
        ignore=lambda folder, names: [name for name in names if name in skipped],
        dirs_exist_ok=True,
    )
    # Debian's MathJax lacks the speech-rule engine of the accessibility menu, which MathJax
    # still asks for; an empty stand-in tells MathJax it is loaded, so no request fails.
    for optional in ("extensions/a11y/mathjax-sre.js",):
        stand_in = destination / "mathjax" / optional
        if not stand_in.exists():
            stand_in.parent.mkdir(parents=True, exist_ok=True)
            stand_in.write_text(f'MathJax.Ajax.loadComplete("[MathJax]/{optional}");\n')


def prepare_sources(title: str = "cnnkit: deep learning with CNNs in Keras") -> Path:
    """Write the Jupyter Book source tree (build/site-src) from the committed files."""
    if SOURCE_TREE.exists():
        shutil.rmtree(SOURCE_TREE)
    # Not "_static": Jupyter Book would add every .js file below it (all of MathJax) to every
    # page. Sphinx copies both folders into the built site's _static/.
    static = SOURCE_TREE / "assets"
    static.mkdir(parents=True)
    (SOURCE_TREE / "images").mkdir()
    (SOURCE_TREE / LOCAL_BADGE).write_text(COLAB_BADGE_SVG, encoding="utf-8")
    (static / "favicon.svg").write_text(FAVICON_SVG, encoding="utf-8")
    (static / "glossary.js").write_text(GLOSSARY_FILTER_JS, encoding="utf-8")
    (static / "site.css").write_text(SITE_CSS, encoding="utf-8")
    _copy_mathjax(SOURCE_TREE / "mathjax_root")
    for chapter in _chapters():
        _localised_notebook(chapter, SOURCE_TREE / "chapters" / chapter.name, is_chapter=True)
    for exercise in _exercises():
        _localised_notebook(
            exercise,
            SOURCE_TREE / "exercises" / exercise.name,
            note=f"Solutions are on their own page: [solutions of these exercises]"
            f"(../solutions/{exercise.stem}). Try first; `q1.hint()` gives one hint at a time.",
        )
        solution = REPOSITORY_ROOT / "exercises" / "solutions" / exercise.name
        _localised_notebook(solution, SOURCE_TREE / "solutions" / exercise.name)
    review = SOURCE_TREE / "review"
    review.mkdir()
    (review / "formula_sheet.md").write_text(_formula_sheet_page(), encoding="utf-8")
    (review / "glossary.md").write_text(_glossary_page(), encoding="utf-8")
    (review / "benchmarks.md").write_text(_benchmarks_page(), encoding="utf-8")
    (SOURCE_TREE / "index.md").write_text(_home_page(), encoding="utf-8")
    (SOURCE_TREE / "_config.yml").write_text(_config(title), encoding="utf-8")
    (SOURCE_TREE / "_toc.yml").write_text(_toc(), encoding="utf-8")
    return SOURCE_TREE


def _jupyter_book() -> Path:
    executable = SITE_VENV / "bin" / "jupyter-book"
    if not executable.exists():
        raise SiteBuildError(
            f"Jupyter Book is not installed in {SITE_VENV.relative_to(REPOSITORY_ROOT)}: "
            "run `make site-deps` (it installs requirements-site.txt there)."
        )
    return executable


def _run_jupyter_book(builder: str) -> Path:
    output = BUILD / f"jb-{builder}"
    if output.exists():
        shutil.rmtree(output)
    command = [str(_jupyter_book()), "build", str(SOURCE_TREE), "--path-output", str(output)]
    command += ["--builder", builder]
    completed = subprocess.run(command, capture_output=True, text=True)
    log = completed.stdout + completed.stderr
    (BUILD / f"jb-{builder}.log").write_text(log, encoding="utf-8")
    if completed.returncode != 0:
        raise SiteBuildError(
            f"jupyter-book {builder} failed; see build/jb-{builder}.log\n{log[-2000:]}"
        )
    return output / "_build" / builder


# Jupyter Book 1 always loads sphinx-thebe, which names thebe's CDN address in every page
# (used only if live code is switched on, which this offline course never does): drop it.
THEBE_TAGS = re.compile(
    r"<script[^>]*sphinx-thebe\.js[^>]*></script>\s*|<script>const THEBE_JS_URL[^<]*</script>\s*"
)


def _drop_thebe(folder: Path) -> None:
    for page in folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        cleaned = THEBE_TAGS.sub("", text)
        if cleaned != text:
            page.write_text(cleaned, encoding="utf-8")


def remote_references(folder: Path) -> list[str]:
    """Every reference in ``folder``'s pages and stylesheets that would be fetched from the network."""
    from cnnkit.authoring.remote_refs import remote_references as parsed_references

    return parsed_references(folder)


def _refuse_remote_references(folder: Path, what: str) -> None:
    remote = remote_references(folder)
    if remote:
        raise SiteBuildError(
            f"{what} would fetch {len(remote)} file(s) from the network; every page must work "
            "offline. Make these local (or drop them):\n" + "\n".join(remote)
        )


# The theme's launch button opens the page's source in Colab by its place in the site's source
# tree (chapters/, solutions/), which is not its place in the repository.
SITE_TO_REPOSITORY = {"chapters/": "notebooks/", "solutions/": "exercises/solutions/"}


def repository_path(site_path: str) -> str:
    """The repository path of a notebook the site publishes at ``site_path`` (e.g. chapters/x.ipynb)."""
    for site_folder, repository_folder in SITE_TO_REPOSITORY.items():
        if site_path.startswith(site_folder):
            return repository_folder + site_path[len(site_folder) :]
    return site_path


def _point_launch_links_at_the_repository(folder: Path) -> None:
    prefix = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/"
    link = re.compile(re.escape(prefix) + r"([^\"'\s<>?#]+)")
    for page in folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        fixed = link.sub(lambda m: prefix + repository_path(m.group(1)), text)
        if fixed != text:
            page.write_text(fixed, encoding="utf-8")


def build_warnings(builder: str = "html") -> list[str]:
    """The Sphinx warnings of the last build with ``builder`` (from build/jb-<builder>.log)."""
    log = BUILD / f"jb-{builder}.log"
    text = re.sub(r"\x1b\[[0-9;]*m", "", log.read_text(encoding="utf-8"))
    return [line for line in text.splitlines() if re.search(r"\b(WARNING|ERROR):", line)]


@contextlib.contextmanager
def _one_build_at_a_time():
    """Hold a lock on build/site-src while it is rewritten and built: the site and the book share
    that tree, and two builds at once (make site beside make book, or two test workers) would
    delete each other's files."""
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(BUILD / "site-src.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: make site is not run there
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_site() -> Path:
    """Build the website into build/site/ and return the path of its home page."""
    with _one_build_at_a_time():
        prepare_sources()
        built = _run_jupyter_book("html")
    _drop_thebe(built)
    _point_launch_links_at_the_repository(built)
    # Checked before it replaces build/site: a site that would fetch from the network is not kept.
    _refuse_remote_references(built, "the website")
    if SITE.exists():
        shutil.rmtree(SITE)
    shutil.copytree(built, SITE)
    return SITE / "index.html"


def build_book() -> Path:
    """Print the whole course to build/cnnkit-course.pdf (see cnnkit/authoring/book.py)."""
    from cnnkit.authoring import book

    with _one_build_at_a_time():
        prepare_sources()
        built = _run_jupyter_book("singlehtml")
    _drop_thebe(built)
    page_path = built / "index.html"
    # Checked on the page as Jupyter Book wrote it and again as the book prints it.
    _refuse_remote_references(built, "the book")
    try:
        return book.print_book(
            page_path,
            BOOK_PDF,
            BOOK_RECORD,
            check=lambda: _refuse_remote_references(built, "the book"),
        )
    except book.BookBuildError as error:
        raise SiteBuildError(str(error)) from error


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    target = arguments[0] if arguments else "site"
    if target == "site":
        print(f"built {build_site().relative_to(REPOSITORY_ROOT)}")
    elif target == "book":
        print(f"built {build_book().relative_to(REPOSITORY_ROOT)}")
    else:
        raise SystemExit("usage: python -m cnnkit.authoring.site site|book")
    return 0


if __name__ == "__main__":
    sys.exit(main())
