"""XLSX files written by hand, part by part: a KPM list as Excel saves it, and hostile files.

Excel keeps text in a shared-strings part and numbers in the sheet; openpyxl writes inline
strings instead, so the real shape is written here directly. The hostile files are what an
import must refuse cheaply: one cell at the last address a sheet can have (XFD1048576), a
sheet of whitespace that inflates a thousandfold, and a shared-strings part of millions of
tiny strings. Parts are given as bytes or as an iterable of byte chunks, streamed into the
archive, so a file that inflates to a gigabyte never sits in memory while it is written.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_START = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<worksheet xmlns="{MAIN}" xmlns:r="{RELS}">').encode()

Part = bytes | Iterable[bytes]


def _scaffold(shared: bool) -> dict[str, bytes]:
    types = ('<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
             'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/'
             'sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'spreadsheetml.worksheet+xml"/>')
    rels = (f'<Relationship Id="rId1" Type="{RELS}/worksheet" '
            f'Target="worksheets/sheet1.xml"/>')
    if shared:
        types += ('<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
                  'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
        rels += f'<Relationship Id="rId2" Type="{RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    return {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.'
            'org/package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/>{types}</Types>').encode(),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}">'
            f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
            '</Relationships>').encode(),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
            '<sheets><sheet name="KPM" sheetId="1" r:id="rId1"/></sheets></workbook>').encode(),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_RELS}">{rels}'
            '</Relationships>').encode(),
    }


def write_xlsx(sheet: Part, shared_strings: Part | None = None, level: int = 6) -> bytes:
    """A workbook of one sheet from its parts' XML (`sheet` is the whole worksheet part)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in _scaffold(shared_strings is not None).items():
            zf.writestr(name, data)
        parts = {"xl/worksheets/sheet1.xml": sheet}
        if shared_strings is not None:
            parts["xl/sharedStrings.xml"] = shared_strings
        for name, part in parts.items():
            with zf.open(name, "w", force_zip64=True) as entry:
                for chunk in ([part] if isinstance(part, bytes) else part):
                    entry.write(chunk)
    return out.getvalue()


def column_letter(n: int) -> str:
    """1 → A, 27 → AA, 16384 → XFD."""
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


def _cell(ref: str, value: object, strings: dict[str, int]) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    index = strings.setdefault(str(value), len(strings))
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


def excel_xlsx(rows: Sequence[Sequence[object]]) -> bytes:
    """Rows as Excel saves them: text in shared strings, numbers (int, float) in the sheet."""
    strings: dict[str, int] = {}
    body = [SHEET_START, b"<sheetData>"]
    for r, row in enumerate(rows, start=1):
        cells = "".join(_cell(f"{column_letter(c)}{r}", v, strings)
                        for c, v in enumerate(row, start=1))
        body.append(f'<row r="{r}">{cells}</row>'.encode())
    body.append(b"</sheetData></worksheet>")
    shared = [f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" '
              f'count="{len(strings)}" uniqueCount="{len(strings)}">'.encode()]
    shared += [f"<si><t>{escape(s)}</t></si>".encode() for s in strings]
    shared.append(b"</sst>")
    return write_xlsx(b"".join(body), b"".join(shared))


def far_cell_xlsx() -> bytes:
    """One cell at XFD1048576, with the dimension that declares the whole sheet (4.8 KB)."""
    sheet = SHEET_START + (b'<dimension ref="A1:XFD1048576"/><sheetData>'
                           b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
                           b'</sheetData></worksheet>')
    return write_xlsx(sheet)


def _spaces(total: int) -> Iterator[bytes]:
    chunk = b" " * (1 << 20)
    for _ in range(total // len(chunk)):
        yield chunk
    yield b" " * (total % len(chunk))


def whitespace_xlsx(inflated: int = 1 << 30) -> bytes:
    """A sheet whose one cell holds `inflated` bytes of spaces: about 1 KB per MB on disk."""
    def sheet() -> Iterator[bytes]:
        yield SHEET_START + b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        yield from _spaces(inflated)
        yield b"</t></is></c></row></sheetData></worksheet>"
    return write_xlsx(sheet(), level=9)


def shared_strings_bomb(count: int = 20_000_000) -> bytes:
    """A shared-strings part of `count` empty strings, every one kept in a list on loading."""
    def strings() -> Iterator[bytes]:
        yield (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}" '
               f'uniqueCount="{count}">').encode()
        block = b"<si><t></t></si>" * 65_536
        for _ in range(count // 65_536):
            yield block
        yield b"<si><t></t></si>" * (count % 65_536)
        yield b"</sst>"
    sheet = SHEET_START + b'<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>' \
                          b'</sheetData></worksheet>'
    return write_xlsx(sheet, strings(), level=9)
