"""Manager pages: list, import, a KPM's page and its forms, credits, unserved, reconciliation."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from aid import ledger
from aid.models import EntitlementEntry, KksCard
from tests.factories import (
    PASSWORD,
    credit,
    make_beneficiary,
    make_card_number,
    make_nik,
    make_user,
)


@pytest.fixture
def signed_in(client, db):
    """A manager signed in through the browser session."""
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    assert client.login("ketua", password=PASSWORD).status_code == 200
    return client


def arrange(db, key, **kw):
    with db.unit_of_work() as s:
        b = make_beneficiary(s, key, **kw)
        credit(s, b, 200_000)
        return b.id


def page(client, url, status=200):
    resp = client.get(url)
    assert resp.status_code == status, resp.get_data(as_text=True)[:500]
    return resp.get_data(as_text=True)


def test_the_list_searches_and_shows_what_is_left(signed_in, db, key):
    arrange(db, key, name="Siti Aminah", village="Sukamaju")
    arrange(db, key, name="Budi Santoso", village="Mekarsari")
    html = page(signed_in, "/kpm?q=amin")
    assert "Siti Aminah" in html and "Budi Santoso" not in html and "Rp200.000" in html
    assert 'href="/static/css/pos.css"' in html
    assert "Mekarsari" in page(signed_in, "/kpm?village=Mekarsari")


def test_the_import_page_lists_every_rejected_row(signed_in, db):
    good, card = make_nik(), make_card_number()
    data = (f"\ufeffnik;nama;no_kks;desa\n'{good};Siti;'{card};Sukamaju\n"
            f"3.52701E+15;Rusak;{make_card_number()};Sukamaju\n").encode()
    resp = signed_in.post("/kpm/import", data={"file": (io.BytesIO(data), "kpm.csv")},
                          content_type="multipart/form-data")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "<strong>1</strong> KPM baru" in html and "number_destroyed" in html
    assert "tidak bisa dipulihkan" in html
    assert card not in html


def test_the_import_page_explains_a_file_it_cannot_use(signed_in):
    resp = signed_in.post("/kpm/import", data={"file": (io.BytesIO(b"a;b\n1;2\n"), "x.csv")},
                          content_type="multipart/form-data")
    assert resp.status_code == 422 and "Kolom wajib tidak ditemukan" in resp.get_data(as_text=True)


def test_a_kpms_page_shows_cards_history_and_ledger(signed_in, db, key):
    bid = arrange(db, key, card="5264221234567891", name="Siti Aminah")
    with db.unit_of_work() as s:
        ledger.redeem(s, bid, 45_000, sale_id=3, edc_ref="004512")
    html = page(signed_in, f"/kpm/{bid}")
    assert "526422******7891" in html and "004512" in html and "Rp155.000" in html
    assert "Riwayat penukaran" in html and "Buku hak BPNT" in html


def test_the_adjustment_form_aligns_with_the_edc(signed_in, db, key):
    bid = arrange(db, key)
    resp = signed_in.post(f"/kpm/{bid}/adjust", data={"bank_remaining": "150.000",
                                                      "reason": "saldo EDC"})
    assert resp.status_code == 302
    assert "Penyesuaian disimpan" in page(signed_in, f"/kpm/{bid}")
    with db.unit_of_work(write=False) as s:
        assert ledger.entitlement_of(s, bid).remaining == 150_000
    bad = signed_in.post(f"/kpm/{bid}/adjust", data={"amount": "-5000", "reason": ""})
    assert bad.status_code == 422 and "Tulis alasan" in bad.get_data(as_text=True)


def test_the_card_form_records_a_replacement(signed_in, db, key):
    bid = arrange(db, key)
    new = make_card_number()
    assert signed_in.post(f"/kpm/{bid}/card", data={"card": new}).status_code == 302
    with db.unit_of_work(write=False) as s:
        assert [c.status for c in s.scalars(select(KksCard).order_by(KksCard.id))] == [
            "replaced", "active"]
    wrong = signed_in.post(f"/kpm/{bid}/card", data={"card": new[:-1] + "x"})
    assert wrong.status_code == 422 and "hanya boleh berisi angka" in wrong.get_data(
        as_text=True)


def test_the_status_form_deactivates(signed_in, db, key):
    bid = arrange(db, key)
    signed_in.post(f"/kpm/{bid}/status", data={"active": "0", "reason": "pindah"})
    assert "Tidak aktif" in page(signed_in, f"/kpm/{bid}")


def test_the_credit_form(signed_in, db, key):
    arrange(db, key)
    resp = signed_in.post("/bpnt/entitlements", data={"period": "2030-01", "amount": "200.000"})
    assert resp.status_code == 302
    assert "ke 1 KPM" in page(signed_in, "/bpnt/entitlements")
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(EntitlementEntry.amount).where(
            EntitlementEntry.period == "2030-01")) == 200_000
    bad = signed_in.post("/bpnt/entitlements", data={"period": "2030-13", "amount": "1"})
    assert bad.status_code == 422


def test_only_admins_change_the_bpnt_settings(signed_in, client, db):
    assert "Hanya admin" in page(signed_in, "/bpnt/entitlements")
    assert signed_in.post("/bpnt/settings", data={"period": "quarterly"}).status_code == 403


def test_admin_changes_the_bpnt_settings(client, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
    client.login("boss", password=PASSWORD)
    resp = client.post("/bpnt/settings", data={"period": "quarterly", "enforcement": "warn",
                                               "carry_over": "1", "luhn_check": "1"})
    assert resp.status_code == 302
    with db.unit_of_work(write=False) as s:
        from aid.settings import bpnt_settings
        cfg = bpnt_settings(s)
    assert (cfg.period, cfg.enforcement, cfg.carry_over, cfg.luhn_check) == (
        "quarterly", "warn", True, True)


def test_unserved_page_and_csv(signed_in, db, key):
    arrange(db, key, name="Belum Datang", village="Sukamaju")
    assert "Belum Datang" in page(signed_in, "/bpnt/unserved")
    resp = signed_in.get("/bpnt/unserved.csv")
    assert resp.mimetype == "text/csv"
    text = resp.get_data().decode("utf-8-sig")
    assert text.splitlines()[0] == "nik;nama;desa;alamat;kartu;sisa_hak;periode"
    assert ";Belum Datang;Sukamaju;" in text and ";200000;" in text


def test_reconciliation_upload_shows_the_result(signed_in, db, key):
    bid = arrange(db, key, card="5264221234567891")
    with db.unit_of_work() as s:
        r = ledger.redeem(s, bid, 50_000, sale_id=1, edc_ref="004512")
        day = s.get(EntitlementEntry, r.entry_id).created_at
    from datetime import timedelta
    local = (day + timedelta(hours=7)).strftime("%d/%m/%Y")
    data = (f"Tgl,Ref,Jumlah,Kartu\n{local},004512,50000,526422******7891\n"
            f"{local},999999,20000,526422******0001\n").encode()
    resp = signed_in.post("/bpnt/reconciliation", content_type="multipart/form-data", data={
        "file": (io.BytesIO(data), "edc.csv"), "col_date": "Tgl", "col_reference": "Ref",
        "col_amount": "Jumlah", "col_card": "Kartu"})
    assert resp.status_code == 302
    html = page(signed_in, resp.headers["Location"])
    assert "<strong>1</strong> Cocok" in html and "<strong>1</strong> Hanya di bank" in html
    listing = page(signed_in, "/bpnt/reconciliation")
    assert 'value="Tgl"' in listing and "edc.csv" in listing  # the mapping is remembered
