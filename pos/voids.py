"""Voids and returns: a manager approves, stock goes back into its batch, entitlement too.

A sale line's stock movements all point at it (`ref_type = 'sale_line'`): the sale's own
takes (kind `sale`) and whatever came back since (kind `return`, from a return or a void).
Their sum per batch is what the line still holds, so a void restores exactly that, and a
return takes its quantity from it, freshest batches first (`inventory.ledger.portion`).

How a partial return is refunded: BPNT paid only eligible lines, and aid must never turn
into cash. So the amount of returned eligible goods goes back to the card first, as far as
the sale's BPNT payment has not been given back yet; only the rest is refunded in cash. The
amount of returned goods that are not eligible is refunded in cash. Over all returns of a
sale, the card gets back at most what it paid and the cash refunds at most what was paid
otherwise (QRIS and transfer payments are refunded from the drawer too). A void gives back
whatever is left of both.

Cash given back leaves the drawer of the person who gives it: a void or return that refunds
cash needs their open shift (409 `no_open_shift` otherwise) and counts in its X and Z
reports; one that gives back no cash (only BPNT) may be made without an open shift.

Both happen now, unless `ewarung.clock.happening_at` says otherwise (a demo's history,
like its stock movements and sales), by whoever acts (`ewarung.audit.actor`).

Lock order on PostgreSQL, as in a sale: the sale row, then every batch involved in id order
(taken at once), then the KPM's row (`aid.ledger.reverse`).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aid import ledger
from ewarung import audit
from ewarung.clock import now
from ewarung.errors import N_, Conflict, ValidationFailed
from ewarung.money import line_amount
from ewarung.outbox import record_event
from ewarung.text import writable
from inventory import stock
from inventory.ledger import Allocation, parse_quantity, portion, show
from inventory.models import StockMove
from pos.models import Sale, SaleLine, SaleReturn, SaleReturnLine, Shift, Tender
from pos.receipts import ReceiptContext, queue_void_receipt
from pos.sale_records import SaleNotFound, load_sale, return_json
from pos.shifts import NoOpenShift

REF_TYPE = "sale_line"


class SaleAlreadyVoided(Conflict):
    code = "sale_already_voided"
    template = N_("Transaksi ini sudah dibatalkan.")


def _locked_sale(session: Session, sale_id: int) -> Sale:
    """The sale, locked against a concurrent void or return (PostgreSQL)."""
    sale = session.scalar(select(Sale).where(Sale.id == sale_id)
                          .with_for_update(key_share=True))
    if sale is None:
        raise SaleNotFound()
    if sale.status == "voided":
        raise SaleAlreadyVoided()
    return sale


def held_allocations(session: Session, line_ids: Sequence[int]) -> dict[int, list[Allocation]]:
    """What each line still holds, by batch in the order taken: its movements summed."""
    rows = session.execute(
        select(StockMove.ref_id, StockMove.batch_id, func.sum(StockMove.quantity),
               func.sum(StockMove.value), func.min(StockMove.id))
        .where(StockMove.ref_type == REF_TYPE, StockMove.ref_id.in_(list(line_ids)))
        .group_by(StockMove.ref_id, StockMove.batch_id).order_by(func.min(StockMove.id)))
    held: dict[int, list[Allocation]] = {}
    for line_id, batch_id, quantity, value, _first in rows:
        qty = -quantity  # SUM keeps the Quantity type: a Decimal, not thousandths
        if qty > 0:
            held.setdefault(line_id, []).append(Allocation(batch_id, qty, -int(value)))
    return held


def _put_back(session: Session, allocations: dict[int, list[Allocation]]) -> None:
    stock.lock_batches(session, {a.batch_id for part in allocations.values() for a in part})
    for line_id, part in sorted(allocations.items()):
        stock.restore(session, part, ref_type=REF_TYPE, ref_id=line_id, kind="return")


def _actor() -> int:
    """Who voids or takes back: someone signed in (`ewarung.audit.actor`), never the system."""
    actor_id = audit.actor()
    if actor_id is None:
        raise RuntimeError("a void or a return needs someone acting (ewarung.audit.acting_as)")
    return actor_id


def _drawer(session: Session, user_id: int, cash_back: int) -> int | None:
    """The open shift of the person giving money back; refuses cash with no drawer open."""
    shift_id = session.scalar(select(Shift.id).where(Shift.cashier_id == user_id,
                                                     Shift.closed_at.is_(None)))
    if shift_id is None and cash_back > 0:
        raise NoOpenShift()
    return shift_id


def _cash_left(session: Session, sale_id: int) -> int:
    """The sale's cash not yet refunded by its returns: what a void gives back in cash."""
    paid = session.scalar(select(func.coalesce(func.sum(Tender.amount), 0)).where(
        Tender.sale_id == sale_id, Tender.kind == "cash")) or 0
    refunded = session.scalar(select(func.coalesce(func.sum(SaleReturn.refund_cash), 0))
                              .where(SaleReturn.sale_id == sale_id)) or 0
    return int(paid) - int(refunded)


def void_sale(session: Session, sale_id: int, reason: str, *, approver_id: int,
              receipts: ReceiptContext | None = None) -> Sale:
    """Void a whole sale: stock back to its batches, entitlement back to the card; with
    `receipts`, the voided receipt (DIBATALKAN) prints for the drawer."""
    actor_id = _actor()
    reason = writable(reason.strip(), "reason")
    if len(reason) < 3:
        raise ValidationFailed.field("reason", N_("Tulis alasan pembatalan."))
    sale = _locked_sale(session, sale_id)
    void_shift_id = _drawer(session, actor_id, _cash_left(session, sale_id))
    line_ids = list(session.scalars(select(SaleLine.id).where(SaleLine.sale_id == sale_id)))
    _put_back(session, held_allocations(session, line_ids))
    reversals = ledger.reverse_sale(session, sale_id, reason)
    sale.status, sale.voided_at, sale.void_reason = "voided", now(), reason[:300]
    sale.voided_by, sale.void_approver_id = actor_id, approver_id
    sale.void_shift_id = void_shift_id
    session.flush()
    audit.record(session, "sale.void", entity="sale", entity_id=sale_id,
                 before={"status": "completed"},
                 after={"status": "voided", "number": sale.number,
                        "bpnt_returned": sum(e.amount for e in reversals)},
                 note=reason[:500], actor_id=actor_id, approver_id=approver_id)
    if receipts is not None:
        queue_void_receipt(session, load_sale(session, sale_id), receipts)
    record_event(session, "sale.void", {  # last: see ewarung.outbox
        "sale_id": sale_id, "number": sale.number, "voided_at": sale.voided_at.isoformat(),
        "void_shift_id": void_shift_id, "bpnt_returned": sum(e.amount for e in reversals),
        "reversal_entry_ids": [e.id for e in reversals]}, occurred_at=sale.voided_at)
    return sale


def _returned_amounts(session: Session, line_ids: Sequence[int]) -> dict[int, int]:
    rows = session.execute(select(SaleReturnLine.sale_line_id, func.sum(SaleReturnLine.amount))
                           .where(SaleReturnLine.sale_line_id.in_(list(line_ids)))
                           .group_by(SaleReturnLine.sale_line_id))
    return {line_id: int(total) for line_id, total in rows}


def _bpnt_left(session: Session, sale_id: int) -> tuple[int | None, int]:
    """(the sale's redemption entry, how much of it has not been given back yet)."""
    tender = session.execute(select(Tender.entitlement_entry_id, Tender.amount).where(
        Tender.sale_id == sale_id, Tender.kind == "bpnt")).first()
    if tender is None or tender.entitlement_entry_id is None:
        return None, 0
    given_back = session.scalar(select(func.coalesce(func.sum(SaleReturn.refund_bpnt), 0))
                                .where(SaleReturn.sale_id == sale_id)) or 0
    return tender.entitlement_entry_id, int(tender.amount) - int(given_back)


def return_lines(session: Session, sale_id: int, items: Sequence[tuple[int, Any]],
                 reason: str, *, approver_id: int) -> dict[str, Any]:
    """Take back part of a sale (see the module docstring for how it is refunded)."""
    actor_id = _actor()
    reason = writable(reason.strip(), "reason")
    if len(reason) < 3:
        raise ValidationFailed.field("reason", N_("Tulis alasan pengembalian."))
    _locked_sale(session, sale_id)
    lines = {ln.id: ln for ln in session.scalars(
        select(SaleLine).where(SaleLine.sale_id == sale_id))}
    wanted = _check_items(lines, items)
    held = held_allocations(session, list(wanted))
    returned = _returned_amounts(session, list(wanted))
    parts = {line_id: portion(held[line_id], qty) for line_id, qty in wanted.items()}
    _put_back(session, parts)
    entry_id, bpnt_left = _bpnt_left(session, sale_id)
    ret = SaleReturn(sale_id=sale_id, created_at=now(), reason=reason[:300], actor_id=actor_id,
                     approver_id=approver_id)
    refund_bpnt = refund_cash = 0
    for line_id, qty in wanted.items():
        line = lines[line_id]
        left_amount = line.amount - returned.get(line_id, 0)
        amount = left_amount if qty == line.quantity - line.returned_quantity \
            else min(line_amount(line.unit_price, qty), left_amount)
        to_card = min(amount, bpnt_left - refund_bpnt) if line.commodity_group != "none" else 0
        refund_bpnt += to_card
        refund_cash += amount - to_card
        line.returned_quantity = line.returned_quantity + qty
        ret.lines.append(SaleReturnLine(sale_line_id=line_id, quantity=qty, amount=amount,
                                        cost=sum(a.value for a in parts[line_id])))
    ret.refund_bpnt, ret.refund_cash = refund_bpnt, refund_cash
    ret.shift_id = _drawer(session, actor_id, refund_cash)
    session.add(ret)
    session.flush()
    if refund_bpnt and entry_id is not None:
        ledger.reverse(session, entry_id, refund_bpnt, sale_id=sale_id, reason=reason)
    audit.record(session, "sale.return", entity="sale", entity_id=sale_id,
                 after={"return_id": ret.id, "refund_cash": refund_cash,
                        "refund_bpnt": refund_bpnt,
                        "lines": {str(k): show(v) for k, v in wanted.items()}},
                 note=reason[:500], actor_id=actor_id, approver_id=approver_id)
    record_event(session, "sale.return", {  # last: see ewarung.outbox
        "sale_id": sale_id, "return_id": ret.id, "created_at": ret.created_at.isoformat(),
        "shift_id": ret.shift_id, "refund_cash": refund_cash, "refund_bpnt": refund_bpnt,
        "lines": [{"line_id": rl.sale_line_id, "quantity": str(rl.quantity),
                   "amount": rl.amount, "cost": rl.cost} for rl in ret.lines]},
        occurred_at=ret.created_at)
    return return_json(ret, list(ret.lines))


def _check_items(lines: dict[int, SaleLine], items: Sequence[tuple[int, Any]]
                 ) -> dict[int, Decimal]:
    wanted: dict[int, Decimal] = {}
    for i, (line_id, raw) in enumerate(items):
        if line_id not in lines:
            raise ValidationFailed.field(f"lines.{i}.sale_line_id",
                                         N_("Baris ini bukan bagian dari transaksi tersebut."))
        qty = parse_quantity(raw, f"lines.{i}.quantity")
        wanted[line_id] = wanted.get(line_id, Decimal(0)) + qty
        line = lines[line_id]
        if wanted[line_id] > line.quantity - line.returned_quantity:
            raise ValidationFailed.field(f"lines.{i}.quantity", N_(
                "Paling banyak %(left)s yang masih bisa dikembalikan."),
                left=show(line.quantity - line.returned_quantity))
    return wanted
