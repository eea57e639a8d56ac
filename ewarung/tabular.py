"""Reading an uploaded table (CSV or XLSX) within fixed bounds, for every import. Pure.

Every import (KPM lists, the catalogue, the bank's settlement file) reads its file here, so
one set of limits holds for all of them: the file's size, its rows, its columns and the
length of one cell, and for XLSX what the archive inflates to (see `ewarung.spreadsheet`).
A file that breaks a limit, or is not a table at all, is refused as a whole with
`FileRefused` (a `validation_error` naming the `file` field) before it can cost memory.

Rows come out one at a time as lists of cells (trailing empty cells dropped, an empty line
as `[]`), numbered by position from 1 as a spreadsheet shows them. CSV cells are text;
XLSX cells keep their type (text, int, float, bool, datetime), so a caller can tell a
number typed as text from a number.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from ewarung.bounds import LIMITS, FileRefused, Limits, MiB
from ewarung.errors import N_

EMPTY = N_("Berkas kosong.")
TOO_BIG = N_("Berkas terlalu besar (%(size)s MB); paling besar %(limit)s MB. Bagi daftar "
             "menjadi beberapa berkas.")
TOO_MANY_ROWS = N_("Berkas berisi lebih dari %(limit)s baris; bagi daftar menjadi beberapa "
                   "berkas.")
CELL_TOO_LONG = N_("Sel di baris %(row)s kolom %(column)s berisi lebih dari %(limit)s huruf.")
CSV_FIELD_TOO_LONG = N_("Baris %(row)s berisi isian lebih dari %(limit)s huruf, biasanya "
                        "karena tanda kutip (\") yang tidak ditutup. Periksa baris itu lalu "
                        "simpan ulang.")
LINE_TOO_LONG = N_("Baris %(row)s berkas lebih panjang dari %(limit)s huruf; periksa tanda "
                   "kutip (\") yang tidak ditutup atau pemisah kolom yang berulang.")
CSV_BROKEN = N_("Berkas CSV rusak di baris %(row)s; periksa tanda kutip (\") di baris itu "
                "lalu simpan ulang.")
NOT_TEXT = N_("Berkas tidak terbaca sebagai teks (UTF-8 atau Windows-1252). Simpan ulang "
              "sebagai CSV UTF-8 atau sebagai .xlsx.")
NOT_A_TABLE = N_("Berkas ini bukan CSV atau XLSX (terbaca sebagai %(kind)s). Simpan daftar "
                 "sebagai .xlsx atau CSV lalu coba lagi.")
OLD_XLS = N_("Format .xls lama tidak didukung; simpan sebagai .xlsx atau CSV.")
CSV_ONLY = N_("Impor ini hanya menerima CSV, bukan %(kind)s. Simpan sebagai CSV (dipisah "
              "titik koma) lalu coba lagi.")

#: the start of files that are often uploaded by mistake, and what they are
_NOT_TABLES = ((b"%PDF", "PDF"), (b"\x89PNG", "PNG"), (b"\xff\xd8\xff", "JPEG"),
               (b"GIF8", "GIF"), (b"\x1f\x8b", "gzip"), (b"7z\xbc\xaf", "7z"),
               (b"Rar!", "RAR"), (b"PK\x05\x06", "ZIP kosong"))
_MARKUP = (("<!doctype html", "HTML"), ("<html", "HTML"), ("<table", "HTML"),
           ("<?xml", "XML"))




class Readable(Protocol):
    """An open file or an upload (werkzeug's FileStorage)."""

    def read(self, size: int = -1, /) -> bytes: ...


def count_text(n: int) -> str:
    """A count as Indonesian writes it: 100000 → 100.000."""
    return f"{n:,}".replace(",", ".")


def read_upload(stream: Readable | None, limits: Limits = LIMITS) -> bytes:
    """An uploaded file's bytes, refused when empty or over the size limit (never read past
    it)."""
    data = stream.read(limits.file_bytes + 1) if stream is not None else b""
    if not data:
        raise FileRefused.field("file", EMPTY)
    if len(data) > limits.file_bytes:
        raise FileRefused.field("file", TOO_BIG, size=f"> {limits.file_bytes // MiB}",
                                limit=limits.file_bytes // MiB)
    return data


def read_rows(data: bytes, *, limits: Limits = LIMITS, xlsx: bool = True,
              delimiters: Sequence[str] = (";", ",", "\t"),
              header: Callable[[Sequence[object]], bool] | None = None
              ) -> Iterator[list[Any]]:
    """The rows of a CSV or (when `xlsx`) XLSX file, one at a time, checked as they come.

    A CSV's delimiter is the first of `delimiters` under which one of the first lines
    satisfies `header`, else the one that splits the first line into the most cells.
    """
    if not data or data.isspace():
        raise FileRefused.field("file", EMPTY)
    if len(data) > limits.file_bytes:
        raise FileRefused.field("file", TOO_BIG, size=round(len(data) / MiB, 1),
                                limit=limits.file_bytes // MiB)
    kind = _binary_kind(data)
    if kind == "XLSX" and xlsx:
        from ewarung.spreadsheet import xlsx_rows

        return _bounded(xlsx_rows(data, limits), limits)
    if kind is not None:
        raise FileRefused.field("file", CSV_ONLY if kind == "XLSX" else NOT_A_TABLE, kind=kind)
    codec = text_codec(data)
    head = _text(data, codec).read(64 * 1024)
    delimiter = _delimiter(head, delimiters, header)
    return _bounded(_csv_rows(_text(data, codec), delimiter, limits), limits)


def _binary_kind(data: bytes) -> str | None:
    if data.startswith(b"PK\x03\x04"):
        return "XLSX"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused.field("file", OLD_XLS)
    for magic, kind in _NOT_TABLES:
        if data.startswith(magic):
            return kind
    return None


def text_codec(data: bytes) -> str:
    """How a CSV's bytes are text: UTF-8 (with or without BOM), UTF-16 (with a BOM, or
    without one when every other byte is NUL), else Windows-1252 as Excel on Windows saves
    "CSV"; refused when none of them reads the whole file."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates: tuple[str, ...] = ("utf-16",)
    else:
        candidates = ("utf-8-sig", "cp1252")
        head = data[:4096]
        for parity, codec in ((1, "utf-16-le"), (0, "utf-16-be")):
            if len(head) >= 16 and head[parity::2].count(0) >= 0.9 * (len(head) // 2):
                candidates = (codec,)
    for codec in candidates:
        if _reads_as(data, codec):
            _refuse_markup(_text(data, codec).read(200))
            return codec
    raise FileRefused.field("file", NOT_TEXT)


def _reads_as(data: bytes, codec: str) -> bool:
    """Whether all of `data` decodes, a megabyte at a time (the text is not kept)."""
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        for at in range(0, len(data), MiB):
            decoder.decode(data[at:at + MiB], final=at + MiB >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _text(data: bytes, codec: str) -> io.TextIOWrapper:
    return io.TextIOWrapper(io.BytesIO(data), encoding=codec, newline="")


def _refuse_markup(start: str) -> None:
    start = start.lstrip().lower()
    for prefix, kind in _MARKUP:
        if start.startswith(prefix):
            raise FileRefused.field("file", NOT_A_TABLE, kind=kind)


def _delimiter(head: str, candidates: Sequence[str],
               header: Callable[[Sequence[object]], bool] | None) -> str:
    if header is not None:
        for delimiter in candidates:
            try:
                lines = list(zip(range(20), csv.reader(io.StringIO(head, newline=""),
                                                       delimiter=delimiter), strict=False))
            except csv.Error:
                continue
            if any(header(cells) for _, cells in lines):
                return delimiter
    first = next((line for line in head.splitlines() if line.strip()), "")
    return max(candidates, key=lambda d: (first.count(d), -candidates.index(d)))


def _lines(text: io.TextIOWrapper, limit: int) -> Iterator[str]:
    """The file's lines, refused at the first longer than `limit` (never read past it)."""
    number = 0
    while line := text.readline(limit + 1):
        number += 1
        if len(line) > limit:
            raise FileRefused.field("file", LINE_TOO_LONG, row=number, limit=count_text(limit))
        yield line


def _csv_rows(text: io.TextIOWrapper, delimiter: str, limits: Limits) -> Iterator[list[Any]]:
    reader = csv.reader(_lines(text, limits.line_chars), delimiter=delimiter)
    number = 0
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            template = CSV_FIELD_TOO_LONG if "field larger" in str(exc) else CSV_BROKEN
            raise FileRefused.field("file", template, row=number,
                                    limit=count_text(limits.cell_chars)) from None
        yield cells


def _bounded(rows: Iterator[list[Any]], limits: Limits) -> Iterator[list[Any]]:
    """Rows trimmed of trailing empty cells, cut at the column limit, checked for length."""
    for number, raw in enumerate(rows, start=1):
        cells = list(raw[:limits.columns])
        while cells and (cells[-1] is None or cells[-1] == ""):
            cells.pop()
        if cells and number > limits.rows:
            raise FileRefused.field("file", TOO_MANY_ROWS, limit=count_text(limits.rows))
        for column, cell in enumerate(cells, start=1):
            if isinstance(cell, str) and len(cell) > limits.cell_chars:
                raise FileRefused.field("file", CELL_TOO_LONG, row=number, column=column,
                                        limit=count_text(limits.cell_chars))
        yield cells
