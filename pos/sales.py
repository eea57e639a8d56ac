"""Use-case of the till: record a sale, all or nothing, once per `client_ref`.

`sell` is the use case the API, the demo and the tests call; the rest are its steps.

Two phases keep SQLite's writer lock short (HACKING.md), and both run in the request's unit
of work:

1. `pos.sale_input.prepare_sale` reads and checks everything that does not change under a
   sale's feet (products, the card, settings, the open shift), prices the lines and settles
   the tenders with the pure core (`pos.checkout`). It writes nothing, so on SQLite it runs
   before the writer lock.
2. `record_sale` writes, taking locks in one fixed order so that two sales never wait on
   each other in a circle on PostgreSQL: the product batches in id order
   (`inventory.stock.plan_many`), the KPM's row (`aid.ledger.redeem`, which re-reads the
   balance under that lock, so several tablets never overdraw one card), and last the day's
   counter row (`pos.numbering`). Every sale of the day passes that one row, so it is taken
   as late as possible: the sale row goes in under a provisional number (`provisional_number`)
   that the day's number replaces just before commit, and on PostgreSQL the counter stays
   locked only for the rest of the commit, not for the whole sale. Statements are Core and
   multi-row: on the hot path a sale is about a dozen statements.

`sell` decides the commit points. In a unit of work of its own (`owns_unit=True`: a
request), an error rolls the sale back, a replay found then answers with the sale made
earlier, and a refusal for a program rule is recorded and committed for the 6T integrity
report before the error goes on. Inside a caller's unit of work (the demo, tests) it writes
nothing but the sale, and errors go to the caller, whose savepoint undoes the attempt.

Idempotency: the sale row is inserted with ON CONFLICT (client_ref) DO NOTHING. When the row
is not inserted, another request with the same `client_ref` got there first (or is about to
commit; PostgreSQL waits for it): `record_sale` raises `Replay` before it has counted, the
caller rolls back and answers with that sale through `replay`, or 409
`idempotency_conflict` when its body differs.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from aid import ledger
from ewarung import audit
from ewarung.clock import happening_at
from ewarung.errors import N_, AppError, Conflict
from ewarung.outbox import record_event
from inventory import stock
from pos.checkout import (
    BPNT,
    REFERENCED,
    BpntBalanceExceeded,
    NotEligibleForBpnt,
    PriceAboveReference,
)
from pos.models import Sale, SaleLine, SaleRefusal, Tender
from pos.numbering import format_number, next_sequence
from pos.receipts import queue_receipt
from pos.sale_input import (
    ApprovalRequired,
    ExpiredApprovalRequired,
    PreparedSale,
    SaleRequest,
    Till,
    prepare_sale,
    resolve_card,
)
from pos.sale_records import LineRecord, SaleRecord, TenderRecord, load_sale, sale_event

#: refusals for a program rule, kept for the 6T integrity report (the sale itself leaves no row)
RULE_REFUSALS = (NotEligibleForBpnt, BpntBalanceExceeded, PriceAboveReference)


@dataclass(frozen=True)
class Sold:
    """A sale recorded now, or the one recorded earlier for the same `client_ref`."""

    record: SaleRecord
    replayed: bool = False


def sell(session: Session, req: SaleRequest, till: Till, *,
         approve: Callable[[type[ApprovalRequired]], int] | None = None,
         sell_expired: bool = False, owns_unit: bool = False,
         reading: Callable[[], AbstractContextManager[Any]] = nullcontext) -> Sold:
    """Sell: check and price (inside `reading`, which a request uses to read before
    SQLite's writer lock), have a manager approve a changed price or expired goods
    (`approve(asked)` returns the approver's id, or raises), write, and audit. See the
    module's docstring for `owns_unit`."""
    try:
        with reading():
            sale = prepare_sale(session, req, till)
        if sale.repriced or sell_expired:  # one manager's PIN approves both
            asked = ApprovalRequired if sale.repriced else ExpiredApprovalRequired
            if approve is None:
                raise asked()
            sale.approver_id = approve(asked)
            sale.sell_expired = sell_expired
        rec = record_sale(session, sale, till)
        if sale.sell_expired:
            audit.record(session, "sale.sell_expired", entity="sale", entity_id=rec.id,
                         actor_id=till.cashier_id, approver_id=sale.approver_id)
    except Replay:  # the sale row's client_ref was taken: answer with that sale
        if not owns_unit:
            raise
        session.rollback()  # gives back the counter taken for this attempt
        return Sold(replay(session, req), replayed=True)
    except AppError as exc:
        if not owns_unit:
            raise
        session.rollback()
        # A replay is looked for only now, off the hot path: what the catalogue or the
        # settings refuse today must not turn the answer to a sale made earlier into an error.
        if find_by_ref(session, req.client_ref) is not None:
            session.rollback()
            return Sold(replay(session, req), replayed=True)
        if isinstance(exc, RULE_REFUSALS):
            _record_refusal(session, exc, req, till)
        raise
    return Sold(rec)


def _record_refusal(session: Session, exc: AppError, req: SaleRequest, till: Till) -> None:
    session.rollback()
    beneficiary_id = None
    if any(t.kind == BPNT for t in req.tenders):
        beneficiary_id = resolve_card(session, req, till)
    refusal = SaleRefusal(cashier_id=till.cashier_id, code=exc.code,
                          beneficiary_id=beneficiary_id, details=exc.details or None)
    session.add(refusal)
    session.flush()
    record_event(session, "sale.refusal", {  # a program rule held: the 6T report counts it
        "refusal_id": refusal.id, "code": exc.code, "cashier_id": till.cashier_id,
        "beneficiary_id": beneficiary_id, "at": refusal.at.isoformat()})
    session.commit()


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    template = N_("Nomor transaksi tablet (client_ref) ini sudah dipakai untuk transaksi lain.")


class Replay(Exception):
    """The `client_ref` belongs to a sale already recorded: answer with it (see `replay`)."""


# --- phase 2: write ----------------------------------------------------------------------------

_sales = cast(Table, Sale.__table__)
_lines = cast(Table, SaleLine.__table__)
_tenders = cast(Table, Tender.__table__)


def record_sale(session: Session, sale: PreparedSale, till: Till) -> SaleRecord:
    """Write the prepared sale and queue its receipt; raises `Replay` for a known client_ref.
    Everything it writes (stock moves, the card's entry) happens at the sale's moment."""
    with happening_at(sale.at):
        return _record(session, sale, till)


def _record(session: Session, sale: PreparedSale, till: Till) -> SaleRecord:
    req = sale.request
    sale_id = _insert_sale(session, sale, till, provisional_number(req.client_ref))
    if sale_id is None:
        raise Replay(req.client_ref)
    lines = _insert_lines(session, sale_id, sale)
    tenders = _insert_tenders(session, sale_id, sale)
    number = format_number(sale.shop.code, sale.business_day,
                           next_sequence(session, sale.business_day))
    session.execute(_SET_NUMBER, {"sale_id": sale_id, "number": number})
    rec = SaleRecord(id=sale_id, number=number, created_at=sale.at, cashier_id=till.cashier_id,
                     total=sale.settlement.total, lines=lines, tenders=tenders,
                     shift_id=sale.shift_id, above_reference=sale.above_reference)
    # Last, as the outbox asks: its counter row is held from here to the commit.
    record_event(session, "sale", sale_event(rec, sale.business_day), occurred_at=sale.at)
    url = till.receipts.verify_url(sale_id)
    job = queue_receipt(session, rec, sale.shop, till.cashier_name, url, sale.printer) \
        if till.receipts.printing else None
    if job is not None:
        rec = replace(rec, print_job={"id": job.id, "state": job.state})
    return rec


_SALE_COLUMNS = ("number", "business_day", "client_ref", "request_hash", "cashier_id",
                 "shift_id", "created_at", "total", "status", "beneficiary_id",
                 "above_reference")
#: per dialect: the sale row, unless its client_ref is taken (then no row comes back)
_INSERT_SALE = {
    name: insert_(_sales).values({c: bindparam(c, type_=_sales.c[c].type)
                                  for c in _SALE_COLUMNS})
    .on_conflict_do_nothing(index_elements=[_sales.c.client_ref]).returning(_sales.c.id)
    for name, insert_ in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_SET_NUMBER = update(_sales).where(_sales.c.id == bindparam("sale_id")).values(
    number=bindparam("number"))
_INSERT_LINES = insert(_lines).returning(_lines.c.id, sort_by_parameter_order=True)
_INSERT_TENDERS = insert(_tenders)


def provisional_number(client_ref: str) -> str:
    """The sale's number until the day's number is taken, in the same transaction.

    Unique per `client_ref` and never the shape of a real number; nobody outside the sale's
    own transaction ever sees it.
    """
    return "~" + hashlib.sha256(client_ref.encode()).hexdigest()[:23]


def _insert_sale(session: Session, sale: PreparedSale, till: Till, number: str) -> int | None:
    found = session.execute(_INSERT_SALE[session.get_bind().dialect.name], {
        "number": number, "business_day": sale.business_day,
        "client_ref": sale.request.client_ref, "request_hash": sale.request.fingerprint,
        "cashier_id": till.cashier_id, "shift_id": sale.shift_id, "created_at": sale.at,
        "total": sale.settlement.total, "status": "completed",
        "beneficiary_id": sale.card.beneficiary_id if sale.card else None,
        "above_reference": sale.above_reference}).scalar()
    return None if found is None else int(found)


def _insert_lines(session: Session, sale_id: int, sale: PreparedSale) -> tuple[LineRecord, ...]:
    """Take the stock (FEFO, products in id order) and write the lines with their cost."""
    order = sorted(range(len(sale.lines)), key=lambda i: sale.lines[i][1].product_id)
    plan = stock.plan_many(session, [(sale.lines[i][1].product_id, sale.lines[i][1].quantity)
                                     for i in order],
                           fresh_on=None if sale.sell_expired else sale.business_day)
    cost = {i: sum(a.value for a in allocations)
            for i, allocations in zip(order, plan.allocations, strict=True)}
    rows = [{"sale_id": sale_id, "product_id": p.product_id, "name": p.name, "unit": f.unit,
             "commodity_group": p.commodity_group, "quantity": p.quantity,
             "unit_price": p.unit_price, "catalogue_price": f.price,
             "price_approver_id": sale.approver_id if i in sale.repriced else None,
             "reference_price": p.reference_price, "amount": p.amount, "cost": cost[i],
             "returned_quantity": Decimal(0)} for i, (f, p) in enumerate(sale.lines)]
    ids = [r[0] for r in session.execute(_INSERT_LINES, rows)]
    plan.write(session, ref_type="sale_line", ref_ids=[ids[i] for i in order])
    return tuple(LineRecord(id=line_id, product_id=r["product_id"], name=r["name"],
                            unit=r["unit"], commodity_group=r["commodity_group"],
                            quantity=r["quantity"], unit_price=r["unit_price"],
                            amount=r["amount"], cost=r["cost"])
                 for line_id, r in zip(ids, rows, strict=True))


def _insert_tenders(session: Session, sale_id: int,
                    sale: PreparedSale) -> tuple[TenderRecord, ...]:
    """Debit the card (under the KPM's lock) and write the tenders."""
    records = []
    for t in sale.settlement.tenders:
        if t.kind == BPNT:
            assert sale.card is not None
            redemption = ledger.redeem(
                session, sale.card.beneficiary_id, t.amount, sale_id=sale_id,
                edc_ref=t.reference, card_id=sale.card.card_id, settings=sale.bpnt,
                masked_card=sale.card.masked)
            if redemption.over_limit:
                audit.record(session, "sale.bpnt_over_limit", entity="sale", entity_id=sale_id,
                             after={"amount": t.amount, "remaining": redemption.remaining})
            records.append(TenderRecord(
                BPNT, t.amount, beneficiary_id=sale.card.beneficiary_id,
                masked_card=sale.card.masked, edc_ref=t.reference[:40],
                remaining_after=redemption.remaining,
                entitlement_entry_id=redemption.entry_id))
        else:
            records.append(TenderRecord(t.kind, t.amount, given=t.given,
                                        reference=t.reference[:60] if t.kind in REFERENCED
                                        else None))
    session.execute(_INSERT_TENDERS, [
        {"sale_id": sale_id, "kind": r.kind, "amount": r.amount, "given": r.given,
         "reference": r.reference, "beneficiary_id": r.beneficiary_id,
         "masked_card": r.masked_card, "edc_ref": r.edc_ref,
         "entitlement_entry_id": r.entitlement_entry_id, "remaining_after": r.remaining_after}
        for r in records])
    return tuple(records)


# --- replays -------------------------------------------------------------------------------------

_BY_REF = select(_sales.c.id, _sales.c.request_hash).where(
    _sales.c.client_ref == bindparam("client_ref"))


def find_by_ref(session: Session, client_ref: str) -> Any:
    """(id, request_hash) of the sale made with `client_ref`, or None."""
    return session.execute(_BY_REF, {"client_ref": client_ref}).first()


def replay(session: Session, req: SaleRequest) -> SaleRecord:
    """The sale recorded for `req.client_ref`, if `req` is the same body; else 409."""
    found = find_by_ref(session, req.client_ref)
    if found is None:
        raise Replay(req.client_ref)  # unreachable: the row was seen before asking
    if not hmac.compare_digest(found.request_hash, req.fingerprint):
        raise IdempotencyConflict(details={"client_ref": req.client_ref})
    return load_sale(session, found.id)


