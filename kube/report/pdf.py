"""The report as an A4 PDF (reportlab): key figures, the daily sales chart, every section and
the sign-off block. The chart is drawn with reportlab's graphics, so it is vector art in the
PDF itself."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from babel.dates import format_date
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Table as PdfTable

from ewarung.errors import N_
from ewarung.money import format_rupiah
from kube.report.layout import (
    SECTIONS,
    Field,
    Section,
    Table,
    month_title,
    rows_of,
    same,
    shown,
    value_at,
)

Translate = Callable[[str], str]
WIDTH = A4[0] - 30 * mm
GRID = TableStyle([("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                   ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8efe9")),
                   ("FONTSIZE", (0, 0), (-1, -1), 8), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                   ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
                   ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                   ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5)])
NUMERIC = ("money", "int", "percent", "number", "quantity")
CHART_TITLE = N_("Penjualan per hari")
TITLE = N_("Laporan Bulanan KUBE")


def write_pdf(report: dict[str, Any], translate: Translate = same) -> bytes:
    """The whole report as PDF bytes."""
    out = io.BytesIO()
    styles = getSampleStyleSheet()
    title = translate(TITLE)
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm,
                            title=f"{title} {report['month']}",
                            author=report["outlet"]["kube_name"])
    story: list[Flowable] = [*_heading(report, styles, translate),
                             _key_figures(report, translate), Spacer(1, 6 * mm),
                             daily_chart(report["sales"]["by_day"], translate(CHART_TITLE))]
    for section in SECTIONS:
        story += _section(report, section, styles, translate)
    story.append(_sign_off(report, styles, translate))
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return out.getvalue()


def _footer(canvas: Any, doc: Any) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 7)
    canvas.drawRightString(A4[0] - 15 * mm, 8 * mm, str(doc.page))
    canvas.restoreState()


def _heading(report: dict[str, Any], styles: Any, translate: Translate) -> list[Flowable]:
    outlet = report["outlet"]
    where = ", ".join(p for p in (outlet["address"], outlet["village"], outlet["district"]) if p)
    title = translate(TITLE)
    return [Paragraph(escape(f"{title} · {month_title(report['month'])}"), styles["Title"]),
            Paragraph(escape(f"{outlet['name']} · {outlet['kube_name']}"), styles["Heading3"]),
            Paragraph(escape(f"{where} · ID {outlet['ewarong_id']}"), styles["Normal"]),
            Spacer(1, 4 * mm)]


#: the figures on the first page, by section
KEY_FIGURES = (
    ("sales", Field("total", N_("Penjualan bersih"))),
    ("sales", Field("count", N_("Jumlah transaksi"), "int")),
    ("sales", Field("average_basket", N_("Rata-rata belanja"))),
    ("bpnt", Field("redeemed", N_("Total penukaran BPNT"))),
    ("bpnt", Field("served_kpm", N_("KPM dilayani"), "int")),
    ("bpnt", Field("served_share", N_("KPM aktif yang dilayani"), "percent")),
    ("profit", Field("cogs", N_("Harga pokok penjualan (HPP)"))),
    ("profit", Field("gross_profit", N_("Laba kotor"))),
    ("profit", Field("margin", N_("Margin kotor"), "percent")),
    ("expenses", Field("total", N_("Biaya operasional"))),
    ("profit", Field("net_profit", N_("Laba bersih"))),
    ("stock", Field("closing", N_("Nilai persediaan akhir bulan"))),
    ("suppliers", Field("local_share", N_("Pembelian dari produsen lokal & anggota KUBE"),
                        "percent")),
)


def _key_figures(report: dict[str, Any], translate: Translate) -> Flowable:
    rows = [[translate(N_("Ringkasan")), ""]] + [
        [translate(f.label), shown(value_at(report[section], f.key), f)]
        for section, f in KEY_FIGURES]
    table = PdfTable(rows, colWidths=[WIDTH * 0.6, WIDTH * 0.4])
    table.setStyle(GRID)
    table.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 10),
                               ("ALIGN", (1, 1), (1, -1), "RIGHT"),
                               ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold")]))
    return table


def daily_chart(days: list[dict[str, Any]], title: str) -> Drawing:
    """Bars of each day's sales, with the day of the month under each bar."""
    drawing = Drawing(WIDTH, 62 * mm)
    chart = VerticalBarChart()
    chart.x, chart.y, chart.width, chart.height = 22 * mm, 10 * mm, WIDTH - 26 * mm, 44 * mm
    chart.data = [[d["total"] for d in days]]
    chart.categoryAxis.categoryNames = [d["day"][-2:] for d in days]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 6
    chart.valueAxis.labelTextFormat = lambda v: format_rupiah(int(v))
    chart.bars[0].fillColor = colors.HexColor("#2f7d4a")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    drawing.add(String(0, 58 * mm, title, fontName="Helvetica-Bold", fontSize=10))
    return drawing


def _section(report: dict[str, Any], section: Section, styles: Any,
             translate: Translate) -> list[Flowable]:
    data = report[section.key]
    rows = [[translate(f.label), shown(value_at(data, f.key), f, translate)]
            for f in section.figures]
    figures = PdfTable(rows, colWidths=[WIDTH * 0.6, WIDTH * 0.4])
    figures.setStyle(TableStyle([("FONTSIZE", (0, 0), (-1, -1), 9),
                                 ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                                 ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    out: list[Flowable] = [CondPageBreak(40 * mm),
                           Paragraph(escape(translate(section.title)), styles["Heading2"])]
    if section.key == "shu" and data["loss"]:
        out.append(Paragraph(escape(translate(N_(
            "Bulan ini rugi (atau tidak berlaba): tidak ada SHU yang dibagi."))),
            styles["Normal"]))
    out.append(figures)
    for table in section.tables:
        out += _table(data, table, styles, translate)
    return out


def _table(data: Any, table: Table, styles: Any, translate: Translate) -> list[Flowable]:
    small = ParagraphStyle("cell", parent=styles["Normal"], fontSize=8, leading=9.5)
    heads = ([""] if table.codes is not None else []) + [translate(f.label)
                                                         for f in table.columns]
    rows: list[list[Any]] = [heads]
    for name, row in rows_of(data, table):
        cells: list[Any] = [_cell(shown(value_at(row, f.key), f, translate), f, small)
                            for f in table.columns]
        if table.codes is not None:
            cells.insert(0, translate(table.codes[name]) if name in table.codes else name)
        rows.append(cells)
    if len(rows) == 1:
        rows.append([translate(N_("Tidak ada."))] + [""] * (len(heads) - 1))
    grid = PdfTable(rows, repeatRows=1, hAlign="LEFT", colWidths=_widths(table))
    grid.setStyle(GRID)
    offset = 1 if table.codes is not None else 0
    grid.setStyle(TableStyle([("ALIGN", (n + offset, 0), (n + offset, -1), "RIGHT")
                              for n, f in enumerate(table.columns) if f.kind in NUMERIC]))
    title = Paragraph(escape(translate(table.label)), styles["Heading4"])
    return [KeepTogether([title, grid])] if len(rows) < 12 else [title, grid]


def _widths(table: Table) -> list[float]:
    """Text columns get three shares of the width, numbers two, a code column three."""
    shares = ([3] if table.codes is not None else []) + [
        3 if f.kind in ("text", "items") else 2 for f in table.columns]
    return [WIDTH * n / sum(shares) for n in shares]


def _cell(text: str, f: Field, style: ParagraphStyle) -> Any:
    return Paragraph(escape(text), style) if f.kind in ("text", "items") else text


def _sign_off(report: dict[str, Any], styles: Any, translate: Translate) -> Flowable:
    sign = report["sign_off"]
    when = format_date(date.fromisoformat(sign["date"]), "d MMMM yyyy", locale="id_ID")
    rows = [["", f"{sign['place']}, {when}"],
            [translate(N_("Ketua")), translate(N_("Bendahara"))],
            ["", ""], ["_" * 28, "_" * 28],
            [sign["ketua"] or "", sign["bendahara"] or ""]]
    table = PdfTable(rows, colWidths=[WIDTH / 2, WIDTH / 2], rowHeights=[None, None, 20 * mm,
                                                                           None, None])
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"),
                               ("FONTSIZE", (0, 0), (-1, -1), 10)]))
    title = Paragraph(escape(translate(N_("Pengesahan"))), styles["Heading2"])
    return KeepTogether([Spacer(1, 8 * mm), title, table])
