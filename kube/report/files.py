"""The report as files: CSV (tidy: section, item, value) and XLSX (one sheet per section)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ewarung.errors import N_
from ewarung.exports import csv_writer, keep_as_text
from kube.report.layout import SECTIONS, Field, Table, basket_text, rows_of, same, value_at

Translate = Callable[[str], str]
#: Rupiah without decimals; the reader's spreadsheet puts in its own thousands separator
RUPIAH_FORMAT = '"Rp"#,##0;-"Rp"#,##0'
FORMATS = {"money": RUPIAH_FORMAT, "int": "#,##0", "percent": '0.0"%"',
           "number": "#,##0.0", "quantity": "#,##0.###", "date": "dd/mm/yyyy"}


def tidy_rows(report: dict[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(section, item, value) for every figure and every table cell of the report."""
    yield "report", "month", report["month"]
    for section in SECTIONS:
        data = report[section.key]
        for f in section.figures:
            yield section.key, f.key, _plain(value_at(data, f.key), f)
        for table in section.tables:
            for name, row in rows_of(data, table):
                for f in table.columns:
                    if f.key == table.row_key:
                        continue  # already in the item's name
                    item = ".".join(p for p in (table.key, name, f.key) if p)
                    yield section.key, item, _plain(value_at(row, f.key), f)
    for key, value in report["sign_off"].items():
        yield "sign_off", key, value or ""


def _plain(value: Any, f: Field) -> Any:
    return basket_text(value) if f.kind == "items" else value


def write_csv(report: dict[str, Any]) -> bytes:
    """The tidy CSV, UTF-8 with a BOM so spreadsheets read the accents right."""
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\n")
    writer.writerow(("section", "item", "value"))
    writer.writerows(tidy_rows(report))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def cell_value(value: Any, f: Field, translate: Translate = same) -> Any:
    """A value as a spreadsheet stores it: numbers as numbers, dates as dates."""
    if value is None:
        return None
    if f.codes is not None:
        return translate(f.codes[value]) if value in f.codes else value
    if f.kind == "quantity":
        return float(Decimal(value))
    if f.kind == "date":
        return date.fromisoformat(value)
    if f.kind == "items":
        return basket_text(value)
    return value


def write_xlsx(report: dict[str, Any], translate: Translate = same) -> bytes:
    """The workbook: one sheet per section, figures first, then its tables."""
    book = Workbook()
    book.remove(book.active)
    for section in SECTIONS:
        sheet = book.create_sheet(translate(section.title)[:31])
        sheet.append([translate(section.title), report["month"]])
        sheet["A1"].font = Font(bold=True, size=14)
        data = report[section.key]
        for f in section.figures:
            _put(sheet, [translate(f.label), cell_value(value_at(data, f.key), f)],
                 [None, f])
        for table in section.tables:
            _table(sheet, data, table, translate)
        _widths(sheet)
    _sign_off(book.create_sheet(translate(N_("Pengesahan"))), report, translate)
    keep_as_text(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _put(sheet: Worksheet, values: list[Any], fields: list[Field | None]) -> None:
    sheet.append(values)
    for col, f in enumerate(fields, start=1):
        if f is not None and f.kind in FORMATS:
            sheet.cell(sheet.max_row, col).number_format = FORMATS[f.kind]


def _table(sheet: Worksheet, data: Any, table: Table, translate: Translate) -> None:
    sheet.append([])
    sheet.append([translate(table.label)])
    sheet.cell(sheet.max_row, 1).font = Font(bold=True)
    heads = ([""] if table.codes is not None else []) + [translate(f.label) for f in
                                                         table.columns]
    sheet.append(heads)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for name, row in rows_of(data, table):
        values = [cell_value(value_at(row, f.key), f, translate) for f in table.columns]
        fields: list[Field | None] = list(table.columns)
        if table.codes is not None:
            values.insert(0, translate(table.codes[name]) if name in table.codes else name)
            fields.insert(0, None)
        _put(sheet, values, fields)


def _widths(sheet: Worksheet) -> None:
    for n, column in enumerate(sheet.iter_cols(), start=1):
        longest = max((len(str(c.value)) for c in column if c.value is not None), default=8)
        sheet.column_dimensions[get_column_letter(n)].width = min(max(longest + 2, 12), 48)


def _sign_off(sheet: Worksheet, report: dict[str, Any], translate: Translate) -> None:
    sign = report["sign_off"]
    sheet.append([translate(N_("Pengesahan")), report["month"]])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([translate(N_("Tempat")), sign["place"]])
    sheet.append([translate(N_("Tanggal")), date.fromisoformat(sign["date"])])
    sheet.cell(sheet.max_row, 2).number_format = FORMATS["date"]
    sheet.append([translate(N_("Ketua")), sign["ketua"] or ""])
    sheet.append([translate(N_("Bendahara")), sign["bendahara"] or ""])
    _widths(sheet)
