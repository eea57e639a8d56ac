"""The catalogue: product and supplier rules, barcodes, CSV export and import."""

from __future__ import annotations

import csv
import io
import itertools
from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ewarung.audit import AuditEvent
from ewarung.errors import ValidationFailed
from ewarung.text import has_unwritable
from inventory import catalogue, csvio
from inventory.catalogue import UNITS, PriceAboveReference
from inventory.models import Product
from tests.factories import make_product, make_supplier


def _refused(db, data, product_id=None):
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as s:
        if product_id is None:
            catalogue.create_product(s, data)
        else:
            catalogue.update_product(s, product_id, data)
    return caught.value.details["fields"]


BASE = {"sku": "BRS-5", "name": "Beras 5 kg", "unit": "pack", "price": 68000,
        "commodity_group": "carbohydrate"}


@pytest.mark.parametrize(("change", "field"), [
    ({"sku": "beras 5"}, "sku"), ({"name": "B"}, "name"), ({"unit": "ton"}, "unit"),
    ({"price": -1}, "price"), ({"price": "12.5"}, "price"),
    ({"commodity_group": "cigarettes"}, "commodity_group"),
    ({"reorder_point": "2.5"}, "reorder_point"),  # packs are counted whole
    ({"barcodes": ["12 34"]}, "barcode"), ({"barcodes": ["x" * 33]}, "barcode"),
    ({"barcodes": ["111", "111"]}, "barcode"), ({"tracks_expiry": "maybe"}, "tracks_expiry"),
    ({"preferred_supplier_id": 999}, "preferred_supplier_id"),
])
def test_bad_product_fields_are_refused_by_name(db, change, field):
    assert field in _refused(db, {**BASE, **change})


def test_a_sku_and_a_barcode_belong_to_one_product(db):
    with db.unit_of_work() as s:
        make_product(s, "Gula", sku="GULA-1", barcode="8990000000001")
    fields = _refused(db, {**BASE, "sku": "gula-1", "barcodes": ["8990000000001"]})
    assert set(fields) == {"sku", "barcode"}


def test_prices_in_the_shops_notation_are_read_as_rupiah(db):
    with db.unit_of_work() as s:
        p = catalogue.create_product(s, {**BASE, "price": "Rp68.000",
                                         "reference_price": "70.000,00"})
        assert (p.price, p.reference_price) == (68000, 70000)


def test_a_price_above_the_reference_is_its_own_refusal(db):
    with pytest.raises(PriceAboveReference) as caught, db.unit_of_work() as s:
        catalogue.create_product(s, {**BASE, "reference_price": 60000})
    assert caught.value.code == "price_above_reference"
    assert "Rp68.000" in str(caught.value) and "Rp60.000" in str(caught.value)


def test_editing_barcodes_keeps_the_first_and_frees_the_removed_ones(db):
    with db.unit_of_work() as s:
        p = make_product(s, "Tahu", barcodes=["A1", "B2"])
        other = make_product(s, "Tempe")
    with db.unit_of_work() as s:
        catalogue.update_product(s, p.id, {"barcodes": ["A1", "C3"]})
        catalogue.update_product(s, other.id, {"barcodes": ["B2"]})
    with db.unit_of_work(write=False) as s:
        assert [b.code for b in s.get(Product, p.id).barcodes] == ["A1", "C3"]
        audit = s.scalars(select(AuditEvent).where(AuditEvent.action == "product.update")
                          ).first()
        assert audit.before == {"barcodes": ["A1", "B2"]}


def test_supplier_rules(db):
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as s:
        catalogue.create_supplier(s, {"name": "", "kind": "broker", "lead_time_days": "-1"})
    assert set(caught.value.details["fields"]) == {"name", "kind", "lead_time_days"}
    with db.unit_of_work() as s:
        sup = make_supplier(s, "bulog", "Bulog Sukabumi", lead_time_days="3")
        catalogue.update_supplier(s, sup.id, {"phone": "0266-123"})
        assert (sup.kind, sup.lead_time_days, sup.phone) == ("bulog", 3, "0266-123")


def test_the_catalogue_survives_a_round_trip_through_csv(db):
    with db.unit_of_work() as s:
        make_product(s, "Telur Ayam", sku="TLR", unit="kg", price=29000,
                     commodity_group="animal_protein", barcodes=["2000000000015", "9"],
                     reorder_point="2.5", tracks_expiry=True, reference_price=30000)
        make_product(s, "Sabun Cuci", sku="SBN", commodity_group="none", active=False)
        text = csvio.export_products(s)
    assert text.splitlines()[0].split(";")[:5] == ["sku", "nama", "satuan", "harga", "kelompok"]
    assert "TLR;Telur Ayam;kg;29000;animal_protein;2000000000015 9;30000;2,5;ya;tidak;ya" in text
    with db.unit_of_work() as s:
        result = csvio.import_products(s, ("\ufeff" + text).encode())
    assert (result.imported, result.updated, result.rejected) == (0, 2, [])
    with db.unit_of_work(write=False) as s:
        eggs = s.scalar(select(Product).where(Product.sku == "TLR"))
        assert (eggs.reorder_point, eggs.tracks_expiry, [b.code for b in eggs.barcodes]) == (
            D("2.5"), True, ["2000000000015", "9"])


def test_an_excel_csv_imports_row_by_row_and_reports_refused_rows(db):
    content = (
        b"SKU;Nama;Satuan;Harga;Kelompok;Barcode\r\n"
        b"brs-10;Beras Premium 10 kg;pack;Rp128.000;karbohidrat;'8991002101104\r\n"
        b"ikn;Ikan Tongkol;kg;32000;protein hewani;\r\n"
        b";Tanpa SKU;pcs;1000;;\r\n"
        b"tpg;Tepung Terigu;pack;12.000;bukan bpnt;'8991002101104\r\n"
        b"\r\n"
        b"msk;Mi Instan;dus;abc;none;\r\n"
    )
    with db.unit_of_work() as s:
        result = csvio.import_products(s, content)
    assert (result.imported, result.updated) == (2, 0)
    assert [(r["row"], r["code"]) for r in result.rejected] == [
        (4, "validation_error"), (5, "validation_error"), (7, "validation_error")]
    assert "barcode" in result.rejected[1]["message"]
    with db.unit_of_work(write=False) as s:
        rice = s.scalar(select(Product).where(Product.sku == "BRS-10"))
        assert (rice.price, rice.commodity_group, rice.barcode) == (
            128000, "carbohydrate", "8991002101104")


def test_a_file_that_is_not_a_product_csv_is_refused_whole(db):
    for content in (b"\xff\xfe\x00garbage", b"nama,harga\nBeras,1\n", b""):
        with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as s:
            csvio.import_products(s, content)
        assert "file" in caught.value.details["fields"]


_skus = itertools.count(1)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.text(st.characters(codec="utf-8"), max_size=140),
       unit=st.sampled_from(sorted(UNITS)) | st.text(st.characters(codec="utf-8"), max_size=8))
def test_any_unicode_name_is_imported_as_written_or_refused_with_a_reason(db, name, unit):
    out = io.StringIO()
    sku = f"UNI-{next(_skus)}"
    csv.writer(out, delimiter=";").writerows([["sku", "nama", "satuan", "harga", "kelompok"],
                                              [sku, name, unit, "1000", "none"]])
    with db.unit_of_work() as s:
        result = csvio.import_products(s, out.getvalue().encode())
    with db.unit_of_work(write=False) as s:
        stored = s.scalar(select(Product).where(Product.sku == sku))
    expected = name.strip()
    expected = (expected[1:] if expected.startswith("'") else expected).strip()
    if result.rejected:
        assert stored is None and result.imported == 0
        [refused] = result.rejected
        assert refused["row"] == 2 and refused["code"] == "validation_error"
        assert refused["message"]
        # a readable name of a known unit is never refused
        assert not (2 <= len(expected) <= 120 and not has_unwritable(expected)
                    and unit in UNITS), refused
    else:
        assert result.imported == 1 and stored is not None
        assert stored.name == expected
        assert not has_unwritable(stored.name)  # no ESC for a printer, no NUL for PostgreSQL
