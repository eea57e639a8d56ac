"""A manager finds a KPM by swiping or typing the card into the list's card search (a POSTed
form: the number never shows in an address), reads the history with receipt numbers and one
sign convention, and asks to see the full NIK, which is masked otherwise."""

from __future__ import annotations

import uuid

import pytest

from aid.models import Beneficiary
from tests.browser.conftest import layout_problems, screenshot, sign_in_with_password
from tests.factories import card_key as key_of
from tests.factories import (
    credit,
    make_beneficiary,
    make_card_number,
    make_product,
    make_stock,
    make_token,
    make_user,
)
from tests.helpers import ApiClient

pytestmark = pytest.mark.browser


@pytest.fixture
def kpm(app, db):
    """Two KPM; the first has bought rice for Rp68.000 with BPNT."""
    card = make_card_number()
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua", full_name="Bu Sri")
        rice = make_product(s, "Beras Medium 5 kg", price=68_000)
        make_stock(s, rice, 10, 50_000)
        first = make_beneficiary(s, key_of(app), card=card, name="Lilis Wahyuni",
                                 no_kk="3528010101090001")
        other = make_beneficiary(s, key_of(app), name="Nining Suryani")
        for one in (first, other):
            credit(s, one, 200_000)
        token = make_token(s, "cashier")
        ids = (first.id, rice.id)
    till = ApiClient(app.test_client())
    till.token = token
    sale = till.post("/api/v1/sales", json={
        "client_ref": str(uuid.uuid4()), "lines": [{"product_id": ids[1], "quantity": 1}],
        "tenders": [{"kind": "bpnt", "card": card, "edc_ref": "004512"}]}).get_json()
    with db.unit_of_work(write=False) as s:
        nik = s.get(Beneficiary, ids[0]).nik
    return {"card": card, "id": ids[0], "nik": nik, "sale": sale}


def test_find_by_card_read_the_history_and_ask_for_the_nik(tablet, kpm):
    addresses = []
    tablet.on("request", lambda r: addresses.append(r.url))
    sign_in_with_password(tablet, "ketua", "rahasia-123")
    tablet.wait_for_url("**/")
    tablet.goto("/kpm")
    masked = kpm["nik"][:4] + "********" + kpm["nik"][-4:]
    listing = tablet.inner_text("main")
    assert kpm["nik"] not in listing and masked in listing
    swipe = f"%B{kpm['card']}^LILIS/WAHYUNI^2512101?;{kpm['card']}=2512101?"
    tablet.fill("#card", swipe)
    tablet.click("form[action='/kpm/card'] button[type=submit]")
    tablet.wait_for_url("**/kpm/card")
    rows = tablet.locator(".kpm-table tbody tr")
    assert rows.count() == 1 and "Lilis Wahyuni" in rows.inner_text()
    assert tablet.input_value("#card") == ""  # the number is not handed back to the page
    assert kpm["card"] not in tablet.content()
    assert layout_problems(tablet) == []
    screenshot(tablet, "kpm-card-search")

    tablet.click("a.row-link")
    tablet.wait_for_url(f"**/kpm/{kpm['id']}")
    history = tablet.locator("table").first
    text = history.inner_text()
    assert kpm["sale"]["number"] in text and "-Rp68.000" in text and "004512" in text
    assert "+Rp200.000" in tablet.inner_text("main")
    assert tablet.inner_text("#nik").startswith(masked)
    assert "3528********0001" in tablet.inner_text("main")  # No. KK masked as well
    assert layout_problems(tablet) == []
    screenshot(tablet, "kpm-history")

    tablet.click("#reveal-nik")
    tablet.locator("#reveal-nik").wait_for(state="detached")
    assert kpm["nik"] in tablet.inner_text("#nik")
    assert "3528010101090001" in tablet.inner_text("main")
    tablet.goto(f"/kpm/{kpm['id']}")
    assert kpm["nik"] not in tablet.inner_text("main")

    assert not [a for a in addresses if kpm["card"] in a or kpm["nik"] in a]
    assert tablet.foreign_requests == []
    assert tablet.errors == []
