"""The pure stock core: FEFO order, costing to the Rupiah, overdrafts, stocktake variance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest

from ewarung.errors import ValidationFailed
from inventory import ledger
from inventory.ledger import Allocation, Batch


def batch(id_, qty, value, cost=0, expires=None, overdraft=False):
    return Batch(id_, D(qty), value, cost, expires, overdraft)


def test_fefo_takes_earliest_expiry_first_undated_last_then_receipt_order():
    batches = [batch(1, "1", 0, expires=date(2030, 1, 9)), batch(2, "1", 0),
               batch(3, "1", 0, expires=date(2030, 1, 5)),
               batch(4, "1", 0, expires=date(2030, 1, 5)), batch(5, "1", 0),
               batch(6, "0", 0, expires=date(2029, 1, 1))]
    assert [b.id for b in ledger.fefo(batches)] == [3, 4, 1, 2, 5]


def test_allocation_spans_batches_and_reports_what_is_missing():
    batches = [batch(1, "2", 20000, 10000, date(2030, 1, 2)),
               batch(2, "5", 45000, 9000, date(2030, 1, 1))]
    plan, missing = ledger.allocate(batches, D("6"))
    assert plan == [Allocation(2, D("5"), 45000), Allocation(1, D("1"), 10000)]
    assert missing == 0
    plan, missing = ledger.allocate(batches, D("9.5"))
    assert sum(a.quantity for a in plan) == D("7") and missing == D("2.5")


@pytest.mark.parametrize(("takes", "values"), [
    # 3 kg for Rp10.000: thirds round half up, the last take gets exactly what is left
    (["1", "1", "1"], [3333, 3334, 3333]),
    (["0.5", "2.5"], [1667, 8333]),
    (["3"], [10000]),
    (["0.001", "2.999"], [3, 9997]),
])
def test_taking_a_batch_in_parts_costs_exactly_its_value(takes, values):
    b = batch(1, "3", 10000, 3333)
    got = []
    for qty in takes:
        (a,), _ = ledger.allocate([b], D(qty))
        ledger.take({1: b}, [a])
        got.append(a.value)
    assert got == values and sum(got) == 10000
    assert b.quantity == 0 and b.value == 0


def test_receipt_value_is_rounded_by_the_shop_policy():
    b = batch(1, "0", 0)
    move = ledger.receive(b, D("1.5"), 13333)
    assert move.value == 20000 and b.value == 20000  # 19.999,5 rounds up


def test_overdraft_is_filled_first_and_closes_exactly():
    over = batch(9, "0", 0, 27000, overdraft=True)
    a = ledger.overdraw(over, D("2"), 27000)
    ledger.take({9: over}, [a])
    assert (over.quantity, over.value) == (D("-2"), -54000)
    new = batch(10, "0", 0)
    ledger.receive(new, D("10"), 25000)
    moves = ledger.settle(over, new)
    assert (over.quantity, over.value) == (0, 0)
    assert (new.quantity, new.value) == (D("8"), 200000)
    # the estimate (27.000) was 2 × 2.000 too high: the pair of moves carries the difference
    assert sum(m.value for m in moves) == 4000


def test_a_gain_fills_the_overdraft_then_goes_to_the_newest_batch_at_its_cost():
    over = batch(3, "-1", -5000, 5000, overdraft=True)
    older, newest = batch(1, "0", 0, 4000), batch(2, "1", 6000, 6000)
    moves = ledger.gain([older, newest, over], D("3"))
    assert [(m.batch_id, m.quantity, m.value) for m in moves] == [
        (3, D("1"), 5000), (2, D("2"), 12000)]
    assert (over.quantity, over.value) == (0, 0)


def test_portion_returns_freshest_batches_first_and_whole_parts_exactly():
    sold = [Allocation(1, D("2"), 19999), Allocation(2, D("3"), 30000)]
    assert ledger.portion(sold, D("4")) == [Allocation(2, D("3"), 30000),
                                            Allocation(1, D("1"), 10000)]
    with pytest.raises(ValueError):
        ledger.portion(sold, D("6"))


@pytest.mark.parametrize(("counted", "now", "since", "variance"), [
    ("10", "10", "0", "0"),     # nothing moved, nothing missing
    ("7", "7", "-2", "-2"),     # 2 sold after counting: still 2 short, not 4
    ("7", "6", "-3", "-2"),     # sold 3 while counting; counted 7 when 9 were expected
    ("7", "12", "+5", "0"),     # a delivery arrived after the count: no difference
    ("3", "0", "0", "3"),       # found stock the ledger did not know
])
def test_stocktake_variance_ignores_what_moved_after_the_count(counted, now, since, variance):
    assert ledger.stocktake_variance(D(counted), D(now), D(since)) == D(variance)


@pytest.mark.parametrize(("raw", "expected"), [
    ("1.5", D("1.500")), ("1,5", D("1.500")), (2, D("2.000")), (0.125, D("0.125")),
    (" 3 ", D("3.000")), (D("0.001"), D("0.001")),
])
def test_quantities_accept_points_commas_and_numbers(raw, expected):
    assert ledger.parse_quantity(raw, "q") == expected


@pytest.mark.parametrize(("raw", "why"), [
    ("1.2345", "3 angka"), ("0", "lebih dari nol"), ("-1", "negatif"), ("abc", "angka"),
    (True, "angka"), ("", "angka"), (None, "angka"), ("1e9", "terlalu besar"),
    (float("nan"), "angka"), (0.1 + 0.2, "3 angka"),
])
def test_bad_quantities_are_refused_naming_the_field(raw, why):
    with pytest.raises(ValidationFailed) as caught:
        ledger.parse_quantity(raw, "lines.0.quantity")
    assert list(caught.value.details["fields"]) == ["lines.0.quantity"]
    assert why in str(caught.value)
