"""Voids and returns: a manager's PIN, stock back to its batch, entitlement back to the card."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from aid import ledger
from ewarung.audit import AuditEvent
from ewarung.auth.models import SignInLimit
from inventory import stock
from inventory.models import StockBatch, StockMove
from pos.models import Sale, SaleReturn
from tests.factories import make_stock, make_user, open_shift_for
from tests.helpers import error_code, shop_date

pytestmark = pytest.mark.calendar

MANAGER = {"username": "ketua", "pin": "1234"}


@pytest.fixture
def manager_user(db):
    with db.unit_of_work() as s:
        return make_user(s, "manager", "ketua", full_name="Bu Sri").id


def batch_left(db, batch_id):
    with db.unit_of_work(write=False) as s:
        return s.get(StockBatch, batch_id).quantity_left


def remaining(db, kpm_id):
    with db.unit_of_work(write=False) as s:
        return ledger.entitlement_of(s, kpm_id).remaining


def test_a_void_puts_stock_back_into_the_batches_it_came_from(cashier, shop, db,
                                                              manager_user):
    with db.unit_of_work() as s:  # an older batch expiring sooner: FEFO takes it first
        early = make_stock(s, shop.rice, 3, 50_000, expires_on=shop_date(5))
    sale = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 5), (shop.eggs, "2.5")], [shop.bpnt(150_000), {"kind": "cash"}])
    ).get_json()
    assert batch_left(db, early) == Decimal("0.000")
    assert batch_left(db, shop.rice_batch) == Decimal("18.000")
    assert remaining(db, shop.kpm_id) == 50_000
    resp = cashier.post(f"/api/v1/sales/{sale['id']}/void",
                        json={"reason": "salah input", "approver": MANAGER})
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json()["status"] == "voided"
    assert batch_left(db, early) == Decimal("3.000")
    assert batch_left(db, shop.rice_batch) == Decimal("20.000")
    assert batch_left(db, shop.eggs_batch) == Decimal("10.500")
    assert remaining(db, shop.kpm_id) == 200_000
    with db.unit_of_work(write=False) as s:
        assert stock.discrepancies(s) == []
        back = s.scalars(select(StockMove).where(StockMove.kind == "return")).all()
        assert {(m.batch_id, m.quantity) for m in back} == {
            (early, Decimal("3.000")), (shop.rice_batch, Decimal("2.000")),
            (shop.eggs_batch, Decimal("2.500"))}
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "sale.void")).one()
        cashier_id = s.scalar(select(Sale.cashier_id))
        assert (event.actor_id, event.approver_id) == (cashier_id, manager_user)
        assert event.note == "salah input"


def test_a_void_is_refused_without_a_managers_pin(cashier, shop, db, manager_user):
    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)], [shop.bpnt()])
                        ).get_json()
    url = f"/api/v1/sales/{sale['id']}/void"
    assert cashier.post(url, json={"reason": "salah input"}).status_code == 422
    wrong = cashier.post(url, json={"reason": "salah input",
                                    "approver": {"username": "ketua", "pin": "0000"}})
    assert (wrong.status_code, error_code(wrong)) == (403, "forbidden")
    with db.unit_of_work() as s:
        make_user(s, "cashier", "kasir2")
    not_manager = cashier.post(url, json={"reason": "salah input",
                                          "approver": {"username": "kasir2", "pin": "1234"}})
    assert not_manager.status_code == 403
    assert cashier.get(f"/api/v1/sales/{sale['id']}").get_json()["status"] == "completed"
    assert batch_left(db, shop.rice_batch) == Decimal("19.000")
    assert remaining(db, shop.kpm_id) == 200_000 - 62_500
    with db.unit_of_work(write=False) as s:  # the wrong PIN counts toward the lock-out
        assert s.scalar(select(SignInLimit.failures).where(
            SignInLimit.key.startswith(f"approver:{manager_user}~"))) == 1


def test_a_sale_is_voided_once(cashier, shop, manager_user):
    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}])
                        ).get_json()
    url = f"/api/v1/sales/{sale['id']}/void"
    assert cashier.post(url, json={"reason": "batal", "approver": MANAGER}).status_code == 200
    again = cashier.post(url, json={"reason": "batal", "approver": MANAGER})
    assert (again.status_code, error_code(again)) == (409, "sale_already_voided")


def test_a_partial_return_refunds_bpnt_first_then_cash(cashier, shop, db, manager_user):
    # BPNT pays Rp100.000 of Rp132.500 of food; cash pays the rest and the oil.
    sale = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1), (shop.eggs, "2.5"), (shop.oil, 2)],
        [shop.bpnt(100_000), {"kind": "cash", "amount": 100_000}])).get_json()
    lines = {ln["product_id"]: ln["id"] for ln in sale["lines"]}
    first = cashier.post(f"/api/v1/sales/{sale['id']}/returns", json={
        "lines": [{"sale_line_id": lines[shop.rice.id], "quantity": 1},
                  {"sale_line_id": lines[shop.oil.id], "quantity": 1}],
        "reason": "kemasan rusak", "approver": MANAGER})
    assert first.status_code == 201, first.get_json()
    assert (first.get_json()["refund_bpnt"], first.get_json()["refund_cash"]) == (62_500, 18_000)
    assert remaining(db, shop.kpm_id) == 200_000 - 100_000 + 62_500
    second = cashier.post(f"/api/v1/sales/{sale['id']}/returns", json={
        "lines": [{"sale_line_id": lines[shop.eggs.id], "quantity": "2.5"}],
        "reason": "telur pecah", "approver": MANAGER}).get_json()
    # only Rp37.500 of BPNT is left to give back; the rest of the eggs is refunded in cash
    assert (second["refund_bpnt"], second["refund_cash"]) == (37_500, 32_500)
    assert remaining(db, shop.kpm_id) == 200_000
    assert batch_left(db, shop.eggs_batch) == Decimal("10.500")
    assert batch_left(db, shop.rice_batch) == Decimal("20.000")
    got = cashier.get(f"/api/v1/sales/{sale['id']}").get_json()
    assert [ln["returned_quantity"] for ln in got["lines"]] == ["1", "2.5", "1"]
    assert len(got["returns"]) == 2 and got["status"] == "completed"


def test_more_than_was_sold_cannot_come_back(cashier, shop, db, manager_user):
    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 2)], [{"kind": "cash"}])
                        ).get_json()
    line_id = sale["lines"][0]["id"]
    body = {"lines": [{"sale_line_id": line_id, "quantity": 3}], "reason": "salah",
            "approver": MANAGER}
    resp = cashier.post(f"/api/v1/sales/{sale['id']}/returns", json=body)
    assert (resp.status_code, error_code(resp)) == (422, "validation_error")
    assert batch_left(db, shop.rice_batch) == Decimal("18.000")
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(SaleReturn)).all() == []


def test_a_void_after_a_return_gives_back_only_what_is_left(cashier, shop, db, manager_user):
    sale = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 2), (shop.oil, 1)], [shop.bpnt(), {"kind": "cash"}])).get_json()
    rice_line = next(ln["id"] for ln in sale["lines"] if ln["product_id"] == shop.rice.id)
    cashier.post(f"/api/v1/sales/{sale['id']}/returns", json={
        "lines": [{"sale_line_id": rice_line, "quantity": 1}], "reason": "rusak",
        "approver": MANAGER})
    voided = cashier.post(f"/api/v1/sales/{sale['id']}/void",
                          json={"reason": "batal", "approver": MANAGER})
    assert voided.status_code == 200
    assert batch_left(db, shop.rice_batch) == Decimal("20.000")
    assert batch_left(db, shop.oil_batch) == Decimal("30.000")
    assert remaining(db, shop.kpm_id) == 200_000
    with db.unit_of_work(write=False) as s:
        assert stock.discrepancies(s) == []
    refused = cashier.post(f"/api/v1/sales/{sale['id']}/returns", json={
        "lines": [{"sale_line_id": rice_line, "quantity": 1}], "reason": "rusak",
        "approver": MANAGER})
    assert error_code(refused) == "sale_already_voided"


def test_the_sale_page_voids_with_a_managers_pin(app, db, shop, cashier, manager_user):
    from tests.factories import PIN
    from tests.helpers import ApiClient

    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}])
                        ).get_json()
    page = ApiClient(app.test_client())
    with db.unit_of_work() as s:
        open_shift_for(s, make_user(s, "cashier", "rina", full_name="Rina"))
    assert page.login("rina", pin=PIN).status_code == 200
    html = page.get(f"/sales/{sale['id']}").get_data(as_text=True)
    assert sale["number"] in html and "Minyak Goreng" in html
    wrong = page.post(f"/sales/{sale['id']}/void", data={
        "reason": "salah", "approver": "ketua", "pin": "0000", "csrf_token": page.csrf})
    assert wrong.status_code == 302
    assert cashier.get(f"/api/v1/sales/{sale['id']}").get_json()["status"] == "completed"
    right = page.post(f"/sales/{sale['id']}/void", data={
        "reason": "salah", "approver": "ketua", "pin": PIN, "csrf_token": page.csrf})
    assert right.status_code == 302
    assert cashier.get(f"/api/v1/sales/{sale['id']}").get_json()["status"] == "voided"


def test_voids_and_returns_happen_at_the_moment_history_is_recorded_at(app, db, shop,
                                                                      manager_user):
    from datetime import UTC, datetime

    from ewarung.audit import acting_as
    from ewarung.clock import happening_at
    from pos import voids
    from tests.factories import make_sale

    sold_at = datetime(2026, 10, 5, 3, 0, tzinfo=UTC)
    with app.app_context(), db.unit_of_work() as s:
        kept = make_sale(s, app, [(shop.rice, 2), (shop.eggs, "1")], at=sold_at)
        gone = make_sale(s, app, [(shop.oil, 1)], at=sold_at)
        with happening_at(sold_at + timedelta(hours=2)), acting_as(kept.cashier_id):
            voids.return_lines(s, kept.id, [(kept.lines[0].id, 1)], "kemasan rusak",
                               approver_id=manager_user)
        with happening_at(sold_at + timedelta(hours=3)), acting_as(gone.cashier_id):
            voids.void_sale(s, gone.id, "salah input", approver_id=manager_user)
        with acting_as(kept.cashier_id):
            voids.return_lines(s, kept.id, [(kept.lines[1].id, "0.5")], "telur pecah",
                               approver_id=manager_user)
    with db.unit_of_work(write=False) as s:
        returned = s.scalars(select(SaleReturn).order_by(SaleReturn.id)).all()
        assert returned[0].created_at == sold_at + timedelta(hours=2)
        assert returned[1].created_at > datetime.now(UTC) - timedelta(minutes=5)  # now
        assert s.get(Sale, gone.id).voided_at == sold_at + timedelta(hours=3)
        back = s.scalars(select(StockMove.at).where(StockMove.kind == "return")
                         .order_by(StockMove.id)).all()
        assert back[:2] == [sold_at + timedelta(hours=2), sold_at + timedelta(hours=3)]


@pytest.mark.parametrize("reason", ["salah\x00input", "salah\x1b@input", "salah\ninput"])
def test_void_and_return_reasons_with_control_characters_are_refused(cashier, shop, db,
                                                                     manager_user, reason):
    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)], [shop.bpnt()])
                        ).get_json()
    void = cashier.post(f"/api/v1/sales/{sale['id']}/void",
                        json={"reason": reason, "approver": MANAGER})
    assert (void.status_code, error_code(void)) == (422, "validation_error")
    assert list(void.get_json()["error"]["details"]["fields"]) == ["reason"]
    back = cashier.post(f"/api/v1/sales/{sale['id']}/returns", json={
        "lines": [{"sale_line_id": sale["lines"][0]["id"], "quantity": 1}], "reason": reason,
        "approver": MANAGER})
    assert (back.status_code, error_code(back)) == (422, "validation_error")
    assert list(back.get_json()["error"]["details"]["fields"]) == ["reason"]
    assert cashier.get(f"/api/v1/sales/{sale['id']}").get_json()["returns"] == []
    assert batch_left(db, shop.rice_batch) == Decimal("19.000")
    assert remaining(db, shop.kpm_id) == 200_000 - 62_500
