"""The receipt as HTML: the same lines as the paper, for the tablet and for browser printing."""

from __future__ import annotations

import io

import qrcode
from flask import render_template
from markupsafe import Markup
from qrcode.image.svg import SvgPathImage

from printer.layout import Layout, layout_receipt
from printer.receipt import Receipt
from printer.render import PaperProfile

#: printable width of each roll (the rest is the printer's margins)
PRINTABLE_MM = {58: 48, 80: 72}
#: width of a monospace character relative to its font size
CHAR_EM = 0.6
LINE_EM = 1.2
QR_MM = 30
PAGE_MARGIN_MM = 8


def qr_svg(content: str) -> Markup:
    """An inline SVG QR code (no external image, works offline)."""
    image = qrcode.make(content, image_factory=SvgPathImage, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode("utf-8")
    return Markup(svg[svg.index("<svg"):])  # drop the XML declaration for inline use


def page_metrics(layout: Layout, paper_mm: int) -> dict[str, float]:
    """Font size and page height (mm) so `columns` characters fill the roll's width."""
    width = PRINTABLE_MM.get(paper_mm, 72)
    font = width / (layout.columns * CHAR_EM)
    lines = len(layout.all_lines())
    height = PAGE_MARGIN_MM * 2 + lines * font * LINE_EM + (QR_MM if layout.qr else 0)
    return {"width_mm": width, "font_mm": round(font, 3), "page_w": paper_mm,
            "page_h": round(height, 1)}


def receipt_html(receipt: Receipt, paper: PaperProfile) -> Markup:
    """The receipt's paper as an HTML fragment (templates/printer/receipt.html)."""
    layout = layout_receipt(receipt, paper.columns)
    return layout_html(layout, paper.paper_mm)


def layout_html(layout: Layout, paper_mm: int) -> Markup:
    """Any layout (receipt or report) as the paper fragment."""
    return Markup(render_template(
        "printer/receipt.html", layout=layout, lines=layout.lines, tail=layout.tail,
        qr=qr_svg(layout.qr) if layout.qr else None, metrics=page_metrics(layout, paper_mm)))
