"""Factories for test data: small functions with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from ewarung.auth.models import User
from ewarung.auth.services import create_token, create_user
from ewarung.shop import Outlet

_seq = itertools.count(1)

PASSWORD = "rahasia-123"
PIN = "1234"


def make_user(session: Session, role: str = "cashier", username: str | None = None,
              **kwargs: Any) -> User:
    """A user of `role`: cashiers get PIN 1234, others the password PASSWORD (and PIN 1234)."""
    username = username or f"{role}{next(_seq)}"
    if role == "cashier":
        kwargs.setdefault("pin", PIN)
    else:
        kwargs.setdefault("password", PASSWORD)
        kwargs.setdefault("pin", PIN)
    return create_user(session, username, role, **kwargs)


def make_token(session: Session, role: str = "manager") -> str:
    """A bearer token of a new user with `role`."""
    return create_token(session, make_user(session, role))


def make_outlet(session: Session, **kwargs: Any) -> Outlet:
    """The shop's outlet row."""
    fields = {"name": "e-Warong Uji", "kube_name": "KUBE Uji", "address": "Jl. Uji 1",
              "ewarong_id": "EW-TEST-1", **kwargs}
    outlet = Outlet(**fields)
    session.add(outlet)
    session.flush()
    return outlet
