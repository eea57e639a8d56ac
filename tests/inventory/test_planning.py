"""Reorder arithmetic and supplier concentration as plain functions."""

from __future__ import annotations

from decimal import Decimal as D
from fractions import Fraction

import pytest

from inventory.planning import Purchase, StockPosition, dependency, percent, suggest


@pytest.mark.parametrize(("on_hand", "sold", "rop", "lead", "cover", "expected"), [
    ("14", "56", "5", 3, 14, 25),    # 2 a day: 2 × 17 + 5 − 14
    ("40", "56", "5", 3, 14, None),  # above the target: nothing to buy
    ("0", "0", "0", 2, 14, None),    # never sold, no reorder point: not suggested
    ("1", "0", "3", 2, 14, 2),       # never sold, below its reorder point
    ("-3", "28", "0", 1, 6, 10),     # sold below zero: the hole is bought too
    ("0.4", "7", "0", 1, 6, 2),      # 0,25 a day × 7 − 0,4 = 1,35 → 2 whole units
    ("5", "-10", "0", 1, 6, None),   # more returned than sold: no demand
])
def test_reorder_buys_up_to_lead_time_plus_cover_above_the_reorder_point(
        on_hand, sold, rop, lead, cover, expected):
    item = StockPosition(1, "x", "pcs", D(on_hand), D(sold), D(rop), lead, last_cost=1500)
    got = suggest(item, cover)
    assert (got.quantity if got else None) == expected
    if got:
        assert got.estimated_cost == expected * 1500


def _buy(sid, kind, value, group="carbohydrate"):
    return Purchase(sid, f"S{sid}", kind, group, value)


def test_one_supplier_is_full_concentration_and_equal_ones_spread_it():
    assert dependency([_buy(1, "third_party", 500)]).hhi == 10000
    assert dependency([_buy(1, "bulog", 500), _buy(2, "kube_member", 500)]).hhi == 5000
    four = dependency([_buy(i, "local_producer", 100) for i in range(4)])
    assert four.hhi == 2500 and four.top.share == Fraction(1, 4)


def test_a_month_without_purchases_has_no_shares():
    empty = dependency([])
    assert (empty.total, empty.hhi, empty.top, empty.local_share) == (0, 0, None, 0)
    assert empty.kind_share("third_party") == 0


def test_local_share_is_counted_per_commodity_group_and_reversed_suppliers_drop_out():
    dep = dependency([
        _buy(1, "third_party", 600, "carbohydrate"), _buy(2, "kube_member", 200, "carbohydrate"),
        _buy(3, "local_producer", 300, "vitamins_minerals"),
        _buy(4, "third_party", 100, "none"), _buy(4, "third_party", -100, "none"),
    ])
    assert dep.total == 1100 and [s.supplier_id for s in dep.suppliers] == [1, 3, 2]
    assert dep.by_group["carbohydrate"].local_share == Fraction(1, 4)
    assert dep.by_group["vitamins_minerals"].local_share == 1
    assert dep.by_group["none"].total == 0
    assert percent(dep.local_share) == 45.5


def test_goods_that_expire_are_not_bought_for_longer_than_they_keep():
    tempe = StockPosition(1, "Tempe", "pcs", D(4), D(28 * 10), D(0), 1, 2500,
                          shelf_life_days=3)
    assert suggest(tempe, 14).quantity == 10 * (1 + 3) - 4
    same_day = StockPosition(1, "Bayam", "ikat", D(0), D(28), D(0), 1, shelf_life_days=0)
    assert suggest(same_day, 14).quantity == 2
