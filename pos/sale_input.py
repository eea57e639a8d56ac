"""The sale as the till asks for it, and everything reading can tell about it before writing.

`prepare_sale` reads and checks what does not change under a sale's feet: the products (by id
or barcode), the KKS card (by its keyed hash), the settings, the cashier's open shift; then it
prices the lines and settles the tenders with the pure core (`pos.checkout`). It writes
nothing, so on SQLite it runs before the writer lock; `pos.sales.record_sale` writes what it
prepared.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from aid.beneficiaries import PayingCard, paying_card, token_card
from aid.cards import CardTokenMismatch, derive_token_key
from aid.settings import (
    ABOVE_REFERENCE,
    BPNT_KEYS,
    SALE_KEYS,
    BpntSettings,
    bpnt_from,
    saved_settings,
)
from ewarung.clock import now
from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.numbers import checked_amount, parse_quantity
from ewarung.text import writable
from inventory.catalogue import is_fractional
from inventory.models import Barcode, Product
from pos.checkout import (
    BPNT,
    CASH,
    PriceAboveReference,
    PricedLine,
    Settlement,
    TenderRequest,
    lines_above_reference,
    settle,
)
from pos.models import Shift
from pos.receipts import ReceiptContext, ReceiptShop, read_shop
from pos.shifts import NoOpenShift
from printer.setup import SETTING_KEYS as PRINTER_KEYS
from printer.setup import PrinterSetup, setup_from_saved


class ApprovalRequired(AppError):
    code = "approval_required"
    status = 403
    template = N_("Harga yang diubah perlu persetujuan (PIN) manajer.")


class ExpiredApprovalRequired(ApprovalRequired):
    template = N_("Menjual barang kedaluwarsa perlu persetujuan (PIN) manajer.")


@dataclass(frozen=True)
class LineRequest:
    """A cart line as the till sends it."""

    quantity: Any
    product_id: int | None = None
    barcode: str | None = None
    #: a price other than the catalogue's (needs a manager's approval)
    unit_price: int | None = None


@dataclass(frozen=True)
class TenderInput:
    """A payment as the till sends it."""

    kind: str
    amount: int | None = None
    card: str | None = None
    edc_ref: str | None = None
    reference: str | None = None
    #: bpnt: the look-up's signed token, in place of the card number
    card_token: str | None = None
    #: bpnt: the KPM the till means to charge (checked against the card)
    beneficiary_id: int | None = None


@dataclass(frozen=True)
class SaleRequest:
    """The body of POST /sales."""

    client_ref: str
    lines: tuple[LineRequest, ...]
    tenders: tuple[TenderInput, ...]
    #: a keyed digest of the whole body: tells a replay from a different sale
    fingerprint: str = ""


@dataclass(frozen=True)
class Till:
    """Who sells, with which card key, and what the receipt needs. When the sale happens is
    the shop clock's (`ewarung.clock.now`: now, unless `happening_at` says otherwise)."""

    cashier_id: int
    cashier_name: str
    card_key: bytes
    receipts: ReceiptContext

    @property
    def token_key(self) -> bytes:
        """The key of the look-up's card tokens: like the receipt's code, from the app's
        secret key."""
        return derive_token_key(self.receipts.secret)


@dataclass
class PreparedSale:
    """A checked, priced and settled sale, ready to be written."""

    request: SaleRequest
    #: per line, in the order sent: (product facts, priced line)
    lines: list[tuple[Any, PricedLine]]
    settlement: Settlement
    card: PayingCard | None
    bpnt: BpntSettings
    printer: PrinterSetup
    shop: ReceiptShop
    shift_id: int
    at: datetime
    business_day: date
    above_reference: bool
    #: lines whose price differs from the catalogue's (need a manager's approval)
    repriced: list[int] = field(default_factory=list)
    approver_id: int | None = None
    #: a manager approved selling goods past their expiry date (written or marked down)
    sell_expired: bool = False


def fingerprint(key: bytes, body: dict[str, Any]) -> str:
    """A keyed digest of a request body (the card number inside stays unrecoverable)."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), default=str)
    return hmac.new(key, b"sale-request:" + canonical.encode(), hashlib.sha256).hexdigest()


# --- phase 1: read and check -----------------------------------------------------------------

# The hot path's statements are built once: a statement object memoises its cache key, so
# executing it again skips building and hashing the expression.
_SETTING_KEYS = (*BPNT_KEYS, *SALE_KEYS, *PRINTER_KEYS)
_products_t = cast(Table, Product.__table__)
_barcodes_t = cast(Table, Barcode.__table__)
_shifts_t = cast(Table, Shift.__table__)
_PRODUCT_COLUMNS = tuple(_products_t.c[name] for name in (
    "id", "name", "unit", "price", "commodity_group", "reference_price", "active"))
_PRODUCTS_BY_ID = select(*_PRODUCT_COLUMNS).where(
    _products_t.c.id.in_(bindparam("ids", expanding=True)))
_PRODUCTS_BY_CODE = (select(*_PRODUCT_COLUMNS, _barcodes_t.c.code)
                     .join(_barcodes_t, _barcodes_t.c.product_id == _products_t.c.id)
                     .where(_barcodes_t.c.code.in_(bindparam("codes", expanding=True))))
_OPEN_SHIFT = select(_shifts_t.c.id).where(_shifts_t.c.cashier_id == bindparam("cashier_id"),
                                           _shifts_t.c.closed_at.is_(None))


def prepare_sale(session: Session, req: SaleRequest, till: Till) -> PreparedSale:
    """Everything a sale needs that reading can tell, checked; nothing is written."""
    shift_id = session.scalar(_OPEN_SHIFT, {"cashier_id": till.cashier_id})
    if shift_id is None:
        raise NoOpenShift()
    values = saved_settings(session, _SETTING_KEYS)
    cfg = bpnt_from(values)
    at = now()
    facts = _products(session, req.lines)
    priced, repriced = _price(req.lines, facts)
    above = lines_above_reference(priced)
    if above and values[ABOVE_REFERENCE.key] == "refuse":
        raise PriceAboveReference(name=", ".join(ln.name for ln in above),
                                  details={"product_ids": [ln.product_id for ln in above]})
    settlement = settle(priced, [_tender_request(t, i) for i, t in enumerate(req.tenders)])
    card = _card(session, req.tenders, till, cfg, at) if settlement.bpnt_amount else None
    return PreparedSale(
        request=req, lines=list(zip(facts, priced, strict=True)), settlement=settlement,
        card=card, bpnt=cfg, printer=setup_from_saved(values),
        shop=read_shop(session, ZoneInfo(cfg.timezone)), shift_id=shift_id, at=at,
        business_day=cfg.day(at), above_reference=bool(above), repriced=repriced)


def _products(session: Session, lines: Sequence[LineRequest]) -> list[Any]:
    """Each line's product facts: one indexed query by id, one by barcode when used."""
    ids = {ln.product_id for ln in lines if ln.product_id is not None}
    codes = {ln.barcode.strip() for ln in lines if ln.barcode}
    by_id: dict[int, Any] = {}
    by_code: dict[str, Any] = {}
    if ids:
        by_id = {row.id: row for row in session.execute(_PRODUCTS_BY_ID, {"ids": list(ids)})}
    if codes:
        by_code = {row.code: row for row in session.execute(_PRODUCTS_BY_CODE,
                                                             {"codes": list(codes)})}
    out = []
    for i, ln in enumerate(lines):
        if (ln.product_id is None) == (ln.barcode is None):
            raise ValidationFailed.field(f"lines.{i}", N_("Isi product_id atau barcode."))
        if ln.product_id is not None:
            row, where = by_id.get(ln.product_id), f"lines.{i}.product_id"
        else:
            row, where = by_code.get((ln.barcode or "").strip()), f"lines.{i}.barcode"
        if row is None:
            raise ValidationFailed.field(where, N_("Barang tidak dikenal."))
        if not row.active:
            raise ValidationFailed.field(where, N_("%(product)s tidak dijual lagi."),
                                         product=row.name)
        out.append(row)
    return out


def _price(lines: Sequence[LineRequest], facts: Sequence[Any]
           ) -> tuple[list[PricedLine], list[int]]:
    priced, repriced = [], []
    for i, (ln, row) in enumerate(zip(lines, facts, strict=True)):
        qty = parse_quantity(ln.quantity, f"lines.{i}.quantity")
        if not is_fractional(row.unit) and qty != qty.to_integral_value():
            raise ValidationFailed.field(f"lines.{i}.quantity", N_(
                "%(product)s dijual utuh per %(unit)s, tanpa pecahan."), product=row.name,
                unit=row.unit)
        price = row.price if ln.unit_price is None else ln.unit_price
        if price != row.price:
            repriced.append(i)
        line = PricedLine(row.id, row.name, qty, price, row.commodity_group,
                          row.reference_price)
        checked_amount(line.amount, f"lines.{i}.quantity")
        priced.append(line)
    return priced, repriced


def _tender_request(t: TenderInput, i: int) -> TenderRequest:
    """The tender for the pure core; a reference it keeps is stored, so it must be writable."""
    name = "edc_ref" if t.kind == BPNT else "reference"
    reference = getattr(t, name) or ""
    if t.kind != CASH:  # cash keeps no reference
        writable(reference, f"tenders.{i}.{name}")
    return TenderRequest(t.kind, t.amount, reference)


def _card(session: Session, tenders: Sequence[TenderInput], till: Till, cfg: BpntSettings,
          at: datetime) -> PayingCard:
    """The paying card: named by the look-up's signed token, or found by the keyed hash of
    the number sent (the number itself is never stored)."""
    i, tender = next((i, t) for i, t in enumerate(tenders) if t.kind == BPNT)
    typed = tender.card is not None and bool(tender.card.strip())
    if tender.card_token:
        card = token_card(session, till.token_key, tender.card_token,
                          now=int(at.timestamp()))
        if typed and paying_card(session, till.card_key, tender.card or "",
                                 luhn_check=cfg.luhn_check).card_id != card.card_id:
            raise CardTokenMismatch()
    elif typed:
        card = paying_card(session, till.card_key, tender.card or "", luhn_check=cfg.luhn_check)
    else:
        raise ValidationFailed.field(f"tenders.{i}.card", N_("Gesek atau ketik kartu KKS."))
    if tender.beneficiary_id is not None and tender.beneficiary_id != card.beneficiary_id:
        raise CardTokenMismatch()
    return card


def resolve_card(session: Session, req: SaleRequest, till: Till) -> int | None:
    """The KPM a refused sale's card belongs to, for the refusal record (None if unknown)."""
    try:
        card = _card(session, req.tenders, till, bpnt_from(
            saved_settings(session, BPNT_KEYS)), now())
    except AppError:
        return None
    return card.beneficiary_id
