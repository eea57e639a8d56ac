"""KUBE members and operating expenses."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ewarung.db import Base, Money, Quantity, UtcDateTime, utcnow

EXPENSE_CATEGORIES = ("transport", "electricity", "rent", "bags", "wages", "other")


class KubeMember(Base):
    """A family of the KUBE; members share the members' part of the SHU."""

    __tablename__ = "kube_members"
    __table_args__ = (CheckConstraint("weight > 0", name="weight_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: ketua, sekretaris, bendahara or anggota
    position: Mapped[str] = mapped_column(String(20), default="anggota")
    #: the member's weight when the members' share is split by weight (e.g. capital paid in)
    weight: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(1))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_on: Mapped[date | None] = mapped_column(Date)


class Expense(Base):
    """An operating cost. Corrected by voiding with a reason, never edited."""

    __tablename__ = "expenses"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint(
            "category IN ('transport', 'electricity', 'rent', 'bags', 'wages', 'other')",
            name="category"),
        Index("ix_expenses_spent_on", "spent_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    spent_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(20))
    #: whole Rupiah
    amount: Mapped[int] = mapped_column(Money)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    void_reason: Mapped[str | None] = mapped_column(String(300))


class ClosedMonth(Base):
    """A month the manager closed: its report as it was signed, answered ever after.

    Later changes that touch the month (a late return, a KPM imported afterwards) do not
    rewrite it; the next open month's report shows them as adjustments.
    """

    __tablename__ = "closed_months"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: YYYY-MM
    month: Mapped[str] = mapped_column(String(7), unique=True)
    closed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the names that sign the report
    ketua: Mapped[str] = mapped_column(String(120))
    bendahara: Mapped[str] = mapped_column(String(120))
    #: the report's data as JSON text, keys in the report's own order
    data: Mapped[str] = mapped_column(Text)
    #: the report's files as they were made when the month was closed
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    xlsx: Mapped[bytes] = mapped_column(LargeBinary)
    csv: Mapped[bytes] = mapped_column(LargeBinary)
    html: Mapped[bytes] = mapped_column(LargeBinary)
