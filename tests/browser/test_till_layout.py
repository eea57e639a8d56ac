"""The till with a full cart on a portrait and a landscape tablet and on a phone: the pay
buttons stay in sight, nothing scrolls sideways, every control can be touched."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ARTIFACTS, layout_problems
from tests.browser.till_kit import GOODS, cart, make_till_shop, open_till, tap

pytestmark = pytest.mark.browser

SIZES = {"portrait": (800, 1280), "landscape": (1280, 800), "phone": (390, 844)}
#: what must be in sight without scrolling, whatever the cart holds
ALWAYS_IN_SIGHT = ["#total", "#pay-cash", "#pay-bpnt", "#pay-qris", "#pay-transfer",
                   "#park-sale", "#clear-cart"]

BOXES = "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
IN_VIEW = """(sel) => {
  const r = document.querySelector(sel).getBoundingClientRect();
  return r.width > 0 && r.top >= 0 && r.left >= 0 && r.bottom <= innerHeight + 0.5
    && r.right <= innerWidth + 0.5;
}"""


@pytest.fixture
def shop(app, db):
    return make_till_shop(app, db)


def _shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))  # the screen, as the cashier sees it


@pytest.mark.parametrize("size", SIZES)
def test_eight_cart_lines_leave_the_pay_buttons_in_sight(tablet, shop, size):
    width, height = SIZES[size]
    tablet.set_viewport_size({"width": width, "height": height})
    open_till(tablet)
    for key, *_ in GOODS[:8]:
        tap(tablet, shop["ids"][key])
    assert len(cart(tablet)) == 8
    _shot(tablet, f"till-8-lines-{size}")
    assert tablet.evaluate("scrollY") == 0
    for selector in ALWAYS_IN_SIGHT:
        assert tablet.evaluate(IN_VIEW, selector), f"{selector} is out of sight at {size}"
    assert layout_problems(tablet) == []
    # Names are read, not crushed: each has room for a word or two per row, and no more
    # than three rows.
    boxes = tablet.eval_on_selector_all(".cart-line .name", BOXES)
    assert min(w for w, _ in boxes) >= 150
    assert max(h for _, h in boxes) <= 3 * 26
    # The last line can be scrolled to and changed.
    last = tablet.locator(".cart-line").last
    last.locator(".plus").click()
    assert " 2 " in f" {cart(tablet)[-1]} "

    tablet.click("#pay-cash")
    tablet.click("[data-cash='exact']")
    _shot(tablet, f"till-8-lines-pay-{size}")
    assert tablet.evaluate(IN_VIEW, "#pay-submit")
    assert layout_problems(tablet) == []
    tablet.click("#pay-submit")
    tablet.locator("#done-dialog[open]").wait_for()
    tablet.locator("#receipt-preview .receipt-paper").wait_for()
    _shot(tablet, f"till-8-lines-done-{size}")
    assert tablet.evaluate(IN_VIEW, "#new-sale"), f"Transaksi baru is out of sight at {size}"
    assert layout_problems(tablet) == []
    tablet.click("#new-sale")
    assert cart(tablet) == []
    assert tablet.errors == []


@pytest.mark.parametrize("size", SIZES)
def test_the_till_dialogs_fit_and_keep_their_buttons_in_sight(tablet, shop, size):
    width, height = SIZES[size]
    tablet.set_viewport_size({"width": width, "height": height})
    open_till(tablet)
    for key, *_ in GOODS[:8]:
        tap(tablet, shop["ids"][key])
    tablet.click("#pay-bpnt")
    tablet.fill("#card", shop["cards"][0])
    tablet.click("#card-lookup")
    tablet.locator("#kpm:not([hidden])").wait_for()
    _shot(tablet, f"till-bpnt-{size}")
    assert tablet.evaluate(IN_VIEW, "#pay-submit") and tablet.evaluate(IN_VIEW, "#pay-cancel")
    assert layout_problems(tablet) == []
    tablet.click("#pay-cancel")
    tablet.locator(".cart-line .qty-button").first.click()
    _shot(tablet, f"till-keypad-{size}")
    assert tablet.evaluate(IN_VIEW, "#qty-ok") and layout_problems(tablet) == []
    tablet.click("#qty-cancel")
    tablet.click("#park-sale")
    tablet.fill("#park-name", "Ibu dengan nama yang panjang sekali dari Dusun Sukamaju Kidul")
    assert tablet.evaluate(IN_VIEW, "#park-ok") and layout_problems(tablet) == []
    tablet.click("#park-ok")
    tablet.click("#parked-open")
    _shot(tablet, f"till-parked-{size}")
    assert tablet.evaluate(IN_VIEW, "#parked-list .recall") and layout_problems(tablet) == []
    tablet.click("#parked-list .discard")
    tablet.locator("#confirm-dialog[open]").wait_for()
    assert tablet.evaluate(IN_VIEW, "#confirm-ok") and layout_problems(tablet) == []
    tablet.click("#confirm-ok")
    tablet.locator("#parked-open").wait_for(state="hidden")
    assert tablet.errors == []
