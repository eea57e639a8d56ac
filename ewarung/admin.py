"""Admin pages: users (add, reset PIN or password, unlock, deactivate) and the outlet."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from sqlalchemy import select, update

from ewarung import audit
from ewarung.auth import limits
from ewarung.auth.models import ROLES, ApiToken, User
from ewarung.auth.services import MIN_PASSWORD, PIN_RE, create_user, hash_secret
from ewarung.auth.sessions import end_sessions_of
from ewarung.db import get_or_404, utcnow
from ewarung.errors import N_, AppError, ValidationFailed
from ewarung.home import menu_item
from ewarung.shop import SETTINGS, Outlet, get_outlet, get_setting, set_setting
from ewarung.text import writable
from ewarung.web import current_user, db_session, requires, session_secret

bp = Blueprint("admin", __name__, url_prefix="/admin")
bp.record_once(menu_item("admin.users", N_("Pengguna"), "admin", 85))
bp.record_once(menu_item("admin.shop", N_("Data toko"), "admin", 88))

ROLE_LABELS = {"cashier": N_("Kasir"), "manager": N_("Manajer"), "admin": N_("Admin")}
OUTLET_FIELDS = ("name", "kube_name", "address", "village", "district", "ewarong_id", "phone",
                 "code")


@bp.route("/users", methods=["GET", "POST"])
@requires("admin")
def users() -> Any:
    """All users, and a form to add one."""
    s = db_session()
    if request.method == "POST":
        form = request.form
        try:
            create_user(s, form.get("username", ""), form.get("role", ""),
                        full_name=form.get("full_name", ""), pin=form.get("pin") or None,
                        password=form.get("password") or None)
        except AppError as exc:
            flash(exc.message(gettext))
        else:
            flash(gettext("Pengguna ditambahkan."))
            return redirect(url_for("admin.users"))
    rows = s.scalars(select(User).order_by(User.active.desc(), User.role, User.username)).all()
    return render_template("admin/users.html", users=rows,
                           locked=limits.locked_users(s, utcnow()),
                           roles=[(r, gettext(ROLE_LABELS[r])) for r in ROLES],
                           labels={r: gettext(v) for r, v in ROLE_LABELS.items()})


@bp.post("/users/<int:user_id>")
@requires("admin")
def change_user(user_id: int) -> Any:
    """Reset a PIN or password, unlock, (de)activate, or revoke the API tokens of a user."""
    s = db_session()
    user = get_or_404(s, User, user_id)
    try:
        message = _apply(user, request.form.get("action", ""))
    except AppError as exc:
        flash(exc.message(gettext))
    else:
        flash(message)
    return redirect(url_for("admin.users"))


def _apply(user: User, action: str) -> str:
    s = db_session()
    form = request.form
    if action == "pin":
        pin = form.get("pin", "")
        if not PIN_RE.match(pin):
            raise ValidationFailed.field("pin", N_("PIN harus 4 sampai 6 angka."))
        user.pin_hash = hash_secret(pin)
        _end_sessions(user)
    elif action == "password":
        password = form.get("password", "")
        if len(password) < MIN_PASSWORD:
            raise ValidationFailed.field("password", N_("Kata sandi minimal 8 karakter."))
        user.password_hash = hash_secret(password)
        _end_sessions(user)
    elif action == "unlock":
        limits.unlock(s, user.id)
    elif action == "toggle":
        me = current_user()
        if me is not None and me.id == user.id:
            raise ValidationFailed.field("action", N_(
                "Anda tidak dapat menonaktifkan diri sendiri."))
        user.active = not user.active
        _end_sessions(user)
    elif action == "revoke_tokens":
        s.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                         ApiToken.revoked_at.is_(None))
                  .values(revoked_at=utcnow()))
    else:
        raise ValidationFailed.field("action", N_("Tindakan tidak dikenal."))
    # Never the secret itself in the audit log, only that it changed.
    audit.record(s, f"user.{action}", entity="user", entity_id=user.id,
                 after={"active": user.active})
    return gettext("Perubahan disimpan.")


def _end_sessions(user: User) -> None:
    """A credential changed: every browser signed in as `user` must sign in again, except
    the admin's own, when she changes her own."""
    me = current_user()
    keep = session_secret() if me is not None and me.id == user.id else None
    end_sessions_of(db_session(), user.id, keep=keep)


@bp.route("/shop", methods=["GET", "POST"])
@requires("admin")
def shop() -> Any:
    """The outlet's name, KUBE, address and IDs, and the shop's time zone."""
    s = db_session()
    outlet = get_outlet(s)
    if request.method == "POST":
        if outlet is None:
            outlet = Outlet(name="", kube_name="")
            s.add(outlet)
        before = {f: getattr(outlet, f) for f in OUTLET_FIELDS}
        for field in OUTLET_FIELDS:
            setattr(outlet, field, request.form.get(field, "").strip()[:300])
        try:
            if not outlet.name or not outlet.kube_name:
                raise ValidationFailed.field("name", N_("Isi nama toko dan nama KUBE."))
            for field in OUTLET_FIELDS:  # printed on every receipt: no ESC, no NUL
                writable(getattr(outlet, field), field, multiline=field == "address")
            set_setting(s, "shop.timezone", request.form.get("timezone", ""))
        except AppError as exc:
            s.rollback()
            flash(exc.message(gettext))
            return redirect(url_for("admin.shop"))
        audit.record(s, "outlet.update", entity="outlet", entity_id=outlet.id, before=before,
                     after={f: getattr(outlet, f) for f in OUTLET_FIELDS})
        flash(gettext("Perubahan disimpan."))
        return redirect(url_for("admin.shop"))
    return render_template("admin/shop.html", outlet=outlet,
                           timezone=get_setting(s, "shop.timezone"),
                           timezones=SETTINGS["shop.timezone"].choices)
