"""Sign-in and users over the JSON API."""

from __future__ import annotations

from typing import Any, Literal

from apiflask import APIBlueprint
from flask import request
from flask_wtf.csrf import generate_csrf
from pydantic import BaseModel, Field, RootModel, model_validator
from sqlalchemy import select

from ewarung.auth.models import User
from ewarung.auth.services import authenticate, create_user
from ewarung.errors import AppError
from ewarung.web import (
    commit_now,
    csrf_exempt,
    db_session,
    public,
    requires,
    sign_in,
    sign_out,
    signed_in_user,
)

bp = APIBlueprint("auth_api", __name__, url_prefix="/api/v1", tag="Auth")


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=40)
    password: str | None = Field(default=None, max_length=200)
    pin: str | None = Field(default=None, max_length=6)

    @model_validator(mode="after")
    def one_secret(self) -> LoginIn:
        if (self.password is None) == (self.pin is None):
            raise ValueError("give either password or pin")
        return self


class UserOut(BaseModel):
    id: int
    username: str
    full_name: str
    role: str
    active: bool


UserList = RootModel[list[UserOut]]


class SessionOut(BaseModel):
    user: UserOut
    csrf_token: str = Field(description="send as X-CSRFToken on cookie-authenticated writes")


class UserIn(BaseModel):
    username: str = Field(min_length=2, max_length=40)
    full_name: str = Field(default="", max_length=120)
    role: Literal["cashier", "manager", "admin"]
    pin: str | None = Field(default=None, pattern=r"^\d{4,6}$")
    password: str | None = Field(default=None, min_length=8, max_length=200)


@bp.post("/auth/login")
@public
@csrf_exempt
@bp.input(LoginIn, arg_name="body")
@bp.output(SessionOut)
@bp.doc(responses={401: "Wrong credentials", 415: "A body that is not JSON",
                  429: "account_locked or too_many_attempts (see Retry-After)"})
def login(body: LoginIn) -> dict[str, Any]:
    """Sign in with a password (managers, admins) or a PIN (cashiers)."""
    s = db_session()
    try:
        user = authenticate(s, body.username, password=body.password, pin=body.pin,
                            address=request.remote_addr, counted=commit_now)
    except AppError:
        s.commit()  # the failure count and audit rows must survive the refusal
        raise
    sign_in(user)
    return {"user": user.public(), "csrf_token": generate_csrf()}


@bp.post("/auth/logout")
@requires("cashier")
@bp.output({}, status_code=204)
def logout() -> tuple[str, int]:
    """End the browser session (its cookie, even copied, no longer signs in)."""
    sign_out()
    return "", 204


@bp.get("/auth/me")
@requires("cashier")
@bp.output(SessionOut)
def me() -> dict[str, Any]:
    """Who is signed in, and the CSRF token for cookie-authenticated writes."""
    user = signed_in_user()
    return {"user": user.public(), "csrf_token": generate_csrf()}


@bp.get("/users")
@requires("admin")
@bp.output(UserList)
def list_users() -> UserList:
    """All users."""
    users = db_session().scalars(select(User).order_by(User.username))
    return UserList.model_validate([u.public() for u in users])


@bp.post("/users")
@requires("admin")
@bp.input(UserIn, arg_name="body")
@bp.output(UserOut, status_code=201)
def add_user(body: UserIn) -> dict[str, Any]:
    """Add a user."""
    user = create_user(db_session(), body.username, body.role, full_name=body.full_name,
                       pin=body.pin, password=body.password)
    return user.public()
