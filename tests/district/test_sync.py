"""An outlet joins the district and pushes its outbox over real HTTP (outlet on SQLite and
PostgreSQL, the district on PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from district.models import Event
from district.models import Outlet as DistrictOutlet
from district.services import revoke_outlet
from district.sync import DistrictRefused, DistrictUnreachable, NotJoined, join, push
from district.sync_cli import sync
from ewarung.outbox import OutboxEvent, SyncState, record_event
from tests.district.conftest import serving

pytestmark = pytest.mark.real_clock


def _record(db, n, start=0):
    for i in range(start, start + n):
        with db.unit_of_work() as s:
            record_event(s, "sale.completed", {"number": i, "total": 1000 + i})


def _district_events(district_db):
    with district_db.unit_of_work(write=False) as s:
        return s.execute(select(Event.seq, Event.payload).order_by(Event.seq)).all()


def _run(app, *args):
    return app.test_cli_runner().invoke(sync, list(args), obj=app)


def test_join_takes_the_outlet_code_from_the_district(app, db, district_server, outlet_key):
    result = _run(app, "join", district_server.url, outlet_key)
    assert result.exit_code == 0, result.output
    assert "outlet W001" in result.output
    with db.unit_of_work(write=False) as s:
        st = s.get(SyncState, 1)
    assert st.outlet_code == "W001" and st.outlet_key == outlet_key
    assert st.district_url == district_server.url


def test_join_with_a_wrong_key_stores_nothing(app, db, district_server, outlet_key):
    result = _run(app, "join", district_server.url, "wrong-key")
    assert result.exit_code == 1 and "outlet_key_refused" in result.output
    with db.unit_of_work(write=False) as s:
        assert s.get(SyncState, 1) is None


def test_push_sends_everything_in_order_and_marks_it(app, db, district_db, district_server,
                                                     outlet_key):
    join(db, district_server.url, outlet_key)
    _record(db, 25)
    result = push(db, batch=10)
    assert (result.sent, result.stored, result.duplicates) == (25, 25, 0)
    assert (result.held_through, result.pending, result.rounds) == (25, 0, 3)
    assert [seq for seq, _ in _district_events(district_db)] == list(range(1, 26))
    assert _district_events(district_db)[4][1] == {"number": 4, "total": 1004}
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(OutboxEvent)
                        .where(OutboxEvent.pushed_at.is_(None))) == 0
        assert s.get(SyncState, 1).last_success_at is not None
    _record(db, 3, start=25)
    again = _run(app, "push")
    assert again.exit_code == 0, again.output
    assert "sent 3, stored 3, duplicates 0, held through 28, pending 0" in again.output
    status = _run(app, "status")
    assert "pending 0, held through 28" in status.output and "last error -" in status.output


def test_a_district_restored_from_an_older_backup_gets_back_what_it_lost(
        app, db, district_db, district_server, outlet_key):
    join(db, district_server.url, outlet_key)
    _record(db, 10)
    push(db)
    with district_db.unit_of_work() as s:  # the district loses events 6 to 10
        s.execute(Event.__table__.delete().where(Event.seq > 5))
        from district.models import Ledger
        s.execute(Ledger.__table__.delete().where(Ledger.seq > 5))
        s.scalar(select(DistrictOutlet)).last_seq = 5
    _record(db, 2, start=10)
    result = push(db)
    assert result.held_through == 12 and result.pending == 0
    assert [seq for seq, _ in _district_events(district_db)] == list(range(1, 13))


def test_a_refused_push_keeps_the_events_and_says_why(app, db, district_db, district_server,
                                                      outlet_key):
    join(db, district_server.url, outlet_key)
    _record(db, 2)
    with district_db.unit_of_work() as s:
        revoke_outlet(s, "W001")
    with pytest.raises(DistrictRefused):
        push(db)
    result = _run(app, "push")
    assert result.exit_code == 1 and "outlet_revoked" in result.output
    status = _run(app, "status")
    assert "pending 2" in status.output and "outlet_revoked" in status.output
    assert _district_events(district_db) == []


def test_push_before_joining_is_refused(app, db):
    _record(db, 1)
    with pytest.raises(NotJoined):
        push(db)
    assert _run(app, "status").output.startswith("not joined; pending 1")


class Flaky:
    """WSGI middleware: the first `n` ingests answer 503, as a district under load would."""

    def __init__(self, app, n):
        self.app, self.left = app, n

    def __call__(self, environ, start_response):
        if environ["PATH_INFO"].endswith("/ingest") and self.left > 0:
            self.left -= 1
            start_response("503 Service Unavailable", [("Content-Type", "application/json")])
            return [b'{"error": {"code": "database_busy", "message": "busy", "details": {}}}']
        return self.app(environ, start_response)


def test_push_retries_with_growing_waits_and_then_gives_up(db, district_app, district_db,
                                                           outlet_key):
    flaky = Flaky(district_app, 3)
    waits: list[float] = []
    with serving(flaky) as server:
        join(db, server.url, outlet_key)
        _record(db, 5)
        result = push(db, attempts=4, backoff=0.5, sleep=waits.append)
        assert waits == [0.5, 1.0, 2.0]
        assert result.held_through == 5 and result.pending == 0
        flaky.left = 10
        _record(db, 1, start=5)
        with pytest.raises(DistrictUnreachable, match="database_busy"):
            push(db, attempts=3, backoff=0.5, sleep=waits.append)
    assert waits[3:] == [0.5, 1.0]
    with db.unit_of_work(write=False) as s:
        assert "database_busy" in s.get(SyncState, 1).last_error
