"""How the aid domain's pages and API show its records, and the card key of the running app."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import select

from aid.cards import derive_card_key
from aid.entitlement import Entitlement
from aid.kpm_file import Rejection
from aid.models import Beneficiary, EntitlementEntry, KksCard
from ewarung.db import Base
from ewarung.web import db_session


def card_key() -> bytes:
    """The key of the card hash for the running app (derived once from its secret key)."""
    key: bytes | None = current_app.extensions.get("pos.card_key")
    if key is None:
        key = derive_card_key(current_app.config["SECRET_KEY"])
        current_app.extensions["pos.card_key"] = key
    return key



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
    sales = Base.metadata.tables["sales"]  # selling's table, read by name: aid sits below pos
    return {sale_id: number for sale_id, number in db_session().execute(
        select(sales.c.id, sales.c.number).where(sales.c.id.in_(ids)))}


def entry_json(e: EntitlementEntry, numbers: dict[int, str] | None = None) -> dict[str, Any]:
    """One ledger entry (with its sale's receipt number when `numbers` has it)."""
    return {"id": e.id, "kind": e.kind, "period": e.period, "amount": e.amount,
            "created_at": e.created_at, "sale_id": e.sale_id,
            "sale_number": (numbers or {}).get(e.sale_id) if e.sale_id else None,
            "edc_ref": e.edc_ref,
            "masked_card": e.masked_card, "reason": e.reason,
            "reversal_of_id": e.reversal_of_id}
