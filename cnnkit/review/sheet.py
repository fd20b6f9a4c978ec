"""The printable formula sheet (公式表): at most two A4 pages, HTML and PDF.

    python -m cnnkit.review sheet OUTPUT_DIR [--formats html,pdf]    (make sheet: into review/)

One source of truth: the layer arithmetic comes from ``cnnkit.formulas.FORMULAS`` (its text, and
the worked example's result computed by calling the registered function), the training formulas
from :mod:`cnnkit.review.reference`, the classic networks' numbers from
:mod:`cnnkit.review.classic`. Nothing on the sheet is typed twice.

The PDF is rendered by WeasyPrint (``pip install weasyprint``; it needs Debian's Pango,
``libpango-1.0-0 libpangoft2-1.0-0``) with a CJK font installed (Debian ``fonts-wqy-microhei``
or ``fonts-noto-cjk``) so the Chinese titles do not print as boxes.
"""

from __future__ import annotations

import argparse
import html
import sys
from collections.abc import Iterable
from pathlib import Path

CSS_PATH = Path(__file__).with_name("sheet.css")
FORMATS = ("html", "pdf")


class SheetToolMissing(RuntimeError):
    """The PDF renderer (WeasyPrint) or what it needs is not installed."""


def format_value(value) -> str:
    """How a worked example's result is printed on the sheet (the tests use the same function)."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        if abs(value) < 1e-3:
            return f"{value:.3e}"
        # A short exact decimal (1.3125, 0.00625) prints in full; others to 4 significant digits.
        exact = f"{value:.6g}"
        return exact if float(exact) == value else f"{value:.4g}"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(
            format_value(v)
            if not isinstance(v, float) or v.is_integer() or isinstance(v, (tuple, list))
            else f"{v:.3f}"
            for v in value
        )
        return f"({inner})"
    return str(value)


def format_kwargs(kwargs: dict) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in kwargs.items())


def _e(text) -> str:
    return html.escape(str(text))


def _formula_block(title, chinese, text, example, result, chapter, legend="") -> str:
    legend_html = f'<div class="l">{_e(legend)}</div>' if legend else ""
    return (
        '<div class="f">'
        f'<div class="t">{_e(title)} <span class="zh">{_e(chinese)}</span>'
        f'<span class="ch">ch{_e(chapter)}</span></div>'
        f'<div class="x">{_e(text)}</div>{legend_html}'
        f'<div class="e">e.g. {_e(example)} → <b>{_e(format_value(result))}</b></div>'
        "</div>"
    )


def layer_formulas_html(include_legend: bool = True) -> str:
    from cnnkit.formulas import FORMULAS

    blocks = [
        _formula_block(
            entry.title,
            entry.chinese,
            entry.text,
            format_kwargs(entry.example),
            entry.evaluate(),
            entry.chapter,
            entry.legend if include_legend else "",
        )
        for entry in FORMULAS.values()
    ]
    return "".join(blocks)


def review_formulas_html() -> str:
    from cnnkit.review.reference import active_review_formulas

    return "".join(
        _formula_block(f.title, f.chinese, f.text, f.example, f.evaluate(), f.chapter)
        for f in active_review_formulas().values()
    )


def classic_networks_html() -> str:
    from cnnkit.review.classic import CLASSIC_NETWORKS, LENET5_FAITHFUL_LAYERS

    rows = "".join(
        "<tr>"
        f"<td>{_e(n.name)}</td><td class='n'>{n.year}</td><td class='n'>{_e(n.input)}</td>"
        f"<td class='n'>{n.weight_layers}</td><td class='n'>{_e(n.params_text)}</td>"
        f"<td class='n'>{_e(n.macs_text)}</td>"
        f"<td>{_e(n.key_idea)} <span class='zh'>{_e(n.chinese)}</span></td>"
        "</tr>"
        for n in CLASSIC_NETWORKS.values()
    )
    lenet = "".join(
        f"<tr><td>{_e(layer)}</td><td>{_e(output)}</td><td class='n'>{params:,}</td>"
        f"<td class='n'>{connections:,}</td></tr>"
        for layer, output, params, connections in LENET5_FAITHFUL_LAYERS
    )
    total = sum(row[2] for row in LENET5_FAITHFUL_LAYERS)
    return (
        "<table><thead><tr><th>network</th><th>year</th><th>input</th><th>layers</th>"
        "<th>parameters</th><th>MACs</th><th>key idea</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        '<div class="note">As chapter 04 builds and measures them. Layers: weight (conv + FC) '
        "layers on the longest path. MACs per image at the model's own input size. AlexNet: one "
        "stream (two GPUs: 60,965,224). ResNet and MobileNet: trainable parameters, as "
        "torchvision; GoogLeNet without auxiliary classifiers.</div>"
        "<table><thead><tr><th>LeNet-5 (1998)</th><th>output</th><th>params</th>"
        f"<th>connections</th></tr></thead><tbody>{lenet}"
        f"<tr><td>C1…F6</td><td></td><td class='n'><b>{total:,}</b></td><td></td></tr>"
        "</tbody></table>"
        '<div class="note">Output: 10 Euclidean RBF units in the paper (84×10 fixed weights); '
        "ck.models.lenet5_1998() uses Dense(10), 850, so 60,850 in all. C3 uses a partial connection table (fewer connections, broken symmetry).</div>"
    )


# --------------------------------------------------------------------------- notebook form
# The same registries rendered as a table (chapter 08 notebook): no second hand-typed copy.

SECTIONS = ("layers", "training")


def formula_rows(section: str | None = None) -> list[dict]:
    """One dict per formula of the sheet, its worked example computed now.

    ``section``: "layers" (``cnnkit.formulas.FORMULAS``), "training"
    (:data:`cnnkit.review.reference.REVIEW_FORMULAS`) or None for both, in sheet order.
    """
    if section is not None and section not in SECTIONS:
        raise ValueError(f"section must be one of {SECTIONS} or None, got {section!r}.")
    rows = []
    if section in (None, "layers"):
        from cnnkit.formulas import FORMULAS

        rows += [
            _sheet_row("layers", entry, format_kwargs(entry.example)) for entry in FORMULAS.values()
        ]
    if section in (None, "training"):
        from cnnkit.review.reference import active_review_formulas

        rows += [
            _sheet_row("training", entry, entry.example)
            for entry in active_review_formulas().values()
        ]
    return rows


def _sheet_row(section: str, entry, example: str) -> dict:
    """One row of the sheet: a formula entry with its worked example and the value it gives."""
    return dict(
        section=section,
        key=entry.key,
        title=entry.title,
        chinese=entry.chinese,
        formula=entry.text,
        example=example,
        result=format_value(entry.evaluate()),
        chapter=entry.chapter,
    )


def formula_sheet_frame(section: str | None = None):
    """The formula sheet as a pandas DataFrame indexed by key (see :func:`formula_rows`)."""
    import pandas as pd

    return pd.DataFrame(formula_rows(section)).set_index("key")


def _md_cell(text) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def formula_sheet_markdown(section: str | None = None):
    """The formula sheet as a Markdown table (formulas in code spans, so nothing is re-typeset)."""
    from cnnkit.exercises.core import Markdown

    lines = [
        "| name | 中文 | ch | formula | worked example | result |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {_md_cell(row['title'])} | {_md_cell(row['chinese'])} | {row['chapter']} "
        f"| `{_md_cell(row['formula'])}` | {_md_cell(row['example'])} | **{_md_cell(row['result'])}** |"
        for row in formula_rows(section)
    ]
    return Markdown("\n".join(lines))


def classic_networks_frame():
    """The classic networks' key numbers (:data:`cnnkit.review.classic.CLASSIC_NETWORKS`)."""
    import pandas as pd

    from cnnkit.review.classic import CLASSIC_NETWORKS

    return pd.DataFrame(
        [
            {
                "network": n.name,
                "year": n.year,
                "input": n.input,
                "weight layers": n.weight_layers,
                "parameters": n.params_text,
                "MACs": n.macs_text,
                "key idea": n.key_idea,
                "关键思想": n.chinese,
            }
            for n in CLASSIC_NETWORKS.values()
        ]
    ).set_index("network")


#: Layouts tried in order until the PDF fits on two A4 pages: (symbol legends, compact type).
LAYOUTS = ((True, False), (False, False), (False, True))
_COMPACT_CSS = "html { font-size: 6.8pt; } .f .x { font-size: 6.5pt; } table { font-size: 6.3pt; }"


def sheet_html(include_legend: bool = True, compact: bool = False) -> str:
    """The whole sheet as one standalone HTML document (stylesheet inlined)."""
    css = CSS_PATH.read_text(encoding="utf-8") + (_COMPACT_CSS if compact else "")
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<title>cnnkit formula sheet 公式表</title>"
        f"<style>{css}</style></head><body>"
        "<h1>cnnkit formula sheet <span class='zh'>公式表</span> "
        "<span class='sub'>Keras conventions: floor for 'valid', ceil(W/S) for 'same'; "
        "ln in losses; every example below is computed by the code.</span></h1>"
        "<div class='columns'>"
        "<h2>Layer arithmetic <span class='zh'>层的计算</span></h2>"
        f"{layer_formulas_html(include_legend)}"
        "<h2>Activations, losses, training <span class='zh'>激活函数、损失函数、优化算法</span></h2>"
        f"{review_formulas_html()}"
        "</div>"
        # Full width: in a half-page column the key-idea column wraps every few words.
        "<h2>Classic networks <span class='zh'>经典卷积网络</span></h2>"
        f"{classic_networks_html()}"
        "</body></html>"
    )


def _weasyprint():
    try:
        import weasyprint
    except ImportError as error:  # missing package, or Pango missing underneath it
        raise SheetToolMissing(
            "The PDF needs WeasyPrint: `pip install weasyprint` (and on Debian/Ubuntu "
            "`apt-get install libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei`). "
            f"Import failed with: {error}"
        ) from error
    except OSError as error:
        raise SheetToolMissing(
            "WeasyPrint is installed but cannot load Pango: "
            f"`apt-get install libpango-1.0-0 libpangoft2-1.0-0` ({error})."
        ) from error
    return weasyprint


def pdf_page_count(path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


def build_sheet(output_dir, formats: Iterable[str] = FORMATS) -> dict[str, Path]:
    """Write ``formula_sheet.html`` and/or ``formula_sheet.pdf`` into ``output_dir``.

    Returns the paths written, by format. If the sheet would not fit on two A4 pages, the
    symbol legends are dropped, then the type is made smaller (:data:`LAYOUTS`); if it still
    does not fit, a RuntimeError says so. The HTML written is the layout the PDF uses.
    """
    formats = tuple(formats)
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ValueError(f"formats must be chosen from {FORMATS}, got {formats!r}.")
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    document = sheet_html()
    if "pdf" in formats:
        weasyprint = _weasyprint()
        pdf_path = output / "formula_sheet.pdf"
        for include_legend, compact in LAYOUTS:
            document = sheet_html(include_legend, compact)
            rendered = weasyprint.HTML(string=document, base_url=str(output)).render()
            if len(rendered.pages) <= 2:
                break
        if len(rendered.pages) > 2:
            raise RuntimeError(
                f"The formula sheet takes {len(rendered.pages)} A4 pages; the limit is 2. "
                "Shorten cnnkit/review/reference.py or tighten sheet.css."
            )
        rendered.write_pdf(pdf_path)
        written["pdf"] = pdf_path
    if "html" in formats:
        html_path = output / "formula_sheet.html"
        html_path.write_text(document, encoding="utf-8")
        written["html"] = html_path
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cnnkit.review sheet", description="Build the printable formula sheet."
    )
    parser.add_argument("output_dir", help="folder for formula_sheet.html / formula_sheet.pdf")
    parser.add_argument("--formats", default="html,pdf", help="comma-separated: html,pdf")
    args = parser.parse_args(argv)
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    try:
        written = build_sheet(args.output_dir, formats)
    except SheetToolMissing as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for kind, path in written.items():
        extra = f" ({pdf_page_count(path)} pages)" if kind == "pdf" else ""
        print(f"{kind}: {path}{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
