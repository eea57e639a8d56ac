"""The rows of an XLSX file, read by openpyxl only after the archive is proven cheap to read.

An XLSX is a zip of XML parts, and its size on disk says nothing of its cost: a cell at
XFD1048576 made openpyxl pad every row to the sheet's declared width, a 1 MB file inflated
to a gigabyte of spaces, a shared-strings part of millions of empty strings is kept whole
while loading. So, before openpyxl opens anything:

1. the archive's directory is checked: number of parts, each part's inflated size, the sum,
   and the ratio of inflated to stored size (a bomb is refused before it is inflated;
   zipfile never inflates a part past the size its directory declares);
2. every part that could be read as XML is scanned as a stream (a megabyte at a time,
   nothing kept) for what would make a parser hold memory: a DTD or entities, comments and
   CDATA, a text or tag longer than `Limits.token_bytes`, nesting deeper than 64, and more
   elements than a parser may hold at once. openpyxl reads rows and shared strings as a
   stream, dropping each one's content once read, so only there are elements counted per
   row or string (and the rows and strings themselves are bounded); every other part is
   read whole.

Then openpyxl (read-only) reads the first sheet row by row, never past the row and column
limits, whatever the sheet declares.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from io import BytesIO
from typing import Any
from xml.parsers import expat

from openpyxl.xml.constants import SHEET_MAIN_NS

from ewarung.bounds import FileRefused, Limits, MiB
from ewarung.errors import N_

UNREADABLE = N_("Berkas XLSX tidak bisa dibaca; simpan ulang dari spreadsheet lalu coba lagi.")
OVERSIZED = N_("Berkas XLSX ditolak tanpa dibuka: isinya melampaui batas yang aman dibaca "
               "(%(limit)s). Simpan ulang hanya lembar datanya sebagai .xlsx baru, atau "
               "simpan sebagai CSV.")
CHART_SHEET = N_("Berkas XLSX berisi lembar grafik; hapus lembar grafik itu lalu simpan ulang.")

_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_SHARED = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
#: parts openpyxl reads whole whatever the manifest says they are
_READ_WHOLE = frozenset({"[Content_Types].xml", "docProps/core.xml", "docProps/app.xml",
                         "docProps/custom.xml", "xl/workbook.xml", "xl/styles.xml"})
#: element (namespace, then local name), its parent and its root, for the elements
#: openpyxl drops as it streams: a sheet's rows and the shared strings
_ROW = (f"{SHEET_MAIN_NS} row", f"{SHEET_MAIN_NS} sheetData", f"{SHEET_MAIN_NS} worksheet")
_STRING = (f"{SHEET_MAIN_NS} si", f"{SHEET_MAIN_NS} sst", None)
MAX_DEPTH = 64
_SMALL_PART = MiB  # below this a compression ratio says nothing


def _oversized(what: str) -> FileRefused:
    return FileRefused.field("file", OVERSIZED, limit=what)


def check_archive(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse an archive whose directory promises more than the limits allow."""
    infos = zf.infolist()
    if len(infos) > limits.parts:
        raise _oversized(f"{len(infos)} bagian > {limits.parts}")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.part_bytes:
            raise _oversized(f"{info.filename}: {info.file_size // MiB} MB > "
                             f"{limits.part_bytes // MiB} MB")
        if info.file_size > _SMALL_PART and \
                info.file_size > limits.ratio * max(info.compress_size, 1):
            raise _oversized(f"{info.filename}: {info.file_size // max(info.compress_size, 1)}"
                             f"× > {limits.ratio}×")
    if total > limits.total_bytes:
        raise _oversized(f"{total // MiB} MB > {limits.total_bytes // MiB} MB")


class _PartScan:
    """Counts what a parser of one part would hold, refusing as soon as a limit is passed."""

    def __init__(self, limits: Limits, unit: tuple[str, str, str | None] | None,
                 keep_attributes: bool) -> None:
        self.limits, self.unit, self.keep = limits, unit, keep_attributes
        self.depth = 0
        self.top: list[str] = []  # the names of the open elements of the first three levels
        self.unit_depth = 0       # depth of the row or string being read, 0 outside one
        self.in_unit = self.loose = self.units = 0
        self.attributes: list[list[str]] = []  # of every element, when kept

    def start(self, name: str, attributes: list[str]) -> None:
        self.depth += 1
        if self.unit_depth:  # the common case: inside a row or a string
            self.in_unit += 1
            if self.in_unit > self.limits.unit_elements or self.depth > MAX_DEPTH:
                self._refuse()
            return
        if self.depth <= 3:
            self.top.append(name)
        if self._is_unit(name):
            self.unit_depth, self.in_unit = self.depth, 1
            self.units += 1
        else:
            self.loose += 1
            if self.loose > self.limits.loose_elements or self.depth > MAX_DEPTH:
                self._refuse()
        if self.keep:
            self.attributes.append(attributes)

    def _refuse(self) -> None:
        if self.depth > MAX_DEPTH:
            raise _oversized(f"> {MAX_DEPTH} tingkat")
        if self.unit_depth:
            raise _oversized(f"> {self.limits.unit_elements} unsur dalam satu baris")
        raise _oversized(f"> {self.limits.loose_elements} unsur")

    def _is_unit(self, name: str) -> bool:
        if self.unit is None or name != self.unit[0] or self.depth < 2 or \
                self.top[self.depth - 2] != self.unit[1]:
            return False
        return self.depth == 2 if self.unit[2] is None else (
            self.depth == 3 and self.top[0] == self.unit[2])

    def end(self, _name: str) -> None:
        if self.depth == self.unit_depth:
            self.unit_depth = 0
        if self.depth <= 3 and not self.unit_depth:
            self.top.pop()
        self.depth -= 1


_MARKUP_DECLARATION = re.compile(rb"<[!?]")


def scan_part(zf: zipfile.ZipFile, name: str, limits: Limits,
              unit: tuple[str, str, str | None] | None = None,
              keep_attributes: bool = False) -> _PartScan:
    """Stream one XML part through expat without building anything, checking as it goes."""
    scan = _PartScan(limits, unit, keep_attributes)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.ordered_attributes = True
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    run, first, previous = 0, True, b""
    with zf.open(name) as src:
        while chunk := src.read(MiB):
            if first and chunk.startswith((b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")):
                raise FileRefused.field("file", UNREADABLE)  # Excel writes its XML in UTF-8
            if _MARKUP_DECLARATION.search(previous + chunk, 6 if first else 0):
                raise _oversized("DTD/komentar/CDATA")
            run = _check_tokens(chunk, run, limits.token_bytes)
            parser.Parse(chunk, False)
            first, previous = False, chunk[-1:]
        parser.Parse(b"", True)
    return scan


def _check_tokens(chunk: bytes, run: int, limit: int) -> int:
    """The length of the text after the chunk's last `<`, refusing any longer than limit.

    Split in C rather than searched with a pattern: a pattern for "N bytes without `<`"
    rescans every run from each of its bytes, quadratic in a run just under the limit.
    """
    pieces = chunk.split(b"<")
    if len(pieces) == 1:
        run += len(chunk)
    elif run + len(pieces[0]) > limit or max(map(len, pieces[1:-1]), default=0) > limit:
        raise _oversized(f"> {limit // 1024} KB tanpa tag")
    else:
        run = len(pieces[-1])
    if run > limit:
        raise _oversized(f"> {limit // 1024} KB tanpa tag")
    return run


def _looks_like_xml(zf: zipfile.ZipFile, name: str) -> bool:
    """Whether a part could be parsed as XML: a part whose first visible byte is not `<`
    (a picture, a printer's settings) fails on its first byte in any XML parser."""
    with zf.open(name) as src:
        head = src.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return not head or head.startswith((b"<", b"\xff\xfe", b"\xfe\xff", b"\x00<"))


def check_parts(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Scan every XML part; rows and strings count as streamed only where openpyxl streams
    them (parts the manifest names as sheets or shared strings)."""
    names = set(zf.namelist())
    if "[Content_Types].xml" not in names:
        raise FileRefused.field("file", UNREADABLE)
    manifest = scan_part(zf, "[Content_Types].xml", limits, keep_attributes=True)
    kinds = {}
    for attributes in manifest.attributes:
        fields = dict(zip(attributes[::2], attributes[1::2], strict=False))
        kinds[fields.get("PartName", "").lstrip("/")] = fields.get("ContentType", "")
    rows = strings = 0
    for name in sorted(names - {"[Content_Types].xml"}):
        if not _looks_like_xml(zf, name):
            continue
        kind = "" if name in _READ_WHOLE else kinds.get(name, "")
        unit = _ROW if kind == _WORKSHEET else _STRING if kind == _SHARED else None
        scan = scan_part(zf, name, limits, unit, keep_attributes=name.endswith(".rels"))
        if any("chartsheet" in " ".join(a) for a in scan.attributes):
            raise FileRefused.field("file", CHART_SHEET)
        if unit is _ROW and scan.units > limits.sheet_rows:
            raise _oversized(f"{name}: > {limits.sheet_rows} baris")
        rows, strings = (rows, strings + scan.units) if unit is _STRING else \
            (rows + scan.units, strings)
    if strings > limits.shared_strings:
        raise _oversized(f"> {limits.shared_strings} teks berbeda")


def xlsx_rows(data: bytes, limits: Limits) -> Iterator[list[Any]]:
    """The first sheet's rows, each at most `limits.columns` cells, at most one row past
    `limits.rows` (so the caller can tell the file is too long)."""
    try:
        zf = zipfile.ZipFile(BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError):
        raise FileRefused.field("file", UNREADABLE) from None
    with zf:
        check_archive(zf, limits)
        try:
            check_parts(zf, limits)
        except (expat.ExpatError, zipfile.BadZipFile, zlib.error, OSError, EOFError,
                NotImplementedError, RuntimeError):  # damaged, truncated, encrypted part
            raise FileRefused.field("file", UNREADABLE) from None
    yield from _sheet_rows(data, limits)


def _sheet_rows(data: bytes, limits: Limits) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FileRefused.field("file", UNREADABLE) from None
    try:
        if not book.worksheets:
            raise FileRefused.field("file", UNREADABLE)
        rows = book.worksheets[0].iter_rows(min_row=1, max_row=limits.rows + 1,
                                            max_col=limits.columns, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except Exception:
                raise FileRefused.field("file", UNREADABLE) from None
            yield list(row)
    finally:
        book.close()
