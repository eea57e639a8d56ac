"""Expired goods at the sale: never taken silently, refused with `expired_stock` unless a
manager approves, and shown apart in the product search the till reads."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from ewarung.audit import AuditEvent
from ewarung.clock import happening_at
from ewarung.db import utcnow
from inventory.models import StockBatch
from pos.models import Sale
from tests.factories import PIN, make_product, make_stock, make_user
from tests.helpers import error_code, shop_date

pytestmark = pytest.mark.calendar


@pytest.fixture
def goods(db):
    """Milk whose only batch expired yesterday; yoghurt with 5 expired and 3 fresh; tea
    that never expires; and a manager."""
    with db.unit_of_work() as s:
        with happening_at(utcnow() - timedelta(days=10)):  # received before they expired
            milk = make_product(s, "Susu UHT Coklat", price=6000,
                                commodity_group="animal_protein", tracks_expiry=True)
            milk_batch = make_stock(s, milk, 6, 4000, shop_date(-1))
            yoghurt = make_product(s, "Yoghurt Stroberi", price=8000,
                                   commodity_group="animal_protein", tracks_expiry=True)
            stale = make_stock(s, yoghurt, 5, 5000, shop_date(-2))
            fresh = make_stock(s, yoghurt, 3, 5000, shop_date(5))
            today = make_product(s, "Tahu Putih", price=5000, commodity_group="plant_protein",
                                 tracks_expiry=True)
            make_stock(s, today, 4, 3000, shop_date(0))
        tea = make_product(s, "Teh Celup", unit="dus", price=7000, commodity_group="none")
        make_stock(s, tea, 20, 5000)
        ketua = make_user(s, "manager", "ketua_expired")
        return {"milk": milk.id, "yoghurt": yoghurt.id, "tofu": today.id, "tea": tea.id,
                "milk_batch": milk_batch, "stale": stale, "fresh": fresh,
                "manager": ketua.username}


def _sale(lines, **extra):
    return {"client_ref": str(uuid.uuid4()),
            "lines": [{"product_id": pid, "quantity": str(q)} for pid, q in lines],
            "tenders": [{"kind": "cash"}], **extra}


def _left(db, batch_id):
    with db.unit_of_work(write=False) as s:
        return s.get(StockBatch, batch_id).quantity_left


def _sales(db):
    with db.unit_of_work(write=False) as s:
        return s.scalar(select(func.count()).select_from(Sale))


def test_a_line_only_expired_goods_could_serve_is_refused_and_nothing_is_written(
        cashier, goods, db):
    resp = cashier.post("/api/v1/sales", json=_sale([(goods["milk"], 1), (goods["tea"], 2)]))
    assert resp.status_code == 409, resp.get_json()
    assert error_code(resp) == "expired_stock"
    error = resp.get_json()["error"]
    assert error["details"]["lines"] == [{"product_id": goods["milk"], "name": "Susu UHT Coklat",
                                          "requested": "1.000", "available": "0.000",
                                          "expired": "6.000"}]
    assert "Susu UHT Coklat" in error["message"] and "kedaluwarsa" in error["message"]
    assert "Teh" not in error["message"]
    assert _sales(db) == 0
    assert _left(db, goods["milk_batch"]) == Decimal(6)


def test_fresh_goods_sell_past_an_expired_batch_and_every_short_line_is_named(
        cashier, goods, db):
    both = cashier.post("/api/v1/sales", json=_sale([(goods["milk"], 1), (goods["yoghurt"], 4)]))
    assert error_code(both) == "expired_stock"
    assert [(ln["name"], ln["available"]) for ln in both.get_json()["error"]["details"]["lines"]] \
        == [("Susu UHT Coklat", "0.000"), ("Yoghurt Stroberi", "3.000")]

    resp = cashier.post("/api/v1/sales", json=_sale([(goods["yoghurt"], 3)]))
    assert resp.status_code == 201, resp.get_json()
    assert _left(db, goods["fresh"]) == 0  # first-expiry-first-out skips what has expired
    assert _left(db, goods["stale"]) == Decimal(5)


def test_goods_sell_on_their_expiry_date_itself(cashier, goods, db):
    resp = cashier.post("/api/v1/sales", json=_sale([(goods["tofu"], 4)]))
    assert resp.status_code == 201, resp.get_json()


def test_a_manager_may_approve_selling_expired_goods(cashier, goods, db):
    asked = _sale([(goods["milk"], 2)], sell_expired=True)
    assert error_code(cashier.post("/api/v1/sales", json=asked)) == "approval_required"
    wrong = cashier.post("/api/v1/sales",
                         json={**asked, "approver": {"username": goods["manager"], "pin": "0000"}})
    assert wrong.status_code in (401, 403) and _sales(db) == 0
    resp = cashier.post("/api/v1/sales",
                        json={**asked, "approver": {"username": goods["manager"], "pin": PIN}})
    assert resp.status_code == 201, resp.get_json()
    assert _left(db, goods["milk_batch"]) == Decimal(4)
    with db.unit_of_work(write=False) as s:
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "sale.sell_expired")).one()
        assert event.entity_id == str(resp.get_json()["id"])
        assert event.approver_id is not None and event.actor_id is not None


def test_the_product_search_tells_what_has_expired(cashier, goods):
    found = {p["id"]: p for p in cashier.get("/api/v1/products?limit=100").get_json()}
    assert (found[goods["milk"]]["on_hand"], found[goods["milk"]]["expired_on_hand"]) \
        == ("6.000", "6.000")
    assert (found[goods["yoghurt"]]["on_hand"], found[goods["yoghurt"]]["expired_on_hand"]) \
        == ("8.000", "5.000")
    assert Decimal(found[goods["tofu"]]["expired_on_hand"]) == 0  # expires today: sellable
    assert Decimal(found[goods["tea"]]["expired_on_hand"]) == 0
    by_code = cashier.get("/api/v1/products?q=Yoghurt").get_json()
    assert by_code[0]["expired_on_hand"] == "5.000"
