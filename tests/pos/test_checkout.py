"""The pure checkout core: totals, BPNT eligibility, tenders and change, as tables."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ewarung.errors import ValidationFailed
from pos.checkout import (
    BpntBalanceExceeded,
    NotEligibleForBpnt,
    PricedLine,
    TenderMismatch,
    TenderRequest,
    eligible_total,
    lines_above_reference,
    settle,
)

RICE = PricedLine(1, "Beras 5 kg", Decimal("1"), 68000, "carbohydrate", 70000)
EGGS = PricedLine(2, "Telur ayam", Decimal("1.5"), 28000, "animal_protein", 30000)
OIL = PricedLine(3, "Minyak goreng 1 L", Decimal("2"), 18000, "none", 17500)
TEMPE = PricedLine(4, "Tempe", Decimal("3"), 5000, "plant_protein")


def bpnt(amount=None, ref="004512"):
    return TenderRequest("bpnt", amount, ref)


def cash(amount=None):
    return TenderRequest("cash", amount)


@pytest.mark.parametrize(("lines", "tenders", "remaining", "total", "paid", "change"), [
    # cash only: change from what was handed over
    ([RICE], [cash(100000)], None, 68000, {"cash": 68000}, 32000),
    ([RICE, EGGS], [cash()], None, 110000, {"cash": 110000}, 0),
    # BPNT pays the eligible lines, by default all of them
    ([RICE, EGGS], [bpnt()], 200000, 110000, {"bpnt": 110000}, 0),
    # BPNT for food, cash for the oil, with change from the cash only
    ([RICE, EGGS, OIL], [bpnt(), cash(50000)], 200000, 146000,
     {"bpnt": 110000, "cash": 36000}, 14000),
    # BPNT limited to what is left on the card, cash pays the rest
    ([RICE, EGGS], [bpnt(100000), cash(20000)], 100000, 110000,
     {"bpnt": 100000, "cash": 10000}, 10000),
    # QRIS pays exactly the rest
    ([RICE, OIL], [TenderRequest("qris", None, "QR-77")], None, 104000, {"qris": 104000}, 0),
    ([RICE, TEMPE, OIL], [bpnt(), TenderRequest("transfer", 36000, "TRF-1")], 200000,
     119000, {"bpnt": 83000, "transfer": 36000}, 0),
])
def test_settle_pays_the_basket(lines, tenders, remaining, total, paid, change):
    result = settle(lines, tenders, bpnt_remaining=remaining)
    assert result.total == total
    assert {t.kind: t.amount for t in result.tenders} == paid
    assert sum(t.amount for t in result.tenders) == total
    assert result.change == change


def test_bpnt_tender_rejects_cooking_oil_when_nothing_else_pays_it():
    with pytest.raises(NotEligibleForBpnt) as err:
        settle([RICE, OIL], [bpnt()], bpnt_remaining=200000)
    assert err.value.details["product_ids"] == [3]


def test_bpnt_alone_cannot_pay_a_basket_of_only_ineligible_goods():
    with pytest.raises(NotEligibleForBpnt):
        settle([OIL], [bpnt(36000)], bpnt_remaining=200000)


def test_bpnt_above_the_remaining_entitlement_is_refused_in_strict_mode():
    with pytest.raises(BpntBalanceExceeded) as err:
        settle([RICE, EGGS], [bpnt()], bpnt_remaining=100000)
    assert err.value.details == {"remaining": 100000, "requested": 110000}


def test_warn_mode_lets_bpnt_exceed_the_estimate():
    result = settle([RICE, EGGS], [bpnt()], bpnt_remaining=100000, strict_balance=False)
    assert result.bpnt_amount == 110000


def test_bpnt_larger_than_the_eligible_lines_is_a_tender_mismatch():
    with pytest.raises(TenderMismatch):
        settle([RICE, OIL], [bpnt(100000), cash(10000)], bpnt_remaining=200000)


def test_bpnt_alone_for_a_basket_with_oil_is_not_eligible_whatever_its_amount():
    for amount in (None, 86000, 90000):
        with pytest.raises(NotEligibleForBpnt):
            settle([RICE, OIL], [bpnt(amount)], bpnt_remaining=200000)


def test_bpnt_never_gives_change():
    with pytest.raises(TenderMismatch):
        settle([RICE], [bpnt(70000)], bpnt_remaining=200000)


def test_tenders_short_of_the_total_are_a_tender_mismatch():
    with pytest.raises(TenderMismatch) as err:
        settle([RICE, EGGS], [cash(100000)])
    assert err.value.details == {"short": 10000}


def test_non_cash_tenders_cannot_overpay():
    with pytest.raises(TenderMismatch):
        settle([RICE], [TenderRequest("qris", 70000, "QR-1")])


@pytest.mark.parametrize("tenders", [
    [TenderRequest("bpnt", None, "")],
    [TenderRequest("qris", None, " ")],
    [TenderRequest("voucher", None, "x")],
    [TenderRequest("cash", -5)],
    [],
])
def test_malformed_tenders_are_validation_errors(tenders):
    with pytest.raises(ValidationFailed):
        settle([RICE], tenders, bpnt_remaining=200000)


def test_two_cash_tenders_are_refused():
    with pytest.raises(TenderMismatch):
        settle([RICE], [cash(50000), cash(50000)])


def test_an_empty_basket_is_refused():
    with pytest.raises(ValidationFailed):
        settle([], [cash()])


def test_fractional_quantities_round_half_up():
    line = PricedLine(9, "Daging sapi", Decimal("0.333"), 125000, "animal_protein")
    assert line.amount == 41625  # 41.625,0 exactly
    half = PricedLine(9, "Cabai", Decimal("0.125"), 60004, "vitamins_minerals")
    assert half.amount == 7501  # 7.500,5 rounds up


def test_eligibility_and_reference_price_checks():
    assert eligible_total([RICE, EGGS, OIL]) == 110000
    assert lines_above_reference([RICE, EGGS, OIL, TEMPE]) == [OIL]


amounts = st.integers(1, 500) .map(lambda k: k * 500)
groups = st.sampled_from(["carbohydrate", "animal_protein", "none"])
line_st = st.builds(PricedLine, st.integers(1, 99), st.just("x"),
                    st.decimals(Decimal("0.001"), Decimal("20"), places=3), amounts, groups)


@given(st.lists(line_st, min_size=1, max_size=8), st.integers(0, 400000),
       st.integers(0, 2_000_000))
def test_bpnt_plus_cash_always_balances(lines, remaining, extra_cash):
    eligible = eligible_total(lines)
    total = sum(ln.amount for ln in lines)
    use_bpnt = min(eligible, remaining)
    tenders = [cash(total - use_bpnt + extra_cash)]
    if use_bpnt:
        tenders.insert(0, bpnt(use_bpnt))
    result = settle(lines, tenders, bpnt_remaining=remaining)
    assert result.bpnt_amount == use_bpnt <= remaining
    assert sum(t.amount for t in result.tenders) == total
    assert result.change == extra_cash
