"""Shifts: a float, cash in and out, sales, voids and returns, then counted cash at the close."""

from __future__ import annotations

import pytest

from ewarung.shop import Outlet
from pos import shifts
from printer.render import paper_profile, render_lines
from tests.factories import PIN, make_user
from tests.helpers import ApiClient, error_code
from tests.printer.escpos_decode import decode

MANAGER = {"username": "ketua", "pin": PIN}


@pytest.fixture
def manager_user(db):
    with db.unit_of_work() as s:
        return make_user(s, "manager", "ketua").id


def test_a_shift_reports_what_the_drawer_should_hold(cashier, shop, db, manager_user):
    shift = cashier.post("/api/v1/shifts", json={"opening_float": 200_000}).get_json()
    sid = shift["id"]
    assert shift["report"]["kind"] == "X" and shift["report"]["expected_cash"] == 200_000
    sell = lambda lines, tenders: cashier.post(  # noqa: E731
        "/api/v1/sales", json=shop.body(lines, tenders)).get_json()
    cash_sale = sell([(shop.rice, 1), (shop.oil, 1)], [{"kind": "cash", "amount": 100_000}])
    sell([(shop.rice, 1), (shop.oil, 1)], [shop.bpnt(), {"kind": "cash"}])
    sell([(shop.oil, 2)], [{"kind": "qris", "reference": "QR-1"}])
    voided = sell([(shop.oil, 1)], [{"kind": "cash"}])
    cashier.post(f"/api/v1/sales/{voided['id']}/void",
                 json={"reason": "salah ketik", "approver": MANAGER})
    oil_line = next(ln["id"] for ln in cash_sale["lines"] if ln["product_id"] == shop.oil.id)
    cashier.post(f"/api/v1/sales/{cash_sale['id']}/returns", json={
        "lines": [{"sale_line_id": oil_line, "quantity": 1}], "reason": "bocor",
        "approver": MANAGER})
    cashier.post(f"/api/v1/shifts/{sid}/cash", json={"amount": 50_000, "reason": "tambah receh"})
    cashier.post(f"/api/v1/shifts/{sid}/cash", json={"amount": -30_000, "reason": "beli plastik"})
    x = cashier.get("/api/v1/shifts/current").get_json()["shift"]["report"]
    assert x["sales_count"] == 3 and x["sales_total"] == 80_500 * 2 + 36_000
    assert x["tenders"] == {"cash": 80_500 + 18_000, "bpnt": 62_500, "qris": 36_000,
                            "transfer": 0}
    assert (x["bpnt_count"], x["bpnt_amount"]) == (1, 62_500)
    assert (x["voids_count"], x["voids_total"]) == (1, 18_000)
    assert (x["returns_count"], x["refunds_cash"]) == (1, 18_000)
    assert (x["cash_in"], x["cash_out"]) == (50_000, 30_000)
    # float + all cash taken (incl. the voided sale) − void refund − return refund + in − out
    expected = 200_000 + (80_500 + 18_000 + 18_000) - 18_000 - 18_000 + 50_000 - 30_000
    assert x["expected_cash"] == expected
    closed = cashier.post(f"/api/v1/shifts/{sid}/close",
                          json={"counted_cash": expected - 500, "note": "kurang receh"})
    z = closed.get_json()["report"]
    assert (z["kind"], z["counted_cash"], z["variance"]) == ("Z", expected - 500, -500)
    assert cashier.get("/api/v1/shifts/current").get_json() == {"shift": None}
    again = cashier.post(f"/api/v1/shifts/{sid}/close", json={"counted_cash": 0})
    assert error_code(again) == "shift_closed"


def test_one_open_shift_per_cashier_and_only_their_own(app, cashier, db):
    assert cashier.post("/api/v1/shifts", json={"opening_float": 0}).status_code == 201
    twice = cashier.post("/api/v1/shifts", json={"opening_float": 0})
    assert error_code(twice) == "shift_already_open"
    sid = cashier.get("/api/v1/shifts/current").get_json()["shift"]["id"]
    other = ApiClient(app.test_client())
    with db.unit_of_work() as s:
        from tests.factories import make_token
        other.token = make_token(s, "cashier")
    assert other.get(f"/api/v1/shifts/{sid}").status_code == 403
    assert other.post(f"/api/v1/shifts/{sid}/close", json={"counted_cash": 0}).status_code == 403


def test_x_and_z_reports_print_on_the_receipt_roll(db, cashier, shop):
    sid = cashier.post("/api/v1/shifts", json={"opening_float": 100_000}).get_json()["id"]
    cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}]))
    with db.unit_of_work(write=False) as s:
        report = shifts.shift_report(s, shifts.get_shift(s, sid))
        from ewarung.shop import shop_timezone
        title, lines = shifts.report_lines(report, shop_timezone(s))
    text = decode(render_lines(title, lines, paper_profile("POS-5890"))).text()
    assert "LAPORAN X" in text and "Rp118.000" in text and "Rp18.000" in text
    assert cashier.post(f"/api/v1/shifts/{sid}/print").status_code == 409  # printing is off


def test_the_shift_page_opens_and_closes_a_shift(app, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "rina")
        s.add(Outlet(name="e-Warong Uji", kube_name="KUBE"))
    page = ApiClient(app.test_client())
    page.login("rina", pin=PIN)
    assert "Buka shift" in page.get("/shift").get_data(as_text=True)
    page.post("/shift/open", data={"opening_float": "150.000", "csrf_token": page.csrf})
    html = page.get("/shift").get_data(as_text=True)
    assert "Laporan X" in html and "Rp150.000" in html
    sid = page.get("/api/v1/shifts/current").get_json()["shift"]["id"]
    page.post(f"/shift/{sid}/cash", data={"direction": "out", "amount": "20000",
                                          "reason": "bayar parkir", "csrf_token": page.csrf})
    page.post(f"/shift/{sid}/close", data={"counted_cash": "130000", "csrf_token": page.csrf})
    html = page.get("/shift").get_data(as_text=True)
    assert "Laporan Z" in html and "Rp130.000" in html and "Buka shift" in html


def test_cash_reasons_and_closing_notes_with_control_characters_are_refused(cashier, db):
    sid = cashier.post("/api/v1/shifts", json={"opening_float": 0}).get_json()["id"]
    for reason in ("beli\x00plastik", "beli\x1bplastik", "beli\nplastik"):
        resp = cashier.post(f"/api/v1/shifts/{sid}/cash", json={"amount": -1000,
                                                                "reason": reason})
        assert (resp.status_code, error_code(resp)) == (422, "validation_error")
        assert list(resp.get_json()["error"]["details"]["fields"]) == ["reason"]
    for note in ("kurang\x00receh", "kurang\x1b@receh", "kurang\u2029receh"):
        resp = cashier.post(f"/api/v1/shifts/{sid}/close", json={"counted_cash": 0,
                                                                 "note": note})
        assert (resp.status_code, error_code(resp)) == (422, "validation_error")
        assert list(resp.get_json()["error"]["details"]["fields"]) == ["note"]
    report = cashier.get("/api/v1/shifts/current").get_json()["shift"]["report"]
    assert (report["kind"], report["cash_out"]) == ("X", 0)
    closed = cashier.post(f"/api/v1/shifts/{sid}/close",  # a note may break lines
                          json={"counted_cash": 0, "note": "kurang receh\r\nbesok\tdicek"})
    assert closed.status_code == 200, closed.get_json()
    with db.unit_of_work(write=False) as s:
        assert shifts.get_shift(s, sid).note == "kurang receh\r\nbesok\tdicek"
