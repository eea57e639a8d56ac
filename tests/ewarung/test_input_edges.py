"""Months, ids and query arguments at their edges, the pages' forms and the command line:
refused with a clear message naming the field, never a server error."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from aid.models import EntitlementEntry
from ewarung.web import db_session, requires
from inventory.models import GoodsReceipt, Product
from kube.models import Expense, KubeMember
from pos.models import Shift
from tests.factories import card_key, make_beneficiary, make_product, make_supplier, make_user
from tests.helpers import ApiClient, error_code
from tests.pos.conftest import run_cli


@pytest.fixture
def manager(app, db, client) -> ApiClient:
    with db.unit_of_work() as s:
        make_user(s, "manager", "manajer")
    assert client.login("manajer", password="rahasia-123").status_code == 200
    return client


def refused(resp: Any, field: str, *words: str) -> str:
    assert resp.status_code == 422, (resp.status_code, resp.get_data(as_text=True)[:300])
    assert error_code(resp) == "validation_error"
    error = resp.get_json()["error"]
    assert field in error["details"]["fields"], error
    message = " ".join(error["details"]["fields"][field])
    assert all(w in message for w in words), message
    return message


MONTH_PLACES = [
    ("/api/v1/reports/monthly?month={m}", "month"),
    ("/api/v1/supplier-dependency?month={m}", "month"),
    ("/api/v1/expenses?month={m}", "month"),
    ("/api/v1/beneficiaries/unserved?period={m}", "period"),
    ("/api/v1/reports/monthly/{m}.csv", "month"),
]


@pytest.mark.parametrize(("month", "words"), [
    ("9999-12", ("9999-12", "2000-01", "2099-12")),
    ("1999-01", ("1999-01", "2000-01", "2099-12")),
    ("2026-13", ("TTTT-BB",)), ("٢٠٢٦-١١", ("TTTT-BB",)), ("26-11", ("TTTT-BB",)),
])
def test_a_month_out_of_range_or_misspelt_is_refused_saying_which(manager, month, words):
    for path, field in MONTH_PLACES:
        refused(manager.get(path.format(m=month)), field, *words)
    refused(manager.post("/api/v1/entitlements", json={"period": month, "amount": 200_000}),
            "period", *words)


def test_month_pages_explain_a_month_out_of_range(manager):
    for path in ("/kube/report?month=9999-12", "/inventory/dependency?month=9999-12",
                 "/bpnt/unserved?period=9999-12", "/kube/expenses?month=9999-12"):
        resp = manager.get(path)
        assert resp.status_code in (200, 422), (path, resp.status_code)
        assert "2099-12" in resp.get_data(as_text=True), path


def test_the_report_command_refuses_a_month_out_of_range(app, manager, tmp_path):
    result = run_cli(app, "report", "monthly", "9999-12", "-o", str(tmp_path / "r.pdf"))
    assert result.exit_code == 1 and "2099-12" in result.output
    assert not (tmp_path / "r.pdf").exists()


@pytest.mark.parametrize("path", [
    "/api/v1/sales/99999999999999999999", "/api/v1/sales/2147483648",
    "/api/v1/products/٣", "/api/v1/beneficiaries/9223372036854775808",
    "/api/v1/goods-receipts/99999999999999999999", "/api/v1/stocktakes/2147483648",
    "/api/v1/shifts/99999999999999999999", "/api/v1/printer/jobs/99999999999999999999",
])
def test_an_id_no_database_can_hold_is_an_unknown_record(manager, path):
    resp = manager.get(path)
    assert resp.status_code == 404
    assert error_code(resp) == "not_found"


def test_a_page_for_an_id_no_database_can_hold_is_not_found(manager):
    assert manager.get("/sales/99999999999999999999").status_code == 404
    assert manager.get("/kpm/٣").status_code == 404


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/products?limit=٣", "limit"), ("/api/v1/products?limit=1_0", "limit"),
    ("/api/v1/sales?limit=99999999999999999999", "limit"),
    ("/api/v1/beneficiaries?offset=99999999999999999999", "offset"),
    ("/api/v1/beneficiaries?limit=true", "limit"),
    ("/api/v1/stock?product_id=99999999999999999999", "product_id"),
    ("/api/v1/stock/expiring?days=1e3", "days"),
    ("/api/v1/beneficiaries/1/ledger?limit=-1", "limit"),
])
def test_a_query_argument_out_of_bounds_is_refused_naming_it(manager, path, field):
    refused(manager.get(path), field)


def test_page_arguments_out_of_bounds_fall_back_to_a_sensible_page(manager):
    for path in ("/kpm?page=99999999999999999999", "/kpm?page=٣", "/inventory/expiry?days=٣",
                 "/inventory/reorder?cover=1e3", "/inventory/expiry?days=99999999999999"):
        assert manager.get(path).status_code == 200, path


def test_the_credit_command_takes_only_a_plain_bounded_amount(app, db, manager):
    with db.unit_of_work() as s:
        make_beneficiary(s, card_key(app))
    for amount in ("1_000", "٣", "4600000000000000000", "0", "-5", "true"):
        result = run_cli(app, "kpm", "credit", "2026-11", amount)
        assert result.exit_code == 2, (amount, result.output)
        assert "AMOUNT" in result.output, result.output
    result = run_cli(app, "kpm", "credit", "9999-12", "200000")
    assert result.exit_code == 2 and "2099-12" in result.output
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(EntitlementEntry)) == 0
    assert run_cli(app, "kpm", "credit", "2026-11", "200.000").exit_code == 0


def test_forms_refuse_numbers_out_of_bounds_and_save_nothing(app, db, manager):
    with db.unit_of_work() as s:
        pid = make_product(s, "Beras", unit="kg").id
        kpm = make_beneficiary(s, card_key(app)).id
        sid = make_supplier(s).id
    posts = [
        ("/inventory/products/new", {"sku": "GULA-1", "name": "Gula", "unit": "kg",
                                     "price": "1_000", "commodity_group": "none"}),
        ("/inventory/products/new", {"sku": "GULA-2", "name": "Gula", "unit": "kg",
                                     "price": "4600000000000000000", "commodity_group": "none"}),
        ("/inventory/products/new", {"sku": "GULA-3", "name": "Gula", "unit": "kg",
                                     "price": "1000", "commodity_group": "none",
                                     "reorder_point": "1e30"}),
        ("/shift/open", {"opening_float": "9223372036854775807"}),
        ("/shift/open", {"opening_float": "٣"}),
        (f"/kpm/{kpm}/adjust", {"amount": "4600000000000000000", "reason": "koreksi"}),
        (f"/kpm/{kpm}/adjust", {"bank_remaining": "1_000", "reason": "koreksi"}),
        ("/bpnt/entitlements", {"period": "2026-11", "amount": "1_000"}),
        ("/bpnt/entitlements", {"period": "9999-12", "amount": "200000"}),
        ("/kube/expenses", {"spent_on": "2026-11-05", "category": "rent", "amount": "1e30"}),
        ("/kube/expenses", {"spent_on": "9999-11-05", "category": "rent", "amount": "5000"}),
        ("/kube/settings", {"action": "member", "name": "Siti", "weight": "1e30"}),
        ("/inventory/receipts/new", {"supplier_id": str(sid), "lines-0-product_id": str(pid),
                                     "lines-0-quantity": "1e30", "lines-0-unit_cost": "1000"}),
        ("/inventory/receipts/new", {"supplier_id": str(sid), "lines-0-product_id": str(pid),
                                     "lines-0-quantity": "1000000",
                                     "lines-0-unit_cost": "100000000000"}),
        ("/inventory/write-offs", {"product_id": str(pid), "quantity": "٣",
                                   "reason": "damaged", "batch_id": "99999999999999999999"}),
    ]
    for path, form in posts:
        resp = manager.post(path, data=form)
        assert resp.status_code < 500, (path, form, resp.status_code)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Product)) == 1
        assert s.scalar(select(func.count()).select_from(Shift)) == 0
        assert s.scalar(select(func.count()).select_from(EntitlementEntry)) == 0
        assert s.scalar(select(func.count()).select_from(Expense)) == 0
        assert s.scalar(select(func.count()).select_from(GoodsReceipt)) == 0
        assert s.scalar(select(func.count()).select_from(KubeMember)) == 0


def add_failing_route(app: Any, path: str) -> None:
    """A view whose commit fails in the flush (a value no BigInteger column holds)."""
    @requires("cashier")
    def overflow() -> dict[str, bool]:
        db_session().add(Expense(spent_on=date(2026, 11, 2), category="rent", amount=2**70,
                                 note=""))
        return {"ok": True}
    app.add_url_rule(path, path, overflow, methods=["POST"])


def test_an_error_in_the_commit_still_answers_the_json_contract(app, db, client):
    add_failing_route(app, "/api/v1/overflowing")
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: no test client re-raise
    with db.unit_of_work() as s:
        make_user(s, "cashier", "kasir")
    client.login("kasir", pin="1234")
    resp = client.post("/api/v1/overflowing", json={})
    assert resp.content_type == "application/json"
    assert resp.status_code == 422
    assert error_code(resp) == "validation_error"
    assert client.get("/api/v1/auth/me").status_code == 200  # the next request is fine


def test_an_error_in_a_pages_commit_still_answers_an_error_page(app, db, client):
    add_failing_route(app, "/overflowing")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    with db.unit_of_work() as s:
        make_user(s, "cashier", "kasir")
    client.login("kasir", pin="1234")
    resp = client.post("/overflowing", data={}, headers={"Accept": "text/html"})
    assert resp.status_code == 422
    assert resp.content_type.startswith("text/html")


@pytest.mark.parametrize(("option", "value"), [
    ("--port", "٣"), ("--port", "99999"), ("--port", "8_000"), ("--threads", "0"),
    ("--threads", "1e3")])
def test_serve_refuses_a_port_or_thread_count_that_is_no_plain_number_in_range(app, option,
                                                                              value):
    result = run_cli(app, "serve", option, value)
    assert result.exit_code == 2 and option in result.output, result.output
