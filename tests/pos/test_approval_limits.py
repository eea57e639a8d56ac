"""Wrong approvals hold back the cashier who sends them, never the manager whose PIN they
guess: the manager still signs in, and approves at another cashier's till."""

from __future__ import annotations

from sqlalchemy import select

from ewarung.audit import AuditEvent
from tests.factories import PASSWORD, make_user, open_shift_for
from tests.helpers import ApiClient, error_code

MANAGER = {"username": "ketua", "pin": "1234"}
WRONG = {"username": "ketua", "pin": "0000"}


def _void(client, sale_id, approver):
    return client.post(f"/api/v1/sales/{sale_id}/void",
                       json={"reason": "salah input", "approver": approver})


def _cash_sale(client, shop):
    resp = client.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}]))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()["id"]


def test_a_cashier_guessing_the_manager_s_pin_is_held_back_and_the_manager_is_not(
        app, cashier, shop, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    sale = _cash_sale(cashier, shop)
    assert [error_code(_void(cashier, sale, WRONG)) for _ in range(5)] == ["forbidden"] * 5
    held = _void(cashier, sale, MANAGER)  # even the right PIN, from this cashier, for now
    assert (held.status_code, error_code(held)) == (429, "too_many_attempts")
    assert int(held.headers["Retry-After"]) >= 59
    manager = ApiClient(app.test_client())
    assert manager.login("ketua", password=PASSWORD).status_code == 200
    other = ApiClient(app.test_client())
    with db.unit_of_work() as s:
        open_shift_for(s, make_user(s, "cashier", "kasir2"))  # her drawer pays the cash back
    assert other.login("kasir2", pin="1234").status_code == 200
    approved = _void(other, sale, MANAGER)
    assert approved.status_code == 200, approved.get_json()
    with db.unit_of_work(write=False) as s:
        failed = s.scalars(select(AuditEvent.action).where(
            AuditEvent.action.in_(["auth.approval_failed", "auth.throttled"]))).all()
    assert failed.count("auth.approval_failed") == 5 and "auth.throttled" in failed
