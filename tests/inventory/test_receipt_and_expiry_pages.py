"""The goods-receipt and expiry pages do not offer what nobody asked for (issue 12)."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from inventory.models import GoodsReceipt
from tests.factories import (
    PASSWORD,
    make_goods_receipt,
    make_product,
    make_stock,
    make_supplier,
    make_user,
)
from tests.helpers import shop_date

pytestmark = pytest.mark.calendar


@pytest.fixture
def manager(client, db):
    with db.unit_of_work() as s:
        make_user(s, "manager", "ketua", full_name="Bu Sri")
    assert client.login("ketua", password=PASSWORD).status_code == 200
    return client


def _inputs(html: str, prefix: str) -> dict[str, str]:
    """name → value of the inputs whose name begins with `prefix`."""
    return {m[1]: m[2] for m in re.finditer(
        rf'<input[^>]*name="({re.escape(prefix)}[^"]*)"[^>]*value="([^"]*)"', html)}


def _headings(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", html)]


def test_a_receipt_shows_no_cancelled_quantities_until_something_is_cancelled(manager, db):
    with db.unit_of_work() as s:
        tofu = make_product(s, "Tahu Putih", unit="pcs")
        eggs = make_product(s, "Telur Ayam", unit="kg")
        receipt = make_goods_receipt(s, [(tofu, 40, 550), (eggs, 12, 26000)],
                                     supplier=make_supplier(s))
        ids = [line.id for line in receipt.lines]
    page = manager.get(f"/inventory/receipts/{receipt.id}").get_data(as_text=True)
    assert "Dibatalkan" not in _headings(page)
    # the reversing form asks for quantities; it does not propose to cancel everything
    assert set(_inputs(page, "reverse-").values()) <= {"", "0"}
    assert set(_inputs(page, "reverse-")) == {f"reverse-{i}" for i in ids}
    back = manager.post(f"/inventory/receipts/{receipt.id}/reverse",
                        data={f"reverse-{ids[0]}": "5", f"reverse-{ids[1]}": "",
                              "note": "lima tahu hancur"})
    assert back.status_code == 302
    page = manager.get(f"/inventory/receipts/{receipt.id}").get_data(as_text=True)
    assert "Dibatalkan" in _headings(page)
    rows = re.findall(r"(?s)<tr>\s*<td>(Tahu Putih|Telur Ayam).*?</tr>", page)
    assert rows == ["Tahu Putih", "Telur Ayam"]
    tofu_row = re.search(r"(?s)<tr>\s*<td>Tahu Putih.*?</tr>", page)[0]
    egg_row = re.search(r"(?s)<tr>\s*<td>Telur Ayam.*?</tr>", page)[0]
    assert "5 pcs" in tofu_row and "40 pcs" in tofu_row
    assert egg_row.count("12 kg") == 1  # the received quantity, not a cancelled one
    assert _inputs(page, "reverse-") == {}  # reversed once: no second form
    with db.unit_of_work(write=False) as s:
        assert len(s.scalars(select(GoodsReceipt)).all()) == 2


def test_the_expiry_page_does_not_prefill_a_write_off_of_goods_still_good(manager, db):
    with db.unit_of_work() as s:
        fish = make_product(s, "Ikan Lele", unit="kg", tracks_expiry=True)
        make_stock(s, fish, "3", 25000, shop_date(1))
    page = manager.get("/inventory/expiry?days=3").get_data(as_text=True)
    assert "Ikan Lele" in page and "1 hari lagi" in page
    assert _inputs(page, "quantity") == {"quantity": ""}
    assert 'value="expired" selected' not in page
