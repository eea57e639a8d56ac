"""Counts typed on the stocktake page survive a filter, a reload and the review."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from inventory.models import StocktakeLine
from tests.browser.conftest import sign_in_with_password
from tests.browser.till_kit import make_till_shop
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def shop(app, db):
    return make_till_shop(app, db)


def _counted(db):
    with db.unit_of_work(write=False) as s:
        return {line.product_id: line.counted for line in s.scalars(select(StocktakeLine))}


def test_typed_counts_survive_filter_reload_and_review(tablet, shop, db):
    ids = shop["ids"]
    tablet.set_viewport_size({"width": 800, "height": 1280})
    sign_in_with_password(tablet, "ketua", PASSWORD)
    tablet.wait_for_url("**/")
    tablet.goto("/inventory/stocktakes")
    tablet.click("text=Mulai hitung")
    tablet.wait_for_url("**/inventory/stocktakes/*")
    count_url = tablet.url
    tablet.fill(f"#c-{ids['rice']}", "48")
    tablet.fill(f"#c-{ids['oil']}", "51")
    tablet.select_option("select[name=group]", "plant_protein")
    tablet.click("text=Saring")
    tablet.wait_for_url("**group=plant_protein**")
    assert tablet.locator(f"#c-{ids['rice']}").count() == 0
    tablet.fill(f"#c-{ids['tempe']}", "50")
    tablet.goto(count_url)  # all groups again, as after a reload
    assert tablet.input_value(f"#c-{ids['rice']}") == "48"
    assert tablet.input_value(f"#c-{ids['oil']}") == "51"
    assert tablet.input_value(f"#c-{ids['tempe']}") == "50"
    assert _counted(db) == {}
    tablet.click("text=Selesai: tinjau selisih")
    tablet.wait_for_url("**/review")
    review = tablet.inner_text("table.list")
    for name in ("Beras Medium 5 kg", "Minyak Goreng 1 L", "Tempe Papan"):
        assert name in review
    assert {k: int(v) for k, v in _counted(db).items()} == {
        ids["rice"]: 48, ids["oil"]: 51, ids["tempe"]: 50}
    assert tablet.errors == []
