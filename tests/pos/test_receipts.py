"""Sales and their receipts: queued with the sale, printed at a loopback printer, reprinted,
previewed, and checked by anyone through `/r/CODE`."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ewarung.shop import set_setting
from printer.models import PrintJob
from printer.worker import process_pending
from tests.conftest import make_app
from tests.factories import make_outlet, make_token, make_user
from tests.helpers import ApiClient
from tests.pos.conftest import Shop
from tests.printer.escpos_decode import decode
from tests.printer.printers import TcpPrinter


@pytest.fixture
def tcp_printer() -> Iterator[TcpPrinter]:
    printer = TcpPrinter()
    yield printer
    printer.close()


@pytest.fixture
def app(database_url: str, tmp_path: Path, tcp_printer: TcpPrinter) -> Iterator[Any]:
    """The app printing to a network printer on loopback (80 mm, native QR)."""
    application = make_app(tmp_path / "data", database_url, printer=tcp_printer.url,
                           printer_profile="TM-T20II")
    yield application
    application.extensions["ewarung.db"].dispose()


@pytest.fixture
def outlet(db):
    with db.unit_of_work() as s:
        make_outlet(s, name="e-Warong Sejahtera", code="EW")


def jobs(db) -> list[PrintJob]:
    with db.unit_of_work(write=False) as s:
        return list(s.scalars(select(PrintJob).order_by(PrintJob.id)))


def test_a_bpnt_sale_prints_its_receipt_after_the_commit(cashier, shop, db, outlet,
                                                         tcp_printer):
    resp = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1), (shop.oil, 1)], [shop.bpnt(), {"kind": "cash", "amount": 20_000}]))
    sale = resp.get_json()
    job_ref = sale["receipt"]["print_job"]
    assert job_ref is not None and job_ref["state"] == "queued"
    kinds = [(j.kind, j.sale_id) for j in jobs(db)]
    assert kinds == [("drawer", sale["id"]), ("receipt", sale["id"])]
    process_pending(db)
    printed = decode(tcp_printer.jobs()[-1]).text()
    masked = shop.card[:6] + "******" + shop.card[-4:]
    for text in (sale["number"], "e-Warong Sejahtera", "Beras Medium 5 kg", "Rp80.500",
                 masked, "004512", "Rp137.500", "Rp2.000"):
        assert text in printed, text
    assert shop.card not in printed
    assert "qr_store" in [name for name, _ in decode(tcp_printer.jobs()[-1]).commands]


@pytest.mark.parametrize("url", ["lpt://1", "network://", "serial:///dev/ttyUSB0?baudrate=x"])
def test_a_printer_address_that_is_no_printer_never_costs_a_sale(cashier, shop, db, url):
    with db.unit_of_work() as s:  # saved by an earlier version, or edited in the database
        set_setting(s, "printer.url", url)
    resp = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}]))
    assert resp.status_code == 201, resp.get_data(as_text=True)[:300]
    process_pending(db)
    receipt = next(j for j in jobs(db) if j.kind == "receipt")
    assert receipt.sale_id == resp.get_json()["id"] and receipt.state != "done"
    assert receipt.last_error and url.split(":")[0] in receipt.last_error
    status = cashier.get("/api/v1/printer")
    assert status.status_code == 200 and status.get_json()["online"] is None


def test_no_drawer_kick_without_cash_and_an_archive_copy_of_bpnt_by_setting(cashier, shop,
                                                                            db):
    with db.unit_of_work() as s:
        set_setting(s, "printer.bpnt_archive_copy", True)
    cashier.post("/api/v1/sales", json=shop.body([(shop.rice, 1)], [shop.bpnt()]))
    assert [j.kind for j in jobs(db)] == ["receipt", "receipt"]
    assert "ARSIP TOKO" in str(jobs(db)[1].payload)


def test_a_reprint_says_salinan_and_the_void_prints_dibatalkan(cashier, shop, db, outlet,
                                                               tcp_printer):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}])
                        ).get_json()
    copy = cashier.post(f"/api/v1/sales/{sale['id']}/print")
    assert copy.status_code == 202 and copy.get_json()["kind"] == "receipt"
    cashier.post(f"/api/v1/sales/{sale['id']}/void",
                 json={"reason": "salah", "approver": {"username": "ketua", "pin": "1234"}})
    process_pending(db)
    texts = [decode(data).text() for data in tcp_printer.jobs()]
    receipts = [t for t in texts if sale["number"] in t]
    assert len(receipts) == 3
    assert "SALINAN" in receipts[1] and "SALINAN" not in receipts[0]
    assert "DIBATALKAN" in receipts[2]


def test_the_till_previews_the_paper(cashier, app, db, shop, outlet):
    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 2)], [{"kind": "cash"}])
                        ).get_json()
    page = ApiClient(app.test_client())
    page.token = cashier.token
    html = page.get(f"/sales/{sale['id']}/receipt").get_data(as_text=True)
    assert "receipt-paper" in html and sale["number"] in html and "Rp36.000" in html
    assert "<svg" in html  # the QR code, drawn inline


def test_the_public_page_shows_the_sale_and_refuses_a_changed_code(app, cashier, shop, db,
                                                                   outlet):
    sale = cashier.post("/api/v1/sales", json=shop.body(
        [(shop.rice, 1), (shop.oil, 1)], [shop.bpnt(), {"kind": "cash"}])).get_json()
    code = sale["receipt"]["verify_url"].rsplit("/", 1)[1]
    anyone = app.test_client()
    page = anyone.get(f"/r/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in (sale["number"], "e-Warong Sejahtera", "Beras Medium 5 kg", "Rp80.500",
                 "Struk sah"):
        assert text in html, text
    assert shop.card[:6] + "******" + shop.card[-4:] in html
    assert shop.card not in html and "DIBATALKAN" not in html
    for i in (0, 7, 15):
        changed = code[:i] + ("A" if code[i] != "A" else "B") + code[i + 1:]
        assert anyone.get(f"/r/{changed}").status_code == 404
    assert anyone.get(f"/r/{code[:-1]}").status_code == 404


def test_a_voided_sale_shows_as_voided(app, cashier, shop, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua")
    sale = cashier.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}])
                        ).get_json()
    cashier.post(f"/api/v1/sales/{sale['id']}/void",
                 json={"reason": "salah", "approver": {"username": "ketua", "pin": "1234"}})
    html = app.test_client().get(sale["receipt"]["verify_url"].replace("http://localhost", "")
                                 ).get_data(as_text=True)
    assert "DIBATALKAN" in html and "Struk sah" not in html


def test_receipts_are_not_queued_when_printing_is_off(tmp_path, database_url):
    app = make_app(tmp_path / "off", database_url, printer="none")
    try:
        db = app.extensions["ewarung.db"]
        shop = Shop(app, db)
        client = ApiClient(app.test_client())
        with db.unit_of_work() as s:
            client.token = make_token(s, "cashier")
        sale = client.post("/api/v1/sales", json=shop.body([(shop.oil, 1)], [{"kind": "cash"}])
                           ).get_json()
        assert sale["receipt"]["print_job"] is None
        assert client.post(f"/api/v1/sales/{sale['id']}/print").status_code == 409
        assert jobs(db) == []
    finally:
        app.extensions["ewarung.db"].dispose()
