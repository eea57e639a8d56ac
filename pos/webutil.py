"""What the pos web layers share: the card-hash key, a manager's approval, JSON shapes."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app, request
from flask_babel import gettext
from sqlalchemy import select

from ewarung.auth.models import ROLES, User
from ewarung.auth.services import verify_approver
from ewarung.errors import AppError
from ewarung.web import current_user, db_session
from pos.cards import derive_card_key
from pos.entitlement import Entitlement
from pos.kpm_file import Rejection
from pos.models import Beneficiary, EntitlementEntry, KksCard
from pos.sale_models import Sale


def card_key() -> bytes:
    """The key of the card hash for the running app (derived once from its secret key)."""
    key: bytes | None = current_app.extensions.get("pos.card_key")
    if key is None:
        key = derive_card_key(current_app.config["SECRET_KEY"])
        current_app.extensions["pos.card_key"] = key
    return key


def approve(username: str, pin: str) -> User:
    """The manager approving with their PIN; a wrong PIN counts against the signed-in user
    who sent it even though the request is refused (committed before the refusal)."""
    s = db_session()
    me = current_user()
    try:
        return verify_approver(s, username, pin, actor_id=me.id if me else None,
                               address=request.remote_addr)
    except AppError:
        s.commit()
        raise


def approvers() -> list[User]:
    """Who may approve at the till, to choose from: active managers and admins, by name."""
    may = [role for role in ROLES if role != "cashier"]
    return list(db_session().scalars(select(User).where(User.active.is_(True), User.role.in_(may))
                                     .order_by(User.full_name, User.username)))


def rejection_json(rejection: Rejection) -> dict[str, Any]:
    """A rejected import row as the API shows it."""
    return {"row": rejection.row, "code": rejection.code,
            "message": rejection.message(gettext)}


def lookup_json(beneficiary: Beneficiary, card: KksCard | None,
                entitlement: Entitlement, card_token: str | None = None) -> dict[str, Any]:
    """The answer of a look-up at the till."""
    return {"id": beneficiary.id, "name": beneficiary.name,
            "masked_card": card.masked if card else None, "card_token": card_token,
            "village": beneficiary.village, "active": beneficiary.active,
            "entitlement": entitlement.as_dict()}


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


def sale_numbers(entries: Iterable[EntitlementEntry]) -> dict[int, str]:
    """The receipt numbers of the sales that ledger entries belong to, in one query."""
    ids = {e.sale_id for e in entries if e.sale_id is not None}
    if not ids:
        return {}
    return {sale_id: number for sale_id, number in db_session().execute(
        select(Sale.id, Sale.number).where(Sale.id.in_(ids)))}


def entry_json(e: EntitlementEntry, numbers: dict[int, str] | None = None) -> dict[str, Any]:
    """One ledger entry (with its sale's receipt number when `numbers` has it)."""
    return {"id": e.id, "kind": e.kind, "period": e.period, "amount": e.amount,
            "created_at": e.created_at, "sale_id": e.sale_id,
            "sale_number": (numbers or {}).get(e.sale_id) if e.sale_id else None,
            "edc_ref": e.edc_ref,
            "masked_card": e.masked_card, "reason": e.reason,
            "reversal_of_id": e.reversal_of_id}
