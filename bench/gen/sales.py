"""Many past sales, fast: `generate_sales(conn_or_session, n, seed, ...)` for benchmarks.

Sales of 1 to 5 lines (3 on average) of catalogue products, paid in cash, with BPNT (plus cash
for what BPNT may not pay) or by QRIS, spread over the days before `end` (by default the
start of the current month, so today's entitlements are untouched). What is written is what
the till writes, consistently, with multi-row inserts and explicit ids:

- the stock ledger: each product sold gets one old batch that received exactly what the
  history sells of it; every line takes from it (a `sale` movement pointing at the line), so
  the batch ends empty and its cached balance equals its movements;
- the entitlement ledger: a KPM paying with BPNT in a month is credited that month unless it
  already was, each BPNT tender has its redemption (never more than what the month has
  left) and points at it;
- the day counters, so the next real sale of such a day continues the numbering.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update

from aid.models import EntitlementEntry, KksCard
from bench.gen.databases import bump_sequence, insert_rows
from bench.gen.receipts import Deliveries, Received
from ewarung.money import line_amount
from inventory.models import Product, StockBatch, StockMove
from pos.models import Sale, SaleCounter, SaleLine, Shift, Tender
from pos.numbering import format_number

CHUNK = 5_000
MONTHLY_CREDIT = 200_000
WIB = 7  # hours ahead of UTC (the generated shop's clock)


@dataclass(frozen=True)
class GeneratedSales:
    """What was generated: how many sales, lines and BPNT tenders, and the days covered."""

    sales: int
    lines: int
    bpnt_tenders: int
    first_day: date
    last_day: date


class _Ids:
    """The next free id of each table (explicit ids make multi-row inserts one statement)."""

    def __init__(self, conn: Any) -> None:
        self.next = {model: int(conn.execute(select(func.coalesce(func.max(model.id), 0)))
                                .scalar() or 0) + 1
                     for model in (Sale, SaleLine, Tender, StockMove, StockBatch,
                                   EntitlementEntry, Shift)}

    def take(self, model: Any) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


def generate_sales(conn_or_session: Any, n: int, seed: int, *, cashier_id: int,
                   product_ids: Sequence[int], beneficiary_ids: Sequence[int] = (),
                   days: int = 180, end: date | None = None, code: str = "EW",
                   bpnt_share: float = 0.35,
                   deliveries: Deliveries | None = None) -> GeneratedSales:
    """Insert `n` past sales (see the module docstring); the caller commits. With
    `deliveries`, the history batches came on goods receipts from its suppliers."""
    conn = conn_or_session
    rng = random.Random(seed)
    today = (datetime.now(UTC) + timedelta(hours=WIB)).date()  # the shop's date
    end = end or today.replace(day=1)
    first_day = end - timedelta(days=days)
    products = {r.id: r for r in conn.execute(
        select(Product.id, Product.name, Product.unit, Product.price, Product.commodity_group,
               Product.reference_price).where(Product.id.in_(list(product_ids))))}
    pids = sorted(products)
    cards = {r.beneficiary_id: (r.id, r.masked) for r in conn.execute(
        select(KksCard.beneficiary_id, KksCard.id, KksCard.masked)
        .where(KksCard.status == "active"))} if beneficiary_ids else {}
    kpm = [b for b in beneficiary_ids if b in cards]
    ids = _Ids(conn)
    # the history batches arrive the morning before the first generated sale
    received = datetime.combine(first_day - timedelta(days=1), time(7), tzinfo=UTC) \
        - timedelta(hours=WIB)
    state = _State(rng, ids, products, cards, cashier_id, code, received)
    state.counters = {r.business_day: r.last for r in conn.execute(select(SaleCounter))}
    state.known_days = set(state.counters)
    months = sorted({f"{d.year:04d}-{d.month:02d}" for d in
                     (first_day + timedelta(days=k) for k in range(days + 1))})
    state.left = {(r.beneficiary_id, r.period): int(r.total) for r in conn.execute(
        select(EntitlementEntry.beneficiary_id, EntitlementEntry.period,
               func.sum(EntitlementEntry.amount).label("total"))
        .where(EntitlementEntry.period.in_(months))
        .group_by(EntitlementEntry.beneficiary_id, EntitlementEntry.period))}
    per_day = max(1, n // days)
    for start in range(0, n, CHUNK):
        for i in range(start, min(start + CHUNK, n)):
            day = first_day + timedelta(days=min(i // per_day, days - 1))
            basket = sorted(rng.sample(pids, min(len(pids), rng.choice((1, 2, 3, 3, 4, 5)))))
            state.sale(i, day, basket, rng.choice(kpm) if kpm and rng.random() < bpnt_share
                       else None, seed)
        state.flush(conn)
    state.finish(conn, deliveries)
    return GeneratedSales(n, state.line_count, state.bpnt_count, first_day,
                          first_day + timedelta(days=min((n - 1) // per_day, days - 1)))


class _State:
    """Rows waiting to be inserted, and the running totals that keep the ledgers consistent."""

    def __init__(self, rng: random.Random, ids: _Ids, products: dict[int, Any],
                 cards: dict[int, tuple[int, str]], cashier_id: int, code: str,
                 received: datetime) -> None:
        self.rng, self.ids, self.products, self.cards = rng, ids, products, cards
        self.cashier_id, self.code, self.received = cashier_id, code, received
        self.rows: dict[Any, list[dict[str, Any]]] = {m: [] for m in (
            StockBatch, Shift, Sale, SaleLine, Tender, StockMove, EntitlementEntry)}
        self.shift_of: dict[date, int] = {}     # business day → the cashier's shift
        self.cash_of: dict[int, int] = {}       # shift id → the cash its sales took
        self.counters: dict[date, int] = {}
        self.known_days: set[date] = set()
        self.sold: dict[int, int] = {}          # product id → whole units sold
        self.batch_of: dict[int, int] = {}      # product id → its history batch id
        self.left: dict[tuple[int, str], int] = {}  # (KPM, month) → what is left
        self.line_count = self.bpnt_count = 0

    def _batch(self, pid: int, cost: int) -> int:
        """The product's history batch, made empty: the history takes all it received."""
        if pid not in self.batch_of:
            bid = self.batch_of[pid] = self.ids.take(StockBatch)
            self.rows[StockBatch].append({
                "id": bid, "product_id": pid, "receipt_id": None, "supplier_id": None,
                "expires_on": None, "label": "riwayat", "unit_cost": cost,
                "quantity_left": Decimal(0), "value_left": 0, "overdraft": False,
                "received_at": self.received})
        return self.batch_of[pid]

    def _shift(self, day: date) -> int:
        """The cashier's shift of the day (07.00 to 18.00 shop time, a Rp0 float): every sale
        belongs to one; its counted cash is filled in by `finish`."""
        if day not in self.shift_of:
            sid = self.shift_of[day] = self.ids.take(Shift)
            self.cash_of[sid] = 0
            local = datetime.combine(day, time(7), tzinfo=UTC) - timedelta(hours=WIB)
            self.rows[Shift].append({
                "id": sid, "cashier_id": self.cashier_id, "opened_at": local,
                "opening_float": 0, "closed_at": local + timedelta(hours=11),
                "closed_by": self.cashier_id, "counted_cash": None, "expected_cash": None,
                "note": ""})
        return self.shift_of[day]

    def sale(self, i: int, day: date, basket: list[int], kpm: int | None, seed: int) -> None:
        sale_id = self.ids.take(Sale)
        shift_id = self._shift(day)
        at = datetime.combine(day, time(8 + i % 10, i % 60), tzinfo=UTC) - timedelta(hours=WIB)
        self.counters[day] = self.counters.get(day, 0) + 1
        total = eligible = 0
        for pid in basket:
            p = self.products[pid]
            qty = self.rng.choice((1, 1, 1, 2, 3))
            amount = line_amount(p.price, qty)
            cost = qty * _unit_cost(p.price)
            line_id = self.ids.take(SaleLine)
            self.rows[SaleLine].append({
                "id": line_id, "sale_id": sale_id, "product_id": pid, "name": p.name,
                "unit": p.unit, "commodity_group": p.commodity_group, "quantity": Decimal(qty),
                "unit_price": p.price, "catalogue_price": p.price, "price_approver_id": None,
                "reference_price": p.reference_price, "amount": amount, "cost": cost,
                "returned_quantity": Decimal(0)})
            self.rows[StockMove].append({
                "id": self.ids.take(StockMove), "product_id": pid,
                "batch_id": self._batch(pid, _unit_cost(p.price)),
                "kind": "sale", "quantity": Decimal(-qty), "value": -cost,
                "unit_cost": _unit_cost(p.price), "ref_type": "sale_line", "ref_id": line_id,
                "user_id": self.cashier_id, "at": at})
            self.sold[pid] = self.sold.get(pid, 0) + qty
            total += amount
            eligible += amount if p.commodity_group != "none" else 0
            self.line_count += 1
        bpnt = self._bpnt(kpm, sale_id, day, at, eligible) if kpm is not None else 0
        self.cash_of[shift_id] += self._tenders(sale_id, total, bpnt, kpm)
        self.rows[Sale].append({
            "id": sale_id, "number": format_number(self.code, day, self.counters[day]),
            "business_day": day, "client_ref": f"gen-{seed}-{i}",
            "request_hash": f"{i:064x}", "cashier_id": self.cashier_id, "shift_id": shift_id,
            "created_at": at, "total": total, "status": "completed",
            "beneficiary_id": kpm if bpnt else None, "above_reference": False})

    def _bpnt(self, kpm: int, sale_id: int, day: date, at: datetime, eligible: int) -> int:
        month = f"{day.year:04d}-{day.month:02d}"
        key = (kpm, month)
        if key not in self.left:  # first visit of the month: the month's credit
            self.left[key] = MONTHLY_CREDIT
            self.rows[EntitlementEntry].append({
                "id": self.ids.take(EntitlementEntry), "beneficiary_id": kpm, "kind": "credit",
                "period": month, "amount": MONTHLY_CREDIT, "created_at": at, "sale_id": None,
                "card_id": None, "masked_card": None, "edc_ref": None})
        amount = min(eligible, self.left[key])
        if amount <= 0:
            return 0
        self.left[key] -= amount
        card_id, masked = self.cards[kpm]
        entry_id = self.ids.take(EntitlementEntry)
        self.rows[EntitlementEntry].append({
            "id": entry_id, "beneficiary_id": kpm, "kind": "redemption", "period": month,
            "amount": -amount, "created_at": at, "sale_id": sale_id, "card_id": card_id,
            "masked_card": masked, "edc_ref": f"{sale_id % 1_000_000:06d}"})
        self.rows[Tender].append({
            "id": self.ids.take(Tender), "sale_id": sale_id, "kind": "bpnt", "amount": amount,
            "given": None, "reference": None, "beneficiary_id": kpm, "masked_card": masked,
            "edc_ref": f"{sale_id % 1_000_000:06d}", "entitlement_entry_id": entry_id,
            "remaining_after": self.left[key]})
        self.bpnt_count += 1
        return amount

    def _tenders(self, sale_id: int, total: int, bpnt: int, kpm: int | None) -> int:
        """The tender paying what BPNT did not; the cash it took."""
        rest = total - bpnt
        if rest <= 0:
            return 0
        if kpm is None and self.rng.random() < 0.07:
            kind, given, reference = "qris", None, f"QR{sale_id:010d}"
        else:
            kind, given, reference = "cash", -(-rest // 5000) * 5000, None
        self.rows[Tender].append({
            "id": self.ids.take(Tender), "sale_id": sale_id, "kind": kind, "amount": rest,
            "given": given, "reference": reference, "beneficiary_id": None,
            "masked_card": None, "edc_ref": None, "entitlement_entry_id": None,
            "remaining_after": None})
        return rest if kind == "cash" else 0

    def flush(self, conn: Any) -> None:
        """Insert what is waiting, parents before children."""
        for model in (StockBatch, Shift, Sale, SaleLine, EntitlementEntry, Tender, StockMove):
            if self.rows[model]:
                insert_rows(conn, model, self.rows[model])
                self.rows[model] = []

    def finish(self, conn: Any, deliveries: Deliveries | None) -> None:
        """The history batches' receipt movements (and goods receipts), the day counters, the
        id sequences."""
        receipts = []
        for pid, qty in sorted(self.sold.items()):
            cost = _unit_cost(self.products[pid].price)
            bid = self.batch_of[pid]
            receipts.append({"id": self.ids.take(StockMove), "product_id": pid, "batch_id": bid,
                             "kind": "receipt", "quantity": Decimal(qty), "value": qty * cost,
                             "unit_cost": cost, "ref_type": "bench", "ref_id": bid,
                             "user_id": None, "at": self.received})
        if deliveries is not None:
            delivery = deliveries.plan(conn, [
                Received(m["batch_id"], m["product_id"], m["at"], m["quantity"],
                         m["unit_cost"], m["value"], label="riwayat") for m in receipts])
            delivery.write_receipts(conn)
            links = [{"b_id": bid, "b_receipt": rid, "b_supplier": sid}
                     for bid, (rid, sid) in delivery.of_batch.items()]
            for start in range(0, len(links), CHUNK):
                conn.execute(_LINK_BATCH, links[start:start + CHUNK])
            delivery.write_lines(conn)
            for m in receipts:
                m["ref_type"], m["ref_id"] = "goods_receipt", delivery.of_batch[m["batch_id"]][0]
        for start in range(0, len(receipts), CHUNK):
            insert_rows(conn, StockMove, receipts[start:start + CHUNK])
        if self.cash_of:  # each day's drawer counted as its sales left it
            conn.execute(_CLOSE_SHIFT, [{"s_id": sid, "s_cash": cash}
                                        for sid, cash in self.cash_of.items()])
        new = [{"business_day": d, "last": n} for d, n in self.counters.items()
               if d not in self.known_days]
        if new:
            insert_rows(conn, SaleCounter, new)
        for d in self.known_days:
            conn.execute(update(SaleCounter).where(SaleCounter.business_day == d)
                         .values(last=self.counters[d]))
        _bump_sequences(conn)


_batches = cast(Table, StockBatch.__table__)
_shifts = cast(Table, Shift.__table__)
_CLOSE_SHIFT = update(_shifts).where(_shifts.c.id == bindparam("s_id")).values(
    counted_cash=bindparam("s_cash"), expected_cash=bindparam("s_cash"))
#: a history batch's goods receipt and supplier, once its receipt is written
_LINK_BATCH = update(_batches).where(_batches.c.id == bindparam("b_id")).values(
    receipt_id=bindparam("b_receipt"), supplier_id=bindparam("b_supplier"))


def _unit_cost(price: int) -> int:
    """What the shop paid: about 85 % of the selling price."""
    return price * 85 // 100


def _bump_sequences(conn: Any) -> None:
    """Explicit ids leave PostgreSQL's sequences behind: move them past the rows."""
    for table in ("sales", "sale_lines", "tenders", "stock_moves", "stock_batches",
                  "entitlement_entries", "shifts"):
        bump_sequence(conn, table)
