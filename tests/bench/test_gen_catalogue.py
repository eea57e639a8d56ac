"""The benchmark catalogue generator: realistic, valid, and usable by the real services."""

from __future__ import annotations

from sqlalchemy import func, select

from bench.gen.catalogue import ean13, generate_products, generate_stock
from inventory import stock
from inventory.models import Barcode, Product
from inventory.search import search_products
from tests.factories import make_product


def test_generated_products_are_valid_unique_and_searchable(db):
    with db.unit_of_work() as s:
        ids = generate_products(s, 300, seed=4)
        generate_stock(s, ids, seed=4)
        more = generate_products(s, 50, seed=5)
        make_product(s, "Dibuat Sesudahnya")  # the id sequences moved past the generated rows
    assert len(set(ids + more)) == 350
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Product)) == 351
        codes = s.scalars(select(Barcode.code)).all()
        assert len(codes) == len(set(codes)) >= 350
        assert all(code == ean13(code[:12]) for code in codes)
        assert search_products(s, codes[0])[0].barcode is not None
        assert stock.discrepancies(s) == []
        assert len(search_products(s, "beras", 100)) > 0


def test_ean13_check_digits():
    assert ean13("899100210110") == "8991002101104"
    assert ean13("400638133393") == "4006381333931"
