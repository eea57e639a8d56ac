"""Request and answer schemas of the sales, returns and shifts API (they also document OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, RootModel

from ewarung.fields import Id, Rupiah, SignedRupiah, quantity, whole
from pos.sale_input import LineRequest, SaleRequest, TenderInput, fingerprint

#: checked by the shop's quantity rule but kept as sent: the body is fingerprinted as sent
Quantity = Annotated[str | int | float, quantity(keep_raw=True)]


class ApproverIn(BaseModel):
    username: str = Field(min_length=1, max_length=40)
    pin: str = Field(min_length=1, max_length=200, description="the manager's PIN (or password)")


class SaleLineIn(BaseModel):
    product_id: Id | None = None
    barcode: str | None = Field(default=None, min_length=1, max_length=32)
    quantity: Quantity = Field(description='decimal, at most 3 places ("1.5" kg)')
    unit_price: Rupiah | None = Field(default=None, description=(
        "a price other than the catalogue's; needs `approver`"))


class TenderIn(BaseModel):
    kind: Literal["bpnt", "cash", "qris", "transfer"]
    amount: Rupiah | None = Field(default=None, description=(
        "bpnt: defaults to the eligible total; cash: the money handed over (defaults to "
        "what is due); qris/transfer: defaults to what is due"))
    card: str | None = Field(default=None, max_length=400,
                             description="bpnt: typed card number or raw magnetic-stripe text "
                                         "(or give `card_token`)")
    card_token: str | None = Field(default=None, max_length=100, description=(
        "bpnt: the `card_token` of the card's look-up (valid 12 hours), in place of `card`"))
    masked_card: str | None = Field(default=None, max_length=40, description=(
        "bpnt: the look-up's masked number, for the till's own display; the sale records "
        "the card's masked number as stored"))
    beneficiary_id: Id | None = Field(default=None, description=(
        "bpnt: the KPM the till means to charge; refused (card_token_mismatch) if the card "
        "is another KPM's"))
    edc_ref: str | None = Field(default=None, max_length=40,
                                description="bpnt: the approval code on the EDC slip")
    reference: str | None = Field(default=None, max_length=60,
                                  description="qris/transfer: the payment reference")


class SaleIn(BaseModel):
    client_ref: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:-]*$",
                            description="made by the tablet (a UUID; letters, digits and . _ : -); "
                                        "a replay answers 200")
    lines: list[SaleLineIn] = Field(min_length=1, max_length=200)
    tenders: list[TenderIn] = Field(min_length=1, max_length=4)
    approver: ApproverIn | None = Field(default=None, description=(
        "a manager approving changed prices, or the sale of expired goods"))
    sell_expired: bool = Field(default=False, description=(
        "sell goods past their expiry date (written down or marked down); needs `approver`. "
        "Without it a line that only expired goods could serve answers 409 expired_stock"))

    def request(self, card_key: bytes) -> SaleRequest:
        """What the sale service takes; its fingerprint covers the body but the client_ref
        and the approver (and `sell_expired` when false, as bodies without it were)."""
        skip = {"client_ref", "approver"} | (set() if self.sell_expired else {"sell_expired"})
        return SaleRequest(
            client_ref=self.client_ref,
            lines=tuple(LineRequest(ln.quantity, ln.product_id, ln.barcode, ln.unit_price)
                        for ln in self.lines),
            tenders=tuple(TenderInput(t.kind, t.amount, t.card, t.edc_ref, t.reference,
                                      t.card_token, t.beneficiary_id)
                          for t in self.tenders),
            fingerprint=fingerprint(card_key,
                                    self.model_dump(exclude=skip)))


class SaleLineOut(BaseModel):
    id: int
    product_id: int
    name: str
    unit: str
    commodity_group: str
    quantity: str
    unit_price: int
    amount: int
    bpnt_eligible: bool


class SaleDetailLineOut(SaleLineOut):
    returned_quantity: str


class TenderOut(BaseModel):
    kind: str
    amount: int = Field(description="what this tender paid of the total")
    given: int | None = Field(description="cash handed over (cash only)")
    reference: str | None
    masked_card: str | None = Field(description="bpnt: first 6 and last 4 digits")
    edc_ref: str | None


class BpntOut(BaseModel):
    beneficiary_id: int
    remaining: int | None = Field(description="the KPM's remaining entitlement after the sale")


class PrintJobRef(BaseModel):
    id: int
    state: str


class ReceiptOut(BaseModel):
    verify_url: str = Field(description="the public /r/CODE address in the receipt's QR code")
    print_job: PrintJobRef | None = Field(description="null when printing is off")


class ReturnLineOut(BaseModel):
    sale_line_id: int
    quantity: str
    amount: int


class ReturnOut(BaseModel):
    id: int
    created_at: datetime
    reason: str
    approver_id: int
    refund_cash: int
    refund_bpnt: int
    lines: list[ReturnLineOut]


class SaleOut(BaseModel):
    id: int
    number: str = Field(description="EW-YYYYMMDD-NNNN")
    created_at: datetime
    total: int
    lines: list[SaleLineOut]
    tenders: list[TenderOut]
    change: int
    bpnt: BpntOut | None
    receipt: ReceiptOut
    status: Literal["completed", "voided"]
    above_reference: bool = Field(description="a line is priced above the market reference")


class SaleDetailOut(SaleOut):
    lines: list[SaleDetailLineOut]  # type: ignore[assignment]
    voided_at: datetime | None
    void_reason: str | None
    shift_id: int | None
    cashier_id: int
    returns: list[ReturnOut]


class VoidIn(BaseModel):
    reason: str = Field(min_length=3, max_length=300)
    approver: ApproverIn


class ReturnLineIn(BaseModel):
    sale_line_id: Id
    quantity: Quantity


class ReturnIn(BaseModel):
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=3, max_length=300)
    approver: ApproverIn


class SaleListItem(BaseModel):
    id: int
    number: str
    created_at: datetime
    total: int
    status: str
    cashier: str


SaleList = RootModel[list[SaleListItem]]


class SaleQuery(BaseModel):
    q: str = Field(default="", max_length=40, description="a sale number, or part of it")
    limit: Annotated[int, whole(1, 200)] = 50


class ShiftOpenIn(BaseModel):
    opening_float: Rupiah = Field(description="cash in the drawer at the start")


class CashMovementIn(BaseModel):
    amount: SignedRupiah = Field(
        description="into the drawer (positive) or out of it (negative)")
    reason: str = Field(min_length=3, max_length=300)


class ShiftCloseIn(BaseModel):
    counted_cash: Rupiah
    note: str = Field(default="", max_length=300)


class ShiftReportOut(BaseModel):
    shift_id: int
    kind: Literal["X", "Z"] = Field(description="X: mid-shift; Z: at the close")
    cashier: str
    opened_at: datetime
    closed_at: datetime | None
    opening_float: int
    sales_count: int
    sales_total: int
    tenders: dict[str, int] = Field(description="amount paid per tender kind (completed sales)")
    bpnt_count: int
    bpnt_amount: int
    voids_count: int
    voids_total: int
    returns_count: int
    refunds_cash: int
    refunds_bpnt: int
    cash_in: int
    cash_out: int
    expected_cash: int
    counted_cash: int | None
    variance: int | None


class ShiftOut(BaseModel):
    id: int
    cashier_id: int
    opened_at: datetime
    closed_at: datetime | None
    opening_float: int
    report: ShiftReportOut


class CurrentShiftOut(BaseModel):
    shift: ShiftOut | None
