"""Stocktakes: counted blind, approved against the ledger at approval time."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy import select

from ewarung.errors import Conflict
from inventory import stock, stocktake
from inventory.models import StockMove
from tests.factories import make_product, make_stock


def _sell(db, product, qty, ref):
    with db.unit_of_work() as s:
        stock.issue(s, product.id, qty, ref_type="sale", ref_id=ref)


def _count(db, take_id, product, counted):
    with db.unit_of_work() as s:
        stocktake.record_counts(s, take_id, [{"product_id": product.id, "counted": counted}])


def test_sales_during_counting_are_not_taken_for_shrinkage(db):
    with db.unit_of_work() as s:
        eggs = make_product(s, "Telur", unit="kg", commodity_group="animal_protein")
        make_stock(s, eggs, "8", 25000, date(2030, 1, 1))
        make_stock(s, eggs, "12", 27000, date(2030, 1, 9))
        tofu = make_product(s, "Tahu", unit="pcs", commodity_group="plant_protein")
        make_stock(s, tofu, 50, 600)
        beans = make_product(s, "Kacang Tanah", unit="kg", commodity_group="plant_protein")
        make_stock(s, beans, 5, 22000)
        take_id = stocktake.start_stocktake(s, "akhir bulan").id
    _sell(db, eggs, "2", 1)        # before eggs are counted: the shelf shows it gone
    _count(db, take_id, eggs, "17")  # 18 expected: 1 kg really missing
    _sell(db, eggs, "3", 2)        # while the rest of the shop is counted
    _count(db, take_id, tofu, "50")
    _sell(db, tofu, 10, 3)
    _count(db, take_id, beans, "5")
    with db.unit_of_work() as s:
        make_stock(s, beans, 10, 21000)  # delivered after beans were counted
    with db.unit_of_work() as s:
        preview = {v.product_id: v.variance for v in stocktake.preview(s, take_id)}
    assert preview == {eggs.id: D("-1"), tofu.id: 0, beans.id: 0}
    with db.unit_of_work() as s:
        stocktake.approve_stocktake(s, take_id)
    with db.unit_of_work(write=False) as s:
        posted = s.execute(select(StockMove.product_id, StockMove.quantity, StockMove.value)
                           .where(StockMove.kind == "stocktake")).all()
        assert posted == [(eggs.id, D("-1"), -25000)]  # FEFO: the earlier batch's cost
        assert stock.on_hand(s, eggs.id) == D("14")
        assert stock.on_hand(s, tofu.id) == 40 and stock.on_hand(s, beans.id) == 15
        lines = {ln.product_id: ln for ln in stocktake.get_stocktake(s, take_id).lines}
        assert (lines[eggs.id].expected, lines[eggs.id].value) == (D("18"), -25000)
        assert stock.discrepancies(s) == []


def test_stock_found_at_count_goes_into_the_newest_batch_at_its_cost(db):
    with db.unit_of_work() as s:
        rice = make_product(s, "Beras 5 kg", unit="pack")
        make_stock(s, rice, 4, 60000)
        newest = make_stock(s, rice, 2, 62000)
        take_id = stocktake.start_stocktake(s).id
    _count(db, take_id, rice, 8)
    with db.unit_of_work() as s:
        take = stocktake.approve_stocktake(s, take_id)
        assert take.lines[0].variance == 2 and take.lines[0].value == 124000
    with db.unit_of_work(write=False) as s:
        assert s.execute(select(StockMove.batch_id, StockMove.quantity)
                         .where(StockMove.kind == "stocktake")).all() == [(newest, D(2))]


def test_two_overlapping_counts_never_post_the_same_shrinkage_twice(db):
    with db.unit_of_work() as s:
        sugar = make_product(s, "Gula", unit="pack", commodity_group="none")
        make_stock(s, sugar, 10, 15000)
        first = stocktake.start_stocktake(s).id
        second = stocktake.start_stocktake(s).id
    _count(db, first, sugar, 7)
    _count(db, second, sugar, 7)
    for take_id in (first, second):
        with db.unit_of_work() as s:
            stocktake.approve_stocktake(s, take_id)
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, sugar.id) == 7
        assert [ln.variance for ln in stocktake.get_stocktake(s, second).lines] == [0]


def test_a_shortfall_beyond_the_ledger_is_posted_below_zero(db):
    with db.unit_of_work() as s:
        soap = make_product(s, "Sabun", unit="pcs", commodity_group="none")
        make_stock(s, soap, 3, 4000)
        take_id = stocktake.start_stocktake(s).id
    _count(db, take_id, soap, 0)
    _sell(db, soap, 3, 9)  # sold after a count of zero: the ledger is wrong somewhere
    with db.unit_of_work() as s:
        stocktake.approve_stocktake(s, take_id)
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, soap.id) == -3  # counted 0, then 3 sold: the truth
        assert stock.discrepancies(s) == []


def test_counting_again_replaces_the_count_and_closed_counts_are_final(db):
    with db.unit_of_work() as s:
        p = make_product(s, unit="kg")
        make_stock(s, p, 5, 1000)
        take_id = stocktake.start_stocktake(s).id
    _count(db, take_id, p, "4")
    _count(db, take_id, p, "4.5")
    with db.unit_of_work() as s:
        assert [v.counted for v in stocktake.preview(s, take_id)] == [D("4.5")]
        stocktake.cancel_stocktake(s, take_id)
    with pytest.raises(Conflict), db.unit_of_work() as s:
        stocktake.approve_stocktake(s, take_id)
    with pytest.raises(Conflict), db.unit_of_work() as s:
        stocktake.record_counts(s, take_id, [{"product_id": p.id, "counted": "1"}])
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, p.id) == 5
