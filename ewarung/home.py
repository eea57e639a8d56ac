"""The start page after sign-in."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from ewarung.shop import get_outlet
from ewarung.web import current_user, db_session, requires

bp = Blueprint("home", __name__)


@bp.get("/")
@requires("cashier")
def index() -> Any:
    """The menu of what this user may open."""
    return render_template("home/index.html", outlet=get_outlet(db_session()),
                           user=current_user())
