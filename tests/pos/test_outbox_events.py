"""Every sale, void and return announces itself in the outbox (`ewarung.outbox`), in its own
transaction: one event per fact, numbered without gaps; a refused sale and a replay add
none. The district receives these events (tests/district)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ewarung.outbox import OutboxEvent
from tests.factories import make_user

MANAGER = {"username": "ketua", "pin": "1234"}


@pytest.fixture
def manager_user(db):
    with db.unit_of_work() as s:
        return make_user(s, "manager", "ketua", full_name="Bu Sri").id


def events(db) -> list[OutboxEvent]:
    """The selling events, after those of the goods the shop received."""
    with db.unit_of_work(write=False) as s:
        found = list(s.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)))
    assert [e.seq for e in found] == list(range(1, len(found) + 1))  # no gap
    return [e for e in found if e.kind.startswith("sale")]


def test_a_sale_announces_itself_once_with_its_lines_and_tenders(cashier, shop, db):
    body = shop.body([(shop.rice, 1), (shop.oil, 2)], [shop.bpnt(62_500), {"kind": "cash"}])
    sale = cashier.post("/api/v1/sales", json=body).get_json()
    assert cashier.post("/api/v1/sales", json=body).status_code == 200  # a replay
    [event] = events(db)
    assert (event.kind, event.schema_version) == ("sale", 1)
    got = event.payload
    assert (got["sale_id"], got["number"], got["total"]) == (sale["id"], sale["number"],
                                                             62_500 + 2 * 18_000)
    assert [(ln["product_id"], ln["quantity"], ln["amount"]) for ln in got["lines"]] == [
        (shop.rice.id, "1.000", 62_500), (shop.oil.id, "2.000", 36_000)]
    assert sum(ln["cost"] for ln in got["lines"]) == 55_000 + 2 * 15_000
    assert [(t["kind"], t["amount"], t["beneficiary_id"]) for t in got["tenders"]] == [
        ("bpnt", 62_500, shop.kpm_id), ("cash", 36_000, None)]
    assert shop.card not in str(got)  # the card number never leaves the shop


def test_a_refused_sale_leaves_no_sale_event_and_no_gap(cashier, shop, db):
    refused = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 31)], [{"kind": "cash"}]))
    assert refused.status_code == 409  # more than the stock holds
    over = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 4)], [shop.bpnt(250_000)]))
    assert over.status_code in (409, 422)
    refusals = events(db)  # the BPNT over the balance is a program rule: it is announced
    assert [e.kind for e in refusals] == ["sale.refusal"]
    assert refusals[0].payload["beneficiary_id"] == shop.kpm_id
    for n in (1, 2):
        assert cashier.post("/api/v1/sales", json=shop.body(
            [(shop.oil, n)], [{"kind": "cash"}])).status_code == 201
    after = events(db)
    assert [e.kind for e in after] == ["sale.refusal", "sale", "sale"]
    assert [e.seq for e in after] == [refusals[0].seq + i for i in range(3)]


def test_a_void_and_a_return_announce_themselves_after_the_sale(cashier, shop, db,
                                                                manager_user):
    kept = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 2), (shop.oil, 1)], [{"kind": "cash"}])).get_json()
    gone = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.oil, 1)], [{"kind": "cash"}])).get_json()
    line = {ln["product_id"]: ln["id"] for ln in kept["lines"]}[shop.rice.id]
    assert cashier.post(f"/api/v1/sales/{kept['id']}/returns", json={
        "lines": [{"sale_line_id": line, "quantity": 1}], "reason": "kemasan rusak",
        "approver": MANAGER}).status_code == 201
    assert cashier.post(f"/api/v1/sales/{gone['id']}/void", json={
        "reason": "salah input", "approver": MANAGER}).status_code == 200
    found = events(db)
    assert [(e.kind, e.payload["sale_id"]) for e in found] == [
        ("sale", kept["id"]), ("sale", gone["id"]), ("sale.return", kept["id"]),
        ("sale.void", gone["id"])]
    assert (found[2].payload["refund_cash"], found[2].payload["lines"][0]["line_id"]) == (
        62_500, line)
    assert found[3].payload["number"] == gone["number"]
    assert len({e.event_id for e in found}) == 4
