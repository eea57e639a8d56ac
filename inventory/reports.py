"""Read-only views of stock: on hand with batches, expiry, reorder list, supplier dependency."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ewarung.clock import day_start_utc, next_month, previous_months
from ewarung.errors import N_
from ewarung.shop import get_setting, register_setting, shop_timezone
from inventory import planning
from inventory.models import (
    GoodsReceipt,
    GoodsReceiptLine,
    Product,
    StockBatch,
    StockMove,
    Supplier,
)

register_setting("inventory.reorder_cover_days", 14,
                 N_("Persediaan untuk berapa hari saat memesan ulang"))
register_setting("inventory.expiry_warning_days", 7,
                 N_("Peringatan kedaluwarsa, berapa hari sebelumnya"))


@dataclass(frozen=True)
class BatchLine:
    """A batch with stock left."""

    id: int
    expires_on: date | None
    quantity: Decimal
    value: int
    unit_cost: int
    label: str
    supplier: str
    overdraft: bool


@dataclass
class StockLine:
    """One product's stock."""

    product_id: int
    sku: str
    name: str
    unit: str
    on_hand: Decimal = Decimal("0.000")
    value: int = 0
    reorder_point: Decimal = Decimal("0.000")
    batches: list[BatchLine] = field(default_factory=list)


def stock_overview(session: Session, product_ids: Sequence[int] | None = None,
                   include_inactive: bool = False) -> list[StockLine]:
    """On hand, value and live batches (FEFO order) of each product."""
    stmt = select(Product.id, Product.sku, Product.name, Product.unit, Product.reorder_point)
    if product_ids is not None:
        stmt = stmt.where(Product.id.in_(product_ids))
    elif not include_inactive:
        stmt = stmt.where(Product.active.is_(True))
    lines = {r.id: StockLine(r.id, r.sku, r.name, r.unit, reorder_point=r.reorder_point)
             for r in session.execute(stmt.order_by(Product.search_key, Product.id))}
    batches = (select(StockBatch, Supplier.name).outerjoin(Supplier)
               .where(StockBatch.quantity_left != 0))
    if product_ids is not None:
        batches = batches.where(StockBatch.product_id.in_(product_ids))
    for batch, supplier in session.execute(batches):
        line = lines.get(batch.product_id)
        if line is None:
            continue
        line.on_hand += batch.quantity_left
        line.value += batch.value_left
        line.batches.append(BatchLine(batch.id, batch.expires_on, batch.quantity_left,
                                      batch.value_left, batch.unit_cost, batch.label,
                                      supplier or "", batch.overdraft))
    for line in lines.values():
        line.batches.sort(key=lambda b: (b.expires_on is None, b.expires_on or date.min, b.id))
    return list(lines.values())


@dataclass(frozen=True)
class Expiring:
    """A batch expiring soon (or already expired) with stock left."""

    batch_id: int
    product_id: int
    name: str
    unit: str
    expires_on: date
    days_left: int
    quantity: Decimal
    value: int
    supplier: str


def expiring(session: Session, within_days: int, today: date) -> list[Expiring]:
    """Batches expiring within `within_days` of `today`, expired ones included, soonest first."""
    rows = session.execute(
        select(StockBatch, Product.name, Product.unit, Supplier.name.label("supplier"))
        .join(Product, Product.id == StockBatch.product_id).outerjoin(Supplier)
        .where(StockBatch.quantity_left > 0, StockBatch.expires_on.is_not(None),
               StockBatch.expires_on <= today + timedelta(days=within_days))
        .order_by(StockBatch.expires_on, Product.search_key, StockBatch.id))
    out = []
    for batch, name, unit, supplier in rows:
        assert batch.expires_on is not None
        out.append(Expiring(batch.id, batch.product_id, name, unit, batch.expires_on,
                            (batch.expires_on - today).days, batch.quantity_left,
                            batch.value_left, supplier or ""))
    return out


@dataclass
class PurchaseList:
    """What to order from one supplier (supplier None: no supplier known yet)."""

    supplier_id: int | None
    supplier: str
    kind: str
    lead_time_days: int
    items: list[planning.Suggestion] = field(default_factory=list)

    @property
    def estimated_cost(self) -> int:
        """What the order will roughly cost at the latest unit costs."""
        return sum(item.estimated_cost for item in self.items)


def reorder_list(session: Session, today: date, cover_days: int | None = None
                 ) -> list[PurchaseList]:
    """Reorder suggestions from the last 28 days of sales, grouped by supplier."""
    cover = cover_days if cover_days is not None else int(
        get_setting(session, "inventory.reorder_cover_days"))
    since = day_start_utc(today - timedelta(days=planning.SALES_WINDOW_DAYS - 1),
                          shop_timezone(session))
    sold = dict(session.execute(
        select(StockMove.product_id, -func.sum(StockMove.quantity))
        .where(StockMove.at >= since, StockMove.kind.in_(("sale", "return")))
        .group_by(StockMove.product_id)).all())
    on_hand = dict(session.execute(
        select(StockBatch.product_id, func.sum(StockBatch.quantity_left))
        .where(StockBatch.quantity_left != 0).group_by(StockBatch.product_id)).all())
    source = _last_sources(session)
    suppliers = {s.id: s for s in session.scalars(select(Supplier))}
    groups: dict[int | None, PurchaseList] = {}
    for product in session.scalars(select(Product).where(Product.active.is_(True))
                                   .order_by(Product.search_key)):
        supplier_id, cost, shelf = source.get(product.id, (None, 0, None))
        supplier_id = product.preferred_supplier_id or supplier_id
        supplier = suppliers.get(supplier_id) if supplier_id else None
        item = planning.suggest(planning.StockPosition(
            product.id, product.name, product.unit, on_hand.get(product.id, Decimal(0)),
            sold.get(product.id, Decimal(0)), product.reorder_point,
            supplier.lead_time_days if supplier else 2, cost,
            shelf if product.tracks_expiry else None), cover)
        if item is None:
            continue
        key = supplier.id if supplier else None
        if key not in groups:
            groups[key] = PurchaseList(key, supplier.name if supplier else "",
                                       supplier.kind if supplier else "",
                                       supplier.lead_time_days if supplier else 2)
        groups[key].items.append(item)
    return sorted(groups.values(), key=lambda g: (g.supplier_id is None, g.supplier))


def _last_sources(session: Session) -> dict[int, tuple[int | None, int, int | None]]:
    """Per product: supplier, unit cost and shelf life in days of its newest received batch."""
    newest = (select(func.max(StockBatch.id)).where(StockBatch.receipt_id.is_not(None))
              .group_by(StockBatch.product_id).scalar_subquery())
    rows = session.execute(
        select(StockBatch.product_id, StockBatch.supplier_id, StockBatch.unit_cost,
               StockBatch.expires_on, GoodsReceipt.received_on)
        .join(GoodsReceipt, GoodsReceipt.id == StockBatch.receipt_id)
        .where(StockBatch.id.in_(newest)))
    return {pid: (sid, cost, (expires - received).days if expires else None)
            for pid, sid, cost, expires, received in rows}


def purchases(session: Session, month: date) -> list[planning.Purchase]:
    """A month's purchases per supplier and commodity group (reversals netted)."""
    rows = session.execute(
        select(Supplier.id, Supplier.name, Supplier.kind, Product.commodity_group,
               func.sum(GoodsReceiptLine.value))
        .select_from(GoodsReceiptLine)
        .join(GoodsReceipt, GoodsReceipt.id == GoodsReceiptLine.receipt_id)
        .join(Supplier, Supplier.id == GoodsReceipt.supplier_id)
        .join(Product, Product.id == GoodsReceiptLine.product_id)
        .where(GoodsReceipt.received_on >= month, GoodsReceipt.received_on < next_month(month))
        .group_by(Supplier.id, Supplier.name, Supplier.kind, Product.commodity_group))
    return [planning.Purchase(sid, name, kind, group, int(value))
            for sid, name, kind, group, value in rows]


def supplier_dependency(session: Session, month: date, trend_months: int = 6
                        ) -> tuple[planning.Dependency, list[tuple[date, planning.Dependency]]]:
    """The month's dependency and the trend over the months up to it (oldest first)."""
    trend = [(m, planning.dependency(purchases(session, m)))
             for m in previous_months(month, trend_months)]
    return trend[-1][1], trend


def dependency_json(month: date, dep: planning.Dependency,
                    trend: list[tuple[date, planning.Dependency]]) -> dict[str, Any]:
    """The dependency report as the API answers it (shares in percent)."""
    pct = planning.percent
    top = dep.top
    return {
        "month": f"{month:%Y-%m}", "total": dep.total,
        "by_kind": {k: {"value": v, "share": pct(dep.kind_share(k))}
                    for k, v in dep.by_kind.items()},
        "top_supplier": None if top is None else {
            "id": top.supplier_id, "name": top.name, "kind": top.kind, "value": top.value,
            "share": pct(top.share)},
        "hhi": round(float(dep.hhi), 1),
        "local_share": pct(dep.local_share),
        "suppliers": [{"id": s.supplier_id, "name": s.name, "kind": s.kind, "value": s.value,
                       "share": pct(s.share)} for s in dep.suppliers],
        "by_group": {g: {"total": s.total, "local_producer": s.local_producer,
                         "kube_member": s.kube_member, "local_share": pct(s.local_share)}
                     for g, s in dep.by_group.items()},
        "trend": [{"month": f"{m:%Y-%m}", "total": d.total,
                   "third_party_share": pct(d.kind_share("third_party")),
                   "local_share": pct(d.local_share),
                   "top_share": pct(d.top.share) if d.top else 0.0,
                   "hhi": round(float(d.hhi), 1)} for m, d in trend],
    }
