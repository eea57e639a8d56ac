"""Two sales racing for the last unit, on real threads and real databases."""

from __future__ import annotations

import threading
from decimal import Decimal as D

from sqlalchemy import func, select

from inventory import stock
from inventory.ledger import InsufficientStock
from inventory.models import StockMove
from tests.factories import make_product, make_stock

WAIT_S = 20


def _race(db, product_id, hold_s=0.3):
    """Sale 1 takes the unit and holds its transaction open while sale 2 tries too."""
    first_took = threading.Event()
    results: dict[str, object] = {}

    def sale(name: str, ref_id: int, before=None, after=None) -> None:
        try:
            if before is not None:
                assert before.wait(WAIT_S)
            with db.unit_of_work() as s:
                results[name] = stock.issue(s, product_id, 1, ref_type="sale", ref_id=ref_id)
                if after is not None:
                    after.set()
                    threading.Event().wait(hold_s)  # still uncommitted while sale 2 runs
        except InsufficientStock as exc:
            results[name] = exc
        except Exception as exc:  # surfaced by the assertions below
            results[name] = exc

    one = threading.Thread(target=sale, args=("first", 1), kwargs={"after": first_took})
    two = threading.Thread(target=sale, args=("second", 2), kwargs={"before": first_took})
    one.start()
    two.start()
    one.join(WAIT_S)
    two.join(WAIT_S)
    return results


def test_two_sales_of_the_last_unit_one_wins_the_other_is_refused(db):
    with db.unit_of_work() as s:
        rice = make_product(s, "Beras Premium 5 kg", unit="pack")
        make_stock(s, rice, 1, 65000)
    results = _race(db, rice.id)
    assert isinstance(results["first"], list), results
    assert isinstance(results["second"], InsufficientStock), results
    assert results["second"].code == "insufficient_stock"
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, rice.id) == 0
        sales = s.execute(select(StockMove.ref_id, StockMove.quantity)
                          .where(StockMove.kind == "sale")).all()
        assert sales == [(1, D(-1))]
        assert stock.discrepancies(s) == []


def test_many_concurrent_sales_never_sell_more_than_was_received(db):
    with db.unit_of_work() as s:
        eggs = make_product(s, "Telur", unit="kg", commodity_group="animal_protein")
        make_stock(s, eggs, 5, 27000)
        make_stock(s, eggs, 3, 26000)
    outcomes: list[object] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def sale(ref_id: int) -> None:
        start.wait(WAIT_S)
        for attempt in range(3):
            try:
                with db.unit_of_work() as s:
                    stock.issue(s, eggs.id, 1, ref_type="sale", ref_id=ref_id * 10 + attempt)
                outcome: object = "sold"
            except InsufficientStock:
                outcome = "refused"
            with lock:
                outcomes.append(outcome)

    threads = [threading.Thread(target=sale, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT_S)
    assert outcomes.count("sold") == 8 and outcomes.count("refused") == 10
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, eggs.id) == 0
        assert s.scalar(select(func.sum(StockMove.value)).where(StockMove.kind == "sale")) \
            == -(5 * 27000 + 3 * 26000)
        assert stock.discrepancies(s) == []


def test_whole_sales_listing_products_in_any_order_never_deadlock(db):
    with db.unit_of_work() as s:
        a, b = make_product(s, "Tempe"), make_product(s, "Tahu")
        make_stock(s, a, 1, 2500)
        make_stock(s, b, 1, 600)
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def sale(lines, ref_id):
        start.wait(WAIT_S)
        try:
            with db.unit_of_work() as s:
                stock.issue_many(s, lines, ref_type="sale", ref_id=ref_id)
                threading.Event().wait(0.2)
            outcomes.append("sold")
        except InsufficientStock:
            outcomes.append("refused")

    threads = [threading.Thread(target=sale, args=([(a.id, 1), (b.id, 1)], 1)),
               threading.Thread(target=sale, args=([(b.id, 1), (a.id, 1)], 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(WAIT_S)
    assert sorted(outcomes) == ["refused", "sold"]
    with db.unit_of_work(write=False) as s:
        assert stock.on_hand(s, a.id) == 0 and stock.on_hand(s, b.id) == 0
        assert stock.discrepancies(s) == []
