"""The contiguous-range arithmetic of what the district holds."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from district.ranges import Holding, advance, batches


@pytest.mark.parametrize(("held", "above", "expected"), [
    (0, [], Holding(0, ())),
    (0, [1, 2, 3], Holding(3, ())),
    (0, [2, 3], Holding(0, ((1, 1),))),
    (5, [6, 9, 10, 12], Holding(6, ((7, 8), (11, 11)))),
    (0, [3, 1, 1, 2], Holding(3, ())),
    (10, [20], Holding(10, ((11, 19),))),
])
def test_advance(held, above, expected):
    assert advance(held, above) == expected


def test_numbers_already_counted_are_refused():
    with pytest.raises(ValueError):
        advance(5, [5, 6])


@given(st.sets(st.integers(1, 200)))
def test_held_and_missing_cover_everything_up_to_the_top(numbers):
    holding = advance(0, numbers)
    missing = {n for lo, hi in holding.missing for n in range(lo, hi + 1)}
    top = max(numbers, default=0)
    assert missing.isdisjoint(numbers)
    assert missing | set(numbers) == set(range(1, top + 1))
    assert all(n in numbers for n in range(1, holding.held_through + 1))
    assert holding.held_through + 1 not in numbers


def test_batches_keep_order():
    assert batches([1, 2, 3, 4, 5], 2) == [[1, 2], [3, 4], [5]]
    assert batches([], 3) == []
    with pytest.raises(ValueError):
        batches([1], 0)
