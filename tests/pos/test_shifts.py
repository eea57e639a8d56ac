"""Shifts: a float, cash in and out, sales, voids and returns, then counted cash at the close."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from ewarung.auth.models import User
from ewarung.shop import Outlet
from pos import shifts
from pos.models import Sale
from printer.render import paper_profile, render_lines
from tests.factories import PIN, make_token, make_user
from tests.helpers import ApiClient, error_code
from tests.printer.escpos_decode import decode

pytestmark = pytest.mark.calendar

MANAGER = {"username": "ketua", "pin": PIN}


@pytest.fixture
def cashier(app, db):
    """A cashier who has not opened a shift yet (these tests open it themselves)."""
    return drawerless(app, db)


def drawerless(app, db, role="cashier"):
    client = ApiClient(app.test_client())
    with db.unit_of_work() as s:
        client.token = make_token(s, role, shift=False)
    return client


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


def test_an_api_sale_by_a_user_with_no_open_shift_is_refused(app, cashier, shop, db):
    body = shop.body([(shop.oil, 1)], [{"kind": "cash", "amount": 20_000}])
    refused = cashier.post("/api/v1/sales", json=body)
    assert (refused.status_code, error_code(refused)) == (409, "no_open_shift")
    assert "shift" in refused.get_json()["error"]["message"].lower()
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(Sale)) == 0
    sid = cashier.post("/api/v1/shifts", json={"opening_float": 50_000}).get_json()["id"]
    sold = cashier.post("/api/v1/sales", json=body)  # the same sale, once the float is in
    assert sold.status_code == 201, sold.get_json()
    detail = cashier.get(f"/api/v1/sales/{sold.get_json()['id']}").get_json()
    assert detail["shift_id"] == sid
    cashier.post(f"/api/v1/shifts/{sid}/close", json={"counted_cash": 68_000})
    after = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}]))
    assert (after.status_code, error_code(after)) == (409, "no_open_shift")
    manager = drawerless(app, db, "manager")  # a manager sells only from a drawer too
    assert error_code(manager.post("/api/v1/sales", json=shop.body(
        [(shop.oil, 1)], [{"kind": "cash"}]))) == "no_open_shift"


def test_x_and_z_reports_count_exactly_their_own_shifts_sales(app, cashier, shop, db,
                                                               manager_user):
    budi = drawerless(app, db)
    siti_shift = cashier.post("/api/v1/shifts", json={"opening_float": 100_000}).get_json()["id"]
    budi_shift = budi.post("/api/v1/shifts", json={"opening_float": 50_000}).get_json()["id"]

    def sell(who, lines, tenders):
        resp = who.post("/api/v1/sales", json=shop.body(lines, tenders))
        return resp.status_code, resp.get_json()

    assert sell(cashier, [(shop.oil, 1)], [{"kind": "cash"}])[0] == 201  # siti 18.000
    assert sell(budi, [(shop.rice, 1)], [{"kind": "cash"}])[0] == 201  # budi 62.500
    assert sell(cashier, [(shop.oil, 2)], [{"kind": "qris", "reference": "Q1"}])[0] == 201
    _, voided = sell(budi, [(shop.oil, 1)], [{"kind": "cash"}])  # budi 18.000, voided by budi
    budi.post(f"/api/v1/sales/{voided['id']}/void",
              json={"reason": "salah ketik", "approver": MANAGER})

    def report(who, sid):
        return who.get(f"/api/v1/shifts/{sid}").get_json()["report"]

    x_siti, x_budi = report(cashier, siti_shift), report(budi, budi_shift)
    assert (x_siti["sales_count"], x_siti["sales_total"]) == (2, 54_000)
    assert x_siti["tenders"]["cash"] == 18_000 and x_siti["expected_cash"] == 118_000
    assert (x_budi["sales_count"], x_budi["sales_total"]) == (1, 62_500)
    assert x_budi["voids_count"] == 1 and x_budi["expected_cash"] == 112_500
    z_siti = cashier.post(f"/api/v1/shifts/{siti_shift}/close",
                          json={"counted_cash": 118_000}).get_json()["report"]
    # siti's drawer is closed: her next sale is refused, not counted in budi's shift
    assert sell(cashier, [(shop.oil, 1)], [{"kind": "cash"}])[0] == 409
    assert sell(budi, [(shop.oil, 1)], [{"kind": "cash"}])[0] == 201
    z_budi = budi.post(f"/api/v1/shifts/{budi_shift}/close",
                       json={"counted_cash": 130_500}).get_json()["report"]
    assert (z_siti["sales_count"], z_siti["sales_total"], z_siti["variance"]) == (2, 54_000, 0)
    assert (z_budi["sales_count"], z_budi["sales_total"], z_budi["variance"]) == (2, 80_500, 0)
    with db.unit_of_work(write=False) as s:
        from ewarung.shop import shop_timezone

        for sid in (siti_shift, budi_shift):
            shift = shifts.get_shift(s, sid)
            mine = s.scalars(select(Sale).where(Sale.shift_id == sid)).all()
            assert {sale.cashier_id for sale in mine} == {shift.cashier_id}
            _title, lines = shifts.report_lines(shifts.shift_report(s, shift), shop_timezone(s))
            name = s.get(User, shift.cashier_id).full_name
            assert ("Kasir", name) in lines
        assert s.scalar(select(func.count()).where(Sale.shift_id.is_(None))) == 0


def test_cash_given_back_without_an_open_shift_is_refused_bpnt_given_back_is_not(
        app, cashier, shop, db, manager_user):
    cashier.post("/api/v1/shifts", json={"opening_float": 0})
    cash = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1), (shop.oil, 1)], [{"kind": "cash"}])).get_json()
    bpnt = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1)], [shop.bpnt()])).get_json()
    boss = drawerless(app, db, "manager")  # in the back office, with no drawer open
    oil_line = next(ln["id"] for ln in cash["lines"] if ln["product_id"] == shop.oil.id)
    refused = [boss.post(f"/api/v1/sales/{cash['id']}/void",
                         json={"reason": "salah ketik", "approver": MANAGER}),
               boss.post(f"/api/v1/sales/{cash['id']}/returns", json={
                   "lines": [{"sale_line_id": oil_line, "quantity": 1}], "reason": "bocor",
                   "approver": MANAGER})]
    assert [(r.status_code, error_code(r)) for r in refused] == [(409, "no_open_shift")] * 2
    voided = boss.post(f"/api/v1/sales/{bpnt['id']}/void",  # only BPNT goes back: no drawer
                       json={"reason": "salah kartu", "approver": MANAGER})
    assert voided.status_code == 200 and voided.get_json()["status"] == "voided"
    mine = cashier.post(f"/api/v1/sales/{cash['id']}/void",  # the cashier's own drawer pays
                        json={"reason": "salah ketik", "approver": MANAGER})
    assert mine.status_code == 200
    report = cashier.get("/api/v1/shifts/current").get_json()["shift"]["report"]
    assert (report["voids_count"], report["expected_cash"]) == (1, 0)


def test_the_till_sends_a_cashier_without_a_shift_to_the_float_and_back(app, db):
    with db.unit_of_work() as s:
        make_user(s, "cashier", "rina")
        s.add(Outlet(name="e-Warong Uji", kube_name="KUBE Uji"))
    page = ApiClient(app.test_client())
    page.login("rina", pin=PIN)
    assert page.get("/till/").headers["Location"] == "/shift?next=till"
    opened = page.post("/shift/open?next=till", data={"opening_float": "50.000",
                                                       "csrf_token": page.csrf})
    assert opened.headers["Location"] == "/till/"
    assert page.get("/till/").status_code == 200
    assert 'href="/till/"' in page.get("/shift?next=till").get_data(as_text=True)
    elsewhere = page.get("/shift?next=https://example.com").get_data(as_text=True)
    assert "example.com" not in elsewhere
