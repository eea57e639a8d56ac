"""The printer's API and pages: status and queue, test page, retry, reprint, settings, preview."""

from __future__ import annotations

import html

import pytest
from sqlalchemy import select

from ewarung.shop import get_setting
from printer.layout import layout_receipt
from printer.models import PrintJob
from printer.queue import enqueue_receipt
from printer.worker import process_pending
from tests.factories import PASSWORD, make_sale_receipt, make_token, make_user
from tests.helpers import error_code
from tests.printer.conftest import PROFILE_58, setup_for
from tests.printer.escpos_decode import decode
from tests.printer.printers import TcpPrinter


def _bearer(db, role):
    with db.unit_of_work() as s:
        return {"Authorization": f"Bearer {make_token(s, role)}"}


def _receipt_job(db, url, receipt=None):
    with db.unit_of_work() as s:
        job = enqueue_receipt(s, receipt or make_sale_receipt("bpnt"), setup=setup_for(db, url))
        assert job is not None
        return job.id


@pytest.fixture
def tcp_printer():
    """A network printer that answers status queries: online, paper near its end."""
    printer = TcpPrinter(status={1: b"\x16", 4: b"\x1e"})
    yield printer
    printer.close()


def test_cashiers_see_the_printer_status_and_the_queue(client, db, printer_url):
    job_id = _receipt_job(db, printer_url)
    body = client.get("/api/v1/printer", headers=_bearer(db, "cashier")).get_json()
    assert body["configured"] is True and body["target"] == printer_url
    assert (body["transport"], body["profile"], body["columns"], body["paper_mm"]) == \
        ("network", "TM-T20II", 48, 80)
    assert (body["online"], body["paper"]) == (True, "low")
    assert body["worker_running"] is False
    assert body["queue"]["counts"]["queued"] == 1
    assert body["queue"]["jobs"][0]["id"] == job_id
    assert body["queue"]["jobs"][0]["kind"] == "receipt"
    assert "data" not in body["queue"]["jobs"][0]


@pytest.mark.parametrize("printer_url", ["none"])
def test_with_printing_off_the_status_says_so_and_a_test_page_is_refused(client, db):
    body = client.get("/api/v1/printer", headers=_bearer(db, "cashier")).get_json()
    assert body["configured"] is False and body["online"] is None
    resp = client.post("/api/v1/printer/test", headers=_bearer(db, "admin"))
    assert resp.status_code == 409 and error_code(resp) == "printer_not_configured"
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(PrintJob)).all() == []


def test_an_admin_prints_a_test_page_and_it_reaches_the_printer(client, db, tcp_printer):
    resp = client.post("/api/v1/printer/test", headers=_bearer(db, "admin"))
    assert resp.status_code == 202
    assert resp.get_json()["kind"] == "test" and resp.get_json()["state"] == "queued"
    process_pending(db)
    assert "HALAMAN UJI PRINTER" in decode(tcp_printer.jobs()[0]).text()
    assert client.get(f"/api/v1/printer/jobs/{resp.get_json()['id']}",
                      headers=_bearer(db, "cashier")).get_json()["state"] == "done"


def test_a_cashier_may_not_print_a_test_page(client, db):
    resp = client.post("/api/v1/printer/test", headers=_bearer(db, "cashier"))
    assert resp.status_code == 403 and error_code(resp) == "forbidden"


def test_a_cashier_retries_a_failed_job_and_only_a_failed_one(client, db, tcp_printer):
    job_id = _receipt_job(db, tcp_printer.url)
    headers = _bearer(db, "cashier")
    resp = client.post(f"/api/v1/printer/jobs/{job_id}/retry", headers=headers)
    assert resp.status_code == 409 and error_code(resp) == "print_job_not_retryable"
    with db.unit_of_work() as s:
        s.get(PrintJob, job_id).state = "failed"
    resp = client.post(f"/api/v1/printer/jobs/{job_id}/retry", headers=headers)
    assert resp.status_code == 202 and resp.get_json()["state"] == "queued"
    process_pending(db)
    assert len(tcp_printer.jobs()) == 1


def test_a_cashier_reprints_a_receipt_as_a_copy(client, db, tcp_printer):
    job_id = _receipt_job(db, tcp_printer.url)
    resp = client.post(f"/api/v1/printer/jobs/{job_id}/reprint", headers=_bearer(db, "cashier"))
    assert resp.status_code == 202 and resp.get_json()["reprint_of"] == job_id
    process_pending(db)
    texts = [decode(data).text() for data in tcp_printer.jobs()]
    assert ["SALINAN" in text for text in texts] == [False, True]


def test_unknown_jobs_are_not_found(client, db):
    resp = client.post("/api/v1/printer/jobs/999/reprint", headers=_bearer(db, "cashier"))
    assert resp.status_code == 404 and error_code(resp) == "not_found"


def _sign_in(client, db, role):
    with db.unit_of_work() as s:
        user = make_user(s, role)
        name = user.username
    if role == "cashier":
        client.login(name, pin="1234")
    else:
        client.login(name, password=PASSWORD)


def test_the_admin_page_shows_the_environment_and_saves_overrides(client, db, printer_url):
    _sign_in(client, db, "admin")
    page = client.get("/admin/printer").get_data(as_text=True)
    host, port = printer_url.removeprefix("network://").rsplit(":", 1)
    # the printer the app was started with, in words: its kind, address and port
    assert f"printer jaringan {host}, port {port}" in page
    assert "Cetak halaman uji" in page and 'name="csrf_token"' in page
    resp = client.post("/admin/printer", data={
        "csrf_token": client.csrf, "url": "serial:///dev/ttyUSB0?baudrate=19200",
        "profile": PROFILE_58, "font": "b", "archive_copy": "on"})
    assert resp.status_code == 302
    with db.unit_of_work(write=False) as s:
        setup = setup_for(db, printer_url)
        assert (setup.url, setup.profile, setup.paper.columns) == (
            "serial:///dev/ttyUSB0?baudrate=19200", PROFILE_58, 42)
        assert setup.archive_copy is True and setup.cash_drawer is False
        assert get_setting(s, "printer.url") == "serial:///dev/ttyUSB0?baudrate=19200"


def test_the_admin_page_refuses_a_bad_address_and_changes_nothing(client, db, printer_url):
    _sign_in(client, db, "admin")
    resp = client.post("/admin/printer", data={
        "csrf_token": client.csrf, "url": "lpt://1", "profile": "", "font": "a"})
    assert resp.status_code == 422
    assert "Alamat printer tidak dikenal" in resp.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert get_setting(s, "printer.url") == ""


@pytest.mark.parametrize("url", ["file:///dev/usb/lp0\x00", "cups://EPSON\x1b@",
                                 "serial:///dev/tty\u2028USB0"])
def test_the_admin_page_refuses_an_address_with_a_control_character(client, db, printer_url,
                                                                    url):
    _sign_in(client, db, "admin")
    resp = client.post("/admin/printer", data={
        "csrf_token": client.csrf, "url": url, "profile": "", "font": "a"})
    assert resp.status_code == 422
    assert "karakter kendali" in resp.get_data(as_text=True)
    with db.unit_of_work(write=False) as s:
        assert get_setting(s, "printer.url") == ""


def test_the_test_page_button_queues_a_test_page(client, db, printer_url):
    _sign_in(client, db, "admin")
    resp = client.post("/admin/printer/test", data={"csrf_token": client.csrf})
    assert resp.status_code == 302
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(PrintJob.kind)).all() == ["test"]


def test_the_queue_page_lists_jobs_with_retry_and_reprint_buttons(client, db, printer_url):
    job_id = _receipt_job(db, printer_url)
    with db.unit_of_work() as s:
        s.get(PrintJob, job_id).state = "failed"
    _sign_in(client, db, "cashier")
    page = client.get("/printer").get_data(as_text=True)
    assert f"/printer/jobs/{job_id}/retry" in page and f"/printer/jobs/{job_id}/reprint" in page
    assert "hampir habis" in page  # paper near its end
    resp = client.post(f"/printer/jobs/{job_id}/retry", data={"csrf_token": client.csrf})
    assert resp.status_code == 302
    with db.unit_of_work(write=False) as s:
        assert s.get(PrintJob, job_id).state == "queued"


def test_the_preview_shows_the_same_lines_as_the_paper(client, db, printer_url):
    receipt = make_sale_receipt("mixed")
    job_id = _receipt_job(db, printer_url, receipt)
    _sign_in(client, db, "cashier")
    page = client.get(f"/printer/jobs/{job_id}").get_data(as_text=True)
    for line in layout_receipt(receipt, 48).all_lines():
        assert html.escape(line, quote=False) in page
    assert "@page { size: 80mm" in page and "<svg" in page and "printer.css" in page
