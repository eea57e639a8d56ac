"""What the pos web layers share: the card-hash key, a manager's approval, JSON shapes."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext

from ewarung.auth.models import User
from ewarung.auth.services import verify_approver
from ewarung.errors import AppError
from ewarung.web import db_session
from pos.cards import derive_card_key
from pos.entitlement import Entitlement
from pos.kpm_file import Rejection
from pos.models import Beneficiary, EntitlementEntry, KksCard


def card_key() -> bytes:
    """The key of the card hash for the running app (derived once from its secret key)."""
    key: bytes | None = current_app.extensions.get("pos.card_key")
    if key is None:
        key = derive_card_key(current_app.config["SECRET_KEY"])
        current_app.extensions["pos.card_key"] = key
    return key


def approve(username: str, pin: str) -> User:
    """The manager approving with their PIN; a wrong PIN counts toward the lock-out even
    though the request is refused (the failure is committed before the refusal)."""
    s = db_session()
    try:
        return verify_approver(s, username, pin)
    except AppError:
        s.commit()
        raise


def rejection_json(rejection: Rejection) -> dict[str, Any]:
    """A rejected import row as the API shows it."""
    return {"row": rejection.row, "code": rejection.code,
            "message": rejection.message(gettext)}


def lookup_json(beneficiary: Beneficiary, card: KksCard | None,
                entitlement: Entitlement) -> dict[str, Any]:
    """The answer of a look-up at the till."""
    return {"id": beneficiary.id, "name": beneficiary.name,
            "masked_card": card.masked if card else None, "village": beneficiary.village,
            "active": beneficiary.active, "entitlement": entitlement.as_dict()}


def card_json(card: KksCard) -> dict[str, Any]:
    """A card: masked number and status, never the number."""
    return {"id": card.id, "masked": card.masked, "status": card.status,
            "created_at": card.created_at, "replaced_at": card.replaced_at}


def beneficiary_json(b: Beneficiary, entitlement: Entitlement | None = None,
                     *, full: bool = False) -> dict[str, Any]:
    """A KPM for managers; `full` adds every card."""
    card = b.active_card
    out: dict[str, Any] = {
        "id": b.id, "nik": b.nik, "no_kk": b.no_kk, "name": b.name, "village": b.village,
        "address": b.address, "kecamatan": b.kecamatan, "id_dtks": b.id_dtks,
        "active": b.active, "masked_card": card.masked if card else None}
    if entitlement is not None:
        out["entitlement"] = entitlement.as_dict()
    if full:
        out["cards"] = [card_json(c) for c in b.cards]
    return out


def entry_json(e: EntitlementEntry) -> dict[str, Any]:
    """One ledger entry."""
    return {"id": e.id, "kind": e.kind, "period": e.period, "amount": e.amount,
            "created_at": e.created_at, "sale_id": e.sale_id, "edc_ref": e.edc_ref,
            "masked_card": e.masked_card, "reason": e.reason,
            "reversal_of_id": e.reversal_of_id}
