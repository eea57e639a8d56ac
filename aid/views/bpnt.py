"""Manager pages for BPNT: crediting entitlements, KPM not yet served, bank reconciliation."""

from __future__ import annotations

import io
from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from aid import ledger
from aid.models import ReconciliationRun
from aid.reconcile import FIELDS
from aid.reconciliation import run_reconciliation, save_settlement_columns, settlement_columns
from aid.settings import CARRY_OVER, ENFORCEMENT, LUHN_CHECK, PERIOD, bpnt_settings
from aid.views.kpm import kind_label
from ewarung.db import get_or_404
from ewarung.errors import N_, AppError
from ewarung.exports import csv_writer
from ewarung.home import menu_item
from ewarung.numbers import parse_rupiah
from ewarung.shop import SETTINGS, set_setting
from ewarung.tabular import read_upload
from ewarung.web import current_user, db_session, requires

bp = Blueprint("bpnt", __name__, url_prefix="/bpnt")
bp.record_once(menu_item("bpnt.entitlements", N_("Hak BPNT"), "manager", 45))
bp.record_once(menu_item("bpnt.reconciliation", N_("Rekonsiliasi bank"), "manager", 50))


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {"kind_label": kind_label}


def _settings_view() -> dict[str, Any]:
    cfg = bpnt_settings(db_session())
    return {"cfg": cfg, "specs": {k: SETTINGS[k] for k in (
        PERIOD.key, CARRY_OVER.key, ENFORCEMENT.key, LUHN_CHECK.key)}}


@bp.route("/entitlements", methods=["GET", "POST"])
@requires("manager")
def entitlements() -> Any:
    """Credit a period's entitlement to every active KPM."""
    s = db_session()
    error = None
    period = request.form.get("period") or bpnt_settings(s).month()
    amount_text = request.form.get("amount", "200000")
    if request.method == "POST":
        try:
            credited, skipped = ledger.credit_period(
                s, period, parse_rupiah(amount_text, "amount", low=1,
                                        high=ledger.MAX_ENTITLEMENT))
        except AppError as exc:
            error = exc.message(gettext)
        else:
            flash(gettext("Hak %(period)s dikreditkan ke %(n)s KPM (%(skipped)s sudah "
                          "menerima sebelumnya).", period=period, n=credited,
                          skipped=skipped))
            return redirect(url_for("bpnt.entitlements"))
    return render_template("aid/bpnt_entitlements.html", period=period, amount=amount_text,
                           error=error, can_edit_settings=_is_admin(),
                           **_settings_view()), (422 if error else 200)


def _is_admin() -> bool:
    user = current_user()
    return user is not None and user.has_role("admin")


@bp.post("/settings")
@requires("admin")
def save_settings() -> Any:
    """Change how the remaining entitlement is estimated and enforced."""
    s = db_session()
    form = request.form
    set_setting(s, PERIOD.key, form.get("period", "monthly"))
    set_setting(s, CARRY_OVER.key, form.get("carry_over") == "1")
    set_setting(s, ENFORCEMENT.key, form.get("enforcement", "strict"))
    set_setting(s, LUHN_CHECK.key, form.get("luhn_check") == "1")
    flash(gettext("Pengaturan BPNT disimpan."))
    return redirect(url_for("bpnt.entitlements"))


def _unserved() -> tuple[str, list[dict[str, Any]]]:
    s = db_session()
    label, rows = ledger.unserved(s, request.args.get("period") or None)
    ents = ledger.entitlements_of(s, [b.id for b in rows])
    return label, [{"b": b, "remaining": ents[b.id].remaining,
                    "masked": b.active_card.masked if b.active_card else ""} for b in rows]


@bp.get("/unserved")
@requires("manager")
def unserved() -> Any:
    """Active KPM who have not redeemed in this period, for outreach."""
    label, rows = _unserved()
    return render_template("aid/bpnt_unserved.html", period=label, rows=rows)


@bp.get("/unserved.csv")
@requires("manager")
def unserved_csv() -> Any:
    """The same list as a CSV file (opens in a spreadsheet)."""
    label, rows = _unserved()
    out = io.StringIO()
    out.write("\ufeff")  # Excel needs the BOM to read UTF-8
    writer = csv_writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(["nik", "nama", "desa", "alamat", "kartu", "sisa_hak", "periode"])
    for r in rows:
        b = r["b"]
        writer.writerow([f"'{b.nik}", b.name, b.village, b.address, r["masked"],
                         r["remaining"], label])
    return Response(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="kpm-belum-dilayani-{label}.csv"'})


@bp.route("/reconciliation", methods=["GET", "POST"])
@requires("manager")
def reconciliation() -> Any:
    """Upload the bank's settlement file; list earlier reconciliations."""
    s = db_session()
    error = None
    columns = settlement_columns(s)
    if request.method == "POST":
        columns = {f: request.form.get(f"col_{f}", "") for f in FIELDS}
        upload = request.files.get("file")
        try:
            save_settlement_columns(s, columns)
            data = read_upload(upload)
            name = (upload.filename or "") if upload else ""
            run = run_reconciliation(s, data, name, columns)
        except AppError as exc:
            error = exc.message(gettext)
        else:
            return redirect(url_for("bpnt.reconciliation_run", run_id=run.id))
    runs = s.scalars(select(ReconciliationRun).order_by(ReconciliationRun.id.desc())
                     .limit(30)).all()
    return render_template("aid/bpnt_reconciliation.html", runs=runs, columns=columns,
                           error=error), (422 if error else 200)


@bp.get("/reconciliation/<int:run_id>")
@requires("manager")
def reconciliation_run(run_id: int) -> Any:
    """One reconciliation: the mismatches first, then what matched."""
    run = get_or_404(db_session(), ReconciliationRun, run_id)
    order = {"amount_differs": 0, "bank_only": 1, "shop_only": 2, "matched": 3}
    items = sorted(run.items, key=lambda i: (order[i.status], i.id))
    return render_template("aid/bpnt_reconciliation_run.html", run=run, items=items)
