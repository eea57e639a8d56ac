"""Money and quantities are bounded, and only plain numbers are numbers, wherever they enter.

Every place of the API that takes an amount of Rupiah or a quantity is listed once here;
each must refuse what is out of bounds or not a plain number with 422 `validation_error`
naming the field, and never answer 500.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.factories import card_key, make_beneficiary, make_product, make_supplier, make_user
from tests.helpers import ApiClient, error_code


@dataclass
class Shop:
    """A shop with one of everything a number can be sent to."""

    client: ApiClient
    manager: str
    product_id: int
    supplier_id: int
    beneficiary_id: int
    sale_id: int
    sale_line_id: int
    shift_id: int
    receipt_id: int
    receipt_line_id: int


@pytest.fixture
def shop(app, db, client) -> Shop:
    with db.unit_of_work() as s:
        manager = make_user(s, "manager").username
        supplier = make_supplier(s)
        product = make_product(s, "Beras 1 kg", unit="kg", price=13_000)
        kpm = make_beneficiary(s, card_key(app))
        ids = (supplier.id, product.id, kpm.id)
    assert client.login(manager, password="rahasia-123").status_code == 200
    receipt = client.post("/api/v1/goods-receipts", json={"supplier_id": ids[0], "lines": [
        {"product_id": ids[1], "quantity": "50", "unit_cost": 11_000}]}).get_json()
    shift = client.post("/api/v1/shifts", json={"opening_float": 100_000}).get_json()
    sale = client.post("/api/v1/sales", json={
        "client_ref": "seed", "lines": [{"product_id": ids[1], "quantity": "2"}],
        "tenders": [{"kind": "cash", "amount": 50_000}]}).get_json()
    return Shop(client, manager, ids[1], ids[0], ids[2], sale["id"], sale["lines"][0]["id"],
                shift["id"], receipt["id"], receipt["lines"][0]["id"])


Place = Callable[[Shop, Any], tuple[str, dict[str, Any], str]]


def _sale(shop: Shop, line: dict[str, Any], tender: dict[str, Any]) -> dict[str, Any]:
    return {"client_ref": uuid.uuid4().hex, "tenders": [{"kind": "cash", **tender}],
            "lines": [{"product_id": shop.product_id, "quantity": 1, **line}],
            "approver": {"username": shop.manager, "pin": "1234"}}


def _approver(shop: Shop) -> dict[str, str]:
    return {"username": shop.manager, "pin": "1234"}


#: (path, body, the field named in the refusal) for a quantity `v`
QUANTITY_PLACES: dict[str, Place] = {
    "sale": lambda sh, v: ("/api/v1/sales", _sale(sh, {"quantity": v}, {}),
                           "lines.0.quantity"),
    "goods_receipt": lambda sh, v: ("/api/v1/goods-receipts", {
        "supplier_id": sh.supplier_id,
        "lines": [{"product_id": sh.product_id, "quantity": v, "unit_cost": 1000}]},
        "lines.0.quantity"),
    "receipt_reversal": lambda sh, v: (f"/api/v1/goods-receipts/{sh.receipt_id}/reverse", {
        "lines": {str(sh.receipt_line_id): v}}, f"lines.{sh.receipt_line_id}"),
    "stock_adjustment": lambda sh, v: ("/api/v1/stock-adjustments", {
        "product_id": sh.product_id, "quantity": v, "reason": "found"}, "quantity"),
    "write_off": lambda sh, v: ("/api/v1/write-offs", {
        "product_id": sh.product_id, "quantity": v, "reason": "damaged"}, "quantity"),
    "stocktake": lambda sh, v: ("/api/v1/stocktakes", {
        "lines": [{"product_id": sh.product_id, "counted": v}]}, "lines.0.counted"),
    "sale_return": lambda sh, v: (f"/api/v1/sales/{sh.sale_id}/returns", {
        "lines": [{"sale_line_id": sh.sale_line_id, "quantity": v}], "reason": "rusak",
        "approver": _approver(sh)}, "lines.0.quantity"),
    "product_reorder_point": lambda sh, v: ("/api/v1/products", {
        "sku": uuid.uuid4().hex[:8], "name": "Gula 1 kg", "unit": "kg", "price": 1000,
        "commodity_group": "none", "reorder_point": v}, "reorder_point"),
    "kube_member_weight": lambda sh, v: ("/api/v1/kube/members", {
        "name": "Siti", "weight": v}, "weight"),
}

#: (path, body, the field named in the refusal) for an amount of Rupiah `v`
MONEY_PLACES: dict[str, Place] = {
    "product_price": lambda sh, v: ("/api/v1/products", {
        "sku": uuid.uuid4().hex[:8], "name": "Gula 1 kg", "unit": "kg", "price": v,
        "commodity_group": "none"}, "price"),
    "product_reference_price": lambda sh, v: ("/api/v1/products", {
        "sku": uuid.uuid4().hex[:8], "name": "Gula 1 kg", "unit": "kg", "price": 1000,
        "commodity_group": "none", "reference_price": v}, "reference_price"),
    "receipt_unit_cost": lambda sh, v: ("/api/v1/goods-receipts", {
        "supplier_id": sh.supplier_id,
        "lines": [{"product_id": sh.product_id, "quantity": 1, "unit_cost": v}]},
        "lines.0.unit_cost"),
    "sale_tender": lambda sh, v: ("/api/v1/sales", _sale(sh, {}, {"amount": v}),
                                  "tenders.0.amount"),
    "sale_unit_price": lambda sh, v: ("/api/v1/sales", _sale(sh, {"unit_price": v}, {}),
                                      "lines.0.unit_price"),
    "shift_cash": lambda sh, v: (f"/api/v1/shifts/{sh.shift_id}/cash", {
        "amount": v, "reason": "modal tambahan"}, "amount"),
    "shift_close": lambda sh, v: (f"/api/v1/shifts/{sh.shift_id}/close", {
        "counted_cash": v}, "counted_cash"),
    "kpm_adjustment": lambda sh, v: (f"/api/v1/beneficiaries/{sh.beneficiary_id}/adjustments",
                                     {"amount": v, "reason": "koreksi bank"}, "amount"),
    "kpm_bank_balance": lambda sh, v: (
        f"/api/v1/beneficiaries/{sh.beneficiary_id}/adjustments",
        {"bank_remaining": v, "reason": "koreksi bank"}, "bank_remaining"),
    "entitlement_credit": lambda sh, v: ("/api/v1/entitlements", {
        "period": "2026-11", "amount": v}, "amount"),
    "expense": lambda sh, v: ("/api/v1/expenses", {
        "spent_on": "2026-11-02", "category": "rent", "amount": v}, "amount"),
}

NOT_QUANTITIES = ["1e30", 1e30, 10**7, "1000000.001", -(10**30), True, False, "1_000", "٣",
                  "１", "1 000", [1], {"q": 1}, "NaN", "0x10"]
NOT_MONEY = [2**63 - 1, 4_600_000_000_000_000_000, 10**11 + 1, 1e30, -(2**63), True, "1_000",
             "٣", "1e3", 1.5, [5], "Rp"]


def refused_naming(resp: Any, field: str) -> None:
    assert resp.status_code == 422, (resp.status_code, resp.get_data(as_text=True)[:400])
    assert error_code(resp) == "validation_error"
    assert field in resp.get_json()["error"]["details"]["fields"], resp.get_json()


def answers(shop: Shop, place: Place, values: list[Any]) -> dict[str, str]:
    """How each value sent to `place` was answered, when it was not refused as it should be."""
    wrong = {}
    for value in values:
        path, body, field = place(shop, value)
        resp = shop.client.post(path, json=body)
        try:
            refused_naming(resp, field)
        except AssertionError as exc:
            wrong[repr(value)] = str(exc)[:300]
    return wrong


@pytest.mark.parametrize("place", sorted(QUANTITY_PLACES))
def test_a_quantity_out_of_bounds_or_not_a_plain_number_is_refused(shop, place):
    assert answers(shop, QUANTITY_PLACES[place], NOT_QUANTITIES) == {}


@pytest.mark.parametrize("place", sorted(MONEY_PLACES))
def test_money_out_of_bounds_or_not_a_plain_number_is_refused(shop, place):
    assert answers(shop, MONEY_PLACES[place], NOT_MONEY) == {}


def test_plain_quantities_and_amounts_are_still_taken(shop):
    c = shop.client
    for qty in ("1,5", "1.250", 2, 0.5, " 3 ", "1000000"):
        resp = c.post("/api/v1/stock-adjustments", json={
            "product_id": shop.product_id, "quantity": qty, "reason": "found"})
        assert resp.status_code == 201, (qty, resp.get_json())
    sale = c.post("/api/v1/sales", json=_sale(shop, {"quantity": "1,5"}, {"amount": "20.000"}))
    assert sale.status_code == 201, sale.get_json()
    assert sale.get_json()["change"] == 500


def test_a_kpm_adjustment_of_quintillions_is_refused_twice_without_a_server_error(shop):
    for _ in range(2):
        resp = shop.client.post(f"/api/v1/beneficiaries/{shop.beneficiary_id}/adjustments",
                                json={"amount": 4_600_000_000_000_000_000, "reason": "uji"})
        refused_naming(resp, "amount")
    ledger = shop.client.get(f"/api/v1/beneficiaries/{shop.beneficiary_id}/ledger")
    assert [e["kind"] for e in ledger.get_json()["entries"]] == []


def test_a_float_too_big_to_close_is_refused_and_the_shift_closes(app, db, client):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "kasir_a")
    client.login("kasir_a", pin="1234")
    refused_naming(client.post("/api/v1/shifts", json={"opening_float": 2**63 - 1}),
                   "opening_float")
    shift = client.post("/api/v1/shifts", json={"opening_float": 10**11})
    assert shift.status_code == 201
    shift_id = shift.get_json()["id"]
    refused_naming(client.post(f"/api/v1/shifts/{shift_id}/cash",
                               json={"amount": 10**11 + 1, "reason": "setor"}), "amount")
    closed = client.post(f"/api/v1/shifts/{shift_id}/close", json={"counted_cash": 10**11})
    assert closed.status_code == 200, closed.get_json()
    assert closed.get_json()["report"]["variance"] == 0
