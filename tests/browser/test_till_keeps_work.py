"""Work typed on the tablet survives reloads, language switches and other pages; clearing
it asks first; a sale can be parked and recalled."""

from __future__ import annotations

import pytest

from tests.browser.till_kit import cart, make_till_shop, open_till, sales, tap

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app, db):
    return make_till_shop(app, db)


def _three_lines(page, ids):
    tap(page, ids["rice"])
    tap(page, ids["tempe"])
    tap(page, ids["tempe"])
    tap(page, ids["oil"])
    return cart(page)


def test_the_cart_survives_a_reload_a_language_switch_and_the_shift_page(tablet, shop):
    open_till(tablet)
    before = _three_lines(tablet, shop["ids"])
    assert len(before) == 3 and tablet.inner_text("#total") == "Rp96.000"
    tablet.reload()
    tablet.wait_for_selector("body[data-ready='1']")
    assert cart(tablet) == before
    assert tablet.inner_text("#total") == "Rp96.000"
    tablet.click(".lang a[href='?lang=en']")
    tablet.wait_for_selector("body[data-ready='1']")
    assert tablet.locator("#pay-cash").inner_text() == "Cash"
    assert len(cart(tablet)) == 3 and tablet.inner_text("#total") == "Rp96.000"
    tablet.click(".lang a[href='?lang=id']")
    tablet.wait_for_selector("body[data-ready='1']")
    tablet.click("a[href='/shift']")
    tablet.wait_for_url("**/shift")
    tablet.go_back()
    tablet.wait_for_selector("body[data-ready='1']")
    assert cart(tablet) == before
    assert tablet.errors == []


def test_kosongkan_asks_before_it_empties_the_cart(tablet, shop):
    open_till(tablet)
    before = _three_lines(tablet, shop["ids"])
    tablet.click("#clear-cart")
    tablet.locator("#confirm-dialog[open]").wait_for()
    tablet.click("#confirm-cancel")
    assert cart(tablet) == before
    tablet.click("#clear-cart")
    tablet.click("#confirm-ok")
    tablet.locator(".cart-line").first.wait_for(state="detached")
    assert cart(tablet) == []
    tablet.reload()
    tablet.wait_for_selector("body[data-ready='1']")
    assert cart(tablet) == []


def test_each_cashier_has_her_own_cart_and_no_card_number_is_kept(tablet, shop):
    open_till(tablet)
    before = _three_lines(tablet, shop["ids"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", shop["cards"][0])
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    tablet.click("#pay-cancel")
    kept = tablet.evaluate("JSON.stringify(Object.entries(localStorage))")
    assert shop["cards"][0] not in kept and shop["cards"][0][-8:] not in kept
    tablet.click("#switch-cashier")
    open_till(tablet, "Budi Santoso")
    assert cart(tablet) == []
    tap(tablet, shop["ids"]["crackers"])
    tablet.click("#switch-cashier")
    open_till(tablet, "Siti Aminah")
    assert cart(tablet) == before


def _park(page, name):
    page.click("#park-sale")
    page.locator("#park-dialog[open]").wait_for()
    page.fill("#park-name", name)
    page.click("#park-ok")
    page.locator("#park-dialog").wait_for(state="hidden")


def test_a_sale_is_parked_and_recalled(tablet, shop):
    ids = shop["ids"]
    open_till(tablet)
    first = _three_lines(tablet, ids)
    _park(tablet, "Bu Ani")
    assert cart(tablet) == []
    tap(tablet, ids["crackers"])
    second = cart(tablet)
    _park(tablet, "Pak Darto")
    assert "2" in tablet.inner_text("#parked-open")
    tap(tablet, ids["noodles"])  # a third customer meanwhile
    tablet.reload()
    tablet.wait_for_selector("body[data-ready='1']")
    tablet.click("#parked-open")
    tablet.locator("#parked-dialog[open]").wait_for()
    rows = tablet.locator("#parked-list li").all_inner_texts()
    assert [r.split("\n")[0] for r in rows] == ["Bu Ani", "Pak Darto"]
    assert "Rp96.000" in rows[0] and "Rp3.000" in rows[1]
    tablet.locator("#parked-list li", has_text="Bu Ani").locator(".recall").click()
    assert cart(tablet) == first
    # The noodles that were in the cart are parked, not lost.
    tablet.click("#parked-open")
    rows = tablet.locator("#parked-list li").all_inner_texts()
    assert len(rows) == 2 and "Rp3.500" in " ".join(rows)
    tablet.locator("#parked-list li", has_text="Pak Darto").locator(".recall").click()
    assert cart(tablet) == second
    assert tablet.errors == []


def test_a_reload_while_paying_keeps_the_cart_and_sells_nothing(tablet, shop, db):
    open_till(tablet)
    before = _three_lines(tablet, shop["ids"])
    tablet.click("#pay-cash")
    tablet.fill("#cash-given", "100000")
    tablet.reload()
    tablet.wait_for_selector("body[data-ready='1']")
    assert cart(tablet) == before and sales(db) == []


def test_a_reload_while_a_sale_is_on_its_way_sends_it_once_and_never_sells_it_again(tablet,
                                                                                    shop, db):
    open_till(tablet)
    tap(tablet, shop["ids"]["tempe"])
    tablet.route("**/api/v1/sales", lambda route: None)  # the answer never comes back
    tablet.click("#pay-cash")
    tablet.click("#pay-submit")
    tablet.wait_for_function("localStorage.getItem('ewarung.outbox.v1')?.includes('client_ref')")
    tablet.unroute("**/api/v1/sales")
    tablet.reload()  # the cashier gives up waiting
    tablet.wait_for_selector("body[data-ready='1']")
    assert cart(tablet) == []  # its sale is on its way: the cart is not sold twice
    tablet.locator("#outbox-banner[hidden]").wait_for(state="attached", timeout=20000)
    assert len(sales(db)) == 1


def test_an_offline_sale_survives_a_reload_and_is_sent_once(tablet, shop, db):
    open_till(tablet)
    tablet.evaluate("navigator.serviceWorker.ready")
    tablet.reload()  # the service worker now has the till's shell
    tablet.wait_for_function("navigator.serviceWorker.controller !== null")
    tap(tablet, shop["ids"]["crackers"])
    tablet.context.set_offline(True)
    tablet.click("#pay-cash")
    tablet.fill("#cash-given", "10000")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert tablet.inner_text("#done-change") == "Rp7.000"
    tablet.click("#new-sale")
    tablet.reload()
    tablet.wait_for_selector("body[data-ready='1']")
    assert "1 transaksi menunggu" in tablet.inner_text("#outbox-banner")
    assert cart(tablet) == []
    tablet.context.set_offline(False)
    tablet.locator("#outbox-banner[hidden]").wait_for(state="attached", timeout=20000)
    assert len(sales(db)) == 1
    assert tablet.errors == []
