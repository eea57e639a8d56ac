"""A receipt laid out as lines of text for a paper roll of a given column count.

Pure: no Flask, no session, no printer. The same lines go to the thermal printer and to the
HTML preview, so what the tablet shows is what the paper says. Labels are Indonesian (the
paper is the KPM's proof and the shop's record); pass `translate` for another language.
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from ewarung.errors import N_
from ewarung.money import format_quantity, format_rupiah
from printer.receipt import Receipt, ReceiptTender

#: narrower rolls than this cannot hold a label and an amount side by side
MIN_COLUMNS = 16
#: the one code page every ESC/POS printer has in slot 0; printing pins it
CODEPAGE = "cp437"

Translate = Callable[[str], str]

#: punctuation that word processors and spreadsheets put into product names
_PUNCTUATION = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-",
                              "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2018": "'",
                              "\u2019": "'", "\u201a": "'", "\u201c": '"', "\u201d": '"',
                              "\u201e": '"'})

TENDER_LABELS = {
    "bpnt": N_("BPNT"),
    "cash": N_("Tunai"),
    "qris": N_("QRIS"),
    "transfer": N_("Transfer"),
}


def _same(text: str) -> str:
    return text


@dataclass(frozen=True)
class Layout:
    """Lines above the QR code, the QR content, and lines below it."""

    columns: int
    lines: tuple[str, ...]
    qr: str = ""
    tail: tuple[str, ...] = ()
    #: indexes into `lines` printed in bold
    bold: frozenset[int] = field(default_factory=frozenset)

    def all_lines(self) -> tuple[str, ...]:
        """Every text line, in paper order (the QR code sits between `lines` and `tail`)."""
        return self.lines + self.tail


def printable(text: str) -> str:
    """Text a thermal printer prints one cell per character, on one line.

    Accents are dropped (é → e), compatibility forms unfolded (ﬁ → fi), control characters
    and line breaks become spaces, and what the pinned code page cannot print becomes "?".
    """
    out = []
    for ch in unicodedata.normalize("NFKD", text.translate(_PUNCTUATION)):
        category = unicodedata.category(ch)
        if category in ("Mn", "Me", "Cf", "Cs"):
            continue
        if category[0] in "CZ":
            out.append(" ")
            continue
        try:
            ch.encode(CODEPAGE)
        except UnicodeEncodeError:
            ch = "?"
        out.append(ch)
    return " ".join("".join(out).split())


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Wrap at word boundaries; only a word longer than the line is cut."""
    return textwrap.wrap(printable(text), width, initial_indent=indent,
                         subsequent_indent=indent, break_on_hyphens=False) or []


def center(text: str, width: int) -> list[str]:
    """Wrapped and centred lines."""
    return [line.center(width).rstrip() for line in wrap(text, width)]


def pair(label: str, value: str, width: int, indent: str = "") -> list[str]:
    """A label on the left and a value right-aligned; the value moves down when both won't fit."""
    label_text = indent + printable(label)
    value = printable(value)
    if len(label_text) + 1 + len(value) <= width:
        return [label_text + value.rjust(width - len(label_text))]
    values = [value[i:i + width] for i in range(0, len(value), width)] or [""]
    return wrap(label, width, indent) + [v.rjust(width) for v in values]


def field_line(label: str, value: str, width: int, label_width: int = 7) -> list[str]:
    """`Label  : value`, the value wrapped under itself."""
    head = printable(label).ljust(label_width) + ": "
    if len(head) > width // 2:
        return wrap(label, width) + wrap(value, width, "  ")
    body = wrap(value, width - len(head)) or [""]
    return [head + body[0]] + [" " * len(head) + rest for rest in body[1:]]


def _banner(text: str, width: int) -> list[str]:
    return center(f"*** {text} ***", width)


class _Builder:
    """Collects lines and remembers which are bold."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.lines: list[str] = []
        self.bold: set[int] = set()

    def add(self, lines: Iterable[str], bold: bool = False) -> None:
        for line in lines:
            if bold:
                self.bold.add(len(self.lines))
            self.lines.append(line)

    def rule(self) -> None:
        self.lines.append("-" * self.width)


def layout_receipt(receipt: Receipt, columns: int, translate: Translate = _same) -> Layout:
    """The receipt as paper lines for a roll of `columns` characters."""
    if columns < MIN_COLUMNS:
        raise ValueError(f"at least {MIN_COLUMNS} columns are needed, not {columns}")
    _ = translate
    w = columns
    out = _Builder(w)
    _markers(out, receipt, _)
    head = receipt.header
    out.add(center(head.outlet_name, w), bold=True)
    out.add(center(head.kube_name, w))
    out.add(center(head.address, w))
    if head.ewarong_id:
        out.add(center(_("ID e-Warong: %(id)s") % {"id": head.ewarong_id}, w))
    if head.phone:
        out.add(center(_("Telp. %(phone)s") % {"phone": head.phone}, w))
    out.rule()
    out.add(field_line(_("No."), receipt.sale_number, w))
    out.add(field_line(_("Tanggal"), receipt.sold_at.strftime("%d/%m/%Y %H.%M"), w))
    out.add(field_line(_("Kasir"), receipt.cashier, w))
    out.rule()
    for line in receipt.lines:
        out.add(wrap(line.name, w))
        qty = " ".join(p for p in (format_quantity(line.quantity), printable(line.unit)) if p)
        out.add(pair(f"{qty} x {format_rupiah(line.unit_price)}",
                     format_rupiah(line.amount), w, indent="  "))
    out.rule()
    out.add(pair(_("TOTAL"), format_rupiah(receipt.total), w), bold=True)
    for tender in receipt.tenders:
        out.add(_tender_lines(tender, w, _))
    if any(t.kind == "cash" and t.given is not None for t in receipt.tenders) or receipt.change:
        out.add(pair(_("Kembali"), format_rupiah(receipt.change), w))
    if receipt.voided:
        out.add(_banner(_("DIBATALKAN"), w), bold=True)
    out.rule()
    tail: list[str] = []
    if receipt.verify_url:
        tail += center(_("Pindai kode QR untuk memeriksa struk ini"), w)
    for text in receipt.footer:
        tail += center(text, w)
    return Layout(columns=w, lines=tuple(out.lines), qr=receipt.verify_url, tail=tuple(tail),
                  bold=frozenset(out.bold))


def _markers(out: _Builder, receipt: Receipt, _: Translate) -> None:
    if receipt.voided:
        out.add(_banner(_("DIBATALKAN"), out.width), bold=True)
    if receipt.copy:
        out.add(_banner(_("SALINAN"), out.width), bold=True)
    if receipt.copy_label:
        out.add(_banner(receipt.copy_label, out.width), bold=True)


def _tender_lines(tender: ReceiptTender, w: int, _: Translate) -> list[str]:
    label = _(TENDER_LABELS[tender.kind]) if tender.kind in TENDER_LABELS else tender.kind.upper()
    amount = tender.given if tender.kind == "cash" and tender.given is not None else tender.amount
    lines = pair(label, format_rupiah(amount), w)
    if tender.masked_card:
        lines += wrap(_("Kartu %(card)s") % {"card": tender.masked_card}, w, "  ")
    if tender.reference:
        ref = _("Ref. EDC %(ref)s") if tender.kind == "bpnt" else _("Ref. %(ref)s")
        lines += wrap(ref % {"ref": tender.reference}, w, "  ")
    if tender.remaining_after is not None:
        lines += pair(_("Sisa saldo BPNT"), format_rupiah(tender.remaining_after), w, "  ")
    return lines


ReportLine = str | tuple[str, str]


def layout_report(title: str, lines: Sequence[ReportLine], columns: int) -> Layout:
    """A report (shift X/Z, monthly summary): a bold title, then lines or (label, value) pairs."""
    if columns < MIN_COLUMNS:
        raise ValueError(f"at least {MIN_COLUMNS} columns are needed, not {columns}")
    out = _Builder(columns)
    out.add(center(title, columns), bold=True)
    out.rule()
    for line in lines:
        if isinstance(line, tuple):
            out.add(pair(line[0], line[1], columns))
        elif set(line) <= {"-", "="} and line:
            out.rule()
        else:
            out.add(wrap(line, columns) or [""])
    out.rule()
    return Layout(columns=columns, lines=tuple(out.lines), bold=frozenset(out.bold))
