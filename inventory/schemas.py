"""Request and answer shapes of the stock API (they also make its OpenAPI document).

The shapes check types; the services check the rules (positive quantities, 3 decimals,
known products...) so the API, the pages and the CSV import refuse the same things with
the same Indonesian messages, every bad field of a body at once. Amounts and quantities
therefore reach the services as sent: they read them with the shop's one parser of each
(`ewarung.numbers`), and the shapes only document the bounds.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, RootModel

from ewarung.clock import MonthText
from ewarung.fields import Id, money, quantity, whole

CommodityGroup = Literal["carbohydrate", "animal_protein", "plant_protein",
                         "vitamins_minerals", "none"]
SupplierKind = Literal["third_party", "local_producer", "kube_member", "bulog", "other"]
QTY = "decimal string or number, at most 3 decimals"

#: checked by the services (see above), documented here
Rupiah = Annotated[Any, money(deferred=True)]
Quantity = Annotated[Any, quantity(deferred=True)]
CountedQuantity = Annotated[Any, quantity(allow_zero=True, deferred=True)]
SignedQuantity = Annotated[Any, quantity(allow_negative=True, deferred=True)]
LeadTime = Annotated[Any, whole(0, 365, deferred=True)]


class ProductQuery(BaseModel):
    q: str = Field(default="", max_length=120, description="name, SKU or barcode")
    limit: Annotated[int, whole(1, 100)] = 20
    include_inactive: bool = False
    group: Literal["carbohydrate", "animal_protein", "plant_protein", "vitamins_minerals",
                   "none"] | None = Field(default=None, description="without q: only this "
                                          "commodity group (the till's tabs)")


class ProductIn(BaseModel):
    sku: str = Field(max_length=40)
    name: str = Field(max_length=120)
    unit: str = Field(max_length=10, description="kg, liter, pcs, pack, butir, ikat, ...")
    price: Rupiah = Field(description="sale price per unit, Rupiah")
    commodity_group: str = Field(description="carbohydrate, animal_protein, plant_protein, "
                                             "vitamins_minerals or none")
    barcode: str | None = Field(default=None, max_length=32)
    barcodes: list[str] | None = Field(default=None, description="several barcodes")
    reference_price: Rupiah | None = None
    reorder_point: CountedQuantity | None = Field(default=None, description=QTY)
    tracks_expiry: bool = False
    allow_negative: bool = False
    active: bool = True
    preferred_supplier_id: Id | None = None


class ProductPatch(BaseModel):
    sku: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=120)
    unit: str | None = Field(default=None, max_length=10)
    price: Rupiah | None = None
    commodity_group: str | None = None
    barcodes: list[str] | None = None
    reference_price: Rupiah | None = None
    reorder_point: CountedQuantity | None = None
    tracks_expiry: bool | None = None
    allow_negative: bool | None = None
    active: bool | None = None
    preferred_supplier_id: Id | None = None


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
    expired_on_hand: Decimal = Field(default=Decimal(0), description=(
        "of on_hand, what is past its expiry date: a sale refuses it (expired_stock)"))
    allow_negative: bool = Field(default=False, description=(
        "sold beyond what is on hand (goods counted later)"))


class ProductDetail(ProductOut):
    barcodes: list[str]
    reorder_point: Decimal
    preferred_supplier_id: int | None


ProductList = RootModel[list[ProductOut]]


class SupplierIn(BaseModel):
    name: str = Field(max_length=120)
    kind: str = Field(description="third_party, local_producer, kube_member, bulog or other")
    contact_person: str = Field(default="", max_length=120)
    phone: str = Field(default="", max_length=40)
    address: str = Field(default="", max_length=300)
    note: str = Field(default="", max_length=500)
    lead_time_days: LeadTime = Field(default=2, description="days from order to delivery")
    active: bool = True


class SupplierPatch(BaseModel):
    name: str | None = Field(default=None, max_length=120)
    kind: str | None = None
    contact_person: str | None = Field(default=None, max_length=120)
    phone: str | None = Field(default=None, max_length=40)
    address: str | None = Field(default=None, max_length=300)
    note: str | None = Field(default=None, max_length=500)
    lead_time_days: LeadTime | None = None
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
    product_id: Id
    quantity: Quantity = Field(description=QTY)
    unit_cost: Rupiah = Field(description="Rupiah per unit")
    expires_on: date | None = Field(default=None, description="required when the product "
                                                              "tracks expiry")
    batch_label: str = Field(default="", max_length=60)


class ReceiptIn(BaseModel):
    supplier_id: Id
    lines: list[ReceiptLineIn] = Field(max_length=500)
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
    lines: dict[Id, CountedQuantity] | None = Field(
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
    product_id: Id | None = None


class CountIn(BaseModel):
    product_id: Id
    counted: CountedQuantity = Field(description=QTY)


class StocktakeIn(BaseModel):
    lines: list[CountIn] = Field(max_length=10_000)
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
    product_id: Id
    quantity: Quantity = Field(description=QTY)
    reason: str = Field(description="expired, damaged, lost or other")
    note: str = Field(default="", max_length=500)
    batch_id: Id | None = Field(default=None, description="take from this batch, not FEFO")


class AdjustmentIn(BaseModel):
    product_id: Id
    quantity: SignedQuantity = Field(description="signed: negative removes stock")
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
    days: Annotated[int, whole(0, 365)] = 7


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
    month: MonthText | None = Field(default=None, description="YYYY-MM; default this month")
