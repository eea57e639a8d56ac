"""The shop generator: a consistent shop the real app serves, the same one for the same seed."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from aid.models import EntitlementEntry
from bench.gen.__main__ import main as gen_main
from bench.gen.databases import fresh_database
from bench.gen.shop import Size, build_shop
from ewarung.db import Database
from inventory import stock
from inventory.models import (
    SUPPLIER_KINDS,
    GoodsReceipt,
    GoodsReceiptLine,
    Product,
    StockBatch,
    StockMove,
    Supplier,
)
from pos.models import Sale, SaleLine, Tender
from tests.factories import make_token

pytestmark = pytest.mark.calendar

SMALL = Size(products=120, kpm=150, sales=1_500, days=365)


def fingerprint(url: str) -> dict[str, Any]:
    """What a shop holds, summed table by table (ids and timestamps of now left out)."""
    db = Database(url)
    with db.unit_of_work(write=False) as s:
        out = {
            "products": s.execute(select(Product.sku, Product.name, Product.price)
                                  .order_by(Product.sku)).all(),
            "sales": s.execute(select(Sale.business_day, func.count(), func.sum(Sale.total))
                               .group_by(Sale.business_day).order_by(Sale.business_day)).all(),
            "lines": s.execute(select(SaleLine.product_id, func.sum(SaleLine.quantity))
                               .group_by(SaleLine.product_id)
                               .order_by(SaleLine.product_id)).all(),
            "tenders": s.execute(select(Tender.kind, func.sum(Tender.amount))
                                 .group_by(Tender.kind).order_by(Tender.kind)).all(),
            "entitlement": s.execute(select(EntitlementEntry.kind,
                                            func.sum(EntitlementEntry.amount))
                                     .group_by(EntitlementEntry.kind)
                                     .order_by(EntitlementEntry.kind)).all(),
            "receipts": s.execute(select(Supplier.name, func.count(), func.sum(GoodsReceipt.total))
                                  .join(Supplier).group_by(Supplier.name)
                                  .order_by(Supplier.name)).all(),
        }
    db.dispose()
    return out


def test_a_generated_shop_is_consistent_and_the_real_till_sells_from_it(app, db, database_url,
                                                                       client):
    built = build_shop(database_url, SMALL, seed=3, secret=app.config["SECRET_KEY"])
    assert built.sales.sales == SMALL.sales and len(built.cards) == SMALL.kpm
    assert built.sales.last_day - built.sales.first_day >= timedelta(days=360)  # over a year
    with db.unit_of_work(write=False) as s:
        assert stock.discrepancies(s) == []  # every batch equals its movements
        # every batch came on a goods receipt from a supplier, and so did its movement
        assert s.scalar(select(func.count()).select_from(StockBatch)
                        .where(StockBatch.receipt_id.is_(None))) == 0
        assert s.scalar(select(func.count()).select_from(StockMove).where(
            StockMove.kind == "receipt", StockMove.ref_type != "goods_receipt")) == 0
        line_totals = dict(s.execute(select(GoodsReceiptLine.receipt_id,
                                            func.sum(GoodsReceiptLine.value))
                                     .group_by(GoodsReceiptLine.receipt_id)).all())
        receipts = dict(s.execute(select(GoodsReceipt.id, GoodsReceipt.total)).all())
        assert receipts == line_totals and len(receipts) == built.receipts.receipts
        mismatched = s.scalar(select(func.count()).select_from(StockBatch).join(
            GoodsReceipt, GoodsReceipt.id == StockBatch.receipt_id).where(
            GoodsReceipt.supplier_id != StockBatch.supplier_id))
        assert mismatched == 0
        kinds = set(s.scalars(select(Supplier.kind).join(
            GoodsReceipt, GoodsReceipt.supplier_id == Supplier.id)))
        assert {"third_party", "local_producer"} <= kinds <= set(SUPPLIER_KINDS)
        # no KPM redeemed more than a month's credit; payments add up to the sales
        left = s.execute(select(func.sum(EntitlementEntry.amount))
                         .group_by(EntitlementEntry.beneficiary_id, EntitlementEntry.period))
        assert min(total for (total,) in left) >= 0
        assert s.scalar(select(func.sum(Tender.amount))) == s.scalar(select(func.sum(Sale.total)))
        rice = s.scalars(select(StockBatch.product_id).join(Product).where(
            StockBatch.quantity_left >= 1, Product.commodity_group == "carbohydrate",
            Product.active.is_(True)).order_by(StockBatch.product_id).limit(1)).one()
    with db.unit_of_work() as s:
        client.token = make_token(s, "cashier")
    answer = client.post("/api/v1/sales", json={
        "client_ref": "after-build", "lines": [{"product_id": rice, "quantity": 1}],
        "tenders": [{"kind": "bpnt", "card": built.cards[0], "edc_ref": "000001"},
                    {"kind": "cash"}]})
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["tenders"][0]["kind"] == "bpnt"


def test_the_same_seed_builds_the_same_shop_and_another_seed_another(database_url, backend):
    small = Size(products=60, kpm=40, sales=400, days=365)
    build_shop(database_url, small, seed=5, secret="s")
    with fresh_database(backend) as again, fresh_database(backend) as other:
        build_shop(again, small, seed=5, secret="s")
        build_shop(other, small, seed=6, secret="s")
        first, second, third = fingerprint(database_url), fingerprint(again), fingerprint(other)
    assert first == second
    assert first["products"] != third["products"] and first["sales"] != third["sales"]


def test_the_command_builds_a_shop_ewarung_can_serve_and_never_overwrites_one(tmp_path, capsys):
    data = tmp_path / "shop"
    args = ["--size", "small", "--products", "40", "--kpm", "30", "--sales", "200",
            "--data-dir", str(data)]
    assert gen_main(args) == 0
    said = capsys.readouterr().out
    assert "200 sales" in said and f"EWARUNG_DATA_DIR={data}" in said
    assert (data / "secret_key").stat().st_mode & 0o077 == 0
    assert fingerprint(f"sqlite:///{data / 'ewarung.sqlite3'}")["tenders"]
    assert gen_main(args) == 1  # the shop is there already: left as it is
    assert "exists already" in capsys.readouterr().err


def test_the_command_fills_a_database_given_by_url(database_url, tmp_path):
    assert gen_main(["--size", "small", "--products", "30", "--kpm", "20", "--sales", "100",
                     "--data-dir", str(tmp_path / "d"), "--database-url", database_url]) == 0
    assert sum(n for _, n, _ in fingerprint(database_url)["sales"]) == 100
