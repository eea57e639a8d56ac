"""Printer pages: the queue for the cashier, settings and a test page for the admin, previews."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ewarung.errors import N_, AppError
from ewarung.home import menu_item
from ewarung.web import db_session, requires
from printer.layout import layout_receipt
from printer.preview import layout_html
from printer.queue import enqueue_test_page, get_job, queue_overview, reprint_job, retry_job
from printer.receipt import receipt_from_dict
from printer.render import paper_profile
from printer.setup import (
    BAUD_RATES,
    PRINTER_KINDS,
    parts_of,
    printer_setup,
    save_printer_settings,
    url_from_parts,
)
from printer.transport import query_status

bp = Blueprint("printer", __name__)
bp.record_once(menu_item("printer.queue", N_("Printer"), "cashier", 60))
bp.record_once(menu_item("printer.settings", N_("Pengaturan printer"), "admin", 90))

STATE_LABELS = {
    "queued": N_("Menunggu"), "printing": N_("Sedang dicetak"), "done": N_("Tercetak"),
    "failed": N_("Gagal"), "dropped": N_("Dibuang"),
}


def _state_label(state: str) -> str:
    return gettext(STATE_LABELS.get(state, state))


@bp.get("/printer")
@requires("cashier")
def queue() -> Any:
    """Printer status and the recent print jobs, with retry and reprint buttons."""
    s = db_session()
    setup = printer_setup(s)
    status = query_status(setup.target, setup.paper.name) if setup.target else None
    return render_template("printer/queue.html", setup=setup, status=status,
                           overview=queue_overview(s), state_label=_state_label)


def _back(endpoint: str = "printer.queue") -> Any:
    return redirect(url_for(endpoint))


@bp.post("/printer/jobs/<int:job_id>/retry")
@requires("cashier")
def retry(job_id: int) -> Any:
    """Queue a failed job again."""
    try:
        retry_job(db_session(), job_id)
    except AppError as exc:
        flash(exc.message(gettext))
    else:
        flash(gettext("Pekerjaan cetak diulang."))
    return _back()


@bp.post("/printer/jobs/<int:job_id>/reprint")
@requires("cashier")
def reprint(job_id: int) -> Any:
    """Print a job again (receipts print as SALINAN)."""
    try:
        reprint_job(db_session(), job_id)
    except AppError as exc:
        flash(exc.message(gettext))
    else:
        flash(gettext("Cetak ulang masuk antrean."))
    return _back()


@bp.get("/printer/jobs/<int:job_id>")
@requires("cashier")
def preview(job_id: int) -> Any:
    """A receipt job as it looks on paper, printable from the browser."""
    job = get_job(db_session(), job_id)
    paper_html = None
    if job.kind == "receipt" and job.payload:
        paper = paper_profile(job.profile)
        layout = layout_receipt(receipt_from_dict(job.payload), paper.columns)
        paper_html = layout_html(layout, paper.paper_mm)
    return render_template("printer/preview.html", job=job, paper_html=paper_html,
                           state_label=_state_label)


@bp.route("/admin/printer", methods=["GET", "POST"])
@requires("admin")
def settings() -> Any:
    """The printer settings (saved ones override EWARUNG_PRINTER and its profile)."""
    s = db_session()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        form = request.form
        try:
            # the page sends the printer's parts; a script may still send the address whole
            url = url_from_parts(form) if "kind" in form else form.get("url", "")
            save_printer_settings(
                s, url=url, profile=form.get("profile", ""),
                font=form.get("font", "a"), archive_copy=form.get("archive_copy") == "on",
                cash_drawer=form.get("cash_drawer") == "on")
        except AppError as exc:
            errors = {"kind" if name == "url" else name: [exc.message(gettext)]
                      for name in exc.details.get("fields", {"url": None})}
        else:
            flash(gettext("Pengaturan printer disimpan."))
            return _back("printer.settings")
    setup = printer_setup(s)
    from escpos.capabilities import CAPABILITIES

    saved = setup.url if setup.url != setup.env.url else ""
    return render_template("printer/settings.html", setup=setup, errors=errors,
                           form=request.form if errors else None,
                           parts=dict(request.form) if errors else parts_of(saved),
                           kinds=PRINTER_KINDS, baud_rates=BAUD_RATES,
                           profiles=sorted(CAPABILITIES["profiles"])), (422 if errors else 200)


@bp.post("/admin/printer/test")
@requires("admin")
def test_page() -> Any:
    """Print a test page."""
    try:
        enqueue_test_page(db_session())
    except AppError as exc:
        flash(exc.message(gettext))
    else:
        flash(gettext("Halaman uji masuk antrean cetak."))
    return _back("printer.settings")
