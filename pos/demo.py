"""The demo shop's sales: the last weeks at the till, through the real sale service.

Runs after the stock demo (which stops consuming stock where these sales begin) and the KPM
demo. Each day the public buys for cash (a few by QRIS), and most KPM come once a month to
redeem their BPNT, often adding cooking oil or sugar paid in cash. Yesterday's sales belong
to one shift, opened with a float and closed with the counted cash; a few sales were voided
and one partly returned, each with the ketua's approval.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.auth.models import User
from ewarung.errors import AppError
from ewarung.i18n import format_rupiah
from ewarung.shop import shop_timezone
from inventory import stock
from inventory.calendar import happening_at, shop_today
from inventory.catalogue import is_fractional
from inventory.demo import PRODUCTS, SALES_DEMO_DAYS
from inventory.models import Product
from pos import shifts, voids
from pos.entitlement import month_of
from pos.kpm_demo import MONTHLY_AMOUNT, PER_VILLAGE, demo_rows
from pos.ledger import credit_period
from pos.models import Beneficiary
from pos.sale_input import Till, prepare_sale
from pos.sale_models import Sale
from pos.sale_records import SaleRecord
from pos.sale_schemas import SaleIn
from pos.sales import record_sale as record
from pos.webutil import card_key

SEED = 4711
CASH_CUSTOMERS = (14, 26)
OPENING_FLOAT = 200_000
#: what a KPM usually takes with BPNT (SKU, quantity), and what they add for cash
BPNT_BASKETS = (
    (("BRS-MED-5", "1"), ("TLR-KG", "1"), ("TMP", "4"), ("BYM", "2")),
    (("BRS-PRM-5", "1"), ("TLR-KG", "1.5"), ("THU", "2"), ("WRT", "1")),
    (("BRS-MED-10", "1"), ("TLR-KG", "1"), ("KCG-HJU", "0.5")),
    (("BRS-MED-5", "2"), ("IKN-TGK", "1"), ("KKG", "2"), ("PSG", "1")),
)
CASH_EXTRAS = ("MNY-1L", "GLA-1", "MIE-GRG", "SBN-MD", "TEH")


class _Shop:
    """What the demo sells from: products by SKU, the stock left, the people."""

    def __init__(self, session: Session) -> None:
        skus = [spec[0] for spec in PRODUCTS]
        self.products = {r.sku: r for r in session.execute(
            select(Product.id, Product.sku, Product.unit, Product.price,
                   Product.commodity_group).where(Product.sku.in_(skus)))}
        self.left = {sku: stock.on_hand(session, p.id) for sku, p in self.products.items()}
        self.group = {p.id: p.commodity_group for p in self.products.values()}
        self.demand = {spec[0]: spec[7] for spec in PRODUCTS if spec[0] in self.products}
        users = {u.username: u for u in session.scalars(select(User))}
        self.cashiers = [users["siti"], users["budi"]]
        self.ketua = users["ketua"]
        niks = {b.nik: b.id for b in session.execute(select(Beneficiary.nik, Beneficiary.id))}
        rows = demo_rows()
        # The two cards the KPM demo prints to try at the till keep their whole month.
        printed = {rows[0].nik, rows[PER_VILLAGE].nik}
        self.kpm = [(niks[row.nik], row.card_number) for row in rows if row.nik not in printed]

    def take(self, sku: str, quantity: str) -> tuple[int, str] | None:
        """Keep a product's quantity for a basket, if the shelf still has it."""
        p = self.products.get(sku)
        if p is None or self.left[sku] < Decimal(quantity):
            return None
        self.left[sku] -= Decimal(quantity)
        return p.id, quantity


def load_demo(session: Session) -> list[str]:
    """Sell for the last weeks; returns lines to print."""
    rng = random.Random(SEED)
    shop = _Shop(session)
    today = shop_today(session)
    first = today - timedelta(days=SALES_DEMO_DAYS)
    tz = shop_timezone(session)
    for month in sorted({month_of(first + timedelta(days=d)) for d in range(SALES_DEMO_DAYS)}):
        credit_period(session, month, MONTHLY_AMOUNT)  # skips KPM already credited
    visits = _kpm_visits(rng, shop, first, today)
    made: list[SaleRecord] = []
    for offset in range(SALES_DEMO_DAYS):
        day = first + timedelta(days=offset)
        shift = _open_shift(session, shop, day, tz) if day == today - timedelta(days=1) else None
        made += _sell_day(session, rng, shop, day, visits.get(day, []), tz)
        if shift is not None:
            _close_shift(session, shift, shop, day, tz)
    voided = _voids_and_a_return(session, rng, shop, made)
    bpnt = [r for r in made if r.bpnt is not None]
    return ["", f"Sales: {len(made)} over {SALES_DEMO_DAYS} days, "
                f"{format_rupiah(sum(r.total for r in made))} in all; {len(bpnt)} paid with "
                f"BPNT ({format_rupiah(sum(r.bpnt.amount for r in bpnt if r.bpnt))}); "
                f"{voided} voided; yesterday's shift closed."]


def _kpm_visits(rng: random.Random, shop: _Shop, first: date,
                today: date) -> dict[date, list[tuple[int, str]]]:
    """Most KPM come once a month, on a day of the window."""
    days = [first + timedelta(days=d) for d in range((today - first).days)]
    by_month: dict[str, list[date]] = {}
    for day in days:
        by_month.setdefault(month_of(day), []).append(day)
    visits: dict[date, list[tuple[int, str]]] = {}
    for kpm in shop.kpm:
        for month_days in by_month.values():
            if len(month_days) >= 7 and rng.random() < 0.8:
                visits.setdefault(rng.choice(month_days), []).append(kpm)
    return visits


def _at(day: date, minutes: int, tz: Any) -> datetime:
    return datetime.combine(day, time(7, 30), tzinfo=tz) + timedelta(minutes=minutes)


def _sell_day(session: Session, rng: random.Random, shop: _Shop, day: date,
              kpm: list[tuple[int, str]], tz: Any) -> list[SaleRecord]:
    baskets: list[tuple[list[tuple[int, str]], list[dict[str, Any]]]] = []
    for _bid, card in kpm:
        basket = _bpnt_basket(rng, shop)
        if basket:
            tenders: list[dict[str, Any]] = [
                {"kind": "bpnt", "card": card, "edc_ref": f"{rng.randrange(10**6):06d}"}]
            if any(shop.group[pid] == "none" for pid, _ in basket):
                tenders.append({"kind": "cash", "amount": 50_000})
            baskets.append((basket, tenders))
    for _ in range(rng.randint(*CASH_CUSTOMERS)):
        basket = _cash_basket(rng, shop)
        if basket:
            kind = "qris" if rng.random() < 0.08 else "cash"
            baskets.append((basket, [{"kind": kind, "reference": f"QR{rng.randrange(10**8)}"}
                                     if kind == "qris" else {"kind": "cash"}]))
    rng.shuffle(baskets)
    made = []
    for n, (basket, tenders) in enumerate(baskets):
        at = _at(day, int(n * 540 / max(len(baskets), 1)) + rng.randint(0, 15), tz)
        cashier = shop.cashiers[0] if at.hour < 12 else shop.cashiers[1]
        sale = _sell(session, cashier, basket, tenders, at)
        if sale is not None:
            made.append(sale)
    return made


def _bpnt_basket(rng: random.Random, shop: _Shop) -> list[tuple[int, str]]:
    lines = [line for sku, qty in rng.choice(BPNT_BASKETS) if (line := shop.take(sku, qty))]
    if lines and rng.random() < 0.4:
        extra = shop.take(rng.choice(CASH_EXTRAS), "1")
        lines += [extra] if extra else []
    return lines


def _cash_basket(rng: random.Random, shop: _Shop) -> list[tuple[int, str]]:
    skus = list(shop.demand)
    picks = rng.choices(skus, weights=[shop.demand[s] for s in skus], k=rng.randint(1, 4))
    lines = []
    for sku in dict.fromkeys(picks):
        fractional = is_fractional(shop.products[sku].unit)
        qty = rng.choice(("0.5", "1", "1.5")) if fractional else str(rng.choice((1, 1, 2, 3)))
        line = shop.take(sku, qty)
        if line:
            lines.append(line)
    return lines


def _sell(session: Session, cashier: User, basket: list[tuple[int, str]],
          tenders: list[dict[str, Any]], at: datetime) -> SaleRecord | None:
    """One sale through the service, in a savepoint: a refusal undoes only this sale."""
    from flask import current_app

    key = card_key()
    req = SaleIn.model_validate({
        "client_ref": str(uuid.uuid4()), "tenders": tenders,
        "lines": [{"product_id": pid, "quantity": q} for pid, q in sorted(basket)]}).request(key)
    till = Till(cashier.id, cashier.full_name, key, str(current_app.config["SECRET_KEY"]),
                at=at.astimezone(UTC), print_receipt=False)
    token = audit.current_actor.set(cashier.id)
    try:
        with session.begin_nested():
            return record(session, prepare_sale(session, req, till), till)
    except AppError:
        return None  # e.g. a card whose month is spent: the demo moves on
    finally:
        audit.current_actor.reset(token)


def _open_shift(session: Session, shop: _Shop, day: date, tz: Any) -> Any:
    shift = shifts.open_shift(session, shop.cashiers[0].id, OPENING_FLOAT)
    shift.opened_at = _at(day, 0, tz).astimezone(UTC)
    return shift


def _close_shift(session: Session, shift: Any, shop: _Shop, day: date, tz: Any) -> None:
    """Close yesterday's shift in the evening, Rp2.000 short (small change given wrongly)."""
    for sale_shift in session.scalars(select(Sale).where(Sale.business_day == day,
                                                         Sale.shift_id.is_(None))):
        sale_shift.shift_id = shift.id  # budi's afternoon sales were rung up on siti's drawer
    session.flush()
    expected = shifts.shift_report(session, shift).expected_cash
    shifts.close_shift(session, shift.id, expected - 2_000, shop.cashiers[0].id,
                       "kurang Rp2.000, salah kembalian")
    shift.closed_at = _at(day, 600, tz).astimezone(UTC)
    session.flush()


def _voids_and_a_return(session: Session, rng: random.Random, shop: _Shop,
                        made: list[SaleRecord]) -> int:
    """Void a few sales (one with BPNT) and take back part of another, approved by the ketua."""
    cash = [r for r in made if r.bpnt is None and r.shift_id is None]
    with_bpnt = [r for r in made if r.bpnt is not None]
    chosen = rng.sample(cash, min(3, len(cash))) + with_bpnt[:1]
    for rec in chosen:
        later = rec.created_at + timedelta(minutes=12)
        with happening_at(later):
            voids.void_sale(session, rec.id, "salah input barang",
                            actor_id=rec.cashier_id, approver_id=shop.ketua.id)
    rest = [r for r in cash if r not in chosen and len(r.lines) > 1]
    if rest:
        rec = rest[0]
        with happening_at(rec.created_at + timedelta(hours=2)):
            voids.return_lines(session, rec.id, [(rec.lines[0].id, rec.lines[0].quantity)],
                               "kemasan rusak", actor_id=rec.cashier_id,
                               approver_id=shop.ketua.id)
    return len(chosen)
