"""The start page after sign-in: cashiers go to the till, managers see the menu."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, current_app, redirect, render_template, url_for
from flask.sansio.app import App
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import gettext

from ewarung.shop import get_outlet
from ewarung.web import db_session, requires, signed_in_user

bp = Blueprint("home", __name__)


@dataclass(frozen=True)
class MenuItem:
    """A tile on the start page and an entry in the top menu."""

    endpoint: str
    #: an Indonesian label marked with N_; translated when shown
    label: str
    role: str
    order: int = 100


def add_menu_item(app: App, endpoint: str, label: str, role: str, order: int = 100) -> None:
    """Let a domain put its pages on the start page."""
    items: list[MenuItem] = app.extensions.setdefault("ewarung.menu", [])
    items.append(MenuItem(endpoint, label, role, order))
    items.sort(key=lambda i: i.order)


def menu_item(endpoint: str, label: str, role: str, order: int = 100
              ) -> Callable[[BlueprintSetupState], None]:
    """For `bp.record_once(...)`: put a blueprint's page on the start page."""
    def record(state: BlueprintSetupState) -> None:
        add_menu_item(state.app, endpoint, label, role, order)
    return record


def menu_for(user: Any) -> list[tuple[str, str]]:
    """(url, label) of the pages this user may open."""
    if user is None:
        return []
    items: list[MenuItem] = current_app.extensions.get("ewarung.menu", [])
    return [(url_for(i.endpoint), gettext(i.label)) for i in items if user.has_role(i.role)]


@bp.get("/")
@requires("cashier")
def index() -> Any:
    """Cashiers go straight to the till; managers and admins get the menu."""
    user = signed_in_user()
    if user.role == "cashier":
        return redirect(url_for("till.till"))
    return render_template("home/index.html", outlet=get_outlet(db_session()), user=user,
                           menu=menu_for(user))
