"""The cached balances of batches always equal the ledger, through the real services.

Hypothesis plays random sequences of receipts, sales, returns, write-offs, hand
adjustments, stocktakes and receipt reversals against a real database (both kinds); after
each sequence every batch's cached quantity and value equal the sums of its movements,
on-hand equals the sum of the product's movements, no batch but an overdraft is negative,
and what the receipts cost equals what went out plus what is left, to the Rupiah.
"""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from ewarung.errors import AppError
from inventory import adjustments, ledger, receiving, stock, stocktake
from inventory.models import GoodsReceipt, GoodsReceiptLine, Product, StockBatch, StockMove
from tests.factories import make_goods_receipt, make_product, make_supplier

MILLI = Decimal("0.001")
qty = st.integers(1, 9000).map(lambda n: n * MILLI)
steps = st.lists(st.one_of(
    st.tuples(st.just("receive"), qty, st.integers(0, 90000)),
    st.tuples(st.just("sell"), qty),
    st.tuples(st.just("return"), st.floats(0.1, 1.0)),
    st.tuples(st.just("write_off"), st.floats(0.1, 1.0)),
    st.tuples(st.just("adjust"), st.integers(-5000, 5000).filter(bool).map(lambda n: n * MILLI)),
    st.tuples(st.just("count"), st.integers(0, 20000).map(lambda n: n * MILLI)),
    st.tuples(st.just("reverse"), st.floats(0.1, 1.0)),
), min_size=1, max_size=12)


def _play(db, product_id, supplier, plan):
    sales: list[list[ledger.Allocation]] = []
    receipts: list[int] = []
    for ref, step in enumerate(plan):
        try:
            with db.unit_of_work() as s:
                _step(s, product_id, supplier, step, ref, sales, receipts)
        except AppError:
            pass  # a refusal (not enough stock, nothing left to reverse): nothing written


def _step(s, product_id, supplier, step, ref, sales, receipts):
    kind = step[0]
    if kind == "receive":
        product = s.get(Product, product_id)
        receipts.append(make_goods_receipt(s, [(product, step[1], step[2])], supplier=supplier).id)
    elif kind == "sell":
        sales.append(stock.issue(s, product_id, step[1], ref_type="sale", ref_id=ref))
    elif kind == "return" and sales:
        sold = sales.pop()
        total = sum(a.quantity for a in sold)
        part = max(MILLI, (total * Decimal(str(step[1]))).quantize(MILLI))
        stock.restore(s, ledger.portion(sold, min(part, total)), ref_type="sale_return",
                      ref_id=ref)
    elif kind == "write_off":
        live = stock.live_batches(s, product_id)
        if live:
            b = live[0]
            amount = max(MILLI, (b.quantity * Decimal(str(step[1]))).quantize(MILLI))
            adjustments.write_off(s, {"product_id": product_id, "batch_id": b.id,
                                      "quantity": min(amount, b.quantity), "reason": "damaged"})
    elif kind == "adjust":
        adjustments.adjust(s, {"product_id": product_id, "quantity": step[1],
                               "reason": "correction"})
    elif kind == "count":
        take = stocktake.start_stocktake(s)
        stocktake.record_counts(s, take.id, [{"product_id": product_id, "counted": step[1]}])
        stocktake.approve_stocktake(s, take.id)
    elif kind == "reverse" and receipts:
        receipt = receiving.get_receipt(s, receipts.pop(0))
        line = receipt.lines[0]
        left = s.get(StockBatch, line.batch_id).quantity_left
        amount = (line.quantity * Decimal(str(step[1]))).quantize(MILLI)
        if 0 < amount <= left:
            receiving.reverse_receipt(s, receipt.id, {line.id: amount})


def _check(db, product_id):
    with db.unit_of_work(write=False) as s:
        assert stock.discrepancies(s) == []
        moved = s.scalar(select(func.sum(StockMove.quantity))
                         .where(StockMove.product_id == product_id)) or 0
        assert stock.on_hand(s, product_id) == moved
        batches = s.scalars(select(StockBatch).where(StockBatch.product_id == product_id)).all()
        for b in batches:
            if not b.overdraft:
                assert b.quantity_left >= 0 and b.value_left >= 0
                assert b.value_left == 0 or b.quantity_left > 0
        paid = s.scalar(select(func.sum(GoodsReceiptLine.value))
                        .join(GoodsReceipt, GoodsReceipt.id == GoodsReceiptLine.receipt_id)
                        .where(GoodsReceiptLine.product_id == product_id,
                               GoodsReceipt.reverses_id.is_(None))) or 0
        went_out = -(s.scalar(select(func.sum(StockMove.value)).where(
            StockMove.product_id == product_id, StockMove.kind != "receipt")) or 0)
        assert paid == went_out + sum(b.value_left for b in batches)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=steps, allow_negative=st.booleans())
def test_batch_balances_always_equal_the_ledger(db, plan, allow_negative):
    with db.unit_of_work() as s:
        supplier = make_supplier(s)
        product_id = make_product(s, unit="kg", allow_negative=allow_negative).id
    _play(db, product_id, supplier, plan)
    _check(db, product_id)
