"""The remaining-entitlement computation: a table of ledgers, periods and settings."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aid.entitlement import LedgerEntry, compute_entitlement, is_month, window


def e(kind: str, period: str, amount: int) -> LedgerEntry:
    return LedgerEntry(kind, period, amount)


NOVEMBER = [e("credit", "2026-11", 200_000), e("redemption", "2026-11", -50_000)]
AUTUMN = [
    e("credit", "2026-09", 200_000), e("redemption", "2026-09", -150_000),   # 50k left
    e("credit", "2026-10", 200_000), e("redemption", "2026-10", -200_000),   # 0 left
    e("credit", "2026-11", 200_000), e("redemption", "2026-11", -80_000),
]
TAHAP = [e("credit", "2026-10", 600_000), e("redemption", "2026-10", -250_000),
         e("redemption", "2026-11", -100_000)]

# (case, entries, month, mode, carry_over, (period, credited, redeemed, remaining))
CASES = [
    ("nothing credited", [], "2026-11", "monthly", False, ("2026-11", 0, 0, 0)),
    ("a credit and a redemption", NOVEMBER, "2026-11", "monthly", False,
     ("2026-11", 200_000, 50_000, 150_000)),
    ("next month starts afresh without carry-over", NOVEMBER, "2026-12", "monthly", False,
     ("2026-12", 0, 0, 0)),
    ("next month keeps the rest with carry-over", NOVEMBER, "2026-12", "monthly", True,
     ("2026-12", 0, 0, 150_000)),
    ("a credit booked ahead does not count yet",
     [*NOVEMBER, e("credit", "2026-12", 200_000)], "2026-11", "monthly", True,
     ("2026-11", 200_000, 50_000, 150_000)),
    ("three months, no carry-over", AUTUMN, "2026-11", "monthly", False,
     ("2026-11", 200_000, 80_000, 120_000)),
    ("three months, carry-over", AUTUMN, "2026-11", "monthly", True,
     ("2026-11", 200_000, 80_000, 170_000)),
    ("a tahap spans three months", TAHAP, "2026-12", "quarterly", False,
     ("2026-Q4", 600_000, 350_000, 250_000)),
    ("the next tahap starts afresh", TAHAP, "2027-01", "quarterly", False,
     ("2027-Q1", 0, 0, 0)),
    ("the next tahap keeps the rest with carry-over", TAHAP, "2027-02", "quarterly", True,
     ("2027-Q1", 0, 0, 250_000)),
    ("monthly credits add up within a tahap", AUTUMN, "2026-11", "quarterly", False,
     ("2026-Q4", 400_000, 280_000, 120_000)),
    ("Q3 of the same ledger", AUTUMN, "2026-09", "quarterly", False,
     ("2026-Q3", 200_000, 150_000, 50_000)),
    ("a reversal gives back what a void undid",
     [*NOVEMBER, e("reversal", "2026-11", 50_000)], "2026-11", "monthly", False,
     ("2026-11", 200_000, 0, 200_000)),
    ("a partial return gives back part of it",
     [*NOVEMBER, e("reversal", "2026-11", 20_000)], "2026-11", "monthly", False,
     ("2026-11", 200_000, 30_000, 170_000)),
    ("a manager's adjustment lowers what is left",
     [*NOVEMBER, e("adjustment", "2026-11", -30_000)], "2026-11", "monthly", False,
     ("2026-11", 200_000, 50_000, 120_000)),
    ("last month's adjustment only counts with carry-over",
     [*NOVEMBER, e("adjustment", "2026-10", 25_000)], "2026-11", "monthly", True,
     ("2026-11", 200_000, 50_000, 175_000)),
    ("an over-limit redemption (warn mode) leaves a negative balance",
     [e("credit", "2026-11", 100_000), e("redemption", "2026-11", -120_000)], "2026-11",
     "monthly", False, ("2026-11", 100_000, 120_000, -20_000)),
]


@pytest.mark.parametrize(("entries", "month", "mode", "carry", "expected"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_remaining_entitlement(entries, month, mode, carry, expected):
    got = compute_entitlement(entries, month, mode, carry)
    assert (got.period, got.credited, got.redeemed, got.remaining) == expected


@pytest.mark.parametrize(("month", "mode", "expected"), [
    ("2026-01", "quarterly", ("2026-01", "2026-03", "2026-Q1")),
    ("2026-03", "quarterly", ("2026-01", "2026-03", "2026-Q1")),
    ("2026-04", "quarterly", ("2026-04", "2026-06", "2026-Q2")),
    ("2026-09", "quarterly", ("2026-07", "2026-09", "2026-Q3")),
    ("2026-12", "quarterly", ("2026-10", "2026-12", "2026-Q4")),
    ("2026-12", "monthly", ("2026-12", "2026-12", "2026-12")),
])
def test_tahap_windows_are_calendar_quarters(month, mode, expected):
    assert window(month, mode) == expected


@pytest.mark.parametrize(("text", "ok"), [
    ("2026-11", True), ("2026-1", False), ("2026-13", False), ("2026-00", False),
    ("26-11", False), ("2026-11-01", False)])
def test_months_are_written_yyyy_mm(text, ok):
    assert is_month(text) is ok


months = st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(2024, 2027), st.integers(1, 12))
entries = st.lists(st.builds(
    LedgerEntry, st.sampled_from(["credit", "redemption", "reversal", "adjustment"]), months,
    st.integers(-500_000, 500_000).filter(bool)), max_size=30)


@given(entries, months, st.sampled_from(["monthly", "quarterly"]))
def test_with_carry_over_the_remaining_is_the_sum_of_everything_up_to_the_period(
        ledger, month, mode):
    last = window(month, mode)[1]
    got = compute_entitlement(ledger, month, mode, True)
    assert got.remaining == sum(x.amount for x in ledger if x.period <= last)


@given(entries, months, st.sampled_from(["monthly", "quarterly"]))
def test_without_carry_over_only_the_period_counts(ledger, month, mode):
    first, last, _ = window(month, mode)
    got = compute_entitlement(ledger, month, mode, False)
    assert got.carried == 0
    assert got.remaining == sum(x.amount for x in ledger if first <= x.period <= last)
