"""The till in Chromium at tablet size: a cash sale, a BPNT sale, refusals, a Wi-Fi drop.

The server is the real app on a loopback port, the printer a TCP printer on loopback with
the real print worker sending to it.
"""

from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from pos.models import Sale, SaleLine, Tender
from tests.browser.conftest import layout_problems, screenshot, sign_in_with_pin
from tests.conftest import make_app
from tests.factories import (
    card_key,
    credit,
    make_beneficiary,
    make_card_number,
    make_product,
    make_stock,
    make_user,
    open_shift_for,
)
from tests.printer.printers import TcpPrinter

pytestmark = pytest.mark.browser

RICE_BARCODE = "8991234567890"


@pytest.fixture
def tcp_printer():
    printer = TcpPrinter()
    yield printer
    printer.close()


@pytest.fixture
def app(database_url, tmp_path, tcp_printer):
    application = make_app(tmp_path / "data", database_url, printer=tcp_printer.url)
    yield application
    application.extensions["ewarung.db"].dispose()


@pytest.fixture
def worker(db):
    from printer.worker import PrintWorker

    running = PrintWorker(db, idle_poll=0.2).start()
    yield running
    running.stop()


@pytest.fixture
def shop(app, db):
    """A cashier, five products with stock, and a KPM with Rp200.000 this month."""
    card = make_card_number()
    with db.unit_of_work() as s:
        open_shift_for(s, make_user(s, "cashier", "siti", full_name="Siti Aminah"))
        products = {
            "rice": make_product(s, "Beras Medium 5 kg", unit="pack", price=68000,
                                 commodity_group="carbohydrate", barcode=RICE_BARCODE),
            "eggs": make_product(s, "Telur Ayam", unit="kg", price=28000,
                                 commodity_group="animal_protein"),
            "tempe": make_product(s, "Tempe Papan", unit="pcs", price=5000,
                                  commodity_group="plant_protein"),
            "oil": make_product(s, "Minyak Goreng 1 L", unit="botol", price=18000,
                                commodity_group="none"),
        }
        for product in products.values():
            make_stock(s, product, 50, unit_cost=1000)
        kpm = make_beneficiary(s, card_key(app), card=card, name="Lilis Wahyuni",
                               village="Sukamaju")
        credit(s, kpm, 200_000)
    return {"card": card, "products": products}


def _sales(db):
    with db.unit_of_work(write=False) as s:
        return s.scalars(select(Sale).order_by(Sale.id)).all()


def _printed_text(printer, expected, timeout=15.0):
    """What the printer received once `expected` is in it (a cash sale kicks the drawer first)."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = b"".join(bytes(c.data) for c in printer.connections).decode("cp437", "replace")
        if expected in text:
            break
        time.sleep(0.1)
    return text


def _add_by_scanner(page, code):
    page.keyboard.type(code, delay=5)  # a keyboard-wedge scanner: a fast burst
    page.keyboard.press("Enter")


def test_cashier_sells_three_products_for_cash(tablet, shop, db, worker, tcp_printer):
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    tablet.fill("#search", "temp")  # 1: by search, results as you type
    tablet.locator(".product-tile", has_text="Tempe Papan").click()
    tablet.click("#search")
    tablet.fill("#search", "")
    _add_by_scanner(tablet, RICE_BARCODE)  # 2: by a scanner burst
    tablet.locator(".cart-line", has_text="Beras Medium").wait_for()
    assert tablet.input_value("#search") == ""  # the burst never landed in the field
    tablet.click(".group-tab[data-group='animal_protein']")  # 3: by tile
    tablet.locator(".product-tile", has_text="Telur Ayam").click()
    assert tablet.locator(".cart-line").count() == 3
    assert tablet.inner_text("#total") == "Rp101.000"
    tablet.click("#pay-cash")
    tablet.click("[data-cash='110000']")  # the quick buttons follow the total
    tablet.fill("#cash-given", "150000")
    assert tablet.inner_text("#change") == "Rp49.000"
    screenshot(tablet, "till-cash-payment")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert tablet.inner_text("#done-change") == "Rp49.000"
    number = tablet.inner_text("#done-number")
    assert re.fullmatch(r"EW-\d{8}-\d{4}", number)
    assert "Beras Medium" in tablet.inner_text("#receipt-preview")
    screenshot(tablet, "till-after-sale")
    sales = _sales(db)
    assert [s.number for s in sales] == [number]
    with db.unit_of_work(write=False) as s:
        assert s.scalar(select(func.count()).select_from(SaleLine)) == 3
    assert number in _printed_text(tcp_printer, number)
    tablet.locator("#print-status", has_text="Struk tercetak").wait_for(timeout=10000)
    tablet.click("#new-sale")
    assert tablet.locator(".cart-line").count() == 0
    assert tablet.foreign_requests == [] and tablet.errors == []


def _fill_cart(page, names):
    for name in names:
        page.fill("#search", name)
        page.locator(".product-tile", has_text=name).first.click()


def test_bpnt_sale_with_oil_in_cash_then_refusals_in_indonesian(tablet, shop, db, worker):
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    _fill_cart(tablet, ["Beras Medium", "Telur Ayam", "Minyak Goreng"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", shop["card"])
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    assert tablet.inner_text("#kpm-name") == "Lilis Wahyuni"
    assert tablet.inner_text("#kpm-remaining") == "Rp200.000"
    assert shop["card"] not in tablet.content()  # only the masked number stays on screen
    assert "harus tunai" in tablet.inner_text("#bpnt-lines")
    assert tablet.input_value("#bpnt-amount") == "96.000"
    tablet.fill("#edc-ref", "004512")
    tablet.click("[data-cash='exact']")
    assert tablet.inner_text("#cash-due") == "Rp18.000"
    screenshot(tablet, "till-bpnt-payment")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    sale = _sales(db)[-1]
    with db.unit_of_work(write=False) as s:
        tenders = {t.kind: t.amount for t in s.scalars(select(Tender)
                                                        .where(Tender.sale_id == sale.id))}
    assert tenders == {"bpnt": 96000, "cash": 18000}
    tablet.click("#new-sale")

    # The same card again.
    _fill_cart(tablet, ["Beras Medium", "Telur Ayam"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", shop["card"])
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    tablet.fill("#bpnt-amount", "96000")  # fits in the Rp104.000 left
    tablet.fill("#edc-ref", "004513")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    tablet.click("#new-sale")
    # Now Rp8.000 is left: Rp68.000 more is refused next to the BPNT amount.
    _fill_cart(tablet, ["Beras Medium"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", shop["card"])
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    tablet.fill("#bpnt-amount", "68000")
    tablet.fill("#edc-ref", "004514")
    tablet.click("#pay-submit")
    error = tablet.locator("#bpnt-error")
    error.wait_for()
    assert "tidak cukup" in error.inner_text()
    screenshot(tablet, "till-bpnt-refused")

    # An unregistered card says so next to the card field.
    tablet.fill("#card", make_card_number())
    tablet.click("#card-lookup")
    card_error = tablet.locator("#card-error")
    card_error.wait_for()
    assert "terdaftar" in card_error.inner_text()
    assert layout_problems(tablet) == []
    assert tablet.errors == []


def test_a_sale_made_while_the_wifi_is_down_is_sent_once_when_it_returns(tablet, shop, db):
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    _fill_cart(tablet, ["Tempe Papan"])
    tablet.route("**/api/v1/sales", lambda route: route.abort("internetdisconnected"))
    tablet.click("#pay-cash")
    tablet.click("[data-cash='exact']")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert "disimpan di tablet" in tablet.inner_text("#print-status")
    banner = tablet.locator("#outbox-banner")
    assert "1 transaksi menunggu" in banner.inner_text()
    screenshot(tablet, "till-outbox-waiting")
    assert _sales(db) == []
    tablet.wait_for_timeout(2500)  # a few retries fail while the network is down
    tablet.unroute("**/api/v1/sales")
    tablet.locator("#outbox-banner[hidden]").wait_for(state="attached", timeout=20000)
    sales = _sales(db)
    assert len(sales) == 1
    tablet.wait_for_timeout(1500)  # later ticks must not send it again
    assert len(_sales(db)) == 1


#: the browser's own BarcodeDetector, which Linux Chromium lacks, standing in for Android's:
#: it "sees" the rice's barcode once the (fake) camera is playing
FAKE_DETECTOR = """
window.BarcodeDetector = class {
  static async getSupportedFormats() { return ["ean_13", "qr_code"]; }
  constructor(options) { window.__detectorFormats = options.formats; }
  async detect(video) { return video.readyState >= 2 ? [{rawValue: "RICE"}] : []; }
};
""".replace("RICE", RICE_BARCODE)


def test_the_camera_scans_a_barcode_where_the_tablet_can(tablet, shop):
    tablet.context.grant_permissions(["camera"])
    tablet.add_init_script(FAKE_DETECTOR)
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    tablet.click("#camera-scan")
    tablet.locator(".cart-line", has_text="Beras Medium").wait_for()
    assert not tablet.locator("#camera-dialog").evaluate("d => d.open")
    assert tablet.evaluate("window.__detectorFormats") == ["ean_13", "qr_code"]
    assert tablet.evaluate("document.getElementById('camera-video').srcObject") is None
    assert tablet.errors == []


def test_without_barcodedetector_there_is_no_camera_button(tablet, shop):
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    assert tablet.locator("#camera-scan").is_hidden()


def test_a_reload_during_a_wifi_drop_still_opens_the_till(tablet, shop):
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    tablet.evaluate("navigator.serviceWorker.ready")
    tablet.reload()  # now the service worker controls the page and has the shell
    tablet.wait_for_function("navigator.serviceWorker.controller !== null")
    tablet.context.set_offline(True)
    tablet.reload()
    tablet.locator("#pay-cash").wait_for()
    assert tablet.locator("#search").is_visible()
    tablet.context.set_offline(False)
