"""Factories for test data: small functions with sensible defaults."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy import select
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


# --- pos: beneficiaries (KPM), KKS cards, entitlements -------------------------------------

from pos.beneficiaries import import_beneficiaries  # noqa: E402
from pos.cards import derive_card_key, luhn_check_digit  # noqa: E402
from pos.identity import make_nik as _compose_nik  # noqa: E402
from pos.kpm_file import BeneficiaryRow, ImportPlan  # noqa: E402
from pos.models import Beneficiary, EntitlementEntry  # noqa: E402

_card_seq = itertools.count(1)
_nik_seq = itertools.count(1)
#: the issuer prefix of test cards (a BNI-like KKS range)
BIN = "526422"


def card_key(app: Any) -> bytes:
    """The card-hash key of `app` (derived from its secret key)."""
    return derive_card_key(app.config["SECRET_KEY"])


def make_card_number(length: int = 16, prefix: str = BIN) -> str:
    """A new card number with a valid Luhn check digit."""
    body = f"{prefix}{next(_card_seq):0{length - len(prefix) - 1}d}"
    return body + luhn_check_digit(body)


def make_nik(female: bool = False) -> str:
    """A new valid NIK."""
    n = next(_nik_seq)
    return _compose_nik("352701", 1 + n % 28, 1 + n % 12, 80 + n % 20, n % 10000 or 1,
                        female=female)


def make_beneficiary(session: Session, key: bytes, *, card: str | None = None,
                     nik: str | None = None, name: str | None = None,
                     village: str = "Sukamaju", active: bool = True,
                     **fields: Any) -> Beneficiary:
    """A KPM with a card (a new valid number unless `card` is given), via the import service."""
    nik = nik or make_nik()
    row = BeneficiaryRow(row=1, nik=nik, name=name or f"KPM {nik[-4:]}", village=village,
                         card_number=card or make_card_number(), **fields)
    columns = frozenset({"no_kk", "id_dtks", "alamat", "kecamatan"})
    result = import_beneficiaries(session, key, ImportPlan(rows=[row], columns=columns))
    assert not result.rejected, result.rejected
    session.flush()
    found = session.scalars(select(Beneficiary).where(Beneficiary.nik == nik)).one()
    found.active = active
    session.flush()
    return found


def credit(session: Session, beneficiary: Beneficiary | int, amount: int = 200_000,
           period: str | None = None) -> EntitlementEntry:
    """A credit for `period` (the current month by default) to one KPM."""
    from pos.settings import bpnt_settings

    bid = beneficiary if isinstance(beneficiary, int) else beneficiary.id
    entry = EntitlementEntry(beneficiary_id=bid, kind="credit", amount=amount,
                             period=period or bpnt_settings(session).month())
    session.add(entry)
    session.flush()
    return entry
