"""What slows a cashier down or misleads her at the till: payment feedback, quantities,
barcodes typed by hand, the PIN screen, approvals, and words that are not for her."""

from __future__ import annotations

import pytest

from aid import ledger
from tests.browser.conftest import sign_in_with_pin
from tests.browser.till_kit import (
    RICE_BARCODE,
    cart,
    make_till_shop,
    open_till,
    sales,
    tap,
)
from tests.factories import card_key, credit, make_beneficiary, make_card_number

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app, db):
    return make_till_shop(app, db)


def _quick(page):
    return page.locator("#quick button").all_inner_texts()


def test_cash_payment_says_what_is_missing_and_offers_notes_that_follow_the_total(tablet, shop,
                                                                                   db):
    open_till(tablet)
    tap(tablet, shop["ids"]["crackers"])  # Rp3.000
    tablet.click("#pay-cash")
    assert _quick(tablet) == ["Uang pas", "Rp5.000", "Rp10.000", "Rp50.000", "Rp100.000"]
    tablet.click("[data-cash='5000']")
    assert tablet.input_value("#cash-given") == "5.000"
    assert tablet.inner_text("#change-row") == "Kembalian: Rp2.000"
    tablet.click("#pay-cancel")
    for key in ("rice", "tempe", "oil"):  # Rp91.000 more: Rp94.000 in all
        tap(tablet, shop["ids"][key])
    tablet.click("#pay-cash")
    assert _quick(tablet) == ["Uang pas", "Rp95.000", "Rp100.000"]
    tablet.locator("#cash-given").press_sequentially("50000")
    assert tablet.input_value("#cash-given") == "50.000"  # thousands apart as she types
    assert tablet.inner_text("#change-row") == "Kurang: Rp44.000"
    tablet.click("#pay-submit")
    assert tablet.inner_text("#pay-error") == "Uang diterima kurang Rp44.000."
    assert sales(db) == []
    tablet.locator("#cash-given").press("End")
    tablet.locator("#cash-given").press("Backspace")  # 50.00 → 5.000: the caret stays put
    assert tablet.input_value("#cash-given") == "5.000"
    tablet.fill("#cash-given", "100000")
    assert tablet.inner_text("#change-row") == "Kembalian: Rp6.000"
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    assert tablet.inner_text("#done-change") == "Rp6.000"


def test_an_empty_card_field_and_a_card_with_nothing_left_get_their_own_messages(tablet, app,
                                                                                  shop, db):
    empty_card = make_card_number()
    with db.unit_of_work() as s:  # credited this month, and all of it already spent
        wati = make_beneficiary(s, card_key(app), card=empty_card, name="Wati Rahayu")
        credit(s, wati, 50_000)
        ledger.redeem(s, wati.id, 50_000, sale_id=None, edc_ref="000777")
    open_till(tablet)
    tap(tablet, shop["ids"]["rice"])
    tablet.click("#pay-bpnt")
    tablet.click("#card-lookup")
    assert tablet.inner_text("#card-error") == "Isi nomor kartu KKS atau gesek kartunya dulu."
    tablet.click("#pay-submit")
    assert tablet.inner_text("#card-error") == "Isi nomor kartu KKS atau gesek kartunya dulu."
    tablet.fill("#card", empty_card)
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    assert "Wati Rahayu" in tablet.inner_text("#kpm")
    message = tablet.inner_text("#bpnt-error")
    assert message.startswith("Sisa bantuan kartu ini Rp0") and "dibayar tunai" in message
    tablet.fill("#edc-ref", "004599")
    tablet.click("#pay-submit")
    assert tablet.is_visible("#bpnt-error") and sales(db) == []


def test_the_keypad_replaces_the_quantity_and_refuses_a_fraction_of_a_whole_unit(tablet, shop):
    open_till(tablet)
    tap(tablet, shop["ids"]["tempe"])  # pcs: sold whole
    tablet.click(".cart-line .qty-button")
    assert tablet.is_disabled("#qty-dialog .key[data-key=',']")
    tablet.click("#qty-dialog .key[data-key='3']")
    assert tablet.inner_text("#qty-shown") == "3"  # not "13"
    tablet.click("#qty-dialog .key[data-key='2']")
    assert tablet.inner_text("#qty-shown") == "32"
    tablet.keyboard.press(",")  # a keyboard's comma is refused as well
    assert "dijual utuh per pcs" in tablet.inner_text("#qty-error")
    tablet.keyboard.press("Backspace")
    tablet.click("#qty-ok")
    assert cart(tablet) == ["Tempe Papan − 3 pcs + Rp15.000"]
    tap(tablet, shop["ids"]["eggs"])  # kg: weighed
    tablet.locator(".cart-line", has_text="Telur").locator(".qty-button").click()
    for key in ("1", ",", "5"):
        tablet.click(f"#qty-dialog .key[data-key='{key}']")
    tablet.click("#qty-ok")
    assert "1,5 kg Rp42.000" in cart(tablet)[1].replace(" +", "")
    assert tablet.errors == []


def test_pack_stock_reads_whole_and_a_typed_barcode_with_enter_adds_the_item(tablet, shop):
    open_till(tablet)
    rice = tablet.locator(f".product-tile[data-id='{shop['ids']['rice']}'] .stock")
    assert rice.inner_text() == "Stok: 50"
    tablet.click("#search")
    tablet.keyboard.type(RICE_BARCODE, delay=90)  # by hand, slower than a scanner
    tablet.keyboard.press("Enter")
    tablet.locator(".cart-line", has_text="Beras Medium").wait_for()
    assert tablet.input_value("#search") == ""
    tablet.keyboard.type("899000111222", delay=90)
    tablet.keyboard.press("Enter")
    tablet.locator(".toast", has_text="Barcode tidak dikenal").wait_for()
    assert len(cart(tablet)) == 1


def test_a_wrong_pin_keeps_the_cashier_chosen(tablet, shop):
    sign_in_with_pin(tablet, "Siti Aminah", "9999")
    assert "PIN salah" in tablet.inner_text("#login-error")
    assert tablet.locator("input[name=username][value=siti]").is_checked()
    for digit in "1234":
        tablet.click(f".pinpad .key[data-key='{digit}']")
    tablet.click(".pinpad .key[data-key='OK']")
    tablet.wait_for_url("**/till/")


def test_the_void_form_offers_the_managers_and_no_page_speaks_of_luhn_or_settings(tablet,
                                                                                  shop, db):
    open_till(tablet)
    tap(tablet, shop["ids"]["tempe"])
    tablet.click("#pay-cash")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    [sale] = sales(db)
    tablet.goto(f"/sales/{sale.id}")
    void = tablet.locator("form[action$='/void']")
    options = void.locator("select[name=approver] option").all_inner_texts()
    assert options == ["Bu Sri"]  # the only manager, chosen already
    tablet.click("text=Cetak ulang struk")  # no printer in this shop
    flash = tablet.inner_text("main")
    assert "printer" in flash and "EWARUNG" not in flash
    tablet.goto("/till/")
    tap(tablet, shop["ids"]["rice"])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", shop["cards"][0][:-1] + str((int(shop["cards"][0][-1]) + 1) % 10))
    tablet.click("#card-lookup")
    tablet.locator("#card-error:not([hidden])").wait_for()
    message = tablet.locator("#card-error").inner_text()
    assert "salah ketik" in message and "Luhn" not in message
    for path in ("/till/", "/sales/", f"/sales/{sale.id}", "/shift"):
        tablet.goto(path)
        text = tablet.content()
        for word in ("Luhn", "HHI", "(strict)", "(warn)", "EWARUNG_"):
            assert word not in text, (path, word)


def test_the_shift_page_shows_amounts_in_thousands_and_keeps_the_cart(tablet, shop):
    open_till(tablet)
    tap(tablet, shop["ids"]["rice"])
    tablet.click("a[href='/shift']")
    tablet.wait_for_url("**/shift")
    tablet.wait_for_load_state("load")  # its scripts format the amount as it is typed
    tablet.locator("#amount").press_sequentially("25000")
    assert tablet.input_value("#amount") == "25.000"
    tablet.fill("#reason", "tambah uang kecil")
    tablet.click("form[action$='/cash'] button[type=submit]")
    assert "Rp25.000 / Rp0" in tablet.inner_text(".report")  # cash in / out
    tablet.goto("/till/")
    tablet.wait_for_selector("body[data-ready='1']")
    assert cart(tablet) == ["Beras Medium 5 kg − 1 pack + Rp68.000"]
