"""BPNT mode "record" (issue 12): the aid sits in the KPM's bank account and the KKS pays on
the bank's EDC, so the shop records each card payment with its EDC approval code and keeps
the commodity-group rule, without a balance to enforce. With the ledger on (strict, warn), a
KPM imported after the month's credit run is told so at the look-up instead of a silent Rp0.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from aid.models import EntitlementEntry
from aid.settings import bpnt_settings
from ewarung.audit import AuditEvent
from ewarung.shop import set_setting
from pos.models import Tender
from tests.factories import PASSWORD, card_key, make_beneficiary, make_card_number, make_user
from tests.helpers import error_code

pytestmark = pytest.mark.calendar

MOMENT = "2026-11-05T10:00:00+07:00"


def _mode(db, mode: str) -> None:
    with db.unit_of_work() as s:
        set_setting(s, "bpnt.enforcement", mode)


def _new_kpm(app, db) -> tuple[str, int]:
    """A KPM with a card and no entitlement credited (the bank holds the aid)."""
    card = make_card_number()
    with db.unit_of_work() as s:
        return card, make_beneficiary(s, card_key(app), card=card, name="Sri Rahayu").id


def test_record_mode_records_the_card_payment_with_its_edc_code_and_no_balance(
        app, cashier, shop, db):
    _mode(db, "record")
    card, kpm_id = _new_kpm(app, db)
    body = shop.body([(shop.rice, 4)], [{"kind": "bpnt", "card": card, "edc_ref": "778812"}])
    resp = cashier.post("/api/v1/sales", json=body)  # Rp250.000 with nothing credited
    assert resp.status_code == 201, resp.get_json()
    sale = resp.get_json()
    assert sale["bpnt"] == {"beneficiary_id": kpm_id, "remaining": None}
    assert sale["tenders"][0]["edc_ref"] == "778812"
    assert sale["tenders"][0]["masked_card"] == card[:6] + "******" + card[-4:]
    with db.unit_of_work(write=False) as s:
        entry = s.scalars(select(EntitlementEntry).where(
            EntitlementEntry.beneficiary_id == kpm_id)).one()
        assert (entry.kind, entry.amount, entry.edc_ref, entry.sale_id) == (
            "redemption", -250_000, "778812", sale["id"])
        assert entry.card_id is not None and entry.masked_card == sale["tenders"][0][
            "masked_card"]
        tender = s.scalars(select(Tender).where(Tender.kind == "bpnt")).one()
        assert tender.remaining_after is None
        # no balance, so nothing went "over" it
        assert s.scalars(select(AuditEvent).where(
            AuditEvent.action == "sale.bpnt_over_limit")).all() == []


def test_record_mode_needs_the_edc_code(app, cashier, shop, db):
    _mode(db, "record")
    card, _ = _new_kpm(app, db)
    for edc in ("", "   "):
        resp = cashier.post("/api/v1/sales", json=shop.body(
            [(shop.rice, 1)], [{"kind": "bpnt", "card": card, "edc_ref": edc}]))
        assert resp.status_code == 422
        assert error_code(resp) == "validation_error"
        assert "EDC" in resp.get_json()["error"]["message"] + str(
            resp.get_json()["error"]["details"])
    resp = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1)], [{"kind": "bpnt", "card": card}]))
    assert resp.status_code == 422


def test_record_mode_keeps_the_commodity_group_rule(app, cashier, shop, db):
    _mode(db, "record")
    card, _ = _new_kpm(app, db)
    resp = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1), (shop.oil, 1)], [{"kind": "bpnt", "card": card, "edc_ref": "1"}]))
    assert resp.status_code == 422
    assert error_code(resp) == "not_eligible_for_bpnt"
    ok = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1), (shop.oil, 1)],
        [{"kind": "bpnt", "card": card, "edc_ref": "1"}, {"kind": "cash"}]))
    assert ok.status_code == 201
    assert [(t["kind"], t["amount"]) for t in ok.get_json()["tenders"]] == [
        ("bpnt", 62_500), ("cash", 18_000)]


def test_record_mode_look_up_shows_no_balance(app, cashier, shop, db):
    _mode(db, "record")
    card, kpm_id = _new_kpm(app, db)
    found = cashier.post("/api/v1/beneficiaries/lookup", json={"card": card}).get_json()
    assert found["id"] == kpm_id
    assert found["bpnt_mode"] == "record"
    assert found["entitlement"] is None
    assert found["notice"] is None


def test_each_card_payment_is_listed_per_card_in_the_kpm_ledger(app, manager, cashier, shop, db):
    _mode(db, "record")
    card, kpm_id = _new_kpm(app, db)
    for edc in ("000111", "000222"):
        assert cashier.post("/api/v1/sales", json=shop.body(
            [(shop.rice, 1)], [{"kind": "bpnt", "card": card, "edc_ref": edc}])).status_code == 201
    entries = manager.get(f"/api/v1/beneficiaries/{kpm_id}/ledger").get_json()["entries"]
    assert sorted((e["edc_ref"], e["masked_card"], e["amount"]) for e in entries) == [
        ("000111", card[:6] + "******" + card[-4:], -62_500),
        ("000222", card[:6] + "******" + card[-4:], -62_500)]


@pytest.mark.now(MOMENT)
@pytest.mark.parametrize("mode", ["strict", "warn"])
def test_a_kpm_imported_after_the_credit_run_is_told_so_at_look_up(
        app, manager, cashier, db, mode):
    _mode(db, mode)
    early_card, _ = _new_kpm(app, db)
    with db.unit_of_work(write=False) as s:
        period = bpnt_settings(s).month()
    run = manager.post("/api/v1/entitlements", json={"period": period, "amount": 200_000})
    assert run.status_code == 201 and run.get_json()["credited"] == 1
    with time_machine.travel(datetime.fromisoformat(MOMENT) + timedelta(hours=2), tick=True):
        late_card, late_id = _new_kpm(app, db)
        found = cashier.post("/api/v1/beneficiaries/lookup", json={"card": late_card})
    assert found.status_code == 200
    body = found.get_json()
    assert body["id"] == late_id and body["bpnt_mode"] == mode
    assert body["entitlement"]["remaining"] == 0
    assert body["notice"]["code"] == "registered_after_credit"
    message = body["notice"]["message"]
    assert "setelah" in message and "Hak BPNT" in message
    # the KPM credited by the run gets no notice
    early = cashier.post("/api/v1/beneficiaries/lookup", json={"card": early_card}).get_json()
    assert early["notice"] is None and early["entitlement"]["remaining"] == 200_000
    # once credited from the BPNT page, the notice goes away
    manager.post("/api/v1/entitlements", json={"period": period, "amount": 200_000,
                                               "beneficiary_ids": [late_id]})
    again = cashier.post("/api/v1/beneficiaries/lookup", json={"card": late_card}).get_json()
    assert again["notice"] is None and again["entitlement"]["remaining"] == 200_000


def test_no_notice_before_any_credit_run(app, cashier, db):
    card, _ = _new_kpm(app, db)
    body = cashier.post("/api/v1/beneficiaries/lookup", json={"card": card}).get_json()
    assert body["notice"] is None and body["bpnt_mode"] == "strict"


def test_the_admin_chooses_record_mode_on_the_bpnt_page(client, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
    client.login("boss", password=PASSWORD)
    page = client.get("/bpnt/entitlements").get_data(as_text=True)
    assert 'value="record"' in page
    assert "rekening bank" in page  # the choice says what it means, in Indonesian
    resp = client.post("/bpnt/settings", data={"period": "monthly", "enforcement": "record",
                                               "luhn_check": "1"})
    assert resp.status_code == 302
    with db.unit_of_work(write=False) as s:
        assert bpnt_settings(s).enforcement == "record"
    page = client.get("/bpnt/entitlements").get_data(as_text=True)
    assert 'value="record" selected' in page
    bad = client.post("/bpnt/settings", data={"period": "monthly", "enforcement": "bogus"})
    assert bad.status_code in (400, 422)
    with db.unit_of_work(write=False) as s:
        assert bpnt_settings(s).enforcement == "record"


def test_record_mode_kpm_pages_show_no_shop_balance(app, client, cashier, shop, db):
    _mode(db, "record")
    card, kpm_id = _new_kpm(app, db)
    assert cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1)], [{"kind": "bpnt", "card": card, "edc_ref": "000111"}])
    ).status_code == 201
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    client.login("ketua", password=PASSWORD)
    detail = client.get(f"/kpm/{kpm_id}").get_data(as_text=True)
    assert "-Rp62.500" in detail  # the payment is in the history
    assert "rekening bank" in detail
    assert "sisa hak" not in detail.lower().replace("riwayat", "")
    listing = client.get("/kpm").get_data(as_text=True)
    assert "-Rp62.500" not in listing and "Sisa hak" not in listing
