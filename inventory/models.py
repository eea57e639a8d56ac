"""Catalogue, suppliers, goods receipts, stock batches, the stock ledger and stocktakes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

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

from ewarung.clock import now
from ewarung.db import Base, Money, Quantity, UtcDateTime, utcnow

COMMODITY_GROUPS = ("carbohydrate", "animal_protein", "plant_protein", "vitamins_minerals",
                    "none")
SUPPLIER_KINDS = ("third_party", "local_producer", "kube_member", "bulog", "other")
#: units that are weighed or measured, so sold in fractions (1,5 kg); others come whole
FRACTIONAL_UNITS = ("kg", "liter")
UNITS = ("kg", "liter", "pcs", "pack", "butir", "ikat", "sisir", "papan", "botol", "sachet",
         "dus", "karung")
MOVE_KINDS = ("receipt", "sale", "return", "adjustment", "stocktake", "write_off",
              "receipt_reversal")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Supplier(Base):
    """Who the shop buys from; the kind tells third parties from local producers and KUBE."""

    __tablename__ = "suppliers"
    __table_args__ = (CheckConstraint(_in("kind", SUPPLIER_KINDS), name="kind"),
                      CheckConstraint("lead_time_days >= 0", name="lead_time"))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    #: third_party, local_producer, kube_member, bulog or other
    kind: Mapped[str] = mapped_column(String(20))
    contact_person: Mapped[str] = mapped_column(String(120), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    #: days from ordering to delivery, for reorder suggestions
    lead_time_days: Mapped[int] = mapped_column(Integer, default=2)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Product(Base):
    """An item the shop sells."""

    __tablename__ = "products"
    __table_args__ = (
        CheckConstraint(_in("commodity_group", COMMODITY_GROUPS), name="commodity_group"),
        CheckConstraint("price >= 0", name="price"),
        CheckConstraint("reference_price IS NULL OR reference_price >= 0",
                        name="reference_price"),
        CheckConstraint("reorder_point >= 0", name="reorder_point"),
        # Name search reads keys in this order and stops early (see inventory.search).
        Index("ix_products_search_key", "search_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the shop's own code, upper case, unique
    sku: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: the name lower-cased, without accents or punctuation: what search compares
    search_key: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(10))
    #: sale price per unit, Rupiah
    price: Mapped[int] = mapped_column(Money)
    #: carbohydrate, animal_protein, plant_protein, vitamins_minerals; none: not for BPNT
    commodity_group: Mapped[str] = mapped_column(String(20))
    #: the local market price the shop must not exceed (6T: tepat harga)
    reference_price: Mapped[int | None] = mapped_column(Money)
    #: keep at least this much on hand; reorder suggestions plan above it
    reorder_point: Mapped[Decimal] = mapped_column(Quantity, default=Decimal(0))
    #: receipts must give an expiry date for each batch
    tracks_expiry: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: selling beyond what is on hand is allowed (goods received before they are entered)
    allow_negative: Mapped[bool] = mapped_column(Boolean, default=False)
    preferred_supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    barcodes: Mapped[list[Barcode]] = relationship(
        back_populates="product", order_by="Barcode.id", cascade="all, delete-orphan")

    @property
    def barcode(self) -> str | None:
        """The first barcode (the one printed on shelf labels)."""
        return self.barcodes[0].code if self.barcodes else None


class Barcode(Base):
    """One barcode of a product; a product may have several, a code belongs to one."""

    __tablename__ = "product_barcodes"
    # A product's first barcode (lowest id) is what lists show: one index step per product.
    __table_args__ = (Index("ix_product_barcodes_product", "product_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    code: Mapped[str] = mapped_column(String(32), unique=True)

    product: Mapped[Product] = relationship(back_populates="barcodes")


class GoodsReceipt(Base):
    """Goods received from a supplier. Never changed: a reversing receipt corrects it."""

    __tablename__ = "goods_receipts"

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    #: the shop's local date of the delivery (a reversal keeps the date it corrects)
    received_on: Mapped[date] = mapped_column(Date, index=True)
    #: the supplier's delivery note or invoice number
    reference: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    #: sum of the lines' values, Rupiah (negative on a reversal)
    total: Mapped[int] = mapped_column(Money)
    #: the receipt this one reverses; a receipt is reversed at most once
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("goods_receipts.id"),
                                                    unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)

    lines: Mapped[list[GoodsReceiptLine]] = relationship(order_by="GoodsReceiptLine.id")
    supplier: Mapped[Supplier] = relationship()

    @property
    def number(self) -> str:
        """The receipt number shown on pages: PB-000042 (penerimaan barang)."""
        return f"PB-{self.id:06d}"


class GoodsReceiptLine(Base):
    """One product on a receipt; a positive line creates one batch."""

    __tablename__ = "goods_receipt_lines"
    __table_args__ = (CheckConstraint("quantity <> 0", name="quantity"),
                      CheckConstraint("unit_cost >= 0", name="unit_cost"))

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_id: Mapped[int] = mapped_column(ForeignKey("goods_receipts.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    #: negative on a reversing receipt
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    unit_cost: Mapped[int] = mapped_column(Money)
    #: quantity × unit cost, rounded by the shop's policy (signed like the quantity)
    value: Mapped[int] = mapped_column(Money)
    expires_on: Mapped[date | None] = mapped_column(Date)
    #: the producer's batch or lot code, if printed
    batch_label: Mapped[str] = mapped_column(String(60), default="")
    #: the batch this line filled (or, on a reversal, took back from)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("stock_batches.id"), index=True)
    #: on a reversal: the line it reverses
    reverses_line_id: Mapped[int | None] = mapped_column(ForeignKey("goods_receipt_lines.id"))

    product: Mapped[Product] = relationship()


class StockBatch(Base):
    """One batch of a product and what is left of it (a cache of its movements)."""

    __tablename__ = "stock_batches"
    __table_args__ = (
        CheckConstraint("overdraft OR (quantity_left >= 0 AND value_left >= 0)",
                        name="not_negative"),
        # FEFO reads a product's batches with stock left (a range on quantity_left) on every
        # sale, and on-hand sums come from this index alone.
        Index("ix_stock_batches_stock", "product_id", "quantity_left"),
        Index("uq_stock_batches_overdraft", "product_id", unique=True,
              sqlite_where=text("overdraft"), postgresql_where=text("overdraft")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    #: the receipt that brought it (NULL for the overdraft batch); reports group by it
    receipt_id: Mapped[int | None] = mapped_column(ForeignKey("goods_receipts.id"),
                                                   index=True)
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id"), index=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    label: Mapped[str] = mapped_column(String(60), default="")
    #: Rupiah per unit paid (for the overdraft: the latest known cost)
    unit_cost: Mapped[int] = mapped_column(Money)
    #: what is left, kept equal to the sum of this batch's movements
    quantity_left: Mapped[Decimal] = mapped_column(Quantity)
    value_left: Mapped[int] = mapped_column(Money)
    #: the product's one batch that may go negative (negative stock allowed)
    overdraft: Mapped[bool] = mapped_column(Boolean, default=False)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class StockMove(Base):
    """One change of stock. Append-only (a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "stock_moves"
    __table_args__ = (
        CheckConstraint(_in("kind", MOVE_KINDS), name="kind"),
        CheckConstraint("quantity <> 0", name="quantity"),
        Index("ix_stock_moves_product_at", "product_id", "at"),
        Index("ix_stock_moves_at_kind", "at", "kind"),
        Index("ix_stock_moves_ref", "ref_type", "ref_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    batch_id: Mapped[int] = mapped_column(ForeignKey("stock_batches.id"), index=True)
    #: receipt, sale, return, adjustment, stocktake, write_off, receipt_reversal
    kind: Mapped[str] = mapped_column(String(20))
    #: signed: positive in, negative out
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    #: signed cost basis in Rupiah; minus the sum over sales is the cost of goods sold
    value: Mapped[int] = mapped_column(Money)
    unit_cost: Mapped[int] = mapped_column(Money)
    #: what caused it, e.g. ("sale", 17), ("goods_receipt", 4), ("stocktake", 2)
    ref_type: Mapped[str] = mapped_column(String(30))
    ref_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class StockAdjustment(Base):
    """Why stock was written off or adjusted by hand; the movements point at it."""

    __tablename__ = "stock_adjustments"
    __table_args__ = (CheckConstraint("kind IN ('adjustment', 'write_off')", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    #: expired, damaged, lost, correction, other
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)


class Stocktake(Base):
    """A stock count: opened, counted blind, approved by a manager (or cancelled)."""

    __tablename__ = "stocktakes"
    __table_args__ = (CheckConstraint("status IN ('open', 'approved', 'cancelled')",
                                      name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default="open")
    note: Mapped[str] = mapped_column(String(500), default="")
    started_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    lines: Mapped[list[StocktakeLine]] = relationship(order_by="StocktakeLine.id",
                                                      cascade="all, delete-orphan")


class StocktakeLine(Base):
    """One counted product; expected and variance are filled in when approved."""

    __tablename__ = "stocktake_lines"
    __table_args__ = (Index("uq_stocktake_lines_product", "stocktake_id", "product_id",
                            unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    stocktake_id: Mapped[int] = mapped_column(ForeignKey("stocktakes.id"))
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    counted: Mapped[Decimal] = mapped_column(Quantity)
    #: the newest stock movement when this was counted: later ones happened after the count
    ledger_mark: Mapped[int] = mapped_column(Integer)
    counted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    counted_at: Mapped[datetime] = mapped_column(UtcDateTime, default=now)
    #: filled on approval: the ledger's figure at the moment of counting
    expected: Mapped[Decimal | None] = mapped_column(Quantity)
    variance: Mapped[Decimal | None] = mapped_column(Quantity)
    #: the value posted for the variance, Rupiah (negative: shrinkage)
    value: Mapped[int | None] = mapped_column(Money)

    product: Mapped[Product] = relationship()
