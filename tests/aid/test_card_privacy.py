"""No full card number ever reaches the database or a log file."""

from __future__ import annotations

import io
import logging
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from aid import ledger
from aid.settings import bpnt_settings
from ewarung.clock import shop_today
from tests.factories import make_card_number, make_nik
from tests.pos.conftest import run_cli

pytestmark = pytest.mark.calendar


def _dump(db) -> str:
    """Every row of every table as text, and for SQLite the raw database and WAL files."""
    parts = []
    names = inspect(db.engine).get_table_names()
    with db.engine.connect() as conn:
        for name in names:
            if db.is_sqlite:
                rows = conn.execute(text(f'SELECT * FROM "{name}"')).all()
                parts.extend(repr(tuple(r)) for r in rows)
            else:
                parts.extend(conn.execute(text(f'SELECT t::text FROM "{name}" t')).scalars())
    if db.is_sqlite:
        path = Path(db.engine.url.database)
        for f in (path, path.with_name(path.name + "-wal")):
            if f.exists():
                parts.append(f.read_bytes().decode("latin-1"))
    return "\n".join(parts)


def test_database_and_logs_hold_no_full_card_number(app, db, manager, cashier, tmp_path):
    log_dir = Path(app.extensions["ewarung.config"].data_dir) / "logs"
    sql_log = logging.FileHandler(log_dir / "sql.log")
    engine_log = logging.getLogger("sqlalchemy.engine")
    engine_log.addHandler(sql_log)
    engine_log.setLevel(logging.INFO)  # every statement and its parameters
    try:
        cards = _exercise(app, db, manager, cashier, tmp_path)
    finally:
        engine_log.removeHandler(sql_log)
        engine_log.setLevel(logging.WARNING)
        sql_log.close()
    logs = "\n".join(p.read_text("utf-8", "replace") for p in log_dir.glob("*"))
    assert "526422" in logs or "entitlement_entries" in logs  # the logs did record things
    dump = _dump(db)
    assert "******" in dump  # masked numbers are there
    for card in cards:
        spaced = " ".join(card[i:i + 4] for i in range(0, len(card), 4))
        for haystack, where in ((dump, "database"), (logs, "logs")):
            assert card not in haystack, f"full card number in the {where}"
            assert spaced not in haystack, f"spaced card number in the {where}"
            assert card[:-1] not in haystack, f"card number less its check digit in the {where}"


def _exercise(app, db, manager, cashier, tmp_path) -> list[str]:
    """Imports, look-ups, a card change, a redemption and a reconciliation."""
    cards = [make_card_number() for _ in range(6)]
    bad = cards[5][:-1] + str((int(cards[5][-1]) + 1) % 10)
    rows = [f"'{make_nik()};KPM {i};'{c};Sukamaju" for i, c in enumerate(cards[:3])]
    api_file = "\ufeffnik;nama;no_kks;desa\n" + "\n".join(rows) + f"\n{make_nik()};X;{bad};Y\n"
    resp = manager.post("/api/v1/beneficiaries/import", content_type="multipart/form-data",
                        data={"file": (io.BytesIO(api_file.encode()), "kpm.csv")})
    assert resp.get_json()["imported"] == 3
    cli_file = tmp_path / "kpm.csv"
    cli_file.write_text(f"nik,nama,no_kks,desa\n{make_nik()},Budi,{cards[3]},Mekarsari\n")
    assert run_cli(app, "kpm", "import", str(cli_file)).exit_code == 0
    swipe = f"%B{cards[0]}^KPM/SATU^2512101?;{cards[0]}=2512101?"
    bid = cashier.get("/api/v1/beneficiaries/lookup", query_string={"card": swipe}
                      ).get_json()["id"]
    cashier.post("/api/v1/beneficiaries/lookup", json={"card": cards[1]})
    cashier.get(f"/api/v1/beneficiaries/lookup?card={cards[4]}")     # not registered
    cashier.get(f"/api/v1/beneficiaries/lookup?card={bad}")          # bad Luhn
    manager.post(f"/api/v1/beneficiaries/{bid}/card", json={"card": cards[4]})
    with db.unit_of_work(write=False) as s:
        period, today = bpnt_settings(s).month(), shop_today(s)
    manager.post("/api/v1/entitlements", json={"period": period, "amount": 200_000})
    with db.unit_of_work() as s:
        ledger.redeem(s, bid, 50_000, sale_id=1, edc_ref="004512")
    bank = f"tanggal,kode_approval,nominal,no_kartu\n{today:%d/%m/%Y},004512,50000,{cards[4]}\n"
    manager.post("/api/v1/reconciliations", content_type="multipart/form-data",
                 data={"file": (io.BytesIO(bank.encode()), "edc.csv")})
    return [*cards, bad]
