"""The stock service the selling domain calls: FEFO issue, refusal, negative stock, restore."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DatabaseError

from inventory import stock
from inventory.ledger import InsufficientStock
from inventory.models import StockBatch, StockMove
from tests.factories import make_product, make_stock, make_user

pytestmark = pytest.mark.calendar


def _moves(s, ref_type="sale"):
    return s.execute(select(StockMove.batch_id, StockMove.kind, StockMove.quantity,
                            StockMove.value, StockMove.unit_cost, StockMove.ref_id)
                     .where(StockMove.ref_type == ref_type).order_by(StockMove.id)).all()


def test_a_sale_of_eggs_takes_the_batch_expiring_first_at_its_cost(db):
    with db.unit_of_work() as s:
        eggs = make_product(s, "Telur Ayam Negeri", unit="kg", price=29000,
                            commodity_group="animal_protein", tracks_expiry=True)
        later = make_stock(s, eggs, "10", 27000, date(2030, 1, 20))
        earlier = make_stock(s, eggs, "10", 25500, date(2030, 1, 12))
    with db.unit_of_work() as s:
        taken = stock.issue(s, eggs.id, "1.5", ref_type="sale", ref_id=7)
    assert [(a.batch_id, a.quantity, a.value) for a in taken] == [(earlier, D("1.5"), 38250)]
    with db.unit_of_work(write=False) as s:
        assert _moves(s) == [(earlier, "sale", D("-1.5"), -38250, 25500, 7)]
        left = dict(s.execute(select(StockBatch.id, StockBatch.quantity_left)).all())
        assert left == {earlier: D("8.5"), later: D("10")}
        assert stock.on_hand(s, eggs.id) == D("18.5")


def test_a_sale_larger_than_the_first_batch_empties_it_then_moves_on(db):
    with db.unit_of_work() as s:
        rice = make_product(s, "Beras 5 kg", unit="pack", price=68000)
        first = make_stock(s, rice, 3, 60000)
        second = make_stock(s, rice, 10, 62000)
    with db.unit_of_work() as s:
        taken = stock.issue(s, rice.id, 5, ref_type="sale", ref_id=1)
    assert [(a.batch_id, a.quantity, a.value) for a in taken] == [
        (first, D(3), 180000), (second, D(2), 124000)]


def test_selling_more_than_on_hand_is_refused_and_writes_nothing(db):
    with db.unit_of_work() as s:
        oil = make_product(s, "Minyak Goreng 1 L", unit="botol", commodity_group="none")
        make_stock(s, oil, 2, 15000)
    with pytest.raises(InsufficientStock) as caught, db.unit_of_work() as s:
        stock.issue(s, oil.id, 3, ref_type="sale", ref_id=1)
    assert caught.value.code == "insufficient_stock" and caught.value.status == 409
    assert caught.value.details == {"product_id": oil.id, "available": "2.000",
                                    "requested": "3.000"}
    with db.unit_of_work(write=False) as s:
        assert _moves(s) == [] and stock.on_hand(s, oil.id) == 2


def test_a_product_allowing_negative_stock_sells_from_its_overdraft_then_a_receipt_fills_it(db):
    with db.unit_of_work() as s:
        veg = make_product(s, "Kangkung", unit="ikat", price=3000,
                           commodity_group="vitamins_minerals", allow_negative=True)
        make_stock(s, veg, 2, 2000)
    with db.unit_of_work() as s:
        taken = stock.issue(s, veg.id, 5, ref_type="sale", ref_id=1)
        assert stock.on_hand(s, veg.id) == -3
    assert [a.quantity for a in taken] == [2, 3]
    assert taken[1].value == 6000  # the overdraft is costed at the latest unit cost
    with db.unit_of_work() as s:
        make_stock(s, veg, 10, 2500)
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, veg.id) == 7
        rows = s.execute(select(StockBatch.overdraft, StockBatch.quantity_left,
                                StockBatch.value_left).order_by(StockBatch.id)).all()
        # the hole is closed exactly; the new batch keeps 7 at its own cost
        assert rows == [(False, 0, 0), (True, 0, 0), (False, 7, 17500)]
        adjustments = s.scalar(select(func.sum(StockMove.value))
                               .where(StockMove.kind == "adjustment"))
        assert adjustments == -1500  # 3 × (2.500 − 2.000): the estimate corrected
        assert stock.discrepancies(s) == []


def test_restore_puts_goods_and_their_value_back_into_the_same_batches(db):
    with db.unit_of_work() as s:
        fish = make_product(s, "Ikan Bandeng", unit="kg", commodity_group="animal_protein")
        a = make_stock(s, fish, "1.2", 33333, date(2030, 1, 1))
        b = make_stock(s, fish, "5", 31000, date(2030, 1, 3))
        user = make_user(s, "cashier")
    with db.unit_of_work() as s:
        taken = stock.issue(s, fish.id, "2", ref_type="sale", ref_id=3)
    with db.unit_of_work() as s:
        stock.restore(s, taken, ref_type="sale_return", ref_id=4)
    with db.unit_of_work(write=False) as s:
        balances = dict(s.execute(select(StockBatch.id, StockBatch.value_left)).all())
        assert balances == {a: 40000, b: 155000}
        back = _moves(s, "sale_return")
        assert [(m.batch_id, m.kind, m.quantity) for m in back] == [
            (a, "return", D("1.2")), (b, "return", D("0.8"))]
        assert sum(m.value for m in back) == sum(x.value for x in taken)
        assert stock.discrepancies(s) == []
    assert user.id


def test_every_movement_records_who_and_when(db, app):
    from ewarung import audit

    with db.unit_of_work() as s:
        p = make_product(s)
        make_stock(s, p, 5, 1000)
        cashier = make_user(s, "cashier")
    token = audit.begin_acting(cashier.id)
    try:
        with db.unit_of_work() as s:
            stock.issue(s, p.id, 1, ref_type="sale", ref_id=11)
    finally:
        audit.end_acting(token)
    with db.unit_of_work(write=False) as s:
        move = s.scalars(select(StockMove).where(StockMove.kind == "sale")).one()
        assert move.user_id == cashier.id and move.at is not None
        assert (move.ref_type, move.ref_id, move.product_id) == ("sale", 11, p.id)


def test_the_ledger_is_append_only(db):
    with db.unit_of_work() as s:
        make_stock(s, make_product(s), 5, 1000)
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        s.execute(update(StockMove).values(quantity=D(1)))
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        s.execute(text("DELETE FROM stock_moves"))
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        s.execute(text("UPDATE goods_receipt_lines SET unit_cost = 1"))


def test_a_batch_can_never_be_stored_negative(db):
    with db.unit_of_work() as s:
        batch_id = make_stock(s, make_product(s), 5, 1000)
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        s.execute(update(StockBatch).where(StockBatch.id == batch_id)
                  .values(quantity_left=D(-1)))


def test_bad_issue_input_is_refused_naming_the_quantity(db):
    from ewarung.errors import ValidationFailed

    with db.unit_of_work() as s:
        p = make_product(s)
        make_stock(s, p, 5, 1000)
    for bad in ("0", "-1", "1.0001"):
        with pytest.raises(ValidationFailed) as caught, db.unit_of_work() as s:
            stock.issue(s, p.id, bad, ref_type="sale", ref_id=1)
        assert list(caught.value.details["fields"]) == ["quantity"]


def test_fefo_reads_through_the_stock_index_on_sqlite(sqlite_template):
    # PostgreSQL picks its plan from statistics; SQLite's choice is fixed by the schema.
    from ewarung.db import Database

    db = Database(f"sqlite:///{sqlite_template}")
    compiled = stock.live_stmt(1).compile(dialect=db.engine.dialect)
    with db.engine.connect() as conn:
        plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + str(compiled),
                                    tuple(0 for _ in compiled.positiontup or ())).all()
    db.dispose()
    assert "ix_stock_batches_stock (product_id=? AND quantity_left>?)" in str(plan)


def test_a_whole_sale_is_issued_at_once_fefo_per_line_and_in_line_order(db):
    with db.unit_of_work() as s:
        eggs = make_product(s, "Telur", unit="kg")
        rice = make_product(s, "Beras", unit="pack")
        old = make_stock(s, eggs, "2", 25000, date(2030, 1, 1))
        new = make_stock(s, eggs, "10", 27000, date(2030, 2, 1))
        sack = make_stock(s, rice, 5, 60000)
    with db.unit_of_work() as s:
        plans = stock.issue_many(s, [(rice.id, 1), (eggs.id, "1.5"), (eggs.id, "1")],
                                 ref_type="sale", ref_id=9)
    assert [[(a.batch_id, a.quantity, a.value) for a in plan] for plan in plans] == [
        [(sack, D(1), 60000)], [(old, D("1.5"), 37500)],
        [(old, D("0.5"), 12500), (new, D("0.5"), 13500)]]
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, eggs.id) == D("9.5") and stock.discrepancies(s) == []


def test_one_short_line_refuses_the_whole_sale_before_writing(db):
    with db.unit_of_work() as s:
        a, b = make_product(s), make_product(s)
        make_stock(s, a, 5, 1000)
        make_stock(s, b, 1, 1000)
    with pytest.raises(InsufficientStock) as caught, db.unit_of_work() as s:
        stock.issue_many(s, [(a.id, 2), (b.id, 2)], ref_type="sale", ref_id=1)
    assert caught.value.details["product_id"] == b.id
    with db.unit_of_work(write=False) as s:
        assert _moves(s) == [] and stock.on_hand(s, a.id) == 5
