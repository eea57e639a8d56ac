"""The bounds of an uploaded table, shared by the table reader (`ewarung.tabular`) and the
streaming XLSX reader (`ewarung.spreadsheet`)."""

from __future__ import annotations

from dataclasses import dataclass

from ewarung.errors import ValidationFailed

MiB = 1 << 20


class FileRefused(ValidationFailed):
    """An uploaded table refused as a whole: too big, damaged, or not a table."""


@dataclass(frozen=True)
class Limits:
    """What one import may hold; the defaults are the shop's, tests may pass smaller ones.

    A district's KPM list is the largest file a shop meets (tens of thousands of rows);
    the defaults admit twice the 50,000-row list the benchmark imports, and keep the
    importing process within the memory bound `bench.imports` measures.
    """

    file_bytes: int = 16 * MiB
    rows: int = 100_000
    columns: int = 64
    #: what one Excel cell can hold
    cell_chars: int = 32_767
    #: CSV: one physical line (a line of only separators would make a row of a million cells)
    line_chars: int = 1 * MiB
    #: XLSX: entries in the archive
    parts: int = 1_000
    #: XLSX: one part, inflated (a 100,000-row sheet with inline text is about 55 MB)
    part_bytes: int = 64 * MiB
    #: XLSX: every part, inflated
    total_bytes: int = 128 * MiB
    #: XLSX: inflated size over stored size of a part above 1 MB (Excel's XML: 5-10)
    ratio: int = 100
    #: XLSX: text or a tag between two `<`
    token_bytes: int = 256 * 1024
    #: XLSX: elements an XML parser may hold at once outside rows and shared strings
    loose_elements: int = 100_000
    #: XLSX: elements inside one row or one shared string
    unit_elements: int = 100_000
    #: XLSX: row elements in a sheet (formatted empty rows too)
    sheet_rows: int = 200_000
    #: XLSX: distinct texts in the shared-strings part (every one is kept while reading)
    shared_strings: int = 600_000


LIMITS = Limits()
