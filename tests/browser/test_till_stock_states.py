"""Expired and sold-out goods at the till: shown apart from the rest, expired ones refused at
the tap, and the server's refusal shown next to the line it concerns."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from ewarung.clock import happening_at
from ewarung.db import utcnow
from tests.browser.till_kit import cart, make_cashiers, open_till, sales, tap
from tests.factories import make_product, make_stock
from tests.helpers import shop_date

pytestmark = pytest.mark.browser


@pytest.fixture
def goods(app, db):
    with db.unit_of_work() as s:
        make_cashiers(s)
        with happening_at(utcnow() - timedelta(days=10)):  # received before they expired
            milk = make_product(s, "Susu UHT Coklat", unit="pcs", price=6000,
                                commodity_group="animal_protein", tracks_expiry=True)
            make_stock(s, milk, 6, 4000, shop_date(-1))
            yoghurt = make_product(s, "Yoghurt Stroberi", unit="pcs", price=8000,
                                   commodity_group="animal_protein", tracks_expiry=True)
            make_stock(s, yoghurt, 5, 5000, shop_date(-2))
            make_stock(s, yoghurt, 3, 5000, shop_date(5))
        bread = make_product(s, "Roti Tawar", unit="pcs", price=15000, commodity_group="none")
        tea = make_product(s, "Teh Celup", unit="dus", price=7000, commodity_group="none")
        make_stock(s, tea, 20, 5000)
        ids = {"milk": milk.id, "yoghurt": yoghurt.id, "bread": bread.id, "tea": tea.id}
    return ids


def _tile(page, product_id):
    return page.locator(f".product-tile[data-id='{product_id}']")


def test_expired_and_sold_out_goods_are_shown_apart_and_the_refusal_names_the_lines(tablet,
                                                                                      goods, db):
    open_till(tablet)
    milk, yoghurt, bread, tea = (_tile(tablet, goods[k])
                                 for k in ("milk", "yoghurt", "bread", "tea"))
    assert "stock-expired" in milk.get_attribute("class")
    assert milk.locator(".stock").inner_text() == "Kedaluwarsa (6)"
    assert "stock-out" in bread.get_attribute("class")
    assert bread.locator(".stock").inner_text() == "Stok habis"
    assert yoghurt.locator(".stock").inner_text() == "Stok: 3 · 5 kedaluwarsa"
    assert "stock-ok" in tea.get_attribute("class")
    assert tea.locator(".stock").inner_text() == "Stok: 20"

    tap(tablet, goods["milk"])  # the cashier is warned; the server decides at payment
    tablet.locator(".toast", has_text="Susu UHT Coklat sudah kedaluwarsa").wait_for()
    for _ in range(4):
        tap(tablet, goods["yoghurt"])
    tablet.locator(".toast", has_text="tinggal 3 pcs; sisanya kedaluwarsa").wait_for()
    tap(tablet, goods["tea"])
    assert "stock-expired" in tablet.locator(".cart-line").first.get_attribute("class")
    tablet.click("#pay-cash")
    tablet.click("#pay-submit")
    error = tablet.locator("#pay-error")
    error.wait_for()
    assert "Susu UHT Coklat" in error.inner_text() and "Yoghurt Stroberi" in error.inner_text()
    assert "kedaluwarsa" in error.inner_text() and "Teh" not in error.inner_text()
    assert sales(db) == []
    tablet.click("#pay-cancel")
    refused = [line.locator(".name").inner_text() for line in tablet.locator(".cart-line").all()
               if "refused" in line.get_attribute("class")]
    assert refused == ["Susu UHT Coklat", "Yoghurt Stroberi"]
    # Out with the milk, three yoghurts: the fresh ones sell.
    tablet.locator(".cart-line", has_text="Susu").locator(".minus").click()
    tablet.locator(".cart-line", has_text="Yoghurt").locator(".minus").click()
    assert cart(tablet) == ["Yoghurt Stroberi − 3 pcs + Rp24.000", "Teh Celup − 1 dus + Rp7.000"]
    tablet.click("#pay-cash")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert len(sales(db)) == 1
    tablet.click("#new-sale")
    # the tiles' stock is reloaded after the sale: wait for it
    expect(tablet.locator(f".product-tile[data-id='{goods['yoghurt']}'] .stock")) \
        .to_have_text("Kedaluwarsa (5)")
    assert tablet.errors == []


def test_goods_the_records_say_are_sold_out_are_refused_by_the_server_next_to_their_line(
        tablet, goods, db):
    open_till(tablet)
    tap(tablet, goods["tea"])
    tap(tablet, goods["bread"])  # on the shelf, not in the records: the till warns
    tablet.locator(".toast", has_text="Menurut catatan, stok Roti Tawar habis").wait_for()
    assert len(cart(tablet)) == 2
    tablet.click("#pay-cash")
    tablet.click("#pay-submit")
    tablet.locator("#pay-error").wait_for()
    assert "Roti Tawar tidak cukup" in tablet.inner_text("#pay-error")
    tablet.click("#pay-cancel")
    classes = [c.get_attribute("class") for c in tablet.locator(".cart-line").all()]
    assert ["refused" in c for c in classes] == [False, True]
    assert sales(db) == []
