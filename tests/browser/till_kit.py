"""A small shop for the till's browser tests, and the taps a cashier makes."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page
from sqlalchemy import select

from aid import ledger
from pos.models import Sale
from pos.shifts import open_shift
from tests.browser.conftest import sign_in_with_pin
from tests.factories import (
    card_key,
    credit,
    make_beneficiary,
    make_card_number,
    make_outlet,
    make_product,
    make_stock,
    make_user,
)

#: (key, name, unit, price, commodity group)
GOODS = [
    ("rice", "Beras Medium 5 kg", "pack", 68_000, "carbohydrate"),
    ("eggs", "Telur Ayam Negeri", "kg", 28_000, "animal_protein"),
    ("tempe", "Tempe Papan", "pcs", 5_000, "plant_protein"),
    ("oil", "Minyak Goreng 1 L", "botol", 18_000, "none"),
    ("crackers", "Kerupuk Udang", "pcs", 3_000, "none"),
    ("sugar", "Gula Pasir Kristal Putih Premium 1 kg", "pack", 17_500, "none"),
    ("spinach", "Bayam Hijau Segar", "ikat", 4_000, "vitamins_minerals"),
    ("beans", "Kacang Hijau Curah", "kg", 24_000, "plant_protein"),
    ("bananas", "Pisang Raja Sereh", "sisir", 22_000, "vitamins_minerals"),
    ("noodles", "Mi Instan Goreng", "pcs", 3_500, "none"),
]
RICE_BARCODE = "8991234567890"


def make_till_shop(app: Any, db: Any) -> dict[str, Any]:
    """Two cashiers with their shifts open, a manager, ten products with stock, and two KPM
    with Rp200.000 each."""
    cards = [make_card_number(), make_card_number()]
    with db.unit_of_work() as s:
        make_cashiers(s)
        make_user(s, "manager", "ketua", full_name="Bu Sri")
        ids = {}
        for key, name, unit, price, group in GOODS:
            product = make_product(s, name, unit=unit, price=price, commodity_group=group,
                                   barcode=RICE_BARCODE if key == "rice" else None)
            make_stock(s, product, 50, unit_cost=1000)
            ids[key] = product.id
        kpm = [make_beneficiary(s, card_key(app), card=card, name=name, village="Sukamaju")
               for card, name in zip(cards, ("Lilis Wahyuni", "Nining Suryani"), strict=True)]
        for one in kpm:
            credit(s, one, 200_000)
        return {"ids": ids, "cards": cards, "kpm": [k.id for k in kpm]}


def make_cashiers(session: Any) -> None:
    """The shop's outlet and two cashiers, each with a shift open (Rp100.000 float)."""
    make_outlet(session)
    for username, name in (("siti", "Siti Aminah"), ("budi", "Budi Santoso")):
        open_shift(session, make_user(session, "cashier", username, full_name=name).id, 100_000)


def open_till(page: Page, full_name: str = "Siti Aminah") -> None:
    """Sign in with the PIN and wait for the till to be ready."""
    sign_in_with_pin(page, full_name, "1234")
    page.wait_for_url("**/till/")
    page.wait_for_selector("body[data-ready='1'] .product-tile")


def tap(page: Page, product_id: int) -> None:
    """Tap a product's tile (showing the whole catalogue first)."""
    tile = page.locator(f".product-tile[data-id='{product_id}']")
    if not tile.count():
        page.click(".group-tab[data-group='all']")
    tile.click()


def cart(page: Page) -> list[str]:
    """The cart's lines as the cashier reads them: name, quantity, amount."""
    return [" ".join(t.split()) for t in page.locator(".cart-line").all_inner_texts()]


def sales(db: Any) -> list[Sale]:
    with db.unit_of_work(write=False) as s:
        return list(s.scalars(select(Sale).order_by(Sale.id)).all())


def remaining(db: Any, kpm_id: int) -> int:
    with db.unit_of_work(write=False) as s:
        return ledger.entitlement_of(s, kpm_id).remaining
