"""Penyesuaian bulan sebelumnya: what happened in a month to sales of months already closed.

A closed month's report never changes (`kube.report.closing`). A return or a void recorded
after the close, of a sale made in a closed month, is shown in the report of the month it was
recorded in: the return's value, its cost and its refunds (BPNT given back to the card counts
in the closed month's entitlement period), and the voided sale's total.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from ewarung.clock import next_month, parse_month
from kube.models import ClosedMonth
from kube.report.period import Period
from pos.models import Sale, SaleReturn, SaleReturnLine


def _after_close(session: Session, period: Period, moment: Any) -> Any:
    """The condition: a sale made in an earlier month that was closed before `moment`."""
    cond: Any = false()
    for month, closed_at in session.execute(
            select(ClosedMonth.month, ClosedMonth.closed_at)
            .where(ClosedMonth.month < period.label).order_by(ClosedMonth.month)):
        first = parse_month(month)
        cond = or_(cond, (Sale.business_day >= first) & (Sale.business_day < next_month(first))
                   & (moment > closed_at))
    return cond


def adjustments_section(session: Session, period: Period) -> dict[str, Any]:
    """Returns and voids recorded in the month of sales of earlier, closed months."""
    returned = _after_close(session, period, SaleReturn.created_at)
    returns = [
        {"sale": number, "month": day.isoformat()[:7], "sale_day": day.isoformat(),
         "day": period.local_day(at).isoformat(), "amount": int(amount), "cost": int(cost),
         "refund_bpnt": int(bpnt), "refund_cash": int(cash), "reason": reason}
        for number, day, at, amount, cost, bpnt, cash, reason in session.execute(
            select(Sale.number, Sale.business_day, SaleReturn.created_at,
                   func.sum(SaleReturnLine.amount), func.sum(SaleReturnLine.cost),
                   SaleReturn.refund_bpnt, SaleReturn.refund_cash, SaleReturn.reason)
            .join(Sale, Sale.id == SaleReturn.sale_id)
            .join(SaleReturnLine, SaleReturnLine.return_id == SaleReturn.id)
            .where(SaleReturn.created_at >= period.start, SaleReturn.created_at < period.end,
                   Sale.status == "completed", returned)
            .group_by(SaleReturn.id, Sale.number, Sale.business_day, SaleReturn.created_at,
                      SaleReturn.refund_bpnt, SaleReturn.refund_cash, SaleReturn.reason)
            .order_by(SaleReturn.created_at, SaleReturn.id))]
    voided = _after_close(session, period, Sale.voided_at)
    voids = [{"sale": number, "month": day.isoformat()[:7], "sale_day": day.isoformat(),
              "day": period.local_day(at).isoformat() if at else None, "total": int(total),
              "reason": reason or ""}
             for number, day, at, total, reason in session.execute(
                 select(Sale.number, Sale.business_day, Sale.voided_at, Sale.total,
                        Sale.void_reason)
                 .where(Sale.voided_at >= period.start, Sale.voided_at < period.end, voided)
                 .order_by(Sale.voided_at, Sale.id))]
    return {"count": len(returns), "total": sum(r["amount"] for r in returns),
            "cost": sum(r["cost"] for r in returns),
            "bpnt_refunds": sum(r["refund_bpnt"] for r in returns),
            "cash_refunds": sum(r["refund_cash"] for r in returns),
            "void_count": len(voids), "void_total": sum(v["total"] for v in voids),
            "returns": returns, "voids": voids}
