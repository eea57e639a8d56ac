"""Expenses, members and SHU settings through the API."""

from __future__ import annotations

import pytest

from tests.factories import make_token
from tests.helpers import error_code


@pytest.fixture
def manager(client, db):
    with db.unit_of_work() as s:
        client.token = make_token(s, "manager")
    return client


def test_expenses_are_recorded_listed_by_month_and_voided_with_a_reason(manager):
    first = manager.post("/api/v1/expenses", json={
        "spent_on": "2026-11-03", "category": "transport", "amount": 75000, "note": "ojek beras"})
    assert first.status_code == 201
    manager.post("/api/v1/expenses", json={"spent_on": "2026-12-01", "category": "rent",
                                           "amount": 300000})
    listed = manager.get("/api/v1/expenses?month=2026-11").get_json()
    assert [(e["category"], e["amount"]) for e in listed] == [("transport", 75000)]
    voided = manager.post(f"/api/v1/expenses/{first.get_json()['id']}/void",
                          json={"reason": "salah catat"})
    assert voided.get_json()["voided"] is True
    again = manager.post(f"/api/v1/expenses/{first.get_json()['id']}/void",
                         json={"reason": "salah catat"})
    assert error_code(again) == "conflict"


@pytest.mark.parametrize(("body", "field"), [
    ({"spent_on": "2026-11-03", "category": "party", "amount": 1}, "category"),
    ({"spent_on": "2026-11-03", "category": "bags", "amount": 0}, "amount"),
    ({"spent_on": "2026-13-03", "category": "bags", "amount": 5}, "spent_on"),
])
def test_bad_expenses_name_the_field(manager, body, field):
    resp = manager.post("/api/v1/expenses", json=body)
    assert resp.status_code == 422
    assert error_code(resp) == "validation_error"
    assert field in resp.get_json()["error"]["details"]["fields"]


def test_members_and_shu_settings(manager):
    manager.post("/api/v1/kube/members", json={"name": "Sri", "position": "ketua"})
    member = manager.post("/api/v1/kube/members", json={"name": "Tini", "weight": "2.5"})
    assert member.get_json()["weight"] == "2.5"
    patched = manager.patch(f"/api/v1/kube/members/{member.get_json()['id']}",
                            json={"active": False})
    assert patched.get_json()["active"] is False
    assert len(manager.get("/api/v1/kube/members").get_json()) == 2
    shu = manager.get("/api/v1/kube/shu").get_json()
    assert sum(float(v) for v in shu["percentages"].values()) == 100
    bad = manager.put("/api/v1/kube/shu", json={"percentages": {
        "reserve": 50, "members": 40, "management": 5, "social": 0, "other": 0},
        "member_split": "equal"})
    assert error_code(bad) == "validation_error"
    assert "total" in bad.get_json()["error"]["details"]["fields"]
    good = manager.put("/api/v1/kube/shu", json={"percentages": {
        "reserve": 25, "members": 50, "management": 10, "social": 10, "other": 5},
        "member_split": "weight"})
    assert good.status_code == 200
    assert manager.get("/api/v1/kube/shu").get_json()["member_split"] == "weight"


def test_the_demo_kube_has_members_and_expenses(app, db):
    from sqlalchemy import func, select

    from ewarung.demo import load_demo
    from kube.models import Expense, KubeMember

    with app.app_context(), db.unit_of_work() as s:
        lines = load_demo(s)
    assert any(line.startswith("KUBE: 10 member families") for line in lines)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(KubeMember)) == 10
        assert s.scalar(select(func.count()).select_from(Expense)) >= 5
