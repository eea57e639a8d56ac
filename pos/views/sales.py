"""Pages for sales and shifts: recent sales, one sale (reprint, void, return), the shift."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from aid.settings import ABOVE_REFERENCE, SALE_KEYS, saved_settings
from ewarung.auth.models import User
from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.home import menu_item
from ewarung.numbers import as_id, parse_rupiah
from ewarung.shop import set_setting, shop_timezone
from ewarung.web import db_session, requires, signed_in_user
from pos import shifts, voids
from pos.models import Shift
from pos.receipts import preview, reprint
from pos.sale_records import load_sale, recent_sales
from pos.webutil import approve, approvers, receipt_context
from printer.queue import enqueue_report

bp = Blueprint("sales", __name__)
bp.record_once(menu_item("sales.shift", N_("Shift kasir"), "cashier", 20))
bp.record_once(menu_item("sales.index", N_("Transaksi"), "cashier", 25))
bp.add_app_template_global(approvers, "approvers")


def _done(action: Callable[[], object], message: str, target: str) -> Any:
    """Run a form's action; on a refusal undo it, show why, and go back to the page."""
    s = db_session()
    try:
        action()
    except AppError as exc:
        s.rollback()  # the redirect would otherwise commit a half-done change
        flash(exc.message(gettext), "error")
    else:
        flash(message)
    return redirect(target)


def _approve() -> User:
    return approve(request.form.get("approver", ""), request.form.get("pin", ""))


@bp.get("/sales/")
@requires("cashier")
def index() -> Any:
    """The latest sales, newest first, searchable by number."""
    q = request.args.get("q", "")
    s = db_session()
    return render_template("pos/sales.html", rows=recent_sales(s, q, 100), q=q,
                           tz=shop_timezone(s))


@bp.get("/sales/<int:sale_id>")
@requires("cashier")
def detail(sale_id: int) -> Any:
    """One sale: lines, payments, returns, its receipt; reprint, void and return."""
    s = db_session()
    rec = load_sale(s, sale_id, with_returns=True)
    return render_template("pos/sale.html", rec=rec, tz=shop_timezone(s),
                           paper=preview(s, sale_id, receipt_context()))


@bp.get("/sales/<int:sale_id>/receipt")
@requires("cashier")
def receipt(sale_id: int) -> Any:
    """The receipt as its paper shows it (an HTML fragment the till shows after a sale)."""
    return str(preview(db_session(), sale_id, receipt_context()))


@bp.post("/sales/<int:sale_id>/print")
@requires("cashier")
def print_again(sale_id: int) -> Any:
    """Print a copy of the receipt (SALINAN)."""
    try:
        reprint(db_session(), sale_id, receipt_context())
    except AppError as exc:
        flash(exc.message(gettext))
    else:
        flash(gettext("Salinan struk dikirim ke printer."))
    return redirect(url_for("sales.detail", sale_id=sale_id))


@bp.post("/sales/<int:sale_id>/void")
@requires("cashier")
def void(sale_id: int) -> Any:
    """Void the whole sale with a manager's PIN."""
    def act() -> None:
        voids.void_sale(db_session(), sale_id, request.form.get("reason", ""),
                        approver_id=_approve().id, receipts=receipt_context())
    return _done(act, gettext("Transaksi dibatalkan; stok dan hak BPNT dikembalikan."),
                 url_for("sales.detail", sale_id=sale_id))


@bp.post("/sales/<int:sale_id>/return")
@requires("cashier")
def return_goods(sale_id: int) -> Any:
    """Take back some goods with a manager's PIN."""
    items = [(line_id, value) for key, value in request.form.items()
             if key.startswith("qty-") and (line_id := as_id(key[4:])) is not None
             and value.strip() not in ("", "0")]

    def act() -> None:
        if not items:
            raise ValidationFailed.field("lines", N_("Isi jumlah barang yang dikembalikan."))
        voids.return_lines(db_session(), sale_id, items, request.form.get("reason", ""),
                           approver_id=_approve().id)
    return _done(act, gettext("Barang dikembalikan; stok dan pembayaran diperbarui."),
                 url_for("sales.detail", sale_id=sale_id))


#: where the shift page may send the cashier back to once the float is in (`?next=till`)
NEXT_PAGES = {"till": "till.till"}


@bp.get("/shift")
@requires("cashier")
def shift() -> Any:
    """The cashier's shift: open it, cash in and out, X report, close it (Z report).

    The close is a blind count: while the shift is open the page does not show the cash the
    drawer should hold; the Z report shows it with the counted cash and the difference.
    """
    s = db_session()
    me = signed_in_user()
    current = shifts.current_shift(s, me.id)
    closed = select(Shift).where(Shift.closed_at.is_not(None))
    if not me.has_role("manager"):
        closed = closed.where(Shift.cashier_id == me.id)
    recent = s.scalars(closed.order_by(Shift.id.desc()).limit(10)).all()
    return render_template(
        "pos/shift.html", shift=current, tz=shop_timezone(s), next=_next(),
        report=shifts.shift_report(s, current) if current else None,
        recent=shifts.shift_reports(s, recent),
        settings=saved_settings(s, SALE_KEYS) if me.has_role("admin") else None)


def _next() -> str | None:
    wanted = request.args.get("next")
    return wanted if wanted in NEXT_PAGES else None


def _own(shift_id: int) -> Shift:
    return shifts.shift_for(db_session(), shift_id, signed_in_user())


@bp.post("/shift/open")
@requires("cashier")
def open_shift() -> Any:
    """Open a shift with the float; then back to the till when it sent the cashier here."""
    s = db_session()
    nxt = _next()
    try:
        shifts.open_shift(s, signed_in_user().id, _amount("opening_float"))
    except AppError as exc:
        s.rollback()
        flash(exc.message(gettext), "error")
        return redirect(url_for("sales.shift", next=nxt))
    flash(gettext("Shift dibuka."))
    return redirect(url_for(NEXT_PAGES[nxt]) if nxt else url_for("sales.shift"))


@bp.post("/shift/<int:shift_id>/cash")
@requires("cashier")
def move_cash(shift_id: int) -> Any:
    """Cash into or out of the drawer."""
    sign = -1 if request.form.get("direction") == "out" else 1
    return _done(lambda: shifts.move_cash(db_session(), _own(shift_id).id,
                                          sign * _amount("amount"),
                                          request.form.get("reason", ""), signed_in_user().id),
                 gettext("Kas dicatat."), url_for("sales.shift"))


@bp.post("/shift/<int:shift_id>/close")
@requires("cashier")
def close(shift_id: int) -> Any:
    """Close the shift with the counted cash."""
    return _done(lambda: shifts.close_shift(db_session(), _own(shift_id).id,
                                            _amount("counted_cash"), signed_in_user().id,
                                            request.form.get("note", "")),
                 gettext("Shift ditutup; laporan Z ada di bawah."), url_for("sales.shift"))


@bp.post("/shift/<int:shift_id>/print")
@requires("cashier")
def print_report(shift_id: int) -> Any:
    """Print the X or Z report."""
    s = db_session()
    title, lines = shifts.report_lines(shifts.shift_report(s, _own(shift_id)), shop_timezone(s))
    if enqueue_report(s, title, lines) is None:
        flash(gettext("Printer tidak dipakai."))
    else:
        flash(gettext("Laporan dikirim ke printer."))
    return redirect(url_for("sales.shift"))


@bp.post("/shift/settings")
@requires("admin")
def save_settings() -> Any:
    """Whether prices above the reference are refused (a shift is always required)."""
    s = db_session()
    set_setting(s, ABOVE_REFERENCE.key, request.form.get("above_reference", "refuse"))
    flash(gettext("Pengaturan penjualan disimpan."))
    return redirect(url_for("sales.shift"))


def _amount(field: str) -> int:
    return parse_rupiah(request.form.get(field, ""), field)
