"""The bounded reader every import uses: what it reads, and what it refuses before it costs."""

from __future__ import annotations

import io
import zipfile

import pytest

from bench.gen.xlsx import (
    MAIN,
    SHEET_START,
    excel_xlsx,
    far_cell_xlsx,
    shared_strings_bomb,
    whitespace_xlsx,
    write_xlsx,
)
from ewarung.tabular import FileRefused, Limits, read_rows, read_upload

SMALL = Limits(rows=50, columns=8, cell_chars=100, line_chars=2000, parts=20,
               part_bytes=200_000, total_bytes=300_000, token_bytes=1000, loose_elements=50,
               unit_elements=40, sheet_rows=60, shared_strings=30)


def refused(data: bytes, limits: Limits = SMALL, **kwargs) -> str:
    """The message a file is refused with (it must be refused, naming the file field)."""
    with pytest.raises(FileRefused) as caught:
        list(read_rows(data, limits=limits, **kwargs))
    assert caught.value.code == "validation_error" and caught.value.status == 422
    assert list(caught.value.details["fields"]) == ["file"]
    return caught.value.message()


def sheet(rows_xml: str, after: str = "") -> bytes:
    return SHEET_START + f"<sheetData>{rows_xml}</sheetData>{after}</worksheet>".encode()


def test_csv_and_xlsx_give_the_same_rows_with_xlsx_keeping_number_cells():
    rows = [["nik", "nama", "harga"], ["3527011204850001", "Siti", 12500], [], ["x", "", None]]
    from_xlsx = list(read_rows(excel_xlsx(rows)))
    assert from_xlsx == [["nik", "nama", "harga"], ["3527011204850001", "Siti", 12500], [],
                         ["x"]]
    csv = b"nik;nama;harga\r\n3527011204850001;Siti;12500\r\n\r\nx;;\r\n"
    assert list(read_rows(csv)) == [["nik", "nama", "harga"],
                                    ["3527011204850001", "Siti", "12500"], [], ["x"]]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be",
                                      "cp1252"])
def test_csv_text_is_read_in_the_encodings_spreadsheets_save(encoding):
    text = "nama;desa\r\nIbu Ani Fitrî;Sukamaju\r\n" * 3
    assert list(read_rows(text.encode(encoding)))[1] == ["Ibu Ani Fitrî", "Sukamaju"]


def test_the_delimiter_is_the_one_under_which_the_header_is_found():
    data = b"DAFTAR KPM, DESA SUKAMAJU, 2026\nnik;nama;desa\n1;Siti;Sukamaju\n"
    rows = list(read_rows(data, delimiters=(",", ";"), header=lambda cells: "nik" in cells))
    assert rows[1:] == [["nik", "nama", "desa"], ["1", "Siti", "Sukamaju"]]
    assert next(read_rows(b"a,b;c,d\n")) == ["a", "b;c", "d"]  # most cells on line one


@pytest.mark.parametrize(("data", "words"), [
    (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
    (b"\x1f\x8b\x08\x00garbage", "gzip"),
    (b"<!DOCTYPE html><html><table><tr><td>1</td></tr></table>", "HTML"),
    (b"\xef\xbb\xbf<?xml version='1.0'?><Workbook/>", "XML"),
    (bytes(range(256)) * 4, "UTF-8"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", ".xlsx"),
    (b"PK\x03\x04\x14\x00\x00\x00truncated archive", "XLSX tidak bisa dibaca"),
    (b"  \r\n", "kosong"),
])
def test_a_file_that_is_not_a_table_is_refused_saying_what_it_is(data, words):
    assert words in refused(data)


def test_an_xlsx_is_refused_where_only_csv_is_read():
    assert "hanya menerima CSV" in refused(excel_xlsx([["sku"]]), xlsx=False)


def test_a_truncated_or_damaged_xlsx_is_refused():
    good = excel_xlsx([["nik", "nama"], ["1", "Siti"]])
    assert "tidak bisa dibaca" in refused(good[:len(good) // 2])
    broken = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(broken, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b"</sheetData>", b"</sheetDta>")
            dst.writestr(info, data)
    assert "tidak bisa dibaca" in refused(broken.getvalue())


def test_a_csv_field_over_the_csv_modules_limit_is_refused_naming_its_row():
    data = b"nik;nama\n1;Siti\n2;\"" + b"x" * 140_000 + b"\n3;Budi\n"
    message = refused(data, LimitsWith(line_chars=200_000))
    assert "Baris 3" in message and "tanda kutip" in message


def LimitsWith(**changes) -> Limits:
    return Limits(**{**SMALL.__dict__, **changes})


def test_rows_cells_and_lines_are_bounded_in_csv():
    header = b"a;b\n"
    assert "50 baris" in refused(header + b"1;2\n" * 50)
    assert list(read_rows(header + b"1;2\n" * 49 + b"\n" * 500, limits=SMALL))[-1] == []
    assert "baris 2 kolom 2" in refused(header + b"1;" + b"y" * 101 + b"\n")
    assert "Baris 2 berkas lebih panjang" in refused(header + b";" * 3000 + b"\n")
    wide = list(read_rows(header + b";".join(b"c%d" % i for i in range(30)) + b"\n",
                          limits=SMALL))
    assert wide[1] == [f"c{i}" for i in range(8)]  # cells after the column limit are not read


def test_rows_and_columns_of_an_xlsx_are_read_only_up_to_the_limits():
    rows = [[f"r{r}c{c}" for c in range(12)] for r in range(50)]
    got = list(read_rows(excel_xlsx(rows), limits=LimitsWith(shared_strings=1000,
                                                             loose_elements=100)))
    assert len(got) == 50 and got[0] == [f"r0c{c}" for c in range(8)]
    assert "50 baris" in refused(excel_xlsx([*rows, ["one too many"]]),
                                 LimitsWith(shared_strings=1000))


def test_a_cell_at_the_last_address_of_a_sheet_costs_nothing():
    got = list(read_rows(far_cell_xlsx(), limits=SMALL))
    assert len(got) == SMALL.rows + 1 and not any(got)  # padded to the limit, never further


def test_a_long_xlsx_cell_is_refused():
    long_cell = excel_xlsx([["nama"], ["z" * 101]])
    assert "baris 2 kolom 1" in refused(long_cell, LimitsWith(token_bytes=5000))


def test_an_archive_is_judged_by_its_directory_before_anything_is_inflated():
    assert "bagian" in refused(_many_parts(25))
    assert "sheet1.xml: 1024 MB > 64 MB" in refused(whitespace_xlsx(), Limits())
    assert "× > 100×" in refused(whitespace_xlsx(3 << 20), Limits())
    big = excel_xlsx([[f"{i:07d}" * 4] for i in range(6000)])
    assert "MB >" in refused(big, LimitsWith(total_bytes=200_000, part_bytes=300_000))


def _many_parts(n: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(excel_xlsx([["a"]]))) as src, \
            zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        for i in range(n):
            dst.writestr(f"customXml/item{i}.xml", b"<a/>")
    return out.getvalue()


@pytest.mark.parametrize(("part", "words"), [
    (sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 1500 + "</t></is></c></row>"),
     "KB tanpa tag"),
    (sheet("", after='<foo a="' + "y" * 2000 + '"/>'), "KB tanpa tag"),
    (b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY a "aaaa">]>' + sheet("")[38:],
     "DTD"),
    (sheet('<row r="1"><c r="A1"><v>1</v></c></row><!-- ' + "<" * 10 + " -->"), "DTD"),
    (sheet("", after="<extLst>" + "<ext/>" * 60 + "</extLst>"), "unsur"),
    (sheet('<row r="1">' + '<c r="A1"><v>1</v></c>' * 25 + "</row>"), "dalam satu baris"),
    (sheet('<row r="1"/>' * 61), "baris"),
])
def test_xml_a_parser_would_hold_in_memory_is_refused_before_parsing(part, words):
    assert words in refused(write_xlsx(part))


def test_xml_nested_too_deep_is_refused():
    part = sheet('<row r="1"><c><v>1</v></c></row>', after="<a>" * 70 + "</a>" * 70)
    assert "tingkat" in refused(write_xlsx(part), LimitsWith(loose_elements=200))


def test_rows_and_strings_count_as_streamed_only_in_the_parts_read_as_streams():
    rows_in_styles = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(excel_xlsx([["a"]]))) as src, \
            zipfile.ZipFile(rows_in_styles, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/styles.xml", sheet('<row r="1"/>' * 55))
    assert "unsur" in refused(rows_in_styles.getvalue())


def test_shared_strings_are_bounded_in_number_and_a_bomb_is_refused_unopened():
    many = excel_xlsx([[f"teks {i}"] for i in range(31)])
    assert "teks berbeda" in refused(many, LimitsWith(sheet_rows=100, loose_elements=100))
    assert "sharedStrings.xml" in refused(shared_strings_bomb(), Limits())


def test_a_chart_sheet_is_refused():
    data = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(excel_xlsx([["a"]]))) as src, \
            zipfile.ZipFile(data, "w") as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/_rels/workbook.xml.rels":
                body = body.replace(b"</Relationships>", (
                    b'<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
                    b'officeDocument/2006/relationships/chartsheet" '
                    b'Target="chartsheets/sheet1.xml"/></Relationships>'))
            dst.writestr(info, body)
    assert "lembar grafik" in refused(data.getvalue())


def test_an_upload_is_never_read_past_its_limit():
    class Endless:
        def __init__(self) -> None:
            self.asked: list[int] = []

        def read(self, size: int = -1) -> bytes:
            self.asked.append(size)
            return b"x" * (size if size >= 0 else 10**9)
    stream = Endless()
    with pytest.raises(FileRefused) as caught:
        read_upload(stream, SMALL)
    assert stream.asked == [SMALL.file_bytes + 1] and "terlalu besar" in caught.value.message()
    with pytest.raises(FileRefused):
        read_upload(None)
    assert read_upload(io.BytesIO(b"a;b\n")) == b"a;b\n"
    assert MAIN in SHEET_START.decode()


def _with_part(name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(excel_xlsx([["nik"], ["1"]]))) as src, \
            zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr(name, body)
    return out.getvalue()


def test_a_part_is_scanned_by_what_it_holds_not_by_its_name():
    picture = _with_part("xl/media/image1.png", b"\x89PNG\r\n\x1a\n" + bytes(5000))
    assert list(read_rows(picture, limits=SMALL)) == [["nik"], ["1"]]
    disguised = _with_part("xl/media/image1.PNG", b"<a>" + b"x" * 2000 + b"</a>")
    assert "KB tanpa tag" in refused(disguised)
