"""The monthly report page for managers: month picker, the report, file links, print."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, gettext

from ewarung.clock import month_label, shop_today
from ewarung.errors import N_, AppError
from ewarung.home import menu_item
from ewarung.web import db_session, read_phase, requires, signed_in_user
from kube.report import thermal
from kube.report.closing import closed_month, prepare_closing, report_of, store_closing
from kube.report.files import write_csv, write_xlsx
from kube.report.layout import SECTIONS, month_title, rows_of, shown, value_at
from kube.report.pdf import KEY_FIGURES, write_pdf

bp = Blueprint("kube_report", __name__, url_prefix="/kube")
bp.record_once(menu_item("kube_report.monthly", N_("Laporan bulanan"), "manager", 75))

#: the chart's drawing box (SVG units)
CHART_W, CHART_H = 640, 180


def chart_bars(days: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each day's bar in the SVG chart, scaled to the month's best day."""
    top = max((d["total"] for d in days), default=0) or 1
    width = CHART_W / max(len(days), 1)
    return [{"x": round(i * width + 1, 1), "w": round(width - 2, 1),
             "h": round(d["total"] * (CHART_H - 20) / top, 1), "label": d["day"][-2:],
             "title": d["day"], "total": d["total"]} for i, d in enumerate(days)]


def render_report(report: dict[str, Any], template: str, **extra: Any) -> str:
    """The report laid out by `template` (the page, or the standalone document)."""
    return render_template(
        template, report=report, sections=SECTIONS, key_figures=KEY_FIGURES,
        value_at=value_at, rows_of=rows_of, shown=lambda v, f: shown(v, f, gettext),
        month_title=month_title(report["month"]), bars=chart_bars(report["sales"]["by_day"]),
        chart_w=CHART_W, chart_h=CHART_H, sign_date=long_date(report["sign_off"]["date"]),
        **extra)


def long_date(day: str) -> str:
    """26 November 2026."""
    return format_date(date.fromisoformat(day), "d MMMM yyyy", locale="id_ID")


def report_document(report: dict[str, Any]) -> str:
    """The report as one self-contained HTML file (its CSS inside), for `--format html`."""
    css = (Path(current_app.static_folder or "") / "css" / "kube.css").read_text("utf-8")
    return render_report(report, "kube/report_document.html", css=css)


def render_files(report: dict[str, Any]) -> dict[str, bytes]:
    """The report's files as a closed month keeps them, in Indonesian."""
    with force_locale("id"):
        return {"pdf": write_pdf(report), "xlsx": write_xlsx(report), "csv": write_csv(report),
                "html": report_document(report).encode("utf-8")}


@bp.get("/report")
@requires("manager")
def monthly() -> Any:
    """The report of the month picked (this month by default)."""
    s = db_session()
    month = request.args.get("month") or month_label(shop_today(s).replace(day=1))
    try:
        report = report_of(s, month)
    except AppError as exc:
        return render_template("kube/report.html", month=month, report=None,
                               error=exc.message(gettext)), 422
    ended = shop_today(s) > date.fromisoformat(report["last_day"])
    closing = report["closed"]
    return render_report(report, "kube/report.html", month=month, error=None,
                         closing=closing, can_close=ended and closing is None and
                         closed_month(s, report["month"]) is None,
                         closed_on=long_date(closing["closed_at"][:10]) if closing else None)


@bp.post("/report/<month>/close")
@requires("manager")
def close(month: str) -> Any:
    """Close the month with the ketua's and bendahara's names (the form on the report page)."""
    s = db_session()
    user = signed_in_user()
    ketua = request.form.get("ketua", "").strip()[:120]
    bendahara = request.form.get("bendahara", "").strip()[:120]
    if not ketua or not bendahara:
        flash(gettext("Isi nama ketua dan bendahara yang mengesahkan laporan."))
        return redirect(url_for("kube_report.monthly", month=month))
    try:
        with read_phase() as reading:  # the report and its files, before writing
            row = prepare_closing(reading, month, ketua=ketua, bendahara=bendahara,
                                  user_id=user.id, render=render_files)
        store_closing(s, row)
    except AppError as exc:
        flash(exc.message(gettext))
    else:
        flash(gettext("Bulan ditutup: laporannya disimpan dan tidak berubah lagi."))
    return redirect(url_for("kube_report.monthly", month=month))


@bp.post("/report/<month>/print")
@requires("manager")
def print_summary(month: str) -> Any:
    """Queue the month's one-page summary on the receipt printer."""
    s = db_session()
    try:
        thermal.print_summary(s, report_of(s, month), gettext)
    except AppError as exc:
        flash(exc.message(gettext))
    else:
        flash(gettext("Ringkasan dikirim ke printer struk."))
    return redirect(url_for("kube_report.monthly", month=month))
