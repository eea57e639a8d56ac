"""The demo shop's sales: last month and this one so far, through the real sale service.

Runs after the stock demo (which stops consuming stock where these sales begin) and the KPM
demo. Each day the public buys for cash (a few by QRIS), and most KPM come once a month to
redeem their BPNT, often adding cooking oil or sugar paid in cash. Every day siti works the
morning shift and budi the afternoon one, each opened with a float and closed with the
counted cash, and every sale belongs to the shift of the cashier who rang it up. A few sales
of last month were voided and one partly returned during their shift, by its cashier with
the ketua's approval.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from aid.demo import MONTHLY_AMOUNT, PER_VILLAGE, demo_rows
from aid.entitlement import month_of
from aid.ledger import credit_period
from aid.models import Beneficiary
from aid.web import card_key
from ewarung import audit
from ewarung.auth.models import User
from ewarung.clock import happening_at, shop_today
from ewarung.errors import AppError
from ewarung.i18n import format_rupiah
from ewarung.shop import shop_timezone
from inventory import stock
from inventory.catalogue import is_fractional
from inventory.demo import PRODUCTS, sales_demo_start, stock_value_line, write_off_expired
from inventory.models import Product
from pos import shifts, voids
from pos.receipts import ReceiptContext
from pos.sale_input import Till
from pos.sale_records import SaleRecord
from pos.sales import sell
from pos.schemas import SaleIn

SEED = 4711
#: what the public buys in cash each day, as a share of a product's daily demand (the stock
#: demo delivers for that demand; the KPM's BPNT baskets take some of it too)
CASH_SHARE = (0.8, 0.95)
#: how much of a product one customer takes: kilos, or pieces times its pack
KILOS = ("0.5", "1", "1", "1.5", "2")
PIECES = (1, 1, 2, 3)
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
    """Sell from the first day of last month to yesterday; returns lines to print."""
    rng = random.Random(SEED)
    shop = _Shop(session)
    today = shop_today(session)
    first = sales_demo_start(today)
    days = (today - first).days
    tz = shop_timezone(session)
    for month in sorted({month_of(first + timedelta(days=d)) for d in range(days)}):
        credit_period(session, month, MONTHLY_AMOUNT)  # skips KPM already credited
    visits = _kpm_visits(rng, shop, first, today)
    last_month = [first + timedelta(days=d) for d in range(days)
                  if first + timedelta(days=d) < today.replace(day=1)]
    mishaps = _mishaps(rng, last_month)
    made: list[SaleRecord] = []
    voided = closed = 0
    for offset in range(days):
        day = first + timedelta(days=offset)
        baskets = _baskets(rng, shop, visits.get(day, []))
        timed = [(_at(day, int(n * 540 / max(len(baskets), 1)) + rng.randint(0, 15), tz), *b)
                 for n, b in enumerate(baskets)]
        for half, (cashier, opens, closes) in enumerate(_shifts_of(shop)):
            shift = shifts.open_shift(session, cashier.id, OPENING_FLOAT)
            shift.opened_at = _at(day, opens, tz).astimezone(UTC)
            sold = _sell_shift(session, cashier, timed, half)
            made += sold
            voided += _mishap(session, rng, shop, sold, mishaps.get((day, half), ""),
                              _at(day, closes, tz) - timedelta(minutes=1))
            short = 2_000 if day == today - timedelta(days=1) and half == 1 else 0
            _close_shift(session, shift, cashier, _at(day, closes, tz), short)
            closed += 1
        with happening_at(_at(day, 690, tz)):  # 19:00: what expired today goes out
            write_off_expired(session, day)
    bpnt = [r for r in made if r.bpnt is not None]
    return ["", f"Sales: {len(made)} over {days} days since {first:%d-%m-%Y}, "
                f"{format_rupiah(sum(r.total for r in made))} in all; {len(bpnt)} paid with "
                f"BPNT ({format_rupiah(sum(r.bpnt.amount for r in bpnt if r.bpnt))}); "
                f"{voided} voided; {closed} shifts (siti mornings, budi afternoons), each "
                f"closed with its counted cash; {stock_value_line(session)}."]


#: the two shifts of a demo day: (cashier index, opens, closes) in minutes after 07:30
SHIFT_TIMES = ((0, 0, 270), (1, 270, 600))


def _shifts_of(shop: _Shop) -> list[tuple[User, int, int]]:
    return [(shop.cashiers[i], opens, closes) for i, opens, closes in SHIFT_TIMES]


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


def _baskets(rng: random.Random, shop: _Shop, kpm: list[tuple[int, str]]
             ) -> list[tuple[list[tuple[int, str]], list[dict[str, Any]]]]:
    """The day's customers, in the order they come: KPM with their card, and the public."""
    baskets: list[tuple[list[tuple[int, str]], list[dict[str, Any]]]] = []
    for _bid, card in kpm:
        basket = _bpnt_basket(rng, shop)
        if basket:
            tenders: list[dict[str, Any]] = [
                {"kind": "bpnt", "card": card, "edc_ref": f"{rng.randrange(10**6):06d}"}]
            if any(shop.group[pid] == "none" for pid, _ in basket):
                tenders.append({"kind": "cash", "amount": 50_000})
            baskets.append((basket, tenders))
    for basket in _cash_baskets(rng, shop):
        if basket:
            kind = "qris" if rng.random() < 0.08 else "cash"
            baskets.append((basket, [{"kind": kind, "reference": f"QR{rng.randrange(10**8)}"}
                                     if kind == "qris" else {"kind": "cash"}]))
    rng.shuffle(baskets)
    return baskets


def _sell_shift(session: Session, cashier: User,
                timed: list[tuple[datetime, list[tuple[int, str]], list[dict[str, Any]]]],
                half: int) -> list[SaleRecord]:
    """The customers who come during one shift (mornings before 12.00, afternoons after),
    served by its cashier."""
    made = []
    for at, basket, tenders in timed:
        if (at.hour >= 12) != (half == 1):
            continue
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


def _cash_baskets(rng: random.Random, shop: _Shop) -> list[list[tuple[int, str]]]:
    """The day's cash customers: together they buy about each product's daily demand (what
    the stock demo delivers for), so fresh goods sell before they expire, as in a real shop."""
    portions: list[tuple[str, Decimal]] = []
    for sku, demand in shop.demand.items():
        want = demand * rng.uniform(*CASH_SHARE)
        if is_fractional(shop.products[sku].unit):
            left = Decimal(str(round(want, 1)))
            sizes = [Decimal(k) for k in KILOS]
        else:  # whole pieces: a product wanted 0.7 a day sells on 7 days in 10
            left = Decimal(int(want) + (rng.random() < want - int(want)))
            sizes = [Decimal(n * max(1, round(demand / 6))) for n in PIECES]
        while left > 0:
            portion = min(rng.choice(sizes), left)
            portions.append((sku, portion))
            left -= portion
    rng.shuffle(portions)
    baskets: list[list[tuple[int, str]]] = []
    while portions:
        size = rng.randint(1, 4)
        picked: dict[str, Decimal] = {}
        for sku, qty in portions[:size]:
            picked[sku] = picked.get(sku, Decimal(0)) + qty
        del portions[:size]
        baskets.append([line for sku, qty in picked.items()
                        if (line := shop.take(sku, str(qty)))])
    return baskets


def _sell(session: Session, cashier: User, basket: list[tuple[int, str]],
          tenders: list[dict[str, Any]], at: datetime) -> SaleRecord | None:
    """One sale through the service, in a savepoint: a refusal undoes only this sale."""
    from flask import current_app

    key = card_key()
    req = SaleIn.model_validate({
        "client_ref": str(uuid.uuid4()), "tenders": tenders,
        "lines": [{"product_id": pid, "quantity": q} for pid, q in sorted(basket)]}).request(key)
    receipts = ReceiptContext("http://localhost/", str(current_app.config["SECRET_KEY"]),
                              printing=False)  # the history is recorded, not printed
    till = Till(cashier.id, cashier.full_name, key, receipts)
    try:
        with session.begin_nested(), happening_at(at.astimezone(UTC)), \
                audit.acting_as(cashier.id):
            return sell(session, req, till).record
    except AppError:
        return None  # e.g. a card whose month is spent: the demo moves on


def _close_shift(session: Session, shift: Any, cashier: User, at: datetime,
                 short: int) -> None:
    """Close a shift with the cash counted (yesterday afternoon Rp2.000 short: small change
    given wrongly)."""
    expected = shifts.shift_report(session, shift).expected_cash
    note = f"kurang {format_rupiah(short)}, salah kembalian" if short else ""
    shifts.close_shift(session, shift.id, expected - short, cashier.id, note)
    shift.closed_at = at.astimezone(UTC)
    session.flush()


def _mishaps(rng: random.Random, days: list[date]) -> dict[tuple[date, int], str]:
    """Which shifts of last month void a cash sale (three), void a BPNT sale (one) and take
    part of a sale back (one), each with the ketua's approval."""
    if not days:
        return {}
    kinds = ("void_cash", "void_cash", "void_cash", "void_bpnt", "return")
    slots = rng.sample([(d, h) for d in days for h in (0, 1)], len(kinds))
    return dict(zip(slots, kinds, strict=True))


def _mishap(session: Session, rng: random.Random, shop: _Shop, sold: list[SaleRecord],
            kind: str, last: datetime) -> int:
    """A void or return during the shift that made the sale, by the cashier who made it (the
    cash given back leaves that drawer); the number of sales voided."""
    if kind == "void_cash":
        pick = [r for r in sold if r.bpnt is None]
    elif kind == "void_bpnt":
        pick = [r for r in sold if r.bpnt is not None]
    elif kind == "return":
        pick = [r for r in sold if r.bpnt is None and len(r.lines) > 1]
    else:
        return 0
    if not pick:
        return 0
    rec = rng.choice(pick)
    if kind == "return":
        with happening_at(min(rec.created_at + timedelta(hours=2), last)), \
                audit.acting_as(rec.cashier_id):
            voids.return_lines(session, rec.id, [(rec.lines[0].id, rec.lines[0].quantity)],
                               "kemasan rusak", approver_id=shop.ketua.id)
        return 0
    with happening_at(min(rec.created_at + timedelta(minutes=12), last)), \
            audit.acting_as(rec.cashier_id):
        voids.void_sale(session, rec.id, "salah input barang", approver_id=shop.ketua.id)
    return 1
