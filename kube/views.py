"""Manager pages: operating expenses, and the KUBE's members and SHU split."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from ewarung.errors import N_, AppError
from ewarung.home import menu_item
from ewarung.numbers import MAX_ID, as_id, parse_rupiah, parse_whole
from ewarung.web import db_session, requires
from kube import services
from kube.labels import BUCKET_LABELS, CATEGORY_LABELS
from kube.models import EXPENSE_CATEGORIES, KubeMember
from kube.report.integrity import bundle_rule, set_bundle_rule
from kube.shu import BUCKETS

bp = Blueprint("kube", __name__, url_prefix="/kube")
bp.record_once(menu_item("kube.expenses", N_("Biaya"), "manager", 70))
bp.record_once(menu_item("kube.settings", N_("KUBE & SHU"), "manager", 80))


def _this_month() -> str:
    return date.today().strftime("%Y-%m")


def _amount(field: str) -> int:
    return parse_rupiah(request.form.get(field, ""), field, low=1)


@bp.route("/expenses", methods=["GET", "POST"])
@requires("manager")
def expenses() -> Any:
    """List a month's expenses; record a new one."""
    month = request.args.get("month") or _this_month()
    s = db_session()
    if request.method == "POST":
        try:
            spent_on = date.fromisoformat(request.form.get("spent_on", ""))
            services.record_expense(s, spent_on, request.form.get("category", ""),
                                    _amount("amount"), request.form.get("note", ""))
        except ValueError:
            flash(gettext("Tanggal tidak valid."))
        except AppError as exc:
            flash(exc.message(gettext))
        else:
            flash(gettext("Biaya dicatat."))
            return redirect(url_for("kube.expenses", month=spent_on.strftime("%Y-%m")))
    rows = services.expenses_of_month(s, month)
    total = sum(e.amount for e in rows if e.voided_at is None)
    return render_template("kube/expenses.html", month=month, rows=rows, total=total,
                           categories=[(c, gettext(CATEGORY_LABELS[c]))
                                       for c in EXPENSE_CATEGORIES],
                           labels={c: gettext(v) for c, v in CATEGORY_LABELS.items()},
                           today=date.today().isoformat())


@bp.post("/expenses/<int:expense_id>/void")
@requires("manager")
def void_expense(expense_id: int) -> Any:
    """Cancel a mistaken expense."""
    try:
        expense = services.void_expense(db_session(), expense_id, request.form.get("reason", ""))
    except AppError as exc:
        flash(exc.message(gettext))
        return redirect(url_for("kube.expenses"))
    flash(gettext("Biaya dibatalkan."))
    return redirect(url_for("kube.expenses", month=expense.spent_on.strftime("%Y-%m")))


@bp.route("/settings", methods=["GET", "POST"])
@requires("manager")
def settings() -> Any:
    """Members of the KUBE and how the SHU is split."""
    s = db_session()
    if request.method == "POST":
        try:
            _save_settings()
        except AppError as exc:
            flash(exc.message(gettext))
        else:
            flash(gettext("Tersimpan."))
            return redirect(url_for("kube.settings"))
    percentages, mode = services.shu_settings(s)
    members = s.scalars(select(KubeMember).order_by(KubeMember.active.desc(), KubeMember.id))
    min_kpm, min_items = bundle_rule(s)
    return render_template("kube/settings.html", members=list(members),
                           percentages=percentages, mode=mode, min_kpm=min_kpm,
                           min_items=min_items,
                           buckets=[(b, gettext(BUCKET_LABELS[b])) for b in BUCKETS])


def _whole(field: str) -> int:
    return parse_whole(request.form.get(field, ""), field, low=0, high=MAX_ID)


def _save_settings() -> None:
    s = db_session()
    form = request.form
    if form.get("action") == "member":
        services.add_member(s, form.get("name", ""), form.get("position", "anggota"),
                            form.get("weight") or "1")
    elif form.get("action") == "bundle":
        set_bundle_rule(s, _whole("min_kpm"), _whole("min_items"))
    elif form.get("action") == "toggle":
        member_id = as_id(form.get("member_id"))
        member = s.get(KubeMember, member_id) if member_id else None
        if member is not None:
            services.update_member(s, member.id, active=not member.active)
    else:
        services.set_shu_settings(s, {b: form.get(f"pct_{b}", "0") for b in BUCKETS},
                                  form.get("member_split", "equal"))
