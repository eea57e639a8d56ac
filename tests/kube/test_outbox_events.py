"""Expenses (and their voiding) and a closed month announce themselves in the outbox
(`ewarung.outbox`): the district takes a closed month as the outlet signed it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from ewarung.outbox import OutboxEvent
from kube import services
from tests.factories import make_token


def events(db) -> list[OutboxEvent]:
    with db.unit_of_work(write=False) as s:
        return list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)))


def test_an_expense_and_its_voiding_announce_themselves(db):
    with db.unit_of_work() as s:
        spent = services.record_expense(s, date(2026, 11, 3), "transport", 45_000, "ojek")
    with db.unit_of_work() as s:
        services.void_expense(s, spent.id, "dobel")
    found = events(db)
    assert [(e.seq, e.kind) for e in found] == [(1, "expense"), (2, "expense.void")]
    assert found[0].payload == {"expense_id": spent.id, "spent_on": "2026-11-03",
                                "category": "transport", "amount": 45_000}
    assert found[1].payload["amount"] == 45_000


@pytest.mark.now("2026-11-20T10:00:00+07:00")
def test_a_closed_month_announces_its_signed_report(client, db, month):
    with db.unit_of_work() as s:
        client.token = make_token(s, "manager")
    names = {"ketua": "Sri Wahyuni", "bendahara": "Tini Rohaeti"}
    assert client.post("/api/v1/reports/monthly/2026-10/close", json=names).status_code == 201
    [closed] = [e for e in events(db) if e.kind == "report.month_closed"]
    report = closed.payload["report"]
    assert closed.payload["month"] == "2026-10"
    assert report == client.get("/api/v1/reports/monthly?month=2026-10").get_json()
    assert (report["sign_off"]["ketua"], report["closed"]["month"]) == ("Sri Wahyuni", "2026-10")
    assert closed.seq == max(e.seq for e in events(db))  # the closing's own last write
