"""Shifts over the JSON API: open, cash in and out, close, X and Z reports, printing them."""

from __future__ import annotations

from typing import Any

from apiflask import APIBlueprint

from ewarung.shop import shop_timezone
from ewarung.web import db_session, requires, signed_in_user
from pos import shifts
from pos.models import Shift
from pos.schemas import (
    CashMovementIn,
    CurrentShiftOut,
    ShiftCloseIn,
    ShiftOpenIn,
    ShiftOut,
)
from printer.api import JobOut
from printer.queue import PrinterNotConfigured, enqueue_report

bp = APIBlueprint("shifts_api", __name__, url_prefix="/api/v1", tag="Shifts")


def shift_json(shift: Shift) -> dict[str, Any]:
    """A shift with its X (open) or Z (closed) report."""
    s = db_session()
    return {"id": shift.id, "cashier_id": shift.cashier_id, "opened_at": shift.opened_at,
            "closed_at": shift.closed_at, "opening_float": shift.opening_float,
            "report": shifts.shift_report(s, shift).as_dict()}


def own_shift(shift_id: int) -> Shift:
    """A shift the signed-in user may work on: their own, or any for a manager."""
    user = signed_in_user()
    return shifts.shift_for(db_session(), shift_id, user)


@bp.get("/shifts/current")
@requires("cashier")
@bp.output(CurrentShiftOut)
def current() -> dict[str, Any]:
    """The signed-in cashier's open shift with its X report (null when none is open)."""
    user = signed_in_user()
    shift = shifts.current_shift(db_session(), user.id)
    return {"shift": shift_json(shift) if shift else None}


@bp.post("/shifts")
@requires("cashier")
@bp.input(ShiftOpenIn, arg_name="body")
@bp.output(ShiftOut, status_code=201)
@bp.doc(responses={409: "shift_already_open"})
def open_shift(body: ShiftOpenIn) -> dict[str, Any]:
    """Open a shift with the cash float in the drawer."""
    user = signed_in_user()
    return shift_json(shifts.open_shift(db_session(), user.id, body.opening_float))


@bp.get("/shifts/<int:shift_id>")
@requires("cashier")
@bp.output(ShiftOut)
def get_shift(shift_id: int) -> dict[str, Any]:
    """A shift with its X report (open) or Z report (closed)."""
    return shift_json(own_shift(shift_id))


@bp.post("/shifts/<int:shift_id>/cash")
@requires("cashier")
@bp.input(CashMovementIn, arg_name="body")
@bp.output(ShiftOut, status_code=201)
@bp.doc(responses={409: "shift_closed"})
def move_cash(shift_id: int, body: CashMovementIn) -> dict[str, Any]:
    """Put cash into the drawer (positive amount) or take it out (negative), with a reason."""
    shift = own_shift(shift_id)
    user = signed_in_user()
    shifts.move_cash(db_session(), shift.id, body.amount, body.reason, user.id)
    return shift_json(shift)


@bp.post("/shifts/<int:shift_id>/close")
@requires("cashier")
@bp.input(ShiftCloseIn, arg_name="body")
@bp.output(ShiftOut)
@bp.doc(responses={409: "shift_closed"})
def close(shift_id: int, body: ShiftCloseIn) -> dict[str, Any]:
    """Close the shift with the cash counted; answers its Z report."""
    shift = own_shift(shift_id)
    user = signed_in_user()
    shifts.close_shift(db_session(), shift.id, body.counted_cash, user.id, body.note)
    return shift_json(shift)


@bp.post("/shifts/<int:shift_id>/print")
@requires("cashier")
@bp.output(JobOut, status_code=202)
@bp.doc(responses={409: "printer_not_configured"})
def print_report(shift_id: int) -> dict[str, Any]:
    """Print the shift's X report (open) or Z report (closed) on the receipt printer."""
    s = db_session()
    report = shifts.shift_report(s, own_shift(shift_id))
    title, lines = shifts.report_lines(report, shop_timezone(s))
    job = enqueue_report(s, title, lines)
    if job is None:
        raise PrinterNotConfigured()
    return job.public()
