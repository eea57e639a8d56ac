"""Every page of the menu on the demo shop, at both tablet sizes: it fits, its controls are
big enough to tap, and nothing is fetched from outside the shop's server."""

from __future__ import annotations

import pytest

from ewarung.demo import load_demo
from tests.browser.conftest import TABLET_SIZES, layout_problems, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_admin(app, db):
    with app.app_context(), db.unit_of_work() as s:
        load_demo(s)


def _menu_urls(tablet) -> list[str]:
    tablet.goto("/")
    return tablet.eval_on_selector_all(".topbar .menu nav a", "els => els.map(a => a.pathname)")


@pytest.mark.parametrize("size", TABLET_SIZES)
def test_every_menu_page_fits_the_tablet(tablet, demo_admin, size):
    from tests.browser.conftest import sign_in_with_password

    tablet.set_viewport_size(dict(zip(("width", "height"), TABLET_SIZES[size], strict=True)))
    sign_in_with_password(tablet, "admin", "admin-demo-1")
    tablet.wait_for_url("**/")
    urls = _menu_urls(tablet)
    assert len(urls) >= 10
    problems = {}
    for url in urls:
        response = tablet.goto(url)
        assert response.status == 200, url
        found = layout_problems(tablet)
        if found:
            problems[url] = found
        screenshot(tablet, f"page{url.replace('/', '_').rstrip('_')}-{size}")
    assert problems == {}
    assert tablet.foreign_requests == []
    assert tablet.errors == []
