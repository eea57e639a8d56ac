"""The till pays a BPNT sale with the signed token of its card look-up, never the number.

The look-up answers a `card_token` (signed with the app's key, bound to the card's hash and
the KPM, valid 12 hours) and the `masked_card`; the sale's bpnt tender takes the token
instead of the full number. Forged, expired and mismatched tokens are refused by code.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from pos.models import Sale, Tender
from tests.factories import card_key, credit, make_beneficiary, make_card_number

pytestmark = pytest.mark.calendar

MOMENT = "2026-11-05T10:00:00+07:00"


def _look_up(cashier, card: str) -> dict:
    resp = cashier.post("/api/v1/beneficiaries/lookup", json={"card": card})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _sell(cashier, shop, tender: dict):
    return cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)], [tender]))


def _token_tender(found: dict, **extra) -> dict:
    return {"kind": "bpnt", "card_token": found["card_token"],
            "masked_card": found["masked_card"], "edc_ref": "004512", **extra}


def test_a_sale_paid_with_the_card_token_charges_the_kpm(cashier, shop, db):
    found = _look_up(cashier, shop.card)
    assert found["masked_card"] == shop.card[:6] + "******" + shop.card[-4:]
    assert shop.card not in found["card_token"]
    resp = _sell(cashier, shop, _token_tender(found))
    assert resp.status_code == 201, resp.get_json()
    sale = resp.get_json()
    assert sale["bpnt"] == {"beneficiary_id": shop.kpm_id, "remaining": 200_000 - 62_500}
    assert sale["tenders"][0]["masked_card"] == found["masked_card"]
    # the same body again is a replay, not a second charge
    with db.unit_of_work(write=False) as s:
        tender = s.scalars(select(Tender)).one()
        assert tender.beneficiary_id == shop.kpm_id and tender.amount == 62_500


def test_the_full_card_number_still_works_for_api_clients(cashier, shop):
    resp = _sell(cashier, shop, shop.bpnt())
    assert resp.status_code == 201, resp.get_json()
    assert resp.get_json()["bpnt"]["beneficiary_id"] == shop.kpm_id


def test_a_lookup_by_nik_gives_no_token(cashier, shop, db):
    with db.unit_of_work(write=False) as s:
        from aid.models import Beneficiary
        nik = s.get(Beneficiary, shop.kpm_id).nik
    found = cashier.get("/api/v1/beneficiaries/lookup", query_string={"nik": nik}).get_json()
    assert found["card_token"] is None  # no card was presented


@pytest.mark.parametrize("forge", ["garbage", "resigned", "truncated"])
def test_a_forged_token_is_refused(cashier, shop, forge):
    token = _look_up(cashier, shop.card)["card_token"]
    head, _, sig = token.rpartition(".")
    forged = {"garbage": "not-a-token",
              "resigned": f"{head}.{'A' * len(sig)}",
              "truncated": head}[forge]
    resp = _sell(cashier, shop, {"kind": "bpnt", "card_token": forged, "edc_ref": "004512"})
    assert resp.status_code == 400
    error = resp.get_json()["error"]
    assert error["code"] == "card_token_invalid"
    assert "Cek" in error["message"]  # says what to do: look the card up again


@pytest.mark.now(MOMENT)
def test_a_token_older_than_twelve_hours_is_refused(cashier, shop):
    found = _look_up(cashier, shop.card)
    later = datetime.fromisoformat(MOMENT) + timedelta(hours=12, minutes=1)
    with time_machine.travel(later, tick=True):
        resp = _sell(cashier, shop, _token_tender(found))
    assert resp.status_code == 409
    error = resp.get_json()["error"]
    assert error["code"] == "card_token_expired"
    assert "kedaluwarsa" in error["message"]


@pytest.mark.now(MOMENT)
def test_a_token_eleven_hours_old_still_pays(cashier, shop):
    found = _look_up(cashier, shop.card)
    later = datetime.fromisoformat(MOMENT) + timedelta(hours=11)
    with time_machine.travel(later, tick=True):
        resp = _sell(cashier, shop, _token_tender(found))
    assert resp.status_code == 201, resp.get_json()


def test_a_token_for_another_kpm_than_the_sale_names_is_refused(app, cashier, shop, db):
    other_card = make_card_number()
    with db.unit_of_work() as s:
        other = make_beneficiary(s, card_key(app), card=other_card, name="Nining")
        credit(s, other, 200_000)
        other_id = other.id
    found = _look_up(cashier, shop.card)
    # the sale names the other KPM
    resp = _sell(cashier, shop, _token_tender(found, beneficiary_id=other_id))
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "card_token_mismatch"
    # the token and a typed card disagree
    resp = _sell(cashier, shop, _token_tender(found, card=other_card))
    assert resp.status_code == 422
    assert resp.get_json()["error"]["code"] == "card_token_mismatch"
    # the KPM in a genuine token changed to the other one (tampered)
    kpm_part, rest = found["card_token"].split(".", 1)
    assert kpm_part == str(shop.kpm_id)
    tampered = f"{other_id}.{rest}"
    resp = _sell(cashier, shop, _token_tender({**found, "card_token": tampered}))
    assert resp.status_code == 422
    error = resp.get_json()["error"]
    assert error["code"] == "card_token_mismatch"
    assert "KPM" in error["message"]
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Sale)).all() == []


def test_a_token_of_a_replaced_card_is_refused(manager, cashier, shop):
    found = _look_up(cashier, shop.card)
    manager.post(f"/api/v1/beneficiaries/{shop.kpm_id}/card", json={"card": make_card_number()})
    resp = _sell(cashier, shop, _token_tender(found))
    assert resp.status_code == 409
    assert resp.get_json()["error"]["code"] == "card_replaced"


def test_no_full_card_number_in_the_server_log_after_a_sale(app, cashier, shop):
    log_dir = Path(app.extensions["ewarung.config"].data_dir) / "logs"
    sql_log = logging.FileHandler(log_dir / "sql.log")
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.addHandler(sql_log)
    engine_log.setLevel(logging.INFO)  # every statement and its parameters
    try:
        found = _look_up(cashier, shop.card)
        assert _sell(cashier, shop, _token_tender(found)).status_code == 201
        assert _sell(cashier, shop, shop.bpnt()).status_code == 201
        forged = found["card_token"][:-3] + "AAA"
        assert _sell(cashier, shop, _token_tender({**found, "card_token": forged})
                     ).status_code == 400
    finally:
        engine_log.removeHandler(sql_log)
        engine_log.setLevel(logging.WARNING)
        sql_log.close()
    logs = "\n".join(p.read_text("utf-8", "replace") for p in log_dir.glob("*"))
    assert "INSERT INTO tenders" in logs
    assert shop.card not in logs
    assert shop.card[:-1] not in logs
