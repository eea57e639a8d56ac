"""Files the shop writes for a spreadsheet: text it would run as a formula is neutralised.

Excel and LibreOffice read a cell that begins with `=`, `+`, `-` or `@` as a formula, and
some skip a leading tab or carriage return before looking. KPM names and addresses come
from outside files and product names from anyone who may edit them, so every text cell of
an export that begins with one of those gets a leading apostrophe: spreadsheets take it as
"this is text" and do not show it (the OWASP advice on CSV injection). A number (int,
Decimal, float, or text that is only a signed number such as "-15000", "-2,5" or
"+6281234567890") is left as it is: a negative amount must stay a number to be summed.
The shop's own importers drop a leading apostrophe, so an export re-imports unchanged.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook

#: what a spreadsheet reads as the start of a formula
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: text that is only a number, in either decimal convention: no room for a formula
_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def safe_cell(value: Any) -> Any:
    """`value`, or text a spreadsheet shows as written instead of running it."""
    if isinstance(value, str) and value.startswith(FORMULA_START) \
            and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeWriter:
    """A `csv.writer` whose every cell passes through `safe_cell`."""

    def __init__(self, out: Any, **fmtparams: Any) -> None:
        self._writer = csv.writer(out, **fmtparams)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row."""
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write every row."""
        for row in rows:
            self.writerow(row)


def csv_writer(out: Any, **fmtparams: Any) -> SafeWriter:
    """The CSV writer every export uses (same parameters as `csv.writer`)."""
    return SafeWriter(out, **fmtparams)


def keep_as_text(book: Workbook) -> Workbook:
    """Make every formula cell of an exported workbook plain text (exports hold no formulas).

    openpyxl stores any text beginning with `=` as a formula; an XLSX text cell is never
    run, so the other characters need nothing here.
    """
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
    return book
