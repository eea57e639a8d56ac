"""The stock service other domains call inside their own transaction.

The selling domain calls, for each sale line, in its unit of work::

    issue(session, product_id, quantity, *, ref_type, ref_id, kind="sale") -> list[Allocation]

which takes `quantity` first-expiry-first-out across the product's batches (batches
without an expiry date last, then in receipt order), writes one stock movement per batch
touched (signed quantity, cost value, unit cost, the reference, who and when) and returns
what it took: `Allocation(batch_id, quantity, value)`; the values add up to the line's cost
of goods sold. When less is on hand it raises `InsufficientStock` (code
`insufficient_stock`, HTTP 409) and writes nothing, unless the product allows negative
stock: then the rest comes from the product's overdraft batch at the latest unit cost.
Keep the allocations (with the sale line) to undo them::

    restore(session, allocations, *, ref_type, ref_id, kind="return") -> None

puts quantities and their exact value back into the batches they came from (a return, a
void); `ledger.portion(allocations, quantity)` gives the part for a partial return.
`issue_many(session, [(product_id, quantity), ...], ref_type=..., ref_id=...)` does a whole
sale's lines in three statements instead of three per line; `plan_many` + `IssuePlan.write`
split it in two, so each line's movements can point at a record made in between.

Neither commits. On PostgreSQL `issue` locks the product's batches with stock
(`FOR NO KEY UPDATE`, in id order; the overdraft batch, when needed, last), so two sales of
the last unit queue and the second sees it gone; a sale of several products should call
`issue` in product id order so two sales never wait on each other. On SQLite the writer
lock of the request already serialises writers.

Hot path: one indexed read of the product's batches that still hold stock (a range on
`(product_id, quantity_left)`), one UPDATE per touched batch and one multi-row INSERT of
movements, as Core statements. Batches carry
their remaining quantity and value (a cache of their movements; tests check it against the
ledger); on-hand is their sum.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from ewarung.audit import actor
from ewarung.clock import now
from ewarung.db import Quantity
from ewarung.errors import N_, NotFound
from inventory import ledger
from inventory.ledger import (
    Allocation,
    Batch,
    ExpiredStock,
    InsufficientStock,
    Movement,
    parse_quantity,
)
from inventory.models import Product, StockBatch, StockMove

__all__ = ["Allocation", "ExpiredStock", "InsufficientStock", "IssuePlan", "issue", "issue_many",
           "on_hand", "plan_many", "restore"]

OUT_KINDS = frozenset({"sale", "adjustment", "stocktake", "write_off"})
IN_KINDS = frozenset({"return", "adjustment", "stocktake"})

_batches = cast(Table, StockBatch.__table__)
_moves = cast(Table, StockMove.__table__)
_BATCH_COLUMNS = (_batches.c.id, _batches.c.quantity_left, _batches.c.value_left,
                  _batches.c.unit_cost, _batches.c.expires_on, _batches.c.overdraft)
# The hot path's read, built once (a statement object memoises its cache key): the batches
# with stock of a sale's products, in id order (locked in that order on PostgreSQL).
_HELD = (select(_batches.c.product_id, *_BATCH_COLUMNS)
         .where(_batches.c.product_id.in_(bindparam("product_ids", expanding=True)),
                _batches.c.quantity_left > 0)
         .order_by(_batches.c.id))
_HELD_LOCKED = _HELD.with_for_update(key_share=True)
_INSERT_MOVES = insert(_moves)
_save_batch = (update(_batches).where(_batches.c.id == bindparam("b_id"))
               .values(quantity_left=bindparam("b_qty", type_=Quantity()),
                       value_left=bindparam("b_value")))


def issue(session: Session, product_id: int, quantity: Decimal | int | str, *,
          ref_type: str, ref_id: int, kind: str = "sale") -> list[Allocation]:
    """Take `quantity` of a product FEFO; the allocations taken (see the module docstring)."""
    if kind not in OUT_KINDS:
        raise ValueError(f"not an outgoing kind: {kind}")
    wanted = parse_quantity(quantity, "quantity")
    return take_out(session, product_id, wanted, kind=kind, ref_type=ref_type, ref_id=ref_id)


def issue_many(session: Session, lines: Sequence[tuple[int, Decimal | int | str]], *,
               ref_type: str, ref_id: int, kind: str = "sale") -> list[list[Allocation]]:
    """`issue` for all lines of a sale at once: one locking read, one update, one insert.

    `lines` are (product_id, quantity); the answer has each line's allocations, in order.
    One refused line refuses the sale before anything is written. Locks are taken in
    batch id order across products, so concurrent sales never wait on each other in a
    circle.
    """
    plan = plan_many(session, lines, kind=kind)
    plan.write(session, ref_type=ref_type, ref_ids=[ref_id] * len(lines))
    return plan.allocations


@dataclass
class IssuePlan:
    """What `plan_many` decided to take, line by line; nothing is written until `write`."""

    kind: str
    #: the touched batches, with their balances after the plan
    batches: dict[int, Batch]
    #: per line: (product id, allocations, the movements they make)
    lines: list[tuple[int, list[Allocation], list[Movement]]]

    @property
    def allocations(self) -> list[list[Allocation]]:
        """Each line's allocations, in the order of the lines."""
        return [allocations for _, allocations, _ in self.lines]

    def write(self, session: Session, *, ref_type: str, ref_ids: Sequence[int]) -> None:
        """Post the movements, each line's referring to its own record (e.g. a sale line)."""
        if len(ref_ids) != len(self.lines):
            raise ValueError("one reference per line")
        _write(session, self.batches, [(pid, move, ref) for (pid, _, moves), ref
                                       in zip(self.lines, ref_ids, strict=True)
                                       for move in moves], self.kind, ref_type)


def plan_many(session: Session, lines: Sequence[tuple[int, Decimal | int | str]], *,
              kind: str = "sale", fresh_on: date | None = None) -> IssuePlan:
    """Lock and read the batches of all lines and plan FEFO takes (first half of `issue_many`).

    With `fresh_on` (the sale's business day) batches past their expiry date on that day
    are left alone: a line they would have to serve is refused, with every such line named
    in one `ExpiredStock` (`details.lines`). Without it (a manager approved selling expired
    goods) they go first, as FEFO has it.
    Raises `InsufficientStock` for the first line that cannot be served. Callers that need
    the movements to point at records made after the plan (sale lines, whose cost is the
    plan's value) write it with `IssuePlan.write`.
    """
    if kind not in OUT_KINDS:
        raise ValueError(f"not an outgoing kind: {kind}")
    wanted = [(pid, parse_quantity(q, f"lines.{i}.quantity"))
              for i, (pid, q) in enumerate(lines)]
    stmt = _HELD_LOCKED if _is_postgres(session) else _HELD
    held: dict[int, list[Batch]] = {}
    for row in session.execute(stmt, {"product_ids": sorted({pid for pid, _ in wanted})}):
        held.setdefault(row.product_id, []).append(_batch(row))
    by_id = {b.id: b for batches in held.values() for b in batches}
    planned: list[tuple[int, list[Allocation], list[Movement]]] = []
    expired: list[tuple[int, Decimal, Decimal, Decimal]] = []
    for pid, qty in wanted:
        batches = held.setdefault(pid, [])
        usable = batches if fresh_on is None else [
            b for b in batches if not ledger.is_expired(b, fresh_on)]
        plan, missing = ledger.allocate(usable, qty)
        if missing > 0 and len(usable) < len(batches):
            stale = ledger.on_hand(batches) - ledger.on_hand(usable)
            expired.append((pid, qty, qty - missing, stale))
            continue
        if missing > 0:
            plan.append(_overdraw(session, pid, batches, qty, missing, False))
            by_id.update({b.id: b for b in batches})
        planned.append((pid, plan, ledger.take(by_id, plan)))
    if expired:
        raise _expired(session, expired)
    return IssuePlan(kind, by_id, planned)


def _expired(session: Session, lines: list[tuple[int, Decimal, Decimal, Decimal]]
             ) -> ExpiredStock:
    """The refusal naming each line that only expired goods could serve."""
    rows = session.execute(select(Product.id, Product.name, Product.unit)
                           .where(Product.id.in_([pid for pid, *_ in lines])))
    names, units = {}, {}
    for pid, name, unit in rows:
        names[pid], units[pid] = name, unit
    return ExpiredStock(
        products=", ".join(names[pid] for pid, *_ in lines),
        available=", ".join(f"{names[pid]} {ledger.show(fresh)} {units[pid]}"
                            for pid, _, fresh, _ in lines),
        details={"lines": [{"product_id": pid, "name": names[pid], "requested": str(qty),
                            "available": str(fresh), "expired": str(stale)}
                           for pid, qty, fresh, stale in lines]})


def take_out(session: Session, product_id: int, wanted: Decimal, *, kind: str, ref_type: str,
             ref_id: int, force: bool = False) -> list[Allocation]:
    """`issue` without the checks of its input; `force` overdraws whatever the product allows.

    A stocktake forces: a manager's count is the truth even when the ledger goes negative.
    """
    batches = live_batches(session, product_id)
    plan, missing = ledger.allocate(batches, wanted)
    if missing > 0:
        plan.append(_overdraw(session, product_id, batches, wanted, missing, force))
    by_id = {b.id: b for b in batches}
    post(session, product_id, by_id, ledger.take(by_id, plan), kind, ref_type, ref_id)
    return plan


def restore(session: Session, allocations: Sequence[Allocation], *, ref_type: str,
            ref_id: int, kind: str = "return") -> None:
    """Put allocations back into their batches with their value (a return or a void)."""
    if kind not in IN_KINDS:
        raise ValueError(f"not an incoming kind: {kind}")
    if any(a.quantity <= 0 or a.value < 0 for a in allocations):
        raise ValueError("allocations carry positive quantities and values")
    rows = lock_batches(session, {a.batch_id for a in allocations})
    by_product: dict[int, list[Allocation]] = {}
    for a in allocations:
        by_product.setdefault(rows[a.batch_id][0], []).append(a)
    for product_id, part in sorted(by_product.items()):
        by_id = {bid: batch for bid, (pid, batch) in rows.items() if pid == product_id}
        post(session, product_id, by_id, ledger.put_back(by_id, part), kind, ref_type, ref_id)


def _overdraw(session: Session, product_id: int, batches: list[Batch], wanted: Decimal,
              missing: Decimal, force: bool) -> Allocation:
    """The part beyond what is on hand: refused, or taken from the overdraft batch."""
    product = session.execute(select(Product.name, Product.allow_negative)
                              .where(Product.id == product_id)).first()
    if product is None:
        raise NotFound(N_("Produk tidak ditemukan."))
    if not product.allow_negative and not force:
        available = wanted - missing
        raise InsufficientStock(
            product=product.name, available=ledger.show(available),
            requested=ledger.show(wanted),
            details={"product_id": product_id, "available": str(available),
                     "requested": str(wanted)})
    overdraft = next((b for b in batches if b.overdraft), None)
    if overdraft is None:
        overdraft = overdraft_batch(session, product_id)
        batches.append(overdraft)
    return ledger.overdraw(overdraft, missing, latest_cost(session, product_id))


def live_stmt(product_id: int) -> Any:
    """The hot-path read: a product's batches with stock left, by id."""
    return (select(*_BATCH_COLUMNS)
            .where(_batches.c.product_id == product_id, _batches.c.quantity_left > 0)
            .order_by(_batches.c.id))


def live_batches(session: Session, product_id: int, lock: bool = True) -> list[Batch]:
    """The product's batches with stock left, by id; locked on PostgreSQL (the hot path)."""
    stmt = live_stmt(product_id)
    return [_batch(row) for row in session.execute(_for_update(session, stmt) if lock
                                                   else stmt)]


def holdings(session: Session, product_id: int, lock: bool = True) -> list[Batch]:
    """The batches with stock left and, when it is below zero, the overdraft (locked last)."""
    batches = live_batches(session, product_id, lock)
    if not any(b.overdraft for b in batches):
        stmt = select(*_BATCH_COLUMNS).where(_batches.c.product_id == product_id,
                                             _batches.c.overdraft.is_(True),
                                             _batches.c.quantity_left < 0)
        batches += [_batch(row) for row in session.execute(_for_update(session, stmt) if lock
                                                           else stmt)]
    return batches


def lock_batches(session: Session, batch_ids: Iterable[int]) -> dict[int, tuple[int, Batch]]:
    """Given batches with their product id, locked on PostgreSQL, by id."""
    ids = sorted(set(batch_ids))
    stmt = (select(_batches.c.product_id, *_BATCH_COLUMNS)
            .where(_batches.c.id.in_(ids)).order_by(_batches.c.id))
    rows = {row.id: (row.product_id, _batch(row))
            for row in session.execute(_for_update(session, stmt))}
    if len(rows) != len(ids):
        raise NotFound(N_("Batch stok tidak ditemukan."))
    return rows


def overdraft_batch(session: Session, product_id: int) -> Batch:
    """The product's overdraft batch, made on first need, locked."""
    stmt = select(*_BATCH_COLUMNS).where(_batches.c.product_id == product_id,
                                         _batches.c.overdraft.is_(True))
    row = session.execute(_for_update(session, stmt)).first()
    if row is None:
        values = {"product_id": product_id, "label": "", "quantity_left": Decimal(0),
                  "unit_cost": latest_cost(session, product_id), "value_left": 0,
                  "overdraft": True, "received_at": now()}
        if _is_postgres(session):
            # Two first overdrafts of one product at once: the second waits, then reuses.
            session.execute(pg_insert(_batches).values(**values).on_conflict_do_nothing(
                index_elements=["product_id"], index_where=_batches.c.overdraft))
        else:
            session.execute(insert(_batches).values(**values))
        row = session.execute(_for_update(session, stmt)).one()
    return _batch(row)


def newest_batch(session: Session, product_id: int) -> Batch | None:
    """The product's most recently received batch, whatever is left of it (locked)."""
    stmt = (select(*_BATCH_COLUMNS)
            .where(_batches.c.product_id == product_id, _batches.c.overdraft.is_(False))
            .order_by(_batches.c.id.desc()).limit(1))
    row = session.execute(_for_update(session, stmt)).first()
    return None if row is None else _batch(row)


def latest_cost(session: Session, product_id: int) -> int:
    """The unit cost of the product's newest received batch (0 if never received)."""
    cost = session.scalar(select(_batches.c.unit_cost)
                          .where(_batches.c.product_id == product_id,
                                 _batches.c.overdraft.is_(False))
                          .order_by(_batches.c.id.desc()).limit(1))
    return int(cost or 0)


def post(session: Session, product_id: int, batches: dict[int, Batch],
         moves: Sequence[Movement], kind: str, ref_type: str, ref_id: int) -> None:
    """Write movements of one product and the new balances of the batches they touched."""
    _write(session, batches, [(product_id, m, ref_id) for m in moves], kind, ref_type)


def _write(session: Session, batches: dict[int, Batch],
           entries: Sequence[tuple[int, Movement, int]], kind: str, ref_type: str) -> None:
    """Save the touched batches' balances and insert the movements (product, move, ref id)."""
    if not entries:
        return
    touched = sorted({m.batch_id for _, m, _ in entries})
    session.execute(_save_batch, [
        {"b_id": bid, "b_qty": batches[bid].quantity, "b_value": batches[bid].value}
        for bid in touched])
    for bid in touched:  # a StockBatch this session already loaded would now be stale
        loaded = session.identity_map.get(identity_key(StockBatch, bid))
        if loaded is not None:
            session.expire(loaded)
    at, user_id = now(), actor()
    session.execute(_INSERT_MOVES, [
        {"product_id": pid, "batch_id": m.batch_id, "kind": kind,
         "quantity": m.quantity, "value": m.value, "unit_cost": m.unit_cost,
         "ref_type": ref_type, "ref_id": ref_id, "user_id": user_id, "at": at}
        for pid, m, ref_id in entries])


def on_hand(session: Session, product_id: int) -> Decimal:
    """What is on hand of one product."""
    total = session.scalar(select(func.sum(_batches.c.quantity_left))
                           .where(_batches.c.product_id == product_id,
                                  _batches.c.quantity_left != 0))
    return total if total is not None else ledger.ZERO


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _for_update(session: Session, stmt: Any) -> Any:
    return stmt.with_for_update(key_share=True) if _is_postgres(session) else stmt


def _batch(row: Any) -> Batch:
    return Batch(id=row.id, quantity=row.quantity_left, value=row.value_left,
                 unit_cost=row.unit_cost, expires_on=row.expires_on, overdraft=row.overdraft)


def discrepancies(session: Session) -> list[tuple[int, Decimal, Decimal, int, int]]:
    """Batches whose cached balance differs from the sum of their movements (should be none).

    Each row: batch id, cached quantity, ledger quantity, cached value, ledger value.
    """
    sums = (select(_moves.c.batch_id, func.sum(_moves.c.quantity).label("qty"),
                   func.sum(_moves.c.value).label("value"))
            .group_by(_moves.c.batch_id).subquery())
    rows = session.execute(
        select(_batches.c.id, _batches.c.quantity_left, sums.c.qty, _batches.c.value_left,
               sums.c.value)
        .select_from(_batches.outerjoin(sums, sums.c.batch_id == _batches.c.id)))
    out = []
    for bid, cached_qty, qty, cached_value, value in rows:
        qty = qty if qty is not None else ledger.ZERO
        value = int(value or 0)
        if cached_qty != qty or cached_value != value:
            out.append((bid, cached_qty, qty, cached_value, value))
    return out
