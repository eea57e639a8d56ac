"""The rounding policy and the exact split, as tables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ewarung.money import line_amount, round_rupiah, split


@pytest.mark.parametrize(("value", "expected"), [
    ("0", 0), ("0.4", 0), ("0.5", 1), ("1.5", 2), ("2.5", 3), ("19999.5", 20000),
    ("-0.5", -1), ("-1.4", -1), ("12500", 12500), ("12499.499", 12499),
])
def test_round_rupiah_rounds_half_up(value, expected):
    assert round_rupiah(Decimal(value)) == expected


@pytest.mark.parametrize(("price", "qty", "expected"), [
    (13333, "1.5", 20000), (12500, "2", 25000), (28000, "0.25", 7000),
    (1, "0.001", 0), (999, "0.5", 500), (27500, "1.234", 33935),
])
def test_line_amount_is_price_times_quantity_rounded(price, qty, expected):
    assert line_amount(price, Decimal(qty)) == expected


@pytest.mark.parametrize(("total", "weights", "expected"), [
    (100, [1, 1, 1], [34, 33, 33]),
    (10, [50, 30, 20], [5, 3, 2]),
    (7, [1, 1], [4, 3]),
    (0, [1, 2], [0, 0]),
    (-7, [1, 1], [-4, -3]),
    (1000, [Decimal("33.3"), Decimal("33.3"), Decimal("33.4")], [333, 333, 334]),
])
def test_split_follows_the_largest_remainder_rule(total, weights, expected):
    assert split(total, weights) == expected


@given(st.integers(-10**12, 10**12), st.lists(st.integers(0, 1000), min_size=1, max_size=20)
       .filter(lambda ws: sum(ws) > 0))
def test_split_never_loses_or_creates_a_rupiah(total, weights):
    parts = split(total, weights)
    assert sum(parts) == total
    for part, w in zip(parts, weights, strict=True):
        exact = Decimal(total) * w / sum(weights)
        assert abs(part - exact) < 1
