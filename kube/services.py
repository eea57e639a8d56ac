"""Use-cases of the KUBE: expenses, members and the SHU settings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ewarung import audit, clock
from ewarung.clock import month_label, next_month, parse_month
from ewarung.db import get_or_404
from ewarung.errors import N_, Conflict, ValidationFailed
from ewarung.numbers import parse_quantity, parse_rupiah
from ewarung.outbox import record_event
from ewarung.shop import get_setting, register_setting, set_setting
from ewarung.text import writable
from kube.models import EXPENSE_CATEGORIES, Expense, KubeMember
from kube.shu import DEFAULT_PERCENTAGES, SPLIT_MODES, check_percentages

register_setting("kube.shu_percentages", DEFAULT_PERCENTAGES,
                 N_("Pembagian SHU (persen per bagian)"))
register_setting("kube.shu_member_split", "equal", N_("Bagian anggota dibagi"), SPLIT_MODES)


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of `month` (YYYY-MM) and the first day of the next month."""
    first = parse_month(month)
    return first, next_month(first)


def record_expense(session: Session, spent_on: date, category: str, amount: int,
                   note: str = "") -> Expense:
    """Record an operating cost."""
    if category not in EXPENSE_CATEGORIES:
        raise ValidationFailed.field("category", N_("Kategori biaya tidak dikenal."))
    parse_rupiah(amount, "amount", low=1)
    parse_month(month_label(spent_on), "spent_on")  # within the months a shop has
    writable(note.strip(), "note", multiline=True)
    expense = Expense(spent_on=spent_on, category=category, amount=amount, note=note.strip(),
                      created_by=audit.actor())
    session.add(expense)
    session.flush()
    audit.record(session, "expense.create", entity="expense", entity_id=expense.id,
                 after={"spent_on": spent_on.isoformat(), "category": category,
                        "amount": amount, "note": expense.note})
    record_event(session, "expense", {  # last: see ewarung.outbox
        "expense_id": expense.id, "spent_on": spent_on.isoformat(), "category": category,
        "amount": amount})
    return expense


def void_expense(session: Session, expense_id: int, reason: str) -> Expense:
    """Cancel a mistaken expense; it stays on record with the reason."""
    expense = get_or_404(session, Expense, expense_id)
    if expense.voided_at is not None:
        raise Conflict(N_("Biaya ini sudah dibatalkan."))
    if not reason.strip():
        raise ValidationFailed.field("reason", N_("Tulis alasan pembatalan."))
    writable(reason.strip(), "reason")
    expense.voided_at = clock.now()
    expense.void_reason = reason.strip()
    audit.record(session, "expense.void", entity="expense", entity_id=expense.id,
                 note=expense.void_reason)
    record_event(session, "expense.void", {"expense_id": expense.id,  # last: ewarung.outbox
                                           "spent_on": expense.spent_on.isoformat(),
                                           "amount": expense.amount})
    return expense


def expenses_of_month(session: Session, month: str) -> list[Expense]:
    """The month's expenses, voided ones included (they show as such)."""
    first, after = month_bounds(month)
    return list(session.scalars(select(Expense).where(
        Expense.spent_on >= first, Expense.spent_on < after).order_by(Expense.spent_on,
                                                                      Expense.id)))


def add_member(session: Session, name: str, position: str = "anggota",
               weight: Decimal | str = Decimal(1), joined_on: date | None = None) -> KubeMember:
    """Add a member family to the KUBE."""
    if not name.strip():
        raise ValidationFailed.field("name", N_("Isi nama anggota."))
    writable(name.strip(), "name")
    writable(position, "position")
    weight = _weight(weight)
    member = KubeMember(name=name.strip(), position=position, weight=weight,
                        joined_on=joined_on)
    session.add(member)
    session.flush()
    audit.record(session, "kube_member.create", entity="kube_member", entity_id=member.id,
                 after={"name": member.name, "position": position, "weight": str(weight)})
    return member


def update_member(session: Session, member_id: int, **changes: Any) -> KubeMember:
    """Change a member's position, weight or active flag."""
    member = get_or_404(session, KubeMember, member_id)
    before = {k: str(getattr(member, k)) for k in changes}
    if isinstance(changes.get("position"), str):
        writable(changes["position"], "position")
    if "weight" in changes:
        changes["weight"] = _weight(changes["weight"])
    for key, value in changes.items():
        setattr(member, key, value)
    audit.record(session, "kube_member.update", entity="kube_member", entity_id=member.id,
                 before=before, after={k: str(v) for k, v in changes.items()})
    return member


def _weight(raw: Any) -> Decimal:
    """A member's weight in the SHU split: above zero, bounded and with 3 decimals at most."""
    weight = parse_quantity(raw, "weight", allow_zero=True, allow_negative=True)
    if weight <= 0:
        raise ValidationFailed.field("weight", N_("Bobot anggota harus lebih dari nol."))
    return weight


def active_members(session: Session) -> list[KubeMember]:
    """Members who share the SHU."""
    return list(session.scalars(select(KubeMember).where(KubeMember.active.is_(True))
                                .order_by(KubeMember.id)))


def shu_settings(session: Session) -> tuple[dict[str, Decimal], str]:
    """The bucket percentages and how the members' bucket is split."""
    return (check_percentages(get_setting(session, "kube.shu_percentages")),
            get_setting(session, "kube.shu_member_split"))


def set_shu_settings(session: Session, percentages: dict[str, Any], mode: str) -> None:
    """Change the SHU split; percentages must add up to 100."""
    checked = check_percentages(percentages)
    before = get_setting(session, "kube.shu_percentages")
    set_setting(session, "kube.shu_percentages", {k: str(v) for k, v in checked.items()})
    set_setting(session, "kube.shu_member_split", mode)
    audit.record(session, "kube.shu_settings", before=before,
                 after={"percentages": {k: str(v) for k, v in checked.items()}, "mode": mode})
