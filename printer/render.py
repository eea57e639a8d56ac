"""Layouts to ESC/POS bytes through python-escpos's own Dummy printer.

Jobs are rendered once, when they are queued, and the bytes are what the printer gets: a
retry or a reprint sends exactly what was first rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from escpos.capabilities import get_profile
from escpos.constants import CODEPAGE_CHANGE
from escpos.printer import Dummy

from printer.layout import CODEPAGE, MIN_COLUMNS, Layout, ReportLine, layout_receipt, layout_report
from printer.receipt import Receipt

#: dots per QR module: big enough for a phone camera, small enough for a 58 mm roll
QR_MODULE_DOTS = 5
#: blank lines fed before tearing off on printers without a cutter
TEAR_FEED_LINES = 4
#: python-escpos code page name of `layout.CODEPAGE`, slot 0 on every profile
ESCPOS_CODEPAGE = CODEPAGE.upper()


class UnknownProfile(ValueError):
    """The profile name is not one python-escpos knows."""


@dataclass(frozen=True)
class PaperProfile:
    """What the layout and the renderer need to know about one printer model."""

    name: str
    font: str
    columns: int
    #: 58 or 80 (mm), for the browser page size
    paper_mm: int
    native_qr: bool
    cutter: bool
    #: printable width in dots, when the profile knows it
    pixels: int | None


@lru_cache(maxsize=64)
def paper_profile(name: str, font: str = "a") -> PaperProfile:
    """The facts python-escpos's profile `name` gives for `font` ("a" or "b")."""
    try:
        profile = get_profile(name)
    except KeyError as exc:
        raise UnknownProfile(name) from exc
    data = profile.profile_data
    width = data.get("media", {}).get("width", {})
    mm = width.get("mm")
    paper_mm = 58 if isinstance(mm, int | float) and mm <= 60 else 80
    fonts = data.get("fonts", {})
    index = {"a": "0", "b": "1"}.get(font, "0")
    columns = fonts.get(index, fonts.get("0", {})).get("columns")
    if not isinstance(columns, int) or columns < MIN_COLUMNS:
        columns = 32 if paper_mm == 58 else 48  # profiles without usable font data
    if index not in fonts:
        font = "a"
    pixels = width.get("pixels")
    features = data.get("features", {})
    return PaperProfile(
        name=name, font=font, columns=columns, paper_mm=paper_mm,
        native_qr=bool(features.get("qrCode")),
        cutter=bool(features.get("paperFullCut") or features.get("paperPartCut")),
        pixels=pixels if isinstance(pixels, int) else None)


def _start(paper: PaperProfile) -> Dummy:
    # Pin one code page: cheap printers garble text when told to switch mid-receipt. Slot 0
    # is CP437 on every ESC/POS printer (some profiles list it again in other slots, which
    # python-escpos would pick), and the layout only produces characters CP437 has.
    printer = Dummy(profile=paper.name,
                    magic_encode_args={"encoding": ESCPOS_CODEPAGE, "disabled": True})
    printer.hw("INIT")
    printer._raw(CODEPAGE_CHANGE + bytes([0]))
    printer.set(font=paper.font, align="left", bold=False)
    return printer


def _text(printer: Dummy, lines: Sequence[str], bold: frozenset[int] = frozenset()) -> None:
    current = False
    for i, line in enumerate(lines):
        if (i in bold) != current:
            current = i in bold
            printer.set(bold=current)
        printer.textln(line)
    if current:
        printer.set(bold=False)


def _qr(printer: Dummy, paper: PaperProfile, content: str) -> None:
    if paper.native_qr:
        printer.set(align="center")
        printer.qr(content, native=True, size=QR_MODULE_DOTS)
        printer.ln()
        printer.set(align="left")
    else:
        # Cheap printers print the native QR command as garbage: send a picture instead.
        printer.qr(content, native=False, size=QR_MODULE_DOTS, center=paper.pixels is not None)


def _finish(printer: Dummy, paper: PaperProfile) -> bytes:
    if paper.cutter:
        printer.cut()
    else:
        printer.print_and_feed(TEAR_FEED_LINES)
    return printer.output


def render_layout(layout: Layout, paper: PaperProfile) -> bytes:
    """The bytes that print `layout`, its QR code, and cut or feed to tear."""
    printer = _start(paper)
    _text(printer, layout.lines, layout.bold)
    if layout.qr:
        _qr(printer, paper, layout.qr)
    _text(printer, layout.tail)
    return _finish(printer, paper)


def render_receipt(receipt: Receipt, paper: PaperProfile) -> bytes:
    """A receipt, laid out for the profile's columns."""
    return render_layout(layout_receipt(receipt, paper.columns), paper)


def render_lines(title: str, lines: Sequence[ReportLine], profile: str | PaperProfile) -> bytes:
    """A report of plain lines and (label, value) pairs, e.g. an X/Z shift report."""
    paper = profile if isinstance(profile, PaperProfile) else paper_profile(profile)
    return render_layout(layout_report(title, lines, paper.columns), paper)


def render_drawer_kick(paper: PaperProfile) -> bytes:
    """The pulse that opens a cash drawer on pin 2 (the usual RJ-11 wiring)."""
    printer = Dummy(profile=paper.name)
    printer.cashdraw(2)
    return printer.output
