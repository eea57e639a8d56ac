"""Admin pages: users and the outlet."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ewarung.audit import AuditEvent
from ewarung.auth.models import User
from ewarung.shop import get_outlet, get_setting
from tests.factories import PASSWORD, make_user


@pytest.fixture
def admin(client, db):
    with db.unit_of_work() as s:
        make_user(s, "admin", "boss")
    client.login("boss", password=PASSWORD)
    return client


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html)[1]


def test_admin_adds_a_cashier_and_resets_her_pin(admin, client, db):
    page = admin.get("/admin/users").get_data(as_text=True)
    admin.post("/admin/users", data={"csrf_token": _token(page), "username": "rina",
                                     "full_name": "Rina", "role": "cashier", "pin": "2222"})
    with db.unit_of_work(write=False) as s:
        rina = s.scalar(select(User).where(User.username == "rina"))
    admin.post(f"/admin/users/{rina.id}", data={"csrf_token": _token(page), "action": "pin",
                                                "pin": "3333"})
    other = type(client)(client.raw.application.test_client())
    assert other.login("rina", pin="2222").status_code == 401
    assert other.login("rina", pin="3333").status_code == 200
    with db.unit_of_work(write=False) as s:
        actions = s.scalars(select(AuditEvent.action).where(AuditEvent.entity_id == str(rina.id),
                                                            AuditEvent.entity == "user")).all()
        after = s.scalars(select(AuditEvent.after).where(AuditEvent.action == "user.pin")).all()
    assert "user.pin" in actions
    assert "3333" not in str(after)


def test_admin_unlocks_a_locked_cashier_and_cannot_deactivate_herself(admin, client, db):
    with db.unit_of_work() as s:
        siti = make_user(s, "cashier", "siti")
        boss = s.scalar(select(User).where(User.username == "boss"))
    other = type(client)(client.raw.application.test_client())
    for _ in range(5):
        other.login("siti", pin="0000")
    assert other.login("siti", pin="1234").status_code == 429
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Terkunci" in page
    admin.post(f"/admin/users/{siti.id}", data={"csrf_token": _token(page), "action": "unlock"})
    assert other.login("siti", pin="1234").status_code == 200
    refused = admin.post(f"/admin/users/{boss.id}", data={"csrf_token": _token(page),
                                                          "action": "toggle"},
                         follow_redirects=True)
    assert "tidak dapat menonaktifkan diri sendiri" in refused.get_data(as_text=True)


def test_admin_edits_the_outlet_and_time_zone(admin, db):
    page = admin.get("/admin/shop").get_data(as_text=True)
    fields = {"name": "e-Warong Maju", "kube_name": "KUBE Maju", "address": "Jl. Desa 3",
              "village": "Sukamaju", "district": "Kab. Sukabumi", "ewarong_id": "EW-1",
              "phone": "0812", "code": "EW", "timezone": "Asia/Makassar"}
    admin.post("/admin/shop", data={"csrf_token": _token(page), **fields})
    with db.unit_of_work(write=False) as s:
        assert get_outlet(s).name == "e-Warong Maju"
        assert get_setting(s, "shop.timezone") == "Asia/Makassar"
    bad = admin.post("/admin/shop", data={"csrf_token": _token(page), **fields,
                                          "timezone": "Europe/Paris"}, follow_redirects=True)
    assert "Nilai tidak diizinkan" in bad.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert get_setting(s, "shop.timezone") == "Asia/Makassar"


@pytest.mark.parametrize(("field", "value"), [
    ("name", "e-Warong\x1b@Maju"), ("kube_name", "KUBE\x00Maju"), ("address", "Jl. Desa\x0c3"),
    ("village", "Suka\nmaju"), ("phone", "08\u202812"), ("code", "E\x07W")])
def test_outlet_text_with_a_control_character_is_explained_and_saves_nothing(admin, db, field,
                                                                             value):
    page = admin.get("/admin/shop").get_data(as_text=True)
    fields = {"name": "e-Warong Maju", "kube_name": "KUBE Maju", "address": "Jl. Desa 3",
              "village": "Sukamaju", "district": "Kab. Sukabumi", "ewarong_id": "EW-1",
              "phone": "0812", "code": "EW", "timezone": "Asia/Jakarta"}
    admin.post("/admin/shop", data={"csrf_token": _token(page), **fields})
    bad = admin.post("/admin/shop", data={"csrf_token": _token(page), **fields, field: value,
                                          "timezone": "Asia/Makassar"}, follow_redirects=True)
    assert "karakter kendali" in bad.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        outlet = get_outlet(s)
        assert {f: getattr(outlet, f) for f in fields if f != "timezone"} == {
            f: v for f, v in fields.items() if f != "timezone"}
        assert get_setting(s, "shop.timezone") == "Asia/Jakarta"


def test_an_outlet_address_may_break_lines(admin, db):
    page = admin.get("/admin/shop").get_data(as_text=True)
    admin.post("/admin/shop", data={"csrf_token": _token(page), "name": "e-Warong Maju",
                                    "kube_name": "KUBE Maju", "address": "Jl. Desa 3\r\nRT 01",
                                    "timezone": "Asia/Jakarta"})
    with db.unit_of_work(write=False) as s:
        assert get_outlet(s).address == "Jl. Desa 3\r\nRT 01"
