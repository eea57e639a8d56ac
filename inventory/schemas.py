"""Request and answer shapes of the stock API (they also make its OpenAPI document).

The shapes check types; the services check the rules (positive quantities, 3 decimals,
known products...) so the API, the pages and the CSV import refuse the same things with
the same Indonesian messages.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field, RootModel

CommodityGroup = Literal["carbohydrate", "animal_protein", "plant_protein",
                         "vitamins_minerals", "none"]
SupplierKind = Literal["third_party", "local_producer", "kube_member", "bulog", "other"]
QTY = "decimal string or number, at most 3 decimals"


class ProductQuery(BaseModel):
    q: str = Field(default="", max_length=120, description="name, SKU or barcode")
    limit: int = Field(default=20, ge=1, le=100)
    include_inactive: bool = False
    group: Literal["carbohydrate", "animal_protein", "plant_protein", "vitamins_minerals",
                   "none"] | None = Field(default=None, description="without q: only this "
                                          "commodity group (the till's tabs)")


class ProductIn(BaseModel):
    sku: str = Field(max_length=40)
    name: str = Field(max_length=120)
    unit: str = Field(max_length=10, description="kg, liter, pcs, pack, butir, ikat, ...")
    price: int = Field(description="sale price per unit, Rupiah")
    commodity_group: str = Field(description="carbohydrate, animal_protein, plant_protein, "
                                             "vitamins_minerals or none")
    barcode: str | None = Field(default=None, max_length=32)
    barcodes: list[str] | None = Field(default=None, description="several barcodes")
    reference_price: int | None = None
    reorder_point: Decimal | None = Field(default=None, description=QTY)
    tracks_expiry: bool = False
    allow_negative: bool = False
    active: bool = True
    preferred_supplier_id: int | None = None


class ProductPatch(BaseModel):
    sku: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=120)
    unit: str | None = Field(default=None, max_length=10)
    price: int | None = None
    commodity_group: str | None = None
    barcodes: list[str] | None = None
    reference_price: int | None = None
    reorder_point: Decimal | None = None
    tracks_expiry: bool | None = None
    allow_negative: bool | None = None
    active: bool | None = None
    preferred_supplier_id: int | None = None


class ProductOut(BaseModel):
    id: int
    sku: str
    barcode: str | None
    name: str
    unit: str
    price: int
    commodity_group: CommodityGroup
    on_hand: Decimal
    active: bool
    tracks_expiry: bool
    reference_price: int | None


class ProductDetail(ProductOut):
    barcodes: list[str]
    reorder_point: Decimal
    allow_negative: bool
    preferred_supplier_id: int | None


ProductList = RootModel[list[ProductOut]]


class SupplierIn(BaseModel):
    name: str = Field(max_length=120)
    kind: str = Field(description="third_party, local_producer, kube_member, bulog or other")
    contact_person: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=500)
    lead_time_days: int = Field(default=2, description="days from order to delivery")
    active: bool = True


class SupplierPatch(BaseModel):
    name: str | None = Field(default=None, max_length=120)
    kind: str | None = None
    contact_person: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, max_length=500)
    lead_time_days: int | None = None
    active: bool | None = None


class SupplierOut(BaseModel):
    id: int
    name: str
    kind: SupplierKind
    contact_person: str
    phone: str
    address: str
    note: str
    lead_time_days: int
    active: bool


SupplierList = RootModel[list[SupplierOut]]


class ReceiptLineIn(BaseModel):
    product_id: int
    quantity: Decimal = Field(description=QTY)
    unit_cost: int = Field(description="Rupiah per unit")
    expires_on: date | None = Field(default=None, description="required when the product "
                                                              "tracks expiry")
    batch_label: str = Field(default="", max_length=60)


class ReceiptIn(BaseModel):
    supplier_id: int
    lines: list[ReceiptLineIn]
    received_on: date | None = Field(default=None, description="default: today")
    reference: str = Field(default="", max_length=60, description="supplier's delivery note")
    note: str = Field(default="", max_length=500)


class ReceiptLineOut(BaseModel):
    id: int
    product_id: int
    quantity: Decimal
    unit_cost: int
    value: int
    expires_on: date | None
    batch_label: str
    batch_id: int | None


class ReceiptOut(BaseModel):
    id: int
    number: str
    supplier_id: int
    received_on: date
    reference: str
    note: str
    total: int
    reverses_id: int | None
    reversed_by: int | None = None
    created_at: datetime
    lines: list[ReceiptLineOut]


class ReversalIn(BaseModel):
    lines: dict[int, Decimal] | None = Field(
        default=None, description="line id → quantity to take back; default every line")
    note: str = Field(default="", max_length=500)


class BatchOut(BaseModel):
    id: int
    expires_on: date | None
    quantity: Decimal
    value: int
    unit_cost: int
    label: str
    supplier: str


class StockOut(BaseModel):
    product_id: int
    sku: str
    name: str
    unit: str
    on_hand: Decimal
    value: int
    batches: list[BatchOut]


StockList = RootModel[list[StockOut]]


class StockQuery(BaseModel):
    product_id: int | None = None


class CountIn(BaseModel):
    product_id: int
    counted: Decimal = Field(description=QTY)


class StocktakeIn(BaseModel):
    lines: list[CountIn]
    note: str = Field(default="", max_length=500)


class VarianceOut(BaseModel):
    product_id: int
    name: str
    unit: str
    counted: Decimal
    expected: Decimal
    variance: Decimal
    value: int = Field(description="Rupiah; negative is shrinkage (an estimate until approved)")


class StocktakeOut(BaseModel):
    id: int
    status: Literal["open", "approved", "cancelled"]
    started_at: datetime
    approved_at: datetime | None
    lines: list[VarianceOut]


class WriteOffIn(BaseModel):
    product_id: int
    quantity: Decimal = Field(description=QTY)
    reason: str = Field(description="expired, damaged, lost or other")
    note: str = Field(default="", max_length=500)
    batch_id: int | None = Field(default=None, description="take from this batch, not FEFO")


class AdjustmentIn(BaseModel):
    product_id: int
    quantity: Decimal = Field(description="signed: negative removes stock")
    reason: str = Field(description="correction, found, lost or other")
    note: str = Field(default="", max_length=500)


class AdjustmentOut(BaseModel):
    id: int
    kind: str
    product_id: int
    reason: str
    note: str
    on_hand: Decimal


class ExpiringQuery(BaseModel):
    days: int = Field(default=7, ge=0, le=365)


class ExpiringOut(BaseModel):
    batch_id: int
    product_id: int
    name: str
    unit: str
    expires_on: date
    days_left: int
    quantity: Decimal
    value: int
    supplier: str


ExpiringList = RootModel[list[ExpiringOut]]


class MonthQuery(BaseModel):
    month: str | None = Field(default=None, description="YYYY-MM; default this month")
