"""Goods receipts, their reversals, write-offs and stocktakes announce themselves in the
outbox (`ewarung.outbox`) in their own transaction, with what the district reads from them:
the supplier's kind, quantities and values."""

from __future__ import annotations

from sqlalchemy import select

from ewarung.outbox import OutboxEvent
from inventory import adjustments, receiving, stocktake
from tests.factories import make_goods_receipt, make_product, make_supplier


def events(db) -> list[OutboxEvent]:
    with db.unit_of_work(write=False) as s:
        found = list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)))
    assert [e.seq for e in found] == list(range(1, len(found) + 1))  # no gap
    return found


def test_stock_facts_announce_themselves_in_order(db):
    with db.unit_of_work() as s:
        supplier = make_supplier(s, "local_producer", "Bu Ijah (tempe)")
        tempe = make_product(s, "Tempe", unit="pcs")
        receipt = make_goods_receipt(s, [(tempe, 40, 2500, None)], supplier=supplier)
        receipt_id, product_id = receipt.id, tempe.id
        batch_id, line_id = receipt.lines[0].batch_id, receipt.lines[0].id
    with db.unit_of_work() as s:
        adjustments.write_off(s, {"product_id": product_id, "batch_id": batch_id,
                                  "quantity": 3, "reason": "damaged"})
    with db.unit_of_work() as s:
        take = stocktake.start_stocktake(s)
        stocktake.record_counts(s, take.id, [{"product_id": product_id, "counted": 35}])
        stocktake.approve_stocktake(s, take.id)
    with db.unit_of_work() as s:
        receiving.reverse_receipt(s, receipt_id, {line_id: 35}, note="salah kirim")
    kinds = [e.kind for e in events(db)]
    assert kinds == ["goods_receipt", "stock.write_off", "stocktake", "goods_receipt.reverse"]
    received, written_off, counted, reversed_ = (e.payload for e in events(db))
    assert (received["supplier_kind"], received["total"]) == ("local_producer", 40 * 2500)
    assert received["lines"] == [{"product_id": product_id, "quantity": "40.000",
                                  "unit_cost": 2500, "value": 100_000}]
    assert (written_off["quantity"], written_off["value"]) == ("3.000", -7_500)  # stock out
    assert [(ln["counted"], ln["variance"]) for ln in counted["lines"]] == [("35.000", "-2.000")]
    assert (reversed_["receipt_id"], reversed_["total"]) == (receipt_id, -35 * 2500)


def test_a_refused_receipt_announces_nothing(db):
    with db.unit_of_work() as s:
        supplier = make_supplier(s)
        product = make_product(s)
    body = {"supplier_id": supplier.id, "lines": [{"product_id": product.id, "quantity": "-1",
                                                   "unit_cost": 1000}]}
    try:
        with db.unit_of_work() as s:
            receiving.receive_goods(s, body)
    except Exception as exc:  # the refusal itself is tested in test_receiving
        assert getattr(exc, "code", None) == "validation_error"
    assert events(db) == []
