"""The SHU split: buckets add up to the net profit, members' shares to their bucket."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ewarung.errors import ValidationFailed
from kube.shu import BUCKETS, DEFAULT_PERCENTAGES, allocate, check_percentages

MEMBERS = [(1, "Sri", Decimal(1)), (2, "Tini", Decimal(2)), (3, "Ani", Decimal(1))]


def test_default_percentages_split_a_profit_exactly():
    result = allocate(1_000_001, DEFAULT_PERCENTAGES, MEMBERS)
    assert result.buckets == {"reserve": 300000, "members": 400001, "management": 100000,
                              "social": 100000, "other": 100000}
    assert [m.amount for m in result.members] == [133334, 133334, 133333]
    assert not result.loss


def test_members_split_by_weight():
    result = allocate(1_000_000, DEFAULT_PERCENTAGES, MEMBERS, mode="weight")
    assert [m.amount for m in result.members] == [100000, 200000, 100000]


@pytest.mark.parametrize("net", [0, -250_000])
def test_a_loss_shares_nothing_and_says_so(net):
    result = allocate(net, DEFAULT_PERCENTAGES, MEMBERS)
    assert result.loss
    assert set(result.buckets.values()) == {0}
    assert [m.amount for m in result.members] == [0, 0, 0]


@pytest.mark.parametrize("percentages", [
    {"reserve": 50, "members": 40},                       # adds to 90
    {**DEFAULT_PERCENTAGES, "reserve": 31},                # adds to 101
    {**DEFAULT_PERCENTAGES, "reserve": -5, "members": 75},
    {**DEFAULT_PERCENTAGES, "reserve": "abc"},
    {**DEFAULT_PERCENTAGES, "reserve": "29.999", "other": "10.001"},
    {**DEFAULT_PERCENTAGES, "bonus": 0},
])
def test_percentages_must_be_valid_and_add_up_to_100(percentages):
    with pytest.raises(ValidationFailed):
        check_percentages(percentages)


def test_decimal_percentages_are_allowed():
    pct = {"reserve": "33.33", "members": "33.33", "management": "33.34", "social": 0,
           "other": 0}
    assert allocate(100, pct, MEMBERS).buckets["management"] == 34


percent_sets = st.lists(st.integers(0, 100), min_size=4, max_size=4).filter(
    lambda xs: sum(xs) <= 100).map(lambda xs: dict(zip(BUCKETS, [*xs, 100 - sum(xs)],
                                                       strict=True)))


@given(st.integers(1, 10**11), percent_sets,
       st.lists(st.integers(1, 50), min_size=1, max_size=15), st.sampled_from(["equal", "weight"]))
def test_shu_never_loses_or_creates_a_rupiah(net, percentages, weights, mode):
    members = [(i, f"m{i}", Decimal(w)) for i, w in enumerate(weights)]
    result = allocate(net, percentages, members, mode)
    assert sum(result.buckets.values()) == net
    assert sum(m.amount for m in result.members) == result.buckets["members"]
