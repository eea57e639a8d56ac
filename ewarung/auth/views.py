"""The sign-in screen: cashier tiles with a PIN pad, and a password form for managers."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select

from ewarung.auth.models import User
from ewarung.auth.services import authenticate
from ewarung.errors import AppError
from ewarung.shop import get_outlet
from ewarung.web import commit_now, db_session, public, requires, sign_in, sign_out

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    """Only same-site paths, so the sign-in page cannot redirect elsewhere."""
    if not target:
        return url_for("home.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("home.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> Any:
    """Show the tiles, or check the PIN or password that was sent."""
    s = db_session()
    error, status, headers = None, 200, {}
    if request.method == "POST":
        username = request.form.get("username", "")
        pin = request.form.get("pin") or None
        password = request.form.get("password") or None
        try:
            user = authenticate(s, username, pin=pin, password=password if pin is None else None,
                                address=request.remote_addr, counted=commit_now)
        except AppError as exc:
            s.commit()  # keep the failure count and the audit rows
            error, status = exc.message(gettext), exc.status
            if exc.status == 429:
                headers["Retry-After"] = str(exc.details.get("retry_after", 1))
        else:
            sign_in(user)
            return redirect(_safe_next(request.args.get("next")))
    cashiers = s.scalars(select(User).where(User.role == "cashier", User.active.is_(True))
                         .order_by(User.full_name)).all()
    return render_template("auth/login.html", cashiers=cashiers, error=error,
                           outlet=get_outlet(s)), status, headers


@bp.post("/logout")
@requires("cashier")
def logout() -> Any:
    """Sign out and go back to the tiles (switching cashier is the same two taps)."""
    sign_out()
    flash(gettext("Anda sudah keluar."))
    return redirect(url_for("auth.login"))
