"""Beneficiaries (KPM), their KKS cards, the BPNT entitlement ledger and bank reconciliation."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ewarung.db import Base, Money, UtcDateTime, utcnow

LEDGER_KINDS = ("credit", "redemption", "reversal", "adjustment")
CARD_STATUSES = ("active", "replaced")


class Beneficiary(Base):
    """A KPM (Keluarga Penerima Manfaat): a family that receives BPNT on its KKS card."""

    __tablename__ = "beneficiaries"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the NIK of the card holder (16 digits); re-imports update the row with the same NIK
    nik: Mapped[str] = mapped_column(String(16), unique=True)
    #: No. KK, the family card number (16 digits), when the list gives it
    no_kk: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120), index=True)
    #: desa or kelurahan
    village: Mapped[str] = mapped_column(String(120), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    kecamatan: Mapped[str] = mapped_column(String(120), default="")
    #: the family's ID in DTKS, the social welfare register
    id_dtks: Mapped[str | None] = mapped_column(String(40))
    #: inactive KPM are kept for history but cannot redeem or be credited
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    cards: Mapped[list[KksCard]] = relationship(
        back_populates="beneficiary", order_by="KksCard.id")

    @property
    def active_card(self) -> KksCard | None:
        """The card the KPM uses now."""
        return next((c for c in self.cards if c.status == "active"), None)


class KksCard(Base):
    """A KKS card. Its number is never stored: only the masked form and a keyed hash."""

    __tablename__ = "kks_cards"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'replaced')", name="status"),
        # One card in use per KPM; replaced cards stay for history.
        Index("uq_kks_cards_active_beneficiary", "beneficiary_id", unique=True,
              sqlite_where=text("status = 'active'"),
              postgresql_where=text("status = 'active'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    #: HMAC-SHA256 of the number, keyed from the app secret (hex); the look-up key
    card_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: first 6 and last 4 digits, e.g. 526422******1234
    masked: Mapped[str] = mapped_column(String(19))
    status: Mapped[str] = mapped_column(String(10), default="active")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    replaced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    #: the card this one took the place of (pointing back keeps backups restorable in id order)
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("kks_cards.id"))

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="cards")


class EntitlementEntry(Base):
    """One line of a KPM's BPNT ledger. Append-only (triggers refuse UPDATE and DELETE).

    Amounts are signed: credits, reversals and positive adjustments add; redemptions
    subtract. The remaining entitlement is derived from these rows, never stored.
    """

    __tablename__ = "entitlement_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('credit', 'redemption', 'reversal', 'adjustment')",
                        name="kind"),
        CheckConstraint(
            "(kind = 'credit' AND amount > 0) OR (kind = 'redemption' AND amount < 0) OR "
            "(kind = 'reversal' AND amount > 0) OR (kind = 'adjustment' AND amount <> 0)",
            name="amount_sign"),
        # The look-up on the checkout path: every entry of one KPM, by month.
        Index("ix_entitlement_entries_beneficiary_period", "beneficiary_id", "period"),
        # A KPM is credited at most once per month (the service also checks the quarter).
        Index("uq_entitlement_entries_credit", "beneficiary_id", "period", unique=True,
              sqlite_where=text("kind = 'credit'"), postgresql_where=text("kind = 'credit'")),
        Index("ix_entitlement_entries_kind_created", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"))
    kind: Mapped[str] = mapped_column(String(12))
    #: the month the entry counts in, "YYYY-MM"
    period: Mapped[str] = mapped_column(String(7))
    #: signed Rupiah
    amount: Mapped[int] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: who recorded it (the cashier of a sale, the manager of a credit or adjustment)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the sale a redemption or reversal belongs to
    sale_id: Mapped[int | None] = mapped_column(Integer, index=True)
    #: the redemption a reversal undoes (in part or whole)
    reversal_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("entitlement_entries.id"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("kks_cards.id"))
    #: the masked card of a redemption, as the bank's settlement file shows it
    masked_card: Mapped[str | None] = mapped_column(String(19))
    #: the EDC approval reference of a redemption
    edc_ref: Mapped[str | None] = mapped_column(String(40), index=True)
    #: why a manager adjusted or a sale was voided
    reason: Mapped[str | None] = mapped_column(String(300))


class ReconciliationRun(Base):
    """One comparison of a bank settlement file with the shop's redemptions."""

    __tablename__ = "reconciliation_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    #: the days the bank file covers; shop redemptions of these days are compared
    first_day: Mapped[date | None] = mapped_column(Date)
    last_day: Mapped[date | None] = mapped_column(Date)
    matched: Mapped[int] = mapped_column(Integer, default=0)
    amount_differs: Mapped[int] = mapped_column(Integer, default=0)
    bank_only: Mapped[int] = mapped_column(Integer, default=0)
    shop_only: Mapped[int] = mapped_column(Integer, default=0)
    #: lines of the bank file that could not be read
    unreadable: Mapped[int] = mapped_column(Integer, default=0)
    bank_total: Mapped[int] = mapped_column(Money, default=0)
    shop_total: Mapped[int] = mapped_column(Money, default=0)

    items: Mapped[list[ReconciliationItem]] = relationship(
        back_populates="run", order_by="ReconciliationItem.id")


class ReconciliationItem(Base):
    """One line of a reconciliation: a pair, or a line only one side has."""

    __tablename__ = "reconciliation_items"
    __table_args__ = (
        CheckConstraint(
            "status IN ('matched', 'amount_differs', 'bank_only', 'shop_only')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("reconciliation_runs.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    #: "reference", "date_amount_card" or "date_card"
    matched_by: Mapped[str] = mapped_column(String(20), default="")
    #: the line number in the bank file
    bank_row: Mapped[int | None] = mapped_column(Integer)
    bank_day: Mapped[date | None] = mapped_column(Date)
    bank_reference: Mapped[str | None] = mapped_column(String(40))
    bank_amount: Mapped[int | None] = mapped_column(Money)
    bank_masked_card: Mapped[str | None] = mapped_column(String(19))
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("entitlement_entries.id"))
    shop_day: Mapped[date | None] = mapped_column(Date)
    shop_reference: Mapped[str | None] = mapped_column(String(40))
    shop_amount: Mapped[int | None] = mapped_column(Money)
    shop_masked_card: Mapped[str | None] = mapped_column(String(19))

    run: Mapped[ReconciliationRun] = relationship(back_populates="items")
