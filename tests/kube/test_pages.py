"""The manager's KUBE pages: expenses and SHU settings, by form posts."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from kube.models import Expense, KubeMember
from tests.factories import PASSWORD, make_user

pytestmark = pytest.mark.calendar


@pytest.fixture
def manager(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    client.login("ketua", password=PASSWORD)
    return client


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_manager_records_and_cancels_an_expense(manager, db):
    page = manager.get("/kube/expenses?month=2026-11").get_data(as_text=True)
    resp = manager.post("/kube/expenses", data={
        "csrf_token": _token(page), "spent_on": "2026-11-05", "category": "electricity",
        "amount": "Rp125.000", "note": "token listrik"})
    assert resp.status_code == 302
    html = manager.get("/kube/expenses?month=2026-11").get_data(as_text=True)
    assert "Rp125.000" in html and "token listrik" in html
    with db.unit_of_work(write=False) as s:
        expense = s.scalars(select(Expense)).one()
    manager.post(f"/kube/expenses/{expense.id}/void",
                 data={"csrf_token": _token(html), "reason": "dobel"})
    with db.unit_of_work(write=False) as s:
        assert s.get(Expense, expense.id).void_reason == "dobel"


def test_bad_amount_is_explained_and_saves_nothing(manager, db):
    page = manager.get("/kube/expenses").get_data(as_text=True)
    resp = manager.post("/kube/expenses", data={
        "csrf_token": _token(page), "spent_on": "2026-11-05", "category": "rent",
        "amount": "dua ratus"})
    assert "Harus berupa jumlah Rupiah bulat" in resp.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Expense)).all() == []


def test_manager_adds_members_and_sets_the_shu_split(manager, db):
    page = manager.get("/kube/settings").get_data(as_text=True)
    manager.post("/kube/settings", data={"csrf_token": _token(page), "action": "member",
                                         "name": "Bu Tini", "position": "bendahara",
                                         "weight": "2"})
    bad = manager.post("/kube/settings", data={
        "csrf_token": _token(page), "action": "shu", "pct_reserve": "50", "pct_members": "40",
        "pct_management": "5", "pct_social": "0", "pct_other": "0", "member_split": "equal"})
    assert "harus 100" in bad.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(KubeMember.name)).all() == ["Bu Tini"]


def test_manager_sets_when_a_repeated_basket_counts_as_a_bundle(manager, db):
    from ewarung.shop import get_setting

    page = manager.get("/kube/settings").get_data(as_text=True)
    assert 'name="min_kpm"' in page and 'value="20"' in page
    resp = manager.post("/kube/settings", data={"csrf_token": _token(page), "action": "bundle",
                                               "min_kpm": "25", "min_items": "3"})
    assert resp.status_code == 302
    bad = manager.post("/kube/settings", data={"csrf_token": _token(page), "action": "bundle",
                                              "min_kpm": "1", "min_items": "3"})
    assert bad.status_code == 200 and "Paling sedikit 2 KPM" in bad.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert (get_setting(s, "kube.bundle_min_kpm"),
                get_setting(s, "kube.bundle_min_items")) == (25, 3)


def test_a_member_typed_with_a_control_character_is_explained_and_saves_nothing(manager, db):
    page = manager.get("/kube/settings").get_data(as_text=True)
    for name, position in (("Bu\x1b@Tini", "bendahara"), ("Bu Tini", "bendahara\x00")):
        resp = manager.post("/kube/settings", data={
            "csrf_token": _token(page), "action": "member", "name": name,
            "position": position, "weight": "1"}, follow_redirects=True)
        assert "karakter kendali" in resp.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(KubeMember)).all() == []
