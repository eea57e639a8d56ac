"""The stock section (value flows of the month and the identity that ties them) and suppliers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from inventory.models import StockBatch, StockMove
from inventory.reports import dependency_json, supplier_dependency
from kube.report.period import Period

#: stock movement kinds per figure, and the sign each takes in the identity
FLOWS = {
    "purchases": (("receipt", "receipt_reversal"), 1),
    "cogs": (("sale",), -1),
    "returns": (("return",), 1),
    "adjustments": (("adjustment",), 1),
    "shrinkage": (("stocktake",), -1),
    "write_offs": (("write_off",), -1),
}


def stock_section(session: Session, period: Period) -> dict[str, Any]:
    """Opening value, the month's flows by kind, closing value and the identity's difference.

    Opening comes from the ledger (every movement before the month); closing from the
    batches' balances less the movements after the month. Both roads must meet: the
    difference is 0 unless a movement of an unknown kind exists or a batch's balance
    disagrees with its movements.
    """
    opening = int(session.scalar(select(func.coalesce(func.sum(StockMove.value), 0))
                                 .where(StockMove.at < period.start)) or 0)
    by_kind = dict(session.execute(
        select(StockMove.kind, func.sum(StockMove.value))
        .where(StockMove.at >= period.start, StockMove.at < period.end)
        .group_by(StockMove.kind)).all())
    flows = {name: sign * sum(int(by_kind.get(k, 0)) for k in kinds)
             for name, (kinds, sign) in FLOWS.items()}
    held = int(session.scalar(select(func.coalesce(func.sum(StockBatch.value_left), 0))) or 0)
    later = int(session.scalar(select(func.coalesce(func.sum(StockMove.value), 0))
                               .where(StockMove.at >= period.end)) or 0)
    closing = held - later
    expected = opening + sum(sign * flows[name] for name, (_, sign) in FLOWS.items())
    return {"opening": opening, **flows, "closing": closing, "expected_closing": expected,
            "difference": closing - expected}


def suppliers_section(session: Session, period: Period) -> dict[str, Any]:
    """Purchases by supplier and kind, local and top-supplier shares, HHI, six-month trend."""
    dep, trend = supplier_dependency(session, period.first)
    return dependency_json(period.first, dep, trend)
