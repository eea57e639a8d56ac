"""Pages: the reorder list (printable) and supplier dependency."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_babel import gettext

from ewarung.clock import month_label, parse_month, shop_today
from ewarung.errors import ValidationFailed
from ewarung.numbers import clamped_whole
from ewarung.shop import get_setting
from ewarung.web import db_session, requires
from inventory import planning, reports
from inventory.views import bp


@bp.get("/reorder")
@requires("manager")
def reorder() -> Any:
    """What to buy before distribution day, grouped by supplier; prints as a purchase list."""
    s = db_session()
    default = int(get_setting(s, "inventory.reorder_cover_days"))
    cover = clamped_whole(request.args.get("cover"), default, 1, 90)
    today = shop_today(s)
    return render_template("inventory/reorder.html", groups=reports.reorder_list(s, today, cover),
                           cover=cover, today=today, window=planning.SALES_WINDOW_DAYS)


@bp.get("/dependency")
@requires("manager")
def dependency() -> Any:
    """How far the shop depends on third-party suppliers, this month and the last six."""
    s = db_session()
    error = None
    month = shop_today(s).replace(day=1)
    if request.args.get("month"):
        try:
            month = parse_month(request.args["month"])
        except ValidationFailed as exc:
            error = exc.message(gettext)
    dep, trend = reports.supplier_dependency(s, month)
    return render_template("inventory/dependency.html", month=month_label(month), dep=dep,
                           trend=trend, percent=planning.percent, month_label=month_label,
                           error=error, kinds=list(dep.by_kind))
