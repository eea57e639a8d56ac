"""Sales over the JSON API: sell, read, reprint, void, return (API.md's sale contract)."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from aid.web import card_key
from ewarung.auth.models import User
from ewarung.web import (
    db_session,
    one_at_a_time,
    read_phase,
    reads_first,
    requires,
    signed_in_user,
)
from pos import voids
from pos.receipts import reprint
from pos.sale_input import (
    ApprovalRequired,
    Till,
)
from pos.sale_records import load_sale, recent_sales, sale_json
from pos.sales import sell
from pos.schemas import (
    ApproverIn,
    ReturnIn,
    ReturnOut,
    SaleDetailOut,
    SaleIn,
    SaleList,
    SaleOut,
    SaleQuery,
    VoidIn,
)
from pos.webutil import approve, receipt_context
from printer.api import JobOut

bp = APIBlueprint("sales_api", __name__, url_prefix="/api/v1", tag="Sales")

def _till() -> Till:
    user = signed_in_user()
    return Till(cashier_id=user.id, cashier_name=user.full_name, card_key=card_key(),
                receipts=receipt_context())


def _approver(approver: ApproverIn | None,
              missing: type[ApprovalRequired] = ApprovalRequired) -> User:
    if approver is None:
        raise missing()
    return approve(approver.username, approver.pin)


@bp.post("/sales")
@requires("cashier")
@one_at_a_time
@reads_first
@bp.input(SaleIn, arg_name="body")
@bp.output(SaleOut, status_code=201, description="the sale; 200 when it is a replay")
@bp.doc(responses={
    403: "approval_required: a changed price or expired goods without a manager's PIN",
    404: "card_not_registered", 409: "insufficient_stock, expired_stock (details.lines: "
    "product_id, name, requested, available, expired), bpnt_balance_exceeded, "
    "idempotency_conflict, no_open_shift", 422: "validation_error, not_eligible_for_bpnt, "
    "tender_mismatch, price_above_reference, invalid_card_number"})
def create_sale(body: SaleIn) -> Any:
    """Record a sale: lines by product id or barcode, tenders bpnt, cash, qris, transfer."""
    till = _till()
    sold = sell(db_session(), body.request(till.card_key), till,
                approve=lambda asked: _approver(body.approver, asked).id,
                sell_expired=body.sell_expired, owns_unit=True, reading=read_phase)
    answer = sale_json(sold.record, till.receipts.verify_url(sold.record.id))
    return (answer, 200) if sold.replayed else answer


@bp.get("/sales")
@requires("cashier")
@bp.input(SaleQuery, location="query", arg_name="query")
@bp.output(SaleList)
def list_sales(query: SaleQuery) -> Any:
    """The latest sales, newest first (`q`: part of a sale number)."""
    return SaleList.model_validate([
        {"id": r.id, "number": r.number, "created_at": r.created_at, "total": r.total,
         "status": r.status, "cashier": r.full_name}
        for r in recent_sales(db_session(), query.q, query.limit)])


@bp.get("/sales/<int:sale_id>")
@requires("cashier")
@bp.output(SaleDetailOut)
def get_sale(sale_id: int) -> Any:
    """One sale with its status (completed, voided) and its returns."""
    rec = load_sale(db_session(), sale_id, with_returns=True)
    return sale_json(rec, receipt_context().verify_url(rec.id), full=True)


@bp.post("/sales/<int:sale_id>/print")
@requires("cashier")
@bp.output(JobOut, status_code=202)
@bp.doc(responses={409: "printer_not_configured"})
def print_sale(sale_id: int) -> Any:
    """Print the sale's receipt again (as SALINAN)."""
    return reprint(db_session(), sale_id, receipt_context()).public()


@bp.post("/sales/<int:sale_id>/void")
@requires("cashier")
@bp.input(VoidIn, arg_name="body")
@bp.output(SaleDetailOut)
@bp.doc(responses={403: "a manager's PIN is needed",
                   409: "sale_already_voided; no_open_shift when cash is given back and the "
                   "user has no open shift",
                   429: "too_many_attempts: five wrong approvals in a row (Retry-After)"})
def void_sale(sale_id: int, body: VoidIn) -> Any:
    """Void a whole sale with a manager's approval: stock and entitlement go back."""
    s = db_session()
    approver = _approver(body.approver)
    voids.void_sale(s, sale_id, body.reason, approver_id=approver.id,
                    receipts=receipt_context())
    rec = load_sale(s, sale_id, with_returns=True)
    return sale_json(rec, receipt_context().verify_url(rec.id), full=True)


@bp.post("/sales/<int:sale_id>/returns")
@requires("cashier")
@bp.input(ReturnIn, arg_name="body")
@bp.output(ReturnOut, status_code=201)
@bp.doc(responses={403: "a manager's PIN is needed",
                   409: "sale_already_voided; no_open_shift when cash is given back and the "
                   "user has no open shift",
                   429: "too_many_attempts: five wrong approvals in a row (Retry-After)"})
def return_goods(sale_id: int, body: ReturnIn) -> Any:
    """Take back part of a sale with a manager's approval (see `pos.voids` for the refund)."""
    approver = _approver(body.approver)
    return voids.return_lines(db_session(), sale_id,
                              [(ln.sale_line_id, ln.quantity) for ln in body.lines],
                              body.reason, approver_id=approver.id)
