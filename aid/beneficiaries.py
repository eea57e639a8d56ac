"""Use-cases of beneficiaries and their cards: import, look-up, search, status, card change.

Services take the session first, flush when they need ids, and never commit. Functions that
see a full card number take the card-hash key (`aid.cards.derive_card_key`) and keep the
number in memory only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, bindparam, func, or_, select
from sqlalchemy.orm import Session, selectinload

from aid.cards import (
    CardNotRegistered,
    CardTokenInvalid,
    card_hash,
    check_card_token,
    mask_card_number,
    parse_card_token,
    read_card,
)
from aid.identity import validate_nik
from aid.kpm_file import (
    UNWRITABLE_COLUMN,
    BeneficiaryRow,
    ImportPlan,
    Rejection,
    unwritable_column,
)
from aid.models import Beneficiary, KksCard
from aid.settings import bpnt_settings
from ewarung import audit, clock
from ewarung.db import get_or_404
from ewarung.errors import N_, AppError, Conflict, NotFound
from ewarung.text import writable

log = logging.getLogger("aid.beneficiaries")

CHUNK = 500


class BeneficiaryInactive(Conflict):
    code = "beneficiary_inactive"
    template = N_("KPM ini berstatus tidak aktif dan tidak dapat dilayani.")


class CardReplaced(Conflict):
    code = "card_replaced"
    template = N_("Kartu KKS ini sudah diganti dengan kartu baru; minta KPM memakai kartu "
                  "yang baru.")


class CardInUse(Conflict):
    code = "card_in_use"
    template = N_("Nomor KKS ini sudah terdaftar atas KPM lain.")


class BeneficiaryNotFound(NotFound):
    template = N_("KPM tidak ditemukan.")


@dataclass
class ImportResult:
    """What an import did: counts, and every rejected row with its reason."""

    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: list[Rejection] = field(default_factory=list)


def get_beneficiary(session: Session, beneficiary_id: int) -> Beneficiary:
    """The KPM with this id, or BeneficiaryNotFound."""
    found = get_or_404(session, Beneficiary, beneficiary_id, BeneficiaryNotFound())
    return found


def find_by_card(session: Session, key: bytes, raw: str, *,
                 require_active: bool = True) -> tuple[Beneficiary, KksCard]:
    """The KPM and card for a typed number or swiped track text.

    Raises InvalidCardNumber, CardNotRegistered, CardReplaced or BeneficiaryInactive.
    """
    beneficiary, card = find_by_any_card(session, key, raw)
    _check_card(card.status, beneficiary.active or not require_active)
    return beneficiary, card


@dataclass(frozen=True)
class PayingCard:
    """A card found for a payment: its row, its KPM and its masked number (never the number)."""

    card_id: int
    beneficiary_id: int
    masked: str


_cards_t = cast(Table, KksCard.__table__)
_kpm_t = cast(Table, Beneficiary.__table__)
# The checkout path's look-up, built once: one indexed read on the card hash.
_PAYING_CARD = (select(_cards_t.c.id, _cards_t.c.status, _cards_t.c.masked,
                       _cards_t.c.beneficiary_id, _kpm_t.c.active)
                .join(_kpm_t, _cards_t.c.beneficiary_id == _kpm_t.c.id)
                .where(_cards_t.c.card_hash == bindparam("card_hash")))


def find_by_any_card(session: Session, key: bytes, raw: str) -> tuple[Beneficiary, KksCard]:
    """The KPM of a card number, also when that card has been replaced since (a manager's
    search: an old card still names its holder). Only the number's keyed hash is looked up.

    Raises InvalidCardNumber or CardNotRegistered.
    """
    digits = read_card(raw, luhn_check=bpnt_settings(session).luhn_check)
    row = session.execute(
        select(KksCard, Beneficiary).join(Beneficiary, KksCard.beneficiary_id == Beneficiary.id)
        .where(KksCard.card_hash == card_hash(key, digits))).first()
    if row is None:
        raise CardNotRegistered()
    card, beneficiary = row
    return beneficiary, card


def paying_card(session: Session, key: bytes, raw: str, *, luhn_check: bool) -> PayingCard:
    """`find_by_card` for the till's hot path: the same checks, no ORM objects."""
    digits = read_card(raw, luhn_check=luhn_check)
    row = session.execute(_PAYING_CARD, {"card_hash": card_hash(key, digits)}).first()
    if row is None:
        raise CardNotRegistered()
    _check_card(row.status, row.active)
    return PayingCard(row.id, row.beneficiary_id, row.masked)


_TOKEN_CARD = (select(_cards_t.c.id, _cards_t.c.status, _cards_t.c.masked, _cards_t.c.card_hash,
                      _cards_t.c.beneficiary_id, _kpm_t.c.active)
               .join(_kpm_t, _cards_t.c.beneficiary_id == _kpm_t.c.id)
               .where(_cards_t.c.id == bindparam("card_id")))


def token_card(session: Session, key: bytes, token: str, *, now: int) -> PayingCard:
    """The card a look-up's signed token names (`aid.cards.check_card_token`), with the same
    checks as `paying_card`; the token is checked before anything about the card is told."""
    claim = parse_card_token(token)
    row = session.execute(_TOKEN_CARD, {"card_id": claim.card_id}).first()
    if row is None:
        raise CardTokenInvalid()
    check_card_token(key, claim, owner_id=row.beneficiary_id, digest=row.card_hash, now=now)
    _check_card(row.status, row.active)
    return PayingCard(row.id, row.beneficiary_id, row.masked)


def _check_card(status: str, beneficiary_active: bool) -> None:
    if status != "active":
        raise CardReplaced()
    if not beneficiary_active:
        raise BeneficiaryInactive()


def find_by_nik(session: Session, nik: str) -> Beneficiary:
    """The KPM with this NIK, or BeneficiaryNotFound."""
    found = session.scalar(select(Beneficiary).where(Beneficiary.nik == nik.strip()))
    if found is None:
        raise BeneficiaryNotFound(N_("Tidak ada KPM dengan NIK ini."))
    return found


def search_beneficiaries(session: Session, q: str = "", *, active: bool | None = None,
                         village: str | None = None, limit: int = 50,
                         offset: int = 0) -> tuple[list[Beneficiary], int]:
    """KPM whose name, NIK, No. KK or village matches `q`, by name; and how many match."""
    query = select(Beneficiary)
    text = q.strip()
    if text.isdigit():
        query = query.where(or_(Beneficiary.nik.startswith(text, autoescape=True),
                                Beneficiary.no_kk.startswith(text, autoescape=True)))
    elif text:
        needle = text.lower()
        query = query.where(or_(
            func.lower(Beneficiary.name).contains(needle, autoescape=True),
            func.lower(Beneficiary.village).contains(needle, autoescape=True)))
    if active is not None:
        query = query.where(Beneficiary.active.is_(active))
    if village:
        query = query.where(Beneficiary.village == village)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.options(selectinload(Beneficiary.cards))
                           .order_by(Beneficiary.name, Beneficiary.id)
                           .limit(limit).offset(offset)).all()
    return list(rows), total


def villages(session: Session) -> list[str]:
    """The villages KPM live in, by name."""
    return list(session.scalars(select(Beneficiary.village).distinct()
                                .order_by(Beneficiary.village)))


def set_active(session: Session, beneficiary: Beneficiary, active: bool,
               reason: str = "") -> None:
    """Activate or deactivate a KPM (history stays)."""
    writable(reason, "reason")
    if beneficiary.active == active:
        return
    beneficiary.active = active
    audit.record(session, "beneficiary.activate" if active else "beneficiary.deactivate",
                 entity="beneficiary", entity_id=beneficiary.id, note=reason[:500] or None)


def _attach_card(session: Session, beneficiary: Beneficiary, digits: str, digest: str) -> KksCard:
    """Make a new card the KPM's card; the one it replaces stays, marked replaced."""
    old = beneficiary.active_card
    if old is not None:
        old.status, old.replaced_at = "replaced", clock.now()
        session.flush()  # the partial unique index allows one active card per KPM
    card = KksCard(card_hash=digest, masked=mask_card_number(digits), status="active",
                   replaces_id=old.id if old is not None else None)
    beneficiary.cards.append(card)
    if old is not None:
        audit.record(session, "card.replace", entity="beneficiary", entity_id=beneficiary.id,
                     before={"masked": old.masked}, after={"masked": card.masked})
    return card


def replace_card(session: Session, key: bytes, beneficiary: Beneficiary, raw: str) -> KksCard:
    """Give a KPM a new card (the bank replaced a lost or broken one)."""
    digits = read_card(raw, luhn_check=bpnt_settings(session).luhn_check)
    digest = card_hash(key, digits)
    existing = session.scalar(select(KksCard).where(KksCard.card_hash == digest))
    if existing is not None:
        if existing.beneficiary_id != beneficiary.id:
            raise CardInUse()
        if existing.status == "active":
            return existing
        raise CardReplaced(N_("Kartu ini dulu dipakai KPM ini lalu diganti; kartu lama "
                              "tidak dapat diaktifkan lagi."))
    return _attach_card(session, beneficiary, digits, digest)


def _apply_row(beneficiary: Beneficiary, row: BeneficiaryRow, columns: frozenset[str]) -> bool:
    """Copy a row's fields onto a KPM; whether anything changed."""
    fields: dict[str, str | None] = {"name": row.name, "village": row.village}
    optional = {"no_kk": row.no_kk, "id_dtks": row.id_dtks, "alamat": row.address,
                "kecamatan": row.kecamatan}
    attrs = {"no_kk": "no_kk", "id_dtks": "id_dtks", "alamat": "address",
             "kecamatan": "kecamatan"}
    for column, value in optional.items():
        if column in columns:  # a column the file lacks leaves the stored value alone
            blank = None if attrs[column] in ("no_kk", "id_dtks") else ""
            fields[attrs[column]] = value if value is not None else blank
    changed = False
    for attr, value in fields.items():
        if getattr(beneficiary, attr) != value:
            setattr(beneficiary, attr, value)
            changed = True
    return changed


def import_beneficiaries(session: Session, key: bytes, plan: ImportPlan,
                         progress: Callable[[int], None] | None = None) -> ImportResult:
    """Create or update (by NIK) the KPM of a checked file; each bad row is rejected alone."""
    result = ImportResult(rejected=list(plan.rejected))
    for start in range(0, len(plan.rows), CHUNK):
        chunk = plan.rows[start:start + CHUNK]
        _import_chunk(session, key, chunk, plan.columns, result)
        if progress is not None:
            progress(len(chunk))
    result.rejected.sort(key=lambda r: r.row)
    audit.record(session, "beneficiary.import", entity="beneficiary", after={
        "imported": result.imported, "updated": result.updated,
        "unchanged": result.unchanged, "rejected": len(result.rejected)})
    log.info("beneficiary import: %d new, %d updated, %d rejected",
             result.imported, result.updated, len(result.rejected))
    return result


def _import_chunk(session: Session, key: bytes, chunk: Sequence[BeneficiaryRow],
                  columns: frozenset[str], result: ImportResult) -> None:
    digests = {row.row: card_hash(key, row.card_number) for row in chunk}
    known = {b.nik: b for b in session.scalars(
        select(Beneficiary).options(selectinload(Beneficiary.cards))
        .where(Beneficiary.nik.in_([r.nik for r in chunk])))}
    cards = {c.card_hash: c for c in session.scalars(
        select(KksCard).where(KksCard.card_hash.in_(list(digests.values()))))}
    for row in chunk:
        beneficiary = known.get(row.nik)
        card = cards.get(digests[row.row])
        column = unwritable_column({  # the parser checked it; a guard for other callers
            "nama": row.name, "desa": row.village, "alamat": row.address,
            "kecamatan": row.kecamatan, "id_dtks": row.id_dtks})
        if column is not None:
            result.rejected.append(Rejection(row.row, "validation_error", UNWRITABLE_COLUMN,
                                             {"column": column}))
            continue
        try:
            if card is not None and (beneficiary is None or card.beneficiary_id != beneficiary.id):
                raise CardInUse()
            if card is not None and card.status != "active":
                raise CardReplaced()
        except AppError as exc:
            result.rejected.append(Rejection(row.row, exc.code, exc.message_template))
            continue
        if beneficiary is None:
            validate_nik(row.nik)  # the parser checked it; a cheap guard for other callers
            beneficiary = Beneficiary(nik=row.nik, name=row.name, village=row.village,
                                      address="", kecamatan="", active=True)
            _apply_row(beneficiary, row, columns)
            session.add(beneficiary)
            result.imported += 1
        elif _apply_row(beneficiary, row, columns) or card is None:
            result.updated += 1
        else:
            result.unchanged += 1
        if card is None:
            cards[digests[row.row]] = _attach_card(session, beneficiary, row.card_number,
                                                   digests[row.row])
