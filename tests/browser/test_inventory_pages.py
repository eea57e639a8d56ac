"""Stock pages in a real Chromium at tablet size: layout, touch targets, the product picker."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from inventory import stock
from inventory.models import GoodsReceipt
from tests.factories import PASSWORD, make_product, make_stock, make_supplier, make_user
from tests.helpers import shop_date

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
TABLET = {"width": 800, "height": 1280}
PAGES = ["/inventory/", "/inventory/products", "/inventory/products/new", "/inventory/receipts/new",
         "/inventory/stock", "/inventory/expiry", "/inventory/stocktakes", "/inventory/reorder",
         "/inventory/dependency", "/inventory/suppliers"]


@pytest.fixture
def live_url(app) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture
def page(live_url, db):
    from playwright.sync_api import sync_playwright

    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua", full_name="Bu Sri")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        tab = browser.new_page(viewport=TABLET)
        tab.goto(f"{live_url}/login")
        tab.click("summary")
        tab.fill("#username", "ketua")
        tab.fill("#password", PASSWORD)
        tab.click(".password-login button[type=submit]")
        tab.wait_for_url(f"{live_url}/")
        tab.base = live_url  # type: ignore[attr-defined]
        yield tab
        browser.close()


def test_stock_pages_fit_a_tablet_and_every_control_is_big_enough_to_touch(page, db):
    with db.unit_of_work() as s:
        p = make_product(s, "Telur Ayam Negeri Pilihan Peternak Lokal", unit="kg",
                         tracks_expiry=True, commodity_group="animal_protein")
        make_stock(s, p, 12, 26000, shop_date(2))
    for path in PAGES:
        page.goto(page.base + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, (path, overflow)
        sizes = page.evaluate("""() => [...document.querySelectorAll(
              'main a.btn, main a.row-link, main nav a, main button, main select, main summary,'
              + ' main input:not([type=hidden]):not([type=checkbox])')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.outerHTML.slice(0, 80), el.getBoundingClientRect().height])""")
        assert sizes, path
        assert [s for s in sizes if s[1] < 44] == [], path


def test_receiving_goods_with_the_picker_and_a_scanner(page, db):
    with db.unit_of_work() as s:
        supplier = make_supplier(s, "local_producer", "Pak Darto")
        eggs = make_product(s, "Telur Ayam Negeri", unit="kg", tracks_expiry=True,
                            commodity_group="animal_protein")
        rice = make_product(s, "Beras Premium 5 kg", unit="pack", barcode="8997035600017")
    page.goto(page.base + "/inventory/receipts/new")
    page.select_option("#f-supplier_id", str(supplier.id))
    page.fill("#l-0-name", "telur neg")
    page.click(".receipt-line[data-index='0'] .picker-results button")
    assert page.input_value("input[name='lines-0-product_id']") == str(eggs.id)
    assert page.locator("#l-0-exp").evaluate("el => el.required")
    page.fill("#l-0-qty", "15")
    page.fill("#l-0-cost", "26000")
    page.fill("#l-0-exp", shop_date(14).isoformat())
    page.fill("#l-1-name", "8997035600017")
    page.press("#l-1-name", "Enter")  # what a barcode scanner types
    page.wait_for_function(
        "document.querySelector(\"input[name='lines-1-product_id']\").value !== ''")
    assert page.input_value("input[name='lines-1-product_id']") == str(rice.id)
    page.fill("#l-1-qty", "10")
    page.fill("#l-1-cost", "66000")
    for _ in range(5):
        page.click("#add-line")
    assert page.locator(".receipt-line").count() == 10
    page.click("button.btn-primary[type=submit]")
    page.wait_for_url("**/inventory/receipts/*")
    assert "Telur Ayam Negeri" in page.content()
    with db.unit_of_work(write=False) as s:
        receipt = s.scalar(select(GoodsReceipt))
        assert receipt.total == 15 * 26000 + 10 * 66000
        assert stock.on_hand(s, eggs.id) == 15 and stock.on_hand(s, rice.id) == 10
