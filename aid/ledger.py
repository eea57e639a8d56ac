"""Use-cases of the BPNT entitlement ledger: credits, redemptions, reversals, adjustments.

The ledger is append-only and the remaining entitlement is derived from it (one indexed
query per KPM, then `aid.entitlement.compute_entitlement`). `redeem` and `reverse` run
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

from sqlalchemy import Table, and_, bindparam, exists, func, insert, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload

from aid.beneficiaries import BeneficiaryInactive, BeneficiaryNotFound
from aid.entitlement import (
    BpntBalanceExceeded,
    Entitlement,
    LedgerEntry,
    compute_entitlement,
    window,
)
from aid.models import Beneficiary, EntitlementEntry, KksCard
from aid.settings import BpntSettings, bpnt_settings
from ewarung import audit, clock
from ewarung.clock import month_text
from ewarung.errors import N_, Conflict, NotFound, ValidationFailed
from ewarung.money import format_rupiah
from ewarung.numbers import parse_rupiah
from ewarung.text import writable

#: the most one credit, redemption or correction of a KPM's entitlement may be (Rp100 juta:
#: five hundred times a month's BPNT), so no KPM's balance can run away
MAX_ENTITLEMENT = 100_000_000


class AlreadyCredited(Conflict):
    code = "already_credited"
    template = N_("%(count)s KPM sudah menerima hak untuk periode %(period)s; hak tidak "
                  "dikreditkan dua kali.")


class NothingToReverse(Conflict):
    code = "nothing_to_reverse"
    template = N_("Penukaran BPNT ini sudah dikembalikan seluruhnya.")


@dataclass(frozen=True)
class Redemption:
    """The outcome of `redeem`: the debit and what the KPM has left after it."""

    entry_id: int
    amount: int
    masked_card: str | None
    entitlement: Entitlement
    #: True when warn mode let the redemption go past the remaining entitlement
    over_limit: bool
    #: False in record mode: the bank keeps the balance, the shop has none to tell
    ledger_on: bool = True

    @property
    def remaining(self) -> int | None:
        """What the KPM may still redeem after this one (None in record mode)."""
        return self.entitlement.remaining if self.ledger_on else None


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
    parse_rupiah(amount, name, low=1, high=MAX_ENTITLEMENT)


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
    period = month_text(period, "period")
    _check_amount(amount)
    cfg = bpnt_settings(session)
    first, last, label = window(period, cfg.period)
    _one_credit_run_at_a_time(session)
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
    done = _insert_credits(session, period, amount, targets)
    late = [i for i in targets if i not in done]  # credited meanwhile by another request
    if late and beneficiary_ids is not None:
        raise AlreadyCredited(details={"ids": late}, count=len(late), period=label)
    skipped += len(late)
    audit.record(session, "entitlement.credit", entity="period", entity_id=period,
                 after={"amount": amount, "credited": len(done), "skipped": skipped})
    return len(done), skipped


#: the PostgreSQL advisory lock key that credit runs queue on
CREDIT_RUN_LOCK = 0x45574352  # "EWCR"


def _one_credit_run_at_a_time(session: Session) -> None:
    """Queue credit runs behind each other until commit (PostgreSQL; SQLite's writers
    already take turns).

    The unique index of credits covers a KPM's month, not a quarter: two runs for two
    months of one tahap would each read "not yet credited" and both credit. Credit runs are
    rare, so they simply wait for each other, and the second one reads the first's credits.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CREDIT_RUN_LOCK})


def _insert_credits(session: Session, period: str, amount: int, ids: list[int]) -> set[int]:
    """Insert the credits; skip a KPM a concurrent credit got to first. The ids credited.

    Two credit runs (the page, the API, `ewarung kpm credit`) may read the same "not yet
    credited" list; the unique index on (KPM, month) of credits decides, and the loser
    skips instead of failing on the violation.
    """
    if not ids:
        return set()
    table = cast(Table, EntitlementEntry.__table__)
    dialect = session.get_bind().dialect.name
    upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = upsert(table).on_conflict_do_nothing(
        index_elements=[table.c.beneficiary_id, table.c.period],
        index_where=text("kind = 'credit'")).returning(table.c.beneficiary_id)
    actor, at = audit.actor(), clock.now()
    rows = [{"beneficiary_id": i, "kind": "credit", "period": period, "amount": amount,
             "created_at": at, "actor_id": actor} for i in ids]
    return set(session.scalars(stmt, rows))


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
           edc_ref: str, card_id: int | None = None, settings: BpntSettings | None = None,
           masked_card: str | None = None) -> Redemption:
    """Debit a BPNT redemption; refuse (strict) or flag (warn) an amount above what is left;
    record mode records it with its card and EDC code and enforces no balance.

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
    at = clock.now()  # the shop clock: a sale's moment while it is written
    month = cfg.month(at)
    before = compute_entitlement(ledger_sums(session, beneficiary_id), month, cfg.period,
                                 cfg.carry_over)
    over = cfg.ledger_on and amount > before.remaining
    if over and cfg.enforcement == "strict":
        raise BpntBalanceExceeded(
            details={"remaining": before.remaining, "requested": amount},
            remaining=format_rupiah(max(before.remaining, 0)), requested=format_rupiah(amount))
    if card_id is None or masked_card is None:
        card = _card_of(session, beneficiary_id, card_id)
        card_id, masked_card = (card.id, card.masked) if card else (None, None)
    entry_id = session.execute(_INSERT_ENTRY, {
        "beneficiary_id": beneficiary_id, "kind": "redemption", "period": month,
        "amount": -amount, "created_at": at, "actor_id": audit.actor(),
        "sale_id": sale_id, "card_id": card_id, "masked_card": masked_card,
        "edc_ref": edc_ref.strip()[:40]}).scalar_one()
    after = Entitlement(before.period, before.credited, before.redeemed + amount,
                        before.adjusted, before.carried)
    return Redemption(int(entry_id), amount, masked_card, after, over, cfg.ledger_on)


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
            "Paling banyak %(left)s yang masih bisa dikembalikan."), left=format_rupiah(left))
    entry = EntitlementEntry(
        beneficiary_id=original.beneficiary_id, kind="reversal", period=original.period,
        amount=amount, actor_id=audit.actor(),
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
    parse_rupiah(amount, "amount", low=-MAX_ENTITLEMENT, high=MAX_ENTITLEMENT, allow_zero=False)
    if len(reason.strip()) < 3:
        raise ValidationFailed.field("reason", N_("Tulis alasan penyesuaian."))
    writable(reason.strip(), "reason")
    cfg = bpnt_settings(session)
    month = month_text(period, "period") if period else cfg.month()
    _lock_beneficiary(session, beneficiary_id)
    before = entitlement_of(session, beneficiary_id, settings=cfg, month=month)
    entry = EntitlementEntry(beneficiary_id=beneficiary_id, kind="adjustment", period=month,
                             amount=amount, actor_id=audit.actor(),
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
    parse_rupiah(bank_remaining, "bank_remaining", high=MAX_ENTITLEMENT)
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


def registered_after_credit(session: Session, beneficiary: Beneficiary, *,
                            settings: BpntSettings | None = None) -> bool:
    """Whether the KPM came in after the current period's credit run and so holds nothing.

    True when the period's entitlement was credited to others before the KPM was registered
    and not to this KPM: the credit run skipped them, and the cashier would otherwise see a
    bare Rp0. Only meaningful while the shop keeps the ledger (strict, warn).
    """
    cfg = settings or bpnt_settings(session)
    first, last, _ = window(cfg.month(), cfg.period)
    in_period = (EntitlementEntry.kind == "credit", EntitlementEntry.period >= first,
                 EntitlementEntry.period <= last)
    if session.scalar(select(exists().where(
            EntitlementEntry.beneficiary_id == beneficiary.id, *in_period))):
        return False
    first_run = session.scalar(select(func.min(EntitlementEntry.created_at)).where(*in_period))
    return first_run is not None and beneficiary.created_at > first_run


def unserved(session: Session, month: str | None = None) -> tuple[str, list[Beneficiary]]:
    """(period label, active KPM with no redemption in the period), by village and name."""
    cfg = bpnt_settings(session)
    first, last, label = window(month_text(month, "period") if month else cfg.month(),
                                cfg.period)
    served = exists().where(and_(
        EntitlementEntry.beneficiary_id == Beneficiary.id,
        EntitlementEntry.kind == "redemption",
        EntitlementEntry.period >= first, EntitlementEntry.period <= last))
    # Their cards come in a few statements (the list shows each KPM's active card).
    rows = session.scalars(select(Beneficiary).where(Beneficiary.active.is_(True), ~served)
                           .options(selectinload(Beneficiary.cards))
                           .order_by(Beneficiary.village, Beneficiary.name, Beneficiary.id))
    return label, list(rows)
