"""Sales, their lines and tenders, returns, shifts, and refused attempts.

A sale line's stock allocations are the stock movements that reference it
(`stock_moves.ref_type = 'sale_line'`, `ref_id = sale_lines.id`): a void or return puts
exactly those quantities and values back into the same batches.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

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

from ewarung.db import Base, JsonDoc, Money, Quantity, UtcDateTime, utcnow

SALE_STATUSES = ("completed", "voided")
TENDER_KINDS = ("bpnt", "cash", "qris", "transfer")


class Shift(Base):
    """A cashier's shift: opened with a cash float, closed with the counted cash."""

    __tablename__ = "shifts"
    __table_args__ = (
        CheckConstraint("opening_float >= 0", name="float_not_negative"),
        # One open shift per cashier; also the till's look-up of the shift a sale belongs to.
        Index("uq_shifts_open_cashier", "cashier_id", unique=True,
              sqlite_where=text("closed_at IS NULL"),
              postgresql_where=text("closed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cashier_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: cash in the drawer at the start
    opening_float: Mapped[int] = mapped_column(Money, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: cash counted at the close
    counted_cash: Mapped[int | None] = mapped_column(Money)
    #: what the drawer should hold at the close: float + cash sales − refunds ± cash in/out
    expected_cash: Mapped[int | None] = mapped_column(Money)
    note: Mapped[str] = mapped_column(String(300), default="")


class CashMovement(Base):
    """Cash put into or taken out of the drawer during a shift, with the reason."""

    __tablename__ = "cash_movements"
    __table_args__ = (CheckConstraint("amount <> 0", name="amount_not_zero"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id"), index=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    #: signed: positive into the drawer, negative out of it
    amount: Mapped[int] = mapped_column(Money)
    reason: Mapped[str] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SaleCounter(Base):
    """The last sale number given on a local business day (EW-YYYYMMDD-NNNN)."""

    __tablename__ = "sale_counters"

    business_day: Mapped[date] = mapped_column(Date, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Sale(Base):
    """One sale at the till."""

    __tablename__ = "sales"
    __table_args__ = (
        CheckConstraint("status IN ('completed', 'voided')", name="status"),
        CheckConstraint("total >= 0", name="total_not_negative"),
        Index("ix_sales_business_day", "business_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: readable and sequential per outlet and day, e.g. EW-20261126-0042
    number: Mapped[str] = mapped_column(String(24), unique=True)
    #: the shop's local date of the sale (what the number and the reports use)
    business_day: Mapped[date] = mapped_column(Date)
    #: made by the tablet; a replay with the same body answers with this sale
    client_ref: Mapped[str] = mapped_column(String(64), unique=True)
    #: SHA-256 of the request body, to tell a replay from a different sale
    request_hash: Mapped[str] = mapped_column(String(64))
    cashier_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    total: Mapped[int] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(10), default="completed")
    #: the KPM whose card paid with BPNT
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"),
                                                       index=True)
    #: a line was priced above the market reference (allowed by the "flag" setting)
    above_reference: Mapped[bool] = mapped_column(Boolean, default=False)
    voided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    void_reason: Mapped[str | None] = mapped_column(String(300))
    voided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    void_approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the shift open when the sale was voided: its drawer paid the cash back
    void_shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"), index=True)

    lines: Mapped[list[SaleLine]] = relationship(order_by="SaleLine.id",
                                                 back_populates="sale")
    tenders: Mapped[list[Tender]] = relationship(order_by="Tender.id", back_populates="sale")


class SaleLine(Base):
    """An item sold, with the catalogue facts of that moment and its cost."""

    __tablename__ = "sale_lines"
    __table_args__ = (
        CheckConstraint("quantity > 0", name="quantity_positive"),
        CheckConstraint("unit_price >= 0", name="price_not_negative"),
        CheckConstraint("returned_quantity >= 0 AND returned_quantity <= quantity",
                        name="returned_within_sold"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(10))
    commodity_group: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_price: Mapped[int] = mapped_column(Money)
    #: the catalogue price; differs from unit_price only with a manager's approval
    catalogue_price: Mapped[int] = mapped_column(Money)
    price_approver_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reference_price: Mapped[int | None] = mapped_column(Money)
    #: unit_price × quantity, rounded by the money policy
    amount: Mapped[int] = mapped_column(Money)
    #: cost of goods sold: the value of the batches this line consumed
    cost: Mapped[int] = mapped_column(Money)
    returned_quantity: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))

    sale: Mapped[Sale] = relationship(back_populates="lines")


class Tender(Base):
    """A payment of a sale. BPNT tenders keep the masked card, never the number."""

    __tablename__ = "tenders"
    __table_args__ = (
        CheckConstraint("kind IN ('bpnt', 'cash', 'qris', 'transfer')", name="kind"),
        CheckConstraint("amount >= 0", name="amount_not_negative"),
        Index("ix_tenders_edc_ref", "edc_ref"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    #: what this tender paid of the total
    amount: Mapped[int] = mapped_column(Money)
    #: cash handed over (cash only); change = given − amount
    given: Mapped[int | None] = mapped_column(Money)
    #: QRIS or transfer reference
    reference: Mapped[str | None] = mapped_column(String(60))
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))
    #: first 6 and last 4 digits of the KKS card
    masked_card: Mapped[str | None] = mapped_column(String(19))
    #: the EDC approval reference of a BPNT payment
    edc_ref: Mapped[str | None] = mapped_column(String(40))
    entitlement_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("entitlement_entries.id"))
    #: the KPM's remaining entitlement right after this payment (BPNT; printed on the receipt)
    remaining_after: Mapped[int | None] = mapped_column(Money)

    sale: Mapped[Sale] = relationship(back_populates="tenders")


class SaleReturn(Base):
    """Goods brought back from a sale, approved by a manager."""

    __tablename__ = "sale_returns"
    __table_args__ = (CheckConstraint("refund_cash >= 0 AND refund_bpnt >= 0",
                                      name="refunds_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sale_id: Mapped[int] = mapped_column(ForeignKey("sales.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    reason: Mapped[str] = mapped_column(String(300))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approver_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id"), index=True)
    #: cash given back to the customer
    refund_cash: Mapped[int] = mapped_column(Money, default=0)
    #: entitlement given back to the KPM's card
    refund_bpnt: Mapped[int] = mapped_column(Money, default=0)

    lines: Mapped[list[SaleReturnLine]] = relationship(order_by="SaleReturnLine.id")


class SaleReturnLine(Base):
    """The part of one sale line that came back."""

    __tablename__ = "sale_return_lines"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    return_id: Mapped[int] = mapped_column(ForeignKey("sale_returns.id"), index=True)
    sale_line_id: Mapped[int] = mapped_column(ForeignKey("sale_lines.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    #: the selling price of the returned part
    amount: Mapped[int] = mapped_column(Money)
    #: the cost put back into stock
    cost: Mapped[int] = mapped_column(Money)


class SaleRefusal(Base):
    """A sale the till refused for a program rule (for the 6T integrity report)."""

    __tablename__ = "sale_refusals"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    cashier_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    #: the error code: not_eligible_for_bpnt, bpnt_balance_exceeded, price_above_reference, ...
    code: Mapped[str] = mapped_column(String(40), index=True)
    beneficiary_id: Mapped[int | None] = mapped_column(ForeignKey("beneficiaries.id"))
    #: what was refused: product ids, amounts (never a card number)
    details: Mapped[dict[str, Any] | None] = mapped_column(JsonDoc)
