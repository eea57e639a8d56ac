"""Bank reconciliation against recorded redemptions, with planted mismatches."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from aid import ledger
from aid.models import ReconciliationRun
from aid.reconciliation import save_settlement_columns, settlement_columns
from ewarung.clock import happening_at
from ewarung.errors import ValidationFailed
from tests.factories import PASSWORD, credit, make_beneficiary, make_card_number, make_user
from tests.helpers import error_code

pytestmark = pytest.mark.calendar

START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 09:00 in Jakarta


def shop_day(db, key, n=24, seed=7):
    """n redemptions over three days; returns their bank-file lines."""
    rng = random.Random(seed)
    lines = []
    with db.unit_of_work() as s:
        for i in range(n):
            card = make_card_number()
            b = make_beneficiary(s, key, card=card)
            credit(s, b, 600_000, "2026-11")
            at = START + timedelta(days=i % 3, minutes=i)
            amount = rng.choice([50_000, 75_000, 100_000, 125_000])
            ref = f"{rng.randrange(10**6):06d}"
            with happening_at(at):
                r = ledger.redeem(s, b.id, amount, sale_id=i + 1, edc_ref=ref)
            local = (at + timedelta(hours=7)).strftime("%d/%m/%Y %H:%M")
            lines.append({"tanggal": local, "kode_approval": ref, "nominal": f"{amount:,}"
                          .replace(",", "."), "no_kartu": card, "entry": r.entry_id})
    return lines


def to_csv(lines):
    out = ["tanggal;kode_approval;nominal;no_kartu"]
    out += [f"{x['tanggal']};{x['kode_approval']};{x['nominal']};{x['no_kartu']}" for x in lines]
    return "\n".join(out).encode()


def post(client, data):
    return client.post("/api/v1/reconciliations", data={"file": (io.BytesIO(data), "edc.csv")},
                       content_type="multipart/form-data")


def test_planted_mismatches_are_found_exactly(manager, db, key):
    lines = shop_day(db, key)
    bank = [dict(x) for x in lines]
    # plant: two only in the shop, two amounts that differ, two mistyped references,
    # two only in the bank, and one voided sale that neither side should report
    shop_only = {bank[3]["entry"], bank[10]["entry"]}
    bank = [x for x in bank if x["entry"] not in shop_only]
    differs = {bank[0]["entry"], bank[5]["entry"]}
    for x in bank:
        if x["entry"] in differs:
            x["nominal"] = "1.000"
    retyped = {bank[7]["entry"], bank[12]["entry"]}
    for x in bank:
        if x["entry"] in retyped:
            x["kode_approval"] = "999999"
    voided = bank.pop(15)["entry"]
    with db.unit_of_work() as s:
        ledger.reverse(s, voided, reason="batal")
    extra_cards = [make_card_number(), make_card_number()]
    bank += [{"tanggal": "03/11/2026 10:00", "kode_approval": f"77777{i}", "nominal": "50.000",
              "no_kartu": c[:6] + "******" + c[-4:], "entry": None}
             for i, c in enumerate(extra_cards)]
    resp = post(manager, to_csv(bank))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert (body["matched"], body["amount_differs"], body["bank_only"], body["shop_only"]) == (
        len(lines) - 2 - 1 - 2, 2, 2, 2)
    by = {}
    for item in body["items"]:
        by.setdefault(item["status"], set()).add(item["entry_id"] or item["bank_masked_card"])
    assert by["shop_only"] == shop_only
    assert by["amount_differs"] == differs
    assert by["bank_only"] == {c[:6] + "******" + c[-4:] for c in extra_cards}
    assert {i["entry_id"] for i in body["items"] if i["matched_by"] == "date_amount_card"
            } == retyped
    assert voided not in {i["entry_id"] for i in body["items"]}
    assert (body["first_day"], body["last_day"]) == ("2026-11-02", "2026-11-04")
    stored = manager.get(f"/api/v1/reconciliations/{body['id']}").get_json()
    assert len(stored["items"]) == len(body["items"])


def test_full_card_numbers_in_the_bank_file_are_stored_masked(manager, db, key):
    lines = shop_day(db, key, n=3)
    body = post(manager, to_csv(lines)).get_json()
    assert body["matched"] == 3
    for item, line in zip(sorted(body["items"], key=lambda i: i["bank_row"]), lines,
                          strict=True):
        assert item["bank_masked_card"] == line["no_kartu"][:6] + "******" + \
            line["no_kartu"][-4:]


def test_a_bank_file_with_other_column_names_needs_the_mapping(manager, db, key):
    resp = post(manager, b"date,ref,amt,pan\n02/11/2026,1,50000,526422******1232\n")
    assert resp.status_code == 422 and error_code(resp) == "validation_error"
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(ReconciliationRun)).all() == []


def test_a_backup_with_replaced_cards_reversals_and_reconciliations_restores(
        app, manager, db, key, tmp_path, backend):
    from ewarung.backup import restore_backup, write_backup
    from ewarung.db import Database
    from tests.conftest import create_pg_database, drop_pg_database
    from tests.ewarung.test_backup import _contents

    lines = shop_day(db, key, n=3)
    with db.unit_of_work() as s:
        from aid.beneficiaries import get_beneficiary, replace_card
        b = get_beneficiary(s, 1)
        replace_card(s, key, b, make_card_number())
        ledger.reverse(s, lines[0]["entry"], 10_000)
    post(manager, to_csv(lines))
    path = tmp_path / "shop.ewbackup"
    write_backup(db, path, app.config["SECRET_KEY"])
    url = create_pg_database() if backend == "sqlite" else f"sqlite:///{tmp_path / 'r.db'}"
    target = Database(url)
    try:
        restore_backup(target, path, app.config["SECRET_KEY"])
        assert _contents(target) == _contents(db)
    finally:
        target.dispose()
        if backend == "sqlite":
            drop_pg_database(url)


def test_control_characters_never_reach_a_stored_reconciliation(manager, db, key):
    lines = shop_day(db, key, n=3)
    lines[1]["kode_approval"] = "00\x1b45"
    lines[2]["no_kartu"] = "526422******\x001232"
    resp = post(manager, to_csv(lines))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()  # a line holding one counts as unreadable, the others match
    assert (body["matched"], body["unreadable"], body["bank_only"]) == (1, 2, 0)
    named = manager.post("/api/v1/reconciliations", content_type="multipart/form-data",
                         data={"file": (io.BytesIO(to_csv(lines)), "edc\x1b.csv")})
    assert (named.status_code, error_code(named)) == (422, "validation_error")
    assert list(named.get_json()["error"]["details"]["fields"]) == ["file"]
    with db.unit_of_work() as s:
        with pytest.raises(ValidationFailed) as caught:
            save_settlement_columns(s, {"date": "Tgl", "reference": "Appr\x00oval",
                                        "amount": "Jumlah", "card": "Kartu"})
        assert list(caught.value.details["fields"]) == ["reference"]
        assert settlement_columns(s)["reference"] != "Appr\x00oval"


def test_bank_rows_with_numbers_or_dates_no_shop_can_hold_are_unreadable(manager, db, key):
    lines = shop_day(db, key, n=5)
    lines[1]["nominal"] = "99999999999999999999"
    lines[2]["tanggal"] = "31/12/9999"
    lines[3]["nominal"] = "٥٠٠٠٠"
    lines[4]["tanggal"] = "٠٢/١١/٢٠٢٦"
    resp = post(manager, to_csv(lines))
    assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
    body = resp.get_json()
    assert (body["matched"], body["unreadable"]) == (1, 4)


def test_a_settlement_line_over_the_csv_field_limit_is_a_validation_error(manager, db, key,
                                                                          client):
    lines = shop_day(db, key, n=2)
    lines[1]["kode_approval"] = "9" * 140_000
    resp = post(manager, to_csv(lines))
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_data()
    assert "Baris 3" in resp.get_json()["error"]["message"]
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    assert client.login("ketua", password=PASSWORD).status_code == 200
    page = client.post("/bpnt/reconciliation", content_type="multipart/form-data", data={
        "file": (io.BytesIO(to_csv(lines)), "edc.csv"), "col_date": "tanggal",
        "col_reference": "kode_approval", "col_amount": "nominal", "col_card": "no_kartu"})
    assert page.status_code == 422 and "Baris 3" in page.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(ReconciliationRun)).all() == []
