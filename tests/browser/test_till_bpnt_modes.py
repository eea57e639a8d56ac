"""The till tells the cashier, in plain Indonesian, how the shop handles BPNT; in the mode
where the bank keeps the balance it shows none and asks for the EDC approval code; a KPM
imported after the month's credit run is told why their balance is Rp0."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ewarung.shop import set_setting
from pos.models import Tender
from tests.browser.till_kit import make_till_shop, open_till, sales, tap
from tests.factories import card_key, make_beneficiary, make_card_number

pytestmark = pytest.mark.browser

#: words of the settings' values, which mean nothing to a cashier
CODE_WORDS = ("strict", "warn", "record", "enforcement")


@pytest.fixture
def shop(app, db):
    return make_till_shop(app, db)


def _mode(db, mode):
    with db.unit_of_work() as s:
        set_setting(s, "bpnt.enforcement", mode)


def _bpnt_dialog(tablet, shop, product="rice"):
    open_till(tablet)
    tap(tablet, shop["ids"][product])
    tablet.click("#pay-bpnt")
    tablet.locator("#pay-dialog[open]").wait_for()


def _plain(text: str) -> None:
    for word in CODE_WORDS:
        assert word not in text.lower(), f"the till shows the setting's word {word!r}"


@pytest.mark.parametrize(("mode", "says"), [
    ("strict", "ditolak"), ("warn", "tetap boleh")])
def test_the_till_says_how_the_balance_is_kept(tablet, shop, db, mode, says):
    _mode(db, mode)
    _bpnt_dialog(tablet, shop)
    label = tablet.locator("#bpnt-mode")
    assert label.is_visible()
    assert says in label.inner_text() and "Sisa bantuan" in label.inner_text()
    _plain(tablet.inner_text("body"))
    tablet.fill("#card", shop["cards"][0])
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    assert tablet.inner_text("#kpm-remaining") == "Rp200.000"
    assert tablet.errors == []


def test_record_mode_shows_no_balance_and_asks_for_the_edc_code(tablet, shop, db):
    _mode(db, "record")
    _bpnt_dialog(tablet, shop)
    label = tablet.inner_text("#bpnt-mode")
    assert "rekening bank" in label and "EDC" in label
    _plain(tablet.inner_text("body"))
    tablet.fill("#card", shop["cards"][0])
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    assert "Sisa bantuan" not in tablet.inner_text("#kpm")  # the bank keeps the balance
    assert tablet.input_value("#bpnt-amount") == "68.000"
    tablet.click("#pay-submit")  # no EDC code yet
    error = tablet.locator("#edc-error")
    error.wait_for()
    assert "approval" in error.inner_text() and "EDC" in error.inner_text()
    assert tablet.evaluate("document.activeElement.id") == "edc-ref"
    assert sales(db) == []
    tablet.fill("#edc-ref", "778812")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    with db.unit_of_work(write=False) as s:
        tender = s.scalars(select(Tender).where(Tender.kind == "bpnt")).one()
        assert (tender.edc_ref, tender.amount, tender.remaining_after) == ("778812", 68_000, None)
    _plain(tablet.inner_text("body"))
    assert tablet.errors == []


def test_a_kpm_imported_after_the_credit_run_is_told_why_nothing_is_left(app, tablet, shop, db):
    late = make_card_number()
    with db.unit_of_work() as s:  # after make_till_shop credited the month
        make_beneficiary(s, card_key(app), card=late, name="Wati Baru")
    _bpnt_dialog(tablet, shop)
    tablet.fill("#card", late)
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    error = tablet.locator("#bpnt-error")
    error.wait_for()
    text = error.inner_text()
    assert "terdaftar setelah" in text and "Hak BPNT" in text
    assert tablet.errors == []
