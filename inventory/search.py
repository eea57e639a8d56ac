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

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, and_, bindparam, case, func, select, union_all
from sqlalchemy.orm import Session

from ewarung.clock import shop_today
from ewarung.errors import ValidationFailed
from ewarung.text import UNWRITABLE, has_unwritable
from inventory.ledger import ZERO
from inventory.models import Barcode, Product, StockBatch

MAX_LIMIT = 100
#: one word with a digit: a barcode or a SKU rather than a name
CODE_RE = re.compile(r"^(?=\S*\d)\S{4,}$")


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
    #: of what is on hand, how much is past its expiry date (a sale refuses it)
    expired_on_hand: Decimal = ZERO
    allow_negative: bool = False


def _columns() -> tuple[Any, ...]:
    """A product row with what is on hand, how much of it has expired (`:today` is the
    shop's day) and its first barcode (evaluated per row shown)."""
    on_hand = (select(func.sum(StockBatch.quantity_left))
               .where(StockBatch.product_id == Product.id, StockBatch.quantity_left != 0)
               .scalar_subquery())
    expired = (select(func.sum(StockBatch.quantity_left))
               .where(StockBatch.product_id == Product.id, StockBatch.quantity_left > 0,
                      StockBatch.expires_on < bindparam("today", type_=Date()))
               .scalar_subquery())
    code = (select(Barcode.code).where(Barcode.product_id == Product.id)
            .order_by(Barcode.id).limit(1).scalar_subquery())
    return (Product.id, Product.sku, Product.name, Product.unit, Product.price,
            Product.commodity_group, Product.active, Product.tracks_expiry,
            Product.reference_price, Product.allow_negative, Product.search_key,
            on_hand.label("on_hand"), expired.label("expired_on_hand"), code.label("barcode"))


def search_products(session: Session, q: str = "", limit: int = 20,
                    include_inactive: bool = False, group: str | None = None
                    ) -> list[ProductHit]:
    """Products matching `q`, best first, each with what is on hand.

    One statement fetches the exact SKU or barcode matches and the best name matches;
    stock and barcodes are read only for the rows shown. On SQLite the name matches are
    the alphabetically first few times `limit` (an early-stopping walk of the key index),
    and only when that many match does a second statement fetch the best tiers (names
    starting with the query, or with a word starting with it) on their own.
    """
    limit = max(1, min(limit, MAX_LIMIT))
    raw, key = q.strip(), normalise(q)
    day = {"today": shop_today(session)}
    if has_unwritable(raw):  # no product holds one (PostgreSQL cannot even compare a NUL)
        raise ValidationFailed.field("q", UNWRITABLE)
    live: list[Any] = [] if include_inactive else [Product.active.is_(True)]
    if not raw:
        if group is not None:
            live.append(Product.commodity_group == group)
        return _load(session, select(Product.id).where(*live)
                     .order_by(Product.search_key, Product.id).limit(limit), day)
    barcode_ids = select(Barcode.product_id).where(Barcode.code == raw)
    exact_arms = (  # two indexed reads: an OR would scan on PostgreSQL
        select(Product.id).where(*live, Product.sku == normalise_sku(raw)),
        select(Product.id).where(*live, Product.id.in_(barcode_ids)))
    exact_ids = union_all(*exact_arms)
    if CODE_RE.match(raw) or not key:  # a scanned or typed code: its product is the answer
        by_code = _load(session, exact_ids, day)
        if by_code or not key:
            return by_code[:limit]
    words = and_(*[Product.search_key.like(f"%{w}%") for w in key.split()])
    names, wide = _names(session, live, words, key, limit)
    exact: list[Any] = []
    found: list[Any] = []
    for row in session.execute(select(*_columns(), Product.id.in_(exact_ids).label("exact"))
                               .where(Product.id.in_(union_all(*exact_arms,
                                                               select(names.c.id)))),
                               day):
        (exact if row.exact else found).append(row)
    if len(found) == wide and not _is_postgres(session):
        found += _best_tiers(session, live, words, key, found, limit, day)
    found.sort(key=lambda r: (_tier(r.search_key, key), r.search_key, r.id))
    exact.sort(key=lambda r: (r.search_key, r.id))
    seen: set[int] = set()
    return [_hit(r) for r in [*exact, *found]
            if not (r.id in seen or seen.add(r.id))][:limit]  # type: ignore[func-returns-value]


def _names(session: Session, live: list[Any], words: Any, key: str,
           limit: int) -> tuple[Any, int]:
    """The ids of the name matches to read, and how many were asked for."""
    order: tuple[Any, ...] = (Product.search_key, Product.id)
    wide = limit * 3  # SQLite walks the key index and stops as soon as it has enough
    if _is_postgres(session):
        # PostgreSQL guesses LIKE '%x%' badly and, for a rare word, would walk the whole
        # key index row by row: one scan that ranks and keeps the best is steadier there.
        rank = case((Product.search_key.like(f"{key}%"), 1),
                    (Product.search_key.like(f"% {key}%"), 2), else_=3)
        wide, order = limit, (rank, *order)
    return select(Product.id).where(*live, words).order_by(*order).limit(wide).subquery(), wide


def _load(session: Session, ids: Any, day: dict[str, Any]) -> list[ProductHit]:
    """The products with these ids, alphabetically."""
    rows = session.execute(select(*_columns()).where(Product.id.in_(ids))
                           .order_by(Product.search_key, Product.id), day)
    return [_hit(r) for r in rows]


def _best_tiers(session: Session, live: list[Any], words: Any, key: str, found: list[Any],
                limit: int, day: dict[str, Any]) -> list[Any]:
    """Names starting with the query (an index seek) and, when needed, names with a word
    starting with it (a scan).

    `found` holds the alphabetically first matches, so the word-start names among them are
    the first of their tier: when there are `limit` of them, none further down could show.
    """
    upper = key[:-1] + chr(ord(key[-1]) + 1)
    by_key = (Product.search_key, Product.id)
    arms = [select(select(Product.id).where(
        *live, Product.search_key >= key, Product.search_key < upper,
        Product.search_key.like(f"{key}%")).order_by(*by_key).limit(limit).subquery())]
    if sum(1 for r in found if _tier(r.search_key, key) <= 2) < limit:
        arms.append(select(select(Product.id).where(
            *live, words, Product.search_key.like(f"% {key}%"))
            .order_by(*by_key).limit(limit).subquery()))
    return list(session.execute(select(*_columns()).where(Product.id.in_(union_all(*arms))),
                                day))


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _tier(search_key: str, key: str) -> int:
    """1: the name starts with the query; 2: one of its words does; 3: it occurs inside."""
    if search_key.startswith(key):
        return 1
    return 2 if f" {key}" in f" {search_key}" else 3


def _hit(row: Any) -> ProductHit:
    return ProductHit(id=row.id, sku=row.sku, barcode=row.barcode, name=row.name,
                      unit=row.unit, price=row.price, commodity_group=row.commodity_group,
                      on_hand=row.on_hand if row.on_hand is not None else ZERO,
                      active=row.active, tracks_expiry=row.tracks_expiry,
                      reference_price=row.reference_price,
                      expired_on_hand=row.expired_on_hand or ZERO,
                      allow_negative=row.allow_negative)


def on_hand_of(session: Session, product_ids: Sequence[int]) -> dict[int, Decimal]:
    """What is on hand of each product (from the batches' balances, an indexed read)."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(StockBatch.product_id, func.sum(StockBatch.quantity_left))
        .where(StockBatch.product_id.in_(product_ids), StockBatch.quantity_left != 0)
        .group_by(StockBatch.product_id))
    return {pid: qty for pid, qty in rows}


def expired_of(session: Session, product_ids: Sequence[int]) -> dict[int, Decimal]:
    """Of what is on hand of each product, how much is past its expiry date today."""
    if not product_ids:
        return {}
    rows = session.execute(
        select(StockBatch.product_id, func.sum(StockBatch.quantity_left))
        .where(StockBatch.product_id.in_(product_ids), StockBatch.quantity_left > 0,
               StockBatch.expires_on < shop_today(session))
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
