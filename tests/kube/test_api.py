"""Expenses, members and SHU settings through the API."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ewarung.errors import ValidationFailed
from ewarung.text import has_unwritable
from kube import services
from kube.models import Expense, KubeMember
from tests.factories import make_token
from tests.helpers import error_code

pytestmark = pytest.mark.calendar


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
    assert member.get_json()["weight"] == "2.500"  # as every quantity, 3 decimals
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


def _refused(resp):
    assert (resp.status_code, error_code(resp)) == (422, "validation_error"), resp.get_json()
    return list(resp.get_json()["error"]["details"]["fields"])


@pytest.mark.parametrize("text", ["ojek\x00beras", "ojek\x1b@beras", "ojek\u2028beras"])
def test_control_characters_in_expenses_and_members_are_refused_by_field(manager, text):
    expense = {"spent_on": "2026-11-03", "category": "transport", "amount": 75000}
    assert _refused(manager.post("/api/v1/expenses", json={**expense, "note": text})) == [
        "note"]
    kept = manager.post("/api/v1/expenses", json={**expense, "note": "ojek\r\nberas\t2x"})
    assert kept.status_code == 201 and kept.get_json()["note"] == "ojek\r\nberas\t2x"
    void = manager.post(f"/api/v1/expenses/{kept.get_json()['id']}/void",
                        json={"reason": f"salah {text}"})
    assert _refused(void) == ["reason"]
    assert _refused(manager.post("/api/v1/kube/members", json={"name": text})) == ["name"]
    assert manager.get("/api/v1/kube/members").get_json() == []
    listed = manager.get("/api/v1/expenses?month=2026-11").get_json()
    assert [(e["note"], e["voided"]) for e in listed] == [("ojek\r\nberas\t2x", False)]


_names = itertools.count(1)


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(name=st.text(st.characters(codec="utf-8"), max_size=140),
       note=st.text(st.characters(codec="utf-8"), max_size=60))
def test_any_unicode_name_or_note_is_stored_as_written_or_refused_with_a_reason(db, name, note):
    tag = f"#{next(_names)}"
    outcomes = []
    for record in (lambda s: services.add_member(s, name + tag),
                   lambda s: services.record_expense(s, date(2026, 11, 3), "other", 1000,
                                                     note + tag)):
        try:
            with db.unit_of_work() as s:
                row = record(s)
                outcomes.append((row.id, type(row)))
        except ValidationFailed as exc:
            assert exc.code == "validation_error" and exc.details["fields"]
            outcomes.append(None)
    member, expense = outcomes
    with db.unit_of_work(write=False) as s:
        if member is None:  # refused: only for a control character (an empty name is "#n")
            assert has_unwritable((name + tag).strip())
            assert s.scalar(select(KubeMember).where(KubeMember.name.endswith(tag))) is None
        else:
            stored = s.get(KubeMember, member[0]).name
            assert stored == (name + tag).strip() and not has_unwritable(stored)
        if expense is None:
            assert has_unwritable((note + tag).strip(), multiline=True)
        else:
            stored = s.get(Expense, expense[0]).note
            assert stored == (note + tag).strip()
            assert not has_unwritable(stored, multiline=True)


def test_the_shu_settings_answer_what_the_openapi_document_says(app, manager):
    """The percentages came back as decimal strings ("30") where the document said numbers."""
    from tests.ewarung.contract import Contract

    contract = Contract(app)
    shown = manager.get("/api/v1/kube/shu")
    assert contract.check("GET", "/api/v1/kube/shu", shown) == []
    body = {"percentages": {"reserve": "12.5", "members": 37.5, "management": "10",
                            "social": 20, "other": "20.00"}, "member_split": "weight"}
    changed = manager.put("/api/v1/kube/shu", json=body)
    assert changed.status_code == 200, changed.get_json()
    assert contract.check("PUT", "/api/v1/kube/shu", changed) == []
    again = manager.get("/api/v1/kube/shu")
    assert contract.check("GET", "/api/v1/kube/shu", again) == []
    assert {k: float(v) for k, v in again.get_json()["percentages"].items()} == {
        "reserve": 12.5, "members": 37.5, "management": 10, "social": 20, "other": 20}
    zero = {**body, "percentages": {**body["percentages"], "social": "-0", "other": "40"}}
    changed = manager.put("/api/v1/kube/shu", json=zero)
    assert changed.get_json()["percentages"]["social"] == "0"
    assert contract.check("PUT", "/api/v1/kube/shu", changed) == []
