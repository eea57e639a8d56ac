"""The till in Chromium against the real sale API: cash, BPNT with cash, QRIS, refusals."""

from __future__ import annotations

import socket

import pytest
from sqlalchemy import select

from aid import ledger
from pos.models import Sale
from tests.browser.conftest import LiveServer, layout_problems, screenshot, sign_in_with_pin
from tests.factories import (
    card_key,
    credit,
    make_beneficiary,
    make_card_number,
    make_outlet,
    make_product,
    make_stock,
    make_user,
    open_shift_for,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def till_shop(app, db):
    card = make_card_number()
    with db.unit_of_work() as s:
        make_outlet(s)
        open_shift_for(s, make_user(s, "cashier", "siti", full_name="Siti Aminah"))
        rice = make_product(s, "Beras Medium 5 kg", price=62_500)
        oil = make_product(s, "Minyak Goreng 1 L", price=18_000, commodity_group="none")
        make_stock(s, rice, 20, 55_000)
        make_stock(s, oil, 20, 15_000)
        kpm = make_beneficiary(s, card_key(app), card=card, name="Lilis Wahyuni")
        credit(s, kpm, 200_000)
        return {"card": card, "kpm": kpm.id, "rice": rice.id, "oil": oil.id}


def _open_till(page):
    sign_in_with_pin(page, "Siti Aminah", "1234")
    page.wait_for_url("**/till/")
    page.wait_for_selector(".product-tile")


def _add(page, product_id):
    page.click(f".product-tile[data-id='{product_id}']")


def _finish(page):
    page.click("#pay-submit")
    page.wait_for_selector("#done-dialog[open]")
    number = page.inner_text("#done-number")
    page.wait_for_selector("#receipt-preview .receipt-paper")
    return number


def test_a_cash_sale_from_tap_to_receipt(tablet, till_shop, db):
    _open_till(tablet)
    _add(tablet, till_shop["rice"])
    _add(tablet, till_shop["oil"])
    assert tablet.inner_text("#total") == "Rp80.500"
    tablet.click("#pay-cash")
    tablet.fill("#cash-given", "100000")
    assert tablet.inner_text("#change") == "Rp19.500"
    number = _finish(tablet)
    assert number.startswith("EW-")
    assert tablet.inner_text("#done-change") == "Rp19.500"
    assert number in tablet.inner_text("#receipt-preview")
    assert tablet.inner_text("#print-status") == "Printer tidak dipakai."
    assert not tablet.is_visible("#print-retry")
    screenshot(tablet, "till-cash-done")
    assert tablet.errors == [] and tablet.foreign_requests == []


def test_bpnt_with_cash_for_the_oil(tablet, till_shop, db):
    _open_till(tablet)
    _add(tablet, till_shop["rice"])
    _add(tablet, till_shop["oil"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", till_shop["card"])
    tablet.click("#card-lookup")
    tablet.wait_for_selector("#kpm:not([hidden])")
    assert "Lilis Wahyuni" in tablet.inner_text("#kpm")
    assert "*" in tablet.input_value("#card")  # the full number leaves the screen
    assert tablet.input_value("#bpnt-amount") == "62.500"
    tablet.fill("#edc-ref", "004512")
    tablet.fill("#cash-given", "20000")
    _finish(tablet)
    assert "Sisa saldo BPNT" in tablet.inner_text("#receipt-preview")
    with db.unit_of_work(write=False) as s:
        assert ledger.entitlement_of(s, till_shop["kpm"]).remaining == 137_500
    assert tablet.errors == []


def test_qris_records_its_reference(tablet, till_shop, db):
    _open_till(tablet)
    _add(tablet, till_shop["oil"])
    tablet.click("#pay-qris")
    tablet.fill("#reference", "QR-7781")
    _finish(tablet)
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(Sale.total)) == 18_000


def test_refusals_show_next_to_their_cause(tablet, till_shop, db):
    _open_till(tablet)
    for _ in range(4):  # Rp250.000 of rice against Rp200.000 left
        _add(tablet, till_shop["rice"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", make_card_number())
    tablet.click("#card-lookup")
    tablet.wait_for_selector("#card-error:not([hidden])")
    assert "tidak terdaftar" in tablet.inner_text("#card-error")
    tablet.fill("#card", till_shop["card"])
    tablet.click("#card-lookup")
    tablet.wait_for_selector("#kpm:not([hidden])")
    tablet.fill("#bpnt-amount", "250000")
    tablet.fill("#edc-ref", "004512")
    tablet.click("#pay-submit")
    tablet.wait_for_selector("#bpnt-error:not([hidden])")
    assert "Rp200.000" in tablet.inner_text("#bpnt-error")
    assert tablet.is_visible("#pay-dialog")
    with db.unit_of_work(write=False) as s:
        assert s.scalars(select(Sale)).all() == []


def test_the_done_dialog_fits_a_portrait_tablet(tablet, till_shop):
    tablet.set_viewport_size({"width": 800, "height": 1280})
    _open_till(tablet)
    _add(tablet, till_shop["oil"])
    tablet.click("#pay-cash")
    _finish(tablet)
    assert layout_problems(tablet) == []
    screenshot(tablet, "till-done-portrait")


def test_sale_shift_and_receipt_check_pages_fit_a_portrait_tablet(tablet, till_shop, db):
    tablet.set_viewport_size({"width": 800, "height": 1280})
    _open_till(tablet)
    _add(tablet, till_shop["rice"])
    tablet.click("#pay-cash")
    _finish(tablet)
    with db.unit_of_work(write=False) as s:
        sale_id = s.scalar(select(Sale.id))
    for path, name in ((f"/sales/{sale_id}", "sale"), ("/sales/", "sales"), ("/shift", "shift")):
        tablet.goto(path)
        assert layout_problems(tablet) == [], path
        screenshot(tablet, f"{name}-portrait")
    code_url = tablet.evaluate(
        f"fetch('/api/v1/sales/{sale_id}').then(r => r.json()).then(s => s.receipt.verify_url)")
    tablet.goto(code_url)
    assert "Struk sah" in tablet.content()
    assert layout_problems(tablet) == []
    screenshot(tablet, "receipt-check-portrait")
    assert tablet.errors == [] and tablet.foreign_requests == []


def _lan_address() -> str:
    """This machine's address on its network, as a tablet in the shop reaches it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.254", 9))  # no packet is sent: this only picks the route
        address = probe.getsockname()[0]
    if address.startswith("127."):
        pytest.fail("no network address besides loopback to serve the till on", pytrace=False)
    return str(address)


def test_the_till_sells_over_plain_http_on_the_shop_network(browser, app, till_shop):
    # The tablet reaches the shop computer at http://192.168.x.y: not a secure context, so
    # the browser offers no crypto.randomUUID, no camera and no service worker.
    server = LiveServer(app, host=_lan_address()).start()
    context = browser.new_context(viewport={"width": 1280, "height": 800}, has_touch=True,
                                  base_url=server.url, locale="id-ID")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        _open_till(page)
        assert page.evaluate("window.isSecureContext") is False
        assert page.evaluate("typeof crypto.randomUUID") == "undefined"
        assert page.is_hidden("#camera-scan")  # no camera outside a secure context
        _add(page, till_shop["rice"])
        page.click("#pay-cash")
        page.fill("#cash-given", "70000")
        number = _finish(page)
        page.click("#new-sale")
        _add(page, till_shop["rice"])
        page.click("#pay-cash")
        page.fill("#cash-given", "70000")
        second = _finish(page)
    finally:
        context.close()
        server.stop()
    assert number.startswith("EW-") and second != number
    assert errors == []
