"""Goods receipts: batches, dates, and corrections by reversing receipts."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from sqlalchemy import select

from ewarung.errors import ValidationFailed
from inventory import receiving, stock
from inventory.models import GoodsReceipt, StockBatch, StockMove
from inventory.receiving import ReversalExceedsStock
from tests.factories import make_goods_receipt, make_product, make_supplier
from tests.helpers import shop_date

pytestmark = pytest.mark.calendar


def test_each_line_becomes_a_batch_with_its_expiry_cost_and_supplier(db):
    expires = shop_date(5)
    with db.unit_of_work() as s:
        supplier = make_supplier(s, "local_producer", "Bu Ijah (tempe)")
        tempe = make_product(s, "Tempe", unit="pcs", tracks_expiry=True,
                             commodity_group="plant_protein")
        receipt = make_goods_receipt(s, [(tempe, 40, 2500, expires)], supplier=supplier,
                               reference="nota 17")
    with db.unit_of_work(write=False) as s:
        batch = s.scalars(select(StockBatch)).one()
        assert (batch.product_id, batch.supplier_id, batch.receipt_id) == (
            tempe.id, supplier.id, receipt.id)
        assert (batch.expires_on, batch.unit_cost, batch.quantity_left, batch.value_left) == (
            expires, 2500, D(40), 100000)
        move = s.scalars(select(StockMove)).one()
        assert (move.kind, move.ref_type, move.ref_id, move.value) == (
            "receipt", "goods_receipt", receipt.id, 100000)


@pytest.mark.parametrize(("change", "field"), [
    ({"received_on": 1}, "received_on"),  # days from today
    ({"expires_on": -1}, "lines.0.expires_on"),
    ({"expires_on": "31-02-2030"}, "lines.0.expires_on"),
    ({"unit_cost": "12,5"}, "lines.0.unit_cost"),
])
def test_impossible_dates_and_costs_are_refused(db, change, field):
    with db.unit_of_work() as s:
        supplier = make_supplier(s)
        p = make_product(s, unit="kg", tracks_expiry=True)
    line = {"product_id": p.id, "quantity": "1", "unit_cost": 1000,
            "expires_on": shop_date(3)}
    body = {"supplier_id": supplier.id, "lines": [line]}
    for key, value in change.items():
        value = shop_date(value).isoformat() if isinstance(value, int) else value
        (body if key == "received_on" else line)[key] = value
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as s:
        receiving.receive_goods(s, body)
    assert field in caught.value.details["fields"]


def test_a_partial_reversal_takes_back_only_what_is_left(db):
    with db.unit_of_work() as s:
        p = make_product(s, "Telur", unit="kg")
        receipt = make_goods_receipt(s, [(p, "100", 26000)])  # 100 entered, 10 delivered
        line_id = receipt.lines[0].id
    with db.unit_of_work() as s:
        stock.issue(s, p.id, "5", ref_type="sale", ref_id=1)
    with pytest.raises(ReversalExceedsStock), db.unit_of_work() as s:
        receiving.reverse_receipt(s, receipt.id)  # 5 kg are sold: all 100 cannot go back
    with db.unit_of_work() as s:
        reversal = receiving.reverse_receipt(s, receipt.id, {line_id: "90"}, "salah ketik")
        assert reversal.total == -90 * 26000 and reversal.received_on == receipt.received_on
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, p.id) == 5
        kinds = s.execute(select(StockMove.kind, StockMove.quantity).order_by(StockMove.id))
        assert kinds.all() == [("receipt", D(100)), ("sale", D(-5)),
                               ("receipt_reversal", D(-90))]
        assert s.scalar(select(GoodsReceipt.reverses_id).where(
            GoodsReceipt.id == reversal.id)) == receipt.id
        assert stock.discrepancies(s) == []


def test_reversing_more_than_a_line_received_is_refused(db):
    with db.unit_of_work() as s:
        p = make_product(s)
        receipt = make_goods_receipt(s, [(p, 3, 1000)])
        line_id = receipt.lines[0].id
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as s:
        receiving.reverse_receipt(s, receipt.id, {line_id: "4"})
    assert list(caught.value.details["fields"]) == [f"lines.{line_id}"]


def test_an_inactive_supplier_cannot_deliver(db):
    with db.unit_of_work() as s:
        supplier = make_supplier(s, active=False)
        p = make_product(s)
    with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as s:
        make_goods_receipt(s, [(p, 1, 1000)], supplier=supplier)
    assert "supplier_id" in caught.value.details["fields"]
