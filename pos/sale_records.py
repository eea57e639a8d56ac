"""A recorded sale as plain data, and its JSON: the same shape whether just made or read back.

`POST /sales` answers from what it wrote; a replay of the same `client_ref`, `GET /sales/{id}`,
receipts and the public verification page read the sale back with `load_sale`. Both paths
build a `SaleRecord`, so a replay answers exactly what the first request did.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from ewarung.auth.models import User
from ewarung.errors import N_, NotFound
from inventory.ledger import show
from pos.checkout import BPNT, CASH, NOT_ELIGIBLE
from pos.models import Sale, SaleLine, SaleReturn, SaleReturnLine, Tender
from printer.models import PrintJob


class SaleNotFound(NotFound):
    template = N_("Transaksi tidak ditemukan.")


@dataclass(frozen=True)
class LineRecord:
    """One sold item as recorded (catalogue facts of the moment of sale)."""

    id: int
    product_id: int
    name: str
    unit: str
    commodity_group: str
    quantity: Decimal
    unit_price: int
    amount: int
    cost: int
    returned_quantity: Decimal = Decimal(0)

    @property
    def bpnt_eligible(self) -> bool:
        return self.commodity_group != NOT_ELIGIBLE


@dataclass(frozen=True)
class TenderRecord:
    """One payment as recorded; a BPNT one carries the masked card, never the number."""

    kind: str
    amount: int
    given: int | None = None
    reference: str | None = None
    beneficiary_id: int | None = None
    masked_card: str | None = None
    edc_ref: str | None = None
    remaining_after: int | None = None
    entitlement_entry_id: int | None = None


@dataclass(frozen=True)
class SaleRecord:
    """A sale with its lines and tenders."""

    id: int
    number: str
    created_at: datetime
    cashier_id: int
    total: int
    lines: tuple[LineRecord, ...]
    tenders: tuple[TenderRecord, ...]
    status: str = "completed"
    shift_id: int | None = None
    above_reference: bool = False
    voided_at: datetime | None = None
    void_reason: str | None = None
    print_job: dict[str, Any] | None = None
    returns: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    @property
    def change(self) -> int:
        """Cash handed back: what was given in cash beyond what cash paid."""
        return sum((t.given or 0) - t.amount for t in self.tenders
                   if t.kind == CASH and t.given is not None)

    @property
    def bpnt(self) -> TenderRecord | None:
        """The BPNT tender, if the card paid."""
        return next((t for t in self.tenders if t.kind == BPNT), None)


_sales = cast(Table, Sale.__table__)
_lines = cast(Table, SaleLine.__table__)
_tenders = cast(Table, Tender.__table__)


def load_sale(session: Session, sale_id: int, *, with_returns: bool = False) -> SaleRecord:
    """A sale read back (three indexed reads, four with its returns), or `not_found`."""
    sale = session.execute(select(_sales).where(_sales.c.id == sale_id)).first()
    if sale is None:
        raise SaleNotFound()
    lines = tuple(LineRecord(
        id=r.id, product_id=r.product_id, name=r.name, unit=r.unit,
        commodity_group=r.commodity_group, quantity=r.quantity, unit_price=r.unit_price,
        amount=r.amount, cost=r.cost, returned_quantity=r.returned_quantity)
        for r in session.execute(select(_lines).where(_lines.c.sale_id == sale_id)
                                 .order_by(_lines.c.id)))
    tenders = tuple(TenderRecord(
        kind=r.kind, amount=r.amount, given=r.given, reference=r.reference,
        beneficiary_id=r.beneficiary_id, masked_card=r.masked_card, edc_ref=r.edc_ref,
        remaining_after=r.remaining_after, entitlement_entry_id=r.entitlement_entry_id)
        for r in session.execute(select(_tenders).where(_tenders.c.sale_id == sale_id)
                                 .order_by(_tenders.c.id)))
    job = session.execute(
        select(PrintJob.id, PrintJob.state)
        .where(PrintJob.sale_id == sale_id, PrintJob.kind == "receipt",
               PrintJob.reprint_of.is_(None)).order_by(PrintJob.id).limit(1)).first()
    return SaleRecord(
        id=sale.id, number=sale.number, created_at=sale.created_at, cashier_id=sale.cashier_id,
        total=sale.total, lines=lines, tenders=tenders, status=sale.status,
        shift_id=sale.shift_id, above_reference=sale.above_reference, voided_at=sale.voided_at,
        void_reason=sale.void_reason,
        print_job={"id": job.id, "state": job.state} if job else None,
        returns=_returns(session, sale_id) if with_returns else ())


def recent_sales(session: Session, q: str = "", limit: int = 50) -> list[Any]:
    """The latest sales, newest first, with the cashier's name (`q`: part of the number)."""
    stmt = (select(Sale.id, Sale.number, Sale.created_at, Sale.total, Sale.status,
                   User.full_name).join(User, User.id == Sale.cashier_id)
            .order_by(Sale.id.desc()).limit(limit))
    if q.strip():
        stmt = stmt.where(Sale.number.contains(q.strip().upper()))
    return list(session.execute(stmt))


def _returns(session: Session, sale_id: int) -> tuple[dict[str, Any], ...]:
    rows = session.scalars(select(SaleReturn).where(SaleReturn.sale_id == sale_id)
                           .order_by(SaleReturn.id)).all()
    lines: dict[int, list[SaleReturnLine]] = {}
    if rows:
        for line in session.scalars(select(SaleReturnLine).where(
                SaleReturnLine.return_id.in_([r.id for r in rows]))
                .order_by(SaleReturnLine.id)):
            lines.setdefault(line.return_id, []).append(line)
    return tuple(return_json(r, lines.get(r.id, [])) for r in rows)


def return_json(ret: SaleReturn, lines: list[SaleReturnLine]) -> dict[str, Any]:
    """A return as the API shows it."""
    return {"id": ret.id, "created_at": ret.created_at, "reason": ret.reason,
            "approver_id": ret.approver_id, "refund_cash": ret.refund_cash,
            "refund_bpnt": ret.refund_bpnt,
            "lines": [{"sale_line_id": ln.sale_line_id, "quantity": show(ln.quantity),
                       "amount": ln.amount} for ln in lines]}


def sale_json(rec: SaleRecord, verify_url: str, *, full: bool = False) -> dict[str, Any]:
    """The answer of POST /sales (and, with `full`, of GET /sales/{id})."""
    bpnt = rec.bpnt
    out: dict[str, Any] = {
        "id": rec.id, "number": rec.number, "created_at": rec.created_at, "total": rec.total,
        "lines": [{"id": ln.id, "product_id": ln.product_id, "name": ln.name, "unit": ln.unit,
                   "commodity_group": ln.commodity_group, "quantity": show(ln.quantity),
                   "unit_price": ln.unit_price, "amount": ln.amount,
                   "bpnt_eligible": ln.bpnt_eligible} for ln in rec.lines],
        "tenders": [{"kind": t.kind, "amount": t.amount, "given": t.given,
                     "reference": t.reference, "masked_card": t.masked_card,
                     "edc_ref": t.edc_ref} for t in rec.tenders],
        "change": rec.change,
        "bpnt": None if bpnt is None else {"beneficiary_id": bpnt.beneficiary_id,
                                           "remaining": bpnt.remaining_after},
        "receipt": {"verify_url": verify_url, "print_job": rec.print_job},
        "status": rec.status, "above_reference": rec.above_reference,
    }
    if full:
        for ln, line in zip(out["lines"], rec.lines, strict=True):
            ln["returned_quantity"] = show(line.returned_quantity)
        out.update(voided_at=rec.voided_at, void_reason=rec.void_reason,
                   shift_id=rec.shift_id, cashier_id=rec.cashier_id, returns=list(rec.returns))
    return out


def sale_event(rec: SaleRecord, business_day: date) -> dict[str, Any]:
    """The `sale` event the district receives (`ewarung.outbox`): the sale as recorded, its
    lines with their cost, its tenders; the KPM by the shop's id, never a card number."""
    return {
        "sale_id": rec.id, "number": rec.number, "business_day": business_day.isoformat(),
        "created_at": rec.created_at.isoformat(), "cashier_id": rec.cashier_id,
        "shift_id": rec.shift_id, "total": rec.total, "above_reference": rec.above_reference,
        "lines": [{"line_id": ln.id, "product_id": ln.product_id, "name": ln.name,
                   "unit": ln.unit, "commodity_group": ln.commodity_group,
                   "quantity": str(ln.quantity), "unit_price": ln.unit_price,
                   "amount": ln.amount, "cost": ln.cost} for ln in rec.lines],
        "tenders": [{"kind": t.kind, "amount": t.amount, "beneficiary_id": t.beneficiary_id,
                     "edc_ref": t.edc_ref, "entitlement_entry_id": t.entitlement_entry_id}
                    for t in rec.tenders]}
