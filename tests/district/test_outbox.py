"""The outlet's outbox: numbers without gaps, committed with the fact or not at all."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from ewarung.outbox import OutboxEvent, pending_count, record_event
from ewarung.shop import Setting


def _seqs(db):
    with db.unit_of_work(write=False) as s:
        return s.scalars(select(OutboxEvent.seq).order_by(OutboxEvent.seq)).all()


def test_events_are_numbered_from_one_in_the_facts_transaction(db):
    with db.unit_of_work() as s:
        s.add(Setting(key="fact.a", value=1))
        first = record_event(s, "sale.completed", {"total": 12500, "lines": 2})
    with db.unit_of_work() as s:
        second = record_event(s, "goods.received", {"lines": [{"qty": "1.5"}]})
    assert (first.seq, second.seq) == (1, 2)
    assert first.event_id != second.event_id
    with db.unit_of_work(write=False) as s:
        stored = s.get(OutboxEvent, 1)
        assert stored.payload == {"total": 12500, "lines": 2} and stored.pushed_at is None
        assert pending_count(s) == 2


def test_a_rolled_back_fact_leaves_no_event_and_no_gap(db):
    with db.unit_of_work() as s:
        record_event(s, "sale.completed", {"n": 1})
    with pytest.raises(RuntimeError), db.unit_of_work() as s:
        s.add(Setting(key="fact.b", value=2))
        record_event(s, "sale.completed", {"n": 2})
        raise RuntimeError("the sale failed after its event was recorded")
    with db.unit_of_work() as s:
        record_event(s, "sale.completed", {"n": 3})
    assert _seqs(db) == [1, 2]
    with db.unit_of_work(write=False) as s:
        assert s.get(Setting, "fact.b") is None
        assert s.get(OutboxEvent, 2).payload == {"n": 3}


def test_concurrent_facts_get_distinct_gapless_numbers(db):
    errors = []

    def worker(n):
        try:
            for i in range(10):
                with db.unit_of_work() as s:
                    record_event(s, "sale.completed", {"worker": n, "i": i})
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _seqs(db) == list(range(1, 41))


@pytest.mark.parametrize("payload", [
    {"card": "5264 2210 0000 1236"},
    {"tenders": [{"card": "4111111111111111"}]},
    {"kartu_kks": "4111-1111-1111-1111"},
    {"card_number": 4111111111111111},
    {"note": ";5264221000001236=2812101?"},
    {"raw": "%B5264221000001236^WATI/SRI^2812"},
])
def test_a_full_card_number_never_enters_the_outbox(db, payload):
    with pytest.raises(ValueError, match="card"), db.unit_of_work() as s:
        record_event(s, "sale.completed", payload)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(OutboxEvent)) == 0


def test_a_keyed_card_and_a_nik_like_number_pass(db):
    with db.unit_of_work() as s:
        event = record_event(s, "sale.completed", {
            "card_key": "b3f1c2d4e5f6a7b8c9d0", "masked": "**** 1234",
            "nik": "3507012345678901", "total": 125000})
    assert event.seq == 1


@pytest.mark.parametrize(("kind", "payload"), [("Sale Completed", {}), ("", {}),
                                               ("sale.completed", {"x": float("nan")})])
def test_bad_kinds_and_payloads_are_refused(db, kind, payload):
    with pytest.raises(ValueError), db.unit_of_work() as s:
        record_event(s, kind, payload)
