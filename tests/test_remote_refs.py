"""The offline check of the website and the book: every way a page can fetch from the network.

One generated page per form (17 forms: the 14 a regular expression missed and the 3 it caught)
must be reported; a page with only local references passes; a notebook that carries a video
iframe, a web-font link, an uppercase ``IMG SRC`` and a video makes the site build fail.
"""

from __future__ import annotations

import json

import pytest

from cnnkit.authoring import remote_refs, site

# form -> a page holding it; each names a different host so that a report can be traced back.
REMOTE_FORMS = {
    "uppercase IMG SRC": '<P><IMG SRC="https://a.example/x.png"></P>',
    "unquoted src": "<img src=https://b.example/x.png alt=x>",
    "srcset": '<img src="local.png" srcset="local2.png 2x, https://c.example/x.png 3x">',
    "iframe": '<iframe src="https://www.youtube.com/embed/abc"></iframe>',
    "video": '<video src="//d.example/clip.mp4" controls></video>',
    "audio and source": '<audio controls><source src="https://e.example/a.ogg"></audio>',
    "web-font link": (
        '<link href="https://fonts.googleapis.com/css2?family=Roboto" rel="stylesheet">'
    ),
    "@import": '<style>@import "https://f.example/style.css";</style>',
    "CSS url() in <style>": "<style>body { background: url(https://g.example/bg.png) }</style>",
    "CSS url() in style=": "<div style=\"background-image:url('//h.example/bg.png')\">x</div>",
    "object": '<object data="https://i.example/movie.swf"></object>',
    "embed": '<embed src="https://j.example/file.pdf">',
    "preload": '<link rel="preload" as="font" href="https://k.example/font.woff2">',
    "SVG image href": '<svg><image href="https://l.example/x.png" width="10"/></svg>',
    "SVG image xlink:href": '<svg><image xlink:href="https://m.example/x.png"/></svg>',
    "script src": '<script src="https://n.example/lib.js"></script>',
    "img src": '<img src="http://o.example/x.png">',
    "stylesheet link": "<link rel='stylesheet' href='//p.example/theme.css'>",
}
# Eight more spellings that the parser must see through.
MORE_FORMS = {
    "entity in scheme": '<img src="https&#58;//q.example/x.png">',
    "spaces and case": '<img src="  HTTPS://r.example/x.png ">',
    "@import url()": "<style>@IMPORT url(//s.example/a.css) screen;</style>",
    "@font-face src": (
        "<style>@font-face { font-family: X; src: url('https://t.example/f.woff2') }</style>"
    ),
    "image-set": "<style>a { background: image-set('https://u.example/a.png' 1x) }</style>",
    "video poster": '<video poster="https://v.example/p.jpg" src="local.mp4"></video>',
    "source srcset": '<picture><source srcset="https://w.example/a.webp"></picture>',
    "track": '<video><track src="https://x.example/subs.vtt"></video>',
}


def _page(body: str) -> str:
    return f"<!DOCTYPE html><html><head><title>t</title></head><body>{body}</body></html>"


@pytest.mark.parametrize("form", sorted(REMOTE_FORMS) + sorted(MORE_FORMS))
def test_every_form_of_remote_reference_is_caught(form):
    body = {**REMOTE_FORMS, **MORE_FORMS}[form]
    found = remote_refs.remote_references_in_html(_page(body))
    assert len(found) == 1, (form, found)
    assert ".example" in found[0] or "google" in found[0] or "youtube" in found[0], found


def test_the_brief_lists_seventeen_forms_at_least():
    hosts = {remote_refs.remote_references_in_html(_page(b))[0] for b in REMOTE_FORMS.values()}
    assert len(hosts) == len(REMOTE_FORMS) >= 17


def test_a_page_with_only_local_references_passes():
    page = _page(
        '<img src="images/a.png" srcset="a.png 1x, b.png 2x"><img src="data:image/png;base64,AA">'
        '<link rel="stylesheet" href="_static/site.css"><script src="_static/x.js"></script>'
        "<style>@import 'local.css'; body { background: url(bg.png) }</style>"
        '<div style="background: url(../images/bg.png)">x</div>'
        '<a href="https://github.com/cnnkit/cnnkit">a link is followed, not fetched</a>'
        '<link rel="canonical" href="https://cnnkit.example/">'
        '<svg><image href="#local"/></svg><iframe src="about:blank"></iframe>'
        "<pre>&lt;img src='https://in.text.example/x.png'&gt; is text, not a tag</pre>"
    )
    assert remote_refs.remote_references_in_html(page) == []


def test_a_folder_reports_page_line_and_form(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "p.html").write_text(_page("\n\n" + REMOTE_FORMS["iframe"]))
    (tmp_path / "theme.css").write_text("@import url('https://fonts.example/a.css');")
    (tmp_path / "clean.html").write_text(_page('<img src="a.png">'))
    found = remote_refs.remote_references(tmp_path)
    assert found == [
        "sub/p.html line 3: <iframe src>: https://www.youtube.com/embed/abc",
        "theme.css: CSS url(): https://fonts.example/a.css",
    ]


@pytest.mark.parametrize(
    ("url", "remote"),
    [
        ("https://x.org", True),
        ("//x.org/a", True),
        ("FTP://x.org/a", True),
        ("ws://x.org", True),
        ("data:image/png;base64,AA", False),
        ("images/a.png", False),
        ("../a:b.png", False),
        ("#frag", False),
        ("mailto:a@b.c", False),
        ("", False),
    ],
)
def test_is_remote(url, remote):
    assert remote_refs.is_remote(url) is remote


def test_bad_input_is_refused_with_a_clear_message(tmp_path):
    with pytest.raises(TypeError, match="HTML text"):
        remote_refs.remote_references_in_html(b"<img>")
    with pytest.raises(ValueError, match="folder of built pages"):
        remote_refs.remote_references(tmp_path / "missing")


HOSTILE_CELLS = [
    '<iframe width="560" src="https://www.youtube.com/embed/dQw4w9WgXcQ"></iframe>',
    '<link href="https://fonts.googleapis.com/css?family=Lato" rel="stylesheet">',
    "<IMG SRC=https://example.org/figure.png>",
    '<video controls src="https://example.org/lecture.mp4"></video>',
]


def _hostile_course(tmp_path, monkeypatch):
    """A course of one chapter carrying HOSTILE_CELLS, built in tmp_path (build/ stays as it was)."""
    if not (site.SITE_VENV / "bin" / "jupyter-book").exists():
        from tests.test_site import _missing

        _missing("Jupyter Book is not installed in build/venv-site (make site-deps)")
    notebook = {
        "cells": [
            {"cell_type": "markdown", "id": "t", "metadata": {}, "source": "# 09 Hostile"},
            *(
                {"cell_type": "markdown", "id": f"c{i}", "metadata": {}, "source": cell}
                for i, cell in enumerate(HOSTILE_CELLS)
            ),
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    chapter = tmp_path / "notebooks" / "09_hostile.ipynb"
    chapter.parent.mkdir()
    chapter.write_text(json.dumps(notebook), encoding="utf-8")
    # A site of this one chapter, built in tmp_path so that build/site stays as it was.
    monkeypatch.setattr(site, "BUILD", tmp_path / "build")
    monkeypatch.setattr(site, "SOURCE_TREE", tmp_path / "build" / "site-src")
    monkeypatch.setattr(site, "SITE", tmp_path / "build" / "site")
    monkeypatch.setattr(site, "_chapters", lambda: [chapter])
    monkeypatch.setattr(site, "_exercises", lambda: [])
    (tmp_path / "build").mkdir()
    monkeypatch.setattr(site, "BOOK_PDF", tmp_path / "build" / "book.pdf")
    monkeypatch.setattr(site, "BOOK_RECORD", tmp_path / "build" / "book.json")


def _assert_every_hostile_reference_listed(message: str, page: str) -> None:
    for url in (
        "https://www.youtube.com/embed/dQw4w9WgXcQ",
        "https://fonts.googleapis.com/css?family=Lato",
        "https://example.org/figure.png",
        "https://example.org/lecture.mp4",
    ):
        assert f"{page} line" in message and url in message, message


def test_a_notebook_fetching_from_the_network_fails_the_site_build(tmp_path, monkeypatch):
    _hostile_course(tmp_path, monkeypatch)
    with pytest.raises(site.SiteBuildError) as raised:
        site.build_site()
    _assert_every_hostile_reference_listed(str(raised.value), "chapters/09_hostile.html")
    assert not (tmp_path / "build" / "site").exists()


def test_a_notebook_fetching_from_the_network_fails_the_book_build(tmp_path, monkeypatch):
    _hostile_course(tmp_path, monkeypatch)
    with pytest.raises(site.SiteBuildError, match="the book would fetch") as raised:
        site.build_book()  # refused before Chromium prints anything
    _assert_every_hostile_reference_listed(str(raised.value), "index.html")
    assert not (tmp_path / "build" / "book.pdf").exists()
