"""The till hands out the right change and charges the right card, whatever the cashier or
the Wi-Fi does in between."""

from __future__ import annotations

import pytest

from tests.browser.till_kit import make_till_shop, open_till, remaining, sales, tap

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app, db):
    return make_till_shop(app, db)


def test_an_offline_cash_sale_shows_the_change_not_the_whole_amount(tablet, shop, db):
    open_till(tablet)
    tap(tablet, shop["ids"]["crackers"])  # Rp3.000
    tablet.click("#pay-cash")
    tablet.fill("#cash-given", "5000")
    assert tablet.inner_text("#change") == "Rp2.000"
    tablet.context.set_offline(True)  # the Wi-Fi drops while the customer hands over Rp5.000
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert "disimpan di tablet" in tablet.inner_text("#print-status")
    assert tablet.inner_text("#done-change") == "Rp2.000"
    assert sales(db) == []
    tablet.context.set_offline(False)
    tablet.locator("#outbox-banner[hidden]").wait_for(state="attached", timeout=20000)
    [sale] = sales(db)
    assert sale.total == 3000
    assert tablet.errors == []


def test_a_double_tap_on_selesai_makes_one_sale(tablet, shop, db):
    open_till(tablet)
    tap(tablet, shop["ids"]["tempe"])
    tablet.click("#pay-cash")
    tablet.fill("#cash-given", "10000")
    tablet.dblclick("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert tablet.inner_text("#done-change") == "Rp5.000"
    tablet.wait_for_timeout(500)
    assert len(sales(db)) == 1


def _look_up(page, card):
    page.fill("#card", card)
    page.click("#card-lookup")
    page.locator("#kpm:not([hidden])").wait_for()


def test_the_card_charged_is_the_card_on_the_screen(tablet, shop, db):
    first, second = shop["cards"]
    open_till(tablet)
    tap(tablet, shop["ids"]["rice"])  # Rp68.000, all payable with BPNT
    tablet.click("#pay-bpnt")
    _look_up(tablet, first)
    assert tablet.inner_text("#kpm-name") == "Lilis Wahyuni"
    tablet.fill("#card", second)  # another KPM steps up with her card
    assert tablet.is_hidden("#kpm")  # the first look-up no longer stands
    tablet.fill("#edc-ref", "004512")
    tablet.click("#pay-submit")
    # The name of the card on the screen is shown before anything is charged.
    tablet.locator("#kpm:not([hidden])").wait_for()
    assert tablet.inner_text("#kpm-name") == "Nining Suryani"
    assert second[-4:] in tablet.inner_text("#kpm-card")
    assert sales(db) == []
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert remaining(db, shop["kpm"][0]) == 200_000
    assert remaining(db, shop["kpm"][1]) == 132_000
    assert tablet.errors == []


def test_selesai_without_cek_shows_the_name_first(tablet, shop, db):
    _, second = shop["cards"]
    open_till(tablet)
    tap(tablet, shop["ids"]["rice"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", second)
    tablet.fill("#edc-ref", "004513")
    tablet.click("#pay-submit")
    tablet.locator("#kpm:not([hidden])").wait_for()
    assert tablet.inner_text("#kpm-name") == "Nining Suryani"
    assert sales(db) == []
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert remaining(db, shop["kpm"][1]) == 132_000
