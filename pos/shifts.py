"""Cashier shifts: open with a float, cash in and out with a reason, close with counted cash.

What the drawer should hold (expected cash):

    opening float
    + cash taken for the shift's sales (what cash paid, change already given back)
    + cash put in − cash taken out (with their reasons)
    − cash refunded by returns made during the shift
    − cash refunded by voids made during the shift (a voided sale's cash less what its
      earlier returns already refunded)

The X report shows these figures mid-shift, the Z report at the close, with the counted
cash and the variance (counted − expected). A report counts exactly its own shift's rows by
shift id, never a time window or a cashier's name: every sale is recorded in the open shift
of the cashier who rang it up (`pos.sale_input` refuses a sale with 409 `no_open_shift` when
there is none), and voids and returns in the open shift of the person who made them. A void
or return that gives cash back needs that shift (the cash leaves a drawer); one that gives
back only BPNT or nothing in cash may be made without one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ewarung import audit, clock
from ewarung.auth.models import User
from ewarung.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed
from ewarung.money import format_rupiah
from ewarung.numbers import MAX_RUPIAH, parse_rupiah
from ewarung.text import writable
from pos.models import CashMovement, Sale, SaleReturn, Shift, Tender
from printer.layout import ReportLine

TENDER_KINDS = ("cash", "bpnt", "qris", "transfer")


class ShiftAlreadyOpen(Conflict):
    code = "shift_already_open"
    template = N_("Kasir ini masih punya shift yang terbuka.")


class ShiftClosed(Conflict):
    code = "shift_closed"
    template = N_("Shift ini sudah ditutup.")


class NoOpenShift(Conflict):
    """Every sale belongs to an open shift of the cashier who makes it, and cash given back
    leaves an open drawer: the X and Z reports stand on the float and the counted cash."""

    code = "no_open_shift"
    template = N_("Belum ada shift yang terbuka: buka shift dan isi modal awal di laci "
                  "terlebih dahulu.")


class ShiftNotFound(NotFound):
    template = N_("Shift tidak ditemukan.")


@dataclass(frozen=True)
class ShiftReport:
    """The figures of a shift: X (still open) or Z (closed)."""

    shift_id: int
    kind: str
    cashier: str
    opened_at: datetime
    closed_at: datetime | None
    opening_float: int
    sales_count: int
    sales_total: int
    tenders: dict[str, int] = field(default_factory=dict)
    bpnt_count: int = 0
    bpnt_amount: int = 0
    voids_count: int = 0
    voids_total: int = 0
    returns_count: int = 0
    refunds_cash: int = 0
    refunds_bpnt: int = 0
    cash_in: int = 0
    cash_out: int = 0
    expected_cash: int = 0
    counted_cash: int | None = None

    @property
    def variance(self) -> int | None:
        """Counted minus expected (negative: cash missing)."""
        return None if self.counted_cash is None else self.counted_cash - self.expected_cash

    def as_dict(self) -> dict[str, Any]:
        """The API shape."""
        return {**asdict(self), "variance": self.variance}


def open_shift(session: Session, cashier_id: int, opening_float: int) -> Shift:
    """Open a shift for a cashier with the cash in the drawer."""
    parse_rupiah(opening_float, "opening_float")
    if current_shift(session, cashier_id) is not None:
        raise ShiftAlreadyOpen()
    shift = Shift(cashier_id=cashier_id, opening_float=opening_float, opened_at=clock.now())
    session.add(shift)
    session.flush()
    audit.record(session, "shift.open", entity="shift", entity_id=shift.id,
                 after={"opening_float": opening_float})
    return shift


def current_shift(session: Session, cashier_id: int) -> Shift | None:
    """The cashier's open shift."""
    return session.scalar(select(Shift).where(Shift.cashier_id == cashier_id,
                                              Shift.closed_at.is_(None)))


def get_shift(session: Session, shift_id: int, *, lock: bool = False) -> Shift:
    """A shift by id (locked against a concurrent close on PostgreSQL)."""
    stmt = select(Shift).where(Shift.id == shift_id)
    shift = session.scalar(stmt.with_for_update(key_share=True) if lock else stmt)
    if shift is None:
        raise ShiftNotFound()
    return shift


def shift_for(session: Session, shift_id: int, user: User, *, lock: bool = False) -> Shift:
    """A shift `user` may work on: their own, or anyone's for a manager."""
    shift = get_shift(session, shift_id, lock=lock)
    if shift.cashier_id != user.id and not user.has_role("manager"):
        raise Forbidden()
    return shift


def move_cash(session: Session, shift_id: int, amount: int, reason: str,
              actor_id: int) -> CashMovement:
    """Cash put into (positive) or taken out of (negative) the drawer, with the reason."""
    shift = get_shift(session, shift_id, lock=True)
    if shift.closed_at is not None:
        raise ShiftClosed()
    parse_rupiah(amount, "amount", low=-MAX_RUPIAH, allow_zero=False)
    if len(reason.strip()) < 3:
        raise ValidationFailed.field("reason", N_("Tulis alasannya."))
    writable(reason.strip(), "reason")
    movement = CashMovement(shift_id=shift_id, amount=amount, reason=reason.strip()[:300],
                            actor_id=actor_id, at=clock.now())
    session.add(movement)
    session.flush()
    audit.record(session, "shift.cash", entity="shift", entity_id=shift_id,
                 after={"amount": amount}, note=reason.strip()[:500])
    return movement


def close_shift(session: Session, shift_id: int, counted_cash: int, actor_id: int,
                note: str = "") -> ShiftReport:
    """Close a shift with the cash counted in the drawer; its Z report."""
    shift = get_shift(session, shift_id, lock=True)
    if shift.closed_at is not None:
        raise ShiftClosed()
    parse_rupiah(counted_cash, "counted_cash")
    writable(note, "note", multiline=True)
    expected = shift_report(session, shift).expected_cash
    shift.closed_at, shift.closed_by = clock.now(), actor_id
    shift.counted_cash, shift.expected_cash, shift.note = counted_cash, expected, note[:300]
    session.flush()
    report = shift_report(session, shift)
    audit.record(session, "shift.close", entity="shift", entity_id=shift_id,
                 after={"expected_cash": expected, "counted_cash": counted_cash,
                        "variance": report.variance}, note=note[:500] or None)
    return report


def shift_report(session: Session, shift: Shift) -> ShiftReport:
    """The shift's figures now (X) or as closed (Z)."""
    return shift_reports(session, [shift])[0]


def shift_reports(session: Session, shifts: Sequence[Shift]) -> list[ShiftReport]:
    """The figures of several shifts, in the order given, from the same aggregate queries as
    one shift's (grouped by shift): a page listing ten shifts costs no more than one."""
    if not shifts:
        return []
    ids = [sh.id for sh in shifts]
    by_kind: dict[int, dict[str, tuple[int, int]]] = {}
    for sid, kind, n, total in session.execute(
            select(Sale.shift_id, Tender.kind, func.count(func.distinct(Tender.sale_id)),
                   func.coalesce(func.sum(Tender.amount), 0))
            .join(Sale, Sale.id == Tender.sale_id)
            .where(Sale.shift_id.in_(ids), Sale.status == "completed")
            .group_by(Sale.shift_id, Tender.kind)):
        by_kind.setdefault(sid or 0, {})[kind] = (int(n), int(total))
    sold = {sid: (int(n), int(total)) for sid, n, total in session.execute(
        select(Sale.shift_id, func.count(Sale.id), func.coalesce(func.sum(Sale.total), 0))
        .where(Sale.shift_id.in_(ids), Sale.status == "completed").group_by(Sale.shift_id))}
    cash_taken = _by_shift(session, select(Sale.shift_id, func.sum(Tender.amount))
                           .join(Sale, Sale.id == Tender.sale_id)
                           .where(Sale.shift_id.in_(ids), Tender.kind == "cash")
                           .group_by(Sale.shift_id))
    voids = _voids(session, ids)
    returns = {sid: (int(n), int(cash), int(bpnt)) for sid, n, cash, bpnt in session.execute(
        select(SaleReturn.shift_id, func.count(SaleReturn.id),
               func.coalesce(func.sum(SaleReturn.refund_cash), 0),
               func.coalesce(func.sum(SaleReturn.refund_bpnt), 0))
        .where(SaleReturn.shift_id.in_(ids)).group_by(SaleReturn.shift_id))}
    cash_in = _by_shift(session, select(CashMovement.shift_id, func.sum(CashMovement.amount))
                        .where(CashMovement.shift_id.in_(ids), CashMovement.amount > 0)
                        .group_by(CashMovement.shift_id))
    cash_out = _by_shift(session, select(CashMovement.shift_id, -func.sum(CashMovement.amount))
                         .where(CashMovement.shift_id.in_(ids), CashMovement.amount < 0)
                         .group_by(CashMovement.shift_id))
    names = {uid: name for uid, name in session.execute(select(User.id, User.full_name).where(
        User.id.in_({sh.cashier_id for sh in shifts})))}
    reports = []
    for shift in shifts:
        sid = shift.id
        kinds = by_kind.get(sid, {})
        count, total = sold.get(sid, (0, 0))
        voids_count, voids_total, voids_cash = voids.get(sid, (0, 0, 0))
        returns_count, refunds_cash, refunds_bpnt = returns.get(sid, (0, 0, 0))
        expected = (shift.opening_float + cash_taken.get(sid, 0) + cash_in.get(sid, 0)
                    - cash_out.get(sid, 0) - refunds_cash - voids_cash)
        reports.append(ShiftReport(
            shift_id=sid, kind="X" if shift.closed_at is None else "Z",
            cashier=names.get(shift.cashier_id) or "", opened_at=shift.opened_at,
            closed_at=shift.closed_at, opening_float=shift.opening_float, sales_count=count,
            sales_total=total, tenders={k: kinds.get(k, (0, 0))[1] for k in TENDER_KINDS},
            bpnt_count=kinds.get("bpnt", (0, 0))[0], bpnt_amount=kinds.get("bpnt", (0, 0))[1],
            voids_count=voids_count, voids_total=voids_total, returns_count=returns_count,
            refunds_cash=refunds_cash, refunds_bpnt=refunds_bpnt,
            cash_in=cash_in.get(sid, 0), cash_out=cash_out.get(sid, 0),
            expected_cash=expected if shift.closed_at is None
            else int(shift.expected_cash or expected), counted_cash=shift.counted_cash))
    return reports


def _by_shift(session: Session, stmt: Any) -> dict[int, int]:
    """(shift id, amount) rows as a mapping; a shift with no row has 0."""
    return {sid: int(amount or 0) for sid, amount in session.execute(stmt)}


def _voids(session: Session, shift_ids: Sequence[int]) -> dict[int, tuple[int, int, int]]:
    """Voids made during each shift: how many, their total, the cash they gave back."""
    rows = session.execute(select(Sale.void_shift_id, Sale.id, Sale.total)
                           .where(Sale.void_shift_id.in_(shift_ids))).all()
    if not rows:
        return {}
    ids = [r.id for r in rows]
    cash = _by_shift(session, select(Tender.sale_id, func.sum(Tender.amount)).where(
        Tender.sale_id.in_(ids), Tender.kind == "cash").group_by(Tender.sale_id))
    refunded = _by_shift(session, select(SaleReturn.sale_id, func.sum(SaleReturn.refund_cash))
                         .where(SaleReturn.sale_id.in_(ids)).group_by(SaleReturn.sale_id))
    out: dict[int, tuple[int, int, int]] = {}
    for void_shift, sale_id, total in rows:
        sid = void_shift or 0
        n, amount, given = out.get(sid, (0, 0, 0))
        out[sid] = (n + 1, amount + int(total),
                    given + cash.get(sale_id, 0) - refunded.get(sale_id, 0))
    return out


def report_lines(report: ShiftReport, tz: ZoneInfo) -> tuple[str, list[ReportLine]]:
    """The report as a title and printable lines (`printer.queue.enqueue_report`).

    Like receipts, the paper is in Indonesian whatever the screen's language.
    """
    title = ("LAPORAN X (SHIFT BERJALAN)" if report.kind == "X"
             else "LAPORAN Z (TUTUP SHIFT)")
    lines: list[ReportLine] = [
        ("Kasir", report.cashier), ("Shift", f"#{report.shift_id}"),
        ("Dibuka", _local(report.opened_at, tz)),
        ("Transaksi", str(report.sales_count)), ("Total", format_rupiah(report.sales_total))]
    labels = {"cash": "Tunai", "bpnt": "BPNT", "qris": "QRIS", "transfer": "Transfer"}
    lines += [(labels[k], format_rupiah(v)) for k, v in report.tenders.items()]
    lines += [("Jumlah BPNT", str(report.bpnt_count)),
              ("Batal", f"{report.voids_count} / {format_rupiah(report.voids_total)}"),
              ("Retur tunai", format_rupiah(report.refunds_cash)),
              ("Modal awal", format_rupiah(report.opening_float)),
              ("Kas masuk", format_rupiah(report.cash_in)),
              ("Kas keluar", format_rupiah(report.cash_out)),
              ("Kas seharusnya", format_rupiah(report.expected_cash))]
    if report.counted_cash is not None:
        lines += [("Kas dihitung", format_rupiah(report.counted_cash)),
                  ("Selisih", format_rupiah(report.variance))]
    if report.closed_at is not None:
        lines.append(("Ditutup", _local(report.closed_at, tz)))
    return title, lines


def _local(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%d/%m/%Y %H.%M")
