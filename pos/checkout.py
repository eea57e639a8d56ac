"""The arithmetic of a sale, without a database: totals, what BPNT may pay, tenders, change.

Order of payment: the BPNT tender pays eligible lines only (never more than they cost, never
more than the card's remaining entitlement, never change); then non-cash tenders (QRIS,
transfer) pay exactly; cash pays the rest and is the only tender that gives change.

Which refusal: a basket with goods BPNT may not pay, paid by BPNT alone (whatever its
amount), is `not_eligible_for_bpnt`; a BPNT amount above the eligible lines next to other
tenders, or on a basket of eligible goods only, is `tender_mismatch`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from aid.entitlement import BpntBalanceExceeded
from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.money import format_rupiah, line_amount

NOT_ELIGIBLE = "none"
CASH = "cash"
BPNT = "bpnt"
REFERENCED = ("qris", "transfer")
TENDER_KINDS = (BPNT, CASH, *REFERENCED)


class NotEligibleForBpnt(AppError):
    code = "not_eligible_for_bpnt"
    status = 422
    template = N_("BPNT tidak boleh membayar barang ini: %(names)s. Bayar barang itu tunai.")


class TenderMismatch(AppError):
    code = "tender_mismatch"
    status = 422
    template = N_("Pembayaran tidak sesuai: %(reason)s")


class PriceAboveReference(AppError):
    code = "price_above_reference"
    status = 422
    template = N_("Harga %(name)s di atas harga acuan pasar.")


@dataclass(frozen=True)
class PricedLine:
    """A cart line with the price it sells at."""

    product_id: int
    name: str
    quantity: Decimal
    unit_price: int
    commodity_group: str
    reference_price: int | None = None

    @property
    def amount(self) -> int:
        return line_amount(self.unit_price, self.quantity)

    @property
    def bpnt_eligible(self) -> bool:
        return self.commodity_group != NOT_ELIGIBLE


@dataclass(frozen=True)
class TenderRequest:
    """A payment as the till sends it; `amount` None means "the rest"."""

    kind: str
    amount: int | None = None
    reference: str = ""


@dataclass(frozen=True)
class AppliedTender:
    """A payment as recorded: `amount` is what it paid; `given` the cash handed over."""

    kind: str
    amount: int
    reference: str = ""
    given: int | None = None


@dataclass(frozen=True)
class Settlement:
    """The outcome of paying a basket."""

    total: int
    eligible_total: int
    tenders: tuple[AppliedTender, ...]
    change: int

    @property
    def bpnt_amount(self) -> int:
        return sum(t.amount for t in self.tenders if t.kind == BPNT)


def eligible_total(lines: Sequence[PricedLine]) -> int:
    """What BPNT may pay for: the lines whose commodity group is not "none"."""
    return sum(line.amount for line in lines if line.bpnt_eligible)


def lines_above_reference(lines: Sequence[PricedLine]) -> list[PricedLine]:
    """Lines priced above the market reference price (the 6T "tepat harga" rule)."""
    return [ln for ln in lines if ln.reference_price is not None
            and ln.unit_price > ln.reference_price]


def settle(lines: Sequence[PricedLine], tenders: Sequence[TenderRequest], *,
           bpnt_remaining: int | None = None, strict_balance: bool = True) -> Settlement:
    """Apply the tenders to the basket, or refuse with the rule that was broken."""
    if not lines:
        raise ValidationFailed.field("lines", N_("Keranjang kosong."))
    _check_tender_kinds(tenders)
    total = sum(line.amount for line in lines)
    eligible = eligible_total(lines)
    applied: list[AppliedTender] = []
    due = total
    for req in sorted(tenders, key=lambda t: TENDER_KINDS.index(t.kind)):
        if req.kind == BPNT:
            alone = all(t.kind == BPNT for t in tenders)
            tender = _apply_bpnt(req, lines, eligible, bpnt_remaining, strict_balance, alone)
        elif req.kind == CASH:
            tender = _apply_cash(req, due)
        else:
            tender = _apply_exact(req, due)
        due -= tender.amount
        applied.append(tender)
    if due > 0:
        _refuse_shortfall(lines, applied, due)
    given = sum(t.given or 0 for t in applied if t.kind == CASH)
    paid_cash = sum(t.amount for t in applied if t.kind == CASH)
    return Settlement(total, eligible, tuple(applied), given - paid_cash)


def _check_tender_kinds(tenders: Sequence[TenderRequest]) -> None:
    if not tenders:
        raise ValidationFailed.field("tenders", N_("Pilih cara bayar."))
    for i, t in enumerate(tenders):
        if t.kind not in TENDER_KINDS:
            raise ValidationFailed.field(f"tenders.{i}.kind", N_("Cara bayar tidak dikenal."))
        if t.amount is not None and t.amount < 0:
            raise ValidationFailed.field(f"tenders.{i}.amount", N_("Jumlah tidak boleh negatif."))
        if t.kind in (BPNT, *REFERENCED) and not t.reference.strip():
            raise ValidationFailed.field(f"tenders.{i}.reference", N_(
                "Isi nomor referensi (approval code EDC atau bukti bayar)."))
    for kind in (BPNT, CASH):
        if sum(1 for t in tenders if t.kind == kind) > 1:
            raise TenderMismatch(reason=N_("satu transaksi hanya boleh satu pembayaran per jenis"))


def _apply_bpnt(req: TenderRequest, lines: Sequence[PricedLine], eligible: int,
                remaining: int | None, strict: bool, alone: bool) -> AppliedTender:
    amount = eligible if req.amount is None else req.amount
    if eligible == 0:
        raise _not_eligible(lines)
    if amount > eligible and alone and eligible < sum(ln.amount for ln in lines):
        # BPNT alone asked to pay for the whole basket: it is the oil it may not pay.
        raise _not_eligible(lines)
    if amount > eligible:
        raise TenderMismatch(reason=N_("BPNT hanya membayar barang yang boleh dibeli dengan BPNT"),
                             details={"eligible_total": eligible, "bpnt_amount": amount})
    if amount == 0:
        raise TenderMismatch(reason=N_("jumlah BPNT nol"))
    if strict and remaining is not None and amount > remaining:
        raise BpntBalanceExceeded(remaining=format_rupiah(remaining),
                                  requested=format_rupiah(amount),
                                  details={"remaining": remaining, "requested": amount})
    return AppliedTender(BPNT, amount, req.reference.strip())


def _apply_cash(req: TenderRequest, due: int) -> AppliedTender:
    given = due if req.amount is None else req.amount
    return AppliedTender(CASH, min(given, max(due, 0)), "", given)


def _apply_exact(req: TenderRequest, due: int) -> AppliedTender:
    amount = due if req.amount is None else req.amount
    if amount > due:
        raise TenderMismatch(reason=N_("pembayaran non-tunai melebihi sisa tagihan"),
                             details={"due": due, "amount": amount})
    return AppliedTender(req.kind, amount, req.reference.strip())


def _refuse_shortfall(lines: Sequence[PricedLine], applied: Sequence[AppliedTender],
                      due: int) -> None:
    others = sum(t.amount for t in applied if t.kind != BPNT)
    ineligible = sum(ln.amount for ln in lines if not ln.bpnt_eligible)
    if any(t.kind == BPNT for t in applied) and others < ineligible:
        raise _not_eligible(lines)
    raise TenderMismatch(reason=N_("pembayaran kurang dari total"), details={"short": due})


def _not_eligible(lines: Sequence[PricedLine]) -> NotEligibleForBpnt:
    bad = [ln for ln in lines if not ln.bpnt_eligible]
    return NotEligibleForBpnt(names=", ".join(ln.name for ln in bad), details={
        "product_ids": [ln.product_id for ln in bad]})
