"""The course's matplotlib look, and Chinese labels that never render as empty boxes.

The one font set-up of the kit. It sits at the bottom of the package (beside ``settings``, which
applies it in ``ck.setup()``), and every figure of ``cnnkit.plots`` gets pyplot from
:func:`pyplot`, so Chinese labels render with the CJK font whether or not ``ck.setup()`` ran.
Matplotlib is imported inside the functions: importing this module stays cheap.
"""

from __future__ import annotations

import functools

# Fonts with CJK glyphs, in order of preference (Debian: fonts-wqy-microhei, fonts-noto-cjk;
# macOS and Windows ship the later ones).
CJK_FONT_CANDIDATES = (
    "WenQuanYi Micro Hei",
    "Noto Sans CJK SC",
    "Noto Sans CJK JP",
    "Source Han Sans SC",
    "PingFang SC",
    "Microsoft YaHei",
    "SimHei",
)


@functools.lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """Name of an installed font that has Chinese glyphs, or None when there is none."""
    from matplotlib import font_manager

    installed = {font.name for font in font_manager.fontManager.ttflist}
    for name in CJK_FONT_CANDIDATES:
        if name in installed:
            return name
    return None


def label(english: str, chinese: str) -> str:
    """'english (中文)' when a CJK font is installed, else plain 'english' (never empty boxes)."""
    return f"{english} ({chinese})" if cjk_font() else english


def apply_course_style() -> None:
    """Readable defaults for every figure of the course; adds a CJK fallback font when one exists."""
    import matplotlib as mpl

    mpl.rcParams.update(
        {
            "figure.dpi": 90,
            "savefig.dpi": 110,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "figure.autolayout": False,
            "axes.titlesize": "medium",
        }
    )
    font = cjk_font()
    if font:
        # Matplotlib falls back glyph by glyph only across the entries of font.family (a generic
        # family such as "sans-serif" resolves to one font), so the CJK font goes there, after
        # the Latin default.
        families = list(mpl.rcParams["font.family"])
        if font not in families:
            mpl.rcParams["font.family"] = [*families, font]


def pyplot():
    """``matplotlib.pyplot``, made able to draw the Chinese text that :func:`label` returns.

    :func:`label` returns Chinese whenever a CJK font is installed. Matplotlib falls back from
    one font to the next only across the entries of ``font.family`` (a generic family such as
    "sans-serif" resolves to one font), so the CJK font must be listed there. Without
    ``ck.setup()`` (a test, a script) the course style is applied first.
    """
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    font = cjk_font()
    if font:
        if font not in mpl.rcParams["font.sans-serif"]:
            apply_course_style()
        families = list(mpl.rcParams["font.family"])
        if font not in families:
            mpl.rcParams["font.family"] = [*families, font]
    return plt
