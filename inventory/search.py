"""Finding products at the till: by name (any case, any accents), SKU or barcode.

Names are compared through a stored search key: lower case, accents removed, anything
that is not a letter or digit turned into one space. A query is normalised the same way
and each of its words must occur in the key. Best matches come first: an exact barcode
or SKU, then names starting with the query, then names with a word starting with it,
then any other match; alphabetically within each.

At 20,000 products the name match scans the keys (about 2 ms on either database on the
shop's kind of machine, see bench/search.py); everything else is an indexed look-up.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from inventory.ledger import ZERO
from inventory.models import Barcode, Product, StockBatch

MAX_LIMIT = 100


def normalise(text: str) -> str:
    """The search form of a name: "Telur Ayam (Négeri)" → "telur ayam negeri"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    kept = "".join(c if c.isalnum() else " " for c in decomposed
                   if not unicodedata.combining(c))
    return " ".join(kept.split())


def normalise_sku(text: str) -> str:
    """SKUs are codes: trimmed and upper case."""
    return text.strip().upper()


@dataclass(frozen=True)
class ProductHit:
    """A product as the till and the API list it."""

    id: int
    sku: str
    barcode: str | None
    name: str
    unit: str
    price: int
    commodity_group: str
    on_hand: Decimal
    active: bool
    tracks_expiry: bool
    reference_price: int | None


_COLUMNS = (Product.id, Product.sku, Product.name, Product.unit, Product.price,
            Product.commodity_group, Product.active, Product.tracks_expiry,
            Product.reference_price)


def search_products(session: Session, q: str = "", limit: int = 20,
                    include_inactive: bool = False) -> list[ProductHit]:
    """Products matching `q`, best first, each with what is on hand."""
    limit = max(1, min(limit, MAX_LIMIT))
    raw = q.strip()
    key = normalise(raw)
    stmt = select(*_COLUMNS)
    if not include_inactive:
        stmt = stmt.where(Product.active.is_(True))
    if not raw:
        stmt = stmt.order_by(Product.search_key, Product.id)
    else:
        exact = or_(Product.sku == normalise_sku(raw), Product.id.in_(
            select(Barcode.product_id).where(Barcode.code == raw).scalar_subquery()))
        words = [Product.search_key.like(f"%{w}%") for w in key.split()]
        rank = case(
            (exact, 0),
            (Product.search_key.like(f"{key}%") if key else literal(False), 1),
            (Product.search_key.like(f"% {key}%") if key else literal(False), 2),
            else_=3)
        stmt = stmt.where(or_(exact, and_(*words)) if words else exact)
        stmt = stmt.order_by(rank, Product.search_key, Product.id)
    rows = session.execute(stmt.limit(limit)).all()
    return _hits(session, rows)


def _hits(session: Session, rows: Sequence[Any]) -> list[ProductHit]:
    ids = [r.id for r in rows]
    stock = on_hand_of(session, ids)
    codes = first_barcodes(session, ids)
    return [ProductHit(id=r.id, sku=r.sku, barcode=codes.get(r.id), name=r.name, unit=r.unit,
                       price=r.price, commodity_group=r.commodity_group,
                       on_hand=stock.get(r.id, ZERO), active=r.active,
                       tracks_expiry=r.tracks_expiry, reference_price=r.reference_price)
            for r in rows]


def on_hand_of(session: Session, product_ids: Sequence[int]) -> dict[int, Decimal]:
    """What is on hand of each product (from the batches' balances, an indexed read)."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(StockBatch.product_id, func.sum(StockBatch.quantity_left))
        .where(StockBatch.product_id.in_(product_ids), StockBatch.quantity_left != 0)
        .group_by(StockBatch.product_id))
    return {pid: qty for pid, qty in rows}


def first_barcodes(session: Session, product_ids: Sequence[int]) -> dict[int, str]:
    """The first barcode of each product that has one."""
    if not product_ids:
        return {}
    rows = session.execute(select(Barcode.product_id, Barcode.code)
                           .where(Barcode.product_id.in_(product_ids))
                           .order_by(Barcode.id.desc()))
    return {pid: code for pid, code in rows}  # descending: the first id wins
