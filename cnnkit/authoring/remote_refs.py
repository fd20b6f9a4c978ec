"""Every reference in HTML and CSS that a browser would fetch from the network, found by parsing.

The website and the book must open offline, so a page may fetch only files that sit beside it.
This module reads pages with the standard library's HTML parser (tags and attribute names in any
case, quoted or unquoted values, entities decoded) and their CSS with tinycss2 (``url()``,
``@import``, ``image-set()``, in ``<style>`` elements, ``style=`` attributes and ``.css`` files),
so that no spelling escapes a pattern. A reference is remote when its URL names a host:
``//host/...`` or a scheme other than ``data:``, ``blob:``, ``about:``, ``javascript:``,
``mailto:`` or ``file:``. Links that a reader follows (``<a href>``) are not fetched and not reported.

    >>> remote_references_in_html('<IMG SRC=https://x.org/a.png>')
    ['<img src>: https://x.org/a.png']
"""

from __future__ import annotations

import html.parser
from dataclasses import dataclass
from pathlib import Path

# Attributes whose value is one URL that the browser fetches, by element ("*": any element).
FETCHED_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "*": ("background",),
    "img": ("src", "lowsrc", "longdesc"),
    "script": ("src",),
    "iframe": ("src",),
    "frame": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src",),
    "track": ("src",),
    "embed": ("src",),
    "object": ("data", "codebase"),
    "input": ("src",),
    "image": ("href", "xlink:href"),  # SVG
    "use": ("href", "xlink:href"),  # SVG: an external sprite file is fetched
    "feimage": ("href", "xlink:href"),  # SVG filter input
    "portal": ("src",),
}
# Attributes holding a srcset: comma-separated "URL descriptor" candidates.
SRCSET_ATTRIBUTES = {"img": ("srcset",), "source": ("srcset",), "link": ("imagesrcset",)}
# <link rel=...> values that the browser fetches (or connects to) on its own.
FETCHING_LINK_RELATIONS = {
    "stylesheet",
    "icon",
    "shortcut",
    "apple-touch-icon",
    "apple-touch-icon-precomposed",
    "mask-icon",
    "manifest",
    "preload",
    "prefetch",
    "prerender",
    "modulepreload",
    "preconnect",
    "dns-prefetch",
    "import",
}
LOCAL_SCHEMES = ("data:", "blob:", "about:", "javascript:", "mailto:", "file:")


def is_remote(url: str) -> bool:
    """True when ``url`` names a host: ``//host`` or ``scheme:`` other than a local scheme."""
    if not isinstance(url, str):
        raise TypeError(f"is_remote() takes a URL string, not {type(url).__name__}")
    # Browsers drop leading/trailing spaces and ASCII tabs/newlines anywhere in a URL.
    cleaned = "".join(url.split()).lower()
    if cleaned.startswith(("//", "\\\\", "/\\", "\\/")):
        return True
    scheme, colon, _ = cleaned.partition(":")
    if not colon or not scheme or not scheme[0].isalpha():
        return False
    if not all(character.isalnum() or character in "+-." for character in scheme):
        return False  # "a/b:c" is a relative path, not a scheme
    return not cleaned.startswith(LOCAL_SCHEMES)


def _srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset: each candidate is a URL, then optional width/density descriptors."""
    urls = []
    for candidate in value.split(","):
        parts = candidate.split()
        if parts:
            urls.append(parts[0])
    return urls


def _walk_css_tokens(tokens, found: list[str]) -> None:
    import tinycss2.ast as ast

    for token in tokens or ():
        if isinstance(token, ast.URLToken):
            found.append(token.value)
        elif isinstance(token, ast.FunctionBlock):
            name = token.lower_name
            if name in ("url", "src"):
                strings = [arg.value for arg in token.arguments if isinstance(arg, ast.StringToken)]
                found.extend(strings[:1])
            elif name in ("image-set", "-webkit-image-set", "image"):
                # Inside image-set() a bare string is itself an image URL.
                found.extend(
                    arg.value for arg in token.arguments if isinstance(arg, ast.StringToken)
                )
            _walk_css_tokens(token.arguments, found)
        elif isinstance(token, ast.AtRule):
            if token.lower_at_keyword == "import":
                found.extend(arg.value for arg in token.prelude if isinstance(arg, ast.StringToken))
            _walk_css_tokens(token.prelude, found)
            _walk_css_tokens(token.content, found)
        elif isinstance(token, ast.QualifiedRule):
            _walk_css_tokens(token.prelude, found)
            _walk_css_tokens(token.content, found)
        elif isinstance(token, ast.Declaration):
            _walk_css_tokens(token.value, found)
        elif isinstance(
            token, (ast.ParenthesesBlock, ast.SquareBracketsBlock, ast.CurlyBracketsBlock)
        ):
            _walk_css_tokens(token.content, found)


def css_urls(css: str, *, declarations_only: bool = False) -> list[str]:
    """Every URL a stylesheet (or, with ``declarations_only``, a ``style=`` attribute) refers to."""
    if not isinstance(css, str):
        raise TypeError(f"css_urls() takes CSS text, not {type(css).__name__}")
    try:
        import tinycss2
    except ImportError as error:  # a dev dependency (weasyprint's): `make install` installs it
        raise ImportError(
            "the remote-reference check needs tinycss2: run `make install` (pip install -e '.[dev]')"
        ) from error
    if declarations_only:
        nodes = tinycss2.parse_blocks_contents(css, skip_comments=True, skip_whitespace=True)
    else:
        nodes = tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True)
    found: list[str] = []
    _walk_css_tokens(nodes, found)
    return found


def remote_css_references(css: str, *, declarations_only: bool = False) -> list[str]:
    """The remote URLs among :func:`css_urls`."""
    return [url for url in css_urls(css, declarations_only=declarations_only) if is_remote(url)]


@dataclass
class Reference:
    """One remote reference: where it sits (line, element and attribute, or CSS) and its URL."""

    line: int
    where: str
    url: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.where}: {self.url}"


class _RemoteReferenceParser(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[Reference] = []
        self._style_depth = 0
        self._style_line = 0
        self._style_text: list[str] = []

    def _add(self, where: str, url: str | None) -> None:
        if url is not None and is_remote(url):
            self.references.append(Reference(self.getpos()[0], where, url.strip()))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value for name, value in attrs}
        for name in FETCHED_ATTRIBUTES["*"] + FETCHED_ATTRIBUTES.get(tag, ()):
            self._add(f"<{tag} {name}>", values.get(name))
        for name in SRCSET_ATTRIBUTES.get(tag, ()):
            for url in _srcset_urls(values.get(name) or ""):
                self._add(f"<{tag} {name}>", url)
        if tag == "link":
            relations = set((values.get("rel") or "").lower().split())
            if relations & FETCHING_LINK_RELATIONS:
                self._add(f"<link rel={values.get('rel')} href>", values.get("href"))
        if tag == "meta" and (values.get("http-equiv") or "").lower() == "refresh":
            _, _, target = (values.get("content") or "").partition("=")
            self._add("<meta http-equiv=refresh>", target.strip(" '\""))
        if values.get("style"):
            for url in remote_css_references(values["style"], declarations_only=True):
                self._add(f"<{tag} style=> url()", url)
        if tag == "style":
            self._style_depth += 1
            self._style_line = self.getpos()[0]

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "style":
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._style_depth:
            self._style_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style" and self._style_depth:
            self._style_depth -= 1
            for url in remote_css_references("".join(self._style_text)):
                self.references.append(Reference(self._style_line, "<style> CSS", url))
            self._style_text = []


def remote_references_in_html(text: str) -> list[str]:
    """Every remote reference of one HTML page, as ``"<tag attribute>: URL"`` (with CSS forms)."""
    if not isinstance(text, str):
        raise TypeError(f"remote_references_in_html() takes HTML text, not {type(text).__name__}")
    return [f"{ref.where}: {ref.url}" for ref in _parse(text)]


def _parse(text: str) -> list[Reference]:
    parser = _RemoteReferenceParser()
    parser.feed(text)
    parser.close()
    if parser._style_depth:  # an unclosed <style> still counts
        parser.handle_endtag("style")
    return parser.references


def remote_references(folder: Path) -> list[str]:
    """Every remote reference in the ``.html`` pages and ``.css`` files under ``folder``.

    Each is reported as ``"relative/path line N: <tag attribute>: URL"``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"remote_references() needs a folder of built pages; {folder} is not one")
    found = []
    for path in sorted(folder.rglob("*")):
        if path.suffix.lower() in (".html", ".htm", ".xhtml"):
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [f"{path.relative_to(folder)} {ref}" for ref in _parse(text)]
        elif path.suffix.lower() == ".css":
            text = path.read_text(encoding="utf-8", errors="replace")
            found += [
                f"{path.relative_to(folder)}: CSS url(): {url}"
                for url in remote_css_references(text)
            ]
    return found
