"""Use-case of the till: record a sale, all or nothing, once per `client_ref`.

Two phases keep SQLite's writer lock short (HACKING.md), and both run in the request's unit
of work:

1. `prepare_sale` reads and checks everything that does not change under a sale's feet: the
   products (by id or barcode, in one query), the KKS card (its keyed hash), the settings, the
   cashier's open shift; then prices the lines and settles the tenders with the pure core
   (`pos.checkout`). It writes nothing, so on SQLite it runs before the writer lock.
2. `record_sale` writes, taking locks in one fixed order so that two sales never wait on
   each other in a circle on PostgreSQL: the day's counter row (`pos.numbering`), the
   product batches in id order (`inventory.stock.plan_many`), then the KPM's row
   (`pos.ledger.redeem`, which re-reads the balance under that lock, so several tablets never
   overdraw one card). Statements are Core and multi-row: on the hot path a sale is about ten
   statements.

Idempotency: the sale row is inserted with ON CONFLICT (client_ref) DO NOTHING. When the row
is not inserted, another request with the same `client_ref` got there first (or is about to
commit; PostgreSQL waits for it): `record_sale` raises `Replay`, the caller rolls back
(undoing the counter) and answers with that sale through `replay`, or 409
`idempotency_conflict` when its body differs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.db import utcnow
from ewarung.errors import N_, AppError, Conflict, ValidationFailed
from inventory import stock
from inventory.calendar import happening_at
from inventory.catalogue import is_fractional
from inventory.ledger import parse_quantity
from inventory.models import Barcode, Product
from pos import ledger
from pos.beneficiaries import BeneficiaryInactive, CardReplaced
from pos.cards import CardNotRegistered, card_hash, read_card
from pos.checkout import (
    BPNT,
    REFERENCED,
    PriceAboveReference,
    PricedLine,
    Settlement,
    TenderRequest,
    lines_above_reference,
    settle,
)
from pos.models import Beneficiary, KksCard
from pos.numbering import format_number, next_sequence
from pos.receipts import ReceiptShop, queue_receipt, read_shop, verify_url
from pos.sale_models import Sale, SaleLine, Shift, Tender
from pos.sale_records import LineRecord, SaleRecord, TenderRecord, load_sale
from pos.settings import (
    ABOVE_REFERENCE,
    BPNT_KEYS,
    REQUIRE_SHIFT,
    SALE_KEYS,
    BpntSettings,
    bpnt_from,
    saved_settings,
)
from printer.setup import SETTING_KEYS as PRINTER_KEYS
from printer.setup import PrinterSetup, setup_from_saved


class IdempotencyConflict(Conflict):
    code = "idempotency_conflict"
    template = N_("Nomor transaksi tablet (client_ref) ini sudah dipakai untuk transaksi lain.")


class ApprovalRequired(AppError):
    code = "approval_required"
    status = 403
    template = N_("Harga yang diubah perlu persetujuan (PIN) manajer.")


class ShiftRequired(Conflict):
    code = "shift_required"
    template = N_("Buka shift kasir terlebih dahulu.")


class Replay(Exception):
    """The `client_ref` belongs to a sale already recorded: answer with it (see `replay`)."""


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
    """Who sells, with which keys, and where receipts point."""

    cashier_id: int
    cashier_name: str
    card_key: bytes
    secret_key: str
    url_root: str = "http://localhost/"
    #: when the sale happens (now, unless building a demo's history)
    at: datetime | None = None
    #: queue the receipt (a demo's history is not printed)
    print_receipt: bool = True


@dataclass(frozen=True)
class Card:
    """The KKS card that pays: its KPM, the card row and its masked number."""

    beneficiary_id: int
    card_id: int
    masked: str


@dataclass
class PreparedSale:
    """A checked, priced and settled sale, ready to be written."""

    request: SaleRequest
    #: per line, in the order sent: (product facts, priced line)
    lines: list[tuple[Any, PricedLine]]
    settlement: Settlement
    card: Card | None
    bpnt: BpntSettings
    printer: PrinterSetup
    shop: ReceiptShop
    shift_id: int | None
    at: datetime
    business_day: date
    above_reference: bool
    #: lines whose price differs from the catalogue's (need a manager's approval)
    repriced: list[int] = field(default_factory=list)
    approver_id: int | None = None


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
_cards_t = cast(Table, KksCard.__table__)
_kpm_t = cast(Table, Beneficiary.__table__)
_shifts_t = cast(Table, Shift.__table__)
_PRODUCT_COLUMNS = tuple(_products_t.c[name] for name in (
    "id", "name", "unit", "price", "commodity_group", "reference_price", "active"))
_PRODUCTS_BY_ID = select(*_PRODUCT_COLUMNS).where(
    _products_t.c.id.in_(bindparam("ids", expanding=True)))
_PRODUCTS_BY_CODE = (select(*_PRODUCT_COLUMNS, _barcodes_t.c.code)
                     .join(_barcodes_t, _barcodes_t.c.product_id == _products_t.c.id)
                     .where(_barcodes_t.c.code.in_(bindparam("codes", expanding=True))))
_CARD = (select(_cards_t.c.id, _cards_t.c.status, _cards_t.c.masked,
                _cards_t.c.beneficiary_id, _kpm_t.c.active)
         .join(_kpm_t, _cards_t.c.beneficiary_id == _kpm_t.c.id)
         .where(_cards_t.c.card_hash == bindparam("card_hash")))
_OPEN_SHIFT = select(_shifts_t.c.id).where(_shifts_t.c.cashier_id == bindparam("cashier_id"),
                                           _shifts_t.c.closed_at.is_(None))


def prepare_sale(session: Session, req: SaleRequest, till: Till) -> PreparedSale:
    """Everything a sale needs that reading can tell, checked; nothing is written."""
    values = saved_settings(session, _SETTING_KEYS)
    cfg = bpnt_from(values)
    at = till.at or utcnow()
    facts = _products(session, req.lines)
    priced, repriced = _price(req.lines, facts)
    above = lines_above_reference(priced)
    if above and values[ABOVE_REFERENCE.key] == "refuse":
        raise PriceAboveReference(name=", ".join(ln.name for ln in above),
                                  details={"product_ids": [ln.product_id for ln in above]})
    settlement = settle(priced, [_tender_request(t) for t in req.tenders])
    card = _card(session, req.tenders, till.card_key, cfg) if settlement.bpnt_amount else None
    shift_id = session.scalar(_OPEN_SHIFT, {"cashier_id": till.cashier_id})
    if shift_id is None and values[REQUIRE_SHIFT.key]:
        raise ShiftRequired()
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
        priced.append(PricedLine(row.id, row.name, qty, price, row.commodity_group,
                                 row.reference_price))
    return priced, repriced


def _tender_request(t: TenderInput) -> TenderRequest:
    reference = (t.edc_ref if t.kind == BPNT else t.reference) or ""
    return TenderRequest(t.kind, t.amount, reference)


def _card(session: Session, tenders: Sequence[TenderInput], key: bytes,
          cfg: BpntSettings) -> Card:
    """The paying card, found by its keyed hash (the number itself is never stored)."""
    i, tender = next((i, t) for i, t in enumerate(tenders) if t.kind == BPNT)
    if not tender.card or not tender.card.strip():
        raise ValidationFailed.field(f"tenders.{i}.card", N_("Gesek atau ketik kartu KKS."))
    digits = read_card(tender.card, luhn_check=cfg.luhn_check)
    row = session.execute(_CARD, {"card_hash": card_hash(key, digits)}).first()
    if row is None:
        raise CardNotRegistered()
    if row.status != "active":
        raise CardReplaced()
    if not row.active:
        raise BeneficiaryInactive()
    return Card(row.beneficiary_id, row.id, row.masked)


# --- phase 2: write ----------------------------------------------------------------------------

_sales = cast(Table, Sale.__table__)
_lines = cast(Table, SaleLine.__table__)
_tenders = cast(Table, Tender.__table__)


def record_sale(session: Session, sale: PreparedSale, till: Till) -> SaleRecord:
    """Write the prepared sale and queue its receipt; raises `Replay` for a known client_ref."""
    req = sale.request
    number = format_number(sale.shop.code, sale.business_day,
                           next_sequence(session, sale.business_day))
    sale_id = _insert_sale(session, sale, till, number)
    if sale_id is None:
        raise Replay(req.client_ref)
    lines = _insert_lines(session, sale_id, sale)
    tenders = _insert_tenders(session, sale_id, sale, till)
    rec = SaleRecord(id=sale_id, number=number, created_at=sale.at, cashier_id=till.cashier_id,
                     total=sale.settlement.total, lines=lines, tenders=tenders,
                     shift_id=sale.shift_id, above_reference=sale.above_reference)
    url = verify_url(till.url_root, till.secret_key, sale_id)
    job = queue_receipt(session, rec, sale.shop, till.cashier_name, url, sale.printer) \
        if till.print_receipt else None
    if job is not None:
        rec = replace(rec, print_job={"id": job.id, "state": job.state})
    return rec


_SALE_COLUMNS = ("number", "business_day", "client_ref", "request_hash", "cashier_id",
                 "shift_id", "created_at", "total", "status", "beneficiary_id",
                 "above_reference")
#: per dialect: the sale row, unless its client_ref is taken (then no row comes back)
_INSERT_SALE = {
    name: insert_(_sales).values({c: bindparam(c, type_=_sales.c[c].type)
                                  for c in _SALE_COLUMNS})
    .on_conflict_do_nothing(index_elements=[_sales.c.client_ref]).returning(_sales.c.id)
    for name, insert_ in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_INSERT_LINES = insert(_lines).returning(_lines.c.id, sort_by_parameter_order=True)
_INSERT_TENDERS = insert(_tenders)


def _insert_sale(session: Session, sale: PreparedSale, till: Till, number: str) -> int | None:
    found = session.execute(_INSERT_SALE[session.get_bind().dialect.name], {
        "number": number, "business_day": sale.business_day,
        "client_ref": sale.request.client_ref, "request_hash": sale.request.fingerprint,
        "cashier_id": till.cashier_id, "shift_id": sale.shift_id, "created_at": sale.at,
        "total": sale.settlement.total, "status": "completed",
        "beneficiary_id": sale.card.beneficiary_id if sale.card else None,
        "above_reference": sale.above_reference}).scalar()
    return None if found is None else int(found)


def _insert_lines(session: Session, sale_id: int, sale: PreparedSale) -> tuple[LineRecord, ...]:
    """Take the stock (FEFO, products in id order) and write the lines with their cost."""
    order = sorted(range(len(sale.lines)), key=lambda i: sale.lines[i][1].product_id)
    with happening_at(sale.at):
        plan = stock.plan_many(session, [(sale.lines[i][1].product_id, sale.lines[i][1].quantity)
                                         for i in order])
    cost = {i: sum(a.value for a in allocations)
            for i, allocations in zip(order, plan.allocations, strict=True)}
    rows = [{"sale_id": sale_id, "product_id": p.product_id, "name": p.name, "unit": f.unit,
             "commodity_group": p.commodity_group, "quantity": p.quantity,
             "unit_price": p.unit_price, "catalogue_price": f.price,
             "price_approver_id": sale.approver_id if i in sale.repriced else None,
             "reference_price": p.reference_price, "amount": p.amount, "cost": cost[i],
             "returned_quantity": Decimal(0)} for i, (f, p) in enumerate(sale.lines)]
    ids = [r[0] for r in session.execute(_INSERT_LINES, rows)]
    with happening_at(sale.at):
        plan.write(session, ref_type="sale_line", ref_ids=[ids[i] for i in order])
    return tuple(LineRecord(id=line_id, product_id=r["product_id"], name=r["name"],
                            unit=r["unit"], commodity_group=r["commodity_group"],
                            quantity=r["quantity"], unit_price=r["unit_price"],
                            amount=r["amount"], cost=r["cost"])
                 for line_id, r in zip(ids, rows, strict=True))


def _insert_tenders(session: Session, sale_id: int, sale: PreparedSale,
                    till: Till) -> tuple[TenderRecord, ...]:
    """Debit the card (under the KPM's lock) and write the tenders."""
    records = []
    for t in sale.settlement.tenders:
        if t.kind == BPNT:
            assert sale.card is not None
            redemption = ledger.redeem(
                session, sale.card.beneficiary_id, t.amount, sale_id=sale_id,
                edc_ref=t.reference, card_id=sale.card.card_id, at=sale.at, settings=sale.bpnt,
                masked_card=sale.card.masked)
            if redemption.over_limit:
                audit.record(session, "sale.bpnt_over_limit", entity="sale", entity_id=sale_id,
                             after={"amount": t.amount, "remaining": redemption.remaining})
            records.append(TenderRecord(
                BPNT, t.amount, beneficiary_id=sale.card.beneficiary_id,
                masked_card=sale.card.masked, edc_ref=t.reference[:40],
                remaining_after=redemption.remaining,
                entitlement_entry_id=redemption.entry_id))
        else:
            records.append(TenderRecord(t.kind, t.amount, given=t.given,
                                        reference=t.reference[:60] if t.kind in REFERENCED
                                        else None))
    session.execute(_INSERT_TENDERS, [
        {"sale_id": sale_id, "kind": r.kind, "amount": r.amount, "given": r.given,
         "reference": r.reference, "beneficiary_id": r.beneficiary_id,
         "masked_card": r.masked_card, "edc_ref": r.edc_ref,
         "entitlement_entry_id": r.entitlement_entry_id, "remaining_after": r.remaining_after}
        for r in records])
    return tuple(records)


# --- replays -------------------------------------------------------------------------------------

_BY_REF = select(_sales.c.id, _sales.c.request_hash).where(
    _sales.c.client_ref == bindparam("client_ref"))


def find_by_ref(session: Session, client_ref: str) -> Any:
    """(id, request_hash) of the sale made with `client_ref`, or None."""
    return session.execute(_BY_REF, {"client_ref": client_ref}).first()


def replay(session: Session, req: SaleRequest) -> SaleRecord:
    """The sale recorded for `req.client_ref`, if `req` is the same body; else 409."""
    found = find_by_ref(session, req.client_ref)
    if found is None:
        raise Replay(req.client_ref)  # unreachable: the row was seen before asking
    if not hmac.compare_digest(found.request_hash, req.fingerprint):
        raise IdempotencyConflict(details={"client_ref": req.client_ref})
    return load_sale(session, found.id)


def resolve_card(session: Session, req: SaleRequest, till: Till) -> int | None:
    """The KPM a refused sale's card belongs to, for the refusal record (None if unknown)."""
    try:
        card = _card(session, req.tenders, till.card_key, bpnt_from(
            saved_settings(session, BPNT_KEYS)))
    except AppError:
        return None
    return card.beneficiary_id
