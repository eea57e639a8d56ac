"""Whether the recorded sales hold together: run on a restored backup and by `ewarung doctor`.

The till writes a sale, its lines and its tenders in one transaction, so these hold for
every sale it made; a sale that breaks one was edited outside the application.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from aid.models import EntitlementEntry
from ewarung.errors import N_
from pos.models import Sale, SaleLine, Tender

#: sale numbers named in a message; the count says how many there are in all
NAMED = 5


def _lines() -> Any:
    return (select(SaleLine.sale_id, func.sum(SaleLine.amount).label("amount"))
            .group_by(SaleLine.sale_id).subquery())


def _tenders() -> Any:
    return (select(Tender.sale_id, func.sum(Tender.amount).label("amount"))
            .group_by(Tender.sale_id).subquery())


def _without_lines() -> Select[Any]:
    lines = _lines()
    return (select(Sale.number).outerjoin(lines, lines.c.sale_id == Sale.id)
            .where(lines.c.sale_id.is_(None)))


def _lines_off_total() -> Select[Any]:
    lines = _lines()
    return select(Sale.number).join(lines, lines.c.sale_id == Sale.id) \
        .where(lines.c.amount != Sale.total)


def _tenders_off_total() -> Select[Any]:
    tenders = _tenders()
    return (select(Sale.number).outerjoin(tenders, tenders.c.sale_id == Sale.id)
            .where(func.coalesce(tenders.c.amount, 0) != Sale.total))


def _bpnt_without_redemption() -> Select[Any]:
    return (select(Sale.number).join(Tender, Tender.sale_id == Sale.id)
            .outerjoin(EntitlementEntry, EntitlementEntry.id == Tender.entitlement_entry_id)
            .where(Tender.kind == "bpnt")
            .where(EntitlementEntry.id.is_(None) | (EntitlementEntry.amount != -Tender.amount)))


CHECKS = (
    (N_("%(count)d penjualan tanpa baris barang (%(numbers)s)"), _without_lines),
    (N_("%(count)d penjualan yang jumlah barisnya tidak sama dengan totalnya (%(numbers)s)"),
     _lines_off_total),
    (N_("%(count)d penjualan yang pembayarannya tidak sama dengan totalnya (%(numbers)s)"),
     _tenders_off_total),
    (N_("%(count)d pembayaran BPNT tanpa catatan yang sama di buku hak KPM (%(numbers)s)"),
     _bpnt_without_redemption),
)


def problems(session: Session) -> list[str]:
    """What does not hold together, one Indonesian sentence per kind of fault."""
    out = []
    for template, query in CHECKS:
        numbers = sorted({str(n) for n in session.scalars(query())})
        if numbers:
            named = ", ".join(numbers[:NAMED]) + (", ..." if len(numbers) > NAMED else "")
            out.append(template % {"count": len(numbers), "numbers": named})
    return out
