"""What to buy and from whom, as plain functions: reorder suggestions and supplier dependency.

Reorder (order up to a target, reviewed whenever the shop plans its buying): with `rate`
the average daily sales of the last 28 days, the target is what covers the supplier's lead
time and the cover period on top of the reorder point, rate × (lead + cover) + reorder
point; an item below its target is bought up to it, rounded up to whole units. Goods that
expire are never bought for longer than they keep (the shelf life of their latest batch).

Dependency: for one month's purchases (receipt line values, reversals netted), the value
per supplier kind, the top supplier's share, the Herfindahl–Hirschman index (the sum of the
squared percentage shares of the suppliers: 10,000 is a single supplier; above 2,500 is
commonly read as highly concentrated) and, per commodity group, the share bought from
local producers and KUBE members.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from ewarung.money import line_amount
from inventory.models import COMMODITY_GROUPS, SUPPLIER_KINDS

SALES_WINDOW_DAYS = 28
LOCAL_KINDS = ("local_producer", "kube_member")


@dataclass(frozen=True)
class StockPosition:
    """One product's figures for reordering."""

    product_id: int
    name: str
    unit: str
    on_hand: Decimal
    #: net quantity sold over the sales window (sales minus returns)
    sold: Decimal
    reorder_point: Decimal
    lead_time_days: int
    last_cost: int = 0
    #: days the latest batch kept from delivery to expiry (None: does not expire)
    shelf_life_days: int | None = None


@dataclass(frozen=True)
class Suggestion:
    """Buy `quantity` of a product."""

    product_id: int
    name: str
    unit: str
    on_hand: Decimal
    daily_rate: Decimal
    quantity: int
    estimated_cost: int


def suggest(item: StockPosition, cover_days: int,
            window_days: int = SALES_WINDOW_DAYS) -> Suggestion | None:
    """The order for one product, or None when it is not due."""
    rate = max(item.sold, Decimal(0)) / window_days
    if item.shelf_life_days is not None:
        cover_days = max(1, min(cover_days, item.shelf_life_days))
    target = rate * (item.lead_time_days + cover_days) + item.reorder_point
    need = target - item.on_hand
    if need <= 0:
        return None
    quantity = math.ceil(need)
    return Suggestion(item.product_id, item.name, item.unit, item.on_hand,
                      rate.quantize(Decimal("0.001")), quantity,
                      line_amount(item.last_cost, quantity))


@dataclass(frozen=True)
class Purchase:
    """Value bought from one supplier in one commodity group (one month)."""

    supplier_id: int
    supplier_name: str
    kind: str
    commodity_group: str
    value: int


@dataclass(frozen=True)
class SupplierShare:
    """One supplier's purchases in the month."""

    supplier_id: int
    name: str
    kind: str
    value: int
    share: Fraction


@dataclass(frozen=True)
class GroupShare:
    """One commodity group: what was bought, and how much of it locally."""

    total: int
    local_producer: int
    kube_member: int

    @property
    def local_share(self) -> Fraction:
        """Share bought from local producers and KUBE members together."""
        return Fraction(self.local_producer + self.kube_member, self.total) if self.total \
            else Fraction(0)


@dataclass(frozen=True)
class Dependency:
    """A month's supplier dependency."""

    total: int
    by_kind: dict[str, int]
    suppliers: list[SupplierShare]
    hhi: Fraction
    by_group: dict[str, GroupShare] = field(default_factory=dict)

    @property
    def top(self) -> SupplierShare | None:
        """The supplier the shop bought most from."""
        return self.suppliers[0] if self.suppliers else None

    def kind_share(self, kind: str) -> Fraction:
        """Share of the month's purchases from suppliers of `kind`."""
        return Fraction(self.by_kind[kind], self.total) if self.total > 0 else Fraction(0)

    @property
    def local_share(self) -> Fraction:
        """Share from local producers and KUBE members."""
        return sum((self.kind_share(k) for k in LOCAL_KINDS), Fraction(0))


def dependency(purchases: Iterable[Purchase]) -> Dependency:
    """Concentration and local share of one month's purchases."""
    rows = list(purchases)
    per_supplier: dict[int, list[Purchase]] = {}
    for row in rows:
        per_supplier.setdefault(row.supplier_id, []).append(row)
    totals = {sid: sum(r.value for r in part) for sid, part in per_supplier.items()}
    positive = {sid: v for sid, v in totals.items() if v > 0}
    total = sum(positive.values())
    suppliers = sorted(
        (SupplierShare(sid, per_supplier[sid][0].supplier_name, per_supplier[sid][0].kind,
                       value, Fraction(value, total)) for sid, value in positive.items()),
        key=lambda s: (-s.value, s.name, s.supplier_id))
    hhi = sum(((100 * s.share) ** 2 for s in suppliers), Fraction(0))
    by_kind = dict.fromkeys(SUPPLIER_KINDS, 0)
    for sid, value in positive.items():
        by_kind[per_supplier[sid][0].kind] += value
    return Dependency(total, by_kind, suppliers, hhi, _by_group(rows, positive))


def _by_group(rows: list[Purchase], positive: dict[int, int]) -> dict[str, GroupShare]:
    sums = {g: [0, 0, 0] for g in COMMODITY_GROUPS}
    for row in rows:
        if row.supplier_id not in positive:
            continue
        sums[row.commodity_group][0] += row.value
        if row.kind == "local_producer":
            sums[row.commodity_group][1] += row.value
        elif row.kind == "kube_member":
            sums[row.commodity_group][2] += row.value
    return {g: GroupShare(*values) for g, values in sums.items()}


def percent(share: Fraction, places: int = 1) -> float:
    """A share as a percentage for display and JSON."""
    return round(float(share * 100), places)
