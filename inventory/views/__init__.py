"""The manager's stock pages (Indonesian first, tablet-sized): one blueprint, several modules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal
from flask import Blueprint, render_template
from flask_babel import gettext

from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.home import menu_item
from ewarung.web import requires
from inventory import labels

bp = Blueprint("inventory", __name__, url_prefix="/inventory")
bp.record_once(menu_item("inventory.index", N_("Stok dan pemasok"), "manager", 20))


@bp.context_processor
def _defaults() -> dict[str, Any]:
    # A view's own values win over these.
    return {"labels": labels, "errors": {}, "error": None}


@bp.app_template_filter("plain_qty")
def plain_qty(value: Decimal) -> str:
    """A quantity for an input box: 1.5, 2, 1000 (no separators, no exponent)."""
    return format(value.normalize(), "f")


@bp.app_template_filter("percent")
def percent_text(share: Any) -> str:
    """A share as a percentage the Indonesian way: 32,5%."""
    return format_decimal(float(share) * 100, format="#,##0.0", locale="id_ID") + "%"


def field_messages(exc: ValidationFailed) -> dict[str, list[str]]:
    """The failed fields with their messages in the reader's language."""
    templates = getattr(exc, "templates", None)
    if templates is None:
        return {name: list(msgs) for name, msgs in exc.details.get("fields", {}).items()}
    return {name: [gettext(t) % p if p else gettext(t) for t, p in items]
            for name, items in templates.items()}


def refused(template: str, exc: AppError, **context: Any) -> Any:
    """Show the form again with what was refused (nothing was saved)."""
    errors = field_messages(exc) if isinstance(exc, ValidationFailed) else {}
    status = exc.status if exc.status >= 400 else 422
    return render_template(template, error=exc.message(gettext), errors=errors,
                           **context), status


@bp.get("/")
@requires("manager")
def index() -> Any:
    """The stock menu."""
    return render_template("inventory/index.html")


from inventory.views import catalogue, plans, stock  # noqa: E402,F401  (register the routes)
