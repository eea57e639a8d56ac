"""Use-case: reconcile a bank EDC settlement file with the recorded BPNT redemptions."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from aid.models import EntitlementEntry, ReconciliationItem, ReconciliationRun
from aid.reconcile import FIELDS, MatchItem, Txn, match, read_settlement, summary
from aid.settings import SETTLEMENT_COLUMNS, bpnt_settings
from ewarung import audit
from ewarung.errors import N_, ValidationFailed
from ewarung.shop import get_setting, set_setting
from ewarung.text import writable


def settlement_columns(session: Session) -> dict[str, str]:
    """The column mapping of the bank's settlement file."""
    value = get_setting(session, SETTLEMENT_COLUMNS.key) or {}
    return {f: str(value.get(f) or SETTLEMENT_COLUMNS.default[f]) for f in FIELDS}


def save_settlement_columns(session: Session, columns: dict[str, str]) -> None:
    """Remember a column mapping for the next upload."""
    clean = {f: writable((columns.get(f) or "").strip()[:60], f) for f in FIELDS}
    empty = [f for f, v in clean.items() if not v]
    if empty:
        raise ValidationFailed.field(empty[0], N_("Isi nama kolom ini."))
    set_setting(session, SETTLEMENT_COLUMNS.key, clean)


def _utc_bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(first, time.min, tz)
    end = datetime.combine(last + timedelta(days=1), time.min, tz)
    return start, end


def shop_redemptions(session: Session, first: date, last: date) -> list[Txn]:
    """Redemptions made on the shop's local days `first`..`last`, net of their reversals.

    A redemption reversed in full (a voided sale) is left out: the EDC void cancels it at
    the bank too.
    """
    tz = ZoneInfo(bpnt_settings(session).timezone)
    start, end = _utc_bounds(first, last, tz)
    entries = session.scalars(select(EntitlementEntry).where(
        EntitlementEntry.kind == "redemption", EntitlementEntry.created_at >= start,
        EntitlementEntry.created_at < end).order_by(EntitlementEntry.id)).all()
    ids = [e.id for e in entries]
    reversed_sum: dict[int, int] = {}
    for chunk in range(0, len(ids), 500):
        rows = session.execute(
            select(EntitlementEntry.reversal_of_id, func.sum(EntitlementEntry.amount))
            .where(EntitlementEntry.reversal_of_id.in_(ids[chunk:chunk + 500]))
            .group_by(EntitlementEntry.reversal_of_id))
        reversed_sum.update({rid: int(total) for rid, total in rows if rid is not None})
    out = []
    for e in entries:
        net = -e.amount - reversed_sum.get(e.id, 0)
        if net > 0:
            out.append(Txn(e.id, e.created_at.astimezone(tz).date(), e.edc_ref or "", net,
                           e.masked_card or ""))
    return out


def _item(run: ReconciliationRun, m: MatchItem) -> ReconciliationItem:
    b, s = m.bank, m.shop
    return ReconciliationItem(
        run=run, status=m.status, matched_by=m.matched_by,
        bank_row=b.key if b else None, bank_day=b.day if b else None,
        bank_reference=b.reference if b else None, bank_amount=b.amount if b else None,
        bank_masked_card=b.masked_card if b else None,
        entry_id=s.key if s else None, shop_day=s.day if s else None,
        shop_reference=s.reference if s else None, shop_amount=s.amount if s else None,
        shop_masked_card=s.masked_card if s else None)


def run_reconciliation(session: Session, data: bytes, filename: str = "",
                       columns: dict[str, str] | None = None) -> ReconciliationRun:
    """Read the bank file, match it against the shop's redemptions of its days, store both."""
    writable(filename, "file")
    settlement = read_settlement(data, columns or settlement_columns(session))
    if not settlement.txns:
        raise ValidationFailed.field("file", N_("Tidak ada transaksi yang terbaca di berkas "
                                                "bank ini."))
    first = min(t.day for t in settlement.txns)
    last = max(t.day for t in settlement.txns)
    shop = shop_redemptions(session, first, last)
    items = match(settlement.txns, shop)
    counts = summary(items)
    run = ReconciliationRun(
        actor_id=audit.actor(), filename=filename[:200], first_day=first,
        last_day=last, unreadable=len(settlement.problems),
        bank_total=sum(t.amount for t in settlement.txns),
        shop_total=sum(t.amount for t in shop), **counts)
    session.add(run)
    session.add_all(_item(run, m) for m in items)
    session.flush()
    audit.record(session, "reconciliation.run", entity="reconciliation", entity_id=run.id,
                 after={**counts, "unreadable": len(settlement.problems)})
    return run
