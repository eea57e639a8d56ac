"""The BPNT section: KPM served, what their cards redeemed, and for which commodity groups."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from aid.models import Beneficiary, EntitlementEntry
from ewarung.money import split
from inventory.models import COMMODITY_GROUPS
from kube.report.period import Period
from kube.report.sales import completed_in, share
from pos.checkout import NOT_ELIGIBLE
from pos.models import Sale, SaleLine, Tender


def _net_redemptions(period: Period) -> Any:
    """Per KPM: the month's redemptions net of their reversals (negative: redeemed)."""
    return (select(EntitlementEntry.beneficiary_id.label("kpm"),
                   func.sum(EntitlementEntry.amount).label("net"))
            .where(EntitlementEntry.period == period.label,
                   EntitlementEntry.kind.in_(("redemption", "reversal")))
            .group_by(EntitlementEntry.beneficiary_id)
            .having(func.sum(EntitlementEntry.amount) < 0))


def bpnt_section(session: Session, period: Period, refunds: int) -> dict[str, Any]:
    """Active and served KPM, total redeemed, average per KPM, by group, KPM not served."""
    served = _net_redemptions(period).subquery()
    count, net = session.execute(
        select(func.count(served.c.kpm), func.coalesce(func.sum(served.c.net), 0))).one()
    redeemed = -int(net)
    active = session.scalar(select(func.count(Beneficiary.id))
                            .where(Beneficiary.active.is_(True))) or 0
    not_served = [{"id": bid, "name": name, "village": village} for bid, name, village in
                  session.execute(
                      select(Beneficiary.id, Beneficiary.name, Beneficiary.village)
                      .where(Beneficiary.active.is_(True),
                             Beneficiary.id.not_in(select(served.c.kpm)))
                      .order_by(Beneficiary.village, Beneficiary.name, Beneficiary.id))]
    served_active = active - len(not_served)
    by_group = tender_by_group(session, period)
    return {
        "active_kpm": active, "served_kpm": int(count), "served_active_kpm": served_active,
        "served_share": share(served_active, active), "redeemed": redeemed,
        "average_per_kpm": round(Fraction(redeemed, count)) if count else 0,
        "by_group": by_group, "paid_at_till": sum(by_group.values()), "refunds": refunds,
        "not_served": not_served,
    }


def tender_by_group(session: Session, period: Period) -> dict[str, int]:
    """What BPNT paid for, per commodity group: each tender split over its eligible lines.

    Most tenders pay exactly their eligible lines: those lines are summed by group in SQL
    (they come back under sale 0). The lines of tenders that paid part of them come back
    one by one and are split in Python with `ewarung.money.split`. One query does both.
    """
    eligible_line = SaleLine.commodity_group != NOT_ELIGIBLE
    paid = (select(Tender.sale_id.label("sale_id"), func.sum(Tender.amount).label("bpnt"))
            .join(Sale, Sale.id == Tender.sale_id)
            .where(completed_in(period), Tender.kind == "bpnt")
            .group_by(Tender.sale_id).subquery())
    sales = (select(paid.c.sale_id, paid.c.bpnt, func.sum(SaleLine.amount).label("eligible"))
             .join(SaleLine, SaleLine.sale_id == paid.c.sale_id).where(eligible_line)
             .group_by(paid.c.sale_id, paid.c.bpnt).subquery())
    whole = sales.c.bpnt == sales.c.eligible
    sale_key = case((whole, 0), else_=SaleLine.sale_id)
    line_key = case((whole, 0), else_=SaleLine.id)
    bpnt_key = case((whole, 0), else_=sales.c.bpnt)
    out = dict.fromkeys(COMMODITY_GROUPS, 0)
    partial: dict[int, tuple[int, list[tuple[str, int]]]] = {}
    for sale_id, _, bpnt, group, amount in session.execute(
            select(sale_key, line_key, bpnt_key, SaleLine.commodity_group,
                   func.sum(SaleLine.amount))
            .join(sales, sales.c.sale_id == SaleLine.sale_id).where(eligible_line)
            .group_by(sale_key, line_key, bpnt_key, SaleLine.commodity_group)
            .order_by(sale_key, line_key)):
        if sale_id == 0:
            out[group] += int(amount)
        else:
            partial.setdefault(sale_id, (int(bpnt), []))[1].append((group, int(amount)))
    for bpnt, lines in partial.values():
        if not any(amount for _, amount in lines):
            continue  # nothing eligible has a price: the tender cannot be placed
        for (group, _), part in zip(lines, split(bpnt, [a for _, a in lines]), strict=True):
            out[group] += part
    out.pop(NOT_ELIGIBLE, None)
    return out
