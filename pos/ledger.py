"""Use-cases of the BPNT entitlement ledger: credits, redemptions, reversals, adjustments.

The ledger is append-only and the remaining entitlement is derived from it (one indexed
query per KPM, then `pos.entitlement.compute_entitlement`). `redeem` and `reverse` run
inside the caller's unit of work (the sale's transaction) and never commit.

Concurrency: a redemption reads the balance and then writes, so two tills must not both
read the same balance. On PostgreSQL `redeem` locks the KPM's row (`FOR NO KEY UPDATE`, which
lets through the key-share lock that inserting a row referring to the KPM takes: a sale
inserts its row before it redeems, and a plain `FOR UPDATE` there deadlocks two sales of one
card); on SQLite every writer already holds the in-process writer lock and `BEGIN IMMEDIATE`.
Callers that lock other rows too (stock batches) should lock the KPM first or last, always
in the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, and_, bindparam, exists, func, insert, select
from sqlalchemy.orm import Session

from ewarung import audit
from ewarung.db import utcnow
from ewarung.errors import N_, Conflict, NotFound, ValidationFailed
from ewarung.text import writable
from pos.beneficiaries import BeneficiaryInactive, BeneficiaryNotFound
from pos.checkout import BpntBalanceExceeded
from pos.entitlement import Entitlement, LedgerEntry, compute_entitlement, is_month, window
from pos.models import Beneficiary, EntitlementEntry, KksCard
from pos.settings import BpntSettings, bpnt_settings


class AlreadyCredited(Conflict):
    code = "already_credited"
    template = N_("%(count)s KPM sudah menerima hak untuk periode %(period)s; hak tidak "
                  "dikreditkan dua kali.")


class NothingToReverse(Conflict):
    code = "nothing_to_reverse"
    template = N_("Penukaran BPNT ini sudah dikembalikan seluruhnya.")


def rupiah(amount: int) -> str:
    """Rp12.500: the shop's way, for messages built outside Flask."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp{abs(amount):,}".replace(",", ".")


@dataclass(frozen=True)
class Redemption:
    """The outcome of `redeem`: the debit and what the KPM has left after it."""

    entry_id: int
    amount: int
    masked_card: str | None
    entitlement: Entitlement
    #: True when warn mode let the redemption go past the remaining entitlement
    over_limit: bool

    @property
    def remaining(self) -> int:
        """What the KPM may still redeem after this one."""
        return self.entitlement.remaining


# The checkout path's statements, built once (a statement object memoises its cache key).
_ENTRIES = cast(Table, EntitlementEntry.__table__)
_KPM = cast(Table, Beneficiary.__table__)
_SUMS = (select(_ENTRIES.c.kind, _ENTRIES.c.period, func.sum(_ENTRIES.c.amount))
         .where(_ENTRIES.c.beneficiary_id == bindparam("beneficiary_id"))
         .group_by(_ENTRIES.c.kind, _ENTRIES.c.period))
_ACTIVE = select(_KPM.c.active).where(_KPM.c.id == bindparam("beneficiary_id"))
_ACTIVE_LOCKED = _ACTIVE.with_for_update(key_share=True)
_INSERT_ENTRY = insert(_ENTRIES).returning(_ENTRIES.c.id)


def ledger_sums(session: Session, beneficiary_id: int) -> list[LedgerEntry]:
    """The KPM's ledger summed by kind and month: one query on the (KPM, month) index."""
    rows = session.execute(_SUMS, {"beneficiary_id": beneficiary_id})
    return [LedgerEntry(kind, period, int(total)) for kind, period, total in rows]


def entitlement_of(session: Session, beneficiary_id: int, *,
                   settings: BpntSettings | None = None, month: str | None = None,
                   at: datetime | None = None) -> Entitlement:
    """A KPM's entitlement in the current period (or the period of `month`)."""
    cfg = settings or bpnt_settings(session)
    return compute_entitlement(ledger_sums(session, beneficiary_id), month or cfg.month(at),
                               cfg.period, cfg.carry_over)


def entitlements_of(session: Session, beneficiary_ids: Sequence[int], *,
                    settings: BpntSettings | None = None) -> dict[int, Entitlement]:
    """The current entitlement of many KPM at once (list pages), in one query."""
    cfg = settings or bpnt_settings(session)
    month = cfg.month()
    grouped: dict[int, list[LedgerEntry]] = {i: [] for i in beneficiary_ids}
    if beneficiary_ids:
        rows = session.execute(
            select(EntitlementEntry.beneficiary_id, EntitlementEntry.kind,
                   EntitlementEntry.period, func.sum(EntitlementEntry.amount))
            .where(EntitlementEntry.beneficiary_id.in_(list(beneficiary_ids)))
            .group_by(EntitlementEntry.beneficiary_id, EntitlementEntry.kind,
                      EntitlementEntry.period))
        for bid, kind, period, total in rows:
            grouped[bid].append(LedgerEntry(kind, period, int(total)))
    return {bid: compute_entitlement(entries, month, cfg.period, cfg.carry_over)
            for bid, entries in grouped.items()}


def _check_amount(amount: int, name: str = "amount") -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise ValidationFailed.field(name, N_("Nominal harus bilangan Rupiah bulat di atas 0."))


def _lock_beneficiary(session: Session, beneficiary_id: int) -> Beneficiary:
    """The KPM's row, locked until the transaction ends (PostgreSQL; a no-op on SQLite)."""
    found = session.scalar(select(Beneficiary).where(Beneficiary.id == beneficiary_id)
                           .with_for_update(key_share=True))
    if found is None:
        raise BeneficiaryNotFound()
    return found


def credit_period(session: Session, period: str, amount: int,
                  beneficiary_ids: Sequence[int] | None = None) -> tuple[int, int]:
    """Credit `amount` for `period` to the given KPM, or to every active KPM.

    Returns (credited, skipped). Given ids that are unknown, inactive or already credited
    in the period refuse the whole credit; for "all active KPM" those already credited
    are skipped, so a credit run can be repeated after new KPM were imported.
    """
    if not is_month(period):
        raise ValidationFailed.field("period", N_("Periode harus ditulis TTTT-BB, "
                                                  "misalnya 2026-11."))
    _check_amount(amount)
    cfg = bpnt_settings(session)
    first, last, label = window(period, cfg.period)
    credited_ids = set(session.scalars(
        select(EntitlementEntry.beneficiary_id).where(
            EntitlementEntry.kind == "credit", EntitlementEntry.period >= first,
            EntitlementEntry.period <= last)))
    if beneficiary_ids is None:
        active = session.scalars(select(Beneficiary.id).where(Beneficiary.active.is_(True))
                                 .order_by(Beneficiary.id)).all()
        targets = [i for i in active if i not in credited_ids]
        skipped = len(active) - len(targets)
    else:
        targets = sorted(set(beneficiary_ids))
        _check_targets(session, targets, credited_ids, label)
        skipped = 0
    actor = audit.current_actor.get()
    now = utcnow()
    if targets:
        session.execute(insert(EntitlementEntry), [
            {"beneficiary_id": i, "kind": "credit", "period": period, "amount": amount,
             "created_at": now, "actor_id": actor} for i in targets])
    audit.record(session, "entitlement.credit", entity="period", entity_id=period,
                 after={"amount": amount, "credited": len(targets), "skipped": skipped})
    return len(targets), skipped


def _check_targets(session: Session, ids: list[int], credited: set[int], label: str) -> None:
    rows = {bid: active for bid, active in session.execute(
        select(Beneficiary.id, Beneficiary.active).where(Beneficiary.id.in_(ids)))}
    unknown = [i for i in ids if i not in rows]
    if unknown:
        raise NotFound(N_("KPM tidak ditemukan: %(ids)s."), details={"ids": unknown},
                       ids=", ".join(map(str, unknown)))
    inactive = [i for i in ids if not rows[i]]
    if inactive:
        raise BeneficiaryInactive(details={"ids": inactive})
    twice = [i for i in ids if i in credited]
    if twice:
        raise AlreadyCredited(details={"ids": twice}, count=len(twice), period=label)


def redeem(session: Session, beneficiary_id: int, amount: int, *, sale_id: int | None,
           edc_ref: str, card_id: int | None = None, at: datetime | None = None,
           settings: BpntSettings | None = None,
           masked_card: str | None = None) -> Redemption:
    """Debit a BPNT redemption; refuse (strict) or flag (warn) an amount above what is left.

    Never overdraws under concurrency: the KPM's row is locked before the balance is read.
    A caller that has just found the card by its hash passes `card_id` with `masked_card`
    (the checkout path: four statements, no ORM).
    """
    _check_amount(amount)
    if not edc_ref or not edc_ref.strip():
        raise ValidationFailed.field("edc_ref", N_("Isi kode approval dari struk EDC."))
    cfg = settings or bpnt_settings(session)
    locked = _ACTIVE_LOCKED if session.get_bind().dialect.name == "postgresql" else _ACTIVE
    active = session.execute(locked, {"beneficiary_id": beneficiary_id}).scalar()
    if active is None:
        raise BeneficiaryNotFound()
    if not active:
        raise BeneficiaryInactive()
    month = cfg.month(at)
    before = compute_entitlement(ledger_sums(session, beneficiary_id), month, cfg.period,
                                 cfg.carry_over)
    over = amount > before.remaining
    if over and cfg.enforcement == "strict":
        raise BpntBalanceExceeded(
            details={"remaining": before.remaining, "requested": amount},
            remaining=rupiah(max(before.remaining, 0)), requested=rupiah(amount))
    if card_id is None or masked_card is None:
        card = _card_of(session, beneficiary_id, card_id)
        card_id, masked_card = (card.id, card.masked) if card else (None, None)
    entry_id = session.execute(_INSERT_ENTRY, {
        "beneficiary_id": beneficiary_id, "kind": "redemption", "period": month,
        "amount": -amount, "created_at": at or utcnow(), "actor_id": audit.current_actor.get(),
        "sale_id": sale_id, "card_id": card_id, "masked_card": masked_card,
        "edc_ref": edc_ref.strip()[:40]}).scalar_one()
    after = Entitlement(before.period, before.credited, before.redeemed + amount,
                        before.adjusted, before.carried)
    return Redemption(int(entry_id), amount, masked_card, after, over)


def _card_of(session: Session, beneficiary_id: int, card_id: int | None) -> KksCard | None:
    if card_id is None:
        return session.scalar(select(KksCard).where(KksCard.beneficiary_id == beneficiary_id,
                                                    KksCard.status == "active"))
    card = session.get(KksCard, card_id)
    if card is None or card.beneficiary_id != beneficiary_id:
        raise ValidationFailed.field("card_id", N_("Kartu ini bukan milik KPM tersebut."))
    return card


def reverse(session: Session, redemption_id: int, amount: int | None = None, *,
            sale_id: int | None = None, reason: str = "") -> EntitlementEntry:
    """Give back all of a redemption (a void) or part of it (a return of some lines).

    The reversal counts in the redemption's month, so it restores that period's balance.
    """
    original = session.get(EntitlementEntry, redemption_id)
    if original is None or original.kind != "redemption":
        raise NotFound(N_("Penukaran BPNT tidak ditemukan."))
    _lock_beneficiary(session, original.beneficiary_id)
    reversed_so_far = session.scalar(
        select(func.coalesce(func.sum(EntitlementEntry.amount), 0))
        .where(EntitlementEntry.reversal_of_id == redemption_id)) or 0
    left = -original.amount - int(reversed_so_far)
    if left <= 0:
        raise NothingToReverse()
    if amount is None:
        amount = left
    _check_amount(amount)
    if amount > left:
        raise ValidationFailed.field("amount", N_(
            "Paling banyak %(left)s yang masih bisa dikembalikan."), left=rupiah(left))
    entry = EntitlementEntry(
        beneficiary_id=original.beneficiary_id, kind="reversal", period=original.period,
        amount=amount, actor_id=audit.current_actor.get(),
        sale_id=sale_id if sale_id is not None else original.sale_id,
        reversal_of_id=original.id, card_id=original.card_id,
        masked_card=original.masked_card, edc_ref=original.edc_ref, reason=reason[:300] or None)
    session.add(entry)
    session.flush()
    return entry


def reverse_sale(session: Session, sale_id: int, reason: str = "") -> list[EntitlementEntry]:
    """Reverse whatever is left of every redemption of a sale (a whole-sale void)."""
    ids = session.scalars(select(EntitlementEntry.id).where(
        EntitlementEntry.sale_id == sale_id, EntitlementEntry.kind == "redemption")
        .order_by(EntitlementEntry.id)).all()
    out = []
    for rid in ids:
        try:
            out.append(reverse(session, rid, sale_id=sale_id, reason=reason))
        except NothingToReverse:
            continue  # already given back by an earlier return
    return out


def adjust(session: Session, beneficiary_id: int, amount: int, reason: str, *,
           period: str | None = None) -> EntitlementEntry:
    """A manager's correction (signed), e.g. to agree with the balance the bank's EDC shows."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount == 0:
        raise ValidationFailed.field("amount", N_("Nominal penyesuaian tidak boleh 0."))
    if len(reason.strip()) < 3:
        raise ValidationFailed.field("reason", N_("Tulis alasan penyesuaian."))
    writable(reason.strip(), "reason")
    cfg = bpnt_settings(session)
    month = period or cfg.month()
    if not is_month(month):
        raise ValidationFailed.field("period", N_("Periode harus ditulis TTTT-BB, "
                                                  "misalnya 2026-11."))
    _lock_beneficiary(session, beneficiary_id)
    before = entitlement_of(session, beneficiary_id, settings=cfg, month=month)
    entry = EntitlementEntry(beneficiary_id=beneficiary_id, kind="adjustment", period=month,
                             amount=amount, actor_id=audit.current_actor.get(),
                             reason=reason.strip()[:300])
    session.add(entry)
    session.flush()
    audit.record(session, "entitlement.adjust", entity="beneficiary", entity_id=beneficiary_id,
                 before={"remaining": before.remaining},
                 after={"remaining": before.remaining + amount, "amount": amount},
                 note=reason.strip()[:500])
    return entry


def align_with_bank(session: Session, beneficiary_id: int, bank_remaining: int,
                    reason: str) -> EntitlementEntry | None:
    """Adjust so the remaining entitlement equals what the bank's EDC shows (None: it did)."""
    if isinstance(bank_remaining, bool) or not isinstance(bank_remaining, int) \
            or bank_remaining < 0:
        raise ValidationFailed.field("bank_remaining", N_("Saldo EDC harus 0 atau lebih."))
    current = entitlement_of(session, beneficiary_id).remaining
    if current == bank_remaining:
        return None
    return adjust(session, beneficiary_id, bank_remaining - current, reason)


def history(session: Session, beneficiary_id: int, *, kinds: Iterable[str] | None = None,
            limit: int = 200) -> list[EntitlementEntry]:
    """A KPM's ledger entries, newest first."""
    query = select(EntitlementEntry).where(EntitlementEntry.beneficiary_id == beneficiary_id)
    if kinds is not None:
        query = query.where(EntitlementEntry.kind.in_(list(kinds)))
    return list(session.scalars(query.order_by(EntitlementEntry.id.desc()).limit(limit)))


def unserved(session: Session, month: str | None = None) -> tuple[str, list[Beneficiary]]:
    """(period label, active KPM with no redemption in the period), by village and name."""
    cfg = bpnt_settings(session)
    first, last, label = window(month or cfg.month(), cfg.period)
    served = exists().where(and_(
        EntitlementEntry.beneficiary_id == Beneficiary.id,
        EntitlementEntry.kind == "redemption",
        EntitlementEntry.period >= first, EntitlementEntry.period <= last))
    rows = session.scalars(select(Beneficiary).where(Beneficiary.active.is_(True), ~served)
                           .order_by(Beneficiary.village, Beneficiary.name, Beneficiary.id))
    return label, list(rows)
