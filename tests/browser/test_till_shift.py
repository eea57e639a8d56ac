"""The till asks for the float before the first sale, and the shift closes on a blind count."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from pos.models import Shift
from pos.shifts import close_shift
from tests.browser.conftest import layout_problems, sign_in_with_pin
from tests.browser.till_kit import make_till_shop, open_till, sales, tap
from tests.factories import make_user, open_shift_for

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app, db):
    made = make_till_shop(app, db)
    with db.unit_of_work() as s:  # a third cashier, who has not opened a shift today
        made["rina"] = make_user(s, "cashier", "rina", full_name="Rina Lestari").id
    return made


def test_the_float_comes_before_the_first_sale_and_the_count_before_the_expected_cash(
        tablet, shop, db):
    sign_in_with_pin(tablet, "Rina Lestari", "1234")
    tablet.wait_for_url("**/shift?next=till")
    assert "modal awal" in tablet.inner_text("main").lower()
    assert layout_problems(tablet) == []
    tablet.fill("#opening_float", "150000")
    tablet.click("#open-shift")
    tablet.wait_for_url("**/till/")
    tablet.wait_for_selector("body[data-ready='1'] .product-tile")
    tap(tablet, shop["ids"]["crackers"])  # Rp3.000
    tablet.click("#pay-cash")
    tablet.fill("#cash-given", "5000")
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    [sale] = sales(db)
    with db.unit_of_work(write=False) as s:
        shift = s.scalar(select(Shift).where(Shift.cashier_id == shop["rina"]))
    assert (sale.cashier_id, sale.shift_id, shift.opening_float) == (shop["rina"], shift.id,
                                                                     150_000)

    tablet.goto("/shift")
    page = tablet.inner_text("main")
    # a blind count: what the drawer should hold is not shown before the cash is counted
    assert "Rp153.000" not in page and "Kas seharusnya" not in page
    tablet.fill("#counted_cash", "152000")
    tablet.click("#close-shift")
    tablet.wait_for_url("**/shift")
    z = tablet.inner_text("#closed-report")
    assert "Kas seharusnya" in z and "Rp153.000" in z
    assert "Kas dihitung" in z and "Rp152.000" in z
    assert "Selisih" in z and "-Rp1.000" in z
    assert layout_problems(tablet) == []
    assert tablet.errors == []


def test_an_offline_sale_refused_for_want_of_a_shift_waits_in_the_outbox(tablet, shop, db):
    open_till(tablet)  # siti, with her shift open
    tap(tablet, shop["ids"]["tempe"])  # Rp5.000
    tablet.click("#pay-cash")
    tablet.fill("#cash-given", "5000")
    tablet.context.set_offline(True)
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    with db.unit_of_work() as s:  # meanwhile her shift is closed on the shop computer
        siti = s.scalar(select(Shift).where(Shift.closed_at.is_(None))
                        .order_by(Shift.id).limit(1))
        close_shift(s, siti.id, 100_000, siti.cashier_id)
        cashier_id = siti.cashier_id
    tablet.context.set_offline(False)
    banner = tablet.locator("#outbox-banner")
    banner.filter(has_text="shift dibuka").wait_for(timeout=20000)
    assert "1 transaksi menunggu" in banner.inner_text()
    assert sales(db) == []  # kept on the tablet, not dropped
    with db.unit_of_work() as s:
        shift_id = open_shift_for(s, cashier_id, 100_000).id
    tablet.locator("#outbox-banner[hidden]").wait_for(state="attached", timeout=30000)
    [sale] = sales(db)
    assert (sale.total, sale.cashier_id, sale.shift_id) == (5_000, cashier_id, shift_id)
    assert tablet.errors == []
