"""Signing in on the tablet: cashier tiles and PIN pad, manager password, switching cashier."""

from __future__ import annotations

import pytest

from tests.browser.conftest import (
    TABLET_SIZES,
    layout_problems,
    screenshot,
    sign_in_with_password,
    sign_in_with_pin,
)
from tests.factories import PASSWORD, make_user, open_shift_for

pytestmark = pytest.mark.browser


@pytest.fixture
def staff(db):
    with db.unit_of_work() as s:
        for username, name in (("siti", "Siti Aminah"), ("budi", "Budi Santoso")):
            open_shift_for(s, make_user(s, "cashier", username, full_name=name))
        make_user(s, "manager", "ketua", full_name="Bu Sri")


def test_cashier_signs_in_with_tile_and_pin_and_lands_on_the_till(tablet, staff):
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    assert tablet.locator(".topbar .who").inner_text() == "Siti Aminah"
    assert tablet.foreign_requests == []
    assert tablet.errors == []


def test_wrong_pin_says_so_in_indonesian(tablet, staff):
    sign_in_with_pin(tablet, "Siti Aminah", "9999")
    assert "PIN salah" in tablet.locator("#login-error").inner_text()


def test_switching_cashier_takes_two_taps(tablet, staff):
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    tablet.click("#switch-cashier")  # tap 1
    tablet.wait_for_url("**/login")
    tablet.get_by_text("Budi Santoso", exact=True).click()  # tap 2, then the PIN
    for digit in "1234":
        tablet.click(f".pinpad .key[data-key='{digit}']")
    tablet.click(".pinpad .key[data-key='OK']")
    tablet.wait_for_url("**/till/")
    assert tablet.locator(".topbar .who").inner_text() == "Budi Santoso"


def test_manager_signs_in_with_password(tablet, staff):
    sign_in_with_password(tablet, "ketua", PASSWORD)
    tablet.wait_for_url("**/")
    assert "Bu Sri" in tablet.content()


@pytest.mark.parametrize("size", TABLET_SIZES)
def test_sign_in_and_till_fit_the_tablet(tablet, staff, size):
    tablet.set_viewport_size(dict(zip(("width", "height"), TABLET_SIZES[size], strict=True)))
    tablet.goto("/login")
    assert layout_problems(tablet) == []
    screenshot(tablet, f"login-{size}")
    sign_in_with_pin(tablet, "Siti Aminah", "1234")
    tablet.wait_for_url("**/till/")
    assert layout_problems(tablet) == []
    screenshot(tablet, f"till-empty-{size}")
    assert tablet.foreign_requests == []
