"""Pushes side by side on the real server: one outlet's overlapping batches, and outlets
racing to make the same new month's partition."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from district.models import Event, Ledger, Outlet
from district.services import add_outlet
from tests.district.events import event

pytestmark = pytest.mark.real_clock


def test_overlapping_pushes_of_two_outlets_hold_each_event_once(district_db, district_server):
    with district_db.unit_of_work() as s:
        keys = [add_outlet(s, f"W00{n}", f"Warung {n}")[1] for n in (1, 2)]
    start = datetime(2031, 5, 31, 23, 0, tzinfo=UTC)  # months no partition exists for yet
    events = [event(i, at=start + timedelta(minutes=7 * i)) for i in range(1, 121)]
    failures: list[object] = []

    def pusher(key: str, offset: int) -> None:
        with httpx.Client(timeout=30) as http:
            for lo in range(offset, 120, 10):
                batch = events[lo:lo + 20]  # each event goes out in two threads' batches
                resp = http.post(f"{district_server.url}/api/v1/district/ingest",
                                 json={"events": batch},
                                 headers={"Authorization": f"Bearer {key}"})
                if resp.status_code != 200:
                    failures.append(resp.text)

    threads = [threading.Thread(target=pusher, args=(key, offset))
               for key in keys for offset in (0, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert failures == []
    with district_db.unit_of_work(write=False) as s:
        for outlet in s.scalars(select(Outlet)):
            seqs = s.scalars(select(Event.seq).where(Event.outlet_id == outlet.id)
                             .order_by(Event.seq)).all()
            ledger = s.scalars(select(Ledger.seq).where(Ledger.outlet_id == outlet.id)
                               .order_by(Ledger.seq)).all()
            assert seqs == ledger == list(range(1, 121)), outlet.code
            assert outlet.last_seq == 120
