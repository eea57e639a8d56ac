"""The district's ingest: idempotent, ordered, and only for the key's own outlet."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from district.migrate import schema_drift
from district.models import Event, Ledger, Outlet
from district.services import add_outlet, revoke_outlet
from tests.district.events import event, push
from tests.factories import PASSWORD, make_user
from tests.helpers import error_code


def _count(db, model=Event):
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(model))


def test_a_batch_is_stored_and_answered_with_how_far_it_is_held(district_client,
                                                                  district_db, outlet_key):
    resp = push(district_client, outlet_key, [event(1), event(2), event(3)])
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {"held_through": 3, "stored": 3, "duplicates": 0, "missing": [],
                               "outlet": "W001", "unknown_kinds": 0}
    with district_db.unit_of_work(write=False) as s:
        rows = s.execute(select(Event.seq, Event.kind, Event.payload)
                         .order_by(Event.seq)).all()
        outlet = s.scalar(select(Outlet))
    assert rows == [(1, "sale.completed", {"total": 1000}), (2, "sale.completed",
                    {"total": 2000}), (3, "sale.completed", {"total": 3000})]
    assert outlet.last_seq == 3 and outlet.last_push_at is not None


def test_a_replayed_batch_changes_nothing(district_client, district_db, outlet_key):
    batch = [event(1), event(2)]
    push(district_client, outlet_key, batch)
    again = push(district_client, outlet_key, batch)
    assert again.status_code == 200
    assert again.get_json()["stored"] == 0 and again.get_json()["duplicates"] == 2
    assert _count(district_db) == 2 and _count(district_db, Ledger) == 2


def test_gaps_are_named_and_filled_later(district_client, district_db, outlet_key):
    first = push(district_client, outlet_key, [event(1), event(4), event(5), event(8)])
    assert first.get_json()["held_through"] == 1
    assert first.get_json()["missing"] == [[2, 3], [6, 7]]
    second = push(district_client, outlet_key, [event(2), event(3), event(6), event(7)])
    assert second.get_json()["held_through"] == 8
    assert second.get_json()["missing"] == []
    assert _count(district_db) == 8


def test_events_are_partitioned_by_the_month_they_happened(district_client, district_db,
                                                           outlet_key):
    months = [datetime(2026, 11, 30, 23, 0, tzinfo=UTC), datetime(2026, 12, 1, 1, 0, tzinfo=UTC),
              datetime(2027, 1, 15, tzinfo=UTC)]
    resp = push(district_client, outlet_key, [event(i + 1, at=m) for i, m in enumerate(months)])
    assert resp.status_code == 200
    with district_db.unit_of_work(write=False) as s:
        where = dict(s.execute(text(
            "SELECT seq, tableoid::regclass::text FROM district_events")).all())
    assert where == {1: "district_events_y2026m11", 2: "district_events_y2026m12",
                     3: "district_events_y2027m01"}
    assert schema_drift(district_db.engine) == []


def test_unknown_kinds_and_fields_are_kept_and_counted(district_client, district_db,
                                                       outlet_key):
    odd = {**event(1, kind="kube.meeting_held", members=7), "extra_field": "x"}
    resp = push(district_client, outlet_key, [odd, event(2)])
    assert resp.status_code == 200
    assert resp.get_json()["unknown_kinds"] == 1
    with district_db.unit_of_work(write=False) as s:
        stored = s.scalar(select(Event).where(Event.seq == 1))
    assert stored.kind == "kube.meeting_held" and stored.known_kind is False
    assert stored.payload == {"members": 7, "_extra": {"extra_field": "x"}}


def test_a_different_event_under_a_held_seq_flags_the_outlet_rewound(district_client,
                                                                       district_db, outlet_key):
    push(district_client, outlet_key, [event(1), event(2)])
    other = event(2, event_id=uuid.uuid4(), total=99)
    resp = push(district_client, outlet_key, [other, event(3)])
    assert resp.status_code == 409 and error_code(resp) == "outlet_rewound"
    with district_db.unit_of_work(write=False) as s:
        outlet = s.scalar(select(Outlet))
        kept = s.scalar(select(Event.payload).where(Event.seq == 2))
    assert outlet.status == "rewound" and outlet.last_seq == 2
    assert kept == {"total": 2000}
    assert _count(district_db) == 2  # event 3 of the refused push is not taken either
    later = push(district_client, outlet_key, [event(3)])
    assert later.status_code == 409 and error_code(later) == "outlet_rewound"


def test_unknown_missing_and_revoked_keys_are_refused(district_client, district_db,
                                                      outlet_key):
    assert error_code(push(district_client, "not-a-key", [event(1)])) == "outlet_key_refused"
    resp = district_client.post("/api/v1/district/ingest", json={"events": [event(1)]})
    assert resp.status_code == 401 and error_code(resp) == "outlet_key_refused"
    with district_db.unit_of_work() as s:
        revoke_outlet(s, "w001")
    resp = push(district_client, outlet_key, [event(1)])
    assert resp.status_code == 403 and error_code(resp) == "outlet_revoked"
    assert _count(district_db) == 0


def test_a_key_pushes_only_its_own_outlets_events(district_client, district_db, outlet_key):
    with district_db.unit_of_work() as s:
        _other, other_key = add_outlet(s, "W002", "Warung Maju")
    resp = push(district_client, other_key, [event(1)], outlet="W001", outlet_id=1)
    assert resp.status_code == 200 and resp.get_json()["outlet"] == "W002"
    with district_db.unit_of_work(write=False) as s:
        owners = s.execute(select(Outlet.code, Outlet.last_seq).order_by(Outlet.code)).all()
    assert owners == [("W001", 0), ("W002", 1)]


def test_malformed_batches_answer_4xx_with_a_code(district_client, outlet_key):
    good = event(1)
    cases = [
        {"events": []},
        {"events": [{**good, "seq": 0}]},
        {"events": [{**good, "seq": True}]},
        {"events": [{**good, "seq": "1_000"}]},
        {"events": [{**good, "id": "not-a-uuid"}]},
        {"events": [{**good, "occurred_at": "2026-11-30T10:00:00"}]},  # no offset
        {"events": [{**good, "kind": "DROP TABLE"}]},
        {"events": [{**good, "payload": [1, 2]}]},
        {"events": [{**good, "payload": {"name": "Sri\u0000Wati"}}]},
        {"events": [{**good, "payload": {"a\u0000": 1}}]},
        {"events": [{**good, "occurred_at": "9999-12-31T23:00:00+00:00"}]},
        {"events": [{**good, "occurred_at": "0001-01-01T00:00:00+00:00"}]},
        {"events": [{**good, "extra": "x\u0000"}]},
        {"events": [good] * 501},
        {"events": "x"},
        {},
    ]
    for body in cases:
        resp = district_client.post("/api/v1/district/ingest", json=body,
                                    headers={"Authorization": f"Bearer {outlet_key}"})
        assert 400 <= resp.status_code < 500, (body, resp.status_code)
        assert error_code(resp) in ("validation_error", "bad_request"), body
    twice = district_client.post("/api/v1/district/ingest", json={"events": [
        good, {**good, "id": str(uuid.uuid4())}]},
        headers={"Authorization": f"Bearer {outlet_key}"})
    assert twice.status_code == 422 and error_code(twice) == "validation_error"
    same = push(district_client, outlet_key, [good, good])
    assert same.status_code == 200 and same.get_json()["stored"] == 1
    raw = district_client.post("/api/v1/district/ingest", data=b"{not json",
                               content_type="application/json",
                               headers={"Authorization": f"Bearer {outlet_key}"})
    assert raw.status_code == 400 and error_code(raw) == "bad_request"
    nan = district_client.post("/api/v1/district/ingest",
                               data=b'{"events": [{"seq": 1, "id": "' + good["id"].encode()
                               + b'", "kind": "a", "schema_version": 1, "occurred_at": "'
                               + good["occurred_at"].encode() + b'", "payload": {"x": NaN}}]}',
                               content_type="application/json",
                               headers={"Authorization": f"Bearer {outlet_key}"})
    assert nan.status_code in (400, 422) and error_code(nan) in ("validation_error",
                                                                  "bad_request")
    big = district_client.post("/api/v1/district/ingest",
                               data=b'{"events": [' + b" " * (3 * 1024 * 1024) + b"]}",
                               content_type="application/json",
                               headers={"Authorization": f"Bearer {outlet_key}"})
    assert big.status_code == 413 and error_code(big) == "body_too_large"


def test_clock_skew_is_recorded_and_events_keep_seq_order(district_client, district_db,
                                                          outlet_key):
    ahead = datetime.now(UTC) + timedelta(days=1)
    batch = [event(i, at=ahead + timedelta(minutes=10 - i)) for i in range(1, 4)]
    resp = push(district_client, outlet_key, batch, sent_at=ahead.isoformat())
    assert resp.get_json()["held_through"] == 3
    with district_db.unit_of_work(write=False) as s:
        outlet = s.scalar(select(Outlet))
        seqs = s.scalars(select(Event.seq).order_by(Event.seq)).all()
    assert seqs == [1, 2, 3]
    assert -86400 - 60 < outlet.clock_skew_s < -86400 + 60


def test_district_users_list_the_outlets(district_client, district_db, outlet_key):
    push(district_client, outlet_key, [event(1), event(2)])
    with district_db.unit_of_work() as s:
        make_user(s, "admin", username="dinas")
        make_user(s, "cashier", username="kasir")
    assert district_client.get("/api/v1/district/outlets").status_code == 401
    district_client.login("kasir", pin="1234")
    assert district_client.get("/api/v1/district/outlets").status_code == 403
    district_client = type(district_client)(district_client.raw.application.test_client())
    district_client.login("dinas", password=PASSWORD)
    resp = district_client.get("/api/v1/district/outlets")
    assert resp.status_code == 200
    [row] = resp.get_json()
    assert row["code"] == "W001" and row["last_seq"] == 2 and row["kecamatan"] == "Kepanjen"
    assert row["desa"] == "Ngadilangkung" and row["last_push_at"] is not None


def test_a_shop_is_not_a_district(client, db, backend):
    resp = push(client, "any-key", [event(1)])
    assert resp.status_code == 401 and error_code(resp) == "outlet_key_refused"
    assert client.get("/api/v1/district/whoami").status_code == 401
    with db.unit_of_work() as s:
        make_user(s, "admin", username="pemilik")
    client.login("pemilik", password=PASSWORD)
    resp = client.get("/api/v1/district/outlets")
    assert resp.status_code == 200 and resp.get_json() == []
