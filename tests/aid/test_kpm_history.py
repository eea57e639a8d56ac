"""A KPM's page (issue 12): history rows name the sale's receipt number and use one sign
convention (credits +, spending -); the NIK is masked and shown in full only to a manager who
asks (a POST, audited); the KPM list finds a KPM by card number through a POSTed form, the
number hashed and never in a URL, a page or a log."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from aid.models import Beneficiary
from ewarung.audit import AuditEvent
from tests.factories import PASSWORD, PIN, card_key, make_beneficiary, make_card_number, make_user

pytestmark = pytest.mark.calendar


@pytest.fixture
def signed_in(client, db):
    """A manager signed in through the browser session."""
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    assert client.login("ketua", password=PASSWORD).status_code == 200
    return client


def _nik(db, kpm_id: int) -> str:
    with db.unit_of_work(write=False) as s:
        return s.get(Beneficiary, kpm_id).nik


def _section(html: str, title: str) -> str:
    start = html.index(title)
    end = html.find("</section>", start)
    return html[start:end]


def _cells(section: str) -> list[list[str]]:
    rows = [re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)
            for r in re.findall(r"<tr[^>]*>(.*?)</tr>", section, re.S)]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in cells] for cells in rows if cells]


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_history_shows_receipt_numbers_and_one_sign_convention(signed_in, cashier, shop, db):
    sold = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)], [shop.bpnt()]))
    voided = cashier.post("/api/v1/sales", json=shop.body([(shop.eggs, 1)], [shop.bpnt()]))
    assert sold.status_code == voided.status_code == 201
    sold, voided = sold.get_json(), voided.get_json()
    assert cashier.post(f"/api/v1/sales/{voided['id']}/void", json={
        "reason": "salah ketik", "approver": {"username": "ketua", "pin": PIN}}
    ).status_code == 200
    resp = signed_in.get(f"/kpm/{shop.kpm_id}")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200, html[:3000]
    history = _cells(_section(html, "Riwayat penukaran"))
    by_kind = {(row[1], row[3]): row for row in history}
    assert by_kind[("Penukaran", sold["number"])][2] == "-Rp62.500"
    assert by_kind[("Penukaran", voided["number"])][2] == "-Rp28.000"
    assert by_kind[("Pengembalian", voided["number"])][2] == "+Rp28.000"
    assert f'href="/sales/{sold["id"]}"' in _section(html, "Riwayat penukaran")
    book = _cells(_section(html, "Buku hak BPNT"))
    amounts = sorted(row[3] for row in book)
    assert amounts == sorted(["+Rp200.000", "-Rp62.500", "-Rp28.000", "+Rp28.000"])
    assert any(sold["number"] in row[4] for row in book)


def test_the_nik_is_masked_and_shown_in_full_only_on_a_managers_post(
        signed_in, client, app, db, shop):
    nik = _nik(db, shop.kpm_id)
    masked = nik[:4] + "*" * 8 + nik[-4:]
    detail = signed_in.get(f"/kpm/{shop.kpm_id}").get_data(as_text=True)
    assert nik not in detail and masked in detail
    listing = signed_in.get("/kpm").get_data(as_text=True)
    assert nik not in listing and masked in listing
    assert "Tampilkan NIK" in detail
    # a GET cannot reveal it, nor a POST without the CSRF token
    assert signed_in.get(f"/kpm/{shop.kpm_id}/nik").status_code == 405
    refused = client.raw.post(f"/kpm/{shop.kpm_id}/nik", data={})
    assert refused.status_code in (400, 403) and nik not in refused.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "beneficiary.nik_shown")
                         ).all() == []
    shown = signed_in.post(f"/kpm/{shop.kpm_id}/nik", data={"csrf_token": _csrf(detail)})
    assert shown.status_code == 200
    assert nik in shown.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        event = s.scalars(select(AuditEvent).where(
            AuditEvent.action == "beneficiary.nik_shown")).one()
        manager_id = s.scalars(select(AuditEvent.actor_id).where(
            AuditEvent.action == "auth.login")).first()
        assert event.entity == "beneficiary" and event.entity_id == str(shop.kpm_id)
        assert event.actor_id is not None and event.actor_id == manager_id
        assert nik not in str(event.after) + str(event.before) + str(event.note)
    # the next plain visit masks it again
    assert nik not in signed_in.get(f"/kpm/{shop.kpm_id}").get_data(as_text=True)


def test_a_cashier_cannot_reveal_the_nik(client, db, shop):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "siti")
    assert client.login("siti", pin=PIN).status_code == 200
    resp = client.post(f"/kpm/{shop.kpm_id}/nik", data={})
    assert resp.status_code == 403
    assert _nik(db, shop.kpm_id) not in resp.get_data(as_text=True)


def test_the_list_finds_a_kpm_by_card_through_a_posted_form(signed_in, app, db, shop):
    log_dir = Path(app.extensions["ewarung.config"].data_dir) / "logs"
    sql_log = logging.FileHandler(log_dir / "sql.log")
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.addHandler(sql_log)
    engine_log.setLevel(logging.INFO)
    other_card = make_card_number()
    try:
        with db.unit_of_work() as s:
            make_beneficiary(s, card_key(app), card=other_card, name="Nining Suryani")
        listing = signed_in.get("/kpm").get_data(as_text=True)
        assert 'name="card"' in listing and 'method="post"' in listing
        found = signed_in.post("/kpm/card", data={"card": f" {shop.card[:4]} {shop.card[4:]} "})
        html = found.get_data(as_text=True)
        assert found.status_code == 200
        assert f'href="/kpm/{shop.kpm_id}"' in html and "Nining Suryani" not in html
        assert shop.card not in html and shop.card[:-1] not in html
        assert shop.card[:6] + "******" + shop.card[-4:] in html
        missing = signed_in.post("/kpm/card", data={"card": make_card_number()})
        assert missing.status_code == 404 and "tidak terdaftar" in missing.get_data(as_text=True)
        bad = signed_in.post("/kpm/card", data={"card": "1234"})
        assert bad.status_code == 422
        # a card number in the query string is not a search
        by_url = signed_in.get(f"/kpm?card={other_card}").get_data(as_text=True)
        assert other_card not in by_url
    finally:
        engine_log.removeHandler(sql_log)
        engine_log.setLevel(logging.WARNING)
        sql_log.close()
    logs = "\n".join(p.read_text("utf-8", "replace") for p in log_dir.glob("*"))
    assert "kks_cards" in logs
    assert shop.card not in logs and shop.card[:-1] not in logs


def test_an_old_card_still_finds_its_kpm(signed_in, manager, db, shop):
    manager.post(f"/api/v1/beneficiaries/{shop.kpm_id}/card", json={"card": make_card_number()})
    found = signed_in.post("/kpm/card", data={"card": shop.card})
    html = found.get_data(as_text=True)
    assert found.status_code == 200 and f'href="/kpm/{shop.kpm_id}"' in html
    assert "sudah diganti" in html


def test_the_ledger_api_names_the_receipt_too(manager, cashier, shop):
    sold = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)], [shop.bpnt()]))
    number = sold.get_json()["number"]
    entries = manager.get(f"/api/v1/beneficiaries/{shop.kpm_id}/ledger").get_json()["entries"]
    assert {(e["kind"], e["sale_number"]) for e in entries} == {
        ("credit", None), ("redemption", number)}
