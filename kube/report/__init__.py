"""The monthly KUBE report: what the shop took, what it cost, what is left to share.

`monthly_report(session, "YYYY-MM")` returns the report as JSON-ready data; the formats
(HTML, PDF, XLSX, CSV, the thermal summary) only lay it out. All money is whole Rupiah;
shares and margins are percentages with one decimal. The month is the shop's local month.

Definitions:

- **Sales** are completed sales whose business day falls in the month. A voided sale is not
  a sale: it counts nowhere but in the integrity section's list of voids. *Gross* is the
  total of those sales; *returns* is the selling value of goods brought back during the
  month (by when the return was recorded, of sales that were not voided, whatever month
  they were sold in); the sales *total* is gross less returns. *Number of sales* and
  *average basket* (gross ÷ number, rounded) describe the till; *by day* gives each day's
  gross and number.
- **By tender**: what each tender paid of the month's sales (BPNT; cash, the amount kept,
  not the cash handed over; other = QRIS and transfer), less the refunds of the month's
  returns paid back the same way (cash or to the KPM's card). The net tenders add up to
  the sales total; `tender_difference` shows any gap and must be 0.
- **BPNT** comes from the entitlement ledger of the month (period = the month): *redeemed*
  is redemptions less their reversals (a void gives back everything, a return its BPNT
  part). A KPM is *served* when its net redemption in the month is above zero (a KPM whose
  only purchase was voided was not served). *Active KPM* are those marked active now;
  the share served and the list of KPM not served are of active KPM. *Average per KPM* is
  redeemed ÷ served. *By commodity group* is what BPNT paid for at the till: each BPNT
  tender of the month's sales split over its sale's eligible lines in proportion to their
  amounts (`ewarung.money.split`, so a tender's parts add up to it); their sum is
  `paid_at_till`, and `refunds` is what returns gave back to cards.
- **Cost of goods sold (COGS)** is the value of the stock batches the month's sales
  consumed (each line's `cost`), less the cost put back by the month's returns. *Gross
  profit* = sales total − COGS; *margin* = gross profit ÷ sales total. The same per
  commodity group and for the ten products with the highest net sales.
- **Expenses** are the month's operating expenses that were not voided, by category.
  *Net profit* = gross profit − expenses.
- **SHU**: the net profit split into the KUBE's buckets and the members' bucket among
  active members (`kube.shu.allocate`): the parts add up to the Rupiah. A loss (or zero)
  shares nothing, and the report says so.
- **Stock** follows the stock ledger by when each movement happened: *opening* is the value
  of every movement before the month; *purchases* are goods receipts net of reversing
  receipts; *COGS* is what sales took out (voided sales included) and *returns* what came
  back (returns and voids), so COGS − returns here equals the COGS above when sales, voids
  and returns fall in the same month; *adjustments* are hand corrections and overdraft
  settlements (signed); *shrinkage* is what stocktakes found missing, net of what they
  found extra; *write-offs* are expired, damaged or lost goods. *Closing* is the batches'
  balance less the movements after the month, and opening + purchases − COGS + returns
  ± adjustments − shrinkage − write-offs = closing, to the Rupiah: `difference` must be 0.
- **Suppliers** is inventory's dependency report of the month (purchases by the receipts'
  delivery date, so a delivery entered days late counts in the month it arrived, unlike
  stock purchases above).
- **Integrity (6T)**: sale lines priced above the market reference (the excess is
  (price − reference) × quantity, summed); attempts the till refused, by rule; possible
  bundles (see `kube.report.integrity`); bank reconciliations covering the month's days;
  voids of the month's sales and the month's returns, with their reasons.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ewarung.db import utcnow
from ewarung.shop import get_outlet
from kube import services
from kube.models import EXPENSE_CATEGORIES, Expense
from kube.report.adjustments import adjustments_section
from kube.report.bpnt import bpnt_section
from kube.report.integrity import integrity_section
from kube.report.period import Period, period_of
from kube.report.sales import profit_section, sales_section
from kube.report.stock import stock_section, suppliers_section
from kube.shu import allocate

__all__ = ["Period", "monthly_report", "period_of"]


def monthly_report(session: Session, month: str) -> dict[str, Any]:
    """The report of `month` (YYYY-MM) as JSON-ready data."""
    period = period_of(session, month)
    sales = sales_section(session, period)
    expenses = expenses_section(session, period)
    profit = profit_section(session, period, expenses["total"])
    return {
        "month": period.label, "first_day": period.first.isoformat(),
        "last_day": period.last.isoformat(), "generated_at": utcnow().isoformat(),
        "outlet": _outlet(session),
        "sales": sales,
        "bpnt": bpnt_section(session, period, sales["by_tender"]["bpnt"]["refunds"]),
        "profit": profit,
        "expenses": expenses,
        "shu": shu_section(session, profit["net_profit"]),
        "stock": stock_section(session, period),
        "suppliers": suppliers_section(session, period),
        "integrity": integrity_section(session, period),
        "adjustments": adjustments_section(session, period),
        "sign_off": sign_off(session, period),
        "closed": None,
    }


def expenses_section(session: Session, period: Period) -> dict[str, Any]:
    """The month's operating expenses (voided ones left out), by category."""
    by_category = dict.fromkeys(EXPENSE_CATEGORIES, 0)
    for category, amount in session.execute(
            select(Expense.category, func.sum(Expense.amount))
            .where(Expense.spent_on >= period.first, Expense.spent_on < period.after,
                   Expense.voided_at.is_(None)).group_by(Expense.category)):
        by_category[category] = int(amount)
    return {"total": sum(by_category.values()), "by_category": by_category}


def shu_section(session: Session, net_profit: int) -> dict[str, Any]:
    """The net profit shared into buckets and among active members."""
    percentages, mode = services.shu_settings(session)
    members = [(m.id, m.name, m.weight) for m in services.active_members(session)]
    shu = allocate(net_profit, percentages, members, mode)
    return {"net_profit": net_profit, "loss": shu.loss,
            "percentages": {k: str(v) for k, v in percentages.items()},
            "buckets": shu.buckets, "member_split": mode,
            "members": [{"id": m.member_id, "name": m.name, "weight": str(m.weight),
                         "amount": m.amount} for m in shu.members]}


def _outlet(session: Session) -> dict[str, str]:
    outlet = get_outlet(session)
    fields = ("name", "kube_name", "address", "village", "district", "ewarong_id")
    return {f: (getattr(outlet, f) if outlet else "") for f in fields}


def sign_off(session: Session, period: Period) -> dict[str, Any]:
    """Who signs the report (the active ketua and bendahara), where and when."""
    members = services.active_members(session)
    outlet = get_outlet(session)

    def holder(position: str) -> str | None:
        return next((m.name for m in members if m.position == position), None)

    return {"ketua": holder("ketua"), "bendahara": holder("bendahara"),
            "place": (outlet.village or outlet.district) if outlet else "",
            "date": period.local_day(utcnow()).isoformat()}
