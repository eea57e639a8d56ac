"""Two credit runs at once: each KPM is credited once and neither answers with an error.

The other run holds its transaction open (with its credits written, not yet committed)
while this one starts: on PostgreSQL this one waits for the other's credit-run lock until it
commits (for two months of one quarter the unique index of credits would not stop it), on
SQLite it waits for the writer lock.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text

from aid.ledger import credit_period
from aid.models import EntitlementEntry
from ewarung.shop import set_setting
from tests.factories import card_key, make_beneficiary, make_user
from tests.pos.conftest import run_cli

PERIOD = "2026-11"


@pytest.fixture
def kpm_ids(app, db) -> list[int]:
    with db.unit_of_work() as s:
        make_user(s, "manager", "manajer")
        return [make_beneficiary(s, card_key(app)).id for _ in range(3)]


def wait_until_blocked(db: Any) -> None:
    """Until another connection waits for a lock (PostgreSQL), or a moment (SQLite)."""
    if db.is_sqlite:
        time.sleep(0.5)
        return
    engine = create_engine(db.url)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                waiting = conn.scalar(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"))
            if waiting:
                return
            time.sleep(0.05)
        raise AssertionError("the racing credit never waited for the other run")
    finally:
        engine.dispose()


def race(db: Any, contender: Any, period: str = PERIOD) -> Any:
    """Run `contender` in a thread while another credit run (of `period`) is still open;
    its result."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(contender()))
    with db.unit_of_work() as s:
        assert credit_period(s, period, 200_000) == (3, 0)
        thread.start()
        wait_until_blocked(db)
    thread.join(timeout=30)
    assert out, "the contender did not finish"
    return out[0]


def credits(db: Any) -> list[tuple[int, int]]:
    with db.unit_of_work(write=False) as s:
        rows = s.execute(select(EntitlementEntry.beneficiary_id, func.count())
                         .where(EntitlementEntry.kind == "credit")
                         .group_by(EntitlementEntry.beneficiary_id))
        return [(bid, n) for bid, n in rows]


def test_the_api_racing_another_credit_run_skips_what_it_credited(app, db, client, kpm_ids):
    client.login("manajer", password="rahasia-123")
    resp = race(db, lambda: client.post("/api/v1/entitlements",
                                        json={"period": PERIOD, "amount": 200_000}))
    assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
    assert resp.get_json() == {"credited": 0, "skipped": 3, "period": PERIOD}
    assert sorted(credits(db)) == [(i, 1) for i in kpm_ids]


def test_named_kpm_credited_meanwhile_are_refused_as_already_credited(app, db, client,
                                                                        kpm_ids):
    client.login("manajer", password="rahasia-123")
    resp = race(db, lambda: client.post("/api/v1/entitlements", json={
        "period": PERIOD, "amount": 200_000, "beneficiary_ids": kpm_ids[:2]}))
    assert resp.status_code == 409, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["error"]["code"] == "already_credited"
    assert sorted(credits(db)) == [(i, 1) for i in kpm_ids]


def test_the_command_racing_another_credit_run_skips_what_it_credited(app, db, kpm_ids):
    result = race(db, lambda: run_cli(app, "kpm", "credit", PERIOD, "200000"))
    assert result.exit_code == 0, result.output
    assert "ke 0 KPM (3 sudah menerima)" in result.output
    assert sorted(credits(db)) == [(i, 1) for i in kpm_ids]


def test_a_quarter_is_credited_once_when_two_of_its_months_race(app, db, client, kpm_ids):
    with db.unit_of_work() as s:
        set_setting(s, "bpnt.period", "quarterly")
    client.login("manajer", password="rahasia-123")
    resp = race(db, lambda: client.post("/api/v1/entitlements",
                                        json={"period": "2026-11", "amount": 600_000}),
                period="2026-10")
    assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
    assert resp.get_json()["credited"] == 0
    assert sorted(credits(db)) == [(i, 1) for i in kpm_ids]
