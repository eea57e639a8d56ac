"""The monthly report page in Chromium: tablet layout, the chart, the print button, A4 print."""

from __future__ import annotations

import pytest

from kube.report.layout import SECTIONS
from tests.browser.conftest import (
    TABLET_SIZES,
    layout_problems,
    screenshot,
    sign_in_with_password,
)
from tests.factories import PASSWORD, make_user
from tests.kube.month import build_month

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app, db):
    with app.app_context(), db.unit_of_work() as s:
        build_month(s, app, bundle=True, sales=30)
        make_user(s, "manager", "ketua", full_name="Bu Sri")


@pytest.mark.parametrize("size", TABLET_SIZES)
def test_report_page_fits_the_tablet_with_big_controls(tablet, shop, size):
    width, height = TABLET_SIZES[size]
    tablet.set_viewport_size({"width": width, "height": height})
    sign_in_with_password(tablet, "ketua", PASSWORD)
    tablet.wait_for_url("**/")
    tablet.goto("/kube/report?month=2026-10")
    assert layout_problems(tablet) == []
    assert tablet.locator(".day-chart rect.bar").count() == 31
    assert tablet.locator(".report-section").count() == len(SECTIONS)
    assert tablet.locator("#section-integrity").inner_text().count("Beras Medium") >= 1
    assert tablet.foreign_requests == [] and tablet.errors == []
    screenshot(tablet, f"kube-report-{size}")


def test_month_picker_and_print_button(tablet, shop):
    sign_in_with_password(tablet, "ketua", PASSWORD)
    tablet.wait_for_url("**/")
    tablet.goto("/kube/report?month=2026-10")
    tablet.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    tablet.click("[data-print]")
    assert tablet.evaluate("window.printed") == 1
    tablet.fill("#month", "2026-09")
    tablet.click(".report-month button[type=submit]")
    tablet.wait_for_url("**/kube/report?month=2026-09")
    assert "September 2026" in tablet.locator("h1").inner_text()
    # printed on A4: the tools and the top bar are left off, the report is kept
    tablet.emulate_media(media="print")
    assert not tablet.locator(".report-tools").is_visible()
    assert not tablet.locator(".topbar").is_visible()
    assert tablet.locator(".kube-report").is_visible()
    pdf = tablet.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


def test_a_closed_month_reads_the_same_after_a_kpm_joins(tablet, shop, app, db):
    """Issue 12, bug 5, as the ketua walks it: close October on its page, then a KPM is
    registered; October's page still reads as it did when it was closed."""
    from tests.factories import card_key, make_beneficiary

    sign_in_with_password(tablet, "ketua", PASSWORD)
    tablet.wait_for_url("**/")
    tablet.goto("/kube/report?month=2026-10")
    tablet.fill("#close-ketua", "Sri Wahyuni")
    tablet.fill("#close-bendahara", "Tini Rohaeti")
    tablet.click("form.close-month button[type=submit]")
    tablet.locator(".closed-month").wait_for()
    assert "Sri Wahyuni" in tablet.locator(".closed-month").inner_text()
    assert tablet.locator("form.close-month").count() == 0
    closed = tablet.locator(".kube-report").inner_text()

    with app.app_context(), db.unit_of_work() as s:
        make_beneficiary(s, card_key(app))
    tablet.reload()
    assert tablet.locator(".kube-report").inner_text() == closed
    assert tablet.errors == []
