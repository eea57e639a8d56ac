"""The monthly report page for managers: month picker, the report, file links, print."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from ewarung.errors import N_, AppError
from ewarung.home import menu_item
from ewarung.web import db_session, requires
from inventory.calendar import month_label, shop_today
from kube.report import monthly_report, thermal
from kube.report.layout import SECTIONS, month_title, rows_of, shown, value_at
from kube.report.pdf import KEY_FIGURES

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


@bp.get("/report")
@requires("manager")
def monthly() -> Any:
    """The report of the month picked (this month by default)."""
    s = db_session()
    month = request.args.get("month") or month_label(shop_today(s).replace(day=1))
    try:
        report = monthly_report(s, month)
    except AppError as exc:
        return render_template("kube/report.html", month=month, report=None,
                               error=exc.message(gettext)), 422
    return render_report(report, "kube/report.html", month=month, error=None)


@bp.post("/report/<month>/print")
@requires("manager")
def print_summary(month: str) -> Any:
    """Queue the month's one-page summary on the receipt printer."""
    s = db_session()
    try:
        thermal.print_summary(s, monthly_report(s, month), gettext)
    except AppError as exc:
        flash(exc.message(gettext))
    else:
        flash(gettext("Ringkasan dikirim ke printer struk."))
    return redirect(url_for("kube_report.monthly", month=month))
