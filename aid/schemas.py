"""Request and answer schemas of the beneficiary API (they also document OpenAPI)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from apiflask.fields import UploadFile
from pydantic import BaseModel, ConfigDict, Field, model_validator

from aid.ledger import MAX_ENTITLEMENT
from ewarung.clock import MonthText
from ewarung.fields import Id, money, whole
from ewarung.numbers import MAX_ID

#: a KPM's credit, or a correction of it (signed)
Entitlement = Annotated[int, money(low=1, high=MAX_ENTITLEMENT)]
Correction = Annotated[int, money(low=-MAX_ENTITLEMENT, high=MAX_ENTITLEMENT, allow_zero=False)]


class EntitlementOut(BaseModel):
    period: str = Field(description="2026-11 (monthly) or 2026-Q4 (quarterly, tahap)")
    credited: int
    redeemed: int
    remaining: int
    adjusted: int
    carried: int


class LookupQuery(BaseModel):
    card: str | None = Field(default=None, max_length=400,
                             description="typed card number or raw magnetic-stripe text")
    nik: str | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def one_key(self) -> LookupQuery:
        if (self.card is None) == (self.nik is None):
            raise ValueError("give either card or nik")
        return self


class LookupIn(BaseModel):
    card: str = Field(min_length=1, max_length=400)


class NoticeOut(BaseModel):
    code: str
    message: str


class LookupOut(BaseModel):
    id: int
    name: str
    masked_card: str | None
    card_token: str | None = Field(description=(
        "when looked up by card: a signed token (valid 12 hours) that pays a BPNT tender "
        "in place of the card number"))
    bpnt_mode: Literal["strict", "warn", "record"] = Field(description=(
        "the shop's BPNT mode: strict/warn keep the entitlement; record keeps none (the bank "
        "does) and records card payments with their EDC code"))
    notice: NoticeOut | None = Field(description=(
        "something the cashier should know (registered_after_credit: imported after the "
        "period's credit run, so nothing is credited yet)"))
    village: str
    active: bool
    entitlement: EntitlementOut | None = Field(description="null in record mode")


class CardOut(BaseModel):
    id: int
    masked: str
    status: str
    created_at: datetime
    replaced_at: datetime | None


class BeneficiaryOut(BaseModel):
    id: int
    nik: str
    no_kk: str | None
    name: str
    village: str
    address: str
    kecamatan: str
    id_dtks: str | None
    active: bool
    masked_card: str | None
    entitlement: EntitlementOut | None = None
    cards: list[CardOut] | None = None


class SearchQuery(BaseModel):
    q: str = Field(default="", max_length=120)
    active: bool | None = None
    village: str | None = Field(default=None, max_length=120)
    limit: Annotated[int, whole(1, 500)] = 50
    offset: Annotated[int, whole(0, MAX_ID)] = 0


class BeneficiaryPage(BaseModel):
    items: list[BeneficiaryOut]
    total: int


class ImportIn(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    file: UploadFile


class RejectedOut(BaseModel):
    row: int
    code: str
    message: str


class ImportOut(BaseModel):
    imported: int
    updated: int
    unchanged: int
    rejected: list[RejectedOut]


class CreditIn(BaseModel):
    period: MonthText
    amount: Entitlement
    beneficiary_ids: list[Id] | None = Field(default=None, max_length=100_000)


class CreditOut(BaseModel):
    credited: int
    skipped: int = Field(description="active KPM already credited in the period")
    period: str


class StatusIn(BaseModel):
    active: bool
    reason: str = Field(default="", max_length=300)


class CardIn(BaseModel):
    card: str = Field(min_length=1, max_length=400)


class AdjustmentIn(BaseModel):
    amount: Correction | None = Field(default=None, description="signed Rupiah")
    bank_remaining: Annotated[int, money(high=MAX_ENTITLEMENT)] | None = Field(
        default=None, description="the balance the bank's EDC shows")
    reason: str = Field(min_length=3, max_length=300)
    period: MonthText | None = None

    @model_validator(mode="after")
    def one_amount(self) -> AdjustmentIn:
        if (self.amount is None) == (self.bank_remaining is None):
            raise ValueError("give either amount or bank_remaining")
        return self


class EntryOut(BaseModel):
    id: int
    kind: str
    period: str
    amount: int
    created_at: datetime
    sale_id: int | None
    sale_number: str | None = Field(default=None, description="the sale's receipt number")
    edc_ref: str | None
    masked_card: str | None
    reason: str | None
    reversal_of_id: int | None


class AdjustmentOut(BaseModel):
    entry: EntryOut | None
    entitlement: EntitlementOut


class LedgerOut(BaseModel):
    entitlement: EntitlementOut
    entries: list[EntryOut]


class LedgerQuery(BaseModel):
    kind: str | None = Field(default=None, pattern="^(credit|redemption|reversal|adjustment)$")
    limit: Annotated[int, whole(1, 1000)] = 200


class UnservedQuery(BaseModel):
    period: MonthText | None = None


class UnservedItem(BaseModel):
    id: int
    nik: str
    name: str
    village: str
    address: str
    masked_card: str | None
    remaining: int


class UnservedOut(BaseModel):
    period: str
    items: list[UnservedItem]


class ReconciliationIn(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    file: UploadFile


class ReconItemOut(BaseModel):
    status: str
    matched_by: str
    bank_row: int | None
    bank_day: date | None
    bank_reference: str | None
    bank_amount: int | None
    bank_masked_card: str | None
    entry_id: int | None
    shop_day: date | None
    shop_reference: str | None
    shop_amount: int | None
    shop_masked_card: str | None


class ReconciliationOut(BaseModel):
    id: int
    created_at: datetime
    filename: str
    first_day: date | None
    last_day: date | None
    matched: int
    amount_differs: int
    bank_only: int
    shop_only: int
    unreadable: int
    bank_total: int
    shop_total: int
    items: list[ReconItemOut] | None = None
