"""Faults on the line between outlets and the district: replays, disorder, a district killed
mid-push, an outlet restored from an old backup, a stolen key, unknown kinds, a wrong clock."""

from __future__ import annotations

import os
import random
import signal
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select, update

from bench.server import serve
from district.models import Event, Ledger
from district.models import Outlet as DistrictOutlet
from district.services import add_outlet, revoke_outlet
from district.sync import DistrictRefused, DistrictUnreachable, join, push
from ewarung.backup import restore_backup, write_backup
from ewarung.db import Database
from ewarung.migrate import upgrade
from ewarung.outbox import OutboxEvent, SyncState, record_event
from tests.conftest import create_pg_database, drop_pg_database
from tests.district.events import event
from tests.district.events import push as post_batch
from tests.helpers import error_code

pytestmark = pytest.mark.real_clock


def _record(db, n, kind="sale.completed"):
    for _ in range(n):
        with db.unit_of_work() as s:
            record_event(s, kind, {"total": random.randint(1, 10**6)})


def _held(district_db):
    """(seq, event id) of every event the district holds, with the ledger's agreement."""
    with district_db.unit_of_work(write=False) as s:
        events = s.execute(select(Event.seq, Event.event_id).order_by(Event.seq)).all()
        ledger = s.execute(select(Ledger.seq, Ledger.event_id).order_by(Ledger.seq)).all()
    assert events == ledger
    return [(seq, str(event_id)) for seq, event_id in events]


def _outbox(db):
    with db.unit_of_work(write=False) as s:
        return s.execute(select(OutboxEvent.seq, OutboxEvent.event_id)
                         .order_by(OutboxEvent.seq)).all()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_batch_twice_and_out_of_order_holds_each_event_once(district_client,
                                                                  district_db, outlet_key,
                                                                  seed):
    rng = random.Random(seed)
    events = [event(i) for i in range(1, 151)]
    cut, i = [], 0
    while i < len(events):
        size = rng.randint(1, 20)
        cut.append(events[i:i + size])
        i += size
    sends = [b for b in cut for _ in range(2)]
    rng.shuffle(sends)
    stored = 0
    for batch in sends:
        resp = post_batch(district_client, outlet_key, batch)
        assert resp.status_code == 200, resp.get_json()
        answer = resp.get_json()
        stored += answer["stored"]
        held = {s for s, _ in _held(district_db)}
        top = max(held)
        assert answer["missing"] == _ranges(set(range(1, top + 1)) - held)
    assert answer["held_through"] == 150 and answer["missing"] == []
    assert stored == 150
    assert [s for s, _ in _held(district_db)] == list(range(1, 151))


def _ranges(numbers):
    out = []
    for n in sorted(numbers):
        if out and out[-1][1] == n - 1:
            out[-1][1] = n
        else:
            out.append([n, n])
    return out


@pytest.fixture
def served_district(district_url, tmp_path):
    """Start and stop `ewarung serve` on the district database, as often as a test wants."""
    def start():
        return serve(district_url, tmp_path / "district-serve", args=("--threads", "4"))
    return start


@pytest.mark.slow
def test_a_push_cut_by_killing_the_district_resumes_with_every_event_once(
        db, district_db, outlet_key, served_district):
    rng = random.Random(14)
    cuts = 0
    for round_ in range(5):
        _record(db, 150)
        with served_district() as server:
            if round_ == 0:
                join(db, server.url, outlet_key)
            else:
                with db.unit_of_work() as s:
                    s.execute(update(SyncState).values(district_url=server.url))
            outcome: list[object] = []
            pusher = threading.Thread(target=lambda out=outcome: out.append(_try_push(db)))
            pusher.start()
            time.sleep(rng.uniform(0.05, 0.4))
            os.kill(server.pid, signal.SIGKILL)
            pusher.join(60)
            assert not pusher.is_alive()
            cuts += isinstance(outcome[0], DistrictUnreachable)
    with served_district() as server:
        with db.unit_of_work() as s:
            s.execute(update(SyncState).values(district_url=server.url))
        result = push(db, batch=25)
    assert result.pending == 0 and result.held_through == 750
    assert _held(district_db) == _outbox(db)  # every event once, with its own id
    assert cuts >= 1, "no push was cut: the kill came too late every round"


def _try_push(db):
    try:
        return push(db, batch=10, attempts=2, backoff=0.05)
    except (DistrictUnreachable, DistrictRefused) as exc:
        return exc


def _restore_into_new_database(backend, tmp_path, backup, secret):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        url = create_pg_database()
    restored = Database(url)
    upgrade(restored.engine)
    restore_backup(restored, backup, secret)
    return restored, url


def test_an_outlet_restored_from_an_old_backup_is_flagged_rewound(
        app, db, backend, district_db, district_server, outlet_key, tmp_path):
    secret = app.extensions["ewarung.config"].secret_key
    join(db, district_server.url, outlet_key)
    _record(db, 5)
    backup = tmp_path / "old.ewbackup"
    write_backup(db, backup, secret)
    _record(db, 5)
    assert push(db).held_through == 10
    before = _held(district_db)
    restored, url = _restore_into_new_database(backend, tmp_path, backup, secret)
    try:
        _record(restored, 2)  # numbers 6 and 7 again, with new ids
        with pytest.raises(DistrictRefused, match="outlet_rewound"):
            push(restored)
        assert _held(district_db) == before
        with district_db.unit_of_work(write=False) as s:
            outlet = s.scalar(select(DistrictOutlet))
        assert outlet.status == "rewound" and outlet.last_seq == 10
        with restored.unit_of_work(write=False) as s:
            assert "outlet_rewound" in s.get(SyncState, 1).last_error
    finally:
        restored.dispose()
        if backend == "postgresql":
            drop_pg_database(url)


def test_a_stolen_key_is_caught_and_revoking_it_stops_everyone(
        district_client, district_db, outlet_key):
    assert post_batch(district_client, outlet_key, [event(1), event(2)]).status_code == 200
    # a thief's copy pushes its own events with the key: they can only land as W001's
    thief = post_batch(district_client, outlet_key, [event(3, event_id=uuid.uuid4()),
                                                     event(4, event_id=uuid.uuid4())])
    assert thief.status_code == 200
    # the real W001 then sends its own 3 and 4: the district sees two histories
    real = post_batch(district_client, outlet_key, [event(3), event(4)])
    assert real.status_code == 409 and error_code(real) == "outlet_rewound"
    with district_db.unit_of_work() as s:
        revoke_outlet(s, "W001")
        _other, other_key = add_outlet(s, "W002", "Warung Lain")
    refused = post_batch(district_client, outlet_key, [event(5)])
    assert refused.status_code == 403 and error_code(refused) == "outlet_revoked"
    assert post_batch(district_client, other_key, [event(1)]).status_code == 200
    with district_db.unit_of_work(write=False) as s:
        w001 = s.scalar(select(func.count()).select_from(Ledger).where(Ledger.outlet_id == 1))
    assert w001 == 4


def test_unknown_kinds_travel_and_are_kept(db, district_db, district_server, outlet_key):
    join(db, district_server.url, outlet_key)
    _record(db, 2)
    _record(db, 1, kind="kube.meeting_held")
    assert push(db).pending == 0
    with district_db.unit_of_work(write=False) as s:
        kinds = s.execute(select(Event.seq, Event.kind, Event.known_kind)
                          .order_by(Event.seq)).all()
    assert kinds == [(1, "sale.completed", True), (2, "sale.completed", True),
                     (3, "kube.meeting_held", False)]


def test_an_outlet_a_day_ahead_is_ordered_by_seq_and_its_skew_recorded(
        db, district_db, outlet_key, served_district):
    with served_district() as server:
        join(db, server.url, outlet_key)
        with time_machine.travel(datetime.now(UTC) + timedelta(days=1), tick=True):
            _record(db, 3)
            with db.unit_of_work() as s:  # a clock set back in between: earlier, later seq
                record_event(s, "sale.completed", {"total": 1},
                             occurred_at=datetime.now(UTC) - timedelta(hours=3))
            assert push(db).held_through == 4
    with district_db.unit_of_work(write=False) as s:
        outlet = s.scalar(select(DistrictOutlet))
        rows = s.execute(select(Event.seq, Event.occurred_at).order_by(Event.seq)).all()
    assert [seq for seq, _ in rows] == [1, 2, 3, 4]
    assert rows[3][1] < rows[0][1]
    assert -86400 - 120 < outlet.clock_skew_s < -86400 + 120
