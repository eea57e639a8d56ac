"""The sales and profit sections: takings by tender and by day, cost of goods, gross profit.

One aggregate query per figure group, each bounded by the indexed business day (sales) or
creation time (returns); see `kube.report` for what each figure means.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.models import COMMODITY_GROUPS, Product
from inventory.planning import percent
from kube.report.period import Period
from pos.models import Sale, SaleLine, SaleReturn, SaleReturnLine, Tender

TENDER_GROUPS = {"bpnt": "bpnt", "cash": "cash", "qris": "other", "transfer": "other"}
TOP_PRODUCTS = 10


def completed_in(period: Period) -> Any:
    """The condition: a completed sale of the month's business days."""
    return (Sale.business_day >= period.first) & (Sale.business_day < period.after) & (
        Sale.status == "completed")


def returns_in(period: Period) -> Any:
    """The condition: a return recorded in the month, of a sale that was not voided."""
    return (SaleReturn.created_at >= period.start) & (SaleReturn.created_at < period.end) & (
        Sale.status == "completed")


def share(part: int, whole: int) -> float:
    """`part` as a percentage of `whole` (0 when there is no whole)."""
    return percent(Fraction(part, whole)) if whole else 0.0


def sales_section(session: Session, period: Period) -> dict[str, Any]:
    """Takings: gross, returns, net, by tender, count, average basket, by day, voids."""
    count, gross = session.execute(
        select(func.count(Sale.id), func.coalesce(func.sum(Sale.total), 0))
        .where(completed_in(period))).one()
    paid = dict.fromkeys(("bpnt", "cash", "other"), 0)
    for kind, amount in session.execute(
            select(Tender.kind, func.sum(Tender.amount)).join(Sale, Sale.id == Tender.sale_id)
            .where(completed_in(period)).group_by(Tender.kind)):
        paid[TENDER_GROUPS[kind]] += int(amount)
    cash_back, bpnt_back = session.execute(
        select(func.coalesce(func.sum(SaleReturn.refund_cash), 0),
               func.coalesce(func.sum(SaleReturn.refund_bpnt), 0))
        .join(Sale, Sale.id == SaleReturn.sale_id).where(returns_in(period))).one()
    refunds = {"bpnt": int(bpnt_back), "cash": int(cash_back), "other": 0}
    returned = int(session.scalar(
        select(func.coalesce(func.sum(SaleReturnLine.amount), 0))
        .join(SaleReturn, SaleReturn.id == SaleReturnLine.return_id)
        .join(Sale, Sale.id == SaleReturn.sale_id).where(returns_in(period))) or 0)
    total = int(gross) - returned
    by_tender = {k: {"gross": paid[k], "refunds": refunds[k], "net": paid[k] - refunds[k]}
                 for k in paid}
    return {
        "gross": int(gross), "returns": returned, "total": total, "count": int(count),
        "average_basket": round(Fraction(int(gross), count)) if count else 0,
        "by_tender": by_tender,
        "tender_difference": total - sum(t["net"] for t in by_tender.values()),
        "by_day": _by_day(session, period),
    }


def _by_day(session: Session, period: Period) -> list[dict[str, Any]]:
    rows = {day: (n, int(t)) for day, n, t in session.execute(
        select(Sale.business_day, func.count(Sale.id), func.sum(Sale.total))
        .where(completed_in(period)).group_by(Sale.business_day))}
    return [{"day": day.isoformat(), "count": rows.get(day, (0, 0))[0],
             "total": rows.get(day, (0, 0))[1]} for day in period.days()]


def _net_by(session: Session, period: Period, key: Any) -> dict[Any, list[Any]]:
    """Per `key` (a sale line column): [sales, cost, quantity] of the month, returns netted."""
    out: dict[Any, list[Any]] = {}
    for k, amount, cost, qty in session.execute(
            select(key, func.sum(SaleLine.amount), func.sum(SaleLine.cost),
                   func.sum(SaleLine.quantity))
            .join(Sale, Sale.id == SaleLine.sale_id).where(completed_in(period))
            .group_by(key)):
        out[k] = [int(amount), int(cost), qty]
    for k, amount, cost, qty in session.execute(
            select(key, func.sum(SaleReturnLine.amount), func.sum(SaleReturnLine.cost),
                   func.sum(SaleReturnLine.quantity))
            .select_from(SaleReturnLine)
            .join(SaleLine, SaleLine.id == SaleReturnLine.sale_line_id)
            .join(SaleReturn, SaleReturn.id == SaleReturnLine.return_id)
            .join(Sale, Sale.id == SaleReturn.sale_id).where(returns_in(period))
            .group_by(key)):
        entry = out.setdefault(k, [0, 0, Decimal("0.000")])
        entry[0] -= int(amount)
        entry[1] -= int(cost)
        entry[2] -= qty
    return out


def _figures(sales: int, cost: int) -> dict[str, Any]:
    return {"sales": sales, "cogs": cost, "gross_profit": sales - cost,
            "margin": share(sales - cost, sales)}


def profit_section(session: Session, period: Period, expenses: int) -> dict[str, Any]:
    """Cost of goods sold, gross profit and margin, by commodity group and top products."""
    groups = _net_by(session, period, SaleLine.commodity_group)
    sales = sum(v[0] for v in groups.values())
    cost = sum(v[1] for v in groups.values())
    return {**_figures(sales, cost), "expenses": expenses,
            "net_profit": sales - cost - expenses,
            "by_group": {g: _figures(*groups.get(g, [0, 0, 0])[:2]) for g in COMMODITY_GROUPS},
            "top_products": _top_products(session, period)}


def _top_products(session: Session, period: Period) -> list[dict[str, Any]]:
    per_product = _net_by(session, period, SaleLine.product_id)
    top = sorted(per_product.items(), key=lambda kv: (-kv[1][0], kv[0]))[:TOP_PRODUCTS]
    names = {pid: (name, unit) for pid, name, unit in session.execute(
        select(Product.id, Product.name, Product.unit)
        .where(Product.id.in_([pid for pid, _ in top])))}
    return [{"product_id": pid, "name": names[pid][0], "unit": names[pid][1],
             "quantity": str(qty), **_figures(amount, cost)}
            for pid, (amount, cost, qty) in top]
