"""The entitlement ledger on both databases: credits, redemptions, reversals, adjustments."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DatabaseError

from aid import ledger
from aid.beneficiaries import BeneficiaryInactive
from aid.ledger import AlreadyCredited, BpntBalanceExceeded, NothingToReverse
from aid.models import EntitlementEntry
from aid.settings import bpnt_settings
from ewarung.clock import happening_at
from ewarung.shop import set_setting
from tests.factories import credit, make_beneficiary

pytestmark = pytest.mark.calendar


def kpm_with(db, key, amount=200_000, **kw):
    with db.unit_of_work() as s:
        b = make_beneficiary(s, key, **kw)
        if amount:
            credit(s, b, amount)
        return b.id


def remaining(db, bid):
    with db.unit_of_work(write=False) as s:
        return ledger.entitlement_of(s, bid).remaining


def test_twenty_concurrent_redemptions_never_overdraw_the_card(db, key):
    """Rp200.000 left, 20 tills redeem Rp50.000 at once: exactly 4 succeed."""
    bid = kpm_with(db, key, 200_000)
    start = threading.Barrier(20)
    outcomes: list[str] = []
    lock = threading.Lock()

    def till(n: int) -> None:
        start.wait()
        try:
            with db.unit_of_work() as s:
                ledger.redeem(s, bid, 50_000, sale_id=n, edc_ref=f"{n:06d}")
            result = "ok"
        except BpntBalanceExceeded:
            result = "bpnt_balance_exceeded"
        except Exception as exc:  # anything else is a failure of the test
            result = repr(exc)
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=till, args=(n,)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["bpnt_balance_exceeded"] * 16 + ["ok"] * 4
    assert remaining(db, bid) == 0
    with db.unit_of_work(write=False) as s:
        debits = s.scalars(select(EntitlementEntry.amount).where(
            EntitlementEntry.kind == "redemption")).all()
    assert debits == [-50_000] * 4


def test_strict_mode_refuses_more_than_is_left_and_writes_nothing(db, key):
    bid = kpm_with(db, key, 100_000)
    with pytest.raises(BpntBalanceExceeded) as err, db.unit_of_work() as s:
        ledger.redeem(s, bid, 120_000, sale_id=1, edc_ref="1")
    assert err.value.status == 409
    assert err.value.details == {"remaining": 100_000, "requested": 120_000}
    assert "Rp100.000" in err.value.message() and "Rp120.000" in err.value.message()
    assert remaining(db, bid) == 100_000


def test_warn_mode_allows_it_and_raises_the_flag(db, key):
    bid = kpm_with(db, key, 100_000)
    with db.unit_of_work() as s:
        set_setting(s, "bpnt.enforcement", "warn")
    with db.unit_of_work() as s:
        first = ledger.redeem(s, bid, 60_000, sale_id=1, edc_ref="1")
        second = ledger.redeem(s, bid, 60_000, sale_id=2, edc_ref="2")
    assert (first.over_limit, first.remaining) == (False, 40_000)
    assert (second.over_limit, second.remaining) == (True, -20_000)


def test_a_redemption_records_the_masked_card_and_edc_reference(db, key):
    card = "5264221234567891"
    bid = kpm_with(db, key, card=card)
    with db.unit_of_work() as s:
        r = ledger.redeem(s, bid, 75_000, sale_id=9, edc_ref=" 004512 ")
        assert r.masked_card == "526422******7891" and r.remaining == 125_000
    with db.unit_of_work(write=False) as s:
        entry = s.get(EntitlementEntry, r.entry_id)
        assert (entry.kind, entry.amount, entry.edc_ref, entry.masked_card, entry.sale_id) == (
            "redemption", -75_000, "004512", "526422******7891", 9)


@pytest.mark.parametrize(("amount", "edc_ref", "field"), [
    (0, "1", "amount"), (-5, "1", "amount"), (10, " ", "edc_ref")])
def test_redemption_input_is_checked(db, key, amount, edc_ref, field):
    bid = kpm_with(db, key)
    with pytest.raises(Exception) as err, db.unit_of_work() as s:
        ledger.redeem(s, bid, amount, sale_id=1, edc_ref=edc_ref)
    assert err.value.code == "validation_error" and field in err.value.details["fields"]


def test_inactive_kpm_cannot_redeem(db, key):
    bid = kpm_with(db, key, active=False)
    with pytest.raises(BeneficiaryInactive), db.unit_of_work() as s:
        ledger.redeem(s, bid, 10_000, sale_id=1, edc_ref="1")


def test_a_void_restores_the_entitlement_and_cannot_be_done_twice(db, key):
    bid = kpm_with(db, key)
    with db.unit_of_work() as s:
        r = ledger.redeem(s, bid, 80_000, sale_id=5, edc_ref="1")
    with db.unit_of_work() as s:
        ledger.reverse(s, r.entry_id, 30_000, reason="retur telur")   # a partial return
    assert remaining(db, bid) == 150_000
    with db.unit_of_work() as s:
        [entry] = ledger.reverse_sale(s, 5, reason="batal")
        assert (entry.amount, entry.sale_id, entry.reversal_of_id) == (50_000, 5, r.entry_id)
    assert remaining(db, bid) == 200_000
    with pytest.raises(NothingToReverse), db.unit_of_work() as s:
        ledger.reverse(s, r.entry_id)
    with db.unit_of_work() as s:
        assert ledger.reverse_sale(s, 5) == []


def test_credits_go_to_every_active_kpm_once_per_period(db, key):
    ids = [kpm_with(db, key, 0) for _ in range(3)]
    kpm_with(db, key, 0, active=False)
    with db.unit_of_work() as s:
        assert ledger.credit_period(s, "2026-11", 200_000) == (3, 0)
    new = kpm_with(db, key, 0)
    with db.unit_of_work() as s:
        assert ledger.credit_period(s, "2026-11", 200_000) == (1, 3)
    with pytest.raises(AlreadyCredited) as err, db.unit_of_work() as s:
        ledger.credit_period(s, "2026-11", 200_000, [ids[0], new])
    assert err.value.details == {"ids": sorted([ids[0], new])}
    with db.unit_of_work(write=False) as s:
        ent = ledger.entitlement_of(s, ids[0], month="2026-11")
    assert (ent.credited, ent.remaining) == (200_000, 200_000)


def test_quarterly_mode_refuses_a_second_credit_in_the_same_tahap(db, key):
    bid = kpm_with(db, key, 0)
    with db.unit_of_work() as s:
        set_setting(s, "bpnt.period", "quarterly")
        ledger.credit_period(s, "2026-10", 600_000, [bid])
    with pytest.raises(AlreadyCredited), db.unit_of_work() as s:
        ledger.credit_period(s, "2026-12", 600_000, [bid])
    with db.unit_of_work(write=False) as s:
        ent = ledger.entitlement_of(s, bid, month="2026-12")
    assert (ent.period, ent.remaining) == ("2026-Q4", 600_000)


def test_the_database_refuses_a_second_credit_for_one_month(db, key):
    bid = kpm_with(db, key, 0)
    with db.unit_of_work() as s:
        credit(s, bid, 100, "2026-11")
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        credit(s, bid, 100, "2026-11")


def test_the_ledger_is_append_only(db, key):
    kpm_with(db, key)
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        s.execute(update(EntitlementEntry).values(amount=999_999))
    with pytest.raises(DatabaseError), db.unit_of_work() as s:
        s.execute(text("DELETE FROM entitlement_entries"))


def test_an_adjustment_needs_a_reason_and_can_align_with_the_bank(db, key):
    bid = kpm_with(db, key)
    with pytest.raises(Exception) as err, db.unit_of_work() as s:
        ledger.adjust(s, bid, -10_000, " ")
    assert "reason" in err.value.details["fields"]
    with db.unit_of_work() as s:
        entry = ledger.align_with_bank(s, bid, 175_000, "saldo EDC Rp175.000")
        assert (entry.kind, entry.amount) == ("adjustment", -25_000)
        assert ledger.align_with_bank(s, bid, 175_000, "sudah sama") is None
    assert remaining(db, bid) == 175_000


def test_redemptions_count_in_the_shops_local_month(db, key):
    bid = kpm_with(db, key, 0)
    # 30 November 20:00 UTC is already 1 December in Jakarta (UTC+7)
    at = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    with db.unit_of_work() as s:
        credit(s, bid, 200_000, "2026-12")
        with happening_at(at):
            r = ledger.redeem(s, bid, 50_000, sale_id=1, edc_ref="1")
        assert r.entitlement.period == "2026-12" and r.remaining == 150_000
        assert bpnt_settings(s).month(at) == "2026-12"


def test_unserved_lists_active_kpm_without_a_redemption_this_period(db, key):
    served = kpm_with(db, key, name="Sudah")
    waiting = kpm_with(db, key, name="Belum")
    kpm_with(db, key, name="Nonaktif", active=False)
    with db.unit_of_work() as s:
        ledger.redeem(s, served, 10_000, sale_id=1, edc_ref="1")
    with db.unit_of_work(write=False) as s:
        period, rows = ledger.unserved(s)
        assert [b.id for b in rows] == [waiting]
        assert period == bpnt_settings(s).month()
