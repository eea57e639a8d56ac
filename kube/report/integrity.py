"""Program integrity (6T): prices above the reference, refusals, bundles, bank, voids, returns.

Bundles ("paket"): a basket is the set of products with their quantities (lines of one
product added up). A basket bought by at least `kube.bundle_min_kpm` distinct KPM in the
month, with at least `kube.bundle_min_items` products, is flagged for review. SQL reduces
each KPM sale to a fingerprint (number and sum of its distinct products, total quantity,
and the quantity-weighted sum of product ids): identical baskets always share one, so only
sales in a fingerprint bought by enough KPM are read back and compared exactly.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, func, select, type_coerce
from sqlalchemy.orm import Session

from aid.models import ReconciliationRun
from aid.reconcile import STATUSES
from ewarung import audit
from ewarung.errors import N_, ValidationFailed
from ewarung.money import round_rupiah
from ewarung.shop import get_setting, register_setting, set_setting
from kube.report.period import Period
from kube.report.sales import completed_in
from pos.models import Sale, SaleLine, SaleRefusal, SaleReturn, SaleReturnLine

BUNDLE_MIN_KPM = register_setting(
    "kube.bundle_min_kpm", 20,
    N_("Keranjang yang sama dibeli oleh berapa KPM dianggap paket (laporan 6T)"))
BUNDLE_MIN_ITEMS = register_setting(
    "kube.bundle_min_items", 2, N_("Paket paling sedikit berisi berapa jenis barang"))
#: lists longer than this show their first rows; counts and totals always cover all
LIST_LIMIT = 100


def bundle_rule(session: Session) -> tuple[int, int]:
    """(distinct KPM, products) from which a repeated basket is flagged as a bundle."""
    return (int(get_setting(session, BUNDLE_MIN_KPM.key)),
            int(get_setting(session, BUNDLE_MIN_ITEMS.key)))


def set_bundle_rule(session: Session, min_kpm: int, min_items: int) -> None:
    """Change when a repeated basket is flagged (at least 2 KPM, at least 1 product)."""
    if min_kpm < 2 or min_kpm > 100_000:
        raise ValidationFailed.field("min_kpm", N_("Paling sedikit 2 KPM."))
    if min_items < 1 or min_items > 100:
        raise ValidationFailed.field("min_items", N_("Paling sedikit 1 jenis barang."))
    before = bundle_rule(session)
    set_setting(session, BUNDLE_MIN_KPM.key, min_kpm)
    set_setting(session, BUNDLE_MIN_ITEMS.key, min_items)
    audit.record(session, "kube.bundle_rule", before={"min_kpm": before[0],
                                                      "min_items": before[1]},
                 after={"min_kpm": min_kpm, "min_items": min_items})


def integrity_section(session: Session, period: Period) -> dict[str, Any]:
    """Every 6T check of the month."""
    return {"above_reference": above_reference(session, period),
            "refusals": refusals(session, period), "bundles": bundles(session, period),
            "reconciliation": reconciliation(session, period),
            "voids": voids(session, period), "returns": returns(session, period)}


def above_reference(session: Session, period: Period) -> dict[str, Any]:
    """Lines sold above the market reference price (tepat harga)."""
    above = completed_in(period) & SaleLine.reference_price.is_not(None) & (
        SaleLine.unit_price > SaleLine.reference_price)
    milli = type_coerce(SaleLine.quantity, BigInteger)
    count, amount, excess = session.execute(
        select(func.count(SaleLine.id), func.coalesce(func.sum(SaleLine.amount), 0),
               func.coalesce(func.sum((SaleLine.unit_price - SaleLine.reference_price)
                                      * milli), 0))
        .join(Sale, Sale.id == SaleLine.sale_id).where(above)).one()
    lines = [{"sale": number, "day": day.isoformat(), "product": name,
              "quantity": str(qty), "unit_price": price, "reference_price": ref}
             for number, day, name, qty, price, ref in session.execute(
                 select(Sale.number, Sale.business_day, SaleLine.name, SaleLine.quantity,
                        SaleLine.unit_price, SaleLine.reference_price)
                 .join(Sale, Sale.id == SaleLine.sale_id).where(above)
                 .order_by(Sale.business_day, SaleLine.id).limit(LIST_LIMIT))]
    return {"count": int(count), "amount": int(amount),
            "excess": round_rupiah(Decimal(int(excess)) / 1000), "lines": lines}


def refusals(session: Session, period: Period) -> dict[str, Any]:
    """Sales the till refused for a program rule, by the rule's code."""
    by_code = {code: n for code, n in session.execute(
        select(SaleRefusal.code, func.count(SaleRefusal.id))
        .where(SaleRefusal.at >= period.start, SaleRefusal.at < period.end)
        .group_by(SaleRefusal.code).order_by(SaleRefusal.code))}
    return {"count": sum(by_code.values()), "by_code": by_code}


def bundles(session: Session, period: Period) -> dict[str, Any]:
    """Baskets bought by at least the threshold of distinct KPM (possible fixed bundles)."""
    min_kpm, min_items = bundle_rule(session)
    milli = type_coerce(SaleLine.quantity, BigInteger)
    prints = (select(SaleLine.sale_id.label("sale_id"), Sale.beneficiary_id.label("kpm"),
                     func.count(SaleLine.product_id.distinct()).label("n"),
                     func.sum(SaleLine.product_id.distinct()).label("ids"),
                     func.sum(milli).label("qty"),
                     func.sum(SaleLine.product_id * milli).label("weighted"))
              .join(Sale, Sale.id == SaleLine.sale_id)
              .where(completed_in(period), Sale.beneficiary_id.is_not(None))
              .group_by(SaleLine.sale_id, Sale.beneficiary_id).subquery())
    keys = (prints.c.n, prints.c.ids, prints.c.qty, prints.c.weighted)
    common = (select(*keys).where(prints.c.n >= min_items).group_by(*keys)
              .having(func.count(prints.c.kpm.distinct()) >= min_kpm).subquery())
    suspects = select(prints.c.sale_id).join(common, (prints.c.n == common.c.n) & (
        prints.c.ids == common.c.ids) & (prints.c.qty == common.c.qty) & (
        prints.c.weighted == common.c.weighted))
    baskets: dict[int, dict[int, Decimal]] = defaultdict(dict)
    owner: dict[int, int | None] = {}
    names: dict[int, tuple[str, str]] = {}
    for sale_id, kpm, pid, name, unit, qty in session.execute(
            select(SaleLine.sale_id, Sale.beneficiary_id, SaleLine.product_id, SaleLine.name,
                   SaleLine.unit, SaleLine.quantity)
            .join(Sale, Sale.id == SaleLine.sale_id).where(SaleLine.sale_id.in_(suspects))):
        baskets[sale_id][pid] = baskets[sale_id].get(pid, Decimal(0)) + qty
        owner[sale_id] = kpm
        names.setdefault(pid, (name, unit))
    return {"min_kpm": min_kpm, "min_items": min_items,
            "baskets": _flagged(baskets, owner, names, min_kpm)}


def _flagged(baskets: dict[int, dict[int, Decimal]], owner: dict[int, int | None],
             names: dict[int, tuple[str, str]], min_kpm: int) -> list[dict[str, Any]]:
    """Exact comparison of the suspect sales' baskets."""
    same: dict[frozenset[tuple[int, Decimal]], list[int]] = defaultdict(list)
    for sale_id, items in baskets.items():
        same[frozenset(items.items())].append(sale_id)
    out = []
    for basket, sale_ids in same.items():
        kpm = {owner[s] for s in sale_ids}
        if len(kpm) >= min_kpm:
            listed = [{"product_id": pid, "name": names[pid][0], "unit": names[pid][1],
                       "quantity": str(qty)} for pid, qty in sorted(basket)]
            out.append({"items": listed, "kpm": len(kpm), "sales": len(sale_ids)})
    return sorted(out, key=lambda b: (-b["kpm"], b["items"][0]["product_id"]))


def reconciliation(session: Session, period: Period) -> dict[str, Any]:
    """Bank reconciliations whose days fall in the month, and their totals."""
    runs = session.scalars(select(ReconciliationRun).where(
        ReconciliationRun.first_day <= period.last, ReconciliationRun.last_day >= period.first)
        .order_by(ReconciliationRun.id)).all()
    fields = (*STATUSES, "unreadable", "bank_total", "shop_total")
    listed = [{"id": r.id, "filename": r.filename, "first_day": _iso(r.first_day),
               "last_day": _iso(r.last_day), **{f: getattr(r, f) for f in fields}}
              for r in runs]
    return {"runs": listed, **{f: sum(r[f] for r in listed) for f in fields}}


def _iso(day: Any) -> str | None:
    return day.isoformat() if day is not None else None


def voids(session: Session, period: Period) -> dict[str, Any]:
    """Sales of the month that were voided, with the reasons."""
    in_month = (Sale.business_day >= period.first) & (Sale.business_day < period.after) & (
        Sale.status == "voided")
    count, total = session.execute(select(func.count(Sale.id),
                                          func.coalesce(func.sum(Sale.total), 0))
                                   .where(in_month)).one()
    rows = [{"sale": number, "day": day.isoformat(), "total": amount, "reason": reason or ""}
            for number, day, amount, reason in session.execute(
                select(Sale.number, Sale.business_day, Sale.total, Sale.void_reason)
                .where(in_month).order_by(Sale.business_day, Sale.id).limit(LIST_LIMIT))]
    return {"count": int(count), "total": int(total), "list": rows}


def returns(session: Session, period: Period) -> dict[str, Any]:
    """Returns recorded in the month (of sales not voided), with the reasons."""
    amounts = (select(SaleReturnLine.return_id.label("id"),
                      func.sum(SaleReturnLine.amount).label("amount"))
               .group_by(SaleReturnLine.return_id).subquery())
    in_month = (SaleReturn.created_at >= period.start) & (SaleReturn.created_at < period.end) & (
        Sale.status == "completed")
    stmt = (select(Sale.number, SaleReturn.created_at, amounts.c.amount, SaleReturn.refund_cash,
                   SaleReturn.refund_bpnt, SaleReturn.reason)
            .join(Sale, Sale.id == SaleReturn.sale_id)
            .join(amounts, amounts.c.id == SaleReturn.id).where(in_month))
    listed = stmt.subquery()
    count, total = session.execute(select(func.count(), func.coalesce(
        func.sum(listed.c.amount), 0)).select_from(listed)).one()
    rows = [{"sale": number, "day": period.local_day(at).isoformat(), "amount": int(amount),
             "refund_cash": cash, "refund_bpnt": bpnt, "reason": reason}
            for number, at, amount, cash, bpnt, reason in session.execute(
                stmt.order_by(SaleReturn.created_at, SaleReturn.id).limit(LIST_LIMIT))]
    return {"count": int(count), "total": int(total), "list": rows}

